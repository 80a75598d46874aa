// Which code sent each request: the entry points of the HTTP stacks apps use record an `http:request`
// event (method, URL, the Java stack of the code that handed the request over). The host joins it to
// the captured flow with the same method and URL (policies/join/senders.py).
//
// OkHttp: the stack is taken where the app or SDK calls RealCall.execute()/enqueue(); the event is sent
// from CallServerInterceptor.intercept(), the last link of the interceptor chain, with the request as
// it goes on the wire (interceptors may add query parameters or sign it) — on enqueue()'s dispatcher
// thread the stack would only show OkHttp. HttpURLConnection (HotSpot's and Android's com.android.okhttp):
// the first of connect/getOutputStream/getInputStream per connection. Volley: RequestQueue.add.
// Cronet: UrlRequest start. WebView: loadUrl/postUrl.
import { identity, Recent } from "../lib/bytes.js";
import { type Call, getProcessName, type HandlerTable, passThrough } from "../lib/hooks.js";
import { emit, now } from "../lib/sender.js";
import { captureJava, stackFields } from "../lib/stack.js";

const MAX_CALLS = 1024;

interface Origin {
  thread: string;
  stackText: string;
}

const calls = new Recent<Origin>(MAX_CALLS); // OkHttp Call -> where it was executed or enqueued
const connections = new Recent<boolean>(MAX_CALLS); // HttpURLConnection objects already recorded

export const counters = { requests: 0 };

function record(method: string, url: string, call: Call, origin: Origin | null = null): void {
  counters.requests += 1;
  const where = origin ?? captureJava();
  emit({
    type: "http:request",
    device_time: now(),
    method: method.toUpperCase(),
    url,
    api: { class_name: call.spec.class, method: call.spec.method, overload: call.argTypes.join(",") },
    ...stackFields(where.stackText),
    thread: where.thread,
    pid: Process.id,
    process: getProcessName(),
  });
}

/** RealCall.execute()/enqueue(): remember who called (the request is recorded as it goes out). */
function okhttpCall(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => calls.set(identity(call.self), captureJava()),
    () => undefined,
  );
}

/** CallServerInterceptor.intercept(chain): the request as sent, with the stack of its execute/enqueue. */
function okhttpNetwork(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const chain = call.args[0];
      const request = chain.request();
      let origin: Origin | null = null;
      try {
        origin = calls.get(identity(chain.call())) ?? null;
      } catch (e) {
        origin = null; // an OkHttp without Chain.call(): the current stack
      }
      record(String(request.method()), String(request.url().toString()), call, origin);
    },
    () => undefined,
  );
}

/** HttpURLConnection.connect/getOutputStream/getInputStream: the first one per connection. */
function urlConnection(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const id = identity(call.self);
      if (connections.get(id) === undefined) {
        connections.set(id, true);
        record(String(call.self.getRequestMethod()), String(call.self.getURL().toString()), call);
      }
    },
    () => undefined,
  );
}

const VOLLEY_METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "PATCH"];

/** Volley RequestQueue.add(request). */
function volley(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const request = call.args[0];
      const code = request.getMethod() as number;
      const method = code === -1 ? (request.getBody() === null ? "GET" : "POST") : (VOLLEY_METHODS[code] ?? String(code));
      record(method, String(request.getUrl()), call);
    },
    () => undefined,
  );
}

function field(object: any, names: string[]): string | null {
  for (const name of names) {
    try {
      const value = object[name]?.value;
      if (value !== null && value !== undefined) {
        return String(value);
      }
    } catch (e) {
      // try the next name
    }
  }
  return null;
}

/** Cronet CronetUrlRequest.start(): its initial method and URL. */
function cronet(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const url = field(call.self, ["mInitialUrl", "mCurrentUrl"]);
      if (url !== null) {
        record(field(call.self, ["mInitialMethod"]) ?? "GET", url, call);
      }
    },
    () => undefined,
  );
}

/** WebView.loadUrl(url[, headers]) (GET) and postUrl(url, body) (POST); javascript: and data: URLs are not requests. */
function webView(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const url = call.args[0];
      if (typeof url === "string" && /^https?:/i.test(url)) {
        record(call.spec.method === "postUrl" ? "POST" : "GET", url, call);
      }
    },
    () => undefined,
  );
}

export const handlers: HandlerTable = {
  okhttp_call: { kind: "around", run: okhttpCall },
  okhttp_network: { kind: "around", run: okhttpNetwork },
  url_connection: { kind: "around", run: urlConnection },
  volley: { kind: "around", run: volley },
  cronet: { kind: "around", run: cronet },
  webview: { kind: "around", run: webView },
};
