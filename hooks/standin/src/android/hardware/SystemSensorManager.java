package android.hardware;

import android.content.Context;
import java.util.List;

/** Fake {@code android.hardware.SystemSensorManager}: delivers one event on registration. */
public class SystemSensorManager extends SensorManager {
    private final Context mContext;

    /** @hide */
    public SystemSensorManager(Context context) {
        mContext = context;
    }

    @Override
    protected List<Sensor> getFullSensorList() {
        return SENSORS;
    }

    @Override
    protected boolean registerListenerImpl(SensorEventListener listener, Sensor sensor, int delayUs) {
        SensorEvent e = new SensorEvent(3);
        e.sensor = sensor;
        e.accuracy = 3;
        e.timestamp = System.nanoTime();
        e.values[0] = 0.0383f;
        e.values[1] = 0.1532f;
        e.values[2] = GRAVITY_EARTH;
        listener.onSensorChanged(e);
        return true;
    }

    @Override
    protected void unregisterListenerImpl(SensorEventListener listener, Sensor sensor) {}
}
