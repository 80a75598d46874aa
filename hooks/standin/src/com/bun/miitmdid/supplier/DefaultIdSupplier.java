package com.bun.miitmdid.supplier;

import com.android.internal.standin.Fake;
import com.bun.miitmdid.interfaces.IdSupplier;

/** The MSA {@link IdSupplier} implementation handed to listeners (hook its methods: it is the concrete class). */
public class DefaultIdSupplier implements IdSupplier {
    public DefaultIdSupplier() {}

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public boolean isLimited() {
        return false;
    }

    @Override
    public String getOAID() {
        return Fake.ret("com.bun.miitmdid.supplier.DefaultIdSupplier#getOAID()", Fake.value("oaid"));
    }

    @Override
    public String getVAID() {
        return Fake.ret("com.bun.miitmdid.supplier.DefaultIdSupplier#getVAID()", Fake.value("vaid"));
    }

    @Override
    public String getAAID() {
        return Fake.ret("com.bun.miitmdid.supplier.DefaultIdSupplier#getAAID()", Fake.value("aaid"));
    }

    @Override
    public String toString() {
        return "DefaultIdSupplier{supported=true}";
    }
}
