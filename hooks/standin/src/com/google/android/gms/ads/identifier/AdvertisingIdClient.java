package com.google.android.gms.ads.identifier;

import android.content.Context;
import com.android.internal.standin.Fake;
import java.io.IOException;

/** Fake Google Play services {@code AdvertisingIdClient}. */
public class AdvertisingIdClient {
    private final Context mContext;

    public AdvertisingIdClient(Context context) {
        mContext = context;
    }

    public static Info getAdvertisingIdInfo(Context context) throws IOException, IllegalStateException {
        return Fake.ret("com.google.android.gms.ads.identifier.AdvertisingIdClient#getAdvertisingIdInfo("
                + "android.content.Context)", new Info(Fake.value("gaid"), false));
    }

    /** Fake {@code AdvertisingIdClient$Info}. */
    public static final class Info {
        private final String mAdvertisingId;
        private final boolean mLimitAdTrackingEnabled;

        public Info(String advertisingId, boolean limitAdTrackingEnabled) {
            mAdvertisingId = advertisingId;
            mLimitAdTrackingEnabled = limitAdTrackingEnabled;
        }

        public String getId() {
            return Fake.ret("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info#getId()", mAdvertisingId);
        }

        public boolean isLimitAdTrackingEnabled() {
            return Fake.ret("com.google.android.gms.ads.identifier.AdvertisingIdClient$Info#isLimitAdTrackingEnabled()",
                    mLimitAdTrackingEnabled);
        }

        @Override
        public String toString() {
            return "{" + mAdvertisingId + "}" + mLimitAdTrackingEnabled;
        }
    }
}
