package com.umeng.probe;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Uploads through the real OkHttp 3 (Debian's libokhttp-java): execute(), enqueue(), an interceptor that adds a parameter. */
final class OkHttpUploads {
    static void run(String base, byte[] body) throws Exception {
        OkHttpClient client = new OkHttpClient.Builder()
            .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                .url(chain.request().url().newBuilder().addQueryParameter("sign", "abc123").build()).build()))
            .build();
        Request post = new Request.Builder().url(base + "/okhttp/execute")
            .post(RequestBody.create(MediaType.get("application/octet-stream"), body)).build();
        try (Response r = client.newCall(post).execute()) {
            System.out.println("STATUS okhttp_execute " + r.code());
        }
        CountDownLatch done = new CountDownLatch(1);
        client.newCall(new Request.Builder().url(base + "/okhttp/enqueue?q=1").build()).enqueue(new Callback() {
            @Override public void onFailure(Call call, java.io.IOException e) { System.out.println("STATUS okhttp_enqueue failed " + e); done.countDown(); }
            @Override public void onResponse(Call call, Response response) { System.out.println("STATUS okhttp_enqueue " + response.code()); response.close(); done.countDown(); }
        });
        done.await(30, TimeUnit.SECONDS);
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
