package android.hardware.camera2;

import android.util.AndroidException;

/** Fake {@code android.hardware.camera2.CameraAccessException}. */
public class CameraAccessException extends AndroidException {
    public static final int CAMERA_DISABLED = 1;
    public static final int CAMERA_ERROR = 3;

    private final int mReason;

    public CameraAccessException(int problem) {
        super("camera problem " + problem);
        mReason = problem;
    }

    public final int getReason() {
        return mReason;
    }
}
