package android.content.pm;

/** Fake {@code android.content.pm.ActivityInfo}. */
public class ActivityInfo extends ComponentInfo {
    public ActivityInfo() {}

    @Override
    public String toString() {
        return "ActivityInfo{" + Integer.toHexString(System.identityHashCode(this)) + " " + name + "}";
    }
}
