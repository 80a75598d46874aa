package android.content;

/** Fake {@code android.content.ServiceConnection}. */
public interface ServiceConnection {
    void onServiceConnected(ComponentName name, Object service);

    void onServiceDisconnected(ComponentName name);
}
