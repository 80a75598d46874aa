package com.umeng.commonsdk.statistics.idtracking;

import android.app.Application;
import android.provider.Settings;
import com.android.internal.standin.StandinLog;

/**
 * Umeng's id cache. Its static initializer reads android_id through Settings$Secure.getString as
 * soon as the class is loaded — in the demo from {@code Application.attachBaseContext}, before
 * {@code Application.onCreate}. It finds the application by reflection, as SDKs do.
 */
public final class DeviceIdCache {
    public static final String ANDROID_ID;

    static {
        String id = null;
        try {
            Application app = (Application) Class.forName("android.app.ActivityThread")
                    .getMethod("currentApplication").invoke(null);
            id = Settings.Secure.getString(app.getContentResolver(), Settings.Secure.ANDROID_ID);
        } catch (Exception e) {
            StandinLog.log("ERROR", "where", "DeviceIdCache.<clinit>", "error", e.toString());
        }
        ANDROID_ID = id;
        StandinLog.log("READ", "party", "umeng", "type", "android_id",
                "api", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                "value", id, "where", "DeviceIdCache.<clinit>");
    }

    private DeviceIdCache() {}

    public static String androidId() {
        return ANDROID_ID;
    }
}
