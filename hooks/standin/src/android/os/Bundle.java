package android.os;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Fake {@code android.os.Bundle}. */
public final class Bundle {
    private final Map<String, Object> mMap = new LinkedHashMap<>();

    public Bundle() {}

    public void putString(String key, String value) {
        mMap.put(key, value);
    }

    public String getString(String key) {
        Object v = mMap.get(key);
        return v instanceof String s ? s : null;
    }

    public void putInt(String key, int value) {
        mMap.put(key, value);
    }

    public int getInt(String key) {
        Object v = mMap.get(key);
        return v instanceof Integer i ? i : 0;
    }

    public boolean containsKey(String key) {
        return mMap.containsKey(key);
    }

    public Set<String> keySet() {
        return mMap.keySet();
    }

    public boolean isEmpty() {
        return mMap.isEmpty();
    }

    @Override
    public String toString() {
        return "Bundle[" + mMap + "]";
    }
}
