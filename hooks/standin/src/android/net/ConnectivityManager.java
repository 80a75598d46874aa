package android.net;

import android.content.Context;
import com.android.internal.standin.Fake;

/** Fake {@code android.net.ConnectivityManager}: the device is on Wi-Fi. */
public class ConnectivityManager {
    public static final int TYPE_MOBILE = 0;
    public static final int TYPE_WIFI = 1;

    public ConnectivityManager(Context context) {}

    public NetworkInfo getActiveNetworkInfo() {
        return Fake.ret("android.net.ConnectivityManager#getActiveNetworkInfo()", new NetworkInfo(TYPE_WIFI, 0, "WIFI", ""));
    }

    public NetworkInfo[] getAllNetworkInfo() {
        return new NetworkInfo[] {new NetworkInfo(TYPE_WIFI, 0, "WIFI", ""),
                new NetworkInfo(TYPE_MOBILE, 13, "MOBILE", Fake.value("network_type"))};
    }
}
