package com.umeng.commonsdk;

import android.content.Context;
import com.android.internal.standin.Fake;
import com.umeng.commonsdk.statistics.UMEnvelopeBuild;

/**
 * Fake Umeng {@code UMConfigure}. {@code preInit} is the compliant pre-consent call; {@code init}
 * starts collection at once (what the demo app does wrongly before consent).
 * {@code -Dstandin.sdk_side_effects=false} makes every call a no-op (the all_apis tour).
 */
public class UMConfigure {
    public static final int DEVICE_TYPE_PHONE = 1;
    public static final int DEVICE_TYPE_BOX = 2;

    private static volatile boolean sPreInit;
    private static volatile boolean sInit;
    private static volatile Boolean sPolicyGranted;
    private static volatile String sAppkey;
    private static volatile String sChannel;

    private UMConfigure() {}

    public static void setLogEnabled(boolean enabled) {}

    public static void preInit(Context context, String appkey, String channel) {
        sPreInit = true;
        sAppkey = appkey;
        sChannel = channel;
    }

    public static void init(Context context, String appkey, String channel, int deviceType, String pushSecret) {
        sInit = true;
        sAppkey = appkey;
        sChannel = channel;
        if (Fake.flag("standin.sdk_side_effects", true)) {
            UMEnvelopeBuild.reportLaunch(context.getApplicationContext(), appkey, channel);
        }
    }

    public static void init(Context context, int deviceType, String pushSecret) {
        init(context, sAppkey, sChannel, deviceType, pushSecret);
    }

    public static void submitPolicyGrantResult(Context context, boolean granted) {
        sPolicyGranted = granted;
    }

    public static boolean getInitStatus() {
        return sInit;
    }

    /** Internal: what the user answered, null before the answer. */
    public static Boolean policyGranted() {
        return sPolicyGranted;
    }

    public static String appkey() {
        return sAppkey;
    }

    public static String channel() {
        return sChannel;
    }
}
