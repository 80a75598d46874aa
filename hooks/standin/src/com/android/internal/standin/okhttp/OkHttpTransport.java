package com.android.internal.standin.okhttp;

import com.android.internal.standin.Net;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.CertificatePinner;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The APK's HTTP client: real OkHttp 3 (Debian's libokhttp-java), in the app's class loader as in an
 * APK. Pins become an OkHttp {@link CertificatePinner}, checked after the TLS handshake and before
 * the request: with a pin that does not match, the proxy sees a handshake and then a close.
 */
public final class OkHttpTransport implements Net.Transport {
    private final OkHttpClient mBase = new OkHttpClient.Builder().build();

    @Override
    public int execute(Net.Request r, int timeoutMs) throws Exception {
        OkHttpClient.Builder builder = mBase.newBuilder()
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .followRedirects(false);
        if (r.pins != null) {
            String host = okhttp3.HttpUrl.get(r.url).host();
            builder.certificatePinner(new CertificatePinner.Builder().add(host, r.pins).build());
        }
        if (r.sslSocketFactory != null && r.trustManager != null) {
            builder.sslSocketFactory(r.sslSocketFactory, r.trustManager);
        }
        if (r.hostnameVerifier != null) {
            builder.hostnameVerifier(r.hostnameVerifier);
        }
        Request.Builder request = new Request.Builder().url(r.url).header("User-Agent", Net.USER_AGENT).header("Accept", "*/*");
        for (Map.Entry<String, String> h : r.headers.entrySet()) {
            request.header(h.getKey(), h.getValue());
        }
        RequestBody body = r.body == null ? null
                : RequestBody.create(r.contentType == null ? null : MediaType.parse(r.contentType), r.body);
        request.method(r.method, body == null && (r.method.equals("POST") || r.method.equals("PUT"))
                ? RequestBody.create(null, new byte[0]) : body);
        try (Response response = builder.build().newCall(request.build()).execute()) {
            ResponseBody responseBody = response.body();
            if (responseBody != null) {
                responseBody.bytes();
            }
            return response.code();
        }
    }
}
