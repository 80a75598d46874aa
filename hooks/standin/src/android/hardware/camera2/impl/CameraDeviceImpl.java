package android.hardware.camera2.impl;

import android.hardware.camera2.CameraDevice;

/** Fake {@code android.hardware.camera2.impl.CameraDeviceImpl}. */
public class CameraDeviceImpl extends CameraDevice {
    private final String mCameraId;
    private boolean mClosed;

    public CameraDeviceImpl(String cameraId) {
        mCameraId = cameraId;
    }

    @Override
    public String getId() {
        return mCameraId;
    }

    @Override
    public void close() {
        mClosed = true;
    }

    @Override
    public String toString() {
        return "CameraDeviceImpl{" + mCameraId + (mClosed ? " closed" : "") + "}";
    }
}
