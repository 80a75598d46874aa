package com.sensorsdata.analytics.android.sdk;

import android.content.Context;
import android.provider.Settings;
import android.util.Base64;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.zip.GZIPOutputStream;

/**
 * Sensors Analytics (神策), an SDK many apps point at a server on their OWN domain (self-hosted): its
 * uploads go to the first party, so only the code that sent them names the SDK. As the real SDK posts:
 * a form {@code crc=..&gzip=1&data_list=<base64 of gzip of the JSON event list>}, through the app's
 * HTTP client (real OkHttp 3).
 */
public final class SensorsDataAPI {
    private static final ExecutorService WORKER = Work.newWorker("SensorsData.Worker");
    private static SensorsDataAPI sInstance;
    private final Context mContext;
    private final String mServerUrl;

    private SensorsDataAPI(Context ctx, String serverUrl) {
        mContext = ctx;
        mServerUrl = serverUrl;
    }

    public static SensorsDataAPI startWithConfigOptions(Context ctx, String serverUrl) {
        sInstance = new SensorsDataAPI(ctx, serverUrl);
        return sInstance;
    }

    public static SensorsDataAPI sharedInstance() {
        return sInstance;
    }

    public void track(String event) {
        Work.submit(WORKER, () -> {
            try {
                String androidId = Settings.Secure.getString(mContext.getContentResolver(), Settings.Secure.ANDROID_ID);
                StandinLog.log("READ", "party", "sensors", "type", "android_id",
                        "api", "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)", "value", androidId);
                String events = "[{\"type\":\"track\",\"event\":" + Net.js(event) + ",\"distinct_id\":" + Net.js(androidId)
                        + ",\"properties\":{\"$device_id\":" + Net.js(androidId) + ",\"$os\":\"Android\"},\"time\":"
                        + System.currentTimeMillis() + "}]";
                ByteArrayOutputStream packed = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(packed)) {
                    gz.write(events.getBytes(StandardCharsets.UTF_8));
                }
                String data = Base64.encodeToString(packed.toByteArray(), Base64.NO_WRAP);
                String form = "crc=" + data.hashCode() + "&gzip=1&data_list=" + Net.urlEncode(data);
                Net.send(new Net.Request("sensors", "POST", mServerUrl).form(form).data("android_id:form>base64>gzip>json"));
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "SensorsDataAPI.track", "error", e.toString());
            }
        });
    }
}
