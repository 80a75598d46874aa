package android.content;

/** Fake {@code android.content.ComponentName}. */
public final class ComponentName {
    private final String mPackage;
    private final String mClass;

    public ComponentName(String pkg, String cls) {
        mPackage = pkg;
        mClass = cls;
    }

    public ComponentName(Context context, Class<?> cls) {
        this(context.getPackageName(), cls.getName());
    }

    public String getPackageName() {
        return mPackage;
    }

    public String getClassName() {
        return mClass;
    }

    public String flattenToString() {
        return mPackage + "/" + mClass;
    }

    public String flattenToShortString() {
        return mClass.startsWith(mPackage + ".") ? mPackage + "/" + mClass.substring(mPackage.length()) : flattenToString();
    }

    @Override
    public String toString() {
        return "ComponentInfo{" + mPackage + "/" + mClass + "}";
    }
}
