package android.content.pm;

/** Fake {@code android.content.pm.PackageInfo}. */
public class PackageInfo {
    public String packageName;
    public String versionName;
    public int versionCode;
    public long firstInstallTime;
    public long lastUpdateTime;
    public ApplicationInfo applicationInfo;

    public PackageInfo() {}

    @Override
    public String toString() {
        return "PackageInfo{" + Integer.toHexString(System.identityHashCode(this)) + " " + packageName + "}";
    }
}
