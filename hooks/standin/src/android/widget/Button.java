package android.widget;

import android.content.Context;

/** Fake {@code android.widget.Button}. */
public class Button extends TextView {
    public Button(Context context) {
        super(context);
    }
}
