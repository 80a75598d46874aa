package android.view;

import android.content.ContextWrapper;

/** Fake {@code android.view.ContextThemeWrapper}: the base class of {@code Activity}. */
public class ContextThemeWrapper extends ContextWrapper {
    public ContextThemeWrapper() {
        super(null);
    }
}
