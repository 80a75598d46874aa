package com.igexin.sdk;

import android.content.Context;
import android.content.Intent;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;

/**
 * Fake Getui {@code PushManager}: {@code initialize} asks the system to start {@link PushService},
 * which the manifest puts in its own process ({@code :push}): the system (the stand-in's zygote)
 * starts that process, the app never forks it.
 */
public final class PushManager {
    private static final PushManager INSTANCE = new PushManager();
    private volatile Boolean mPrivacyAgreed;

    private PushManager() {}

    public static PushManager getInstance() {
        return INSTANCE;
    }

    public void initialize(Context context) {
        if (!Fake.flag("standin.sdk_side_effects", true)) {
            return;
        }
        StandinLog.log("INFO", "where", "PushManager.initialize", "msg", "starting the push service");
        context.startService(new Intent(context, PushService.class));
    }

    /** Getui's consent call: the app tells the SDK whether the user agreed. */
    public void setPrivacyPolicyStrategy(Context context, boolean agreed) {
        mPrivacyAgreed = agreed;
    }
}
