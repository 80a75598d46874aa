package androidx.work.impl.model;

/** Fake {@code androidx.work.impl.model.WorkSpec}: what a work request runs and how often. */
public final class WorkSpec {
    public String workerClassName;
    public long intervalDuration;

    public WorkSpec(String workerClassName, long intervalDuration) {
        this.workerClassName = workerClassName;
        this.intervalDuration = intervalDuration;
    }

    public boolean isPeriodic() {
        return intervalDuration != 0L;
    }
}
