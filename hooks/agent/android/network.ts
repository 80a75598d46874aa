// Network identity: Wi-Fi MAC/BSSID/SSID/IP (WifiInfo, WifiManager) and NetworkInterface MACs.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, fieldValue, getter, ids, itemsOf, macFromBytes, mergeIds, unquoteSsid } from "../lib/render.js";

/** Android stores IPv4 addresses as little-endian ints (WifiInfo.getIpAddress, DhcpInfo.ipAddress). */
export function ipFromInt(value: number): string {
  return [0, 8, 16, 24].map((shift) => (value >>> shift) & 0xff).join(".");
}

function wifiInfoIds(info: any) {
  if (info === null || info === undefined) {
    return {};
  }
  const wifi = asRuntime(info);
  const ip = getter(wifi, "getIpAddress");
  return mergeIds(
    ids("bssid", [getter(wifi, "getBSSID")]),
    ids("ssid", [unquoteSsid(getter(wifi, "getSSID"))]),
    ids("mac", [getter(wifi, "getMacAddress")]),
    typeof ip === "number" && ip !== 0 ? ids("ip", [ipFromInt(ip)]) : {},
  );
}

/** WifiManager.getConnectionInfo(): the BSSID, SSID, MAC and IP inside the returned WifiInfo. */
function connectionInfo(call: Call) {
  return { ...defaultRead(call), identifiers: wifiInfoIds(call.ret) };
}

/** WifiManager.getScanResults(): BSSIDs and SSIDs of nearby networks (a location proxy). */
function scanResults(call: Call) {
  const found = itemsOf(call.ret).map((item) => {
    const result = asRuntime(item);
    return mergeIds(ids("bssid", [fieldValue(result, "BSSID")]), ids("ssid", [fieldValue(result, "SSID")]));
  });
  return { ...defaultRead(call), identifiers: mergeIds(...found) };
}

/** WifiManager.getConfiguredNetworks(): SSIDs the device has joined. */
function configuredNetworks(call: Call) {
  const found = itemsOf(call.ret).map((item) => ids("ssid", [unquoteSsid(fieldValue(asRuntime(item), "SSID"))]));
  return { ...defaultRead(call), identifiers: mergeIds(...found) };
}

/** WifiInfo.getSSID(): quoted SSID; the identifier is the bare name. */
function ssid(call: Call) {
  return { ...defaultRead(call), identifiers: ids("ssid", [unquoteSsid(call.ret as string | null)]) };
}

/** WifiInfo.getIpAddress(): an int. */
function ipInt(call: Call) {
  const outcome = defaultRead(call);
  if (typeof call.ret !== "number" || call.ret === 0) {
    return outcome;
  }
  const ip = ipFromInt(call.ret);
  return { ...outcome, value: ip, identifiers: ids("ip", [ip]) };
}

/** WifiManager.getDhcpInfo(): the device's IP in DhcpInfo.ipAddress. */
function dhcpInfo(call: Call) {
  const outcome = defaultRead(call);
  const ip = call.ret ? fieldValue(asRuntime(call.ret), "ipAddress") : null;
  return typeof ip === "number" && ip !== 0 ? { ...outcome, identifiers: ids("ip", [ipFromInt(ip)]) } : outcome;
}

/** NetworkInterface.getHardwareAddress(): byte[] MAC of one interface. */
function hardwareAddress(call: Call) {
  const outcome = defaultRead(call);
  const name = getter(call.self, "getName");
  const mac = call.ret !== null && call.ret !== undefined && call.threw === undefined ? macFromBytes(call.ret as ArrayLike<number>) : null;
  return { ...outcome, args: { interface: name }, value: mac, identifiers: ids("mac", [mac]) };
}

export const handlers: HandlerTable = {
  connection_info: { kind: "data", read: connectionInfo },
  scan_results: { kind: "data", read: scanResults },
  configured_networks: { kind: "data", read: configuredNetworks },
  ssid: { kind: "data", read: ssid },
  ip_int: { kind: "data", read: ipInt },
  dhcp_info: { kind: "data", read: dhcpInfo },
  hardware_address: { kind: "data", read: hardwareAddress },
};
