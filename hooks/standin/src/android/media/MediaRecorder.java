package android.media;

import com.android.internal.standin.Fake;
import java.io.IOException;

/** Fake {@code android.media.MediaRecorder}. */
public class MediaRecorder {
    private int mAudioSource = -1;
    private String mPath;
    private boolean mPrepared;
    private boolean mStarted;

    public MediaRecorder() {}

    public void setAudioSource(int audioSource) throws IllegalStateException {
        mAudioSource = audioSource;
    }

    public void setVideoSource(int videoSource) throws IllegalStateException {}

    public void setOutputFormat(int outputFormat) throws IllegalStateException {}

    public void setAudioEncoder(int audioEncoder) throws IllegalStateException {}

    public void setOutputFile(String path) throws IllegalStateException {
        mPath = path;
    }

    public void prepare() throws IllegalStateException, IOException {
        mPrepared = true;
    }

    public void start() throws IllegalStateException {
        Fake.call("android.media.MediaRecorder#start()");
        if (!mPrepared) {
            throw new IllegalStateException("start called in an invalid state");
        }
        mStarted = true;
    }

    public void stop() throws IllegalStateException {
        mStarted = false;
    }

    public void reset() {
        mPrepared = false;
        mStarted = false;
    }

    public void release() {
        reset();
    }

    @Override
    public String toString() {
        return "MediaRecorder{source=" + mAudioSource + " file=" + mPath + (mStarted ? " recording" : "") + "}";
    }

    /** Fake {@code android.media.MediaRecorder$AudioSource}. */
    public final class AudioSource {
        public static final int DEFAULT = 0;
        public static final int MIC = 1;

        private AudioSource() {}
    }

    /** Fake {@code android.media.MediaRecorder$OutputFormat}. */
    public final class OutputFormat {
        public static final int THREE_GPP = 1;
        public static final int MPEG_4 = 2;

        private OutputFormat() {}
    }

    /** Fake {@code android.media.MediaRecorder$AudioEncoder}. */
    public final class AudioEncoder {
        public static final int AMR_NB = 1;
        public static final int AAC = 3;

        private AudioEncoder() {}
    }
}
