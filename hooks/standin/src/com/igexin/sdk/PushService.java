package com.igexin.sdk;

import android.app.Service;
import android.content.Intent;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import com.igexin.push.core.DeviceProbe;
import java.util.concurrent.ExecutorService;

/**
 * Fake Getui {@code PushService}, declared with {@code android:process=":push"}: in its own process
 * it reads the IMEI, the MAC (WifiInfo and the sysfs file), the serial (exec of getprop) and the
 * installed apps, uploads them, then sends {@code standin.push.heartbeats} heartbeats (android_id)
 * every {@code standin.push.heartbeat_ms} — the long-lived push connection of real push SDKs.
 */
public class PushService extends Service {
    public static final String HOST = "sdk.open.phone.igexin.com";
    private ExecutorService mWorker;

    public PushService() {}

    @Override
    public int onStartCommand(Intent intent, int flags, int startId) {
        mWorker = Work.newWorker("getui-push");
        Work.submit(mWorker, this::run);
        return START_STICKY;
    }

    private void run() {
        DeviceProbe probe = new DeviceProbe(getApplicationContext());
        String imei = probe.imei();
        String mac = probe.wifiMac();
        String sysMac = probe.readFile("/sys/class/net/wlan0/address");
        String serial = probe.execGetprop("ro.serialno");
        String apps = String.join(",", probe.installedPackages());
        String json = "{\"appid\":\"demoGetuiAppId\",\"imei\":" + Net.js(imei) + ",\"mac\":" + Net.js(mac)
                + ",\"sysmac\":" + Net.js(sysMac) + ",\"serial\":" + Net.js(serial) + ",\"apps\":" + Net.js(apps) + "}";
        Net.send(new Net.Request("getui", "POST", "https://" + HOST + "/api/addr.htm").json(json)
                .data("imei:plain,mac:plain,serial:plain,installed_apps:plain"));
        long every = Fake.longProp("standin.push.heartbeat_ms", 300);
        long count = Fake.longProp("standin.push.heartbeats", 2);
        for (long seq = 1; seq <= count; seq++) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            String androidId = probe.androidId();
            Net.send(new Net.Request("getui", "POST", "https://" + HOST + "/api/heartbeat")
                    .json("{\"cid\":\"c9f0e1d2\",\"android_id\":" + Net.js(androidId) + ",\"seq\":" + seq + "}")
                    .data("android_id:plain"));
            StandinLog.log("HEARTBEAT", "seq", seq);
        }
    }

    @Override
    public void onDestroy() {
        if (mWorker != null) {
            mWorker.shutdown();
        }
    }
}
