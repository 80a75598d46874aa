// Installed and running apps: PackageManager / ActivityManager lists (shell commands: shell.ts).
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, fieldValue, getter, ids, itemsOf } from "../lib/render.js";
import { config } from "../lib/config.js";
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

/**
 * getPackageInfo / getApplicationInfo / getInstallerPackageName / ... of one package: per-package
 * probing. Recorded only for another app's package (looking up its own package is routine); the
 * value says whether it is installed, and an installed package becomes a known value.
 */
function packageProbe(call: Call) {
  const first = call.args[0];
  const name = typeof first === "string" ? first : call.argTypes[0] === "android.content.pm.ApplicationInfo" ? fieldValue(asRuntime(first), "packageName") : null;
  if (typeof name !== "string" || name === config.appPackage || name === "") {
    return null;
  }
  const installed = call.threw === undefined && call.ret !== null && call.ret !== undefined;
  const outcome = defaultRead(call);
  return {
    ...outcome,
    args: { package: name, ...(call.threw !== undefined ? { threw: (outcome.args ?? {}).threw } : {}) },
    value: installed ? `${name}: installed` : `${name}: not installed`,
    identifiers: installed ? ids("installed_apps", [name]) : {},
  };
}

export const handlers: HandlerTable = {
  package_probe: { kind: "data", read: packageProbe },
  package_list: { kind: "data", read: packageList },
};
