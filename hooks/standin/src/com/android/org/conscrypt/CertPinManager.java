package com.android.org.conscrypt;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/** Fake Conscrypt {@code CertPinManager}: the pin check {@code TrustManagerImpl.verifyChain} runs. */
public interface CertPinManager {
    void checkChainPinning(String hostname, List<X509Certificate> chain) throws CertificateException;
}
