package com.amap.api.location;

import android.location.Location;

/**
 * Fake AMap {@code AMapLocation}. It extends Location, as the real one does, and overrides the
 * coordinate getters with its own fields (so reading it does not also call Location's getters).
 */
public class AMapLocation extends Location {
    private final double mLat;
    private final double mLon;

    AMapLocation(String provider, double lat, double lon) {
        super(provider);
        mLat = lat;
        mLon = lon;
    }

    @Override
    public double getLatitude() {
        return com.android.internal.standin.Fake.ret("com.amap.api.location.AMapLocation#getLatitude()", mLat);
    }

    @Override
    public double getLongitude() {
        return com.android.internal.standin.Fake.ret("com.amap.api.location.AMapLocation#getLongitude()", mLon);
    }

    public int getErrorCode() {
        return 0;
    }

    @Override
    public String toString() {
        return "AMapLocation[" + getProvider() + " " + mLat + "," + mLon + "]";
    }
}
