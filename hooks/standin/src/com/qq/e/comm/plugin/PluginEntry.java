package com.qq.e.comm.plugin;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import com.qq.e.comm.managers.setting.GlobalSetting;
import java.util.concurrent.ExecutorService;

/** Fake GDT plugin core (loaded late, from a separate jar): reads device ids and reports them. */
public final class PluginEntry {
    public static final String URL = "https://mi.gdt.qq.com/api/v3/union/sdk/init";
    private static final ExecutorService WORKER = Work.newWorker("GDT-plugin");

    private PluginEntry() {}

    public static void start(Context context, String appId) {
        Work.submit(WORKER, () -> {
            String imei = ((TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE)).getImei();
            String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
            StandinLog.log("READ", "party", "gdt", "type", "imei", "api", "android.telephony.TelephonyManager#getImei()", "value", imei);
            String json = "{\"appid\":" + Net.js(appId) + ",\"muid\":" + Net.js(Net.md5Hex(imei)) + ",\"aid\":" + Net.js(androidId)
                    + ",\"privacy\":" + GlobalSetting.isAgreePrivacyStrategy() + "}";
            Net.send(new Net.Request("gdt", "POST", URL).json(json).data("imei:md5,android_id:plain"));
        });
    }
}
