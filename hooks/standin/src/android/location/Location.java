package android.location;

/** Fake {@code android.location.Location}. */
public class Location {
    private String mProvider;
    private long mTime;
    private double mLatitude;
    private double mLongitude;
    private float mAccuracy;
    private double mAltitude;

    public Location(String provider) {
        mProvider = provider;
    }

    public Location(Location l) {
        mProvider = l.mProvider;
        mTime = l.mTime;
        mLatitude = l.mLatitude;
        mLongitude = l.mLongitude;
        mAccuracy = l.mAccuracy;
        mAltitude = l.mAltitude;
    }

    public String getProvider() {
        return mProvider;
    }

    public long getTime() {
        return mTime;
    }

    public void setTime(long time) {
        mTime = time;
    }

    public double getLatitude() {
        return com.android.internal.standin.Fake.ret("android.location.Location#getLatitude()", mLatitude);
    }

    public void setLatitude(double latitude) {
        mLatitude = latitude;
    }

    public double getLongitude() {
        return com.android.internal.standin.Fake.ret("android.location.Location#getLongitude()", mLongitude);
    }

    public void setLongitude(double longitude) {
        mLongitude = longitude;
    }

    public float getAccuracy() {
        return com.android.internal.standin.Fake.ret("android.location.Location#getAccuracy()", mAccuracy);
    }

    public void setAccuracy(float horizontalAccuracyMeters) {
        mAccuracy = horizontalAccuracyMeters;
    }

    public double getAltitude() {
        return mAltitude;
    }

    public void setAltitude(double altitudeMeters) {
        mAltitude = altitudeMeters;
    }

    @Override
    public String toString() {
        return "Location[" + mProvider + " " + mLatitude + "," + mLongitude + " hAcc=" + mAccuracy + "]";
    }

    public float getBearing() {
        return 0f;
    }

    public float getSpeed() {
        return 0f;
    }

    public long getElapsedRealtimeNanos() {
        return System.nanoTime();
    }

    public float getBearingAccuracyDegrees() {
        return 0f;
    }

    public float getSpeedAccuracyMetersPerSecond() {
        return 0f;
    }

    public float getVerticalAccuracyMeters() {
        return 3f;
    }
}
