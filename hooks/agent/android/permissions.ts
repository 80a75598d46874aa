// Runtime permission requests (Activity / Fragment / ActivityCompat.requestPermissions).
import { type Call, emitEvent, type HandlerTable, stackNow } from "../lib/hooks.js";

/** Emit a `permission:request` with the requested permissions and the stack (the host attributes it). */
function request(call: Call): void {
  const index = call.argTypes.indexOf("java.lang.String[]");
  const requested = index >= 0 && call.args[index] !== null ? Array.from(call.args[index] as ArrayLike<unknown>).map(String) : [];
  emitEvent({ type: "permission:request", permissions: requested, ...stackNow() });
}

export const handlers: HandlerTable = {
  request: { kind: "before", run: request },
};
