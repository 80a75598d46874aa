package android.app;

import android.content.Context;

/** Fake {@code android.app.AlertDialog}: a title and a message (AOSP keeps them in its AlertController). */
public class AlertDialog extends Dialog {
    final AlertController mAlert = new AlertController();

    protected AlertDialog(Context context) {
        super(context);
    }

    public void setTitle(CharSequence title) {
        mAlert.mTitle = title;
    }

    public void setMessage(CharSequence message) {
        mAlert.mMessage = message;
    }

    /** Fake {@code com.android.internal.app.AlertController}'s texts, as a nested holder. */
    static final class AlertController {
        CharSequence mTitle;
        CharSequence mMessage;
    }

    /** Fake {@code android.app.AlertDialog.Builder}. */
    public static class Builder {
        private final Context mContext;
        private CharSequence mTitle;
        private CharSequence mMessage;

        public Builder(Context context) {
            mContext = context;
        }

        public Builder setTitle(CharSequence title) {
            mTitle = title;
            return this;
        }

        public Builder setMessage(CharSequence message) {
            mMessage = message;
            return this;
        }

        public AlertDialog create() {
            AlertDialog d = new AlertDialog(mContext);
            d.setTitle(mTitle);
            d.setMessage(mMessage);
            return d;
        }

        public AlertDialog show() {
            AlertDialog d = create();
            d.show();
            return d;
        }
    }
}
