package okhttp3;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Fake OkHttp 3 {@code CertificatePinner}: {@code check} throws {@link SSLPeerUnverifiedException}
 * ("Certificate pinning failure!") unless one peer certificate's SHA-256 SPKI pin is pinned for the
 * host. The two {@code check} overloads do not call each other.
 */
public final class CertificatePinner {
    public static final CertificatePinner DEFAULT = new Builder().build();

    private final Set<Pin> pins;

    CertificatePinner(Set<Pin> pins) {
        this.pins = pins;
    }

    public void check(String hostname, List<Certificate> peerCertificates) throws SSLPeerUnverifiedException {
        doCheck(hostname, peerCertificates);
    }

    /** @deprecated replaced with {@link #check(String, List)}. */
    @Deprecated
    public void check(String hostname, Certificate... peerCertificates) throws SSLPeerUnverifiedException {
        doCheck(hostname, Arrays.asList(peerCertificates));
    }

    /** OkHttp 4's internal entry point (Kotlin {@code internal fun check}); the certificates come lazily. */
    @SuppressWarnings("unchecked")
    public final void check$okhttp(String hostname, kotlin.jvm.functions.Function0<? extends List<? extends X509Certificate>>
            cleanedPeerCertificatesFn) throws SSLPeerUnverifiedException {
        List<Pin> matching = findMatchingPins(hostname);
        if (matching.isEmpty()) {
            return;
        }
        doCheck(hostname, (List<Certificate>) (List<?>) cleanedPeerCertificatesFn.invoke());
    }

    private void doCheck(String hostname, List<Certificate> peerCertificates) throws SSLPeerUnverifiedException {
        List<Pin> matching = findMatchingPins(hostname);
        if (matching.isEmpty()) {
            return;
        }
        for (Certificate c : peerCertificates) {
            String sha256 = null;
            for (Pin p : matching) {
                if (p.hashAlgorithm.equals("sha256/")) {
                    if (sha256 == null) {
                        sha256 = spkiSha256Base64((X509Certificate) c);
                    }
                    if (p.hash.equals(sha256)) {
                        return; // success
                    }
                }
            }
        }
        StringBuilder message = new StringBuilder("Certificate pinning failure!\n  Peer certificate chain:");
        for (Certificate c : peerCertificates) {
            X509Certificate x = (X509Certificate) c;
            message.append("\n    ").append(pin(x)).append(": ").append(x.getSubjectX500Principal().getName());
        }
        message.append("\n  Pinned certificates for ").append(hostname).append(":");
        for (Pin p : matching) {
            message.append("\n    ").append(p);
        }
        throw new SSLPeerUnverifiedException(message.toString());
    }

    List<Pin> findMatchingPins(String hostname) {
        List<Pin> result = new ArrayList<>();
        for (Pin p : pins) {
            if (p.matches(hostname)) {
                result.add(p);
            }
        }
        return result;
    }

    /** The pin of {@code certificate}: "sha256/" + base64 of the SHA-256 of its SubjectPublicKeyInfo. */
    public static String pin(Certificate certificate) {
        if (!(certificate instanceof X509Certificate x)) {
            throw new IllegalArgumentException("Certificate pinning requires X509 certificates");
        }
        return "sha256/" + spkiSha256Base64(x);
    }

    static String spkiSha256Base64(X509Certificate c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded());
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return "CertificatePinner" + pins;
    }

    static final class Pin {
        final String pattern;
        final String canonicalHostname;
        final String hashAlgorithm;
        final String hash;

        Pin(String pattern, String pin) {
            this.pattern = pattern;
            this.canonicalHostname = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
            if (pin.startsWith("sha256/")) {
                this.hashAlgorithm = "sha256/";
                this.hash = pin.substring(7);
            } else if (pin.startsWith("sha1/")) {
                this.hashAlgorithm = "sha1/";
                this.hash = pin.substring(5);
            } else {
                throw new IllegalArgumentException("pins must start with 'sha256/' or 'sha1/': " + pin);
            }
        }

        boolean matches(String hostname) {
            if (pattern.startsWith("*.")) {
                int firstDot = hostname.indexOf('.');
                return hostname.length() - firstDot - 1 == canonicalHostname.length()
                        && hostname.regionMatches(false, firstDot + 1, canonicalHostname, 0, canonicalHostname.length());
            }
            return hostname.equals(canonicalHostname);
        }

        @Override
        public String toString() {
            return hashAlgorithm + hash;
        }
    }

    /** Fake {@code okhttp3.CertificatePinner$Builder}. */
    public static final class Builder {
        private final Set<Pin> pins = new LinkedHashSet<>();

        public Builder() {}

        public Builder add(String pattern, String... pins) {
            if (pattern == null) {
                throw new NullPointerException("pattern == null");
            }
            for (String pin : pins) {
                this.pins.add(new Pin(pattern, pin));
            }
            return this;
        }

        public CertificatePinner build() {
            return new CertificatePinner(new LinkedHashSet<>(pins));
        }
    }
}
