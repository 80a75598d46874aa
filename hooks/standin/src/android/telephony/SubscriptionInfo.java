package android.telephony;

import com.android.internal.standin.Fake;

/** Fake {@code android.telephony.SubscriptionInfo}. */
public class SubscriptionInfo {
    private final int mId;
    private final int mSimSlotIndex;
    private final String mIccId;
    private final String mNumber;
    private final CharSequence mCarrierName;

    SubscriptionInfo(int id, String iccId, int simSlotIndex, CharSequence carrierName, String number) {
        mId = id;
        mIccId = iccId;
        mSimSlotIndex = simSlotIndex;
        mCarrierName = carrierName;
        mNumber = number;
    }

    public String getIccId() {
        return Fake.ret("android.telephony.SubscriptionInfo#getIccId()", mIccId);
    }

    @Deprecated
    public String getNumber() {
        return Fake.ret("android.telephony.SubscriptionInfo#getNumber()", mNumber);
    }

    public int getSubscriptionId() {
        return mId;
    }

    public int getSimSlotIndex() {
        return mSimSlotIndex;
    }

    public CharSequence getCarrierName() {
        return mCarrierName;
    }

    public CharSequence getDisplayName() {
        return mCarrierName;
    }

    public String getMccString() {
        return Fake.value("sim_operator").substring(0, 3);
    }

    public String getMncString() {
        return Fake.value("sim_operator").substring(3);
    }

    public String getCountryIso() {
        return "cn";
    }

    @Override
    public String toString() {
        return "{id=" + mId + " simSlotIndex=" + mSimSlotIndex + " carrierName=" + mCarrierName + "}";
    }

    public int getMcc() {
        return 460;
    }

    public int getMnc() {
        return 1;
    }
}
