package com.alipay.apmobilesecuritysdk.rpc;

import com.android.internal.standin.Fake;
import com.android.org.conscrypt.CertPinManager;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** The Alipay security SDK's bundled pin set, checked by Conscrypt's {@code TrustManagerImpl.verifyChain}. */
public final class BundledPins implements CertPinManager {
    private final String mPin;

    public BundledPins() {
        String p = Fake.prop("standin.pin.alipay", null);
        if (p == null) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(
                        "piaudit standin alipay pinned key".getBytes(StandardCharsets.UTF_8));
                p = "sha256/" + Base64.getEncoder().encodeToString(d);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        mPin = p;
    }

    public String pin() {
        return mPin;
    }

    @Override
    public void checkChainPinning(String hostname, List<X509Certificate> chain) throws CertificateException {
        for (X509Certificate c : chain) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded());
                if (mPin.equals("sha256/" + Base64.getEncoder().encodeToString(d))) {
                    return;
                }
            } catch (Exception e) {
                throw new CertificateException(e);
            }
        }
        throw new CertificateException("Pin verification failed for " + hostname);
    }
}
