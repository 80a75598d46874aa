package com.example.demoapp;

import android.app.Application;
import android.content.Context;
import android.os.Process;
import com.android.internal.standin.Fake;
import com.android.internal.standin.Net;
import com.android.internal.standin.okhttp.OkHttpTransport;
import com.igexin.sdk.PushManager;
import com.android.internal.standin.StandinLog;
import com.alipay.apmobilesecuritysdk.rpc.DirectChannel;
import com.bytedance.applog.AppLog;
import com.sensorsdata.analytics.android.sdk.SensorsDataAPI;
import com.tencent.bugly.crashreport.CrashReport;
import com.tendcloud.tenddata.TCAgent;
import com.umeng.commonsdk.UMConfigure;
import com.umeng.commonsdk.statistics.UMEnvelopeSender;

/**
 * The demo app's Application. In the demo and refuse scenarios it initialises its SDKs before the
 * privacy dialog, as many real apps did: Umeng collects and uploads at once, Bugly reads android_id,
 * TalkingData uploads the installed-app list, and the app itself reads the clipboard.
 */
public class DemoApplication extends Application {
    public static final String UMENG_APPKEY = "5f8a1b2c3d4e5f6a7b8c9d0e";
    public static final String BUGLY_APPID = "b7c1d2e3f4";
    public static final String TALKINGDATA_APPID = "A1B2C3D4E5F60718293A4B5C6D7E8F90";
    public static final String APPLOG_AID = "1128";
    /** Sensors Analytics, self-hosted on the app's own domain. */
    public static final String SENSORS_SERVER = "https://api.demoapp.example/sa?project=production";

    static {
        // The APK's HTTP client: every SDK upload goes through real OkHttp 3 in the APK's class loader.
        Net.setTransport(new OkHttpTransport());
    }

    public DemoApplication() {}

    /** True in the app's main process; Application.onCreate runs in every process of the package. */
    boolean isMainProcess() {
        return getPackageName().equals(Process.myProcessName());
    }

    static String scenario() {
        return Fake.prop("standin.scenario", "demo");
    }

    @Override
    protected void attachBaseContext(Context base) {
        super.attachBaseContext(base);
        StandinLog.log("LIFECYCLE", "event", "Application.attachBaseContext", "foreground", false);
        if (!scenario().equals("pinned") && !scenario().equals("retest")) {
            // An SDK class loaded this early (e.g. by a hardening/multidex shim): its static
            // initializer reads android_id before Application.onCreate.
            try {
                Class.forName("com.umeng.commonsdk.statistics.idtracking.DeviceIdCache", true, getClassLoader());
            } catch (ClassNotFoundException e) {
                StandinLog.log("ERROR", "where", "attachBaseContext", "error", e.toString());
            }
        }
    }

    @Override
    public void onCreate() {
        super.onCreate();
        StandinLog.log("LIFECYCLE", "event", "Application.onCreate", "foreground", false);
        if (!isMainProcess()) {
            return; // the usual guard: the SDKs of other processes (:push) start themselves
        }
        if (scenario().equals("pinned")) {
            UMConfigure.preInit(this, UMENG_APPKEY, "demo"); // the compliant pre-consent call only
            return;
        }
        UMConfigure.preInit(this, UMENG_APPKEY, "demo");
        if (scenario().equals("retest")) {
            // the build after rectification: Umeng waits for consent (MainActivity), TalkingData is
            // gone, the invite-code check moved to onStop; Bugly and Getui are unchanged
            CrashReport.initCrashReport(this, BUGLY_APPID, false);
            PushManager.getInstance().initialize(this);
            return;
        }
        UMConfigure.init(this, UMENG_APPKEY, "demo", UMConfigure.DEVICE_TYPE_PHONE, null); // before consent
        CrashReport.initCrashReport(this, BUGLY_APPID, false);
        TCAgent.init(this, TALKINGDATA_APPID, "demo");
        InviteCodeChecker.check(this);
        // encrypted uploads (issue 13): Umeng's sealed envelopes, ByteDance's AES/GCM applog batches,
        // Sensors Analytics posting to the app's own domain, Alipay's pinned channel around the proxy
        UMEnvelopeSender.send(this, UMENG_APPKEY, "launch");
        UMEnvelopeSender.send(this, UMENG_APPKEY, "page_view");
        AppLog.init(this, APPLOG_AID);
        AppLog.onEventV3("app_launch_detail");
        SensorsDataAPI.startWithConfigOptions(this, SENSORS_SERVER).track("$AppStart");
        DirectChannel.report(this);
        PushManager.getInstance().initialize(this); // Getui: the system starts its :push process
    }
}
