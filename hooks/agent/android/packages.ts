// Installed and running apps: PackageManager / ActivityManager lists, and `pm list packages` via exec.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, fieldValue, getter, ids, itemsOf } from "../lib/render.js";
import { internally } from "../lib/state.js";

function itemName(item: any): string {
  const obj = asRuntime(item);
  const direct = fieldValue(obj, "packageName") ?? fieldValue(obj, "processName") ?? getter(obj, "getPackageName");
  if (typeof direct === "string") {
    return direct;
  }
  const activity = fieldValue(obj, "activityInfo") ?? fieldValue(obj, "serviceInfo");
  if (activity !== null) {
    const name = fieldValue(asRuntime(activity), "packageName");
    if (typeof name === "string") {
      return name;
    }
  }
  const component = fieldValue(obj, "baseActivity") ?? fieldValue(obj, "topActivity");
  if (component !== null) {
    const name = getter(asRuntime(component), "getPackageName");
    if (typeof name === "string") {
      return name;
    }
  }
  return String(internally(() => obj.toString()));
}

/** A list of packages / processes: the count and the names, as evidence of app-list collection. */
function packageList(call: Call) {
  const outcome = defaultRead(call);
  if (call.threw !== undefined || call.ret === null || call.ret === undefined) {
    return outcome;
  }
  const names = itemsOf(call.ret, 500).map(itemName);
  const shown = names.slice(0, 50).join(", ");
  // the names become known values for the traffic detector (it counts a list only when 3+ appear together)
  return {
    ...outcome,
    value: `${names.length} items: ${shown}${names.length > 50 ? ", …" : ""}`,
    identifiers: ids(call.spec.data_type ?? "installed_apps", names),
  };
}

// Shell commands that read personal data, and the data type each reveals.
const COMMANDS: Array<[RegExp, string]> = [
  [/\b(pm|cmd\s+package)\s+list\s+packages?\b/, "installed_apps"],
  [/\bdumpsys\s+package\b/, "installed_apps"],
  [/\bgetprop\b.*\b(ro\.serialno|ro\.boot\.serialno|ril\.serialnumber|gsm\.serial|sys\.serialnumber)\b/, "serial"],
  [/\/sys\/class\/net\/[^/\s]+\/address/, "mac"],
  [/\/proc\/net\/arp\b/, "bssid"],
  [/^\s*(\S*\/)?ps(\s|$)/, "running_apps"],
];

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
  const match = COMMANDS.find(([pattern]) => pattern.test(command));
  if (match === undefined) {
    return null;
  }
  const outcome = defaultRead(call);
  return { ...outcome, data_type: match[1], args: { command }, value: call.threw === undefined ? null : outcome.value };
}

export const handlers: HandlerTable = {
  package_list: { kind: "data", read: packageList },
  exec: { kind: "data", read: exec },
};
