package android.hardware;

import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.hardware.SensorManager}; the app gets a {@code SystemSensorManager}. */
public abstract class SensorManager {
    public static final int SENSOR_DELAY_FASTEST = 0;
    public static final int SENSOR_DELAY_GAME = 1;
    public static final int SENSOR_DELAY_UI = 2;
    public static final int SENSOR_DELAY_NORMAL = 3;
    public static final float GRAVITY_EARTH = 9.80665f;

    static final List<Sensor> SENSORS = List.of(
            new Sensor("lsm6dso Accelerometer Non-wakeup", "STMicro", Sensor.TYPE_ACCELEROMETER),
            new Sensor("mmc56x3x Magnetometer Non-wakeup", "memsic", Sensor.TYPE_MAGNETIC_FIELD),
            new Sensor("lsm6dso Gyroscope Non-wakeup", "STMicro", Sensor.TYPE_GYROSCOPE),
            new Sensor("tcs3707 Ambient Light Sensor Non-wakeup", "ams AG", Sensor.TYPE_LIGHT));

    public SensorManager() {}

    protected abstract List<Sensor> getFullSensorList();

    protected abstract boolean registerListenerImpl(SensorEventListener listener, Sensor sensor, int delayUs);

    protected abstract void unregisterListenerImpl(SensorEventListener listener, Sensor sensor);

    public List<Sensor> getSensorList(int type) {
        List<Sensor> out = new ArrayList<>();
        for (Sensor s : getFullSensorList()) {
            if (type == Sensor.TYPE_ALL || s.getType() == type) {
                out.add(s);
            }
        }
        return Fake.ret("android.hardware.SensorManager#getSensorList(int)", out);
    }

    public List<Sensor> getDynamicSensorList(int type) {
        return Fake.ret("android.hardware.SensorManager#getDynamicSensorList(int)", new ArrayList<Sensor>());
    }

    public Sensor getDefaultSensor(int type) {
        Sensor found = null;
        for (Sensor s : getFullSensorList()) {
            if (s.getType() == type) {
                found = s;
                break;
            }
        }
        return Fake.ret("android.hardware.SensorManager#getDefaultSensor(int)", found);
    }

    public boolean registerListener(SensorEventListener listener, Sensor sensor, int samplingPeriodUs) {
        if (listener == null || sensor == null) {
            return false;
        }
        return Fake.ret("android.hardware.SensorManager#registerListener(android.hardware.SensorEventListener,"
                + "android.hardware.Sensor,int)", registerListenerImpl(listener, sensor, samplingPeriodUs));
    }

    public void unregisterListener(SensorEventListener listener) {
        unregisterListenerImpl(listener, null);
    }
}
