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

/** The data type of a provider URI argument, or null when its authority holds nothing personal. */
function uriType(call: Call): { uri: string; dataType: string } | null {
  const index = call.argTypes.indexOf("android.net.Uri");
  const uriObject = index >= 0 ? call.args[index] : null;
  if (uriObject === null || uriObject === undefined) {
    return null;
  }
  const uri = String(internally(() => uriObject.toString()));
  const dataType = AUTHORITIES[authorityOf(uri)];
  if (dataType === undefined || dataType === "oaid" || dataType === "android_id") {
    return null;
  }
  return { uri, dataType };
}

/** insert / bulkInsert / update / delete, MediaStore.Images.Media.insertImage: writes to shared storage and providers. */
function contentWrite(call: Call) {
  if (call.spec.class === "android.provider.MediaStore$Images$Media") {
    const outcome = defaultRead(call);
    return { ...outcome, data_type: "media", identifiers: {} };
  }
  const target = uriType(call);
  if (target === null) {
    return null;
  }
  const outcome = defaultRead(call);
  const args: Record<string, unknown> = { uri: target.uri, operation: call.spec.method };
  if (call.threw !== undefined) {
    args.threw = (outcome.args ?? {}).threw;
  }
  const value = call.ret === null || call.ret === undefined ? null : String(internally(() => call.ret.toString()));
  return { data_type: target.dataType, args, value, identifiers: {} };
}

/** registerContentObserver(uri, ...): the app watches contacts, SMS, call log, calendar or media for changes. */
function contentObserve(call: Call) {
  const target = uriType(call);
  return target === null ? null : { data_type: target.dataType, args: { uri: target.uri }, value: null, identifiers: {} };
}

export const handlers: HandlerTable = {
  content_query: { kind: "data", read: contentQuery },
  content_write: { kind: "data", read: contentWrite },
  content_observe: { kind: "data", read: contentObserve },
};
