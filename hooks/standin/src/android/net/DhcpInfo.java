package android.net;

/** Fake {@code android.net.DhcpInfo}: public int fields, addresses in little-endian int form. */
public class DhcpInfo {
    public int ipAddress;
    public int gateway;
    public int netmask;
    public int dns1;
    public int dns2;
    public int serverAddress;
    public int leaseDuration;

    public DhcpInfo() {}

    private static String ip(int a) {
        return (a & 0xff) + "." + ((a >> 8) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >>> 24) & 0xff);
    }

    @Override
    public String toString() {
        return "ipaddr " + ip(ipAddress) + " gateway " + ip(gateway) + " netmask " + ip(netmask) + " dns1 " + ip(dns1)
                + " dns2 " + ip(dns2) + " DHCP server " + ip(serverAddress) + " lease " + leaseDuration + " seconds";
    }
}
