package androidx.work;

import android.content.Context;
import androidx.work.impl.WorkManagerImpl;
import java.util.Collections;
import java.util.List;

/** Fake {@code androidx.work.WorkManager} (abstract, as in AndroidX; {@code WorkManagerImpl} does the work). */
public abstract class WorkManager {
    public WorkManager() {}

    public static WorkManager getInstance(Context context) {
        return WorkManagerImpl.getInstance(context);
    }

    public final void enqueue(WorkRequest request) {
        enqueue(Collections.singletonList(request));
    }

    public abstract void enqueue(List<? extends WorkRequest> requests);
}
