package android.content.pm;

/** Fake {@code android.content.pm.ServiceInfo}. */
public class ServiceInfo extends ComponentInfo {
    public ServiceInfo() {}

    @Override
    public String toString() {
        return "ServiceInfo{" + Integer.toHexString(System.identityHashCode(this)) + " " + name + "}";
    }
}
