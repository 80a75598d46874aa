package cn.jpush.android.api;

import android.app.ActivityManager;
import android.content.Context;
import android.net.wifi.WifiInfo;
import android.net.wifi.WifiManager;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.util.concurrent.ExecutorService;

/**
 * Fake JPush {@code JPushInterface}: {@code init} reads running processes and the Wi-Fi BSSID/SSID
 * and sends them form-encoded to stats.jpush.cn — even when {@code JCollectionAuth.setAuth(ctx,false)}
 * was called (the refuse scenario's post-refusal collection).
 */
public class JPushInterface {
    public static final String URL = "https://stats.jpush.cn/v1/report";
    private static final ExecutorService WORKER = Work.newWorker("JPush-worker");

    private JPushInterface() {}

    public static void setDebugMode(boolean debug) {}

    public static void init(Context context) {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        Context ctx = context.getApplicationContext();
        Work.submit(WORKER, () -> {
            ActivityManager am = (ActivityManager) ctx.getSystemService(Context.ACTIVITY_SERVICE);
            StringBuilder procs = new StringBuilder();
            for (ActivityManager.RunningAppProcessInfo p : am.getRunningAppProcesses()) {
                procs.append(procs.length() == 0 ? "" : ",").append(p.processName);
            }
            StandinLog.log("READ", "party", "jpush", "type", "running_apps",
                    "api", "android.app.ActivityManager#getRunningAppProcesses()", "value", procs);
            WifiInfo wi = ((WifiManager) ctx.getSystemService(Context.WIFI_SERVICE)).getConnectionInfo();
            String bssid = wi.getBSSID();
            StandinLog.log("READ", "party", "jpush", "type", "bssid", "api", "android.net.wifi.WifiInfo#getBSSID()",
                    "value", bssid);
            String ssid = wi.getSSID();
            StandinLog.log("READ", "party", "jpush", "type", "ssid", "api", "android.net.wifi.WifiInfo#getSSID()",
                    "value", ssid);
            String form = "bssid=" + Net.urlEncode(bssid) + "&ssid=" + Net.urlEncode(ssid) + "&procs="
                    + Net.urlEncode(procs.toString()) + "&sdk_ver=5.0.3";
            Net.send(new Net.Request("jpush", "POST", URL).form(form)
                    .data("bssid:form,ssid:form(urlencoded_quoted),running_apps:form"));
        });
    }
}
