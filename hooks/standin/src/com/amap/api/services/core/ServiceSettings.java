package com.amap.api.services.core;

import android.content.Context;

/** Fake AMap search SDK {@code ServiceSettings}: its own privacy-compliance calls. */
public class ServiceSettings {
    private static volatile boolean sPrivacyAgreed;

    private ServiceSettings() {}

    public static void updatePrivacyShow(Context context, boolean isContains, boolean isShow) {}

    public static void updatePrivacyAgree(Context context, boolean isAgree) {
        sPrivacyAgreed = isAgree;
    }
}
