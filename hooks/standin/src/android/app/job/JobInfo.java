package android.app.job;

import android.content.ComponentName;

/** Fake {@code android.app.job.JobInfo}. */
public class JobInfo {
    private final int mId;
    private final ComponentName mService;
    private final boolean mPersisted;
    private final long mInterval;

    private JobInfo(Builder b) {
        mId = b.mId;
        mService = b.mService;
        mPersisted = b.mPersisted;
        mInterval = b.mInterval;
    }

    public int getId() {
        return mId;
    }

    public ComponentName getService() {
        return mService;
    }

    public boolean isPersisted() {
        return mPersisted;
    }

    public boolean isPeriodic() {
        return mInterval > 0;
    }

    public long getIntervalMillis() {
        return mInterval;
    }

    /** Fake {@code android.app.job.JobInfo.Builder}. */
    public static final class Builder {
        private final int mId;
        private final ComponentName mService;
        private boolean mPersisted;
        private long mInterval;

        public Builder(int jobId, ComponentName jobService) {
            mId = jobId;
            mService = jobService;
        }

        public Builder setPersisted(boolean isPersisted) {
            mPersisted = isPersisted;
            return this;
        }

        public Builder setPeriodic(long intervalMillis) {
            mInterval = intervalMillis;
            return this;
        }

        public JobInfo build() {
            return new JobInfo(this);
        }
    }
}
