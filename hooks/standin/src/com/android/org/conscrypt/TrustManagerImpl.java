package com.android.org.conscrypt;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Fake Conscrypt {@code TrustManagerImpl}, the platform trust manager on Android 7+.
 *
 * <p>Call path as in AOSP: every {@code checkServerTrusted} overload goes through a private
 * {@code checkTrusted} to {@code checkTrustedRecursive} and then {@code verifyChain}, which validates
 * the chain against the trust store (the JVM's {@code javax.net.ssl.trustStore} here) and then asks
 * the {@link CertPinManager}. Unpinning hooks replace {@code verifyChain} or
 * {@code checkTrustedRecursive} (or {@code checkServerTrusted}).
 */
public final class TrustManagerImpl extends X509ExtendedTrustManager {
    private final CertPinManager pinManager;
    private final X509TrustManager platformTrust;

    public TrustManagerImpl(KeyStore keyStore) {
        this(keyStore, null);
    }

    public TrustManagerImpl(KeyStore keyStore, CertPinManager manager) {
        this.pinManager = manager;
        this.platformTrust = platformTrustManager(keyStore);
    }

    private static X509TrustManager platformTrustManager(KeyStore keyStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keyStore); // null: the JVM default trust store
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no X509TrustManager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        platformTrust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        platformTrust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        platformTrust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkTrusted(chain, authType, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        String host = null;
        if (socket instanceof SSLSocket s) {
            SSLSession session = s.getHandshakeSession();
            host = session != null ? session.getPeerHost() : null;
        }
        checkTrusted(chain, authType, host);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        String host = null;
        if (engine != null) {
            SSLSession session = engine.getHandshakeSession();
            host = session != null ? session.getPeerHost() : engine.getPeerHost();
        }
        checkTrusted(chain, authType, host);
    }

    /** The hostname-aware variant Android's network security config calls. */
    public List<X509Certificate> checkServerTrusted(X509Certificate[] chain, String authType, String host)
            throws CertificateException {
        return checkTrusted(chain, authType, host);
    }

    private List<X509Certificate> checkTrusted(X509Certificate[] certs, String authType, String host)
            throws CertificateException {
        if (certs == null || certs.length == 0 || authType == null || authType.isEmpty()) {
            throw new IllegalArgumentException("null or zero-length parameter");
        }
        return checkTrustedRecursive(certs, null, null, host, false, new ArrayList<>(), new ArrayList<>(),
                new HashSet<>());
    }

    private List<X509Certificate> checkTrustedRecursive(X509Certificate[] certs, byte[] ocspData, byte[] tlsSctData,
            String host, boolean clientAuth, ArrayList<X509Certificate> untrustedChain,
            ArrayList<TrustAnchor> trustAnchorChain, Set<X509Certificate> used) throws CertificateException {
        untrustedChain.addAll(Arrays.asList(certs));
        X509Certificate last = certs[certs.length - 1];
        trustAnchorChain.add(new TrustAnchor(last, null));
        return verifyChain(untrustedChain, trustAnchorChain, host, clientAuth, ocspData, tlsSctData);
    }

    private List<X509Certificate> verifyChain(List<X509Certificate> untrustedChain, List<TrustAnchor> trustAnchorChain,
            String host, boolean clientAuth, byte[] ocspData, byte[] tlsSctData) throws CertificateException {
        X509Certificate[] chain = untrustedChain.toArray(new X509Certificate[0]);
        platformTrust.checkServerTrusted(chain, "UNKNOWN"); // as JSSE does for TLS 1.3
        List<X509Certificate> wholeChain = new ArrayList<>(untrustedChain);
        if (pinManager != null) {
            pinManager.checkChainPinning(host, wholeChain);
        }
        return wholeChain;
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return platformTrust.getAcceptedIssuers();
    }
}
