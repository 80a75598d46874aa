package com.amap.api.location;

/** Fake AMap {@code AMapLocationListener}. */
public interface AMapLocationListener {
    void onLocationChanged(AMapLocation location);
}
