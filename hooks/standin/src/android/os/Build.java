package android.os;

import com.android.internal.standin.Fake;

/**
 * Fake {@code android.os.Build}. {@code SERIAL} and the other fields are assigned in a static
 * block, so they are not compile-time constants and callers really read the field.
 */
public class Build {
    public static final String UNKNOWN = "unknown";
    public static final String SERIAL;
    public static final String BRAND;
    public static final String MANUFACTURER;
    public static final String MODEL;
    public static final String DEVICE;
    public static final String PRODUCT;
    public static final String HARDWARE;
    public static final String ID;
    public static final String FINGERPRINT;

    static {
        SERIAL = Fake.value("serial");
        BRAND = Fake.value("brand");
        MANUFACTURER = Fake.value("manufacturer");
        MODEL = Fake.value("model");
        DEVICE = "sunstone";
        PRODUCT = "sunstone";
        HARDWARE = "qcom";
        ID = "TP1A.220624.014";
        FINGERPRINT = BRAND + "/" + PRODUCT + "/" + DEVICE + ":13/" + ID + "/V14.0.6.0.TMQCNXM:user/release-keys";
    }

    public Build() {}

    /** AOSP's field initialiser; here only reachable by reflection (the fields are set in the static block). */
    private static String getString(String property) {
        String v = switch (property) {
            case "ro.serialno", "no.such.thing" -> Fake.value("serial");
            case "ro.product.model" -> Fake.value("model");
            case "ro.product.brand" -> Fake.value("brand");
            case "ro.product.manufacturer" -> Fake.value("manufacturer");
            default -> UNKNOWN;
        };
        return Fake.ret("android.os.Build#getString(java.lang.String)", v);
    }

    /** The hardware serial number (READ_PRIVILEGED_PHONE_STATE since Android 10). */
    public static String getSerial() {
        return Fake.ret("android.os.Build#getSerial()", Fake.value("serial"));
    }

    /** Fake {@code android.os.Build$VERSION}. */
    public static class VERSION {
        public static final int SDK_INT;
        public static final String RELEASE;

        static {
            SDK_INT = 33;
            RELEASE = "13";
        }

        public VERSION() {}
    }

    public static String getRadioVersion() {
        return "MPSS.HI.3.1.c3-00080";
    }
}
