package android.telephony;

import android.content.Context;
import android.telephony.gsm.GsmCellLocation;
import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/**
 * Fake {@code android.telephony.TelephonyManager}. Every overload returns its value directly;
 * no fake method calls another (the real {@code getImei()} calls {@code getImei(int)}).
 */
public class TelephonyManager {
    public static final int PHONE_TYPE_GSM = 1;
    public static final int SIM_STATE_READY = 5;

    private final Context mContext;

    /** @hide */
    public TelephonyManager(Context context) {
        mContext = context;
    }

    private static String imeiForSlot(int slotIndex) {
        return switch (slotIndex) {
            case 0 -> Fake.value("imei");
            case 1 -> Fake.value("imei2");
            default -> null;
        };
    }

    @Deprecated
    public String getDeviceId() {
        return Fake.ret("android.telephony.TelephonyManager#getDeviceId()", Fake.value("imei"));
    }

    @Deprecated
    public String getDeviceId(int slotIndex) {
        return Fake.ret("android.telephony.TelephonyManager#getDeviceId(int)", imeiForSlot(slotIndex));
    }

    public String getImei() {
        return Fake.ret("android.telephony.TelephonyManager#getImei()", Fake.value("imei"));
    }

    public String getImei(int slotIndex) {
        return Fake.ret("android.telephony.TelephonyManager#getImei(int)", imeiForSlot(slotIndex));
    }

    public String getMeid() {
        return Fake.ret("android.telephony.TelephonyManager#getMeid()", Fake.value("meid"));
    }

    public String getMeid(int slotIndex) {
        return Fake.ret("android.telephony.TelephonyManager#getMeid(int)", slotIndex == 0 ? Fake.value("meid") : null);
    }

    public String getSubscriberId() {
        return Fake.ret("android.telephony.TelephonyManager#getSubscriberId()", Fake.value("imsi"));
    }

    public String getSimSerialNumber() {
        return Fake.ret("android.telephony.TelephonyManager#getSimSerialNumber()", Fake.value("iccid"));
    }

    public String getLine1Number() {
        return Fake.ret("android.telephony.TelephonyManager#getLine1Number()", Fake.value("phone"));
    }

    /** @hide */
    public String getMsisdn() {
        return Fake.ret("android.telephony.TelephonyManager#getMsisdn()", Fake.value("phone"));
    }

    /** @hide */
    public String getNai() {
        return Fake.ret("android.telephony.TelephonyManager#getNai()", Fake.value("nai"));
    }

    public String getVoiceMailNumber() {
        return Fake.ret("android.telephony.TelephonyManager#getVoiceMailNumber()", Fake.value("voicemail"));
    }

    public List<CellInfo> getAllCellInfo() {
        List<CellInfo> out = new ArrayList<>();
        String op = Fake.value("network_operator");
        out.add(new CellInfoLte(new CellIdentityLte(op.substring(0, 3), op.substring(3),
                Fake.intValue("lte_ci"), Fake.intValue("lte_pci"), Fake.intValue("lte_tac"))));
        return Fake.ret("android.telephony.TelephonyManager#getAllCellInfo()", out);
    }

    @Deprecated
    public CellLocation getCellLocation() {
        GsmCellLocation loc = new GsmCellLocation();
        loc.setLacAndCid(Fake.intValue("gsm_lac"), Fake.intValue("gsm_cid"));
        return Fake.ret("android.telephony.TelephonyManager#getCellLocation()", loc);
    }

    public String getSimOperator() {
        return Fake.ret("android.telephony.TelephonyManager#getSimOperator()", Fake.value("sim_operator"));
    }

    public String getSimOperatorName() {
        return Fake.value("sim_operator_name");
    }

    public String getNetworkOperator() {
        return Fake.ret("android.telephony.TelephonyManager#getNetworkOperator()", Fake.value("network_operator"));
    }

    public String getSimCountryIso() {
        return Fake.value("sim_country_iso");
    }

    public int getNetworkType() {
        return 13; // NETWORK_TYPE_LTE
    }

    public java.util.List<UiccCardInfo> getUiccCardsInfo() {
        return java.util.List.of(new UiccCardInfo());
    }

    public String getNetworkOperatorName() {
        return Fake.value("sim_operator_name");
    }

    public int getPhoneType() {
        return PHONE_TYPE_GSM;
    }

    public int getPhoneCount() {
        return 2;
    }

    public int getSimState() {
        return SIM_STATE_READY;
    }

    // Getters other auditing tools hook (carrier, network state): stubs with the fake device's values.
    public int getDataActivity() {
        return 0;
    }

    public int getDataNetworkType() {
        return 13;
    }

    public int getVoiceNetworkType() {
        return 13;
    }

    public int getDataState() {
        return 2;
    }

    public String getDeviceSoftwareVersion() {
        return "01";
    }

    public String getGroupIdLevel1() {
        return null;
    }

    public String getNetworkCountryIso() {
        return Fake.value("sim_country_iso");
    }

    public int getSimCarrierId() {
        return 1435;
    }

    public CharSequence getSimCarrierIdName() {
        return Fake.value("sim_operator_name");
    }

    public boolean isNetworkRoaming() {
        return false;
    }
}
