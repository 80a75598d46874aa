package android.app.admin;

import android.content.ComponentName;
import com.android.internal.standin.Fake;

/** Fake {@code android.app.admin.DevicePolicyManager}: the Wi-Fi MAC for device owners. */
public class DevicePolicyManager {
    public DevicePolicyManager() {}

    public String getWifiMacAddress(ComponentName admin) {
        return Fake.value("mac");
    }
}
