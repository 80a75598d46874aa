package android.app;

import android.content.Context;
import android.content.ContextWrapper;
import android.content.Intent;

/** Fake {@code android.app.Service}: created by the framework in the process the manifest names. */
public abstract class Service extends ContextWrapper {
    public static final int START_STICKY = 1;

    public Service() {
        super(null);
    }

    final void attach(Context base) {
        attachBaseContext(base);
    }

    public void onCreate() {}

    public int onStartCommand(Intent intent, int flags, int startId) {
        return START_STICKY;
    }

    public void onDestroy() {}
}
