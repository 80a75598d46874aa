package com.android.internal.standin;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fake device: every value a fake framework API returns comes from here.
 *
 * <p>Each value can be replaced with {@code -Dstandin.value.<key>=...} (e.g. canary identifiers).
 * Lives under {@code com.android.internal} so that stack-based attribution treats it as framework.
 * Fake API bodies call {@link #ret} which prints to stderr only when {@code -Dstandin.debug=true}.
 */
public final class Fake {
    private Fake() {}

    /** Default values, in a stable order (mirrored by DEFAULT_VALUES in hooks/standin/build.py). */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("imei", "867530912345673");
        m.put("imei2", "867530912345681");
        m.put("meid", "A0000049B1C2D3");
        m.put("imsi", "460011234567890");
        m.put("iccid", "89860112345678901234");
        m.put("phone", "+8613912345678");
        m.put("voicemail", "+8613010200500");
        m.put("nai", "460011234567890@nai.epc.mnc001.mcc460.3gppnetwork.org");
        m.put("sim_operator", "46001");
        m.put("sim_operator_name", "中国联通");
        m.put("network_operator", "46001");
        m.put("android_id", "9774d56d682e549c");
        m.put("serial", "R58M123ABCD");
        m.put("mac", "3c:a6:16:5e:2b:7d");
        m.put("bluetooth_mac", "f4:60:e2:9a:11:c3");
        m.put("bluetooth_name", "Redmi Note 12");
        m.put("bt_device_mac", "c8:f7:42:10:6a:5e");
        m.put("bt_device_name", "Mi Smart Band 7");
        m.put("bssid", "d8:0d:17:4c:9e:21");
        m.put("ssid", "\"DemoCorp-5G\"");
        m.put("ip", "192.168.1.100");
        m.put("gaid", "5f2d7c3a-1b9e-4e2a-9c41-7d3b2a6e8f10");
        m.put("huawei_oaid", "a7c1e2d3-4b5f-4a6e-8d9c-0b1a2c3d4e5f");
        m.put("oaid", "7e3f1a9c2b4d6e80");
        m.put("vaid", "c4b2e1f0a9d8c7b6");
        m.put("aaid", "0b6f3c2a-8e1d-4f7a-9b5c-2d4e6f8a1c3e");
        m.put("udid", "e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091");
        m.put("latitude", "31.230416");
        m.put("longitude", "121.473701");
        m.put("accuracy", "12.5");
        m.put("lte_ci", "52435711");
        m.put("lte_tac", "12345");
        m.put("lte_pci", "301");
        m.put("gsm_lac", "4096");
        m.put("gsm_cid", "28731");
        m.put("clipboard", "DEMO-INVITE-7731 https://demoapp.example/i/7731");
        m.put("account_email", "zhangwei.demo@example.com");
        m.put("account_phone", "13912345678");
        m.put("installed_packages",
                "com.example.demoapp,com.tencent.mm,com.eg.android.AlipayGphone,com.ss.android.ugc.aweme,"
                        + "com.taobao.taobao,com.sina.weibo,com.android.settings");
        m.put("running_processes", "com.example.demoapp,com.tencent.mm,com.android.systemui");
        m.put("model", "22101316C");
        m.put("brand", "Redmi");
        m.put("manufacturer", "Xiaomi");
        m.put("fingerprint", "Redmi/sunstone/sunstone:13/TKQ1.221013.002/V14.0.6.0.TMRCNXM:user/release-keys");
        m.put("os_version", "13");
        m.put("sim_country_iso", "cn");
        m.put("network_type", "LTE");
        m.put("contact_name", "李雷");
        m.put("contact_phone", "13800001111");
        m.put("sms_address", "10086");
        m.put("sms_body", "您的验证码是 482913");
        m.put("call_number", "13800002222");
        m.put("calendar_title", "Dentist 牙医");
        m.put("media_path", "/storage/emulated/0/DCIM/Camera/IMG_20240501_101010.jpg");
        DEFAULTS = Collections.unmodifiableMap(m);
    }

    private static final boolean DEBUG = Boolean.getBoolean("standin.debug");
    private static final Map<String, String> RESOLVED = new ConcurrentHashMap<>();

    /** The fake value for {@code key}, or its {@code standin.value.<key>} override (read once). */
    public static String value(String key) {
        String v = RESOLVED.get(key);
        if (v != null) {
            return v;
        }
        String d = DEFAULTS.get(key);
        if (d == null) {
            throw new IllegalArgumentException("no fake value " + key);
        }
        v = System.getProperty("standin.value." + key, d);
        RESOLVED.put(key, v);
        return v;
    }

    public static double doubleValue(String key) {
        return Double.parseDouble(value(key));
    }

    public static int intValue(String key) {
        return Integer.parseInt(value(key));
    }

    public static String[] listValue(String key) {
        String v = value(key);
        return v.isEmpty() ? new String[0] : v.split(",");
    }

    public static String prop(String key, String def) {
        return System.getProperty(key, def);
    }

    public static boolean flag(String key, boolean def) {
        String v = System.getProperty(key);
        return v == null ? def : Boolean.parseBoolean(v.trim());
    }

    public static long longProp(String key, long def) {
        String v = System.getProperty(key);
        return v == null ? def : Long.parseLong(v.trim());
    }

    public static boolean debug() {
        return DEBUG;
    }

    /** Return {@code v} from the fake API {@code api}; traced to stderr in debug mode only. */
    public static <T> T ret(String api, T v) {
        if (debug()) {
            System.err.println("[standin-debug] " + api + " -> " + render(v));
        }
        return v;
    }

    public static int ret(String api, int v) {
        if (debug()) {
            System.err.println("[standin-debug] " + api + " -> " + v);
        }
        return v;
    }

    public static boolean ret(String api, boolean v) {
        if (debug()) {
            System.err.println("[standin-debug] " + api + " -> " + v);
        }
        return v;
    }

    public static double ret(String api, double v) {
        if (debug()) {
            System.err.println("[standin-debug] " + api + " -> " + v);
        }
        return v;
    }

    public static float ret(String api, float v) {
        if (debug()) {
            System.err.println("[standin-debug] " + api + " -> " + v);
        }
        return v;
    }

    /** Trace a call of a void fake API (debug mode only). */
    public static void call(String api) {
        if (debug()) {
            System.err.println("[standin-debug] " + api);
        }
    }

    /** Render a value for the log: strings as is, lists and arrays as [a, b], null as null. */
    public static String render(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof byte[] b) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < b.length; i++) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(String.format("%02x", b[i] & 0xff));
            }
            return sb.toString();
        }
        if (v.getClass().isArray()) {
            StringBuilder sb = new StringBuilder("[");
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(render(Array.get(v, i)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Collection<?> c) {
            StringBuilder sb = new StringBuilder("[");
            Iterator<?> it = c.iterator();
            while (it.hasNext()) {
                sb.append(render(it.next()));
                if (it.hasNext()) {
                    sb.append(", ");
                }
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }
}
