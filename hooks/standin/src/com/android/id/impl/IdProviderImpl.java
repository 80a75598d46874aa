package com.android.id.impl;

import android.content.Context;
import com.android.internal.standin.Fake;

/** Fake Xiaomi {@code IdProviderImpl} (reached by reflection on MIUI). Instance methods, as on the device. */
public class IdProviderImpl {
    public IdProviderImpl() {}

    public String getUDID(Context context) {
        return Fake.ret("com.android.id.impl.IdProviderImpl#getUDID(android.content.Context)", Fake.value("udid"));
    }

    public String getOAID(Context context) {
        return Fake.ret("com.android.id.impl.IdProviderImpl#getOAID(android.content.Context)", Fake.value("oaid"));
    }

    public String getVAID(Context context) {
        return Fake.ret("com.android.id.impl.IdProviderImpl#getVAID(android.content.Context)", Fake.value("vaid"));
    }

    public String getAAID(Context context) {
        return Fake.ret("com.android.id.impl.IdProviderImpl#getAAID(android.content.Context)", Fake.value("aaid"));
    }
}
