// Content providers: ContentResolver.query on contacts, SMS, call log, calendar, media, OAID providers.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { internally } from "../lib/state.js";

// Authority -> data type. Vendor OAID providers (vivo, Meizu, Nubia, ...) are queried like any other.
const AUTHORITIES: Record<string, string> = {
  "com.android.contacts": "contacts",
  contacts: "contacts",
  icc: "contacts",
  sms: "sms",
  mms: "sms",
  "mms-sms": "sms",
  call_log: "call_log",
  call_log_shadow: "call_log",
  "com.android.calendar": "calendar",
  calendar: "calendar",
  media: "media",
  "com.vivo.vms.IdProvider": "oaid",
  "com.meizu.flyme.openidsdk": "oaid",
  "cn.nubia.identity": "oaid",
  "cn.nubia.provider.deviceid.dataprovider": "oaid",
  "com.android.id.provider": "oaid",
  settings: "android_id",
};

/** The authority of a content URI: "content://com.android.contacts/contacts" -> "com.android.contacts". */
export function authorityOf(uri: string): string {
  const match = /^content:\/\/([^/?#]+)/.exec(uri);
  return match === null ? "" : match[1].replace(/^[^@]*@/, "");
}

/** query(uri, projection, selection, ...): recorded for authorities that hold personal data. */
function contentQuery(call: Call) {
  const index = call.argTypes.indexOf("android.net.Uri");
  const uriObject = index >= 0 ? call.args[index] : null;
  if (uriObject === null || uriObject === undefined) {
    return null;
  }
  const uri = String(internally(() => uriObject.toString()));
  const authority = authorityOf(uri);
  const dataType = AUTHORITIES[authority];
  if (dataType === undefined || (dataType === "android_id" && !uri.includes("android_id"))) {
    return null;
  }
  const outcome = defaultRead(call);
  const args: Record<string, unknown> = { uri };
  const projection = call.args[index + 1];
  if (call.argTypes[index + 1] === "java.lang.String[]" && projection !== null && projection !== undefined) {
    args.projection = Array.from(projection as ArrayLike<unknown>).map(String);
  }
  if (call.argTypes[index + 2] === "java.lang.String" && typeof call.args[index + 2] === "string") {
    args.selection = call.args[index + 2];
  }
  if (call.threw !== undefined) {
    args.threw = (outcome.args ?? {}).threw;
  }
  const value = call.ret === null || call.ret === undefined ? null : "<android.database.Cursor>";
  return { data_type: dataType, args, value, identifiers: {} };
}

export const handlers: HandlerTable = {
  content_query: { kind: "data", read: contentQuery },
};
