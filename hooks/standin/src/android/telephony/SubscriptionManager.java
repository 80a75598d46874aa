package android.telephony;

import android.content.Context;
import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.telephony.SubscriptionManager}: one active SIM in slot 0. */
public class SubscriptionManager {
    private final Context mContext;

    /** @hide */
    public SubscriptionManager(Context context) {
        mContext = context;
    }

    @Deprecated
    public static SubscriptionManager from(Context context) {
        return (SubscriptionManager) context.getSystemService(Context.TELEPHONY_SUBSCRIPTION_SERVICE);
    }

    public List<SubscriptionInfo> getActiveSubscriptionInfoList() {
        List<SubscriptionInfo> out = new ArrayList<>();
        out.add(new SubscriptionInfo(1, Fake.value("iccid"), 0, Fake.value("sim_operator_name"), Fake.value("phone")));
        return Fake.ret("android.telephony.SubscriptionManager#getActiveSubscriptionInfoList()", out);
    }

    private static SubscriptionInfo sim() {
        return new SubscriptionInfo(1, Fake.value("iccid"), 0, Fake.value("sim_operator_name"), Fake.value("phone"));
    }

    public SubscriptionInfo getActiveSubscriptionInfo(int subId) {
        return Fake.ret("android.telephony.SubscriptionManager#getActiveSubscriptionInfo(int)", subId == 1 ? sim() : null);
    }

    public SubscriptionInfo getActiveSubscriptionInfoForSimSlotIndex(int slotIndex) {
        return Fake.ret("android.telephony.SubscriptionManager#getActiveSubscriptionInfoForSimSlotIndex(int)",
                slotIndex == 0 ? sim() : null);
    }

    public List<SubscriptionInfo> getAccessibleSubscriptionInfoList() {
        List<SubscriptionInfo> out = new ArrayList<>();
        out.add(sim());
        return Fake.ret("android.telephony.SubscriptionManager#getAccessibleSubscriptionInfoList()", out);
    }

    public String getPhoneNumber(int subscriptionId) {
        return Fake.ret("android.telephony.SubscriptionManager#getPhoneNumber(int)",
                subscriptionId == 1 ? Fake.value("phone") : "");
    }

    public int getActiveSubscriptionInfoCount() {
        return 1;
    }
}
