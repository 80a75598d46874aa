package android.provider;

import android.content.ContentResolver;
import com.android.internal.standin.Fake;

/**
 * Fake {@code android.provider.Settings}. As in AOSP the nested class {@code System} shadows
 * {@code java.lang.System} in this file. As in AOSP, {@code Secure.getString} and
 * {@code System.getString} go through the hidden {@code getStringForUser}; {@code System} reads the
 * keys moved to Secure (android_id, bluetooth_address) with {@code Secure.getStringForUser}, never
 * {@code Secure.getString}.
 */
public final class Settings {
    private Settings() {}

    /** Fake {@code android.provider.Settings$NameValueTable}. */
    public static class NameValueTable {
        public static final String NAME = "name";
        public static final String VALUE = "value";

        public NameValueTable() {}
    }

    /** Fake {@code android.provider.Settings$Secure}. */
    public static final class Secure extends NameValueTable {
        public static final String ANDROID_ID = "android_id";
        public static final String BLUETOOTH_ADDRESS = "bluetooth_address";
        public static final String BLUETOOTH_NAME = "bluetooth_name";
        public static final String DEFAULT_INPUT_METHOD = "default_input_method";

        public Secure() {}

        public static String getString(ContentResolver resolver, String name) {
            return Fake.ret("android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)",
                    getStringForUser(resolver, name, 0));
        }

        /** @hide */
        public static String getStringForUser(ContentResolver resolver, String name, int userHandle) {
            if (name == null) {
                return null;
            }
            return switch (name) {
                case ANDROID_ID -> Fake.value("android_id");
                case BLUETOOTH_ADDRESS -> Fake.value("bluetooth_mac");
                case BLUETOOTH_NAME -> Fake.value("bluetooth_name");
                case DEFAULT_INPUT_METHOD -> "com.sohu.inputmethod.sogou.xiaomi/.SogouIME";
                default -> null;
            };
        }

        public static int getInt(ContentResolver cr, String name, int def) {
            String v = getStringForUser(cr, name, 0);
            try {
                return v == null ? def : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                return def;
            }
        }
    }

    /** Fake {@code android.provider.Settings$System}. */
    public static final class System extends NameValueTable {
        @Deprecated
        public static final String ANDROID_ID = Secure.ANDROID_ID;
        public static final String SCREEN_BRIGHTNESS = "screen_brightness";

        public System() {}

        public static String getString(ContentResolver resolver, String name) {
            return Fake.ret("android.provider.Settings$System#getString(android.content.ContentResolver,java.lang.String)",
                    getStringForUser(resolver, name, 0));
        }

        /** @hide Keys moved to Secure (android_id, bluetooth_address) are read from Secure, as in AOSP. */
        public static String getStringForUser(ContentResolver resolver, String name, int userHandle) {
            if (Secure.ANDROID_ID.equals(name) || Secure.BLUETOOTH_ADDRESS.equals(name)) {
                return Secure.getStringForUser(resolver, name, userHandle);
            }
            return SCREEN_BRIGHTNESS.equals(name) ? "128" : null;
        }
    }

    /** Fake {@code android.provider.Settings$Global}. */
    public static final class Global extends NameValueTable {
        public static final String DEVICE_NAME = "device_name";
        public static final String ADB_ENABLED = "adb_enabled";

        public Global() {}

        public static String getString(ContentResolver resolver, String name) {
            if (DEVICE_NAME.equals(name)) {
                return Fake.value("bluetooth_name");
            }
            return ADB_ENABLED.equals(name) ? "0" : null;
        }
    }
}
