// The safe hook installer: every hook passes the call through untouched, records it off the
// app's result, and reports a hook it cannot install as a `hook:status` event.
import Java from "frida-java-bridge";

import { config, type JavaHookSpec } from "./config.js";
import { describeThrowable, type Identifiers, ids, render, renderArgs } from "./render.js";
import { emit, now, reportAgentError } from "./sender.js";
import { captureJava, stackFields } from "./stack.js";
import { app, enterGroup, internally, leaveGroup, shouldRecord } from "./state.js";

/** What a hooked call looked like, handed to the category module's handler. */
export interface Call {
  spec: JavaHookSpec;
  self: any;
  args: any[];
  argTypes: string[];
  returnType: string;
  ret?: any;
  threw?: unknown;
}

/** What a data handler extracts from a call; null means "not personal data, record nothing". */
export interface DataOutcome {
  data_type?: string;
  args?: Record<string, unknown>;
  value?: string | null;
  identifiers?: Identifiers;
}

export type Handler =
  | { kind: "data"; read: (call: Call) => DataOutcome | null }
  | { kind: "before"; run: (call: Call) => void }
  | { kind: "replace"; run: (call: Call, callOriginal: () => any) => any };

export type HandlerTable = Record<string, Handler>;

/** A replacement return value for a read (a canary), or null to pass the real one through. */
export type ValueSwap = (dataType: string, call: Call) => { ret: unknown; value: string } | null;

// lib/ knows no hook module: index.ts plugs the canary module in here.
let swapValue: ValueSwap = () => null;

/** Set how a read's return value may be replaced (the `canary` option); the default replaces nothing. */
export function setValueSwap(swap: ValueSwap): void {
  swapValue = swap;
}

const registry = new Map<string, Handler>();

/** Make a module's handlers reachable as "category.handler" from the hook list. */
export function registerHandlers(category: string, table: HandlerTable): void {
  for (const [name, handler] of Object.entries(table)) {
    registry.set(`${category}.${name}`, handler);
  }
}

// Data types whose return value is itself the identifier (a String).
const STRING_IDENTIFIERS = new Set([
  "imei", "meid", "imsi", "iccid", "phone", "android_id", "serial", "mac", "bluetooth_mac",
  "bssid", "ssid", "ad_id", "oaid", "ip", "email", "clipboard", "carrier", "device_info",
]);

/** The default data handler: render the return value; a String of an identifier type is the identifier. */
export function defaultRead(call: Call): DataOutcome {
  const dataType = call.spec.data_type ?? "";
  const args = renderArgs(call.args, call.argTypes);
  if (call.threw !== undefined) {
    return { args: { ...args, threw: describeThrowable(call.threw) }, value: null };
  }
  const value = render(call.ret, call.returnType);
  let identifiers: Identifiers = {};
  if (STRING_IDENTIFIERS.has(dataType)) {
    if (typeof call.ret === "string") {
      identifiers = ids(dataType, [call.ret]);
    } else if (call.returnType === "[Ljava.lang.String;" && call.ret !== null && call.ret !== undefined) {
      identifiers = ids(dataType, Array.from(call.ret as ArrayLike<string>));
    }
  }
  return { args, value, identifiers };
}

const DEFAULT_DATA: Handler = { kind: "data", read: defaultRead };

let processName = "";

export function setProcessName(name: string): void {
  processName = name;
}

export function getProcessName(): string {
  return processName;
}

export const hookStats = { installed: 0, failed: 0, pending: 0, overloads: 0, calls: 0, replaced: 0 };

function typeName(type: any): string {
  const name: string = type.className ?? type.name;
  // "[Ljava.lang.String;" -> "java.lang.String[]", "[B" -> "byte[]"
  if (name.startsWith("[")) {
    const primitives: Record<string, string> = { B: "byte", C: "char", D: "double", F: "float", I: "int", J: "long", S: "short", Z: "boolean" };
    const depth = name.lastIndexOf("[") + 1;
    const element = name.slice(depth);
    const base = element.startsWith("L") ? element.slice(1, -1) : (primitives[element] ?? element);
    return base + "[]".repeat(depth);
  }
  return name;
}

function rawName(type: any): string {
  return (type.className ?? type.name) as string;
}

export type HookState = "installed" | "failed" | "pending";

/** Report one hook's state as a `hook:status` event (`loader`: where it was installed). */
export function reportStatus(
  spec: { class: string; method: string; data_type: string | null },
  state: HookState,
  error: string,
  overloads: number,
  loader?: string,
): void {
  if (state === "installed") {
    hookStats.installed += 1;
    hookStats.overloads += overloads;
  } else if (state === "failed") {
    hookStats.failed += 1;
  } else {
    hookStats.pending += 1;
  }
  emit({
    type: "hook:status",
    _device_time: now(),
    _overloads: overloads,
    api: { class_name: spec.class, method: spec.method, overload: "" },
    data_type: spec.data_type,
    installed: state === "installed",
    state,
    ...(loader !== undefined ? { loader } : {}),
    error,
  });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The category module's handler of a spec (the default data handler when it names none). */
export function handlerOf(spec: JavaHookSpec): Handler | undefined {
  return spec.handler !== undefined ? registry.get(`${spec.category}.${spec.handler}`) : DEFAULT_DATA;
}

/**
 * Install one hook spec on all overloads of its method in an already resolved class (`wrapper`,
 * from the class loader `loader`); report the result as a `hook:status` event.
 */
export function installJavaHook(spec: JavaHookSpec, wrapper: any, loader: string): void {
  const handler = handlerOf(spec);
  if (handler === undefined) {
    reportStatus(spec, "failed", `agent has no handler ${spec.category}.${spec.handler}`, 0);
    return;
  }
  const own: string[] = wrapper.$ownMembers ?? [];
  // "$init" names the constructors (AudioRecord's opens the microphone)
  const method = spec.method === "$init" || own.includes(spec.method) ? wrapper[spec.method] : undefined;
  if (method === undefined || method.overloads === undefined) {
    let inherited = "";
    try {
      const holder = wrapper[spec.method]?.overloads?.[0]?.holder?.$className;
      inherited = typeof holder === "string" ? ` (it inherits ${spec.method} from ${holder})` : "";
    } catch (e) {
      inherited = "";
    }
    reportStatus(spec, "failed", `method not found: ${spec.class} declares no method ${spec.method}${inherited}`, 0, loader);
    return;
  }
  const failures: string[] = [];
  let hooked = 0;
  for (const overload of method.overloads) {
    const argTypes: string[] = overload.argumentTypes.map(typeName);
    try {
      overload.implementation = makeImplementation(spec, handler, overload, argTypes);
      hooked += 1;
    } catch (e) {
      failures.push(`(${argTypes.join(",")}): ${errorText(e)}`);
    }
  }
  reportStatus(spec, hooked > 0 ? "installed" : "failed", failures.join("; "), hooked, loader);
}

function makeImplementation(spec: JavaHookSpec, handler: Handler, overload: any, argTypes: string[]): (...args: any[]) => any {
  // Data reads nest within their class (getDeviceId() -> getDeviceId(int)); other kinds only within the method.
  const group = spec.group ?? (spec.kind === "data" ? spec.class : `${spec.class}#${spec.method}`);
  const returnType = rawName(overload.returnType);
  const signature = argTypes.join(",");
  const api = { class_name: spec.class, method: spec.method, overload: signature };

  if (handler.kind === "replace") {
    return function (this: any, ...args: any[]) {
      hookStats.replaced += 1;
      const call: Call = { spec, self: this, args, argTypes, returnType };
      return handler.run(call, () => overload.apply(this, args));
    };
  }

  if (handler.kind === "before") {
    return function (this: any, ...args: any[]) {
      if (shouldRecord(group)) {
        const call: Call = { spec, self: this, args, argTypes, returnType };
        internally(() => {
          try {
            handler.run(call);
          } catch (e) {
            reportAgentError(`hook ${spec.class}.${spec.method} failed to record a call`, e);
          }
        });
      }
      enterGroup(group);
      try {
        return overload.apply(this, args);
      } finally {
        leaveGroup();
      }
    };
  }

  return function (this: any, ...args: any[]) {
    if (!shouldRecord(group)) {
      return overload.apply(this, args);
    }
    hookStats.calls += 1;
    const deviceTime = now();
    const phase = app.phase;
    const foreground = app.foreground;
    let ret: any;
    let threw: unknown = undefined;
    enterGroup(group);
    try {
      ret = overload.apply(this, args);
    } catch (e) {
      threw = e;
    } finally {
      leaveGroup();
    }
    let result = ret;
    internally(() => {
      try {
        const call: Call = { spec, self: this, args, argTypes, returnType, ret, threw };
        const outcome = readSafely(handler, call);
        if (outcome === null) {
          return;
        }
        const dataType = outcome.data_type ?? spec.data_type;
        let canary = false;
        if (threw === undefined && dataType !== null) {
          const swap = swapValue(dataType, call);
          if (swap !== null) {
            result = swap.ret;
            canary = true;
            outcome.value = swap.value;
            outcome.identifiers = ids(dataType, [swap.value]);
          }
        }
        const { thread, stackText } = captureJava();
        emit({
          type: "hook:call",
          device_time: deviceTime,
          data_type: dataType,
          api,
          args: outcome.args ?? {},
          value: outcome.value ?? null,
          identifiers: outcome.identifiers ?? {},
          ...stackFields(stackText),
          thread,
          pid: Process.id,
          process: processName,
          foreground,
          phase,
          canary,
        });
      } catch (e) {
        reportAgentError(`hook ${spec.class}.${spec.method} failed to record a call`, e);
      }
    });
    if (threw !== undefined) {
      throw threw;
    }
    return result;
  };
}

/**
 * The handler's outcome; if the handler fails, the default rendering, and failing that a bare
 * record: the access itself is the evidence and must not be lost to a rendering problem.
 */
function readSafely(handler: { read: (call: Call) => DataOutcome | null }, call: Call): DataOutcome | null {
  try {
    return handler.read(call);
  } catch (e) {
    reportAgentError(`hook ${call.spec.class}.${call.spec.method}: handler failed, recorded with the default rendering`, e);
  }
  try {
    return defaultRead(call);
  } catch (e) {
    return { args: { agent_error: errorText(e) }, value: null, identifiers: {} };
  }
}

/** Install hooks in an order that catches early reads: framework data APIs first, SDK classes last. */

/** Emit a timeline event built by a module (consent, lifecycle, permission) with the device time. */
export function emitEvent(event: Record<string, unknown>): void {
  emit({ ...event, _device_time: now() });
}

/** The Java stack fields for a module's own events (consent clicks, permission requests). */
export function stackNow(): { _stack?: string; _stack_id: number } {
  return stackFields(captureJava().stackText);
}
