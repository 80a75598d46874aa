package android.content.pm;

/** Fake {@code android.content.pm.ComponentInfo}. */
public class ComponentInfo extends PackageItemInfo {
    public ApplicationInfo applicationInfo;
    public String processName;
    public boolean enabled = true;
    public boolean exported;

    public ComponentInfo() {}
}
