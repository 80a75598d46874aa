// Clipboard reads: ClipboardManager.getPrimaryClip() / getText().
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, getter, ids } from "../lib/render.js";
import { internally } from "../lib/state.js";

/** getPrimaryClip(): the text of the first item of the returned ClipData. */
function primaryClip(call: Call) {
  const outcome = defaultRead(call);
  if (call.ret === null || call.ret === undefined || call.threw !== undefined) {
    return outcome;
  }
  const clip = asRuntime(call.ret);
  const count = getter(clip, "getItemCount");
  let text: string | null = null;
  if (typeof count === "number" && count > 0) {
    const item = internally(() => clip.getItemAt(0));
    const raw = item !== null ? getter(asRuntime(item), "getText") : null;
    text = raw === null || raw === undefined ? null : String(internally(() => raw.toString()));
  }
  return { ...outcome, value: text ?? outcome.value, identifiers: ids("clipboard", [text]) };
}

/** getText(): a CharSequence. */
function clipText(call: Call) {
  const outcome = defaultRead(call);
  const text = outcome.value ?? null;
  return { ...outcome, identifiers: ids("clipboard", [text]) };
}

/** setPrimaryClip(clip) / setText(text): what the app wrote to the clipboard (a write, not a read of the user's). */
function clipWrite(call: Call) {
  let text: string | null = null;
  const arg = call.args[0];
  if (typeof arg === "string") {
    text = arg;
  } else if (arg !== null && arg !== undefined) {
    const clip = asRuntime(arg);
    const item = getter(clip, "getItemCount") ? internally(() => clip.getItemAt(0)) : null;
    const raw = item !== null ? getter(asRuntime(item), "getText") : getter(clip, "toString");
    text = raw === null || raw === undefined ? null : String(internally(() => raw.toString()));
  }
  return { args: { written: text }, value: null, identifiers: {} };
}

export const handlers: HandlerTable = {
  clip_write: { kind: "data", read: clipWrite },
  primary_clip: { kind: "data", read: primaryClip },
  clip_text: { kind: "data", read: clipText },
};
