package androidx.work;

import androidx.work.impl.model.WorkSpec;

/** Fake {@code androidx.work.OneTimeWorkRequest}. */
public final class OneTimeWorkRequest extends WorkRequest {
    private OneTimeWorkRequest(WorkSpec spec) {
        super(spec);
    }

    public static OneTimeWorkRequest from(Class<?> workerClass) {
        return new OneTimeWorkRequest(new WorkSpec(workerClass.getName(), 0L));
    }
}
