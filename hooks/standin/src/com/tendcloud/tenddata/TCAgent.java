package com.tendcloud.tenddata;

import android.content.Context;
import android.content.pm.PackageInfo;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Fake TalkingData {@code TCAgent}: {@code init} reads the installed-app list and sends the package
 * names as gzip-compressed JSON (Content-Encoding: gzip) to sdk.open.talkingdata.com.
 */
public class TCAgent {
    public static final String URL = "https://sdk.open.talkingdata.com/g/d";
    private static final ExecutorService WORKER = Work.newWorker("TD-worker");

    private TCAgent() {}

    public static void init(Context context, String appId, String channelId) {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        Context ctx = context.getApplicationContext();
        Work.submit(WORKER, () -> {
            List<PackageInfo> pkgs = ctx.getPackageManager().getInstalledPackages(0);
            StringBuilder apps = new StringBuilder();
            StringBuilder names = new StringBuilder();
            for (PackageInfo p : pkgs) {
                apps.append(apps.length() == 0 ? "" : ",").append("{\"pkg\":").append(Net.js(p.packageName))
                        .append(",\"ver\":").append(Net.js(p.versionName)).append('}');
                names.append(names.length() == 0 ? "" : ",").append(p.packageName);
            }
            StandinLog.log("READ", "party", "talkingdata", "type", "installed_apps",
                    "api", "android.app.ApplicationPackageManager#getInstalledPackages(int)", "value", names);
            String json = "{\"appId\":" + Net.js(appId) + ",\"channel\":" + Net.js(channelId)
                    + ",\"tdid\":\"h" + Net.md5Hex(appId).substring(0, 31) + "\",\"apps\":[" + apps + "]}";
            Net.Request r = new Net.Request("talkingdata", "POST", URL);
            r.contentType = "application/json";
            r.headers.put("Content-Encoding", "gzip");
            r.body = Net.gzip(json.getBytes(StandardCharsets.UTF_8));
            Net.send(r.data("installed_apps:gzip>json"));
        });
    }
}
