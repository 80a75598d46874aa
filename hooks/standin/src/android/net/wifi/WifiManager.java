package android.net.wifi;

import android.content.Context;
import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.net.wifi.WifiManager}. */
public class WifiManager {
    private final Context mContext;

    /** @hide */
    public WifiManager(Context context) {
        mContext = context;
    }

    public WifiInfo getConnectionInfo() {
        return Fake.ret("android.net.wifi.WifiManager#getConnectionInfo()", new WifiInfo());
    }

    public List<ScanResult> getScanResults() {
        List<ScanResult> out = new ArrayList<>();
        String ssid = Fake.value("ssid");
        out.add(scan(ssid.replace("\"", ""), Fake.value("bssid"), -52, 5180));
        out.add(scan("ChinaNet-8F2A", "a4:1a:3a:77:8f:2a", -71, 2437));
        return Fake.ret("android.net.wifi.WifiManager#getScanResults()", out);
    }

    private static ScanResult scan(String ssid, String bssid, int level, int freq) {
        ScanResult r = new ScanResult();
        r.SSID = ssid;
        r.BSSID = bssid;
        r.capabilities = "[WPA2-PSK-CCMP][ESS]";
        r.level = level;
        r.frequency = freq;
        r.timestamp = 123456789L;
        return r;
    }

    public android.net.DhcpInfo getDhcpInfo() {
        android.net.DhcpInfo d = new android.net.DhcpInfo();
        d.ipAddress = new WifiInfo().ipAsInt();
        d.gateway = (d.ipAddress & 0x00ffffff) | (1 << 24);
        d.netmask = 0x00ffffff;
        d.dns1 = d.gateway;
        d.serverAddress = d.gateway;
        d.leaseDuration = 7200;
        return Fake.ret("android.net.wifi.WifiManager#getDhcpInfo()", d);
    }

    @Deprecated
    public List<WifiConfiguration> getConfiguredNetworks() {
        List<WifiConfiguration> out = new ArrayList<>();
        WifiConfiguration c = new WifiConfiguration();
        c.networkId = 3;
        c.SSID = Fake.value("ssid");
        c.BSSID = Fake.value("bssid");
        out.add(c);
        return Fake.ret("android.net.wifi.WifiManager#getConfiguredNetworks()", out);
    }

    /** @hide The factory (non-randomised) MAC addresses. */
    public String[] getFactoryMacAddresses() {
        return Fake.ret("android.net.wifi.WifiManager#getFactoryMacAddresses()", new String[] {Fake.value("mac")});
    }

    public boolean isWifiEnabled() {
        return true;
    }

    public int getWifiState() {
        return 3; // WIFI_STATE_ENABLED
    }
}
