package android.preference;

import android.content.Context;
import android.content.SharedPreferences;

/** Fake {@code android.preference.PreferenceManager}: where CMPs write the IABTCF_* keys. */
public class PreferenceManager {
    private PreferenceManager() {}

    public static SharedPreferences getDefaultSharedPreferences(Context context) {
        return context.getSharedPreferences(context.getPackageName() + "_preferences", Context.MODE_PRIVATE);
    }
}
