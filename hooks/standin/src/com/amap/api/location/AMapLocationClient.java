package com.amap.api.location;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.location.Location;
import android.location.LocationManager;
import android.os.Bundle;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.util.concurrent.ExecutorService;

/**
 * Fake AMap {@code AMapLocationClient}. Once started it listens to the activity lifecycle and, when
 * the app goes to the background (an activity stops), reads the location and sends it to
 * restsdk.amap.com as {@code location=<lon>,<lat>} in the query string (background collection).
 */
public class AMapLocationClient {
    public static final String URL = "https://restsdk.amap.com/v3/geocode/regeo";
    public static final String KEY = "3b8f7e2a9c1d4e6f8a0b2c4d6e8f0a1b";
    private static final ExecutorService WORKER = Work.newWorker("AMapLocationThread");
    private static volatile boolean sPrivacyShown;
    private static volatile boolean sPrivacyAgreed;

    private final Context mContext;
    private AMapLocationListener mListener;
    private Application.ActivityLifecycleCallbacks mCallbacks;

    public static void updatePrivacyShow(Context context, boolean isContains, boolean isShow) {
        sPrivacyShown = isContains && isShow;
    }

    public static void updatePrivacyAgree(Context context, boolean isAgree) {
        sPrivacyAgreed = isAgree;
    }

    /** Throws, like AMap 5.6+, when the privacy calls were not made first. */
    public AMapLocationClient(Context context) throws Exception {
        if (!sPrivacyShown || !sPrivacyAgreed) {
            throw new Exception("AMapLocationClient: privacy compliance check failed (updatePrivacyShow/Agree)");
        }
        mContext = context.getApplicationContext();
    }

    /** The SDK's cached last fix (no framework call). */
    public AMapLocation getLastKnownLocation() {
        return new AMapLocation("lbs", com.android.internal.standin.Fake.doubleValue("latitude"),
                com.android.internal.standin.Fake.doubleValue("longitude"));
    }

    public void setLocationListener(AMapLocationListener listener) {
        mListener = listener;
    }

    public void startLocation() {
        if (mCallbacks != null || !(mContext instanceof Application app)) {
            return;
        }
        mCallbacks = new Application.ActivityLifecycleCallbacks() {
            @Override
            public void onActivityCreated(Activity activity, Bundle savedInstanceState) {}

            @Override
            public void onActivityResumed(Activity activity) {}

            @Override
            public void onActivityPaused(Activity activity) {}

            @Override
            public void onActivityStopped(Activity activity) {
                Work.submit(WORKER, AMapLocationClient.this::locateAndReport);
            }
        };
        app.registerActivityLifecycleCallbacks(mCallbacks);
    }

    public void stopLocation() {
        if (mCallbacks != null && mContext instanceof Application app) {
            app.unregisterActivityLifecycleCallbacks(mCallbacks);
        }
        mCallbacks = null;
    }

    private void locateAndReport() {
        LocationManager lm = (LocationManager) mContext.getSystemService(Context.LOCATION_SERVICE);
        Location l = lm.getLastKnownLocation(LocationManager.NETWORK_PROVIDER);
        double lat = l.getLatitude();
        double lon = l.getLongitude();
        StandinLog.log("READ", "party", "amap", "type", "location",
                "api", "android.location.LocationManager#getLastKnownLocation(java.lang.String)",
                "value", lat + "," + lon);
        String url = URL + "?key=" + KEY + "&location=" + lon + "," + lat + "&extensions=base&output=json";
        Net.send(new Net.Request("amap", "GET", url).data("location:query(lon,lat)"));
        AMapLocationListener listener = mListener;
        if (listener != null) {
            listener.onLocationChanged(new AMapLocation(LocationManager.NETWORK_PROVIDER, lat, lon));
        }
    }
}
