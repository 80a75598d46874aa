package androidx.work;

import androidx.work.impl.model.WorkSpec;

/** Fake {@code androidx.work.WorkRequest}. */
public abstract class WorkRequest {
    private final WorkSpec mWorkSpec;

    protected WorkRequest(WorkSpec spec) {
        mWorkSpec = spec;
    }

    public WorkSpec getWorkSpec() {
        return mWorkSpec;
    }
}
