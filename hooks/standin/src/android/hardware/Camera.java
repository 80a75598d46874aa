package android.hardware;

import com.android.internal.standin.Fake;

/** Fake {@code android.hardware.Camera} (the deprecated camera API). */
@Deprecated
public class Camera {
    private final int mCameraId;
    private boolean mReleased;

    private Camera(int cameraId) {
        mCameraId = cameraId;
    }

    public static int getNumberOfCameras() {
        return 2;
    }

    public static Camera open(int cameraId) {
        if (cameraId < 0 || cameraId >= getNumberOfCameras()) {
            throw new RuntimeException("Fail to connect to camera service");
        }
        return Fake.ret("android.hardware.Camera#open(int)", new Camera(cameraId));
    }

    public static Camera open() {
        return Fake.ret("android.hardware.Camera#open()", new Camera(0));
    }

    public final void startPreview() {}

    public final void stopPreview() {}

    public final void release() {
        mReleased = true;
    }

    @Override
    public String toString() {
        return "Camera{id=" + mCameraId + (mReleased ? " released" : "") + "}";
    }
}
