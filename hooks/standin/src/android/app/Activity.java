package android.app;

import android.content.Context;
import android.content.Intent;
import android.os.Bundle;
import android.view.ContextThemeWrapper;
import android.view.View;

/** Fake {@code android.app.Activity}: lifecycle callbacks and runtime permission requests. */
public class Activity extends ContextThemeWrapper {
    public static final int RESULT_OK = -1;

    private Application mApplication;
    private Intent mIntent;
    private View mContentView;
    boolean mResumed;
    boolean mFinished;

    public Activity() {}

    final void attach(Context context, ActivityThread aThread, Instrumentation instr, Application application,
            Intent intent) {
        attachBaseContext(context);
        mApplication = application;
        mIntent = intent;
    }

    final void performCreate(Bundle icicle) {
        onCreate(icicle);
    }

    final void performStart() {
        onStart();
    }

    final void performPause() {
        onPause();
        mResumed = false;
    }

    protected void onCreate(Bundle savedInstanceState) {
        if (mApplication != null) {
            mApplication.dispatchActivityCreated(this, savedInstanceState);
        }
    }

    protected void onStart() {
        if (mApplication != null) {
            mApplication.dispatchActivityStarted(this);
        }
    }

    protected void onResume() {
        if (mApplication != null) {
            mApplication.dispatchActivityResumed(this);
        }
    }

    protected void onPause() {
        if (mApplication != null) {
            mApplication.dispatchActivityPaused(this);
        }
    }

    protected void onStop() {
        if (mApplication != null) {
            mApplication.dispatchActivityStopped(this);
        }
    }

    protected void onDestroy() {}

    public final Application getApplication() {
        return mApplication;
    }

    public Intent getIntent() {
        return mIntent;
    }

    public void setContentView(View view) {
        mContentView = view;
    }

    public boolean isFinishing() {
        return mFinished;
    }

    public void finish() {
        mFinished = true;
    }

    /**
     * Request runtime permissions. The fake grants them all ({@code -Dstandin.grant_permissions=false}
     * denies) and calls {@link #onRequestPermissionsResult} before returning.
     */
    public final void requestPermissions(String[] permissions, int requestCode) {
        if (requestCode < 0) {
            throw new IllegalArgumentException("requestCode should be >= 0");
        }
        String grant = java.lang.System.getProperty("standin.grant_permissions", "true");
        int[] results = new int[permissions.length];
        java.util.Arrays.fill(results, Boolean.parseBoolean(grant) ? 0 : -1);
        if (com.android.internal.standin.Display.enabled()) {
            // the system's prompt is on screen while the "user" reads it (only when screens are drawn)
            com.android.internal.standin.Display.show("permission:" + String.join(",", permissions));
            com.android.internal.standin.Display.settle(3000);
            try {
                Thread.sleep(Long.getLong("standin.permission_prompt_ms", 800L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            com.android.internal.standin.Display.show("main");
        }
        onRequestPermissionsResult(requestCode, permissions, results);
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {}
}
