package android.app;

import android.content.ComponentName;
import android.content.Context;
import android.os.Handler;
import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.app.ActivityManager}: running processes and tasks. */
public class ActivityManager {
    private final Context mContext;

    ActivityManager(Context context, Handler handler) {
        mContext = context;
    }

    public List<RunningAppProcessInfo> getRunningAppProcesses() {
        List<RunningAppProcessInfo> out = new ArrayList<>();
        String[] procs = Fake.listValue("running_processes");
        for (int i = 0; i < procs.length; i++) {
            RunningAppProcessInfo p = new RunningAppProcessInfo(procs[i], 4000 + i * 37, new String[] {procs[i]});
            p.uid = 10100 + i;
            p.importance = i == 0 ? RunningAppProcessInfo.IMPORTANCE_FOREGROUND : RunningAppProcessInfo.IMPORTANCE_CACHED;
            out.add(p);
        }
        return Fake.ret("android.app.ActivityManager#getRunningAppProcesses()", out);
    }

    @Deprecated
    public List<RunningTaskInfo> getRunningTasks(int maxNum) {
        List<RunningTaskInfo> out = new ArrayList<>();
        String[] procs = Fake.listValue("running_processes");
        for (int i = 0; i < procs.length && i < maxNum; i++) {
            RunningTaskInfo t = new RunningTaskInfo();
            t.taskId = 100 + i;
            t.baseActivity = new ComponentName(procs[i], procs[i] + ".MainActivity");
            t.topActivity = t.baseActivity;
            t.numActivities = 1;
            out.add(t);
        }
        return Fake.ret("android.app.ActivityManager#getRunningTasks(int)", out);
    }

    @Deprecated
    public List<RunningServiceInfo> getRunningServices(int maxNum) {
        List<RunningServiceInfo> out = new ArrayList<>();
        String[] procs = Fake.listValue("running_processes");
        for (int i = 0; i < procs.length && i < maxNum; i++) {
            RunningServiceInfo s = new RunningServiceInfo();
            s.service = new ComponentName(procs[i], procs[i] + ".push.PushService");
            s.process = procs[i] + ":push";
            s.pid = 4100 + i;
            s.uid = 10100 + i;
            out.add(s);
        }
        return Fake.ret("android.app.ActivityManager#getRunningServices(int)", out);
    }

    @Deprecated
    public List<RecentTaskInfo> getRecentTasks(int maxNum, int flags) {
        List<RecentTaskInfo> out = new ArrayList<>();
        String[] procs = Fake.listValue("running_processes");
        for (int i = 0; i < procs.length && i < maxNum; i++) {
            RecentTaskInfo t = new RecentTaskInfo();
            t.taskId = 100 + i;
            t.baseActivity = new ComponentName(procs[i], procs[i] + ".MainActivity");
            t.topActivity = t.baseActivity;
            out.add(t);
        }
        return Fake.ret("android.app.ActivityManager#getRecentTasks(int,int)", out);
    }

    /** Fake {@code android.app.ActivityManager$RunningServiceInfo}. */
    public static class RunningServiceInfo {
        public ComponentName service;
        public String process;
        public int pid;
        public int uid;

        public RunningServiceInfo() {}

        @Override
        public String toString() {
            return "RunningServiceInfo{" + service + " pid=" + pid + "}";
        }
    }

    /** Fake {@code android.app.ActivityManager$RecentTaskInfo}. */
    public static class RecentTaskInfo extends TaskInfo {
        public RecentTaskInfo() {}

        @Override
        public String toString() {
            return "RecentTaskInfo{taskId=" + taskId + " baseActivity=" + baseActivity + "}";
        }
    }

    /** Fake {@code android.app.ActivityManager$RunningAppProcessInfo}. */
    public static class RunningAppProcessInfo {
        public static final int IMPORTANCE_FOREGROUND = 100;
        public static final int IMPORTANCE_CACHED = 400;

        public String processName;
        public int pid;
        public int uid;
        public String[] pkgList;
        public int importance;

        public RunningAppProcessInfo() {}

        public RunningAppProcessInfo(String pProcessName, int pPid, String[] pArr) {
            processName = pProcessName;
            pid = pPid;
            pkgList = pArr;
        }

        @Override
        public String toString() {
            return "RunningAppProcessInfo{" + processName + " pid=" + pid + " importance=" + importance + "}";
        }
    }

    /** Fake {@code android.app.ActivityManager$RunningTaskInfo}. */
    public static class RunningTaskInfo extends TaskInfo {
        public RunningTaskInfo() {}

        @Override
        public String toString() {
            return "RunningTaskInfo{taskId=" + taskId + " topActivity=" + topActivity + "}";
        }
    }
}
