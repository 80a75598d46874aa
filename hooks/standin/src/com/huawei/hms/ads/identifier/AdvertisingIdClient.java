package com.huawei.hms.ads.identifier;

import android.content.Context;
import com.android.internal.standin.Fake;
import java.io.IOException;

/** Fake Huawei HMS {@code AdvertisingIdClient} (the OAID on Huawei devices). */
public class AdvertisingIdClient {
    private AdvertisingIdClient() {}

    public static Info getAdvertisingIdInfo(Context context) throws IOException {
        return Fake.ret("com.huawei.hms.ads.identifier.AdvertisingIdClient#getAdvertisingIdInfo(android.content.Context)",
                new Info(Fake.value("huawei_oaid"), false));
    }

    public static boolean isAdvertisingIdAvailable(Context context) {
        return true;
    }

    /** Fake {@code AdvertisingIdClient$Info}. */
    public static final class Info {
        private final String advertisingId;
        private final boolean limitAdTrackingEnabled;

        public Info(String advertisingId, boolean limitAdTrackingEnabled) {
            this.advertisingId = advertisingId;
            this.limitAdTrackingEnabled = limitAdTrackingEnabled;
        }

        public String getId() {
            return Fake.ret("com.huawei.hms.ads.identifier.AdvertisingIdClient$Info#getId()", advertisingId);
        }

        public boolean isLimitAdTrackingEnabled() {
            return Fake.ret("com.huawei.hms.ads.identifier.AdvertisingIdClient$Info#isLimitAdTrackingEnabled()",
                    limitAdTrackingEnabled);
        }

        @Override
        public String toString() {
            return "Info{" + advertisingId + ", limit=" + limitAdTrackingEnabled + "}";
        }
    }
}
