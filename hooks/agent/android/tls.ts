// What the app writes into TLS connections and reads from them, in plaintext: `crypto:op` events with
// op `tls_write` (the bytes as `input`) and `tls_read` (as `output`), naming the connection and its
// server. The proxy sees the same bytes for the connections it inspects; for those it cannot (a pinned
// host passed through, a socket that bypassed the proxy) this is the only witness.
//
// Java: the TLS socket streams (HotSpot's JSSE SSLSocketImpl$AppOutputStream/AppInputStream, Android's
// Conscrypt ConscryptFileDescriptorSocket/ConscryptEngineSocket SSLOutputStream/SSLInputStream). Inside
// them, and inside handshakes (`quiet` hooks), the crypto hooks stay silent: JSSE encrypts its records
// with javax.crypto, which is not the app's data.
// Native: SSL_write/SSL_read (and the _ex forms) exported by BoringSSL's libssl.so, Conscrypt's
// libjavacrypto.so and Cronet's library, hooked in every loaded module of those names and in any that
// loads later. The server name comes from SSL_get_servername of the same module.
import { arrayLength, Capture, identity, Recent } from "../lib/bytes.js";
import type { NativeHookSpec } from "../lib/config.js";
import { type Call, getProcessName, type HandlerTable, type HookState, passThrough, reportStatus } from "../lib/hooks.js";
import { emitWithBytes, now, reportAgentError } from "../lib/sender.js";
import { captureJava, captureJavaIfAttached, captureNative, stackFields } from "../lib/stack.js";
import { insideGroup, internally } from "../lib/state.js";

export const counters = { writes: 0, reads: 0, native: 0, unrecordedBytes: 0 };

// Bytes of plaintext recorded per connection and direction: every write up to 8 MiB (what the
// TLS-plaintext scan reads back), reads up to 64 KiB (response headers and API answers, not
// downloads). Past the budget the connection's traffic passes unrecorded (counted).
const BUDGET = { tls_write: 8 << 20, tls_read: 64 << 10 };
const recorded = new Recent<{ tls_write: number; tls_read: number }>(4096);

function withinBudget(op: "tls_write" | "tls_read", connection: string, length: number): boolean {
  const key = hashKey(connection);
  let used = recorded.get(key);
  if (used === undefined) {
    used = { tls_write: 0, tls_read: 0 };
    recorded.set(key, used);
  }
  if (used[op] >= BUDGET[op]) {
    counters.unrecordedBytes += length;
    return false;
  }
  used[op] += length;
  return true;
}

function hashKey(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) {
    h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  }
  return h;
}

interface Connection {
  id: string;
  host: string | null;
  port: number | null;
}

function emitTls(op: "tls_write" | "tls_read", connection: Connection, data: Capture, api: Record<string, string>, deviceTime: number, stack: Record<string, unknown>, thread: string): void {
  if (op === "tls_write") {
    counters.writes += 1;
  } else {
    counters.reads += 1;
  }
  const side = op === "tls_write" ? "input" : "output";
  emitWithBytes(
    {
      type: "crypto:op",
      device_time: deviceTime,
      op,
      algorithm: "TLS",
      api,
      connection: connection.id,
      host: connection.host,
      port: connection.port,
      ...data.fields(side),
      ...stack,
      thread,
      pid: Process.id,
      process: getProcessName(),
    },
    { [side]: data.bytes() },
  );
}

// ------------------------------------------------------------------ Java TLS streams

function call0(object: any, names: string[]): any {
  for (const name of names) {
    try {
      if (typeof object[name] === "function") {
        return object[name]();
      }
    } catch (e) {
      // next
    }
  }
  return null;
}

/** The socket behind a TLS stream (an inner class: its outer instance), with its server name and port. */
function javaConnection(stream: any): Connection {
  let socket = stream;
  try {
    socket = stream.this$0.value;
  } catch (e) {
    socket = stream;
  }
  const host = call0(socket, ["getPeerHost", "getHostname", "getHostnameOrIP"]);
  const port = call0(socket, ["getPort"]);
  return { id: `socket:${identity(socket)}`, host: host === null ? null : String(host), port: typeof port === "number" && port > 0 ? port : null };
}

function apiOf(call: Call): Record<string, string> {
  return { class_name: call.spec.class, method: call.spec.method, overload: call.argTypes.join(",") };
}

/** SSLOutputStream.write(byte[], int, int) / write(int): the plaintext, once written. */
function javaWrite(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const data = new Capture();
      const a = call.args;
      if (call.argTypes.length === 1 && call.argTypes[0] === "int") {
        data.addBytes(new Uint8Array([a[0] & 0xff]).buffer);
      } else if (call.argTypes.length === 1) {
        data.addArray(a[0], 0, arrayLength(a[0]));
      } else {
        data.addArray(a[0], a[1], a[2]);
      }
      return { data, time: now() };
    },
    (_ret, { data, time }) => {
      const connection = javaConnection(call.self);
      if (!withinBudget("tls_write", connection.id, data.total)) {
        return;
      }
      const { thread, stackText } = captureJava();
      emitTls("tls_write", connection, data, apiOf(call), time, stackFields(stackText), thread);
    },
  );
}

/** SSLInputStream.read(byte[], int, int): the plaintext read (nothing at the end of the stream). */
function javaRead(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => now(),
    (ret, time) => {
      if (typeof ret !== "number" || ret <= 0 || call.argTypes.length < 1 || call.argTypes[0] !== "byte[]") {
        return;
      }
      const connection = javaConnection(call.self);
      if (!withinBudget("tls_read", connection.id, ret)) {
        return;
      }
      const data = new Capture();
      const offset = call.argTypes.length >= 3 ? (call.args[1] as number) : 0;
      data.addArray(call.args[0], offset, ret);
      const { thread, stackText } = captureJava();
      emitTls("tls_read", connection, data, apiOf(call), time, stackFields(stackText), thread);
    },
  );
}

/** A handshake, close or engine wrap/unwrap: nothing recorded, but the crypto hooks stay silent inside. */
function quiet(_call: Call, callOriginal: () => any): any {
  return callOriginal();
}

export const handlers: HandlerTable = {
  java_write: { kind: "around", run: javaWrite },
  java_read: { kind: "around", run: javaRead },
  quiet: { kind: "around", run: quiet },
};

// ------------------------------------------------------------------ native SSL_write / SSL_read

type NativeIo = "write" | "read";

const SSL_HANDLERS: Record<string, { io: NativeIo; ex: boolean }> = {
  ssl_write: { io: "write", ex: false },
  ssl_read: { io: "read", ex: false },
  ssl_write_ex: { io: "write", ex: true },
  ssl_read_ex: { io: "read", ex: true },
};

const attached: InvocationListener[] = [];
const hookedAddresses = new Set<string>();
const serverNames = new Map<string, NativeFunction<NativePointer, [NativePointerValue, number]>>();
const TLSEXT_NAMETYPE_HOST_NAME = 0;

/** A size_t. */
function readSize(at: NativePointer): number {
  return Process.pointerSize === 8 ? at.readU64().toNumber() : at.readU32();
}

function moduleMatches(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) {
    return name === pattern;
  }
  const re = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(name);
}

function serverName(module: Module, ssl: NativePointer): string | null {
  let get = serverNames.get(module.path);
  if (get === undefined) {
    const address = module.findExportByName("SSL_get_servername");
    if (address === null) {
      return null;
    }
    get = new NativeFunction(address, "pointer", ["pointer", "int"]);
    serverNames.set(module.path, get);
  }
  const name = get(ssl, TLSEXT_NAMETYPE_HOST_NAME);
  return name.isNull() ? null : name.readCString();
}

// Native TLS calls in progress per thread: BoringSSL's SSL_write_ex calls SSL_write, which must not
// record the same bytes again.
const nativeDepth = new Map<number, number>();

function nativeInside(delta: number): number {
  const thread = Process.getCurrentThreadId();
  const depth = (nativeDepth.get(thread) ?? 0) + delta;
  if (depth <= 0) {
    nativeDepth.delete(thread);
  } else {
    nativeDepth.set(thread, depth);
  }
  return depth;
}

function nativeListener(spec: NativeHookSpec, module: Module, how: { io: NativeIo; ex: boolean }): InvocationListenerCallbacks {
  const api = { class_name: module.name, method: spec.symbol, overload: "" };
  return {
    onEnter(args) {
      const state = this as any;
      // inside a Java TLS stream hook, or another SSL_* call: the outer one records the bytes
      state.skip = insideGroup("tls:") || nativeInside(+1) > 1;
      state.counted = !insideGroup("tls:");
      if (state.skip) {
        return;
      }
      state.ssl = args[0];
      state.buf = args[1];
      state.count = how.ex ? args[3] : null;
      state.time = now();
    },
    onLeave(retval) {
      const state = this as any;
      if (state.counted) {
        nativeInside(-1);
      }
      if (state.skip) {
        return;
      }
      try {
        let n = retval.toInt32();
        if (how.ex) {
          n = n === 1 && !(state.count as NativePointer).isNull() ? readSize(state.count as NativePointer) : 0;
        }
        if (n <= 0) {
          return; // an error or a retry (SSL_ERROR_WANT_*): nothing was written or read
        }
        const ssl = state.ssl as NativePointer;
        const op = how.io === "write" ? "tls_write" : "tls_read";
        if (!withinBudget(op, `ssl:${ssl}`, n)) {
          return;
        }
        internally(() => {
          const data = new Capture();
          data.addBytes((state.buf as NativePointer).readByteArray(n) as ArrayBuffer);
          const java = captureJavaIfAttached();
          const stack = java !== null ? stackFields(java.stackText) : { stack: captureNative(this.context) };
          const connection = { id: `ssl:${ssl}`, host: serverName(module, ssl), port: null };
          counters.native += 1;
          emitTls(op, connection, data, api, state.time, stack, java?.thread ?? `tid:${Process.getCurrentThreadId()}`);
        });
      } catch (e) {
        reportAgentError(`native hook ${module.name}!${spec.symbol} failed`, e);
      }
    },
  };
}

let specs: NativeHookSpec[] = [];
let observer: ModuleObserver | null = null;

function status(spec: NativeHookSpec, module: string, state: HookState, error: string): void {
  reportStatus({ class: module, method: spec.symbol, data_type: null }, state, error, state === "installed" ? 1 : 0);
}

function hookModule(module: Module): void {
  for (const spec of specs) {
    if (!moduleMatches(spec.module, module.name)) {
      continue;
    }
    const how = SSL_HANDLERS[spec.handler];
    if (how === undefined) {
      status(spec, module.name, "failed", `agent has no TLS handler ${spec.handler}`);
      continue;
    }
    const address = module.findExportByName(spec.symbol);
    if (address === null) {
      status(spec, module.name, "failed", `${module.name} does not export ${spec.symbol}`);
      continue;
    }
    if (hookedAddresses.has(address.toString())) {
      continue;
    }
    try {
      attached.push(Interceptor.attach(address, nativeListener(spec, module, how)));
      hookedAddresses.add(address.toString());
      status(spec, spec.module, "installed", "");
    } catch (e) {
      status(spec, module.name, "failed", `attach failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Hook SSL_write/SSL_read in every loaded TLS library and in each that loads later. */
export function installTlsNativeHooks(list: NativeHookSpec[]): void {
  specs = list;
  if (specs.length === 0) {
    return;
  }
  const loaded = Process.enumerateModules();
  for (const module of loaded) {
    hookModule(module);
  }
  for (const spec of specs) {
    if (!loaded.some((module) => moduleMatches(spec.module, module.name))) {
      status(spec, spec.module, "pending", `${spec.module} is not loaded (yet): hooked if it loads`);
    }
  }
  observer = Process.attachModuleObserver({ onAdded: hookModule });
}

/** Stop watching for new modules (tests). */
export function tlsObserver(): ModuleObserver | null {
  return observer;
}
