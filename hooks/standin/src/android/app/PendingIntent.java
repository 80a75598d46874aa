package android.app;

/** Fake {@code android.app.PendingIntent} (a parameter type only). */
public final class PendingIntent {
    private PendingIntent() {}
}
