package android.content;

import java.util.LinkedHashMap;
import java.util.Map;

/** Fake {@code android.content.ContentValues}. */
public final class ContentValues {
    private final Map<String, Object> mValues = new LinkedHashMap<>();

    public ContentValues() {}

    public void put(String key, String value) {
        mValues.put(key, value);
    }

    @Override
    public String toString() {
        return mValues.toString();
    }
}
