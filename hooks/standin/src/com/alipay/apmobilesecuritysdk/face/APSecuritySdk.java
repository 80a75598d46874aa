package com.alipay.apmobilesecuritysdk.face;

import android.content.Context;
import android.provider.Settings;
import com.alipay.apmobilesecuritysdk.rpc.BundledPins;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import com.android.org.conscrypt.TrustManagerImpl;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Fake Alipay device-security SDK: the second pinned client. {@code initToken} reads android_id and
 * the serial (SystemProperties by reflection) and posts them form-encoded (android_id as SHA-1 hex) to
 * mobilegw.alipay.com over a TLS context whose only trust manager is Conscrypt's
 * {@link TrustManagerImpl} with a bundled pin: the handshake fails unless the pin check is neutralised.
 */
public final class APSecuritySdk {
    public static final String URL = "https://mobilegw.alipay.com/mgw.htm";
    private static final ExecutorService WORKER = Work.newWorker("APSecurity-worker");
    private static APSecuritySdk sInstance;

    private final Context mContext;

    private APSecuritySdk(Context context) {
        mContext = context.getApplicationContext();
    }

    public static synchronized APSecuritySdk getInstance(Context context) {
        if (sInstance == null) {
            sInstance = new APSecuritySdk(context);
        }
        return sInstance;
    }

    public void initToken() {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        Work.submit(WORKER, () -> {
            String androidId = Settings.Secure.getString(mContext.getContentResolver(), Settings.Secure.ANDROID_ID);
            StandinLog.log("READ", "party", "alipay", "type", "android_id",
                    "api", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                    "value", androidId);
            String serial = null;
            try {
                Class<?> sp = Class.forName("android.os.SystemProperties");
                serial = (String) sp.getMethod("get", String.class, String.class).invoke(null, "ro.serialno", "unknown");
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "APSecuritySdk.serial", "error", e.toString());
            }
            StandinLog.log("READ", "party", "alipay", "type", "serial",
                    "api", "android.os.SystemProperties#get(java.lang.String,java.lang.String)", "value", serial);
            Net.Request r = new Net.Request("alipay", "POST", URL)
                    .form("operationType=alipay.security.device.data.report&androidId=" + Net.sha1Hex(androidId)
                            + "&serial=" + Net.urlEncode(serial) + "&os=android")
                    .data("android_id:sha1,serial:plain");
            try {
                SSLContext tls = SSLContext.getInstance("TLS");
                TrustManagerImpl trust = new TrustManagerImpl(null, new BundledPins());
                tls.init(null, new TrustManager[] {trust}, null);
                r.sslSocketFactory = tls.getSocketFactory();
                r.trustManager = trust;
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "APSecuritySdk.tls", "error", e.toString());
            }
            Net.send(r);
        });
    }
}
