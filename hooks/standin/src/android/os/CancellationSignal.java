package android.os;

/** Fake {@code android.os.CancellationSignal}. */
public final class CancellationSignal {
    private volatile boolean mCanceled;

    public CancellationSignal() {}

    public boolean isCanceled() {
        return mCanceled;
    }

    public void cancel() {
        mCanceled = true;
    }

    public void throwIfCanceled() {
        if (mCanceled) {
            throw new RuntimeException("OperationCanceledException");
        }
    }
}
