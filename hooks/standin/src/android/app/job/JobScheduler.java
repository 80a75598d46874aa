package android.app.job;

/** Fake {@code android.app.job.JobScheduler} (abstract, as on Android: the system's is JobSchedulerImpl). */
public abstract class JobScheduler {
    public static final int RESULT_SUCCESS = 1;

    public JobScheduler() {}

    public abstract int schedule(JobInfo job);
}
