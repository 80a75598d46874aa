package android.hardware.camera2;

import android.content.Context;
import android.hardware.camera2.impl.CameraDeviceImpl;
import android.os.Handler;
import com.android.internal.standin.Fake;
import java.util.concurrent.Executor;

/** Fake {@code android.hardware.camera2.CameraManager}: opening succeeds at once. */
public final class CameraManager {
    private final Context mContext;

    /** @hide */
    public CameraManager(Context context) {
        mContext = context;
    }

    public String[] getCameraIdList() throws CameraAccessException {
        return new String[] {"0", "1"};
    }

    public void openCamera(String cameraId, CameraDevice.StateCallback callback, Handler handler)
            throws CameraAccessException {
        Fake.call("android.hardware.camera2.CameraManager#openCamera(java.lang.String,"
                + "android.hardware.camera2.CameraDevice$StateCallback,android.os.Handler)");
        if (!"0".equals(cameraId) && !"1".equals(cameraId)) {
            throw new IllegalArgumentException("cameraId was null or not a known camera: " + cameraId);
        }
        CameraDevice device = new CameraDeviceImpl(cameraId);
        if (handler != null) {
            handler.post(() -> callback.onOpened(device));
        } else {
            callback.onOpened(device);
        }
    }

    public void openCamera(String cameraId, Executor executor, CameraDevice.StateCallback callback)
            throws CameraAccessException {
        Fake.call("android.hardware.camera2.CameraManager#openCamera(java.lang.String,java.util.concurrent.Executor,"
                + "android.hardware.camera2.CameraDevice$StateCallback)");
        CameraDevice device = new CameraDeviceImpl(cameraId);
        executor.execute(() -> callback.onOpened(device));
    }
}
