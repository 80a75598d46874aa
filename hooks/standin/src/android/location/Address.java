package android.location;

import java.util.Locale;

/** Fake {@code android.location.Address}. */
public class Address {
    private final Locale mLocale;
    private String mAddressLine;
    private String mLocality;
    private String mAdminArea;
    private String mCountryName;
    private String mCountryCode;
    private double mLatitude;
    private double mLongitude;

    public Address(Locale locale) {
        mLocale = locale;
    }

    public String getAddressLine(int index) {
        return index == 0 ? mAddressLine : null;
    }

    public void setAddressLine(int index, String line) {
        if (index == 0) {
            mAddressLine = line;
        }
    }

    public int getMaxAddressLineIndex() {
        return mAddressLine == null ? -1 : 0;
    }

    public String getLocality() {
        return mLocality;
    }

    public void setLocality(String locality) {
        mLocality = locality;
    }

    public String getAdminArea() {
        return mAdminArea;
    }

    public void setAdminArea(String adminArea) {
        mAdminArea = adminArea;
    }

    public String getCountryName() {
        return mCountryName;
    }

    public void setCountryName(String countryName) {
        mCountryName = countryName;
    }

    public String getCountryCode() {
        return mCountryCode;
    }

    public void setCountryCode(String countryCode) {
        mCountryCode = countryCode;
    }

    public double getLatitude() {
        return mLatitude;
    }

    public void setLatitude(double latitude) {
        mLatitude = latitude;
    }

    public double getLongitude() {
        return mLongitude;
    }

    public void setLongitude(double longitude) {
        mLongitude = longitude;
    }

    @Override
    public String toString() {
        return "Address[addressLines=[0:\"" + mAddressLine + "\"],locality=" + mLocality + ",countryCode="
                + mCountryCode + ",latitude=" + mLatitude + ",longitude=" + mLongitude + "]";
    }
}
