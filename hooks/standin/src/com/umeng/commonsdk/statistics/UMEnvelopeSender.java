package com.umeng.commonsdk.statistics;

import android.content.Context;
import android.os.Build;
import android.util.Base64;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import com.umeng.commonsdk.statistics.common.DeviceConfig;
import com.umeng.commonsdk.statistics.idtracking.DeviceIdCache;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Umeng's encrypted envelope, as the real SDK builds it (DOMAIN notes: "JSON → gzip → AES, key in the
 * envelope header"): the record is JSON, gzip-compressed, encrypted with AES/CBC/PKCS5Padding under a
 * per-session key, and posted base64-encoded in a JSON field, the session key and IV in the header.
 * A traffic-only audit sees opaque bytes; piaudit's crypto hooks see the record before it was sealed.
 * Real javax.crypto, java.util.zip and (the fake) android.util.Base64.
 */
public final class UMEnvelopeSender {
    public static final String URL = "https://alog.umeng.com/app_logs";
    private static final ExecutorService WORKER = Work.newWorker("umeng-envelope");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] SESSION_KEY = new byte[16];
    private static int sSequence;

    static {
        RANDOM.nextBytes(SESSION_KEY);
    }

    private UMEnvelopeSender() {}

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Seal and post one envelope of device identifiers and an event (on Umeng's envelope thread). */
    public static void send(Context ctx, String appkey, String event) {
        Work.submit(WORKER, () -> {
            try {
                String imei = DeviceConfig.getImei(ctx);
                String oaid = DeviceConfig.getOaid(ctx);
                String androidId = DeviceIdCache.androidId();
                int seq = ++sSequence;
                String record = "{\"header\":{\"appkey\":" + Net.js(appkey) + ",\"imei\":" + Net.js(imei)
                        + ",\"oaid\":" + Net.js(oaid) + ",\"android_id\":" + Net.js(androidId)
                        + ",\"device_model\":" + Net.js(Build.MODEL) + "},\"analytics\":{\"seq\":" + seq
                        + ",\"event\":" + Net.js(event) + ",\"ts\":" + System.currentTimeMillis() + "}}";
                byte[] packed = gzip(record.getBytes(StandardCharsets.UTF_8));
                byte[] iv = new byte[16];
                RANDOM.nextBytes(iv);
                Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
                cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(SESSION_KEY, "AES"), new IvParameterSpec(iv));
                byte[] sealed = cipher.doFinal(packed);
                String envelope = "{\"header\":{\"appkey\":" + Net.js(appkey) + ",\"sdk_version\":\"9.6.3\",\"codex\":1"
                        + ",\"session_key\":" + Net.js(Base64.encodeToString(SESSION_KEY, Base64.NO_WRAP))
                        + ",\"iv\":" + Net.js(Base64.encodeToString(iv, Base64.NO_WRAP)) + "},\"envelope\":"
                        + Net.js(Base64.encodeToString(sealed, Base64.NO_WRAP)) + "}";
                Net.send(new Net.Request("umeng", "POST", URL + "?seq=" + seq).json(envelope)
                        .data("imei,oaid,android_id:json>gzip>aes-cbc>base64"));
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "UMEnvelopeSender.send", "error", e.toString());
            }
        });
    }
}
