package android.telephony;

/** Fake {@code android.telephony.CellInfoLte}. */
public final class CellInfoLte extends CellInfo {
    private final CellIdentityLte mCellIdentity;

    CellInfoLte(CellIdentityLte identity) {
        mCellIdentity = identity;
    }

    public CellIdentityLte getCellIdentity() {
        return mCellIdentity;
    }

    @Override
    public String toString() {
        return "CellInfoLte:{mRegistered=YES " + mCellIdentity + "}";
    }
}
