package com.qq.e.comm.managers;

import android.content.Context;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import dalvik.system.DexClassLoader;
import java.io.File;

/**
 * Fake Tencent GDT (优量汇) {@code GDTAdSdk}: the small part in the APK. The SDK's real code is a
 * plugin jar ({@code -Dstandin.plugin}) it loads later with its own {@link DexClassLoader}, as GDT
 * does with its downloaded core: the consent call and the collection run in plugin classes.
 */
public final class GDTAdSdk {
    private static volatile ClassLoader sPlugin;

    private GDTAdSdk() {}

    private static synchronized ClassLoader plugin(Context context) throws ClassNotFoundException {
        if (sPlugin == null) {
            String jar = Fake.prop("standin.plugin", null);
            if (jar == null || !new File(jar).isFile()) {
                throw new ClassNotFoundException("no GDT plugin jar (-Dstandin.plugin)");
            }
            StandinLog.log("PLUGIN", "event", "load", "jar", jar);
            sPlugin = new DexClassLoader(jar, null, null, context.getClassLoader());
        }
        return sPlugin;
    }

    /** Load the plugin, pass it the user's privacy decision, and start it. */
    public static void initWithPlugin(Context context, String appId, boolean agreed) {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        try {
            ClassLoader loader = plugin(context);
            loader.loadClass("com.qq.e.comm.managers.setting.GlobalSetting")
                    .getMethod("setAgreePrivacyStrategy", boolean.class).invoke(null, agreed);
            loader.loadClass("com.qq.e.comm.plugin.PluginEntry").getMethod("start", Context.class, String.class)
                    .invoke(null, context.getApplicationContext(), appId);
        } catch (ReflectiveOperationException e) {
            StandinLog.log("ERROR", "where", "GDTAdSdk.initWithPlugin", "error", e.toString());
        }
    }
}
