package android.content;

import android.content.pm.PackageManager;

/** Fake {@code android.content.Context}: the service names and accessors apps and SDKs use. */
public abstract class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String TELEPHONY_SUBSCRIPTION_SERVICE = "telephony_subscription_service";
    public static final String WIFI_SERVICE = "wifi";
    public static final String LOCATION_SERVICE = "location";
    public static final String CLIPBOARD_SERVICE = "clipboard";
    public static final String ACTIVITY_SERVICE = "activity";
    public static final String SENSOR_SERVICE = "sensor";
    public static final String ACCOUNT_SERVICE = "account";
    public static final String CAMERA_SERVICE = "camera";
    public static final String BLUETOOTH_SERVICE = "bluetooth";
    public static final String CONNECTIVITY_SERVICE = "connectivity";
    public static final int MODE_PRIVATE = 0;

    public abstract Object getSystemService(String name);

    public abstract ContentResolver getContentResolver();

    public abstract PackageManager getPackageManager();

    public abstract Context getApplicationContext();

    public abstract String getPackageName();

    public abstract SharedPreferences getSharedPreferences(String name, int mode);

    public abstract ClassLoader getClassLoader();

    /** Start a service; the system starts the process the manifest names for it (e.g. ":push"). */
    public abstract ComponentName startService(Intent service);
}
