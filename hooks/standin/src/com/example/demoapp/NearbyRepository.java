package com.example.demoapp;

import android.content.Context;
import android.location.Location;
import android.location.LocationManager;
import com.android.internal.standin.Net;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.util.concurrent.ExecutorService;

/** First-party feature: after consent and the permission, sends the location to the app's own API. */
final class NearbyRepository {
    static final String URL = "https://api.demoapp.example/v1/nearby";
    private static final ExecutorService IO = Work.newWorker("demoapp-io");

    private NearbyRepository() {}

    static void refresh(Context ctx) {
        LocationManager lm = (LocationManager) ctx.getSystemService(Context.LOCATION_SERVICE);
        Location l = lm.getLastKnownLocation(LocationManager.GPS_PROVIDER);
        double lat = l.getLatitude();
        double lon = l.getLongitude();
        StandinLog.log("READ", "party", "app", "type", "location",
                "api", "android.location.LocationManager#getLastKnownLocation(java.lang.String)",
                "value", lat + "," + lon);
        String json = "{\"lat\":" + lat + ",\"lon\":" + lon + ",\"radius_m\":1000}";
        Work.submit(IO, () -> Net.send(new Net.Request("app", "POST", URL).json(json).data("location:json(lat,lon)")));
    }
}
