package android.net.wifi;

/** Fake {@code android.net.wifi.WifiConfiguration}: public fields as in the real class. */
@Deprecated
public class WifiConfiguration {
    public int networkId = -1;
    public String SSID;
    public String BSSID;

    public WifiConfiguration() {}

    @Override
    public String toString() {
        return "ID: " + networkId + " SSID: " + SSID + " BSSID: " + BSSID;
    }
}
