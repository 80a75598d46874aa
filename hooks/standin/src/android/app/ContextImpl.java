package android.app;

import android.accounts.AccountManager;
import android.bluetooth.BluetoothAdapter;
import android.content.ClipboardManager;
import android.content.ComponentName;
import android.content.ContentResolver;
import android.content.Intent;
import android.content.Context;
import android.content.SharedPreferences;
import android.content.pm.PackageManager;
import android.hardware.SystemSensorManager;
import android.hardware.camera2.CameraManager;
import android.location.LocationManager;
import android.net.wifi.WifiManager;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import java.util.HashMap;
import java.util.Map;

/** Fake {@code android.app.ContextImpl}: the real context behind every wrapper. */
class ContextImpl extends Context {
    private final ActivityThread mMainThread;
    private final String mPackageName;
    private final ApplicationContentResolver mContentResolver;
    private final Map<String, Object> mServices = new HashMap<>();
    private final Map<String, SharedPreferencesImpl> mPrefs = new HashMap<>();
    private PackageManager mPackageManager;
    Context mOuterContext;

    private ContextImpl(ActivityThread mainThread, String packageName) {
        mMainThread = mainThread;
        mPackageName = packageName;
        mContentResolver = new ApplicationContentResolver(this);
        mOuterContext = this;
    }

    static ContextImpl createAppContext(ActivityThread mainThread, String packageName) {
        return new ContextImpl(mainThread, packageName);
    }

    @Override
    public synchronized Object getSystemService(String name) {
        Object s = mServices.get(name);
        if (s == null) {
            s = switch (name) {
                case TELEPHONY_SERVICE -> new TelephonyManager(this);
                case TELEPHONY_SUBSCRIPTION_SERVICE -> new SubscriptionManager(this);
                case WIFI_SERVICE -> new WifiManager(this);
                case LOCATION_SERVICE -> new LocationManager(this);
                case CLIPBOARD_SERVICE -> new ClipboardManager(this, null);
                case ACTIVITY_SERVICE -> new ActivityManager(this, null);
                case SENSOR_SERVICE -> new SystemSensorManager(this);
                case ACCOUNT_SERVICE -> new AccountManager(this);
                case CAMERA_SERVICE -> new CameraManager(this);
                case BLUETOOTH_SERVICE -> BluetoothAdapter.getDefaultAdapter();
                case CONNECTIVITY_SERVICE -> new android.net.ConnectivityManager(this);
                default -> null;
            };
            if (s != null) {
                mServices.put(name, s);
            }
        }
        return s;
    }

    @Override
    public ContentResolver getContentResolver() {
        return mContentResolver;
    }

    @Override
    public synchronized PackageManager getPackageManager() {
        if (mPackageManager == null) {
            mPackageManager = new ApplicationPackageManager(this);
        }
        return mPackageManager;
    }

    @Override
    public Context getApplicationContext() {
        Application app = mMainThread.mInitialApplication;
        return app != null ? app : mOuterContext;
    }

    @Override
    public String getPackageName() {
        return mPackageName;
    }

    @Override
    public SharedPreferences getSharedPreferences(String name, int mode) {
        synchronized (mMainThread.mSharedPrefs) {
            return mMainThread.mSharedPrefs.computeIfAbsent(name, SharedPreferencesImpl::new);
        }
    }

    @Override
    public ClassLoader getClassLoader() {
        LoadedApk apk = mMainThread.mPackageInfo;
        return apk != null ? apk.getClassLoader() : ContextImpl.class.getClassLoader();
    }

    /** Fake {@code android.app.ContextImpl$ApplicationContentResolver}. */
    private static final class ApplicationContentResolver extends ContentResolver {
        ApplicationContentResolver(Context context) {
            super(context);
        }
    }

    @Override
    public ComponentName startService(Intent service) {
        ComponentName component = service.getComponent();
        LoadedApk apk = mMainThread.mPackageInfo;
        if (component == null || apk == null) {
            return null;
        }
        String process = apk.processOfService(component.getClassName());
        if (process.equals(android.os.Process.myProcessName())) {
            com.android.internal.standin.StandinLog.log("INFO", "where", "startService", "msg", "same-process services are not run",
                    "service", component.getClassName());
            return component;
        }
        return com.android.internal.standin.Zygote.startProcess(process) ? component : null;
    }
}
