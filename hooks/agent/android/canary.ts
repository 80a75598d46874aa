// Canary values: when the auditor asks, identifier APIs return an auditor-chosen value instead of
// the real one, so any occurrence on the wire is unambiguous. Only with the explicit `canary` option.
import Java from "frida-java-bridge";

import { config } from "../lib/config.js";
import type { Call } from "../lib/hooks.js";

function macBytes(text: string): number[] | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((part) => !/^[0-9a-fA-F]{2}$/.test(part))) {
    return null;
  }
  return parts.map((part) => {
    const byte = parseInt(part, 16);
    return byte > 127 ? byte - 256 : byte;
  });
}

/** The canary return value for this call, or null when no canary applies (value passes through). */
export function canaryFor(dataType: string, call: Call): { ret: unknown; value: string } | null {
  const value = config.canary[dataType];
  if (value === undefined) {
    return null;
  }
  switch (call.returnType) {
    case "java.lang.String":
    case "java.lang.CharSequence":
      return { ret: value, value };
    case "[B": {
      const bytes = macBytes(value);
      return bytes === null ? null : { ret: Java.array("byte", bytes), value };
    }
    case "double": {
      const [lat, lon] = value.split(",").map(Number);
      if (dataType !== "location" || Number.isNaN(lat) || Number.isNaN(lon)) {
        return null;
      }
      if (/latitude/i.test(call.spec.method)) {
        return { ret: lat, value };
      }
      if (/longitude/i.test(call.spec.method)) {
        return { ret: lon, value };
      }
      return null;
    }
    default:
      return null;
  }
}
