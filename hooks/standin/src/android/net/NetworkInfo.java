package android.net;

/** Fake {@code android.net.NetworkInfo}. */
public class NetworkInfo {
    private final int mType;
    private final int mSubtype;
    private final String mTypeName;
    private final String mSubtypeName;

    public NetworkInfo(int type, int subtype, String typeName, String subtypeName) {
        mType = type;
        mSubtype = subtype;
        mTypeName = typeName;
        mSubtypeName = subtypeName;
    }

    public int getType() {
        return mType;
    }

    public String getTypeName() {
        return mTypeName;
    }

    public int getSubtype() {
        return mSubtype;
    }

    public String getSubtypeName() {
        return mSubtypeName;
    }

    public String getExtraInfo() {
        return null;
    }

    public boolean isConnected() {
        return true;
    }

    public boolean isAvailable() {
        return true;
    }

    @Override
    public String toString() {
        return "[type: " + mTypeName + "[" + mSubtypeName + "], state: CONNECTED/CONNECTED]";
    }
}
