package androidx.work;

import androidx.work.impl.model.WorkSpec;
import java.util.concurrent.TimeUnit;

/** Fake {@code androidx.work.PeriodicWorkRequest}. */
public final class PeriodicWorkRequest extends WorkRequest {
    private PeriodicWorkRequest(WorkSpec spec) {
        super(spec);
    }

    /** Fake {@code androidx.work.PeriodicWorkRequest.Builder}. */
    public static final class Builder {
        private final WorkSpec mSpec;

        public Builder(Class<?> workerClass, long repeatInterval, TimeUnit unit) {
            mSpec = new WorkSpec(workerClass.getName(), unit.toMillis(repeatInterval));
        }

        public PeriodicWorkRequest build() {
            return new PeriodicWorkRequest(mSpec);
        }
    }
}
