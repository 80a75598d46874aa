package android.content.pm;

/** Fake {@code android.content.pm.PackageItemInfo}. */
public class PackageItemInfo {
    public String name;
    public String packageName;
    public CharSequence nonLocalizedLabel;

    public PackageItemInfo() {}
}
