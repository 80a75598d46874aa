package com.bun.miitmdid.interfaces;

/** Fake MSA (移动安全联盟) {@code IdSupplier}: the OAID/VAID/AAID accessors. */
public interface IdSupplier {
    boolean isSupported();

    boolean isLimited();

    String getOAID();

    String getVAID();

    String getAAID();
}
