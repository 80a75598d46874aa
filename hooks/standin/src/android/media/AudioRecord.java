package android.media;

import com.android.internal.standin.Fake;
import java.util.Arrays;

/** Fake {@code android.media.AudioRecord}: records silence. */
public class AudioRecord {
    public static final int RECORDSTATE_STOPPED = 1;
    public static final int RECORDSTATE_RECORDING = 3;
    public static final int STATE_INITIALIZED = 1;

    private final int mAudioSource;
    private int mRecordingState = RECORDSTATE_STOPPED;

    public AudioRecord(int audioSource, int sampleRateInHz, int channelConfig, int audioFormat, int bufferSizeInBytes)
            throws IllegalArgumentException {
        if (sampleRateInHz <= 0 || bufferSizeInBytes <= 0) {
            throw new IllegalArgumentException("Invalid audio parameters");
        }
        mAudioSource = audioSource;
    }

    public static int getMinBufferSize(int sampleRateInHz, int channelConfig, int audioFormat) {
        return 3840;
    }

    public void startRecording() throws IllegalStateException {
        Fake.call("android.media.AudioRecord#startRecording()");
        mRecordingState = RECORDSTATE_RECORDING;
    }

    public int read(byte[] audioData, int offsetInBytes, int sizeInBytes) {
        Arrays.fill(audioData, offsetInBytes, offsetInBytes + sizeInBytes, (byte) 0);
        return sizeInBytes;
    }

    public void stop() throws IllegalStateException {
        mRecordingState = RECORDSTATE_STOPPED;
    }

    public void release() {
        mRecordingState = RECORDSTATE_STOPPED;
    }

    public int getRecordingState() {
        return mRecordingState;
    }

    public int getState() {
        return STATE_INITIALIZED;
    }

    @Override
    public String toString() {
        return "AudioRecord{source=" + mAudioSource + " state=" + mRecordingState + "}";
    }
}
