package android.content.pm;

/** Fake {@code android.content.pm.ApplicationInfo}. */
public class ApplicationInfo extends PackageItemInfo {
    public static final int FLAG_SYSTEM = 1;

    public String processName;
    public String sourceDir;
    public String dataDir;
    public int flags;
    public int uid;
    public int targetSdkVersion = 33;

    public ApplicationInfo() {}

    @Override
    public String toString() {
        return "ApplicationInfo{" + Integer.toHexString(System.identityHashCode(this)) + " " + packageName + "}";
    }
}
