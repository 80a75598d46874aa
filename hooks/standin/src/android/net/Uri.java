package android.net;

import java.net.URI;

/** Fake {@code android.net.Uri}: {@code parse} returns a string-backed URI like the real one. */
public abstract class Uri implements Comparable<Uri> {
    private Uri() {}

    public abstract String getScheme();

    public abstract String getAuthority();

    public abstract String getPath();

    public abstract String getQuery();

    public abstract String getLastPathSegment();

    @Override
    public abstract String toString();

    @Override
    public int compareTo(Uri other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Uri u && toString().equals(u.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    public static Uri parse(String uriString) {
        return new StringUri(uriString);
    }

    public static Uri withAppendedPath(Uri baseUri, String pathSegment) {
        String b = baseUri.toString();
        return new StringUri(b.endsWith("/") ? b + pathSegment : b + "/" + pathSegment);
    }

    private static final class StringUri extends Uri {
        private final String uriString;
        private final URI parsed;

        StringUri(String uriString) {
            if (uriString == null) {
                throw new NullPointerException("uriString");
            }
            this.uriString = uriString;
            URI p;
            try {
                p = new URI(uriString);
            } catch (Exception e) {
                p = null;
            }
            this.parsed = p;
        }

        @Override
        public String getScheme() {
            return parsed == null ? null : parsed.getScheme();
        }

        @Override
        public String getAuthority() {
            return parsed == null ? null : parsed.getAuthority();
        }

        @Override
        public String getPath() {
            return parsed == null ? null : parsed.getPath();
        }

        @Override
        public String getQuery() {
            return parsed == null ? null : parsed.getQuery();
        }

        @Override
        public String getLastPathSegment() {
            String p = getPath();
            if (p == null || p.isEmpty()) {
                return null;
            }
            String t = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
            return t.substring(t.lastIndexOf('/') + 1);
        }

        @Override
        public String toString() {
            return uriString;
        }
    }
}
