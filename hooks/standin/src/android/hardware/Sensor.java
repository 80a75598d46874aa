package android.hardware;

/** Fake {@code android.hardware.Sensor}. */
public final class Sensor {
    public static final int TYPE_ACCELEROMETER = 1;
    public static final int TYPE_MAGNETIC_FIELD = 2;
    public static final int TYPE_GYROSCOPE = 4;
    public static final int TYPE_LIGHT = 5;
    public static final int TYPE_PROXIMITY = 8;
    public static final int TYPE_ALL = -1;

    private final String mName;
    private final String mVendor;
    private final int mType;

    Sensor(String name, String vendor, int type) {
        mName = name;
        mVendor = vendor;
        mType = type;
    }

    public String getName() {
        return mName;
    }

    public String getVendor() {
        return mVendor;
    }

    public int getType() {
        return mType;
    }

    public int getVersion() {
        return 1;
    }

    public float getMaximumRange() {
        return 78.4532f;
    }

    public float getResolution() {
        return 0.0023928226f;
    }

    @Override
    public String toString() {
        return "{Sensor name=\"" + mName + "\", vendor=\"" + mVendor + "\", type=" + mType + "}";
    }
}
