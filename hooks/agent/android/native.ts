// Native reads below the framework (libc): system properties (__system_property_get and
// __system_property_read_callback), files that hold device data (MACs, the ARP table, CPU info,
// Bluetooth), getifaddrs, ioctl(SIOCGIFHWADDR). The same libc symbols exist on Android (bionic)
// and on the host (glibc); a symbol no loaded module exports yet is `pending` and is hooked when a
// module exporting it loads (an SDK's .so, or the stand-in's fake property library).
import type { NativeHookSpec } from "../lib/config.js";
import { getProcessName, reportStatus } from "../lib/hooks.js";
import { propertyType } from "../lib/properties.js";
import { type Identifiers, ids, macFromBytes, mergeIds } from "../lib/render.js";
import { emit, now, reportAgentError } from "../lib/sender.js";
import { isVmStarting } from "../lib/runtime.js";
import { captureJavaIfAttached, captureNative, stackFields } from "../lib/stack.js";
import { app, internally, javaHookActive } from "../lib/state.js";

const SIOCGIFHWADDR = 0x8927;
const AF_PACKET = 17;
const PROP_VALUE_MAX = 92;
const MAC_FILE = /^\/sys\/class\/net\/([^/]+)\/address$/;
const ARP_FILE = /^\/proc\/net\/arp$/;
const CPUINFO_FILE = /^\/proc\/cpuinfo$/;
const BLUETOOTH_FILE = /^\/sys\/class\/bluetooth(\/|$)/;

/** The data type a file reveals, or null for files that hold nothing personal. */
export function fileType(path: string): string | null {
  if (MAC_FILE.test(path)) {
    return "mac";
  }
  if (ARP_FILE.test(path)) {
    return "bssid";
  }
  if (CPUINFO_FILE.test(path)) {
    return "device_info";
  }
  if (BLUETOOTH_FILE.test(path)) {
    return "bluetooth_mac";
  }
  return null;
}

/** What a file read reveals: its value as recorded, and the identifiers in it. */
export function fileReading(path: string, content: string | null): { value: string | null; identifiers: Identifiers } {
  const text = content === null ? null : content.trim();
  switch (fileType(path)) {
    case "mac":
      return { value: text, identifiers: ids("mac", [text]) };
    case "bssid":
      return { value: text, identifiers: ids("bssid", text === null ? [] : arpMacs(text)) };
    case "bluetooth_mac":
      return { value: text, identifiers: ids("bluetooth_mac", text !== null && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text) ? [text] : []) };
    case "device_info": {
      if (text === null) {
        return { value: null, identifiers: {} };
      }
      const lines = text.split("\n").filter((line) => /^(Hardware|Serial|model name|Processor|Revision)\s*:/i.test(line));
      const shown = [...new Set(lines.map((line) => line.replace(/\s*:\s*/, ": ").trim()))].slice(0, 8);
      const serial = lines.map((line) => /^Serial\s*:\s*(\S+)/i.exec(line)?.[1]).find((s) => s !== undefined && !/^0+$/.test(s));
      return { value: shown.join("; ") || `${text.length} chars`, identifiers: serial === undefined ? {} : ids("serial", [serial]) };
    }
    default:
      return { value: text, identifiers: {} };
  }
}

interface Reading {
  args: Record<string, unknown>;
  value: string | null;
  identifiers: Identifiers;
  dataType?: string;
}

// The VM's own reads (HotSpot reads /proc/cpuinfo while it starts, ART its own files) are not the app's.
const RUNTIME_MODULE = /^(libjvm\.so|libart\.so|libartbase\.so|libjli\.so)!/;

function record(spec: NativeHookSpec, reading: Reading, context: CpuContext, deviceTime: number): void {
  internally(() => {
    const java = captureJavaIfAttached();
    // with a Java stack the native frames are a supplement: the few innermost are enough
    const native = captureNative(context, java !== null ? 8 : undefined);
    if (java === null && (isVmStarting() || native.some((frame) => RUNTIME_MODULE.test(frame)))) {
      return;
    }
    const args = java !== null ? { ...reading.args, native_stack: native.slice(0, 8) } : reading.args;
    emit({
      type: "hook:call",
      device_time: deviceTime,
      data_type: reading.dataType ?? spec.data_type,
      api: { class_name: spec.module, method: spec.symbol, overload: "" },
      args,
      value: reading.value,
      identifiers: reading.identifiers,
      ...(java !== null ? stackFields(java.stackText) : { stack: native }),
      thread: java?.thread ?? `tid:${Process.getCurrentThreadId()}`,
      pid: Process.id,
      process: getProcessName(),
      foreground: app.foreground,
      phase: app.phase,
      canary: false,
    });
  });
}

function readText(path: string): string | null {
  try {
    return internally(() => File.readAllText(path));
  } catch (e) {
    return null;
  }
}

/** The BSSIDs (router MACs) listed in /proc/net/arp. */
export function arpMacs(text: string): string[] {
  return text
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[3])
    .filter((mac) => mac !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac));
}

function openHook(spec: NativeHookSpec, pathIndex: number): InvocationListenerCallbacks {
  return {
    onEnter(args) {
      const state = this as any;
      state.match = null;
      if (javaHookActive()) {
        return;
      }
      const pointer = args[pathIndex];
      const path = pointer.isNull() ? null : pointer.readCString();
      if (path === null || fileType(path) === null) {
        return;
      }
      state.match = path;
      state.time = now();
    },
    onLeave(retval) {
      const state = this as any;
      const path: string | null = state.match;
      if (path === null) {
        return;
      }
      // A failed open is still an attempt to read the data (labs record attempts): value null.
      const opened = retval.toInt32() >= 0;
      const { value, identifiers } = opened ? fileReading(path, readText(path)) : { value: null, identifiers: {} };
      const mac = MAC_FILE.exec(path);
      const args: Record<string, unknown> = mac !== null ? { path, interface: mac[1] } : { path };
      if (!opened) {
        args.failed = true;
      }
      record(spec, { args, value, identifiers, dataType: fileType(path) ?? spec.data_type }, this.context, state.time);
    },
  };
}

function systemPropertyHook(spec: NativeHookSpec): InvocationListenerCallbacks {
  return {
    onEnter(args) {
      const state = this as any;
      state.key = null;
      if (javaHookActive()) {
        return;
      }
      const key = args[0].readCString();
      const dataType = key === null ? null : propertyType(key);
      if (dataType !== null) {
        state.key = key;
        state.type = dataType;
        state.out = args[1];
        state.time = now();
      }
    },
    onLeave() {
      const state = this as any;
      if (state.key === null) {
        return;
      }
      const value = (state.out as NativePointer).readCString();
      const reading = { args: { key: state.key }, value, identifiers: ids(state.type, [value]), dataType: state.type };
      record(spec, reading, this.context, state.time);
    },
  };
}

/**
 * __system_property_read_callback(const prop_info *pi, callback, cookie): the value reaches the
 * caller through the callback. prop_info is bionic's { u32 serial; char value[92]; char name[]; }
 * (values under 92 bytes, which is every property that holds an identifier), read at the call.
 */
function propertyCallbackHook(spec: NativeHookSpec): InvocationListenerCallbacks {
  return {
    onEnter(args) {
      if (javaHookActive() || args[0].isNull()) {
        return;
      }
      const info = args[0];
      const key = info.add(4 + PROP_VALUE_MAX).readCString();
      const dataType = key === null ? null : propertyType(key);
      if (dataType === null) {
        return;
      }
      const value = info.add(4).readCString();
      record(spec, { args: { key }, value, identifiers: ids(dataType, [value]), dataType }, this.context, now());
    },
  };
}

function ioctlHook(spec: NativeHookSpec): InvocationListenerCallbacks {
  return {
    onEnter(args) {
      const state = this as any;
      state.ifreq = null;
      if ((args[1].toUInt32() & 0xffffffff) !== SIOCGIFHWADDR || javaHookActive()) {
        return;
      }
      state.ifreq = args[2];
      state.time = now();
    },
    onLeave(retval) {
      const state = this as any;
      if (state.ifreq === null || retval.toInt32() !== 0) {
        return;
      }
      // struct ifreq { char ifr_name[16]; struct sockaddr ifr_hwaddr { u16 family; u8 data[14] } }
      const ifreq = state.ifreq as NativePointer;
      const raw = new Uint8Array(ifreq.readByteArray(16) as ArrayBuffer);
      const end = raw.indexOf(0);
      const name = String.fromCharCode(...raw.slice(0, end < 0 ? raw.length : end));
      const mac = macFromBytes(new Uint8Array(ifreq.add(18).readByteArray(6) as ArrayBuffer));
      const reading = { args: { interface: name, request: "SIOCGIFHWADDR" }, value: mac, identifiers: ids("mac", [mac]) };
      record(spec, reading, this.context, state.time);
    },
  };
}

function ifaddrsHook(spec: NativeHookSpec): InvocationListenerCallbacks {
  return {
    onEnter(args) {
      const state = this as any;
      state.out = javaHookActive() ? null : args[0];
      state.time = now();
    },
    onLeave(retval) {
      const state = this as any;
      if (state.out === null || retval.toInt32() !== 0) {
        return;
      }
      // struct ifaddrs { next; char *name; unsigned flags; sockaddr *addr; ... }
      const pointerSize = Process.pointerSize;
      const macs: string[] = [];
      const interfaces: string[] = [];
      let entry = (state.out as NativePointer).readPointer();
      for (let i = 0; !entry.isNull() && i < 256; i++) {
        const name = entry.add(pointerSize).readPointer().readCString() ?? "?";
        const address = entry.add(pointerSize * 3).readPointer();
        if (!address.isNull() && address.readU16() === AF_PACKET) {
          // struct sockaddr_ll { u16 family; u16 protocol; i32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8] }
          const length = address.add(11).readU8();
          if (length === 6) {
            const mac = macFromBytes(new Uint8Array(address.add(12).readByteArray(6) as ArrayBuffer));
            macs.push(mac);
            interfaces.push(`${name}=${mac}`);
          }
        }
        entry = entry.readPointer();
      }
      const reading = { args: {}, value: interfaces.join(", "), identifiers: mergeIds(ids("mac", macs)) };
      record(spec, reading, this.context, state.time);
    },
  };
}

/** Never let a native hook's own failure reach the app: report it (rate-limited) instead. */
function guarded(spec: NativeHookSpec, callbacks: InvocationListenerCallbacks): InvocationListenerCallbacks {
  const where = `native hook ${spec.symbol}`;
  return {
    onEnter(args) {
      try {
        (callbacks.onEnter as ((this: InvocationContext, args: InvocationArguments) => void) | undefined)?.call(this, args);
      } catch (e) {
        (this as any).failed = true;
        reportAgentError(`${where} failed`, e);
      }
    },
    onLeave(retval) {
      if ((this as any).failed === true) {
        return;
      }
      try {
        (callbacks.onLeave as ((this: InvocationContext, retval: InvocationReturnValue) => void) | undefined)?.call(this, retval);
      } catch (e) {
        reportAgentError(`${where} failed`, e);
      }
    },
  };
}

function listenerFor(spec: NativeHookSpec): InvocationListenerCallbacks | null {
  const callbacks = callbacksFor(spec);
  return callbacks === null ? null : guarded(spec, callbacks);
}

function callbacksFor(spec: NativeHookSpec): InvocationListenerCallbacks | null {
  switch (spec.handler) {
    case "open_path":
      return openHook(spec, 0);
    case "openat_path":
      return openHook(spec, 1);
    case "system_property":
      return systemPropertyHook(spec);
    case "system_property_callback":
      return propertyCallbackHook(spec);
    case "ioctl_hwaddr":
      return ioctlHook(spec);
    case "getifaddrs":
      return ifaddrsHook(spec);
    default:
      return null;
  }
}

// Listeners stay referenced for the life of the script.
const attached: InvocationListener[] = [];
const hookedAddresses = new Map<string, string>();
let pending: NativeHookSpec[] = [];
let moduleObserver: ModuleObserver | null = null;

function statusOf(spec: NativeHookSpec) {
  return { class: spec.module, method: spec.symbol, data_type: spec.data_type };
}

/** Hook one spec at an address; false when that failed (reported). */
function attachAt(spec: NativeHookSpec, address: NativePointer, where: string): void {
  const listener = listenerFor(spec);
  if (listener === null) {
    reportStatus(statusOf(spec), "failed", `agent has no native handler ${spec.handler}`, 0);
    return;
  }
  const key = address.toString();
  const alias = hookedAddresses.get(key);
  if (alias !== undefined) {
    reportStatus(statusOf(spec), "installed", `same function as ${alias}, hooked once`, 1, where);
    return;
  }
  try {
    attached.push(Interceptor.attach(address, listener));
    hookedAddresses.set(key, spec.symbol);
    reportStatus(statusOf(spec), "installed", "", 1, where);
  } catch (e) {
    reportStatus(statusOf(spec), "failed", `attach failed: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
}

function moduleOf(address: NativePointer): string {
  return Process.findModuleByAddress(address)?.name ?? "?";
}

/** A module was loaded: hook the pending symbols it exports. */
function onModuleAdded(module: Module): void {
  if (pending.length === 0) {
    return;
  }
  const still: NativeHookSpec[] = [];
  for (const spec of pending) {
    let address: NativePointer | null = null;
    try {
      address = module.findExportByName(spec.symbol);
    } catch (e) {
      address = null;
    }
    if (address === null) {
      still.push(spec);
    } else {
      attachAt(spec, address, module.name);
    }
  }
  pending = still;
}

/**
 * Attach every native hook. A symbol no loaded module exports is `pending` (hooked when a module
 * exporting it loads, e.g. an SDK's .so); a missing handler or a failed attach is `failed`.
 */
export function installNativeHooks(specs: NativeHookSpec[]): void {
  for (const spec of specs) {
    if (listenerFor(spec) === null) {
      reportStatus(statusOf(spec), "failed", `agent has no native handler ${spec.handler}`, 0);
      continue;
    }
    const address = Module.findGlobalExportByName(spec.symbol);
    if (address === null) {
      pending.push(spec);
      reportStatus(statusOf(spec), "pending", `no loaded module exports ${spec.symbol} yet`, 0);
      continue;
    }
    attachAt(spec, address, moduleOf(address));
  }
  if (pending.length > 0 && moduleObserver === null) {
    moduleObserver = Process.attachModuleObserver({ onAdded: onModuleAdded });
  }
}
