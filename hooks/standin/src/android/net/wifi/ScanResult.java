package android.net.wifi;

/** Fake {@code android.net.wifi.ScanResult}: public fields as in the real class. */
public class ScanResult {
    public String SSID;
    public String BSSID;
    public String capabilities;
    public int level;
    public int frequency;
    public long timestamp;

    public ScanResult() {}

    @Override
    public String toString() {
        return "SSID: " + SSID + ", BSSID: " + BSSID + ", capabilities: " + capabilities + ", level: " + level
                + ", frequency: " + frequency;
    }
}
