package android.media;

/** Fake {@code android.media.AudioFormat}: the constants apps pass to AudioRecord. */
public final class AudioFormat {
    public static final int ENCODING_PCM_16BIT = 2;
    public static final int CHANNEL_IN_MONO = 16;

    private AudioFormat() {}
}
