package com.tencent.bugly.crashreport.common.info;

import android.content.Context;
import android.provider.Settings;
import com.android.internal.standin.StandinLog;

/** Bugly's device info: reads android_id when Bugly is initialised. */
public final class DeviceInfo {
    private static volatile String sAndroidId;

    private DeviceInfo() {}

    public static String getAndroidId(Context ctx) {
        String id = Settings.Secure.getString(ctx.getContentResolver(), Settings.Secure.ANDROID_ID);
        StandinLog.log("READ", "party", "bugly", "type", "android_id",
                "api", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                "value", id);
        sAndroidId = id;
        return id;
    }

    public static String cachedAndroidId() {
        return sAndroidId;
    }
}
