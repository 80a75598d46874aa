package android.content.pm;

/** Fake {@code android.content.pm.ResolveInfo}. */
public class ResolveInfo {
    public ActivityInfo activityInfo;
    public ServiceInfo serviceInfo;
    public int priority;

    public ResolveInfo() {}

    @Override
    public String toString() {
        return "ResolveInfo{" + Integer.toHexString(System.identityHashCode(this)) + " "
                + (activityInfo != null ? activityInfo.packageName + "/" + activityInfo.name
                        : serviceInfo != null ? serviceInfo.packageName + "/" + serviceInfo.name : "") + "}";
    }
}
