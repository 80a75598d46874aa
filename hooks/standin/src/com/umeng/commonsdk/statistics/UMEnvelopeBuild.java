package com.umeng.commonsdk.statistics;

import android.content.Context;
import android.os.Build;
import com.android.internal.standin.Net;
import com.android.internal.standin.Work;
import com.umeng.commonsdk.UMConfigure;
import com.umeng.commonsdk.statistics.common.DeviceConfig;
import com.umeng.commonsdk.statistics.idtracking.DeviceIdCache;
import java.util.Locale;
import java.util.concurrent.ExecutorService;

/** Builds and sends Umeng's envelopes to ulogs.umeng.com, on Umeng's worker thread. */
public final class UMEnvelopeBuild {
    public static final String URL = "https://ulogs.umeng.com/unify_logs";
    private static final ExecutorService WORKER = Work.newWorker("umeng-worker");

    private UMEnvelopeBuild() {}

    private static String header(String appkey, String channel) {
        return "\"appkey\":" + Net.js(appkey) + ",\"channel\":" + Net.js(channel)
                + ",\"sdk_version\":\"9.6.3\",\"os\":\"Android\",\"os_version\":\"13\",\"device_model\":"
                + Net.js(Build.MODEL) + ",\"device_brand\":" + Net.js(Build.BRAND) + ",\"policy_granted\":"
                + UMConfigure.policyGranted();
    }

    /** The launch report: IMEI base64, IMSI plain, MAC md5 (upper case, no separators), OAID and android_id plain. */
    public static void reportLaunch(Context ctx, String appkey, String channel) {
        Work.submit(WORKER, () -> {
            String imei = DeviceConfig.getImei(ctx);
            String imsi = DeviceConfig.getImsi(ctx);
            String mac = DeviceConfig.getMac(ctx);
            String oaid = DeviceConfig.getOaid(ctx);
            String androidId = DeviceIdCache.androidId();
            String macNorm = mac == null ? "" : mac.replace(":", "").toUpperCase(Locale.ROOT);
            String json = "{\"header\":{" + header(appkey, channel)
                    + ",\"imei\":" + Net.js(imei == null ? null : Net.base64(imei))
                    + ",\"imsi\":" + Net.js(imsi)
                    + ",\"mac\":" + Net.js(Net.md5Hex(macNorm))
                    + ",\"oaid\":" + Net.js(oaid)
                    + ",\"android_id\":" + Net.js(androidId)
                    + "},\"content\":{\"type\":\"launch\",\"ts\":" + System.currentTimeMillis() + "}}";
            Net.send(new Net.Request("umeng", "POST", URL).json(json)
                    .data("imei:base64,imsi:plain,mac:md5(upper_nosep),oaid:plain,android_id:plain"));
        });
    }

    /** An analytics event: IMEI as lower-case md5 hex, android_id plain. */
    public static void reportEvent(Context ctx, String eventId) {
        Work.submit(WORKER, () -> {
            String imei = DeviceConfig.getImei(ctx);
            String androidId = android.provider.Settings.Secure.getString(ctx.getContentResolver(),
                    android.provider.Settings.Secure.ANDROID_ID);
            com.android.internal.standin.StandinLog.log("READ", "party", "umeng", "type", "android_id",
                    "api", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                    "value", androidId);
            String json = "{\"header\":{" + header(UMConfigure.appkey(), UMConfigure.channel())
                    + ",\"imei_md5\":" + Net.js(imei == null ? null : Net.md5Hex(imei))
                    + ",\"android_id\":" + Net.js(androidId)
                    + "},\"content\":{\"type\":\"event\",\"id\":" + Net.js(eventId) + ",\"ts\":"
                    + System.currentTimeMillis() + "}}";
            Net.send(new Net.Request("umeng", "POST", URL).json(json).data("imei:md5,android_id:plain"));
        });
    }
}
