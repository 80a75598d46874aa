package android.content;

/** Fake {@code android.content.BroadcastReceiver}. */
public abstract class BroadcastReceiver {
    public BroadcastReceiver() {}

    public abstract void onReceive(Context context, Intent intent);
}
