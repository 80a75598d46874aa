package com.bytedance.applog;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ByteDance's applog (DataFinder) as it uploads: the event batch is JSON, encrypted with AES/GCM and
 * posted as raw bytes (a 12-byte nonce, then the ciphertext and tag) with {@code tt_data=a}. Real
 * javax.crypto.
 */
public final class AppLog {
    public static final String URL = "https://log.snssdk.com/service/2/app_log/?tt_data=a&aid=";
    private static final ExecutorService WORKER = Work.newWorker("applog-sender");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] KEY = "applog-demo-key!".getBytes(StandardCharsets.US_ASCII);
    private static Context sContext;
    private static String sAid = "";

    private AppLog() {}

    private static String read(String type, String api, String value) {
        StandinLog.log("READ", "party", "applog", "type", type, "api", api, "value", value);
        return value;
    }

    /** Start the SDK: it sends its launch batch at once. */
    public static void init(Context ctx, String aid) {
        sContext = ctx;
        sAid = aid;
        onEventV3("launch");
    }

    /** Queue an event; the batch is encrypted and sent on the applog thread. */
    public static void onEventV3(String event) {
        Context ctx = sContext;
        Work.submit(WORKER, () -> {
            try {
                String androidId = read("android_id", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                        Settings.Secure.getString(ctx.getContentResolver(), Settings.Secure.ANDROID_ID));
                TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
                String imei = read("imei", "android.telephony.TelephonyManager#getImei()", tm.getImei());
                String batch = "{\"header\":{\"aid\":" + Net.js(sAid) + ",\"openudid\":" + Net.js(androidId)
                        + ",\"udid\":" + Net.js(imei) + ",\"os\":\"Android\"},\"event_v3\":[{\"event\":" + Net.js(event)
                        + ",\"local_time_ms\":" + System.currentTimeMillis() + "}]}";
                byte[] nonce = new byte[12];
                RANDOM.nextBytes(nonce);
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, nonce));
                byte[] sealed = cipher.doFinal(batch.getBytes(StandardCharsets.UTF_8));
                byte[] body = new byte[nonce.length + sealed.length];
                System.arraycopy(nonce, 0, body, 0, nonce.length);
                System.arraycopy(sealed, 0, body, nonce.length, sealed.length);
                Net.Request r = new Net.Request("applog", "POST", URL + sAid).data("android_id,imei:json>aes-gcm>raw");
                r.contentType = "application/octet-stream;tt-data=a";
                r.body = body;
                Net.send(r);
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "AppLog.onEventV3", "error", e.toString());
            }
        });
    }
}
