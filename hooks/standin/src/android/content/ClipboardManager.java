package android.content;

import android.os.Handler;
import com.android.internal.standin.Fake;

/** Fake {@code android.content.ClipboardManager}: holds one fixed text clip. */
public class ClipboardManager extends android.text.ClipboardManager {
    private ClipData mClip;

    /** @hide */
    public ClipboardManager(Context context, Handler handler) {
        mClip = ClipData.newPlainText("text", Fake.value("clipboard"));
    }

    private final java.util.List<OnPrimaryClipChangedListener> mListeners = new java.util.ArrayList<>();

    public void setPrimaryClip(ClipData clip) {
        mClip = clip;
        for (OnPrimaryClipChangedListener l : mListeners.toArray(new OnPrimaryClipChangedListener[0])) {
            l.onPrimaryClipChanged();
        }
    }

    public ClipDescription getPrimaryClipDescription() {
        return Fake.ret("android.content.ClipboardManager#getPrimaryClipDescription()",
                mClip == null ? null : mClip.getDescription());
    }

    public void addPrimaryClipChangedListener(OnPrimaryClipChangedListener what) {
        Fake.call("android.content.ClipboardManager#addPrimaryClipChangedListener("
                + "android.content.ClipboardManager$OnPrimaryClipChangedListener)");
        mListeners.add(what);
    }

    public void removePrimaryClipChangedListener(OnPrimaryClipChangedListener what) {
        mListeners.remove(what);
    }

    /** Fake {@code android.content.ClipboardManager$OnPrimaryClipChangedListener}. */
    public interface OnPrimaryClipChangedListener {
        void onPrimaryClipChanged();
    }

    public ClipData getPrimaryClip() {
        return Fake.ret("android.content.ClipboardManager#getPrimaryClip()", mClip);
    }

    public boolean hasPrimaryClip() {
        return Fake.ret("android.content.ClipboardManager#hasPrimaryClip()", mClip != null);
    }

    @Override
    public CharSequence getText() {
        CharSequence t = mClip != null && mClip.getItemCount() > 0 ? mClip.getItemAt(0).getText() : null;
        return Fake.ret("android.content.ClipboardManager#getText()", t);
    }

    @Override
    public void setText(CharSequence text) {
        mClip = ClipData.newPlainText(null, text);
    }

    @Override
    public boolean hasText() {
        return mClip != null && mClip.getItemCount() > 0 && mClip.getItemAt(0).getText() != null;
    }
}
