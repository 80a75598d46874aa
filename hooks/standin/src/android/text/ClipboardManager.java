package android.text;

/** Fake {@code android.text.ClipboardManager} (the deprecated text-only base class). */
@Deprecated
public abstract class ClipboardManager {
    public ClipboardManager() {}

    public abstract CharSequence getText();

    public abstract void setText(CharSequence text);

    public abstract boolean hasText();
}
