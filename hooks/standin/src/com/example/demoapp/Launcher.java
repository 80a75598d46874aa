package com.example.demoapp;

import android.app.ActivityThread;
import android.app.Application;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.util.Map;

/**
 * The demo app's scenario driver (app code, loaded through the APK's class loader): plays the rest of
 * Android's ActivityThread and the user for one scenario ({@code -Dstandin.scenario=demo|refuse|pinned|
 * all_apis|around|hammer|values}). The framework's {@code ActivityThread.main} binds the application
 * and calls it. See hooks/standin/README.md.
 */
public final class Launcher {
    private Launcher() {}

    public static final String PACKAGE = "com.example.demoapp";

    /** A scenario without the app's lifecycle (all_apis, around, hammer, values); returns the exit code. */
    public static int runScenario(String scenario) throws Exception {
        switch (scenario) {
            case "all_apis" -> ApiTour.run();
            case "around" -> AroundTour.run();
            case "hammer" -> Hammer.run();
            case "read_loop" -> ReadLoop.run();
            case "values" -> {
                for (Map.Entry<String, String> e : Fake.DEFAULTS.entrySet()) {
                    StandinLog.log("VALUE", "key", e.getKey(), "value", Fake.value(e.getKey()));
                }
            }
            default -> {
                StandinLog.log("ERROR", "where", "launcher", "error", "unknown scenario " + scenario);
                return 2;
            }
        }
        return 0;
    }

    private static void phase(int n, String name) {
        StandinLog.log("PHASE", "n", n, "name", name);
    }

    /**
     * The app's life after the framework bound it (phase 1): create, foreground + privacy dialog,
     * answer, background, exit. ActivityThread.main calls it through the APK's class loader.
     */
    public static void runApp(ActivityThread thread, Application app, String scenario) throws Exception {
        long workTimeout = Fake.longProp("standin.timeout_ms", 5000) * 3;

        phase(2, "application_oncreate");
        thread.getInstrumentation().callApplicationOnCreate(app);
        Work.awaitAll(workTimeout);

        phase(3, "foreground_privacy_dialog");
        MainActivity activity = (MainActivity) thread.handleLaunchActivity(thread.getPackageInfo().getMainActivityName(), null);
        thread.handleStartActivity(activity);
        thread.handleResumeActivity(activity);
        Thread.sleep(Fake.longProp("standin.consent_delay_ms", 1500));
        boolean agree = !scenario.equals("refuse") && !scenario.equals("refuse_exit");
        if (scenario.equals("refuse_permission") && System.getProperty("standin.deny_permissions") == null) {
            System.setProperty("standin.deny_permissions", "READ_CONTACTS"); // the user refuses the contacts
        }
        (agree ? activity.agreeButton() : activity.refuseButton()).performClick();
        Work.awaitAll(workTimeout);

        phase(4, agree ? "post_consent" : "post_refusal");
        activity.onPrivacyDialogDismissed();
        activity.deliverPermissionRequests(); // the looper's next turns: the permission dialogs and answers
        Work.awaitAll(workTimeout);

        phase(5, "background");
        thread.handlePauseActivity(activity);
        thread.handleStopActivity(activity);
        Work.awaitAll(workTimeout);
        if (scenario.equals("restart")) {
            // the system reclaims memory: the :push process is killed; its service is sticky, so the
            // system starts it again without the user (the app keeps itself alive)
            Thread.sleep(Fake.longProp("standin.restart.kill_after_ms", 1000));
            com.android.internal.standin.Zygote.killProcess(PACKAGE + ":push");
            com.android.internal.standin.Zygote.waitFor(PACKAGE + ":push"); // the app stays until its restarted push is done
        }

        phase(6, "exit");
        com.android.internal.standin.Display.settle(2000);
        Thread.sleep(Fake.longProp("standin.exit_delay_ms", 200));
    }
}
