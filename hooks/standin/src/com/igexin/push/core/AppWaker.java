package com.igexin.push.core;

import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageManager;
import com.android.internal.standin.StandinLog;

/**
 * Getui's "family" wake-up (相互唤醒, the wake scenario): probes a list of apps known to embed the
 * same push SDK one package at a time (package visibility leaves getPackageInfo as the way to learn
 * the app list), then starts, binds and broadcasts to the push services of those installed.
 */
public final class AppWaker {
    private AppWaker() {}

    static final String[] FAMILY = {
        "com.tencent.mm", "com.eg.android.AlipayGphone", "com.ss.android.ugc.aweme", "com.taobao.taobao",
        "com.sina.weibo", "com.jingdong.app.mall", "com.xunmeng.pinduoduo", "com.sankuai.meituan",
    };

    public static void wakeFamily(Context context) {
        PackageManager pm = context.getPackageManager();
        int woken = 0;
        for (String pkg : FAMILY) {
            try {
                pm.getPackageInfo(pkg, 0);
            } catch (PackageManager.NameNotFoundException e) {
                continue;
            }
            Intent push = new Intent().setComponent(new ComponentName(pkg, "com.igexin.sdk.PushService"));
            if (woken == 0) {
                context.startService(push);
                context.sendBroadcast(new Intent("com.igexin.sdk.action.refreshls").setPackage(pkg));
            } else if (woken == 1) {
                context.bindService(push, null, Context.BIND_AUTO_CREATE);
            }
            woken++;
        }
        StandinLog.log("INFO", "where", "AppWaker", "msg", "family woken", "count", woken);
    }
}
