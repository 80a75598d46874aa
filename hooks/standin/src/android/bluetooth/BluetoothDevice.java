package android.bluetooth;

import com.android.internal.standin.Fake;

/** Fake {@code android.bluetooth.BluetoothDevice}: a bonded device's address and name. */
public final class BluetoothDevice {
    private final String mAddress;
    private final String mName;

    BluetoothDevice(String address, String name) {
        mAddress = address;
        mName = name;
    }

    public String getAddress() {
        return Fake.ret("android.bluetooth.BluetoothDevice#getAddress()", mAddress);
    }

    public String getName() {
        return mName;
    }

    @Override
    public String toString() {
        return mAddress; // as in AOSP
    }
}
