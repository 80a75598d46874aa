// Bluetooth: the adapter's own MAC, and the MACs of paired / nearby devices.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, getter, ids, itemsOf, mergeIds } from "../lib/render.js";

/** BluetoothAdapter.getBondedDevices(): Set<BluetoothDevice>, each with getAddress(). */
function bondedDevices(call: Call) {
  const found = itemsOf(call.ret).map((device) => ids("bluetooth_mac", [getter(asRuntime(device), "getAddress")]));
  return { ...defaultRead(call), identifiers: mergeIds(...found) };
}

export const handlers: HandlerTable = {
  bonded_devices: { kind: "data", read: bondedDevices },
};
