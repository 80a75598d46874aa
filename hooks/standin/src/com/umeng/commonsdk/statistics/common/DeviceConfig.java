package com.umeng.commonsdk.statistics.common;

import android.content.Context;
import android.net.wifi.WifiManager;
import android.telephony.TelephonyManager;
import com.android.internal.standin.StandinLog;
import com.bun.miitmdid.core.MdidSdkHelper;
import java.net.NetworkInterface;

/** Umeng's device-info collector (the real SDK has a class of this name). */
public final class DeviceConfig {
    private DeviceConfig() {}

    private static String read(String type, String api, String value) {
        StandinLog.log("READ", "party", "umeng", "type", type, "api", api, "value", value);
        return value;
    }

    public static String getImei(Context ctx) {
        TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
        return read("imei", "android.telephony.TelephonyManager#getDeviceId()", tm.getDeviceId());
    }

    public static String getImsi(Context ctx) {
        TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
        return read("imsi", "android.telephony.TelephonyManager#getSubscriberId()", tm.getSubscriberId());
    }

    /** WifiInfo's MAC, or wlan0's hardware address when Android hands out the dummy 02:00:00:00:00:00. */
    public static String getMac(Context ctx) {
        WifiManager wm = (WifiManager) ctx.getSystemService(Context.WIFI_SERVICE);
        String mac = read("mac", "android.net.wifi.WifiInfo#getMacAddress()", wm.getConnectionInfo().getMacAddress());
        if (mac == null || mac.equals("02:00:00:00:00:00")) {
            try {
                NetworkInterface ni = NetworkInterface.getByName("wlan0");
                if (ni == null) {
                    ni = NetworkInterface.getByName("eth0");
                }
                byte[] hw = ni == null ? null : ni.getHardwareAddress();
                if (hw != null) {
                    StringBuilder sb = new StringBuilder();
                    for (byte b : hw) {
                        sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02x", b & 0xff));
                    }
                    mac = read("mac", "java.net.NetworkInterface#getHardwareAddress()", sb.toString());
                }
            } catch (Exception e) {
                StandinLog.log("ERROR", "where", "DeviceConfig.getMac", "error", e.toString());
            }
        }
        return mac;
    }

    public static String getOaid(Context ctx) {
        String[] out = new String[1];
        MdidSdkHelper.InitSdk(ctx, false, supplier -> out[0] = supplier.getOAID());
        return read("oaid", "com.bun.miitmdid.supplier.DefaultIdSupplier#getOAID()", out[0]);
    }
}
