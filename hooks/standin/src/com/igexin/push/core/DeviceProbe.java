package com.igexin.push.core;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.net.wifi.WifiManager;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How push and analytics SDKs read device data, through the getters and around them: shell
 * commands ({@code getprop}, {@code cat}, {@code ip link}, {@code pm}, {@code settings}), files
 * ({@code /sys/class/net/*}{@code /address}, {@code /proc/net/arp}, {@code /proc/cpuinfo},
 * {@code /sys/class/bluetooth}) and native code ({@link NativeProbe}). Commands run the stand-in's
 * fake {@code system/bin} tools ({@code -Dstandin.system_bin}), which answer with the fake device's
 * values, or the host's own tools where Android has the same ({@code cat}, {@code ip}).
 */
public final class DeviceProbe {
    private final Context mContext;

    public DeviceProbe(Context context) {
        mContext = context;
    }

    public String imei() {
        return ((TelephonyManager) mContext.getSystemService(Context.TELEPHONY_SERVICE)).getDeviceId();
    }

    public String wifiMac() {
        return ((WifiManager) mContext.getSystemService(Context.WIFI_SERVICE)).getConnectionInfo().getMacAddress();
    }

    public String androidId() {
        return Settings.Secure.getString(mContext.getContentResolver(), Settings.Secure.ANDROID_ID);
    }

    public List<String> installedPackages() {
        List<String> names = new ArrayList<>();
        for (PackageInfo p : mContext.getPackageManager().getInstalledPackages(0)) {
            names.add(p.packageName);
        }
        return names;
    }

    /** {@code /system/bin/<tool>} of the stand-in (its fake getprop, pm, settings). */
    public static String systemBin(String tool) {
        return Fake.prop("standin.system_bin", "/system/bin") + "/" + tool;
    }

    /** Run a command, return its stdout (trimmed); null when it cannot run. */
    public static String exec(String... command) {
        try {
            java.lang.Process p = Runtime.getRuntime().exec(command);
            try (InputStream out = p.getInputStream()) {
                String text = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor();
                return text;
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@code getprop KEY} through Runtime.exec, as SDKs read the serial on Android 10+. */
    public String execGetprop(String key) {
        return exec(systemBin("getprop"), key);
    }

    /** {@code getprop KEY} through ProcessBuilder. */
    public String processBuilderGetprop(String key) {
        try {
            java.lang.Process p = new ProcessBuilder(systemBin("getprop"), key).start();
            try (InputStream out = p.getInputStream()) {
                return new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** A file's text (trimmed), null when it cannot be read: the attempt is what labs record. */
    public String readFile(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1).trim();
        } catch (IOException e) {
            StandinLog.log("INFO", "where", "DeviceProbe.readFile", "path", path, "error", e.getClass().getSimpleName());
            return null;
        }
    }
}
