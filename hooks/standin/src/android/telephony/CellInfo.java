package android.telephony;

/** Fake {@code android.telephony.CellInfo}. */
public abstract class CellInfo {
    CellInfo() {}

    public boolean isRegistered() {
        return true;
    }
}
