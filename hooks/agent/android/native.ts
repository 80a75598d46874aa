// Native reads below the framework (libc): serial properties, MAC files, ARP table, getifaddrs,
// ioctl(SIOCGIFHWADDR). The same libc symbols exist on Android (bionic) and on the host (glibc);
// a symbol that is missing is reported as a `hook:status` failure.
import type { NativeHookSpec } from "../lib/config.js";
import { getProcessName, reportStatus } from "../lib/hooks.js";
import { type Identifiers, ids, macFromBytes, mergeIds } from "../lib/render.js";
import { emit, now, reportAgentError } from "../lib/sender.js";
import { captureJavaIfAttached, captureNative, stackFields } from "../lib/stack.js";
import { app, internally, javaHookActive } from "../lib/state.js";
import { SERIAL_PROPERTIES } from "./serial.js";

const SIOCGIFHWADDR = 0x8927;
const AF_PACKET = 17;
const MAC_FILE = /^\/sys\/class\/net\/([^/]+)\/address$/;
const ARP_FILE = /^\/proc\/net\/arp$/;

interface Reading {
  args: Record<string, unknown>;
  value: string | null;
  identifiers: Identifiers;
  dataType?: string;
}

function record(spec: NativeHookSpec, reading: Reading, context: CpuContext, deviceTime: number): void {
  internally(() => {
    const java = captureJavaIfAttached();
    const native = captureNative(context);
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
      if (path === null || (!MAC_FILE.test(path) && !ARP_FILE.test(path))) {
        return;
      }
      state.match = path;
      state.time = now();
    },
    onLeave(retval) {
      const state = this as any;
      const path: string | null = state.match;
      if (path === null || retval.toInt32() < 0) {
        return;
      }
      const content = readText(path);
      const text = content === null ? null : content.trim();
      const mac = MAC_FILE.exec(path);
      const reading: Reading = mac !== null
        ? { args: { path, interface: mac[1] }, value: text, identifiers: ids("mac", [text]), dataType: "mac" }
        : { args: { path }, value: text, identifiers: ids("bssid", text === null ? [] : arpMacs(text)), dataType: "bssid" };
      record(spec, reading, this.context, state.time);
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
      if (key !== null && SERIAL_PROPERTIES.has(key)) {
        state.key = key;
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
      record(spec, { args: { key: state.key }, value, identifiers: ids("serial", [value]) }, this.context, state.time);
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

/** Attach every native hook; a missing symbol or handler is reported, never skipped. */
export function installNativeHooks(specs: NativeHookSpec[]): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const status = { class: spec.module, method: spec.symbol, data_type: spec.data_type };
    const listener = listenerFor(spec);
    if (listener === null) {
      reportStatus(status, false, `agent has no native handler ${spec.handler}`, 0);
      continue;
    }
    const address = Module.findGlobalExportByName(spec.symbol);
    if (address === null) {
      reportStatus(status, false, `symbol not found: ${spec.symbol} is not exported by any loaded module`, 0);
      continue;
    }
    const key = address.toString();
    const alias = seen.get(key);
    if (alias !== undefined) {
      reportStatus(status, true, `same function as ${alias}, hooked once`, 1);
      continue;
    }
    try {
      attached.push(Interceptor.attach(address, listener));
      seen.set(key, spec.symbol);
      reportStatus(status, true, "", 1);
    } catch (e) {
      reportStatus(status, false, `attach failed: ${e instanceof Error ? e.message : String(e)}`, 0);
    }
  }
}
