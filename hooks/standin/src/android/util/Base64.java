package android.util;

/**
 * Fake of android.util.Base64 (same names, flags and signatures as AOSP). The encoders the
 * stand-in's SDKs use; decode for symmetry. Backed by java.util.Base64.
 */
public class Base64 {
    public static final int DEFAULT = 0;
    public static final int NO_PADDING = 1;
    public static final int NO_WRAP = 2;
    public static final int CRLF = 4;
    public static final int URL_SAFE = 8;
    public static final int NO_CLOSE = 16;

    private Base64() {}

    private static java.util.Base64.Encoder encoder(int flags) {
        java.util.Base64.Encoder e = (flags & URL_SAFE) != 0 ? java.util.Base64.getUrlEncoder()
                : (flags & NO_WRAP) != 0 ? java.util.Base64.getEncoder() : java.util.Base64.getMimeEncoder(76, (flags & CRLF) != 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        return (flags & NO_PADDING) != 0 ? e.withoutPadding() : e;
    }

    public static byte[] encode(byte[] input, int flags) {
        return encode(input, 0, input.length, flags);
    }

    public static byte[] encode(byte[] input, int offset, int len, int flags) {
        byte[] part = new byte[len];
        System.arraycopy(input, offset, part, 0, len);
        byte[] out = encoder(flags).encode(part);
        if ((flags & NO_WRAP) == 0 && (flags & URL_SAFE) == 0) { // AOSP ends a wrapped encoding with a newline
            byte[] withNewline = new byte[out.length + 1];
            System.arraycopy(out, 0, withNewline, 0, out.length);
            withNewline[out.length] = '\n';
            return withNewline;
        }
        return out;
    }

    public static String encodeToString(byte[] input, int flags) {
        return new String(encode(input, flags), java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static String encodeToString(byte[] input, int offset, int len, int flags) {
        return new String(encode(input, offset, len, flags), java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static byte[] decode(String str, int flags) {
        return (flags & URL_SAFE) != 0 ? java.util.Base64.getUrlDecoder().decode(str) : java.util.Base64.getMimeDecoder().decode(str);
    }
}
