package cn.jiguang.api.utils;

import android.content.Context;

/** Fake JIGUANG (JPush) {@code JCollectionAuth}: the app's consent switch for JPush's collection. */
public class JCollectionAuth {
    private static volatile Boolean sAuth;

    private JCollectionAuth() {}

    public static void setAuth(Context context, boolean auth) {
        sAuth = auth;
    }

    public static boolean getAuth(Context context) {
        return Boolean.TRUE.equals(sAuth);
    }
}
