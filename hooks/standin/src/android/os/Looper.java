package android.os;

/** Fake {@code android.os.Looper}: an identity only; the fakes deliver callbacks at once. */
public final class Looper {
    private static final Looper MAIN = new Looper("main");

    private final String mName;

    private Looper(String name) {
        mName = name;
    }

    public static Looper getMainLooper() {
        return MAIN;
    }

    public static Looper myLooper() {
        return "main".equals(Thread.currentThread().getName()) ? MAIN : null;
    }

    @Override
    public String toString() {
        return "Looper (" + mName + ")";
    }
}
