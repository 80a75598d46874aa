package com.example.demoapp;

import com.android.internal.standin.Fake;
import android.content.ClipData;
import java.net.InetAddress;
import android.app.admin.DevicePolicyManager;
import android.content.ContentValues;
import android.telephony.SmsManager;
import android.net.NetworkInfo;
import android.net.ConnectivityManager;
import android.telephony.UiccCardInfo;
import android.accounts.AccountManager;
import android.app.Activity;
import android.app.ActivityManager;
import android.app.ActivityThread;
import android.app.Application;
import android.bluetooth.BluetoothAdapter;
import android.bluetooth.BluetoothDevice;
import android.content.ClipboardManager;
import android.content.ContentResolver;
import android.content.Context;
import android.content.Intent;
import android.content.SharedPreferences;
import android.content.pm.PackageManager;
import android.hardware.Camera;
import android.hardware.Sensor;
import android.hardware.SensorEvent;
import android.hardware.SensorEventListener;
import android.hardware.SensorManager;
import android.hardware.camera2.CameraDevice;
import android.hardware.camera2.CameraManager;
import android.location.Geocoder;
import android.location.Location;
import android.location.LocationManager;
import android.media.AudioFormat;
import android.media.AudioRecord;
import android.media.MediaRecorder;
import android.net.Uri;
import android.net.wifi.WifiInfo;
import android.net.wifi.WifiManager;
import android.os.Build;
import android.os.Bundle;
import android.os.CancellationSignal;
import android.os.Handler;
import android.os.Looper;
import android.preference.PreferenceManager;
import android.provider.MediaStore;
import android.provider.Settings;
import android.telephony.CellIdentityLte;
import android.telephony.CellInfo;
import android.telephony.CellInfoLte;
import android.telephony.SubscriptionInfo;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import android.telephony.gsm.GsmCellLocation;
import android.widget.Button;
import cn.jiguang.api.utils.JCollectionAuth;
import com.alipay.apmobilesecuritysdk.rpc.BundledPins;
import com.amap.api.location.AMapLocation;
import com.amap.api.location.AMapLocationClient;
import com.amap.api.maps.MapsInitializer;
import com.amap.api.services.core.ServiceSettings;
import com.android.internal.standin.StandinLog;
import com.android.org.conscrypt.TrustManagerImpl;
import com.bun.miitmdid.core.MdidSdkHelper;
import com.bun.miitmdid.interfaces.IdSupplier;
import com.bytedance.sdk.openadsdk.TTAdSdk;
import com.umeng.commonsdk.UMConfigure;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.NetworkInterface;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.CertificatePinner;
import okhttp3.internal.tls.OkHostnameVerifier;

/**
 * The all_apis scenario: calls every fake API once (some more than once, with different arguments)
 * in the order of hooks/standin/APIS.txt, logging {@code API api=<class#method(params)> value=...}
 * right after each call. SDK side effects are switched off so no SDK adds reads of its own.
 */
final class ApiTour {
    private ApiTour() {}

    /** A call whose value (or exception, rendered as {@code !Type: message}) is logged. */
    interface Call {
        Object call() throws Throwable;
    }

    static final String VOID = "void";

    private static Object invoke(Call c) {
        try {
            return c.call();
        } catch (Throwable t) {
            Throwable e = t instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : t;
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            return "!" + e.getClass().getName() + ": " + (nl >= 0 ? m.substring(0, nl) : m);
        }
    }

    static Object api(String sig, Call c) {
        Object v = invoke(c);
        StandinLog.log("API", "api", sig, "value", v);
        return v;
    }

    static Object api(String sig, String args, Call c) {
        Object v = invoke(c);
        StandinLog.log("API", "api", sig, "args", args, "value", v);
        return v;
    }

    static void apiDelivered(String sig, String args, Call c, Object[] delivered) {
        Object v = invoke(c);
        StandinLog.log("API", "api", sig, "args", args, "value", v, "delivered", delivered[0]);
    }

    static void run() throws Exception {
        System.setProperty("standin.sdk_side_effects", "false");
        ActivityThread thread = new ActivityThread();
        Application app = thread.handleBindApplication(Launcher.PACKAGE, Application.class.getName());
        Context ctx = app;
        ContentResolver cr = ctx.getContentResolver();
        StandinLog.log("PHASE", "n", 1, "name", "api_tour");

        // ---------------------------------------------------------------- telephony
        String tmc = "android.telephony.TelephonyManager";
        TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
        api(tmc + "#getDeviceId()", tm::getDeviceId);
        api(tmc + "#getDeviceId(int)", "0", () -> tm.getDeviceId(0));
        api(tmc + "#getDeviceId(int)", "1", () -> tm.getDeviceId(1));
        api(tmc + "#getImei()", tm::getImei);
        api(tmc + "#getImei(int)", "0", () -> tm.getImei(0));
        api(tmc + "#getMeid()", tm::getMeid);
        api(tmc + "#getMeid(int)", "0", () -> tm.getMeid(0));
        api(tmc + "#getSubscriberId()", tm::getSubscriberId);
        api(tmc + "#getSimSerialNumber()", tm::getSimSerialNumber);
        api(tmc + "#getLine1Number()", tm::getLine1Number);
        api(tmc + "#getMsisdn()", tm::getMsisdn);
        api(tmc + "#getNai()", tm::getNai);
        api(tmc + "#getVoiceMailNumber()", tm::getVoiceMailNumber);
        @SuppressWarnings("unchecked")
        List<CellInfo> cells = (List<CellInfo>) api(tmc + "#getAllCellInfo()", tm::getAllCellInfo);
        CellIdentityLte lte = ((CellInfoLte) cells.get(0)).getCellIdentity();
        api("android.telephony.CellIdentityLte#getCi()", lte::getCi);
        api("android.telephony.CellIdentityLte#getTac()", lte::getTac);
        GsmCellLocation gsm = (GsmCellLocation) api(tmc + "#getCellLocation()", tm::getCellLocation);
        api("android.telephony.gsm.GsmCellLocation#getLac()", gsm::getLac);
        api("android.telephony.gsm.GsmCellLocation#getCid()", gsm::getCid);
        api(tmc + "#getSimOperator()", tm::getSimOperator);
        api(tmc + "#getNetworkOperator()", tm::getNetworkOperator);
        SubscriptionManager sm = SubscriptionManager.from(ctx);
        @SuppressWarnings("unchecked")
        List<SubscriptionInfo> subs = (List<SubscriptionInfo>) api(
                "android.telephony.SubscriptionManager#getActiveSubscriptionInfoList()", sm::getActiveSubscriptionInfoList);
        SubscriptionInfo si = subs.get(0);
        api("android.telephony.SubscriptionInfo#getIccId()", si::getIccId);
        api("android.telephony.SubscriptionInfo#getNumber()", si::getNumber);
        String smc = "android.telephony.SubscriptionManager";
        api(smc + "#getActiveSubscriptionInfo(int)", "1", () -> sm.getActiveSubscriptionInfo(1));
        api(smc + "#getActiveSubscriptionInfoForSimSlotIndex(int)", "0", () -> sm.getActiveSubscriptionInfoForSimSlotIndex(0));
        api(smc + "#getAccessibleSubscriptionInfoList()", sm::getAccessibleSubscriptionInfoList);
        api(smc + "#getPhoneNumber(int)", "1", () -> sm.getPhoneNumber(1));

        // ---------------------------------------------------------------- settings, build
        String secure = "android.provider.Settings$Secure#getString(android.content.ContentResolver,java.lang.String)";
        api(secure, "android_id", () -> Settings.Secure.getString(cr, Settings.Secure.ANDROID_ID));
        api(secure, "bluetooth_address", () -> Settings.Secure.getString(cr, "bluetooth_address"));
        api("android.provider.Settings$System#getString(android.content.ContentResolver,java.lang.String)", "android_id",
                () -> Settings.System.getString(cr, "android_id"));
        api("android.provider.Settings$Secure#getStringForUser(android.content.ContentResolver,java.lang.String,int)",
                "android_id,0", () -> Settings.Secure.getStringForUser(cr, Settings.Secure.ANDROID_ID, 0));
        api("android.provider.Settings$System#getStringForUser(android.content.ContentResolver,java.lang.String,int)",
                "android_id,0", () -> Settings.System.getStringForUser(cr, "android_id", 0));
        StandinLog.log("FIELD", "api", "android.os.Build#SERIAL", "value", Build.SERIAL);
        api("android.os.Build#getSerial()", Build::getSerial);
        Method buildGetString = Build.class.getDeclaredMethod("getString", String.class); // private, by reflection
        buildGetString.setAccessible(true);
        api("android.os.Build#getString(java.lang.String)", "ro.serialno", () -> buildGetString.invoke(null, "ro.serialno"));
        Class<?> sp = Class.forName("android.os.SystemProperties"); // by reflection, as SDKs do
        api("android.os.SystemProperties#get(java.lang.String)", "ro.serialno",
                () -> sp.getMethod("get", String.class).invoke(null, "ro.serialno"));
        api("android.os.SystemProperties#get(java.lang.String,java.lang.String)", "ro.product.model,unknown",
                () -> sp.getMethod("get", String.class, String.class).invoke(null, "ro.product.model", "unknown"));

        // ---------------------------------------------------------------- wifi, mac, bluetooth
        WifiManager wm = (WifiManager) ctx.getSystemService(Context.WIFI_SERVICE);
        WifiInfo wi = (WifiInfo) api("android.net.wifi.WifiManager#getConnectionInfo()", wm::getConnectionInfo);
        api("android.net.wifi.WifiInfo#getMacAddress()", wi::getMacAddress);
        api("android.net.wifi.WifiInfo#getBSSID()", wi::getBSSID);
        api("android.net.wifi.WifiInfo#getSSID()", wi::getSSID);
        api("android.net.wifi.WifiInfo#getIpAddress()", wi::getIpAddress);
        api("android.net.wifi.WifiManager#getScanResults()", wm::getScanResults);
        api("android.net.wifi.WifiManager#getDhcpInfo()", wm::getDhcpInfo);
        api("android.net.wifi.WifiManager#getConfiguredNetworks()", wm::getConfiguredNetworks);
        api("android.net.wifi.WifiManager#getFactoryMacAddresses()", wm::getFactoryMacAddresses);
        List<NetworkInterface> nis = Collections.list(NetworkInterface.getNetworkInterfaces());
        for (NetworkInterface ni : nis) {
            api("java.net.NetworkInterface#getHardwareAddress()", ni.getName(), ni::getHardwareAddress);
        }
        BluetoothAdapter ba = (BluetoothAdapter) api("android.bluetooth.BluetoothAdapter#getDefaultAdapter()",
                BluetoothAdapter::getDefaultAdapter);
        api("android.bluetooth.BluetoothAdapter#getAddress()", ba::getAddress);
        api("android.bluetooth.BluetoothAdapter#getName()", ba::getName);
        @SuppressWarnings("unchecked")
        Set<BluetoothDevice> bonded = (Set<BluetoothDevice>) api("android.bluetooth.BluetoothAdapter#getBondedDevices()",
                ba::getBondedDevices);
        api("android.bluetooth.BluetoothDevice#getAddress()", bonded.iterator().next()::getAddress);
        api("android.bluetooth.BluetoothAdapter#startDiscovery()", ba::startDiscovery);

        // ---------------------------------------------------------------- advertising ids, OAID
        String gms = "com.google.android.gms.ads.identifier.AdvertisingIdClient";
        var gInfo = (com.google.android.gms.ads.identifier.AdvertisingIdClient.Info) api(
                gms + "#getAdvertisingIdInfo(android.content.Context)",
                () -> com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo(ctx));
        api(gms + "$Info#getId()", gInfo::getId);
        api(gms + "$Info#isLimitAdTrackingEnabled()", gInfo::isLimitAdTrackingEnabled);
        String hms = "com.huawei.hms.ads.identifier.AdvertisingIdClient";
        var hInfo = (com.huawei.hms.ads.identifier.AdvertisingIdClient.Info) api(
                hms + "#getAdvertisingIdInfo(android.content.Context)",
                () -> com.huawei.hms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo(ctx));
        api(hms + "$Info#getId()", hInfo::getId);
        api(hms + "$Info#isLimitAdTrackingEnabled()", hInfo::isLimitAdTrackingEnabled);
        IdSupplier[] supplier = new IdSupplier[1];
        api("com.bun.miitmdid.core.MdidSdkHelper#InitSdk(android.content.Context,boolean,"
                + "com.bun.miitmdid.interfaces.IIdentifierListener)", () -> MdidSdkHelper.InitSdk(ctx, false, s -> supplier[0] = s));
        api("com.bun.miitmdid.supplier.DefaultIdSupplier#getOAID()", supplier[0]::getOAID);
        api("com.bun.miitmdid.supplier.DefaultIdSupplier#getVAID()", supplier[0]::getVAID);
        api("com.bun.miitmdid.supplier.DefaultIdSupplier#getAAID()", supplier[0]::getAAID);
        Class<?> xiaomi = Class.forName("com.android.id.impl.IdProviderImpl"); // by reflection, as on MIUI
        Object provider = xiaomi.getDeclaredConstructor().newInstance();
        for (String m : new String[] {"getOAID", "getVAID", "getAAID", "getUDID"}) {
            api("com.android.id.impl.IdProviderImpl#" + m + "(android.content.Context)",
                    () -> xiaomi.getMethod(m, Context.class).invoke(provider, ctx));
        }

        // ---------------------------------------------------------------- location
        LocationManager lm = (LocationManager) ctx.getSystemService(Context.LOCATION_SERVICE);
        Location loc = (Location) api("android.location.LocationManager#getLastKnownLocation(java.lang.String)", "gps",
                () -> lm.getLastKnownLocation(LocationManager.GPS_PROVIDER));
        api("android.location.Location#getLatitude()", loc::getLatitude);
        api("android.location.Location#getLongitude()", loc::getLongitude);
        api("android.location.Location#getAccuracy()", loc::getAccuracy);
        Object[] delivered = new Object[1];
        apiDelivered("android.location.LocationManager#requestLocationUpdates(java.lang.String,long,float,"
                + "android.location.LocationListener)", "gps,1000,0.0",
                () -> { lm.requestLocationUpdates(LocationManager.GPS_PROVIDER, 1000L, 0f, l -> delivered[0] = l); return VOID; },
                delivered);
        apiDelivered("android.location.LocationManager#getCurrentLocation(java.lang.String,android.os.CancellationSignal,"
                + "java.util.concurrent.Executor,java.util.function.Consumer)", "network",
                () -> { lm.getCurrentLocation(LocationManager.NETWORK_PROVIDER, new CancellationSignal(), Runnable::run,
                        l -> delivered[0] = l); return VOID; },
                delivered);
        apiDelivered("android.location.LocationManager#requestSingleUpdate(java.lang.String,android.location.LocationListener,"
                + "android.os.Looper)", "gps",
                () -> { lm.requestSingleUpdate(LocationManager.GPS_PROVIDER, l -> delivered[0] = l, Looper.getMainLooper());
                    return VOID; },
                delivered);
        api("android.location.Geocoder#getFromLocationName(java.lang.String,int)", "人民广场,1",
                () -> new Geocoder(ctx, Locale.CHINA).getFromLocationName("人民广场", 1));
        api("android.location.Geocoder#getFromLocation(double,double,int)", loc.getLatitude() + "," + loc.getLongitude() + ",1",
                () -> new Geocoder(ctx, Locale.CHINA).getFromLocation(loc.getLatitude(), loc.getLongitude(), 1));

        // ---------------------------------------------------------------- apps, processes
        PackageManager pm = ctx.getPackageManager();
        String apm = "android.app.ApplicationPackageManager";
        api(apm + "#getInstalledPackages(int)", "0", () -> pm.getInstalledPackages(0));
        api(apm + "#getInstalledApplications(int)", "128", () -> pm.getInstalledApplications(PackageManager.GET_META_DATA));
        api(apm + "#queryIntentActivities(android.content.Intent,int)", "MAIN/LAUNCHER,0",
                () -> pm.queryIntentActivities(new Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_LAUNCHER), 0));
        api(apm + "#getInstalledPackagesAsUser(int,int)", "0,0", () -> pm.getInstalledPackagesAsUser(0, 0));
        api(apm + "#getInstalledApplicationsAsUser(int,int)", "0,0", () -> pm.getInstalledApplicationsAsUser(0, 0));
        api(apm + "#queryIntentServices(android.content.Intent,int)", "cn.jpush.android.intent.DaemonService,0",
                () -> pm.queryIntentServices(new Intent("cn.jpush.android.intent.DaemonService"), 0));
        api(apm + "#getPackagesHoldingPermissions(java.lang.String[],int)", "android.permission.INTERNET,0",
                () -> pm.getPackagesHoldingPermissions(new String[] {"android.permission.INTERNET"}, 0));
        ActivityManager am = (ActivityManager) ctx.getSystemService(Context.ACTIVITY_SERVICE);
        api("android.app.ActivityManager#getRunningAppProcesses()", am::getRunningAppProcesses);
        api("android.app.ActivityManager#getRunningTasks(int)", "10", () -> am.getRunningTasks(10));
        api("android.app.ActivityManager#getRunningServices(int)", "10", () -> am.getRunningServices(10));
        api("android.app.ActivityManager#getRecentTasks(int,int)", "10,0", () -> am.getRecentTasks(10, 0));
        api("java.lang.Runtime#exec(java.lang.String[])", "/system/bin/pm,list,packages",
                () -> Runtime.getRuntime().exec(new String[] {"/system/bin/pm", "list", "packages"}));
        api("java.lang.ProcessBuilder#start()", "/system/bin/getprop,ro.serialno",
                () -> new ProcessBuilder("/system/bin/getprop", "ro.serialno").start());

        // ---------------------------------------------------------------- clipboard
        ClipboardManager cm = (ClipboardManager) ctx.getSystemService(Context.CLIPBOARD_SERVICE);
        api("android.content.ClipboardManager#hasPrimaryClip()", cm::hasPrimaryClip);
        api("android.content.ClipboardManager#getPrimaryClip()", cm::getPrimaryClip);
        api("android.content.ClipboardManager#getText()", cm::getText);
        api("android.content.ClipboardManager#getPrimaryClipDescription()", cm::getPrimaryClipDescription);
        api("android.content.ClipboardManager#addPrimaryClipChangedListener("
                + "android.content.ClipboardManager$OnPrimaryClipChangedListener)",
                () -> { cm.addPrimaryClipChangedListener(() -> { }); return VOID; });

        // ---------------------------------------------------------------- content providers
        String q5 = "android.content.ContentResolver#query(android.net.Uri,java.lang.String[],java.lang.String,"
                + "java.lang.String[],java.lang.String)";
        for (String u : new String[] {"content://com.android.contacts/data/phones", "content://sms/inbox",
                "content://call_log/calls", "content://com.android.calendar/events",
                "content://media/external/images/media"}) {
            api(q5, u, () -> cr.query(Uri.parse(u), null, null, null, null));
        }
        api("android.content.ContentResolver#query(android.net.Uri,java.lang.String[],java.lang.String,"
                + "java.lang.String[],java.lang.String,android.os.CancellationSignal)", "content://sms/inbox",
                () -> cr.query(Uri.parse("content://sms/inbox"), null, null, null, null, new CancellationSignal()));
        api("android.content.ContentResolver#query(android.net.Uri,java.lang.String[],android.os.Bundle,"
                + "android.os.CancellationSignal)", "content://com.android.contacts/contacts",
                () -> cr.query(Uri.parse("content://com.android.contacts/contacts"), null, new Bundle(), null));
        api("android.provider.MediaStore$Images$Media#query(android.content.ContentResolver,android.net.Uri,"
                + "java.lang.String[])", "content://media/external/images/media",
                () -> MediaStore.Images.Media.query(cr, MediaStore.Images.Media.EXTERNAL_CONTENT_URI, null));

        // ---------------------------------------------------------------- camera, microphone
        Camera cam = (Camera) api("android.hardware.Camera#open()", () -> Camera.open());
        api("android.hardware.Camera#startPreview()", () -> { cam.startPreview(); return VOID; });
        cam.stopPreview();
        cam.release();
        api("android.hardware.Camera#open(int)", "1", () -> Camera.open(1));
        CameraManager camm = (CameraManager) ctx.getSystemService(Context.CAMERA_SERVICE);
        apiDelivered("android.hardware.camera2.CameraManager#openCamera(java.lang.String,"
                + "android.hardware.camera2.CameraDevice$StateCallback,android.os.Handler)", "0",
                () -> { camm.openCamera("0", new CameraDevice.StateCallback() {
                    @Override
                    public void onOpened(CameraDevice camera) {
                        delivered[0] = camera;
                    }

                    @Override
                    public void onDisconnected(CameraDevice camera) {}

                    @Override
                    public void onError(CameraDevice camera, int error) {}
                }, new Handler()); return VOID; }, delivered);
        apiDelivered("android.hardware.camera2.CameraManager#openCamera(java.lang.String,java.util.concurrent.Executor,"
                + "android.hardware.camera2.CameraDevice$StateCallback)", "1",
                () -> { camm.openCamera("1", Runnable::run, new CameraDevice.StateCallback() {
                    @Override
                    public void onOpened(CameraDevice camera) {
                        delivered[0] = camera;
                    }

                    @Override
                    public void onDisconnected(CameraDevice camera) {}

                    @Override
                    public void onError(CameraDevice camera, int error) {}
                }); return VOID; }, delivered);
        AudioRecord rec = new AudioRecord(MediaRecorder.AudioSource.MIC, 44100, AudioFormat.CHANNEL_IN_MONO,
                AudioFormat.ENCODING_PCM_16BIT, AudioRecord.getMinBufferSize(44100, AudioFormat.CHANNEL_IN_MONO,
                        AudioFormat.ENCODING_PCM_16BIT));
        api("android.media.AudioRecord#startRecording()", () -> { rec.startRecording(); return VOID; });
        rec.stop();
        rec.release();
        MediaRecorder mr = new MediaRecorder();
        api("android.media.MediaRecorder#setAudioSource(int)", "1",
                () -> { mr.setAudioSource(MediaRecorder.AudioSource.MIC); return VOID; });
        api("android.media.MediaRecorder#setVideoSource(int)", "1", () -> { mr.setVideoSource(1); return VOID; });
        mr.setOutputFormat(MediaRecorder.OutputFormat.MPEG_4);
        mr.setAudioEncoder(MediaRecorder.AudioEncoder.AAC);
        mr.setOutputFile("/data/user/0/com.example.demoapp/cache/voice.m4a");
        mr.prepare();
        api("android.media.MediaRecorder#start()", () -> { mr.start(); return VOID; });
        mr.stop();
        mr.release();

        // ---------------------------------------------------------------- sensors, accounts
        SensorManager sens = (SensorManager) ctx.getSystemService(Context.SENSOR_SERVICE);
        api("android.hardware.SensorManager#getSensorList(int)", "-1", () -> sens.getSensorList(Sensor.TYPE_ALL));
        api("android.hardware.SensorManager#getDynamicSensorList(int)", "-1", () -> sens.getDynamicSensorList(Sensor.TYPE_ALL));
        Sensor accel = (Sensor) api("android.hardware.SensorManager#getDefaultSensor(int)", "1",
                () -> sens.getDefaultSensor(Sensor.TYPE_ACCELEROMETER));
        float[][] got = new float[1][];
        api("android.hardware.SensorManager#registerListener(android.hardware.SensorEventListener,"
                + "android.hardware.Sensor,int)", "accelerometer,3", () -> sens.registerListener(new SensorEventListener() {
                    @Override
                    public void onSensorChanged(SensorEvent event) {
                        got[0] = event.values.clone();
                    }

                    @Override
                    public void onAccuracyChanged(Sensor sensor, int accuracy) {}
                }, accel, SensorManager.SENSOR_DELAY_NORMAL));
        AccountManager acm = AccountManager.get(ctx);
        api("android.accounts.AccountManager#getAccounts()", acm::getAccounts);
        android.accounts.Account[] accs = (android.accounts.Account[]) api(
                "android.accounts.AccountManager#getAccountsByType(java.lang.String)", "com.google",
                () -> acm.getAccountsByType("com.google"));
        api("android.accounts.AccountManager#getAccountsByTypeForPackage(java.lang.String,java.lang.String)",
                "com.xiaomi,com.example.demoapp", () -> acm.getAccountsByTypeForPackage("com.xiaomi", Launcher.PACKAGE));
        api("android.accounts.AccountManager#getPassword(android.accounts.Account)", accs[0].name,
                () -> acm.getPassword(accs[0]));
        android.accounts.Account mi = acm.getAccountsByType("com.xiaomi")[0];
        api("android.accounts.AccountManager#getUserData(android.accounts.Account,java.lang.String)", mi.name + ",userId",
                () -> acm.getUserData(mi, "userId"));

        // ---------------------------------------------------------------- lifecycle, UI, prefs
        api("android.app.Instrumentation#callApplicationOnCreate(android.app.Application)",
                () -> { thread.getInstrumentation().callApplicationOnCreate(app); return VOID; });
        StandinLog.log("API", "api", "android.app.Application#onCreate()", "value", VOID);
        Activity[] act = new Activity[1];
        api("android.app.Instrumentation#callActivityOnCreate(android.app.Activity,android.os.Bundle)",
                () -> { act[0] = thread.handleLaunchActivity(TourActivity.class.getName(), null); return VOID; });
        StandinLog.log("API", "api", "android.app.Activity#onCreate(android.os.Bundle)", "value", VOID);
        TourActivity a = (TourActivity) act[0];
        api("android.app.Instrumentation#callActivityOnStart(android.app.Activity)",
                () -> { thread.handleStartActivity(a); return VOID; });
        StandinLog.log("API", "api", "android.app.Activity#onStart()", "value", VOID);
        api("android.app.Instrumentation#callActivityOnResume(android.app.Activity)",
                () -> { thread.handleResumeActivity(a); return VOID; });
        StandinLog.log("API", "api", "android.app.Activity#onResume()", "value", VOID);
        api("android.app.Activity#requestPermissions(java.lang.String[],int)", "android.permission.CAMERA,7",
                () -> { a.requestPermissions(new String[] {"android.permission.CAMERA"}, 7); return VOID; });
        Button b = new Button(a);
        b.setText("同意");
        boolean[] clicked = new boolean[1];
        api("android.view.View#setOnClickListener(android.view.View$OnClickListener)",
                () -> { b.setOnClickListener(v -> clicked[0] = true); return VOID; });
        api("android.view.View#performClick()", b::performClick);
        api("android.widget.TextView#getText()", b::getText);
        SharedPreferences.Editor e = PreferenceManager.getDefaultSharedPreferences(a).edit();
        String ed = "android.app.SharedPreferencesImpl$EditorImpl";
        api(ed + "#putString(java.lang.String,java.lang.String)", "IABTCF_TCString",
                () -> e.putString("IABTCF_TCString", MainActivity.TCF_ACCEPT_ALL));
        api(ed + "#putInt(java.lang.String,int)", "IABTCF_gdprApplies,1", () -> e.putInt("IABTCF_gdprApplies", 1));
        api(ed + "#commit()", e::commit);
        e.putString("IABTCF_PurposeConsents", "1111111111");
        api(ed + "#apply()", () -> { e.apply(); return VOID; });
        api("android.app.Instrumentation#callActivityOnPause(android.app.Activity)",
                () -> { thread.handlePauseActivity(a); return VOID; });
        StandinLog.log("API", "api", "android.app.Activity#onPause()", "value", VOID);
        api("android.app.Instrumentation#callActivityOnStop(android.app.Activity)",
                () -> { thread.handleStopActivity(a); return VOID; });
        StandinLog.log("API", "api", "android.app.Activity#onStop()", "value", VOID);

        // ---------------------------------------------------------------- SDK consent calls
        String um = "com.umeng.commonsdk.UMConfigure";
        api(um + "#preInit(android.content.Context,java.lang.String,java.lang.String)",
                () -> { UMConfigure.preInit(ctx, DemoApplication.UMENG_APPKEY, "demo"); return VOID; });
        api(um + "#init(android.content.Context,java.lang.String,java.lang.String,int,java.lang.String)",
                () -> { UMConfigure.init(ctx, DemoApplication.UMENG_APPKEY, "demo", UMConfigure.DEVICE_TYPE_PHONE, null);
                    return VOID; });
        api(um + "#submitPolicyGrantResult(android.content.Context,boolean)", "true",
                () -> { UMConfigure.submitPolicyGrantResult(ctx, true); return VOID; });
        api("cn.jiguang.api.utils.JCollectionAuth#setAuth(android.content.Context,boolean)", "true",
                () -> { JCollectionAuth.setAuth(ctx, true); return VOID; });
        api("com.amap.api.maps.MapsInitializer#updatePrivacyShow(android.content.Context,boolean,boolean)", "true,true",
                () -> { MapsInitializer.updatePrivacyShow(ctx, true, true); return VOID; });
        api("com.amap.api.maps.MapsInitializer#updatePrivacyAgree(android.content.Context,boolean)", "true",
                () -> { MapsInitializer.updatePrivacyAgree(ctx, true); return VOID; });
        api("com.amap.api.location.AMapLocationClient#updatePrivacyShow(android.content.Context,boolean,boolean)",
                "true,true", () -> { AMapLocationClient.updatePrivacyShow(ctx, true, true); return VOID; });
        api("com.amap.api.location.AMapLocationClient#updatePrivacyAgree(android.content.Context,boolean)", "true",
                () -> { AMapLocationClient.updatePrivacyAgree(ctx, true); return VOID; });
        api("com.amap.api.services.core.ServiceSettings#updatePrivacyShow(android.content.Context,boolean,boolean)",
                "true,true", () -> { ServiceSettings.updatePrivacyShow(ctx, true, true); return VOID; });
        api("com.amap.api.services.core.ServiceSettings#updatePrivacyAgree(android.content.Context,boolean)", "true",
                () -> { ServiceSettings.updatePrivacyAgree(ctx, true); return VOID; });
        AMapLocationClient amap = new AMapLocationClient(ctx);
        api("com.amap.api.location.AMapLocationClient#startLocation()", () -> { amap.startLocation(); return VOID; });
        AMapLocation aloc = (AMapLocation) api("com.amap.api.location.AMapLocationClient#getLastKnownLocation()",
                amap::getLastKnownLocation);
        api("com.amap.api.location.AMapLocation#getLatitude()", aloc::getLatitude);
        api("com.amap.api.location.AMapLocation#getLongitude()", aloc::getLongitude);
        amap.stopLocation();

        // ---------------------------------------------------------------- carrier, network state, probing, SMS, writes, IPs
        api(tmc + "#getSimOperatorName()", tm::getSimOperatorName);
        api(tmc + "#getNetworkOperatorName()", tm::getNetworkOperatorName);
        api(tmc + "#getSimCountryIso()", tm::getSimCountryIso);
        api(tmc + "#getNetworkType()", tm::getNetworkType);
        @SuppressWarnings("unchecked")
        List<UiccCardInfo> uicc = (List<UiccCardInfo>) api(tmc + "#getUiccCardsInfo()", tm::getUiccCardsInfo);
        api("android.telephony.UiccCardInfo#getIccId()", uicc.get(0)::getIccId);
        ConnectivityManager conn = (ConnectivityManager) ctx.getSystemService(Context.CONNECTIVITY_SERVICE);
        NetworkInfo net = (NetworkInfo) api("android.net.ConnectivityManager#getActiveNetworkInfo()", conn::getActiveNetworkInfo);
        api("android.net.NetworkInfo#getTypeName()", net::getTypeName);
        api("android.net.NetworkInfo#isConnected()", net::isConnected);
        api(apm + "#getPackageInfo(java.lang.String,int)", "com.tencent.mm,0", () -> pm.getPackageInfo("com.tencent.mm", 0));
        api(apm + "#getPackageInfo(java.lang.String,int)", "com.example.demoapp,0", () -> pm.getPackageInfo("com.example.demoapp", 0));
        api(apm + "#getPackageInfo(java.lang.String,int)", "com.not.installed,0", () -> pm.getPackageInfo("com.not.installed", 0));
        api("android.location.Location#getAltitude()", loc::getAltitude);
        api("android.location.Location#getProvider()", loc::getProvider);
        SmsManager smsManager = SmsManager.getDefault();
        api("android.telephony.SmsManager#sendTextMessage(java.lang.String,java.lang.String,java.lang.String,"
                + "android.app.PendingIntent,android.app.PendingIntent)", "10690000,DEMO-7731",
                () -> { smsManager.sendTextMessage("10690000", null, "DEMO-7731", null, null); return VOID; });
        ClipboardManager clipWriter = (ClipboardManager) ctx.getSystemService(Context.CLIPBOARD_SERVICE);
        api("android.content.ClipboardManager#setPrimaryClip(android.content.ClipData)", "invite",
                () -> { clipWriter.setPrimaryClip(ClipData.newPlainText("invite", "https://demoapp.example/i/7731")); return VOID; });
        ContentValues image = new ContentValues();
        image.put("_display_name", "IMG_0001.jpg");
        api("android.content.ContentResolver#insert(android.net.Uri,android.content.ContentValues)", "content://media/external/images/media",
                () -> ctx.getContentResolver().insert(Uri.parse("content://media/external/images/media"), image));
        api("java.net.InetAddress#getHostAddress()", Fake.value("ip"), () -> InetAddress.getByName(Fake.value("ip")).getHostAddress());
        api("java.net.InetAddress#getHostAddress()", "203.0.113.7", () -> InetAddress.getByName("203.0.113.7").getHostAddress());
        api("android.app.admin.DevicePolicyManager#getWifiMacAddress(android.content.ComponentName)",
                () -> new DevicePolicyManager().getWifiMacAddress(null));

        // ---------------------------------------------------------------- certificate pinning
        CertificatePinner pinner = new CertificatePinner.Builder().add(TTAdSdk.HOST, TTAdSdk.pin()).build();
        X509Certificate root = someTrustedCertificate();
        List<Certificate> peer = root == null ? List.of() : List.of(root);
        api("okhttp3.CertificatePinner#check(java.lang.String,java.util.List)", TTAdSdk.HOST,
                () -> { pinner.check(TTAdSdk.HOST, peer); return VOID; });
        api("okhttp3.CertificatePinner#check(java.lang.String,java.security.cert.Certificate[])", TTAdSdk.HOST,
                () -> { pinner.check(TTAdSdk.HOST, peer.toArray(new Certificate[0])); return VOID; });
        api("okhttp3.internal.tls.OkHostnameVerifier#verify(java.lang.String,java.security.cert.X509Certificate)",
                TTAdSdk.HOST, () -> OkHostnameVerifier.INSTANCE.verify(TTAdSdk.HOST, root));
        HttpsURLConnection unconnected = (HttpsURLConnection) new URL("https://" + TTAdSdk.HOST + "/").openConnection();
        api("javax.net.ssl.HttpsURLConnection#setSSLSocketFactory(javax.net.ssl.SSLSocketFactory)",
                () -> { unconnected.setSSLSocketFactory(SSLContext.getDefault().getSocketFactory()); return VOID; });
        api("javax.net.ssl.HttpsURLConnection#setHostnameVerifier(javax.net.ssl.HostnameVerifier)",
                () -> { unconnected.setHostnameVerifier(OkHostnameVerifier.INSTANCE); return VOID; });
        TrustManagerImpl tmi = new TrustManagerImpl(null, new BundledPins());
        X509Certificate[] chain = root == null ? new X509Certificate[0] : new X509Certificate[] {root};
        String host = "mobilegw.alipay.com";
        String tmic = "com.android.org.conscrypt.TrustManagerImpl";
        api(tmic + "#checkServerTrusted(java.security.cert.X509Certificate[],java.lang.String,java.lang.String)", host,
                () -> tmi.checkServerTrusted(chain, "RSA", host));
        api(tmic + "#checkServerTrusted(java.security.cert.X509Certificate[],java.lang.String)", host,
                () -> { tmi.checkServerTrusted(chain, "RSA"); return VOID; });
        Method rec2 = TrustManagerImpl.class.getDeclaredMethod("checkTrustedRecursive", X509Certificate[].class,
                byte[].class, byte[].class, String.class, boolean.class, ArrayList.class, ArrayList.class, Set.class);
        rec2.setAccessible(true);
        api(tmic + "#checkTrustedRecursive(java.security.cert.X509Certificate[],byte[],byte[],java.lang.String,boolean,"
                + "java.util.ArrayList,java.util.ArrayList,java.util.Set)", host,
                () -> rec2.invoke(tmi, chain, null, null, host, false, new ArrayList<X509Certificate>(),
                        new ArrayList<TrustAnchor>(), new HashSet<X509Certificate>()));
        Method verify = TrustManagerImpl.class.getDeclaredMethod("verifyChain", List.class, List.class, String.class,
                boolean.class, byte[].class, byte[].class);
        verify.setAccessible(true);
        api(tmic + "#verifyChain(java.util.List,java.util.List,java.lang.String,boolean,byte[],byte[])", host,
                () -> verify.invoke(tmi, List.of(chain), List.of(), host, false, null, null));
    }

    /** A certificate from the JVM's trust store, to give the pinning checks a real chain to reject. */
    private static X509Certificate someTrustedCertificate() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((java.security.KeyStore) null);
            for (TrustManager t : tmf.getTrustManagers()) {
                if (t instanceof X509TrustManager x && x.getAcceptedIssuers().length > 0) {
                    return x.getAcceptedIssuers()[0];
                }
            }
        } catch (Exception e) {
            StandinLog.log("ERROR", "where", "someTrustedCertificate", "error", e.toString());
        }
        return null;
    }
}
