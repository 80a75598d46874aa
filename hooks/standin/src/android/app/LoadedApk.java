package android.app;

import dalvik.system.PathClassLoader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Fake {@code android.app.LoadedApk}: an installed APK and the class loader of its code.
 *
 * <p>The APK is {@code -Dstandin.apk}: a ':'-separated list of class directories and jars whose
 * first entry holds {@code AndroidManifest.properties} (package, application class, main activity,
 * {@code service.<class>=:<process>}). As on Android the app's code is not on the framework's
 * class path: {@link #getClassLoader()} creates a {@link PathClassLoader} for it at bind-application
 * time. Packers replace {@code mClassLoader} by reflection, as they do on devices.
 */
public final class LoadedApk {
    private final String mApkPath;
    private final Properties mManifest = new Properties();
    volatile ClassLoader mClassLoader;

    private static LoadedApk sProcessApk;

    /** The APK of this process ({@code -Dstandin.apk}): one per process, as the package's LoadedApk is. */
    public static synchronized LoadedApk forProcess() {
        if (sProcessApk == null) {
            sProcessApk = new LoadedApk(System.getProperty("standin.apk", ""));
        }
        return sProcessApk;
    }

    public LoadedApk(String apkPath) {
        mApkPath = apkPath;
        String first = apkPath.split(":")[0];
        File manifest = new File(first, "AndroidManifest.properties");
        try (Reader r = new InputStreamReader(new FileInputStream(manifest), StandardCharsets.UTF_8)) {
            mManifest.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("no AndroidManifest.properties in " + first + ": " + e, e);
        }
    }

    /** The APK's directory (its first path entry): where its assets live. */
    public File getApkDir() {
        return new File(mApkPath.split(":")[0]);
    }

    public String getPackageName() {
        return mManifest.getProperty("package");
    }

    public String getApplicationClassName() {
        return mManifest.getProperty("application", Application.class.getName());
    }

    /** Another manifest entry (e.g. {@code packer.application}), or null. */
    public String getMetaData(String key) {
        return mManifest.getProperty(key);
    }

    public String getMainActivityName() {
        return mManifest.getProperty("activity.main");
    }

    /** The process a service runs in: its {@code android:process} (":push") or the main process. */
    public String processOfService(String serviceClass) {
        String process = mManifest.getProperty("service." + serviceClass, "");
        return process.startsWith(":") ? getPackageName() + process : process.isEmpty() ? getPackageName() : process;
    }

    /** The services declared to run in {@code processName}. */
    public List<String> servicesIn(String processName) {
        List<String> services = new ArrayList<>();
        for (String key : mManifest.stringPropertyNames()) {
            if (key.startsWith("service.") && processOfService(key.substring(8)).equals(processName)) {
                services.add(key.substring(8));
            }
        }
        services.sort(null);
        return services;
    }

    public ClassLoader getClassLoader() {
        ClassLoader loader = mClassLoader;
        if (loader == null) {
            synchronized (this) {
                if (mClassLoader == null) {
                    mClassLoader = new PathClassLoader(mApkPath, System.getProperty("standin.native_lib_dir"),
                            LoadedApk.class.getClassLoader());
                }
                loader = mClassLoader;
            }
        }
        return loader;
    }
}
