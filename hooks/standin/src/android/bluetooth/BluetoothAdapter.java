package android.bluetooth;

import com.android.internal.standin.Fake;

/** Fake {@code android.bluetooth.BluetoothAdapter}. */
public final class BluetoothAdapter {
    private static BluetoothAdapter sAdapter;

    private BluetoothAdapter() {}

    public static synchronized BluetoothAdapter getDefaultAdapter() {
        if (sAdapter == null) {
            sAdapter = new BluetoothAdapter();
        }
        return Fake.ret("android.bluetooth.BluetoothAdapter#getDefaultAdapter()", sAdapter);
    }

    public String getAddress() {
        return Fake.ret("android.bluetooth.BluetoothAdapter#getAddress()", Fake.value("bluetooth_mac"));
    }

    public String getName() {
        return Fake.ret("android.bluetooth.BluetoothAdapter#getName()", Fake.value("bluetooth_name"));
    }

    public boolean isEnabled() {
        return true;
    }

    public java.util.Set<BluetoothDevice> getBondedDevices() {
        java.util.Set<BluetoothDevice> out = new java.util.LinkedHashSet<>();
        out.add(new BluetoothDevice(Fake.value("bt_device_mac"), Fake.value("bt_device_name")));
        return Fake.ret("android.bluetooth.BluetoothAdapter#getBondedDevices()", out);
    }

    public boolean startDiscovery() {
        return Fake.ret("android.bluetooth.BluetoothAdapter#startDiscovery()", true);
    }

    @Override
    public String toString() {
        return "BluetoothAdapter{" + Fake.value("bluetooth_name") + "}";
    }
}
