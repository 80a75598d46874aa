package android.app;

import android.content.Context;
import com.android.internal.standin.StandinLog;

/** Fake {@code android.app.AlarmManager}: alarms are recorded by the fake system, never fired. */
public class AlarmManager {
    public static final int RTC_WAKEUP = 0;
    public static final int RTC = 1;
    public static final int ELAPSED_REALTIME_WAKEUP = 2;
    public static final int ELAPSED_REALTIME = 3;
    public static final long INTERVAL_FIFTEEN_MINUTES = 15 * 60 * 1000L;

    private final Context mContext;

    AlarmManager(Context context) {
        mContext = context;
    }

    private void schedule(String how, int type, long trigger, long interval, PendingIntent operation) {
        StandinLog.log("ALARM", "how", how, "type", type, "trigger", trigger, "interval", interval, "operation", String.valueOf(operation));
    }

    public void set(int type, long triggerAtMillis, PendingIntent operation) {
        schedule("set", type, triggerAtMillis, 0, operation);
    }

    public void setExact(int type, long triggerAtMillis, PendingIntent operation) {
        schedule("setExact", type, triggerAtMillis, 0, operation);
    }

    public void setAndAllowWhileIdle(int type, long triggerAtMillis, PendingIntent operation) {
        schedule("setAndAllowWhileIdle", type, triggerAtMillis, 0, operation);
    }

    public void setExactAndAllowWhileIdle(int type, long triggerAtMillis, PendingIntent operation) {
        schedule("setExactAndAllowWhileIdle", type, triggerAtMillis, 0, operation);
    }

    public void setWindow(int type, long windowStartMillis, long windowLengthMillis, PendingIntent operation) {
        schedule("setWindow", type, windowStartMillis, 0, operation);
    }

    public void setRepeating(int type, long triggerAtMillis, long intervalMillis, PendingIntent operation) {
        schedule("setRepeating", type, triggerAtMillis, intervalMillis, operation);
    }

    /** Fake {@code android.app.AlarmManager.AlarmClockInfo}: an alarm clock the user sees. */
    public static final class AlarmClockInfo {
        private final long mTriggerTime;

        public AlarmClockInfo(long triggerTime, PendingIntent showIntent) {
            mTriggerTime = triggerTime;
        }

        public long getTriggerTime() {
            return mTriggerTime;
        }
    }

    public void setAlarmClock(AlarmClockInfo info, PendingIntent operation) {
        schedule("setAlarmClock", RTC_WAKEUP, info.getTriggerTime(), 0, operation);
    }

    public void setInexactRepeating(int type, long triggerAtMillis, long intervalMillis, PendingIntent operation) {
        schedule("setInexactRepeating", type, triggerAtMillis, intervalMillis, operation);
    }
}
