package com.qq.e.comm.managers.setting;

/** Fake GDT {@code GlobalSetting} (in the plugin jar): the SDK's consent switch. */
public final class GlobalSetting {
    private static volatile boolean sAgreed;

    private GlobalSetting() {}

    public static void setAgreePrivacyStrategy(boolean agreed) {
        sAgreed = agreed;
    }

    public static boolean isAgreePrivacyStrategy() {
        return sAgreed;
    }
}
