package com.bun.miitmdid.core;

import android.content.Context;
import com.bun.miitmdid.interfaces.IIdentifierListener;
import com.bun.miitmdid.supplier.DefaultIdSupplier;

/** Fake MSA {@code MdidSdkHelper}: {@code InitSdk} hands a supplier to the listener before returning. */
public class MdidSdkHelper {
    public static final int INIT_INFO_RESULT_OK = 1008610;

    private MdidSdkHelper() {}

    public static int InitSdk(Context context, boolean isLogOn, IIdentifierListener listener) {
        com.android.internal.standin.Fake.call("com.bun.miitmdid.core.MdidSdkHelper#InitSdk(android.content.Context,"
                + "boolean,com.bun.miitmdid.interfaces.IIdentifierListener)");
        if (listener != null) {
            listener.onSupport(new DefaultIdSupplier());
        }
        return INIT_INFO_RESULT_OK;
    }
}
