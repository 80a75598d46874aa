package android.app;

import android.content.Context;
import android.content.Intent;

/** Fake {@code android.app.PendingIntent}: an intent the system sends later on the creator's behalf. */
public final class PendingIntent {
    public static final int FLAG_IMMUTABLE = 1 << 26;

    private final Intent mIntent;
    private final String mCreatorPackage;
    private final String mKind;

    private PendingIntent(Context context, Intent intent, String kind) {
        mIntent = intent;
        mCreatorPackage = context.getPackageName();
        mKind = kind;
    }

    public static PendingIntent getActivity(Context context, int requestCode, Intent intent, int flags) {
        return new PendingIntent(context, intent, "activity");
    }

    public static PendingIntent getService(Context context, int requestCode, Intent intent, int flags) {
        return new PendingIntent(context, intent, "service");
    }

    public static PendingIntent getForegroundService(Context context, int requestCode, Intent intent, int flags) {
        return new PendingIntent(context, intent, "foreground_service");
    }

    public static PendingIntent getBroadcast(Context context, int requestCode, Intent intent, int flags) {
        return new PendingIntent(context, intent, "broadcast");
    }

    public String getCreatorPackage() {
        return mCreatorPackage;
    }

    /** Hidden on Android (needs a system permission): the wrapped intent. */
    public Intent getIntent() {
        return mIntent;
    }

    @Override
    public String toString() {
        return "PendingIntent{" + mKind + ": " + mIntent + "}";
    }
}
