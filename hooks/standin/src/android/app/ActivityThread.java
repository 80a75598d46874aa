package android.app;

import android.content.Intent;
import android.os.Bundle;
import java.util.HashMap;
import java.util.Map;

/**
 * Fake {@code android.app.ActivityThread}: binds the application and drives activities through
 * {@link Instrumentation}, in the order Android does. The launch methods are simplified glue.
 */
public final class ActivityThread {
    private static volatile ActivityThread sCurrentActivityThread;

    private final Instrumentation mInstrumentation = new Instrumentation();
    final Map<String, SharedPreferencesImpl> mSharedPrefs = new HashMap<>();
    volatile Application mInitialApplication;
    private ContextImpl mAppContext;

    public ActivityThread() {}

    public static ActivityThread currentActivityThread() {
        return sCurrentActivityThread;
    }

    /** The application object, reached by SDKs through reflection (hidden API). */
    public static Application currentApplication() {
        ActivityThread t = sCurrentActivityThread;
        return t != null ? t.mInitialApplication : null;
    }

    public Instrumentation getInstrumentation() {
        return mInstrumentation;
    }

    /** Create the application object and attach its base context; does not call onCreate. */
    public Application handleBindApplication(String packageName, String applicationClassName) throws Exception {
        sCurrentActivityThread = this;
        mAppContext = ContextImpl.createAppContext(this, packageName);
        Class<?> cls = Class.forName(applicationClassName, false, getClass().getClassLoader());
        Application app = (Application) cls.getDeclaredConstructor().newInstance();
        // Real Android sets mInitialApplication after attach; set it first so that SDK code run from
        // attachBaseContext can already reach it through currentApplication().
        mInitialApplication = app;
        app.attach(mAppContext);
        mAppContext.mOuterContext = app;
        return app;
    }

    /** Instantiate, attach and create an activity (onCreate); the caller resumes it. */
    public Activity handleLaunchActivity(String activityClassName, Bundle savedInstanceState) throws Exception {
        Intent intent = new Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_LAUNCHER);
        Activity a = mInstrumentation.newActivity(getClass().getClassLoader(), activityClassName, intent);
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
