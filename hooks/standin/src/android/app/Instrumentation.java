package android.app;

import android.content.Context;
import android.content.Intent;
import android.os.Bundle;

/** Fake {@code android.app.Instrumentation}: where the framework calls lifecycle methods. */
public class Instrumentation {
    public Instrumentation() {}

    public Application newApplication(ClassLoader cl, String className, Context context)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        try {
            Application app = (Application) cl.loadClass(className).getDeclaredConstructor().newInstance();
            app.attach(context);
            return app;
        } catch (ReflectiveOperationException e) {
            throw new InstantiationException(e.toString());
        }
    }

    public void callApplicationOnCreate(Application app) {
        app.onCreate();
    }

    public Activity newActivity(ClassLoader cl, String className, Intent intent)
            throws InstantiationException, IllegalAccessException, ClassNotFoundException {
        try {
            return (Activity) cl.loadClass(className).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new InstantiationException(e.toString());
        }
    }

    public void callActivityOnCreate(Activity activity, Bundle icicle) {
        activity.performCreate(icicle);
    }

    public void callActivityOnStart(Activity activity) {
        activity.onStart();
    }

    public void callActivityOnResume(Activity activity) {
        activity.mResumed = true;
        activity.onResume();
    }

    public void callActivityOnPause(Activity activity) {
        activity.performPause();
    }

    public void callActivityOnStop(Activity activity) {
        activity.onStop();
    }
}
