// Serial number: Build.getSerial() and the serial system properties read through SystemProperties.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { ids } from "../lib/render.js";

/** System properties that hold the device serial number (also used by native.ts). */
export const SERIAL_PROPERTIES = new Set([
  "ro.serialno",
  "ro.boot.serialno",
  "ril.serialnumber",
  "gsm.serial",
  "sys.serialnumber",
  "ro.ril.oem.sno",
  "ro.ril.oem.psno",
  "persist.sys.serialno",
  "ro.boot.cpuid",
  "ro.vendor.boot.serialno",
]);

/** SystemProperties.get(key[, default]): recorded only for serial-number keys. */
function systemProperty(call: Call) {
  const key = call.args[0];
  if (typeof key !== "string" || !SERIAL_PROPERTIES.has(key)) {
    return null;
  }
  const outcome = defaultRead(call);
  return { ...outcome, args: { key }, identifiers: ids("serial", [call.ret as string | null]) };
}

export const handlers: HandlerTable = {
  system_property: { kind: "data", read: systemProperty },
};
