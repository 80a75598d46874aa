// Settings.Secure / Settings.System reads: the key decides the data type (android_id, bluetooth_address).
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { ids } from "../lib/render.js";

const KEYS: Record<string, string> = {
  android_id: "android_id",
  bluetooth_address: "bluetooth_mac",
  bluetooth_name: "bluetooth_mac",
};

/** getString(cr, name) / getStringForUser(cr, name, user): only keys that name personal data are recorded. */
function settingsKey(call: Call) {
  const name = call.args[1];
  if (typeof name !== "string" || !(name in KEYS)) {
    return null;
  }
  const dataType = KEYS[name];
  const outcome = defaultRead(call);
  const identifiers = dataType === "bluetooth_mac" && name === "bluetooth_name" ? {} : ids(dataType, [call.ret as string | null]);
  return { ...outcome, data_type: dataType, args: { name }, identifiers };
}

export const handlers: HandlerTable = {
  settings_key: { kind: "data", read: settingsKey },
};
