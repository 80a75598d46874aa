package com.example.demoapp;

import android.app.Activity;
import android.content.Context;
import android.content.SharedPreferences;
import android.os.Bundle;
import android.preference.PreferenceManager;
import android.widget.Button;
import cn.jiguang.api.utils.JCollectionAuth;
import cn.jpush.android.api.JPushInterface;
import com.alipay.apmobilesecuritysdk.face.APSecuritySdk;
import com.amap.api.location.AMapLocationClient;
import com.amap.api.maps.MapsInitializer;
import com.android.internal.standin.Display;
import com.android.internal.standin.StandinLog;
import com.bytedance.sdk.openadsdk.TTAdSdk;
import com.igexin.sdk.PushManager;
import com.qq.e.comm.managers.GDTAdSdk;
import com.tencent.bugly.crashreport.CrashReport;
import com.umeng.analytics.MobclickAgent;
import com.umeng.commonsdk.UMConfigure;

/**
 * The demo app's activity: shows the privacy dialog (buttons "同意" / "不同意"); the launcher clicks
 * one. The click listeners only pass the answer to the SDKs (the consent signals); what the app does
 * next runs when the dialog is dismissed ({@link #onPrivacyDialogDismissed}).
 */
public class MainActivity extends Activity {
    static final String PERMISSION_FINE_LOCATION = "android.permission.ACCESS_FINE_LOCATION";
    static final String PERMISSION_COARSE_LOCATION = "android.permission.ACCESS_COARSE_LOCATION";
    static final int REQUEST_LOCATION = 100;
    static final int REQUEST_BUNDLE = 200;
    static final int REQUEST_CONTACTS_AGAIN = 201;
    static final String PERMISSION_PHONE_STATE = "android.permission.READ_PHONE_STATE";
    static final String PERMISSION_CONTACTS = "android.permission.READ_CONTACTS";
    /** A TC string with purposes 1-10 consented (CMP "accept all"). */
    static final String TCF_ACCEPT_ALL = "CP0gTAAP0gTAAAGABCENAsEsAP_gAEPgAAqIJgNV_H__bW9r8X7_aft0eY1P9_j77sQxBhfJE-4FzLvW_JwXx2ExNA36tqIKmRIEu3bBIQNlHJDUTVCgaogVryDMakWcoTNKJ6BkiFMRO2dYCF5vmQtj-QKY5vr993dx2D-t_dv83dzyz4VHn3a5_2e0WJCdA58tDfv9bROb-9IPd_58v4v8_F_rE2_eT1l_tevp7D9-ct87_XW-9_fff79Ll9-gAA";
    /** A TC string with no purpose consented (CMP "reject all"). */
    static final String TCF_REJECT_ALL = "CP0gTAAP0gTAAAGABCENAsEgAAAAAAAAAAqIAAAAAAAA.YAAAAAAAAAAA";

    private Button mAgree;
    private Button mRefuse;
    private volatile Boolean mAnswer;
    private AMapLocationClient mLocationClient;

    public MainActivity() {}

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        StandinLog.log("LIFECYCLE", "event", "MainActivity.onCreate", "foreground", false);
        mAgree = new Button(this);
        mAgree.setText("同意");
        mAgree.setOnClickListener(v -> onPrivacyAnswer(true));
        mRefuse = new Button(this);
        mRefuse.setText("不同意");
        mRefuse.setOnClickListener(v -> onPrivacyAnswer(false));
        StandinLog.log("DIALOG", "name", "privacy", "buttons", mAgree.getText() + "," + mRefuse.getText());
        Display.show("privacy");
    }

    @Override
    protected void onResume() {
        super.onResume();
        MobclickAgent.onResume(this);
        StandinLog.log("LIFECYCLE", "event", "MainActivity.onResume", "foreground", true);
    }

    @Override
    protected void onPause() {
        StandinLog.log("LIFECYCLE", "event", "MainActivity.onPause", "foreground", false);
        super.onPause();
        MobclickAgent.onPause(this);
        if (DemoApplication.scenario().equals("retest") && mLocationClient != null) {
            mLocationClient.stopLocation(); // rectified: no location once the app leaves the screen
            mLocationClient = null;
        }
    }

    @Override
    protected void onStop() {
        StandinLog.log("LIFECYCLE", "event", "MainActivity.onStop", "foreground", false);
        Display.show("home");
        super.onStop(); // lifecycle callbacks: AMap starts its background location report here
        if (DemoApplication.scenario().equals("retest")) {
            InviteCodeChecker.check(this); // new in the retest build: the invite-code check moved here (background)
        }
    }

    Button agreeButton() {
        return mAgree;
    }

    Button refuseButton() {
        return mRefuse;
    }

    private void onPrivacyAnswer(boolean agreed) {
        mAnswer = agreed;
        Context app = getApplicationContext();
        StandinLog.log("CONSENT", "choice", agreed ? "agree" : "refuse",
                "button", (agreed ? mAgree : mRefuse).getText());
        Display.show("main"); // the dialog is gone
        if (agreed && DemoApplication.scenario().equals("retest")) {
            // rectified: Umeng starts collecting only once the user agreed
            UMConfigure.init(app, DemoApplication.UMENG_APPKEY, "demo", UMConfigure.DEVICE_TYPE_PHONE, null);
        }
        UMConfigure.submitPolicyGrantResult(app, agreed);
        MapsInitializer.updatePrivacyShow(app, true, true);
        MapsInitializer.updatePrivacyAgree(app, agreed);
        AMapLocationClient.updatePrivacyShow(app, true, true);
        AMapLocationClient.updatePrivacyAgree(app, agreed);
        JCollectionAuth.setAuth(app, agreed);
        PushManager.getInstance().setPrivacyPolicyStrategy(app, agreed);
        SharedPreferences.Editor e = PreferenceManager.getDefaultSharedPreferences(app).edit();
        e.putString("IABTCF_TCString", agreed ? TCF_ACCEPT_ALL : TCF_REJECT_ALL);
        e.putInt("IABTCF_gdprApplies", 1);
        e.apply();
        if (!agreed && DemoApplication.scenario().equals("refuse_exit")) {
            // "不同意" closes the app: the refusal scenario labs test for (T/TAF 078.4)
            StandinLog.log("INFO", "where", "MainActivity", "msg", "privacy policy refused: exiting");
            finish();
            System.exit(0);
        }
    }

    /** What the app does once the dialog is gone (the launcher calls it at the start of phase 4). */
    void onPrivacyDialogDismissed() throws Exception {
        String scenario = DemoApplication.scenario();
        if (Boolean.TRUE.equals(mAnswer)) {
            if (scenario.equals("refuse_permission")) {
                // an explanation screen, then phone, location and contacts all at once at start-up
                new android.app.AlertDialog.Builder(this).setTitle("权限说明")
                        .setMessage("为了向您推荐附近的内容和好友，我们需要获取电话状态、位置和通讯录权限").show();
                requestPermissions(new String[] {PERMISSION_PHONE_STATE, PERMISSION_FINE_LOCATION, PERMISSION_CONTACTS}, REQUEST_BUNDLE);
                return;
            }
            if (scenario.equals("pinned")) {
                TTAdSdk.init(this, "5012345");
                APSecuritySdk.getInstance(this).initToken();
                return;
            }
            requestPermissions(new String[] {PERMISSION_FINE_LOCATION, PERMISSION_COARSE_LOCATION}, REQUEST_LOCATION);
            CrashReport.setUserId(getApplicationContext(), "demo-user-42");
            mLocationClient = new AMapLocationClient(getApplicationContext());
            mLocationClient.setLocationListener(loc -> StandinLog.log("INFO", "msg", "amap location delivered",
                    "value", loc.getLatitude() + "," + loc.getLongitude()));
            mLocationClient.startLocation();
            GDTAdSdk.initWithPlugin(getApplicationContext(), "1101152570", true); // a plugin SDK, loaded now
        } else {
            // Post-refusal behaviour: the app tracks the refusal with Umeng (which sends device ids),
            // initialises JPush anyway, and asks for location again right after the refusal.
            MobclickAgent.onEvent(getApplicationContext(), "privacy_refused");
            JPushInterface.init(getApplicationContext());
            requestPermissions(new String[] {PERMISSION_FINE_LOCATION}, REQUEST_LOCATION);
        }
    }

    @Override
    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        boolean granted = grantResults.length > 0 && grantResults[0] == 0;
        StandinLog.log("PERMISSION", "request", requestCode, "permissions", String.join(",", permissions),
                "granted", granted);
        if (requestCode == REQUEST_LOCATION && granted && Boolean.TRUE.equals(mAnswer)) {
            NearbyRepository.refresh(this);
        }
        if (requestCode == REQUEST_BUNDLE && checkSelfPermission(PERMISSION_CONTACTS) != 0) {
            requestPermissions(new String[] {PERMISSION_CONTACTS}, REQUEST_CONTACTS_AGAIN); // asks again at once
        } else if (requestCode == REQUEST_CONTACTS_AGAIN && checkSelfPermission(PERMISSION_CONTACTS) != 0) {
            StandinLog.log("INFO", "where", "MainActivity", "msg", "contacts refused: exiting");
            finish();
            System.exit(0);
        }
    }
}
