package android.app;

import android.content.Intent;
import android.content.pm.ActivityInfo;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.ResolveInfo;
import android.content.pm.ServiceInfo;
import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.app.ApplicationPackageManager}: the installed-app list lives here. */
public class ApplicationPackageManager extends PackageManager {
    private final ContextImpl mContext;

    ApplicationPackageManager(ContextImpl context) {
        mContext = context;
    }

    private static ApplicationInfo appInfo(String pkg, int index) {
        ApplicationInfo ai = new ApplicationInfo();
        ai.packageName = pkg;
        ai.name = null;
        ai.processName = pkg;
        ai.uid = 10100 + index;
        ai.sourceDir = "/data/app/" + pkg + "-1/base.apk";
        ai.dataDir = "/data/user/0/" + pkg;
        ai.flags = pkg.startsWith("com.android.") ? ApplicationInfo.FLAG_SYSTEM : 0;
        return ai;
    }

    private static PackageInfo packageInfo(String pkg, int index) {
        PackageInfo pi = new PackageInfo();
        pi.packageName = pkg;
        pi.versionName = "1." + index + ".0";
        pi.versionCode = 100 + index;
        pi.firstInstallTime = 1704067200000L + index * 86400000L;
        pi.lastUpdateTime = pi.firstInstallTime;
        pi.applicationInfo = appInfo(pkg, index);
        return pi;
    }

    @Override
    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> out = new ArrayList<>();
        String[] pkgs = Fake.listValue("installed_packages");
        for (int i = 0; i < pkgs.length; i++) {
            out.add(packageInfo(pkgs[i], i));
        }
        return Fake.ret("android.app.ApplicationPackageManager#getInstalledPackages(int)", out);
    }

    @Override
    public List<ApplicationInfo> getInstalledApplications(int flags) {
        List<ApplicationInfo> out = new ArrayList<>();
        String[] pkgs = Fake.listValue("installed_packages");
        for (int i = 0; i < pkgs.length; i++) {
            out.add(appInfo(pkgs[i], i));
        }
        return Fake.ret("android.app.ApplicationPackageManager#getInstalledApplications(int)", out);
    }

    @Override
    public List<ResolveInfo> queryIntentActivities(Intent intent, int flags) {
        List<ResolveInfo> out = new ArrayList<>();
        String[] pkgs = Fake.listValue("installed_packages");
        for (int i = 0; i < pkgs.length; i++) {
            ResolveInfo ri = new ResolveInfo();
            ri.activityInfo = new ActivityInfo();
            ri.activityInfo.packageName = pkgs[i];
            ri.activityInfo.name = pkgs[i] + ".MainActivity";
            ri.activityInfo.applicationInfo = appInfo(pkgs[i], i);
            ri.activityInfo.exported = true;
            out.add(ri);
        }
        return Fake.ret("android.app.ApplicationPackageManager#queryIntentActivities(android.content.Intent,int)", out);
    }

    private static List<PackageInfo> packages() {
        List<PackageInfo> out = new ArrayList<>();
        String[] pkgs = Fake.listValue("installed_packages");
        for (int i = 0; i < pkgs.length; i++) {
            out.add(packageInfo(pkgs[i], i));
        }
        return out;
    }

    @Override
    public List<PackageInfo> getInstalledPackagesAsUser(int flags, int userId) {
        return Fake.ret("android.app.ApplicationPackageManager#getInstalledPackagesAsUser(int,int)", packages());
    }

    @Override
    public List<ApplicationInfo> getInstalledApplicationsAsUser(int flags, int userId) {
        List<ApplicationInfo> out = new ArrayList<>();
        for (PackageInfo p : packages()) {
            out.add(p.applicationInfo);
        }
        return Fake.ret("android.app.ApplicationPackageManager#getInstalledApplicationsAsUser(int,int)", out);
    }

    @Override
    public List<ResolveInfo> queryIntentServices(Intent intent, int flags) {
        List<ResolveInfo> out = new ArrayList<>();
        for (PackageInfo p : packages()) {
            ResolveInfo ri = new ResolveInfo();
            ri.activityInfo = null;
            ri.serviceInfo = new ServiceInfo();
            ri.serviceInfo.packageName = p.packageName;
            ri.serviceInfo.name = p.packageName + ".push.PushService";
            ri.serviceInfo.applicationInfo = p.applicationInfo;
            out.add(ri);
        }
        return Fake.ret("android.app.ApplicationPackageManager#queryIntentServices(android.content.Intent,int)", out);
    }

    @Override
    public List<PackageInfo> getPackagesHoldingPermissions(String[] permissions, int flags) {
        return Fake.ret("android.app.ApplicationPackageManager#getPackagesHoldingPermissions(java.lang.String[],int)",
                packages());
    }

    @Override
    public PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException {
        String[] pkgs = Fake.listValue("installed_packages");
        for (int i = 0; i < pkgs.length; i++) {
            if (pkgs[i].equals(packageName)) {
                return packageInfo(pkgs[i], i);
            }
        }
        throw new NameNotFoundException(packageName);
    }

    public android.content.pm.ApplicationInfo getApplicationInfo(String packageName, int flags) throws NameNotFoundException {
        return getPackageInfo(packageName, flags).applicationInfo;
    }

    public String getInstallerPackageName(String packageName) {
        return "com.xiaomi.market";
    }

    public android.content.Intent getLaunchIntentForPackage(String packageName) {
        return new android.content.Intent(android.content.Intent.ACTION_MAIN).setPackage(packageName);
    }

    public int getPackageUid(String packageName, int flags) throws NameNotFoundException {
        getPackageInfo(packageName, flags);
        return 10000 + Math.abs(packageName.hashCode() % 1000);
    }
}
