// Telephony: IMEI/MEID, IMSI, ICCID, phone number, and cell location (TelephonyManager & co).
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { getter, ids, itemsOf, mergeIds, asRuntime } from "../lib/render.js";

/** getDeviceId() returns an IMEI (GSM, 15 digits) or a MEID (CDMA, 14 hex digits). */
function deviceId(call: Call) {
  const outcome = defaultRead(call);
  if (typeof call.ret === "string" && /^[0-9A-Fa-f]{14}$/.test(call.ret) && !/^[0-9]{15}$/.test(call.ret)) {
    return { ...outcome, data_type: "meid", identifiers: ids("meid", [call.ret]) };
  }
  return outcome;
}

/** SubscriptionManager.getActiveSubscriptionInfoList(): ICCIDs and numbers of each SIM. */
function subscriptions(call: Call) {
  const outcome = defaultRead(call);
  const items = itemsOf(call.ret);
  if (items.length === 0 && call.ret !== null && call.ret !== undefined && call.returnType === "android.telephony.SubscriptionInfo") {
    items.push(call.ret);
  }
  const found = items.map((item) => {
    const info = asRuntime(item);
    return mergeIds(ids("iccid", [getter(info, "getIccId")]), ids("phone", [getter(info, "getNumber")]));
  });
  return { ...outcome, identifiers: mergeIds(...found) };
}

export const handlers: HandlerTable = {
  device_id: { kind: "data", read: deviceId },
  subscriptions: { kind: "data", read: subscriptions },
};
