package com.bytedance.sdk.openadsdk;

import android.content.Context;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import com.google.android.gms.ads.identifier.AdvertisingIdClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ExecutorService;

/**
 * Fake Pangle {@code TTAdSdk}: a pinned SDK. {@code init} reads the Google ad id and the OAID
 * (Xiaomi IdProviderImpl, by reflection) and posts them as JSON to api-access.pangolin-sdk-toutiao.com
 * only if OkHttp's {@code CertificatePinner} accepts the server's certificates.
 */
public class TTAdSdk {
    public static final String HOST = "api-access.pangolin-sdk-toutiao.com";
    public static final String URL = "https://" + HOST + "/api/ad/union/sdk/settings/";
    private static final ExecutorService WORKER = Work.newWorker("tt-worker");

    private TTAdSdk() {}

    /** The bundled pin: {@code -Dstandin.pin.pangle} or a fixed hash no real key has. */
    public static String pin() {
        String p = Fake.prop("standin.pin.pangle", null);
        if (p != null) {
            return p;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(
                    "piaudit standin pangle pinned key".getBytes(StandardCharsets.UTF_8));
            return "sha256/" + Base64.getEncoder().encodeToString(d);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void init(Context context, String appId) {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        Context ctx = context.getApplicationContext();
        Work.submit(WORKER, () -> {
            String gaid = null;
            try {
                gaid = AdvertisingIdClient.getAdvertisingIdInfo(ctx).getId();
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "TTAdSdk.gaid", "error", e.toString());
            }
            StandinLog.log("READ", "party", "pangle", "type", "ad_id",
                    "api", "com.google.android.gms.ads.identifier.AdvertisingIdClient$Info#getId()", "value", gaid);
            String oaid = null;
            try {
                Class<?> c = Class.forName("com.android.id.impl.IdProviderImpl");
                Object provider = c.getDeclaredConstructor().newInstance();
                oaid = (String) c.getMethod("getOAID", Context.class).invoke(provider, ctx);
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "TTAdSdk.oaid", "error", e.toString());
            }
            StandinLog.log("READ", "party", "pangle", "type", "oaid",
                    "api", "com.android.id.impl.IdProviderImpl#getOAID(android.content.Context)", "value", oaid);
            String json = "{\"app_id\":" + Net.js(appId) + ",\"gaid\":" + Net.js(gaid) + ",\"oaid\":" + Net.js(oaid)
                    + ",\"sdk_version\":\"5.1.0.2\",\"os\":\"android\"}";
            Net.Request r = new Net.Request("pangle", "POST", URL).json(json).data("ad_id:plain,oaid:plain");
            r.hostnameVerifier = okhttp3.internal.tls.OkHostnameVerifier.INSTANCE; // as OkHttp 3 sets it
            r.pins = new String[] {pin()}; // OkHttp's CertificatePinner: checked after the handshake
            Net.send(r);
        });
    }
}
