// Reads around the Java getters through shell commands: Runtime.exec / ProcessBuilder.start of
// getprop, cat of device files, ip link / ifconfig, pm list packages, dumpsys package, settings get,
// ps. Only commands that read personal data are recorded. The value is what the command reads,
// read again by the agent from the same source (the file, the system property, the setting, the
// interfaces' MACs) — the command's own output stays the app's; null where there is no source to
// re-read (package and process lists: the PackageManager and ActivityManager hooks see those).
import Java from "frida-java-bridge";

import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { pinnedClass } from "../lib/classwrap.js";
import { whenInstalled } from "../lib/loaders.js";
import { propertyType } from "../lib/properties.js";
import { getter, type Identifiers, ids, itemsOf } from "../lib/render.js";
import { reportAgentError } from "../lib/sender.js";
import { internally } from "../lib/state.js";
import { fileReading, fileType } from "./native.js";

// Framework classes the re-reads call, resolved outside any hook (see whenInstalled).
const classes: Record<string, any> = {};
whenInstalled(() => {
  for (const name of ["java.io.File", "android.os.SystemProperties", "android.app.ActivityThread", "android.provider.Settings$Secure", "android.provider.Settings$System"]) {
    try {
      classes[name] = pinnedClass(name);
    } catch (e) {
      // not in this VM: that re-read gives null
    }
  }
});

function use(name: string): any {
  const wrapper = classes[name];
  if (wrapper === undefined) {
    throw new Error(`${name} is not available`);
  }
  return wrapper;
}

type Source =
  | { kind: "file"; path: string }
  | { kind: "property"; key: string }
  | { kind: "properties" }
  | { kind: "interfaces" }
  | { kind: "setting"; table: string; key: string }
  | { kind: "none" };

interface CommandRead {
  dataType: string;
  source: Source;
}

const FILE_READERS = new Set(["cat", "head", "tail", "more", "less", "strings", "xxd", "od", "grep"]);
const SETTING_TYPES: Record<string, string> = {
  android_id: "android_id",
  bluetooth_address: "bluetooth_mac",
  bluetooth_name: "bluetooth_mac",
};

/** What a command line reads, or null when it reads nothing personal. */
export function classifyCommand(command: string): CommandRead | null {
  const tokens = command.trim().split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length === 0) {
    return null;
  }
  const program = tokens[0].slice(tokens[0].lastIndexOf("/") + 1);
  const args = tokens.slice(1);
  if ((program === "sh" || program === "bash" || program === "su" || program === "toybox" || program === "busybox") && args.length > 0) {
    return classifyCommand(args[0] === "-c" ? args.slice(1).join(" ").replace(/^["']|["']$/g, "") : args.join(" "));
  }
  switch (program) {
    case "getprop": {
      if (args.length === 0) {
        return { dataType: "device_info", source: { kind: "properties" } };
      }
      const dataType = propertyType(args[0]);
      return dataType === null ? null : { dataType, source: { kind: "property", key: args[0] } };
    }
    case "ip":
      return args[0] !== undefined && /^(l|li|lin|link|a|ad|addr|address)$/.test(args[0]) ? { dataType: "mac", source: { kind: "interfaces" } } : null;
    case "ifconfig":
      return { dataType: "mac", source: { kind: "interfaces" } };
    case "pm":
      return args[0] === "list" && /^packages?$/.test(args[1] ?? "") ? { dataType: "installed_apps", source: { kind: "none" } } : null;
    case "cmd":
      return args[0] === "package" && args[1] === "list" ? { dataType: "installed_apps", source: { kind: "none" } } : null;
    case "dumpsys":
      return args[0] === "package" ? { dataType: "installed_apps", source: { kind: "none" } } : null;
    case "ps":
      return { dataType: "running_apps", source: { kind: "none" } };
    case "settings": {
      const dataType = args[0] === "get" ? SETTING_TYPES[args[2] ?? ""] : undefined;
      return dataType === undefined ? null : { dataType, source: { kind: "setting", table: args[1], key: args[2] } };
    }
    default: {
      if (!FILE_READERS.has(program)) {
        return null;
      }
      const path = args.find((a) => a.startsWith("/"));
      const dataType = path === undefined ? null : fileType(path);
      return path === undefined || dataType === null ? null : { dataType, source: { kind: "file", path } };
    }
  }
}

function readFileText(path: string): string | null {
  try {
    return File.readAllText(path);
  } catch (e) {
    return null;
  }
}

/** The MACs of every network interface, as `ip link` lists them. */
function interfaceMacs(): { value: string | null; identifiers: Identifiers } {
  const names: string[] = internally(() => {
    const list = use("java.io.File").$new("/sys/class/net").list();
    return list === null ? [] : Array.from(list as ArrayLike<string>).map(String);
  });
  const shown: string[] = [];
  const macs: string[] = [];
  for (const name of names.sort()) {
    const mac = readFileText(`/sys/class/net/${name}/address`)?.trim();
    if (mac !== undefined && mac !== "") {
      shown.push(`${name}=${mac}`);
      macs.push(mac);
    }
  }
  return { value: shown.join(", ") || null, identifiers: ids("mac", macs) };
}

function reread(read: CommandRead): { value: string | null; identifiers: Identifiers } {
  const source = read.source;
  try {
    switch (source.kind) {
      case "file":
        return fileReading(source.path, readFileText(source.path));
      case "property": {
        const value: string | null = internally(() => use("android.os.SystemProperties").get(source.key));
        return { value, identifiers: read.dataType === "network_state" ? {} : ids(read.dataType, [value]) };
      }
      case "interfaces":
        return interfaceMacs();
      case "setting": {
        const value: string | null = internally(() => {
          const app = use("android.app.ActivityThread").currentApplication();
          if (app === null) {
            return null;
          }
          const table = source.table === "system" ? "android.provider.Settings$System" : "android.provider.Settings$Secure";
          return use(table).getString(app.getContentResolver(), source.key);
        });
        return { value, identifiers: ids(read.dataType, [value]) };
      }
      default:
        return { value: null, identifiers: {} };
    }
  } catch (e) {
    reportAgentError(`could not re-read what a ${source.kind} command reads`, e);
    return { value: null, identifiers: {} };
  }
}

function commandText(call: Call): string {
  if (call.spec.class === "java.lang.ProcessBuilder") {
    const list = getter(call.self, "command");
    return itemsOf(list).map(String).join(" ");
  }
  const command = call.args[0];
  if (typeof command === "string") {
    return command;
  }
  return Array.from((command ?? []) as ArrayLike<unknown>).map(String).join(" ");
}

/** Runtime.exec / ProcessBuilder.start: recorded only for commands that read personal data. */
function exec(call: Call) {
  const command = internally(() => commandText(call));
  const read = classifyCommand(command);
  if (read === null) {
    return null;
  }
  const outcome = defaultRead(call);
  const { value, identifiers } = reread(read);
  const args: Record<string, unknown> = { command };
  if (call.threw !== undefined) {
    args.threw = outcome.args?.threw ?? outcome.value;
  }
  return { data_type: read.dataType, args, value, identifiers };
}

export const handlers: HandlerTable = {
  exec: { kind: "data", read: exec },
};
