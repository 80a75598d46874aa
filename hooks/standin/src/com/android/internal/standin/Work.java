package com.android.internal.standin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * SDK worker threads whose work the launcher can wait for, so that the log's phases stay in order.
 */
public final class Work {
    private Work() {}

    private static final List<Future<?>> PENDING = new ArrayList<>();

    /** A single daemon worker thread named {@code name}, like an SDK's own executor. */
    public static ExecutorService newWorker(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Run {@code task} on {@code worker}; failures are logged, never thrown. */
    public static void submit(ExecutorService worker, Runnable task) {
        Future<?> f = worker.submit(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                StandinLog.log("ERROR", "where", "worker", "error", t.toString());
            }
        });
        synchronized (PENDING) {
            PENDING.add(f);
        }
    }

    /** Wait until every submitted task has finished (or {@code timeoutMs} passed). */
    public static void awaitAll(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Future<?> f;
            synchronized (PENDING) {
                if (PENDING.isEmpty()) {
                    return;
                }
                f = PENDING.get(0);
            }
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    StandinLog.log("ERROR", "where", "awaitAll", "error", "timeout waiting for SDK workers");
                    return;
                }
                f.get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // the task logged its own failure; a timeout is reported on the next round
            }
            synchronized (PENDING) {
                if (f.isDone()) {
                    PENDING.remove(f);
                }
            }
        }
    }
}
