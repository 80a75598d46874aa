package com.amap.api.maps;

import android.content.Context;

/** Fake AMap (高德) {@code MapsInitializer}: the privacy-compliance calls of the map SDK. */
public final class MapsInitializer {
    private static volatile boolean sPrivacyShown;
    private static volatile boolean sPrivacyAgreed;

    private MapsInitializer() {}

    public static void updatePrivacyShow(Context context, boolean isContains, boolean isShow) {
        sPrivacyShown = isContains && isShow;
    }

    public static void updatePrivacyAgree(Context context, boolean isAgree) {
        sPrivacyAgreed = isAgree;
    }
}
