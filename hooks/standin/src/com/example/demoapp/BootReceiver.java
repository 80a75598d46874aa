package com.example.demoapp;

import android.app.AlarmManager;
import android.app.PendingIntent;
import android.app.job.JobInfo;
import android.app.job.JobScheduler;
import android.content.BroadcastReceiver;
import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import androidx.work.PeriodicWorkRequest;
import androidx.work.WorkManager;
import com.android.internal.standin.StandinLog;
import com.igexin.push.core.AppWaker;
import java.util.concurrent.TimeUnit;

/**
 * The app's manifest receiver of BOOT_COMPLETED (the {@code wake} scenario): what keep-alive code
 * does when the system starts the app after a reboot — start its own service, schedule a waking
 * repeating alarm, a job kept across reboots and periodic work, listen for connectivity changes,
 * and let the push SDK wake other apps.
 */
public class BootReceiver extends BroadcastReceiver {
    public BootReceiver() {}

    @Override
    public void onReceive(Context context, Intent intent) {
        StandinLog.log("INFO", "where", "BootReceiver", "msg", "received " + intent.getAction());
        context.startService(new Intent(context, KeepAliveService.class));
        AlarmManager alarms = (AlarmManager) context.getSystemService(Context.ALARM_SERVICE);
        PendingIntent again = PendingIntent.getBroadcast(context, 0, new Intent(context, BootReceiver.class), PendingIntent.FLAG_IMMUTABLE);
        alarms.setRepeating(AlarmManager.ELAPSED_REALTIME_WAKEUP, 60_000L, 60_000L, again);
        JobScheduler jobs = (JobScheduler) context.getSystemService(Context.JOB_SCHEDULER_SERVICE);
        jobs.schedule(new JobInfo.Builder(7, new ComponentName(context, KeepAliveService.class)).setPersisted(true).build());
        WorkManager.getInstance(context).enqueue(new PeriodicWorkRequest.Builder(KeepAliveService.class, 15, TimeUnit.MINUTES).build());
        context.registerReceiver(new BroadcastReceiver() {
            @Override
            public void onReceive(Context c, Intent i) {}
        }, new IntentFilter("android.net.conn.CONNECTIVITY_CHANGE"));
        AppWaker.wakeFamily(context);
    }
}
