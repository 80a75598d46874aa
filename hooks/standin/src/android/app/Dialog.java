package android.app;

import android.content.Context;
import com.android.internal.standin.StandinLog;

/** Fake {@code android.app.Dialog}: showing it is logged; the stand-in draws nothing. */
public class Dialog {
    protected final Context mContext;
    private boolean mShowing;

    public Dialog(Context context) {
        mContext = context;
    }

    public void show() {
        mShowing = true;
        StandinLog.log("DIALOG", "name", getClass().getSimpleName(), "event", "show");
    }

    public void dismiss() {
        mShowing = false;
    }

    public boolean isShowing() {
        return mShowing;
    }
}
