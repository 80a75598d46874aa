package android.content;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Fake {@code android.content.Intent}. */
public class Intent {
    public static final String ACTION_MAIN = "android.intent.action.MAIN";
    public static final String ACTION_VIEW = "android.intent.action.VIEW";
    public static final String CATEGORY_LAUNCHER = "android.intent.category.LAUNCHER";
    public static final String ACTION_BOOT_COMPLETED = "android.intent.action.BOOT_COMPLETED";

    private String mAction;
    private String mPackage;
    private ComponentName mComponent;
    private final Set<String> mCategories = new LinkedHashSet<>();
    private final Map<String, Object> mExtras = new LinkedHashMap<>();

    public Intent() {}

    public Intent(String action) {
        mAction = action;
    }

    public Intent(Context packageContext, Class<?> cls) {
        mComponent = new ComponentName(packageContext.getPackageName(), cls.getName());
    }

    public Intent setAction(String action) {
        mAction = action;
        return this;
    }

    public String getAction() {
        return mAction;
    }

    public Intent addCategory(String category) {
        mCategories.add(category);
        return this;
    }

    public Set<String> getCategories() {
        return mCategories;
    }

    public Intent setPackage(String packageName) {
        mPackage = packageName;
        return this;
    }

    public String getPackage() {
        return mPackage;
    }

    public Intent setComponent(ComponentName component) {
        mComponent = component;
        return this;
    }

    public ComponentName getComponent() {
        return mComponent;
    }

    public Intent putExtra(String name, String value) {
        mExtras.put(name, value);
        return this;
    }

    public Intent putExtra(String name, String[] value) {
        mExtras.put(name, value);
        return this;
    }

    public Intent putExtra(String name, int[] value) {
        mExtras.put(name, value);
        return this;
    }

    public String getStringExtra(String name) {
        Object value = mExtras.get(name);
        return value instanceof String s ? s : null;
    }

    public String[] getStringArrayExtra(String name) {
        Object value = mExtras.get(name);
        return value instanceof String[] a ? a : null;
    }

    public int[] getIntArrayExtra(String name) {
        Object value = mExtras.get(name);
        return value instanceof int[] a ? a : null;
    }

    public Intent setClassName(String packageName, String className) {
        mComponent = new ComponentName(packageName, className);
        return this;
    }

    @Override
    public String toString() {
        return "Intent { act=" + mAction + (mCategories.isEmpty() ? "" : " cat=" + mCategories)
                + (mComponent == null ? "" : " cmp=" + mComponent.flattenToShortString()) + " }";
    }
}
