package com.umeng.analytics;

import android.content.Context;
import com.android.internal.standin.Fake;
import com.umeng.commonsdk.statistics.UMEnvelopeBuild;

/** Fake Umeng analytics entry points. Only {@code onEvent} sends (with device ids). */
public class MobclickAgent {
    private MobclickAgent() {}

    public static void onResume(Context context) {}

    public static void onPause(Context context) {}

    public static void onEvent(Context context, String eventId) {
        if (Fake.flag("standin.sdk_side_effects", true)) {
            UMEnvelopeBuild.reportEvent(context.getApplicationContext(), eventId);
        }
    }
}
