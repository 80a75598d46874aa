package android.os;

import com.android.internal.standin.Fake;

/**
 * Fake {@code android.os.SystemProperties} (hidden API; SDKs reach it by reflection).
 * The two {@code get} overloads do not call each other.
 */
public class SystemProperties {
    private SystemProperties() {}

    private static String lookup(String key) {
        return switch (key) {
            case "ro.serialno", "ro.boot.serialno" -> Fake.value("serial");
            case "ro.product.model" -> Fake.value("model");
            case "ro.product.brand" -> Fake.value("brand");
            case "ro.product.manufacturer" -> Fake.value("manufacturer");
            case "ro.build.version.release" -> "13";
            case "ro.build.version.sdk" -> "33";
            case "ro.miui.ui.version.name" -> "V140";
            case "gsm.sim.operator.numeric", "gsm.operator.numeric" -> Fake.value("sim_operator");
            case "persist.sys.timezone" -> "Asia/Shanghai";
            case "persist.sys.locale" -> "zh-CN";
            default -> null;
        };
    }

    public static String get(String key) {
        String v = lookup(key);
        return Fake.ret("android.os.SystemProperties#get(java.lang.String)", v == null ? "" : v);
    }

    public static String get(String key, String def) {
        String v = lookup(key);
        return Fake.ret("android.os.SystemProperties#get(java.lang.String,java.lang.String)",
                v == null || v.isEmpty() ? def : v);
    }

    public static int getInt(String key, int def) {
        String v = lookup(key);
        try {
            return v == null ? def : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return def;
        }
    }

    public static boolean getBoolean(String key, boolean def) {
        String v = lookup(key);
        return v == null ? def : v.equals("1") || v.equals("true");
    }
}
