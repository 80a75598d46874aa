package android.location;

import android.content.Context;
import android.os.CancellationSignal;
import com.android.internal.standin.Fake;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Fake {@code android.location.LocationManager}. {@code requestLocationUpdates} delivers one fix to
 * the listener before returning (the real one delivers later on the looper).
 */
public class LocationManager {
    public static final String GPS_PROVIDER = "gps";
    public static final String NETWORK_PROVIDER = "network";
    public static final String FUSED_PROVIDER = "fused";
    public static final String PASSIVE_PROVIDER = "passive";

    private final Context mContext;

    /** @hide */
    public LocationManager(Context context) {
        mContext = context;
    }

    static Location fix(String provider) {
        Location l = new Location(provider);
        l.setLatitude(Fake.doubleValue("latitude"));
        l.setLongitude(Fake.doubleValue("longitude"));
        l.setAccuracy(Float.parseFloat(Fake.value("accuracy")) * (GPS_PROVIDER.equals(provider) ? 1f : 4f));
        l.setAltitude(8.0);
        l.setTime(System.currentTimeMillis());
        return l;
    }

    public Location getLastKnownLocation(String provider) {
        return Fake.ret("android.location.LocationManager#getLastKnownLocation(java.lang.String)", fix(provider));
    }

    public void requestLocationUpdates(String provider, long minTimeMs, float minDistanceM, LocationListener listener) {
        Fake.call("android.location.LocationManager#requestLocationUpdates(java.lang.String,long,float,"
                + "android.location.LocationListener)");
        listener.onLocationChanged(fix(provider));
    }

    @Deprecated
    public void requestSingleUpdate(String provider, LocationListener listener, android.os.Looper looper) {
        Fake.call("android.location.LocationManager#requestSingleUpdate(java.lang.String,"
                + "android.location.LocationListener,android.os.Looper)");
        listener.onLocationChanged(fix(provider));
    }

    public void getCurrentLocation(String provider, CancellationSignal cancellationSignal, Executor executor,
            Consumer<Location> consumer) {
        Fake.call("android.location.LocationManager#getCurrentLocation(java.lang.String,android.os.CancellationSignal,"
                + "java.util.concurrent.Executor,java.util.function.Consumer)");
        Location l = fix(provider);
        executor.execute(() -> consumer.accept(l));
    }

    public void removeUpdates(LocationListener listener) {}

    public boolean isProviderEnabled(String provider) {
        return GPS_PROVIDER.equals(provider) || NETWORK_PROVIDER.equals(provider);
    }

    public List<String> getProviders(boolean enabledOnly) {
        return List.of(PASSIVE_PROVIDER, GPS_PROVIDER, NETWORK_PROVIDER);
    }

    public java.util.List<String> getAllProviders() {
        return java.util.List.of(GPS_PROVIDER, NETWORK_PROVIDER, "passive");
    }

    public String getGnssHardwareModelName() {
        return "qcom,Snapdragon 695";
    }

    public int getGnssYearOfHardware() {
        return 2022;
    }
}
