package com.example.demoapp;

import android.app.ActivityThread;
import android.app.Application;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import com.android.internal.standin.Work;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The stand-in's main class: plays Android's ActivityThread for the demo app and runs one scenario
 * ({@code -Dstandin.scenario=demo|refuse|pinned|all_apis|hammer|values}). See hooks/standin/README.md.
 */
public final class Launcher {
    private Launcher() {}

    public static final String PACKAGE = "com.example.demoapp";

    public static void main(String[] args) throws Exception {
        String scenario = Fake.prop("standin.scenario", "demo");
        long pid = ProcessHandle.current().pid();
        if (Fake.flag("standin.wait_for_stdin", false)) {
            StandinLog.log("READY", "pid", pid, "scenario", scenario);
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        StandinLog.log("BOOT", "scenario", scenario, "pid", pid, "network", Fake.flag("standin.network", true),
                "java", System.getProperty("java.version"));
        int code = 0;
        try {
            switch (scenario) {
                case "demo", "refuse", "pinned" -> runApp(scenario);
                case "all_apis" -> ApiTour.run();
                case "hammer" -> Hammer.run();
                case "values" -> {
                    for (Map.Entry<String, String> e : Fake.DEFAULTS.entrySet()) {
                        StandinLog.log("VALUE", "key", e.getKey(), "value", Fake.value(e.getKey()));
                    }
                }
                default -> {
                    StandinLog.log("ERROR", "where", "launcher", "error", "unknown scenario " + scenario);
                    code = 2;
                }
            }
        } catch (Throwable t) {
            StandinLog.log("ERROR", "where", "launcher", "error", t.toString());
            t.printStackTrace();
            code = 1;
        }
        if (code == 0) {
            StandinLog.log("DONE", "scenario", scenario, "msg", "scenario done");
        }
        System.exit(code);
    }

    private static void phase(int n, String name) {
        StandinLog.log("PHASE", "n", n, "name", name);
    }

    /** The app's life: bind, create, foreground + privacy dialog, answer, background, exit. */
    static void runApp(String scenario) throws Exception {
        long workTimeout = Fake.longProp("standin.timeout_ms", 5000) * 3;
        ActivityThread thread = new ActivityThread();

        phase(1, "before_application_oncreate");
        Application app = thread.handleBindApplication(PACKAGE, DemoApplication.class.getName());

        phase(2, "application_oncreate");
        thread.getInstrumentation().callApplicationOnCreate(app);
        Work.awaitAll(workTimeout);

        phase(3, "foreground_privacy_dialog");
        MainActivity activity = (MainActivity) thread.handleLaunchActivity(MainActivity.class.getName(), null);
        thread.handleStartActivity(activity);
        thread.handleResumeActivity(activity);
        Thread.sleep(Fake.longProp("standin.consent_delay_ms", 1500));
        boolean agree = !scenario.equals("refuse");
        (agree ? activity.agreeButton() : activity.refuseButton()).performClick();
        Work.awaitAll(workTimeout);

        phase(4, agree ? "post_consent" : "post_refusal");
        activity.onPrivacyDialogDismissed();
        Work.awaitAll(workTimeout);

        phase(5, "background");
        thread.handlePauseActivity(activity);
        thread.handleStopActivity(activity);
        Work.awaitAll(workTimeout);

        phase(6, "exit");
        Thread.sleep(Fake.longProp("standin.exit_delay_ms", 200));
    }
}
