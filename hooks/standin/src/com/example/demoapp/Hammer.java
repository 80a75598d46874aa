package com.example.demoapp;

import android.app.ActivityThread;
import android.app.Application;
import android.content.Context;
import android.telephony.TelephonyManager;
import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import java.util.concurrent.CountDownLatch;

/**
 * The hammer scenario: {@code TelephonyManager.getDeviceId()} in a tight loop, {@code -Dstandin.n}
 * calls on each of {@code -Dstandin.threads} threads, after {@code -Dstandin.warmup} warm-up calls.
 * Logs {@code HAMMER stage=result ... ns_per_call=..} (mean per-thread time per call).
 */
final class Hammer {
    private Hammer() {}

    static volatile int sink;

    static void run() throws Exception {
        int threads = (int) Fake.longProp("standin.threads", 4);
        long n = Fake.longProp("standin.n", 100000);
        long warmup = Fake.longProp("standin.warmup", 20000);
        ActivityThread thread = new ActivityThread();
        Application app = thread.handleBindApplication(Launcher.PACKAGE, Application.class.getName());
        TelephonyManager tm = (TelephonyManager) app.getSystemService(Context.TELEPHONY_SERVICE);

        StandinLog.log("HAMMER", "stage", "warmup", "n", warmup);
        int acc = 0;
        for (long i = 0; i < warmup; i++) {
            acc += tm.getDeviceId().length();
        }
        sink = acc;

        StandinLog.log("HAMMER", "stage", "start", "threads", threads, "n", n);
        CountDownLatch start = new CountDownLatch(1);
        long[] elapsed = new long[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final int index = t;
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                int local = 0;
                long t0 = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    local ^= tm.getDeviceId().hashCode();
                }
                elapsed[index] = System.nanoTime() - t0;
                sink ^= local;
            }, "hammer-" + t);
            workers[t].start();
        }
        long wall0 = System.nanoTime();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long wall = System.nanoTime() - wall0;
        double meanNs = 0;
        for (long e : elapsed) {
            meanNs += (double) e / threads;
        }
        long calls = n * threads;
        StandinLog.log("HAMMER", "stage", "result", "threads", threads, "n", n, "calls", calls, "wall_ns", wall,
                "ns_per_call", String.format(java.util.Locale.ROOT, "%.1f", n == 0 ? 0.0 : meanNs / n),
                "calls_per_s", String.format(java.util.Locale.ROOT, "%.0f", wall == 0 ? 0.0 : calls * 1e9 / wall));
    }
}
