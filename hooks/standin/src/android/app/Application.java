package android.app;

import android.content.Context;
import android.content.ContextWrapper;
import android.os.Bundle;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.app.Application}. */
public class Application extends ContextWrapper {
    private final List<ActivityLifecycleCallbacks> mCallbacks = new ArrayList<>();

    public Application() {
        super(null);
    }

    /** Called by the framework after the base context is attached; the place SDKs get initialised. */
    public void onCreate() {}

    final void attach(Context context) {
        attachBaseContext(context);
    }

    public void registerActivityLifecycleCallbacks(ActivityLifecycleCallbacks callback) {
        synchronized (mCallbacks) {
            mCallbacks.add(callback);
        }
    }

    public void unregisterActivityLifecycleCallbacks(ActivityLifecycleCallbacks callback) {
        synchronized (mCallbacks) {
            mCallbacks.remove(callback);
        }
    }

    private ActivityLifecycleCallbacks[] callbacks() {
        synchronized (mCallbacks) {
            return mCallbacks.toArray(new ActivityLifecycleCallbacks[0]);
        }
    }

    void dispatchActivityCreated(Activity activity, Bundle savedInstanceState) {
        for (ActivityLifecycleCallbacks c : callbacks()) {
            c.onActivityCreated(activity, savedInstanceState);
        }
    }

    void dispatchActivityStarted(Activity activity) {
        for (ActivityLifecycleCallbacks c : callbacks()) {
            c.onActivityStarted(activity);
        }
    }

    void dispatchActivityResumed(Activity activity) {
        for (ActivityLifecycleCallbacks c : callbacks()) {
            c.onActivityResumed(activity);
        }
    }

    void dispatchActivityPaused(Activity activity) {
        for (ActivityLifecycleCallbacks c : callbacks()) {
            c.onActivityPaused(activity);
        }
    }

    void dispatchActivityStopped(Activity activity) {
        for (ActivityLifecycleCallbacks c : callbacks()) {
            c.onActivityStopped(activity);
        }
    }

    /** Fake {@code android.app.Application$ActivityLifecycleCallbacks}. */
    public interface ActivityLifecycleCallbacks {
        void onActivityCreated(Activity activity, Bundle savedInstanceState);

        default void onActivityStarted(Activity activity) {}

        void onActivityResumed(Activity activity);

        void onActivityPaused(Activity activity);

        void onActivityStopped(Activity activity);

        default void onActivitySaveInstanceState(Activity activity, Bundle outState) {}

        default void onActivityDestroyed(Activity activity) {}
    }
}
