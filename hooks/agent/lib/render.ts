// Rendering Java values as text, and the identifier helpers every category module uses.
import Java from "frida-java-bridge";
import { wrapperFor } from "./classwrap.js";
import { internally } from "./state.js";

const MAX_TEXT = 2000;
const MAX_ITEMS = 50;

/** Values that say "no identifier here" (dummy MAC, unknown serial, zeroed ad id...). */
const PLACEHOLDERS = new Set([
  "",
  "unknown",
  "null",
  "0",
  "02:00:00:00:00:00",
  "00:00:00:00:00:00",
  "<unknown ssid>",
  "000000000000000",
  "00000000-0000-0000-0000-000000000000",
  "00000000000000000000000000000000",
]);

export type Identifiers = Record<string, string[]>;

function truncate(text: string, limit = MAX_TEXT): string {
  return text.length > limit ? `${text.slice(0, limit)}…(${text.length} chars)` : text;
}

/** Identifiers of one type, without placeholders and duplicates. */
export function ids(dataType: string, values: Array<string | null | undefined>): Identifiers {
  const kept: string[] = [];
  for (const raw of values) {
    if (raw === null || raw === undefined) {
      continue;
    }
    const value = String(raw).trim();
    if (PLACEHOLDERS.has(value.toLowerCase()) || kept.includes(value)) {
      continue;
    }
    kept.push(value);
  }
  return kept.length > 0 ? { [dataType]: kept } : {};
}

export function mergeIds(...parts: Identifiers[]): Identifiers {
  const merged: Identifiers = {};
  for (const part of parts) {
    for (const [type, values] of Object.entries(part)) {
      const target = merged[type] ?? (merged[type] = []);
      for (const value of values) {
        if (!target.includes(value)) {
          target.push(value);
        }
      }
    }
  }
  return merged;
}

/** "AA:BB:..." from 6 bytes (signed Java bytes or unsigned). */
export function macFromBytes(bytes: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    parts.push(((bytes[i] + 256) % 256).toString(16).padStart(2, "0"));
  }
  return parts.join(":");
}

/** Wi-Fi SSIDs come quoted ("\"home\""): the identifier is the bare name. */
export function unquoteSsid(ssid: string | null): string | null {
  if (ssid === null) {
    return null;
  }
  return ssid.length >= 2 && ssid.startsWith('"') && ssid.endsWith('"') ? ssid.slice(1, -1) : ssid;
}

export function isJavaObject(value: unknown): value is { $h: NativePointer; $className: string } {
  return value !== null && typeof value === "object" && "$h" in (value as object);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { length?: unknown }).length === "number";
}

/** The runtime class name of a Java object (not the declared type of the wrapper). */
export function runtimeClass(value: unknown): string {
  if (!isJavaObject(value)) {
    return typeof value;
  }
  try {
    return internally(() => (value as any).getClass().getName() as string);
  } catch (e) {
    return value.$className;
  }
}

let collectionClass: any = null;
let mapClass: any = null;

/** A Java value as text for the evidence: strings as is, byte[] as hex, collections item by item. */
export function render(value: unknown, typeName = ""): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === "string") {
    return truncate(value);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value instanceof Int64 || value instanceof UInt64) {
    return String(value);
  }
  try {
    return internally(() => renderObject(value, typeName));
  } catch (e) {
    return `<not rendered: ${describeThrowable(e)}>`;
  }
}

function renderObject(value: unknown, typeName: string): string | null {
  {
    if (typeName === "[B" && isArrayLike(value)) {
      return macFromBytes(value as ArrayLike<number>);
    }
    if (isArrayLike(value) && !isJavaObject(value)) {
      return renderItems(Array.from(value as ArrayLike<unknown>), (value as ArrayLike<unknown>).length);
    }
    if (isJavaObject(value)) {
      if (typeName.startsWith("[")) {
        const items = Array.from(value as unknown as ArrayLike<unknown>);
        return renderItems(items, items.length);
      }
      if (collectionClass === null) {
        collectionClass = Java.use("java.util.Collection");
        mapClass = Java.use("java.util.Map");
      }
      if (collectionClass.class.isInstance(value)) {
        const collection = Java.cast(value as any, collectionClass);
        const array = collection.toArray();
        return renderItems(Array.from(array as ArrayLike<unknown>), collection.size());
      }
      return truncate(String((value as any).toString()));
    }
    return truncate(String(value));
  }
}

function renderItems(items: unknown[], size: number): string {
  const shown = items.slice(0, MAX_ITEMS).map((item) => {
    if (isJavaObject(item)) {
      return truncate(String((item as any).toString()), 300);
    }
    return item === null ? "null" : String(item);
  });
  const more = size > shown.length ? `, …(${size} items)` : "";
  return truncate(`[${shown.join(", ")}${more}]`);
}

/** Java objects in a collection or array return value, as wrappers (bounded). */
export function itemsOf(value: unknown, limit = 200): any[] {
  if (value === null || value === undefined) {
    return [];
  }
  try {
    return internally(() => collectItems(value, limit));
  } catch (e) {
    return [];
  }
}

function collectItems(value: unknown, limit: number): any[] {
  {
    if (isJavaObject(value)) {
      if (collectionClass === null) {
        collectionClass = Java.use("java.util.Collection");
        mapClass = Java.use("java.util.Map");
      }
      if (collectionClass.class.isInstance(value)) {
        return Array.from(Java.cast(value as any, collectionClass).toArray() as ArrayLike<any>).slice(0, limit);
      }
    }
    if (isArrayLike(value)) {
      return Array.from(value as ArrayLike<any>).slice(0, limit);
    }
    return [];
  }
}

/** The arguments as evidence: primitives and strings as they are, objects by class name. */
export function renderArgs(args: unknown[], types: string[]): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  args.forEach((arg, i) => {
    const key = `arg${i}`;
    if (arg === null || arg === undefined) {
      rendered[key] = null;
    } else if (typeof arg === "string") {
      rendered[key] = truncate(arg, 500);
    } else if (typeof arg === "number" || typeof arg === "boolean") {
      rendered[key] = arg;
    } else if (arg instanceof Int64 || arg instanceof UInt64) {
      rendered[key] = Number(arg.toString());
    } else if (types[i]?.startsWith("[") && isArrayLike(arg) && (arg as ArrayLike<unknown>).length <= 50) {
      rendered[key] = Array.from(arg as ArrayLike<unknown>).map((item) => (typeof item === "object" && item !== null ? `<${types[i]}>` : item));
    } else {
      rendered[key] = `<${types[i] ?? "object"}>`;
    }
  });
  return rendered;
}

/** "java.lang.SecurityException: no permission" from what the bridge threw. */
export function describeThrowable(error: unknown): string {
  return String(error).replace(/^Error: /, "");
}

/** A field's value of a Java object (`obj.field.value`), or null when absent. */
export function fieldValue(obj: any, name: string): any {
  try {
    const field = obj[name] ?? obj[`_${name}`];
    return field !== undefined && field !== null && "value" in field ? field.value : null;
  } catch (e) {
    return null;
  }
}

/** Call a no-argument getter on a Java object without recording it; null on any failure. */
export function getter(obj: any, name: string): any {
  try {
    return internally(() => (obj[name] !== undefined ? obj[name]() : null));
  } catch (e) {
    return null;
  }
}

const runtimeWrappers = new Map<string, any>();

/** The object cast to its runtime class, so the getters of a subclass are reachable. */
export function asRuntime(obj: any): any {
  if (!isJavaObject(obj)) {
    return obj;
  }
  try {
    return castToRuntime(obj);
  } catch (e) {
    return obj;
  }
}

function castToRuntime(obj: any): any {
  return internally(() => {
    const cls = (obj as any).getClass();
    const name: string = cls.getName();
    let wrapper = runtimeWrappers.get(name);
    if (wrapper === undefined) {
      try {
        wrapper = Java.use(name);
      } catch (e) {
        wrapper = wrapperFor(name, cls, cls.getClassLoader());
      }
      runtimeWrappers.set(name, wrapper);
    }
    return Java.cast(obj as any, wrapper);
  });
}
