package android.app;

import android.app.job.JobInfo;
import android.app.job.JobScheduler;
import android.content.Context;
import com.android.internal.standin.StandinLog;

/** Fake {@code android.app.JobSchedulerImpl}: the concrete scheduler behind {@code getSystemService("jobscheduler")}. */
public class JobSchedulerImpl extends JobScheduler {
    JobSchedulerImpl(Context context) {}

    @Override
    public int schedule(JobInfo job) {
        StandinLog.log("JOB", "id", job.getId(), "service", job.getService().flattenToString(), "persisted", job.isPersisted(),
                "interval", job.getIntervalMillis());
        return RESULT_SUCCESS;
    }
}
