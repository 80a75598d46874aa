package com.example.demoapp;

import com.android.internal.standin.StandinLog;
import com.igexin.push.core.DeviceProbe;
import com.igexin.push.core.NativeProbe;

/**
 * The {@code around} scenario: every read around the Java getters once, through an SDK's code
 * (Getui's {@link DeviceProbe} and {@link NativeProbe}), one {@code API} log line each. Commands
 * run the stand-in's fake system tools; files that do not exist on this host (wlan0, Bluetooth)
 * are attempts, as on Android 10+ where many of these reads fail for normal apps.
 */
public final class AroundTour {
    private AroundTour() {}

    private static void api(String api, Object value) {
        StandinLog.log("API", "api", api, "value", value);
    }

    public static void run() {
        DeviceProbe probe = new DeviceProbe(null);
        api("exec getprop ro.serialno", probe.execGetprop("ro.serialno"));
        api("ProcessBuilder getprop gsm.sim.operator.numeric", probe.processBuilderGetprop("gsm.sim.operator.numeric"));
        api("exec cat /sys/class/net/wlan0/address", DeviceProbe.exec("cat", "/sys/class/net/wlan0/address"));
        api("exec ip link", DeviceProbe.exec("ip", "link"));
        api("exec pm list packages", DeviceProbe.exec(DeviceProbe.systemBin("pm"), "list", "packages"));
        api("exec settings get secure android_id", DeviceProbe.exec(DeviceProbe.systemBin("settings"), "get", "secure", "android_id"));
        api("file /sys/class/net/lo/address", probe.readFile("/sys/class/net/lo/address"));
        api("file /sys/class/net/wlan0/address", probe.readFile("/sys/class/net/wlan0/address"));
        api("file /proc/net/arp", probe.readFile("/proc/net/arp"));
        String cpuinfo = probe.readFile("/proc/cpuinfo");
        api("file /proc/cpuinfo", cpuinfo == null ? null : cpuinfo.length());
        api("file /sys/class/bluetooth/hci0/address", probe.readFile("/sys/class/bluetooth/hci0/address"));
        api("native __system_property_get ro.serialno", NativeProbe.systemProperty("ro.serialno"));
        api("native thread __system_property_read_callback ro.boot.serialno + /proc/net/arp",
                NativeProbe.readOnNativeThread("ro.boot.serialno", "/proc/net/arp"));
    }
}
