// Certificate unpinning, installed only with the explicit `unpin` option (it changes what the app does:
// the session records the option). Each bypass is counted; nothing here runs without the option.
import Java from "frida-java-bridge";

import type { Call, HandlerTable } from "../lib/hooks.js";
import { internally } from "../lib/state.js";

export const bypasses: Record<string, number> = {};

function count(call: Call): void {
  const key = `${call.spec.class}.${call.spec.method}`;
  bypasses[key] = (bypasses[key] ?? 0) + 1;
}

/** CertificatePinner.check(...) and friends: return without checking. */
function skipCheck(call: Call): undefined {
  count(call);
  return undefined;
}

/** OkHostnameVerifier.verify(...): the host name matches. */
function acceptHostname(call: Call): boolean {
  count(call);
  return true;
}

/** Conscrypt TrustManagerImpl.verifyChain(untrustedChain, ...): the chain as given is trusted. */
function trustChain(call: Call): unknown {
  count(call);
  return call.args[0];
}

/** Conscrypt TrustManagerImpl.checkTrustedRecursive(...): an empty list of issues. */
function emptyList(call: Call): unknown {
  count(call);
  return internally(() => Java.use("java.util.ArrayList").$new());
}

/** HttpsURLConnection.setSSLSocketFactory / setHostnameVerifier: keep the default (trusting) ones. */
function ignoreSetter(call: Call): undefined {
  count(call);
  return undefined;
}

/** WebViewClient.onReceivedSslError(view, handler, error): proceed instead of cancelling. */
function proceed(call: Call): undefined {
  count(call);
  const handler = call.args[1];
  if (handler !== null && handler !== undefined) {
    internally(() => handler.proceed());
  }
  return undefined;
}

export const handlers: HandlerTable = {
  skip_check: { kind: "replace", run: (call) => skipCheck(call) },
  accept_hostname: { kind: "replace", run: (call) => acceptHostname(call) },
  trust_chain: { kind: "replace", run: (call) => trustChain(call) },
  empty_list: { kind: "replace", run: (call) => emptyList(call) },
  ignore_setter: { kind: "replace", run: (call) => ignoreSetter(call) },
  proceed: { kind: "replace", run: (call) => proceed(call) },
};
