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

    public void finishAffinity() {
        mFinished = true;
    }

    public void finishAndRemoveTask() {
        mFinished = true;
    }

    /** As on Android: an activity starts activities through startActivityForResult (Instrumentation.execStartActivity). */
    @Override
    public void startActivity(Intent intent) {
        startActivityForResult(intent, -1);
    }

    public void startActivityForResult(Intent intent, int requestCode) {
        getBaseContext().startActivity(intent);
    }

    public void onActivityResult(int requestCode, int resultCode, Intent data) {}

    final void performResume() {
        onResume();
        mResumed = true;
    }

    static final String EXTRA_REQUEST_PERMISSIONS_NAMES = "android.content.pm.extra.REQUEST_PERMISSIONS_NAMES";
    static final String EXTRA_REQUEST_PERMISSIONS_RESULTS = "android.content.pm.extra.REQUEST_PERMISSIONS_RESULTS";

    private final java.util.ArrayDeque<Object[]> mPendingPermissionRequests = new java.util.ArrayDeque<>();

    /**
     * Request runtime permissions, as Android does: the call only asks the system and returns; the
     * system's dialog (GrantPermissionsActivity) comes over the activity later, which pauses; the
     * user's answers (the fake grants all but {@code -Dstandin.deny_permissions};
     * {@code -Dstandin.grant_permissions=false} denies all) come back through
     * {@code dispatchRequestPermissionsResult} to {@link #onRequestPermissionsResult}; the activity
     * resumes. The stand-in has no looper: the framework delivers pending requests with
     * {@link #deliverPermissionRequests} once the app's code returned.
     */
    public final void requestPermissions(String[] permissions, int requestCode) {
        if (requestCode < 0) {
            throw new IllegalArgumentException("requestCode should be >= 0");
        }
        mPendingPermissionRequests.add(new Object[] {permissions.clone(), requestCode});
    }

    /** The system's part of every pending request (the looper's next turns): dialog, answers, callback. */
    public final void deliverPermissionRequests() {
        Object[] next;
        while ((next = mPendingPermissionRequests.poll()) != null) {
            String[] permissions = (String[]) next[0];
            int requestCode = (Integer) next[1];
            boolean wasResumed = mResumed;
            if (wasResumed) {
                performPause(); // the system dialog is on top
            }
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
            int[] results = new int[permissions.length];
            for (int i = 0; i < permissions.length; i++) {
                results[i] = com.android.internal.standin.Permissions.answer(permissions[i]);
            }
            Intent data = new Intent("android.content.pm.action.REQUEST_PERMISSIONS")
                    .putExtra(EXTRA_REQUEST_PERMISSIONS_NAMES, permissions)
                    .putExtra(EXTRA_REQUEST_PERMISSIONS_RESULTS, results);
            dispatchRequestPermissionsResult(requestCode, data);
            if (wasResumed && !mFinished) {
                performResume();
            }
        }
    }

    private void dispatchRequestPermissionsResult(int requestCode, Intent data) {
        String[] permissions = data.getStringArrayExtra(EXTRA_REQUEST_PERMISSIONS_NAMES);
        int[] results = data.getIntArrayExtra(EXTRA_REQUEST_PERMISSIONS_RESULTS);
        onRequestPermissionsResult(requestCode, permissions != null ? permissions : new String[0], results != null ? results : new int[0]);
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {}
}
