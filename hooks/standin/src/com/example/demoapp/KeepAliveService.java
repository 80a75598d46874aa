package com.example.demoapp;

import android.app.Service;

/** The app's own keep-alive service (wake scenario): started by the boot receiver, scheduled as a job. */
public class KeepAliveService extends Service {
    public KeepAliveService() {}
}
