package android.os;

/** Fake {@code android.os.Handler}: runs posted work at once, on the posting thread. */
public class Handler {
    public Handler() {}

    public final boolean post(Runnable r) {
        r.run();
        return true;
    }
}
