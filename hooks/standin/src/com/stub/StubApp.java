package com.stub;

import android.app.ActivityThread;
import android.app.Application;
import android.app.LoadedApk;
import android.content.Context;
import com.android.internal.standin.StandinLog;
import dalvik.system.InMemoryDexClassLoader;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;

/**
 * A packer's shell Application (the class name 360 Jiagu uses), the only code of the packed APK
 * the system can load. In {@code attachBaseContext} it decrypts the real code
 * ({@code assets/payload.bin}, XOR {@link #KEY}) in memory, loads it with its own
 * {@link InMemoryDexClassLoader}, puts that loader into {@code LoadedApk.mClassLoader} and the real
 * Application into {@code ActivityThread.mInitialApplication} by reflection, as packers do.
 */
public class StubApp extends Application {
    public static final int KEY = 0x5A;
    private Application mReal;

    public StubApp() {}

    @Override
    protected void attachBaseContext(Context base) {
        super.attachBaseContext(base);
        try {
            ActivityThread thread = ActivityThread.currentActivityThread();
            LoadedApk apk = thread.getPackageInfo();
            byte[] payload = Files.readAllBytes(new File(apk.getApkDir(), "assets/payload.bin").toPath());
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= KEY;
            }
            StandinLog.log("PACKER", "event", "decrypted", "bytes", payload.length);
            ClassLoader real = new InMemoryDexClassLoader(ByteBuffer.wrap(payload), getClass().getClassLoader());
            set(LoadedApk.class, apk, "mClassLoader", real);
            mReal = (Application) real.loadClass(apk.getMetaData("packer.application")).getDeclaredConstructor().newInstance();
            set(ActivityThread.class, thread, "mInitialApplication", mReal);
            Method attach = Application.class.getDeclaredMethod("attach", Context.class);
            attach.setAccessible(true);
            attach.invoke(mReal, base);
            StandinLog.log("PACKER", "event", "real_application", "class", mReal.getClass().getName());
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new IllegalStateException("the shell could not load the real application", e);
        }
    }

    private static void set(Class<?> owner, Object target, String field, Object value) throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    @Override
    public void onCreate() {
        super.onCreate();
        if (mReal != null) {
            mReal.onCreate();
        }
    }
}
