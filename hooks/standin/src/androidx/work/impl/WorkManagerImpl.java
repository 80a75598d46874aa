package androidx.work.impl;

import android.content.Context;
import androidx.work.WorkManager;
import androidx.work.WorkRequest;
import com.android.internal.standin.StandinLog;
import java.util.List;

/** Fake {@code androidx.work.impl.WorkManagerImpl}: records what is enqueued. */
public class WorkManagerImpl extends WorkManager {
    private static WorkManagerImpl sInstance;

    public static synchronized WorkManagerImpl getInstance(Context context) {
        if (sInstance == null) {
            sInstance = new WorkManagerImpl();
        }
        return sInstance;
    }

    @Override
    public void enqueue(List<? extends WorkRequest> requests) {
        for (WorkRequest r : requests) {
            StandinLog.log("WORK", "worker", r.getWorkSpec().workerClassName, "interval", r.getWorkSpec().intervalDuration);
        }
    }
}
