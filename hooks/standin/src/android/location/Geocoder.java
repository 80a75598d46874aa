package android.location;

import android.content.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Fake {@code android.location.Geocoder}: reverse geocoding to one fixed address. */
public final class Geocoder {
    private final Locale mLocale;

    public Geocoder(Context context) {
        this(context, Locale.getDefault());
    }

    public Geocoder(Context context, Locale locale) {
        mLocale = locale;
    }

    public static boolean isPresent() {
        return true;
    }

    @Deprecated
    public List<Address> getFromLocationName(String locationName, int maxResults) throws IOException {
        List<Address> out = new ArrayList<>();
        if (maxResults > 0 && locationName != null && !locationName.isEmpty()) {
            Address a = new Address(mLocale);
            a.setAddressLine(0, locationName);
            a.setCountryCode("CN");
            a.setLatitude(31.2397);
            a.setLongitude(121.4998);
            out.add(a);
        }
        return com.android.internal.standin.Fake.ret(
                "android.location.Geocoder#getFromLocationName(java.lang.String,int)", out);
    }

    @Deprecated
    public List<Address> getFromLocation(double latitude, double longitude, int maxResults) throws IOException {
        List<Address> out = new ArrayList<>();
        if (maxResults > 0) {
            Address a = new Address(mLocale);
            a.setAddressLine(0, "上海市黄浦区人民大道200号");
            a.setLocality("上海市");
            a.setAdminArea("上海市");
            a.setCountryName("中国");
            a.setCountryCode("CN");
            a.setLatitude(latitude);
            a.setLongitude(longitude);
            out.add(a);
        }
        return com.android.internal.standin.Fake.ret(
                "android.location.Geocoder#getFromLocation(double,double,int)", out);
    }
}
