package com.tencent.bugly.crashreport;

import android.content.Context;
import android.os.Build;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.Work;
import com.tencent.bugly.crashreport.common.info.DeviceInfo;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

/**
 * Fake Tencent Bugly {@code CrashReport}. {@code initCrashReport} reads android_id and sends nothing;
 * {@code setUserId} sends the user-info heartbeat (android_id plain in JSON) to android.bugly.qq.com.
 */
public class CrashReport {
    public static final String URL = "https://android.bugly.qq.com/rqd/async";
    private static final ExecutorService WORKER = Work.newWorker("Bugly-ThreadMonitor");
    private static volatile String sAppId;

    private CrashReport() {}

    public static void initCrashReport(Context context, String appId, boolean isDebug) {
        sAppId = appId;
        if (Fake.flag("standin.sdk_side_effects", true)) {
            DeviceInfo.getAndroidId(context);
        }
    }

    public static void setUserId(Context context, String userId) {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        Work.submit(WORKER, () -> {
            String json = "{\"appId\":" + Net.js(sAppId) + ",\"type\":\"heartbeat\",\"platform\":\"android\""
                    + ",\"deviceId\":" + Net.js(DeviceInfo.cachedAndroidId()) + ",\"userId\":" + Net.js(userId)
                    + ",\"model\":" + Net.js(Build.MODEL) + ",\"sdkVersion\":\"4.1.9.3\",\"ts\":"
                    + System.currentTimeMillis() + "}";
            Net.send(new Net.Request("bugly", "POST", URL + "?aid=" + UUID.randomUUID()).json(json)
                    .data("android_id:plain"));
        });
    }
}
