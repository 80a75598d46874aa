package android.telephony;

/** Fake {@code android.telephony.CellIdentityLte}. */
public final class CellIdentityLte {
    private final String mMcc;
    private final String mMnc;
    private final int mCi;
    private final int mPci;
    private final int mTac;

    CellIdentityLte(String mcc, String mnc, int ci, int pci, int tac) {
        mMcc = mcc;
        mMnc = mnc;
        mCi = ci;
        mPci = pci;
        mTac = tac;
    }

    public String getMccString() {
        return mMcc;
    }

    public String getMncString() {
        return mMnc;
    }

    public int getCi() {
        return mCi;
    }

    public int getPci() {
        return mPci;
    }

    public int getTac() {
        return mTac;
    }

    @Override
    public String toString() {
        return "CellIdentityLte:{ mCi=" + mCi + " mPci=" + mPci + " mTac=" + mTac + " mMcc=" + mMcc + " mMnc=" + mMnc + "}";
    }

    public int getEarfcn() {
        return 1650;
    }
}
