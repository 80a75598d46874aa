package com.bun.miitmdid.interfaces;

/** Fake MSA {@code IIdentifierListener}: receives the supplier once the ids are ready. */
public interface IIdentifierListener {
    void onSupport(IdSupplier supplier);
}
