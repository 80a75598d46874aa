package com.example.demoapp;

import android.app.Activity;

/** The all_apis tour's activity: no behaviour of its own; records the permission answer. */
public class TourActivity extends Activity {
    volatile int[] lastGrantResults;

    public TourActivity() {}

    @Override
    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        lastGrantResults = grantResults;
    }
}
