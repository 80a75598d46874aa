// Runtime permissions: the requests (Activity / Fragment / ActivityCompat.requestPermissions), the
// system dialog, the app's own explanation before it, and the user's answers (the framework's
// dispatch to onRequestPermissionsResult, AndroidX's ActivityResultCallback contracts, and
// checkSelfPermission of a permission just asked for).
import { type Call, emitEvent, type HandlerTable, stackNow } from "../lib/hooks.js";
import { asRuntime, fieldValue, getter } from "../lib/render.js";
import { emit, now } from "../lib/sender.js";
import { internally } from "../lib/state.js";

const NAMES_EXTRA = "android.content.pm.extra.REQUEST_PERMISSIONS_NAMES";
const RESULTS_EXTRA = "android.content.pm.extra.REQUEST_PERMISSIONS_RESULTS";
const EXPLANATION_WINDOW_S = 60; // an app dialog shown this long before a request is its explanation

interface Pending {
  permissions: Set<string>;
  requestCode: number | null;
  dialogShown: boolean;
}

// Requests whose answers were not seen yet (bounded: the oldest is dropped).
const pending: Pending[] = [];
let lastAppDialog: { time: number; text: string } | null = null;

function strings(value: unknown): string[] {
  return value === null || value === undefined ? [] : Array.from(value as ArrayLike<unknown>).map(String);
}

/** Emit a `permission:request` (and the explanation dialog shown just before it, if any). */
function request(call: Call): void {
  const index = call.argTypes.indexOf("java.lang.String[]");
  const requested = index >= 0 ? strings(call.args[index]) : [];
  const codeIndex = call.argTypes.lastIndexOf("int");
  const requestCode = codeIndex >= 0 && typeof call.args[codeIndex] === "number" ? (call.args[codeIndex] as number) : null;
  if (lastAppDialog !== null && now() - lastAppDialog.time <= EXPLANATION_WINDOW_S) {
    // the explanation's own time: it showed before the request
    emit({ type: "permission:dialog", dialog: "explanation", permissions: requested, request_code: requestCode, text: lastAppDialog.text, _device_time: lastAppDialog.time });
  }
  lastAppDialog = null;
  emitEvent({ type: "permission:request", permissions: requested, request_code: requestCode, ...stackNow() });
  pending.push({ permissions: new Set(requested), requestCode, dialogShown: false });
  if (pending.length > 16) {
    pending.shift();
  }
}

/** The app's activity paused while a request waits: the system's permission dialog is on screen. */
export function activityPaused(): void {
  const waiting = pending.find((p) => !p.dialogShown);
  if (waiting === undefined) {
    return;
  }
  waiting.dialogShown = true;
  emitEvent({ type: "permission:dialog", dialog: "system", permissions: [...waiting.permissions], request_code: waiting.requestCode });
}

/** Emit the answers still pending among `answers`; answers already seen (another hook's) are dropped. */
function answer(answers: Map<string, boolean>, source: string, requestCode: number | null): void {
  const results: Record<string, string> = {};
  for (const [permission, granted] of answers) {
    const request = pending.find((p) => p.permissions.has(permission) && (requestCode === null || p.requestCode === null || p.requestCode === requestCode));
    if (request === undefined) {
      continue;
    }
    request.permissions.delete(permission);
    results[permission] = granted ? "granted" : "denied";
  }
  for (let i = pending.length - 1; i >= 0; i--) {
    if (pending[i].permissions.size === 0) {
      pending.splice(i, 1);
    }
  }
  if (Object.keys(results).length > 0) {
    emitEvent({ type: "permission:result", results, source, request_code: requestCode, ...stackNow() });
  }
}

function answersOf(intent: any): Map<string, boolean> {
  const out = new Map<string, boolean>();
  if (intent === null || intent === undefined) {
    return out;
  }
  internally(() => {
    const runtime = asRuntime(intent);
    const names = strings(runtime.getStringArrayExtra(NAMES_EXTRA));
    const grants = strings(runtime.getIntArrayExtra(RESULTS_EXTRA));
    names.forEach((name, i) => out.set(name, Number(grants[i]) === 0));
  });
  return out;
}

/** Activity.dispatchRequestPermissionsResult(requestCode, Intent): the answer on its way to onRequestPermissionsResult. */
function dispatched(call: Call): void {
  const requestCode = typeof call.args[0] === "number" ? (call.args[0] as number) : null;
  answer(answersOf(call.args[1]), "request_result", requestCode);
}

/** AndroidX ActivityResultContracts.RequestPermission(s).parseResult(resultCode, Intent): what the callback gets. */
function contract(call: Call): void {
  answer(answersOf(call.args[1]), "activity_result", null);
}

/** checkSelfPermission of a permission whose dialog showed and whose answer was not seen: the answer. */
function checked(call: Call): void {
  const permission = typeof call.args[0] === "string" ? (call.args[0] as string) : null;
  if (permission === null || !pending.some((p) => p.dialogShown && p.permissions.has(permission))) {
    return;
  }
  answer(new Map([[permission, call.ret === 0]]), "check_self_permission", null);
}

/** Dialog.show: remembered as the app's explanation if a permission request follows soon. */
function dialogShown(call: Call): void {
  const dialog = asRuntime(call.self);
  const alert = fieldValue(dialog, "mAlert");
  const holder = alert !== null ? asRuntime(alert) : dialog;
  const parts = [fieldValue(holder, "mTitle"), fieldValue(holder, "mMessage")]
    .filter((p) => p !== null && p !== undefined)
    .map((p) => String(typeof p === "string" ? p : internally(() => p.toString())));
  const text = parts.length > 0 ? parts.join(" — ") : String(getter(dialog, "toString") ?? "");
  lastAppDialog = { time: now(), text: text.slice(0, 500) };
}

export const handlers: HandlerTable = {
  request: { kind: "before", run: request },
  dispatched: { kind: "before", run: dispatched },
  contract: { kind: "before", run: contract },
  checked: { kind: "after", run: checked },
  dialog: { kind: "before", run: dialogShown },
};
