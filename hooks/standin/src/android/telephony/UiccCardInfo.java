package android.telephony;

import com.android.internal.standin.Fake;

/** Fake {@code android.telephony.UiccCardInfo}. */
public final class UiccCardInfo {
    public UiccCardInfo() {}

    public String getIccId() {
        return Fake.value("iccid");
    }

    public String getEid() {
        return null;
    }
}
