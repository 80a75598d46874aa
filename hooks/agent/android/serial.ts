// Serial number and other system properties: Build.getSerial() and SystemProperties.get of keys
// that hold personal data (serial, carrier, network state, device model and build; lib/properties.ts).
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { propertyType } from "../lib/properties.js";
import { ids } from "../lib/render.js";

/** SystemProperties.get(key[, default]) / Build.getString(key): recorded only for keys that hold personal data. */
function systemProperty(call: Call) {
  const key = call.args[0];
  const dataType = typeof key === "string" ? propertyType(key) : null;
  if (dataType === null) {
    return null;
  }
  const outcome = defaultRead(call);
  return { ...outcome, data_type: dataType, args: { key }, identifiers: ids(dataType, [call.ret as string | null]) };
}

export const handlers: HandlerTable = {
  system_property: { kind: "data", read: systemProperty },
};
