package android.widget;

import android.content.Context;
import android.view.View;

/** Fake {@code android.widget.TextView}. */
public class TextView extends View {
    private CharSequence mText = "";

    public TextView(Context context) {
        super(context);
    }

    public final void setText(CharSequence text) {
        mText = text == null ? "" : text;
    }

    public CharSequence getText() {
        return mText;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{text=" + mText + "}";
    }
}
