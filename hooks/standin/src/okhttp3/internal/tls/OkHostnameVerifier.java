package okhttp3.internal.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/** Fake OkHttp 3 {@code OkHostnameVerifier}: the host must match a DNS subjectAltName (wildcards one level). */
public final class OkHostnameVerifier implements HostnameVerifier {
    public static final OkHostnameVerifier INSTANCE = new OkHostnameVerifier();

    private OkHostnameVerifier() {}

    @Override
    public boolean verify(String host, SSLSession session) {
        try {
            return verify(host, (X509Certificate) session.getPeerCertificates()[0]);
        } catch (SSLException e) {
            return false;
        }
    }

    public boolean verify(String host, X509Certificate certificate) {
        if (host == null || certificate == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            for (List<?> san : sans) {
                if (san.size() == 2 && Integer.valueOf(2).equals(san.get(0))) {
                    String name = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                    if (name.equals(h) || (name.startsWith("*.") && h.endsWith(name.substring(1))
                            && h.indexOf('.') == h.length() - name.length() + 1)) {
                        return true;
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return false;
    }
}
