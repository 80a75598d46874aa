package android.app;

import android.content.ComponentName;
import android.content.Intent;
import android.os.Bundle;
import android.os.Process;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fake {@code android.app.ActivityThread}: the stand-in's main class, as on Android the entry of
 * every app process. It binds the application (creating the APK's class loader through
 * {@link LoadedApk}), then either hands the main process to the app's scenario driver
 * ({@code com.example.demoapp.Launcher}, loaded through that loader) or, in a process the manifest
 * gives services to ({@code :push}), creates those services. See hooks/standin/README.md.
 */
public final class ActivityThread {
    private static volatile ActivityThread sCurrentActivityThread;
    static final String LAUNCHER = "com.example.demoapp.Launcher";
    /** Scenarios with the app's lifecycle (the launcher's runApp); {@code wake} starts the process for a broadcast. */
    static final List<String> APP_SCENARIOS = List.of("demo", "refuse", "pinned", "retest", "refuse_exit", "refuse_permission", "restart");

    private final Instrumentation mInstrumentation = new Instrumentation();
    final Map<String, SharedPreferencesImpl> mSharedPrefs = new HashMap<>();
    volatile Application mInitialApplication;
    volatile LoadedApk mPackageInfo;
    private ContextImpl mAppContext;
    private final List<Service> mServices = new ArrayList<>();

    public ActivityThread() {}

    public static void main(String[] args) throws Exception {
        String scenario = Fake.prop("standin.scenario", "demo");
        String process = Process.myProcessName();
        long pid = ProcessHandle.current().pid();
        if (Fake.flag("standin.wait_for_stdin", false)) {
            StandinLog.log("READY", "pid", pid, "scenario", scenario);
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        StandinLog.log("BOOT", "scenario", scenario, "pid", pid, "network", Fake.flag("standin.network", true),
                "java", System.getProperty("java.version"), "process", process);
        int code = 0;
        try {
            ActivityThread thread = new ActivityThread();
            thread.mPackageInfo = LoadedApk.forProcess();
            if (!process.equals(thread.mPackageInfo.getPackageName())) {
                thread.runServiceProcess(process);
            } else if (scenario.equals("wake")) {
                thread.runWakeScenario();
            } else if (APP_SCENARIOS.contains(scenario)) {
                StandinLog.log("PHASE", "n", 1, "name", "before_application_oncreate");
                Application app = thread.handleBindApplication(thread.mPackageInfo.getPackageName(),
                        thread.mPackageInfo.getApplicationClassName());
                thread.launcher().getMethod("runApp", ActivityThread.class, Application.class, String.class)
                        .invoke(null, thread, app, scenario);
            } else {
                code = (Integer) thread.launcher().getMethod("runScenario", String.class).invoke(null, scenario);
            }
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : t;
            StandinLog.log("ERROR", "where", "launcher", "error", cause.toString());
            cause.printStackTrace();
            code = 1;
        }
        if (code == 0) {
            StandinLog.log("DONE", "scenario", scenario, "msg", "scenario done");
        }
        System.exit(code);
    }

    /** The app's scenario driver, loaded through the APK's (current) class loader. */
    private Class<?> launcher() throws ClassNotFoundException {
        return mPackageInfo.getClassLoader().loadClass(LAUNCHER);
    }

    /** A process of the package other than the main one: bind the application, run its services. */
    private void runServiceProcess(String process) throws Exception {
        Application app = handleBindApplication(mPackageInfo.getPackageName(), mPackageInfo.getApplicationClassName());
        mInstrumentation.callApplicationOnCreate(app);
        for (String name : mPackageInfo.servicesIn(process)) {
            Service service = (Service) mPackageInfo.getClassLoader().loadClass(name).getDeclaredConstructor().newInstance();
            service.attach(mAppContext);
            mServices.add(service);
            StandinLog.log("SERVICE", "event", "create", "service", name, "process", process);
            service.onCreate();
            service.onStartCommand(new Intent().setComponent(new ComponentName(mPackageInfo.getPackageName(), name)), 0, 1);
        }
        Work.awaitAll(Fake.longProp("standin.timeout_ms", 5000) * 3 + Fake.longProp("standin.push.run_ms", 60_000));
        for (Service service : mServices) {
            service.onDestroy();
        }
    }

    /**
     * The {@code wake} scenario: the system starts the app's process to deliver BOOT_COMPLETED to its
     * manifest receivers (no activity, no user), as after a reboot; then the process lives on briefly.
     */
    private void runWakeScenario() throws Exception {
        Application app = handleBindApplication(mPackageInfo.getPackageName(), mPackageInfo.getApplicationClassName());
        mInstrumentation.callApplicationOnCreate(app);
        Work.awaitAll(Fake.longProp("standin.timeout_ms", 5000) * 3);
        Intent boot = new Intent(Intent.ACTION_BOOT_COMPLETED);
        for (String receiver : mPackageInfo.receiversFor(boot.getAction())) {
            android.content.pm.ActivityInfo info = new android.content.pm.ActivityInfo();
            info.packageName = mPackageInfo.getPackageName();
            info.name = receiver;
            handleReceiver(new ReceiverData(boot, info));
        }
        Work.awaitAll(Fake.longProp("standin.timeout_ms", 5000) * 3);
        Thread.sleep(Fake.longProp("standin.exit_delay_ms", 200));
    }

    /** Fake {@code ActivityThread$ReceiverData}: a broadcast for one manifest receiver. */
    static final class ReceiverData {
        final Intent intent;
        final android.content.pm.ActivityInfo info;

        ReceiverData(Intent intent, android.content.pm.ActivityInfo info) {
            this.intent = intent;
            this.info = info;
        }
    }

    /** As on Android: instantiate the manifest receiver through the APK's loader and call onReceive. */
    private void handleReceiver(ReceiverData data) throws Exception {
        StandinLog.log("BROADCAST", "action", data.intent.getAction(), "receiver", data.info.name);
        android.content.BroadcastReceiver receiver = (android.content.BroadcastReceiver) mPackageInfo.getClassLoader()
                .loadClass(data.info.name).getDeclaredConstructor().newInstance();
        receiver.onReceive(mAppContext, data.intent);
    }

    public static ActivityThread currentActivityThread() {
        return sCurrentActivityThread;
    }

    /** The application object, reached by SDKs through reflection (hidden API). */
    public static Application currentApplication() {
        ActivityThread t = sCurrentActivityThread;
        return t != null ? t.mInitialApplication : null;
    }

    /** The process name, as SDKs read it (hidden API, public since Android 9 as Application.getProcessName). */
    public static String currentProcessName() {
        return Process.myProcessName();
    }

    public Instrumentation getInstrumentation() {
        return mInstrumentation;
    }

    /** The APK of this process (set before the application is bound). */
    public LoadedApk getPackageInfo() {
        return mPackageInfo;
    }

    /** Create the application object through the APK's class loader and attach its base context; no onCreate. */
    public Application handleBindApplication(String packageName, String applicationClassName) throws Exception {
        sCurrentActivityThread = this;
        if (mPackageInfo == null) {
            mPackageInfo = LoadedApk.forProcess();
        }
        mAppContext = ContextImpl.createAppContext(this, packageName);
        ClassLoader cl = mPackageInfo.getClassLoader(); // bind-application time: the APK's loader is created here
        Class<?> cls = Class.forName(applicationClassName, false, cl);
        Application app = (Application) cls.getDeclaredConstructor().newInstance();
        // Real Android sets mInitialApplication after attach; set it first so that SDK code run from
        // attachBaseContext can already reach it through currentApplication().
        mInitialApplication = app;
        app.attach(mAppContext);
        mAppContext.mOuterContext = app;
        return mInitialApplication;
    }

    /** Instantiate, attach and create an activity (onCreate); the caller resumes it. */
    public Activity handleLaunchActivity(String activityClassName, Bundle savedInstanceState) throws Exception {
        Intent intent = new Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_LAUNCHER);
        Activity a = mInstrumentation.newActivity(mPackageInfo.getClassLoader(), activityClassName, intent);
        a.attach(mAppContext, this, mInstrumentation, mInitialApplication, intent);
        mInstrumentation.callActivityOnCreate(a, savedInstanceState);
        return a;
    }

    public void handleStartActivity(Activity a) {
        mInstrumentation.callActivityOnStart(a);
    }

    public void handleResumeActivity(Activity a) {
        mInstrumentation.callActivityOnResume(a);
    }

    public void handlePauseActivity(Activity a) {
        mInstrumentation.callActivityOnPause(a);
    }

    public void handleStopActivity(Activity a) {
        mInstrumentation.callActivityOnStop(a);
    }
}
