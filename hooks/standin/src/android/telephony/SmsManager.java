package android.telephony;

import android.app.PendingIntent;
import com.android.internal.standin.StandinLog;
import java.util.ArrayList;

/** Fake {@code android.telephony.SmsManager}: sending only logs the message. */
public final class SmsManager {
    private static final SmsManager DEFAULT = new SmsManager();

    private SmsManager() {}

    public static SmsManager getDefault() {
        return DEFAULT;
    }

    public void sendTextMessage(String destinationAddress, String scAddress, String text, PendingIntent sentIntent,
            PendingIntent deliveryIntent) {
        StandinLog.log("SMS", "to", destinationAddress, "text", text);
    }

    public void sendMultipartTextMessage(String destinationAddress, String scAddress, ArrayList<String> parts,
            ArrayList<PendingIntent> sentIntents, ArrayList<PendingIntent> deliveryIntents) {
        StandinLog.log("SMS", "to", destinationAddress, "text", String.join("", parts));
    }

    public void sendDataMessage(String destinationAddress, String scAddress, short destinationPort, byte[] data,
            PendingIntent sentIntent, PendingIntent deliveryIntent) {
        StandinLog.log("SMS", "to", destinationAddress, "bytes", data.length);
    }
}
