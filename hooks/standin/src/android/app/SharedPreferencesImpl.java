package android.app;

import android.content.SharedPreferences;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Fake {@code android.app.SharedPreferencesImpl}: in memory; {@code EditorImpl} is an inner class as in AOSP. */
final class SharedPreferencesImpl implements SharedPreferences {
    private final String mName;
    private final Map<String, Object> mMap = new LinkedHashMap<>();

    SharedPreferencesImpl(String name) {
        mName = name;
    }

    @Override
    public synchronized Map<String, ?> getAll() {
        return new HashMap<>(mMap);
    }

    @Override
    public synchronized String getString(String key, String defValue) {
        Object v = mMap.get(key);
        return v instanceof String s ? s : defValue;
    }

    @Override
    public synchronized int getInt(String key, int defValue) {
        Object v = mMap.get(key);
        return v instanceof Integer i ? i : defValue;
    }

    @Override
    public synchronized long getLong(String key, long defValue) {
        Object v = mMap.get(key);
        return v instanceof Long l ? l : defValue;
    }

    @Override
    public synchronized boolean getBoolean(String key, boolean defValue) {
        Object v = mMap.get(key);
        return v instanceof Boolean b ? b : defValue;
    }

    @Override
    public synchronized boolean contains(String key) {
        return mMap.containsKey(key);
    }

    @Override
    public Editor edit() {
        return new EditorImpl();
    }

    @Override
    public String toString() {
        return "SharedPreferencesImpl{" + mName + "}";
    }

    /** Fake {@code android.app.SharedPreferencesImpl$EditorImpl}. */
    public final class EditorImpl implements Editor {
        private final Map<String, Object> mModified = new LinkedHashMap<>();
        private boolean mClear;

        @Override
        public Editor putString(String key, String value) {
            synchronized (this) {
                mModified.put(key, value);
                return this;
            }
        }

        @Override
        public Editor putInt(String key, int value) {
            synchronized (this) {
                mModified.put(key, value);
                return this;
            }
        }

        @Override
        public Editor putLong(String key, long value) {
            synchronized (this) {
                mModified.put(key, value);
                return this;
            }
        }

        @Override
        public Editor putBoolean(String key, boolean value) {
            synchronized (this) {
                mModified.put(key, value);
                return this;
            }
        }

        @Override
        public Editor remove(String key) {
            synchronized (this) {
                mModified.put(key, this);
                return this;
            }
        }

        @Override
        public Editor clear() {
            synchronized (this) {
                mClear = true;
                return this;
            }
        }

        @Override
        public boolean commit() {
            commitToMemory();
            return true;
        }

        @Override
        public void apply() {
            commitToMemory();
        }

        private void commitToMemory() {
            synchronized (SharedPreferencesImpl.this) {
                synchronized (this) {
                    if (mClear) {
                        mMap.clear();
                        mClear = false;
                    }
                    for (Map.Entry<String, Object> e : mModified.entrySet()) {
                        if (e.getValue() == this || e.getValue() == null) {
                            mMap.remove(e.getKey());
                        } else {
                            mMap.put(e.getKey(), e.getValue());
                        }
                    }
                    mModified.clear();
                }
            }
        }
    }
}
