package android.app;

import android.content.ComponentName;

/** Fake {@code android.app.TaskInfo}. */
public class TaskInfo {
    public int taskId;
    public ComponentName baseActivity;
    public ComponentName topActivity;
    public int numActivities;

    TaskInfo() {}
}
