package android.content.pm;

import android.content.Intent;
import android.util.AndroidException;
import java.util.List;

/** Fake {@code android.content.pm.PackageManager}; the app gets an {@code ApplicationPackageManager}. */
public abstract class PackageManager {
    public static final int GET_ACTIVITIES = 1;
    public static final int GET_META_DATA = 128;
    public static final int MATCH_ALL = 0x00020000;

    public PackageManager() {}

    public abstract List<PackageInfo> getInstalledPackages(int flags);

    public abstract List<ApplicationInfo> getInstalledApplications(int flags);

    public abstract List<ResolveInfo> queryIntentActivities(Intent intent, int flags);

    /** @hide */
    public abstract List<PackageInfo> getInstalledPackagesAsUser(int flags, int userId);

    /** @hide */
    public abstract List<ApplicationInfo> getInstalledApplicationsAsUser(int flags, int userId);

    public abstract List<ResolveInfo> queryIntentServices(Intent intent, int flags);

    public abstract List<PackageInfo> getPackagesHoldingPermissions(String[] permissions, int flags);

    public abstract PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException;

    /** Fake {@code android.content.pm.PackageManager$NameNotFoundException}. */
    public static class NameNotFoundException extends AndroidException {
        public NameNotFoundException() {}

        public NameNotFoundException(String name) {
            super(name);
        }
    }
}
