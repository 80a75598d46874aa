package com.android.internal.standin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * The uploads, one log line each: through the app's HTTP client when the APK registered one
 * ({@link #setTransport}: real OkHttp 3 from the APK's class loader), else {@link HttpURLConnection};
 * both go through the JVM proxy properties.
 *
 * <p>Log: {@code UPLOAD party=.. method=.. url=.. status=<code>|skipped|pin_failed|error
 * bytes=.. data=..}. Network failures are logged, never thrown. {@code -Dstandin.network=false}
 * skips the network and logs {@code status=skipped}.
 */
public final class Net {
    private Net() {}

    public static final String USER_AGENT =
            "Dalvik/2.1.0 (Linux; U; Android 13; 22101316C Build/TP1A.220624.014)";

    /** The app's HTTP client: sends one request, returns the HTTP status; throws on failure. */
    public interface Transport {
        int execute(Request r, int timeoutMs) throws Exception;
    }

    private static volatile Transport sTransport;

    /** Register the app's HTTP client (the APK's OkHttp); requests go through it from now on. */
    public static void setTransport(Transport transport) {
        sTransport = transport;
    }

    /** A check of the server's certificates after the handshake and before the request is sent. */
    public interface PeerCheck {
        void check(String host, Certificate[] peerCertificates) throws IOException;
    }

    /** One request to send. */
    public static final class Request {
        public String party = "app";
        public String method = "POST";
        public String url;
        public String contentType;
        public byte[] body;
        public String data = "";
        public final Map<String, String> headers = new LinkedHashMap<>();
        public SSLSocketFactory sslSocketFactory;
        public javax.net.ssl.HostnameVerifier hostnameVerifier;
        public PeerCheck peerCheck;
        /** Certificate pins ({@code sha256/<base64>}) for the request's host, checked by OkHttp's CertificatePinner. */
        public String[] pins;
        /** The trust manager behind {@link #sslSocketFactory} (OkHttp needs both). */
        public javax.net.ssl.X509TrustManager trustManager;

        public Request(String party, String method, String url) {
            this.party = party;
            this.method = method;
            this.url = url;
        }

        public Request json(String json) {
            this.contentType = "application/json; charset=utf-8";
            this.body = json.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Request form(String form) {
            this.contentType = "application/x-www-form-urlencoded";
            this.body = form.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Describe the personal data carried, e.g. {@code imei:base64,mac:md5}. */
        public Request data(String d) {
            this.data = d;
            return this;
        }
    }

    /** Send {@code r}; returns the HTTP status, 0 when skipped, -1 on error, -2 on a pinning failure. */
    public static int send(Request r) {
        int bytes = r.body == null ? 0 : r.body.length;
        if (!Fake.flag("standin.network", true)) {
            StandinLog.log("UPLOAD", "party", r.party, "method", r.method, "url", r.url, "status", "skipped",
                    "bytes", bytes, "data", r.data);
            return 0;
        }
        int timeout = (int) Fake.longProp("standin.timeout_ms", 5000);
        Transport transport = sTransport;
        if (transport != null) {
            try {
                int status = transport.execute(r, timeout);
                StandinLog.log("UPLOAD", "party", r.party, "method", r.method, "url", r.url, "status", status,
                        "bytes", bytes, "data", r.data);
                return status;
            } catch (Exception e) {
                boolean pin = isPinFailure(e);
                StandinLog.log("UPLOAD", "party", r.party, "method", r.method, "url", r.url, "status",
                        pin ? "pin_failed" : "error", "bytes", bytes, "data", r.data, "error", e.toString());
                return pin ? -2 : -1;
            }
        }
        HttpURLConnection c = null;
        try {
            URL u = new URL(r.url);
            c = (HttpURLConnection) u.openConnection();
            c.setConnectTimeout(timeout);
            c.setReadTimeout(timeout);
            c.setInstanceFollowRedirects(false);
            c.setRequestMethod(r.method);
            c.setRequestProperty("User-Agent", USER_AGENT);
            c.setRequestProperty("Accept", "*/*");
            if (r.contentType != null) {
                c.setRequestProperty("Content-Type", r.contentType);
            }
            for (Map.Entry<String, String> h : r.headers.entrySet()) {
                c.setRequestProperty(h.getKey(), h.getValue());
            }
            if (c instanceof HttpsURLConnection https && r.sslSocketFactory != null) {
                https.setSSLSocketFactory(r.sslSocketFactory);
            }
            if (c instanceof HttpsURLConnection https && r.hostnameVerifier != null) {
                https.setHostnameVerifier(r.hostnameVerifier);
            }
            if (r.body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(r.body.length);
            }
            if (r.peerCheck != null && c instanceof HttpsURLConnection https) {
                c.connect();
                try {
                    r.peerCheck.check(u.getHost(), https.getServerCertificates());
                } catch (IOException e) {
                    c.disconnect();
                    StandinLog.log("UPLOAD", "party", r.party, "method", r.method, "url", r.url, "status",
                            "pin_failed", "bytes", bytes, "data", r.data, "error", e.toString());
                    return -2;
                }
            }
            if (r.body != null) {
                try (OutputStream os = c.getOutputStream()) {
                    os.write(r.body);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (in != null) {
                try (in) {
                    in.readNBytes(1 << 20);
                }
            }
            StandinLog.log("UPLOAD", "party", r.party, "method", r.method, "url", r.url, "status", status,
                    "bytes", bytes, "data", r.data);
            return status;
        } catch (Exception e) {
            boolean pin = isPinFailure(e);
            StandinLog.log("UPLOAD", "party", r.party, "method", r.method, "url", r.url, "status",
                    pin ? "pin_failed" : "error", "bytes", bytes, "data", r.data, "error", e.toString());
            return pin ? -2 : -1;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static boolean isPinFailure(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("Pin verification failed") || m.contains("Certificate pinning failure")
                    || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ encodings SDKs use

    public static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String md5Hex(String s) {
        return digestHex("MD5", s);
    }

    public static String sha1Hex(String s) {
        return digestHex("SHA-1", s);
    }

    public static String sha256Hex(String s) {
        return digestHex("SHA-256", s);
    }

    private static String digestHex(String algorithm, String s) {
        try {
            byte[] d = MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (byte b : d) {
                sb.append(String.format("%02x", b & 0xff));
            }
            return sb.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(data);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON string literal. */
    public static String js(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    public static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
