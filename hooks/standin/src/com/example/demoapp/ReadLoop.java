package com.example.demoapp;

import com.android.internal.standin.Fake;
import com.android.internal.standin.StandinLog;
import com.igexin.push.core.DeviceProbe;
import com.igexin.push.core.NativeProbe;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * The read_loop scenario (scripts/bench/bench_reads.py): each read around the getters in a tight
 * loop, timed per call: a device file (/proc/net/arp, hooked open), a file the hooks ignore
 * (/proc/self/stat: only the path check runs), a native property read, a Java property read, and
 * {@code getprop} through Runtime.exec (fewer calls: each starts a process). Logs
 * {@code READLOOP kind=.. n=.. ns_per_call=..}.
 */
final class ReadLoop {
    private ReadLoop() {}

    static volatile long sink;

    interface Read {
        long read() throws Exception;
    }

    private static void time(String kind, long n, Read read) throws Exception {
        for (long i = 0; i < Math.min(n, 200); i++) {
            sink += read.read(); // warm-up: JIT, caches
        }
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            sink += read.read();
        }
        long ns = System.nanoTime() - t0;
        StandinLog.log("READLOOP", "kind", kind, "n", n, "ns_per_call", String.format(Locale.ROOT, "%.0f", (double) ns / n));
    }

    private static long readFile(String path) throws IOException {
        try (FileInputStream in = new FileInputStream(path)) {
            return in.read(new byte[256]);
        }
    }

    static void run() throws Exception {
        long n = Fake.longProp("standin.n", 2000);
        long execs = Fake.longProp("standin.execs", 40);
        time("file_device", n, () -> readFile("/proc/net/arp"));
        time("file_other", n, () -> readFile("/proc/self/stat"));
        time("native_property", n, () -> NativeProbe.systemProperty("ro.serialno").length());
        time("java_property", n, () -> android.os.SystemProperties.get("ro.serialno").length());
        time("exec_getprop", execs, () -> DeviceProbe.exec(DeviceProbe.systemBin("getprop"), "ro.serialno").length());
    }
}
