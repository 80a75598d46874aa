// Network identity: Wi-Fi MAC/BSSID/SSID/IP (WifiInfo, WifiManager) and NetworkInterface MACs.
import Java from "frida-java-bridge";

import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, fieldValue, getter, ids, itemsOf, macFromBytes, mergeIds, unquoteSsid } from "../lib/render.js";
import { internally } from "../lib/state.js";

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

// The device's own addresses: private (RFC 1918), link-local, carrier-grade NAT, IPv6 unique-local and
// link-local. A server's public address is not personal data; a public address of the device's own
// (mobile data without NAT) is missed by this filter.
const LOCAL_ADDRESS = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|f[cd][0-9a-f]{2}:|fe80:)/i;

function addressText(value: any): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === "string") {
    return value;
  }
  const text = String(internally(() => value.toString()));
  return text.includes("/") ? text.slice(text.indexOf("/") + 1) : text;
}

/** InetAddress / InetSocketAddress getters: recorded only when the address is one of the device's own. */
function ipAddress(call: Call) {
  if (call.threw !== undefined || call.ret === null || call.ret === undefined) {
    return null;
  }
  let address: string | null;
  if (call.returnType === "[B") {
    const bytes = Array.from(call.ret as ArrayLike<number>).map((b) => b & 0xff);
    address = bytes.length === 4 ? bytes.join(".") : null;
  } else if (call.spec.class === "java.net.InetSocketAddress" || call.spec.method === "getHostName") {
    address = addressText(internally(() => (call.self.getAddress !== undefined ? call.self.getAddress() : null)));
  } else {
    address = addressText(call.ret);
  }
  if (address === null || !LOCAL_ADDRESS.test(address.replace(/%.*$/, ""))) {
    return null;
  }
  const outcome = defaultRead(call);
  return { ...outcome, value: outcome.value, identifiers: ids("ip", [address.replace(/%.*$/, "")]) };
}

/**
 * The items of a List or array; an Enumeration is single-pass, so the app's own is never read:
 * `fresh` gives a new one to read instead (the same lookup, made again without recording).
 */
function elements(value: any, fresh?: () => any): any[] {
  if (value !== null && value !== undefined && typeof value === "object" && value.hasMoreElements !== undefined) {
    if (fresh === undefined) {
      return [];
    }
    return internally(() => itemsOf(Java.use("java.util.Collections").list(fresh()), 64));
  }
  return itemsOf(value, 64);
}

function localAddresses(texts: string[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    const match = /([0-9a-f:.]+)/i.exec(text.replace(/^[^/]*\//, "").replace(/%.*$/, ""));
    if (match !== null && LOCAL_ADDRESS.test(match[1]) && !out.includes(match[1])) {
      out.push(match[1]);
    }
  }
  return out;
}

/** NetworkInterface lookups: the interfaces and their own addresses ("eth0: 192.168.1.5, fe80::1"). */
function interfaces(call: Call) {
  const outcome = defaultRead(call);
  if (call.threw !== undefined || call.ret === null || call.ret === undefined) {
    return outcome;
  }
  const shown: string[] = [];
  const texts: string[] = [];
  const self = call.self;
  const again = (): any => (call.spec.method === "getNetworkInterfaces" ? Java.use("java.net.NetworkInterface").getNetworkInterfaces() : self.getInetAddresses());
  const items = call.returnType === "java.net.NetworkInterface" ? [call.ret] : elements(call.ret, again);
  for (const item of items) {
    const obj = asRuntime(item);
    if (getter(obj, "getInetAddresses") !== null && getter(obj, "getName") !== null) {
      const addresses = elements(internally(() => obj.getInetAddresses()), () => obj.getInetAddresses()).map((a) => addressText(a) ?? "");
      shown.push(`${getter(obj, "getName")}: ${addresses.join(", ")}`);
      texts.push(...addresses);
    } else {
      const text = addressText(item) ?? "";
      shown.push(text);
      texts.push(text);
    }
  }
  return { ...outcome, value: shown.join("; "), identifiers: ids("ip", localAddresses(texts)) };
}

export const handlers: HandlerTable = {
  ip_address: { kind: "data", read: ipAddress },
  ip_list: { kind: "data", read: interfaces },
  interfaces: { kind: "data", read: interfaces },
  connection_info: { kind: "data", read: connectionInfo },
  scan_results: { kind: "data", read: scanResults },
  configured_networks: { kind: "data", read: configuredNetworks },
  ssid: { kind: "data", read: ssid },
  ip_int: { kind: "data", read: ipInt },
  dhcp_info: { kind: "data", read: dhcpInfo },
  hardware_address: { kind: "data", read: hardwareAddress },
};
