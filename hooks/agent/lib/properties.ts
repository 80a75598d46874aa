// System properties that hold personal data, and the data type each reveals. One table for every
// route: SystemProperties.get (Java), __system_property_get / __system_property_read_callback
// (native), and `getprop KEY` through Runtime.exec / ProcessBuilder.

const EXACT: Record<string, string> = {
  "ro.serialno": "serial",
  "ro.boot.serialno": "serial",
  "ril.serialnumber": "serial",
  "gsm.serial": "serial",
  "sys.serialnumber": "serial",
  "ro.ril.oem.sno": "serial",
  "ro.ril.oem.psno": "serial",
  "persist.sys.serialno": "serial",
  "ro.boot.cpuid": "serial",
  "ro.vendor.boot.serialno": "serial",
  "persist.radio.imei": "imei",
  "persist.radio.imei1": "imei",
  "persist.radio.imei2": "imei",
  "ril.imei": "imei",
  "ro.ril.miui.imei0": "imei",
  "persist.radio.meid": "meid",
  "ro.ril.miui.meid": "meid",
  "ro.boot.wifimacaddr": "mac",
  "persist.sys.wifi.mac": "mac",
  "ro.boot.btmacaddr": "bluetooth_mac",
  "persist.service.bdroid.bdaddr": "bluetooth_mac",
  "ro.bt.bdaddr_path": "bluetooth_mac",
  "gsm.sim.operator.numeric": "carrier",
  "gsm.sim.operator.alpha": "carrier",
  "gsm.sim.operator.iso-country": "carrier",
  "gsm.operator.numeric": "carrier",
  "gsm.operator.alpha": "carrier",
  "gsm.operator.iso-country": "carrier",
  "gsm.apn.sim.operator.numeric": "carrier",
  "gsm.network.type": "network_state",
  "gsm.sim.state": "network_state",
  "gsm.operator.isroaming": "network_state",
  "ro.product.model": "device_info",
  "ro.product.brand": "device_info",
  "ro.product.manufacturer": "device_info",
  "ro.product.name": "device_info",
  "ro.product.device": "device_info",
  "ro.product.board": "device_info",
  "ro.build.fingerprint": "device_info",
  "ro.build.id": "device_info",
  "ro.build.display.id": "device_info",
  "ro.build.version.release": "device_info",
  "ro.build.version.sdk": "device_info",
  "ro.build.version.incremental": "device_info",
  "ro.build.version.security_patch": "device_info",
  "ro.hardware": "device_info",
  "ro.board.platform": "device_info",
  "ro.miui.ui.version.name": "device_info",
  "ro.build.version.emui": "device_info",
  "ro.build.version.opporom": "device_info",
  "ro.vivo.os.version": "device_info",
};

// Families: every key under these prefixes (vendor product/build keys, per-partition fingerprints).
const PREFIXES: Array<[string, string]> = [
  ["ro.product.vendor.", "device_info"],
  ["ro.product.system.", "device_info"],
  ["ro.vendor.build.fingerprint", "device_info"],
  ["ro.system.build.fingerprint", "device_info"],
];

/** The data type a system property reveals, or null when it holds nothing personal. */
export function propertyType(key: string): string | null {
  const exact = EXACT[key];
  if (exact !== undefined) {
    return exact;
  }
  const family = PREFIXES.find(([prefix]) => key.startsWith(prefix));
  return family === undefined ? null : family[1];
}
