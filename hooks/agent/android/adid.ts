// Advertising ids and OAIDs: Google / Huawei AdvertisingIdClient, MSA, vendor OAID services.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, getter, ids } from "../lib/render.js";

/** getAdvertisingIdInfo(): the id inside the returned Info object. */
function idInfo(call: Call) {
  const outcome = defaultRead(call);
  const dataType = call.spec.data_type ?? "ad_id";
  if (call.ret === null || call.ret === undefined || call.threw !== undefined) {
    return outcome;
  }
  const id = getter(asRuntime(call.ret), "getId");
  return { ...outcome, value: id ?? outcome.value, identifiers: ids(dataType, [id]) };
}

export const handlers: HandlerTable = {
  id_info: { kind: "data", read: idInfo },
};
