package com.alipay.apmobilesecuritysdk.rpc;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Alipay's security SDK reporting its device token over its own TLS channel: a socket that bypasses
 * the system proxy ({@link Proxy#NO_PROXY}) and a certificate pin, as some SDKs do against
 * interception. The proxy never sees this traffic; the hooks on the TLS write path see its plaintext.
 *
 * <p>Where the channel goes: {@code -Dstandin.direct_tls=HOST:PORT} (the demo and the tests run a
 * local TLS server for {@code mobilegw.alipay.com}), pinned by {@code -Dstandin.direct_tls_pin=sha256/<base64 SPKI hash>}.
 * Without them, or with {@code standin.network=false}, the upload is logged as skipped.
 */
public final class DirectChannel {
    public static final String HOST = "mobilegw.alipay.com";
    public static final String PATH = "/mgw.htm";
    private static final ExecutorService WORKER = Work.newWorker("apsecurity-channel");

    private DirectChannel() {}

    private static String read(String type, String api, String value) {
        StandinLog.log("READ", "party", "alipay", "type", type, "api", api, "value", value);
        return value;
    }

    /** Trusts exactly the certificate whose public key has the pinned SHA-256. */
    static final class PinnedTrust implements X509TrustManager {
        private final String mPin;

        PinnedTrust(String pin) {
            mPin = pin;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                byte[] spki = MessageDigest.getInstance("SHA-256").digest(chain[0].getPublicKey().getEncoded());
                if (!("sha256/" + Base64.getEncoder().encodeToString(spki)).equals(mPin)) {
                    throw new CertificateException("Pin verification failed for " + HOST);
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static void report(Context ctx) {
        Work.submit(WORKER, () -> {
            String url = "https://" + HOST + PATH;
            try {
                String androidId = read("android_id", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                        Settings.Secure.getString(ctx.getContentResolver(), Settings.Secure.ANDROID_ID));
                TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
                String imei = read("imei", "android.telephony.TelephonyManager#getDeviceId()", tm.getDeviceId());
                byte[] body = ("{\"apdid\":\"APDID-7731\",\"android_id\":" + Net.js(androidId) + ",\"imei\":" + Net.js(imei) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                String endpoint = Fake.prop("standin.direct_tls", "");
                String pin = Fake.prop("standin.direct_tls_pin", "");
                if (endpoint.isEmpty() || pin.isEmpty() || !Fake.flag("standin.network", true)) {
                    StandinLog.log("UPLOAD", "party", "alipay", "method", "POST", "url", url, "status", "skipped",
                            "bytes", body.length, "data", "android_id,imei:json (direct TLS, pinned)");
                    return;
                }
                int colon = endpoint.lastIndexOf(':');
                int timeout = (int) Fake.longProp("standin.timeout_ms", 5000);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new PinnedTrust(pin)}, null);
                Socket raw = new Socket(Proxy.NO_PROXY);
                raw.connect(new InetSocketAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1))), timeout);
                raw.setSoTimeout(timeout);
                try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, HOST, 443, true)) {
                    SSLParameters params = socket.getSSLParameters();
                    params.setServerNames(List.of(new SNIHostName(HOST)));
                    socket.setSSLParameters(params);
                    socket.startHandshake();
                    OutputStream os = socket.getOutputStream();
                    String head = "POST " + PATH + " HTTP/1.1\r\nHost: " + HOST + "\r\nUser-Agent: " + Net.USER_AGENT
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
                    os.write(head.getBytes(StandardCharsets.US_ASCII));
                    os.write(body);
                    os.flush();
                    InputStream in = socket.getInputStream();
                    String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                    StandinLog.log("UPLOAD", "party", "alipay", "method", "POST", "url", url,
                            "status", status.length() >= 12 ? status.substring(9, 12) : "error",
                            "bytes", body.length, "data", "android_id,imei:json (direct TLS, pinned)");
                }
            } catch (Exception e) {
                StandinLog.log("UPLOAD", "party", "alipay", "method", "POST", "url", url, "status",
                        String.valueOf(e.getMessage()).contains("Pin verification failed") ? "pin_failed" : "error",
                        "bytes", 0, "data", "android_id,imei:json (direct TLS, pinned)", "error", e.toString());
            }
        });
    }
}
