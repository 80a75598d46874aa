package android.telephony;

/** Fake {@code android.telephony.CellLocation}. */
@Deprecated
public abstract class CellLocation {
    public CellLocation() {}

    public static void requestLocationUpdate() {}
}
