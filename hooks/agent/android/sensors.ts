// Sensors: listing sensors and registering listeners (motion data fingerprints and tracks users).
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, getter } from "../lib/render.js";

/** registerListener(listener, sensor, ...): name the sensor. */
function registerListener(call: Call) {
  const outcome = defaultRead(call);
  const index = call.argTypes.indexOf("android.hardware.Sensor");
  const sensor = index >= 0 ? call.args[index] : null;
  if (sensor === null || sensor === undefined) {
    return outcome;
  }
  const name = getter(asRuntime(sensor), "getName");
  return { ...outcome, args: { ...(outcome.args ?? {}), sensor: name } };
}

export const handlers: HandlerTable = {
  register_listener: { kind: "data", read: registerListener },
};
