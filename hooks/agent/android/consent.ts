// Consent signals: clicks on agree/refuse buttons, SDK consent calls, TCF keys written to SharedPreferences.
import { config } from "../lib/config.js";
import { type Call, emitEvent, type HandlerTable, stackNow } from "../lib/hooks.js";
import { asRuntime, getter, isJavaObject } from "../lib/render.js";
import { internally } from "../lib/state.js";

function normalize(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}

/**
 * Whether a button text may be a consent answer: short, and containing an agree or refuse word.
 * Only a filter, so that not every click is sent: the host decides what the text means
 * (policies.consent.match_consent_word), so the words' meaning has one owner.
 */
export function mayBeConsent(text: string, words: string[], maxLength: number): boolean {
  const normalized = normalize(text);
  if (normalized.length === 0) {
    return false;
  }
  return words.some((word) => {
    const w = normalize(word);
    return w.length > 0 && (normalized === w || (normalized.length <= maxLength && normalized.includes(w)));
  });
}

function textOf(view: any): string | null {
  const raw = getter(asRuntime(view), "getText");
  if (raw === null || raw === undefined) {
    return null;
  }
  return isJavaObject(raw) ? String(internally(() => (raw as any).toString())) : String(raw);
}

/** View.performClick(): a click on a view whose text is an agree or refuse word. */
function click(call: Call): void {
  const text = textOf(call.self);
  if (text === null) {
    return;
  }
  if (!mayBeConsent(text, [...config.refuseWords, ...config.agreeWords], config.consentMaxLength)) {
    return;
  }
  emitEvent({ type: "consent:signal", source: "ui_click", detail: text.trim(), _click: true, ...stackNow() });
}

function simpleName(className: string): string {
  return className.slice(className.lastIndexOf(".") + 1);
}

/** An SDK's consent switch taking a boolean (UMConfigure.submitPolicyGrantResult(ctx, true), ...). */
function sdkBoolean(call: Call): void {
  const index = call.argTypes.indexOf("boolean");
  if (index < 0) {
    return;
  }
  const agreed = call.args[index] === true;
  emitEvent({
    type: "consent:signal",
    decision: agreed ? "granted" : "refused",
    source: "sdk_call",
    detail: `${simpleName(call.spec.class)}.${call.spec.method}(${agreed})`,
    ...stackNow(),
    _party_class: call.spec.class,
  });
}

/** FirebaseAnalytics.setConsent(Map<ConsentType, ConsentStatus>): granted if analytics storage is. */
function firebaseConsent(call: Call): void {
  const map = call.args[0];
  if (map === null || map === undefined) {
    return;
  }
  const text = String(internally(() => map.toString()));
  const granted = /ANALYTICS_STORAGE=GRANTED/.test(text) || (!/ANALYTICS_STORAGE/.test(text) && /=GRANTED/.test(text));
  emitEvent({
    type: "consent:signal",
    decision: granted ? "granted" : "refused",
    source: "sdk_call",
    detail: `FirebaseAnalytics.setConsent(${text})`,
    ...stackNow(),
    _party_class: call.spec.class,
  });
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// TCF v2 core string: version(6) created(36) updated(36) cmpId(12) cmpVersion(12) screen(6)
// language(12) vendorListVersion(12) policyVersion(6) serviceSpecific(1) nonStandardTexts(1)
// specialFeatureOptIns(12), then PurposesConsent(24): purpose 1 is bit 152.
const PURPOSE_CONSENTS_OFFSET = 152;

/** The 24 purpose-consent bits of a TCF v2 TC string ("1111..."), or null if it is not one. */
export function tcStringPurposes(tcString: string): string | null {
  const core = tcString.split(".")[0];
  let bits = "";
  for (const char of core) {
    const index = BASE64URL.indexOf(char);
    if (index < 0) {
      return null;
    }
    bits += index.toString(2).padStart(6, "0");
  }
  if (bits.length < PURPOSE_CONSENTS_OFFSET + 24 || parseInt(bits.slice(0, 6), 2) !== 2) {
    return null;
  }
  return bits.slice(PURPOSE_CONSENTS_OFFSET, PURPOSE_CONSENTS_OFFSET + 24);
}

let lastTcf = { decision: "", time: 0 };

/**
 * SharedPreferences editor putString(key, value): the IAB TCF v2 consent a CMP stores, from
 * IABTCF_PurposeConsents or the TC string. Purpose 1 ("store and/or access information on a
 * device") is what ePrivacy 5(3) consent is about. A CMP writes both keys: one signal per answer.
 */
function tcfPreference(call: Call): void {
  const [key, value] = call.args;
  if (typeof value !== "string") {
    return;
  }
  let purposes: string | null = null;
  if (key === "IABTCF_PurposeConsents") {
    purposes = value;
  } else if (key === "IABTCF_TCString") {
    purposes = tcStringPurposes(value);
  }
  if (purposes === null) {
    return;
  }
  const decision = purposes.startsWith("1") ? "granted" : "refused";
  const time = Date.now();
  if (lastTcf.decision === decision && time - lastTcf.time < 2000) {
    return;
  }
  lastTcf = { decision, time };
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  emitEvent({ type: "consent:signal", decision, source: "sdk_call", detail: `${key}=${shown} (TCF purpose 1)`, ...stackNow() });
}

export const handlers: HandlerTable = {
  click: { kind: "before", run: click },
  sdk_boolean: { kind: "before", run: sdkBoolean },
  firebase_consent: { kind: "before", run: firebaseConsent },
  tcf_preference: { kind: "before", run: tcfPreference },
};
