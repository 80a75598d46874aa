package android.util;

/** Fake {@code android.util.AndroidException}. */
public class AndroidException extends Exception {
    public AndroidException() {}

    public AndroidException(String name) {
        super(name);
    }

    public AndroidException(String name, Throwable cause) {
        super(name, cause);
    }
}
