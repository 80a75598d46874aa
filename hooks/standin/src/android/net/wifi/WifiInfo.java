package android.net.wifi;

import com.android.internal.standin.Fake;

/** Fake {@code android.net.wifi.WifiInfo}. */
public class WifiInfo {
    WifiInfo() {}

    public String getMacAddress() {
        return Fake.ret("android.net.wifi.WifiInfo#getMacAddress()", Fake.value("mac"));
    }

    public String getBSSID() {
        return Fake.ret("android.net.wifi.WifiInfo#getBSSID()", Fake.value("bssid"));
    }

    public String getSSID() {
        return Fake.ret("android.net.wifi.WifiInfo#getSSID()", Fake.value("ssid"));
    }

    /** The IPv4 address as an int in network order read little-endian, as Android returns it. */
    public int getIpAddress() {
        return Fake.ret("android.net.wifi.WifiInfo#getIpAddress()", ipAsInt());
    }

    int ipAsInt() {
        String[] p = Fake.value("ip").split("\\.");
        int ip = 0;
        for (int i = 3; i >= 0; i--) {
            ip = (ip << 8) | (Integer.parseInt(p[i]) & 0xff);
        }
        return ip;
    }

    public int getRssi() {
        return -52;
    }

    public int getLinkSpeed() {
        return 866;
    }

    public int getNetworkId() {
        return 3;
    }

    @Override
    public String toString() {
        return "SSID: " + Fake.value("ssid") + ", BSSID: " + Fake.value("bssid") + ", MAC: " + Fake.value("mac")
                + ", IP: /" + Fake.value("ip");
    }
}
