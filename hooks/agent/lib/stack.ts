// Java stack and thread capture: Thread.currentThread().getStackTrace() works on ART and HotSpot.
import Java from "frida-java-bridge";

import { config } from "./config.js";
import { internally } from "./state.js";

// Raw JNI with cached method ids and no wrapper objects: a stack costs one currentThread, one
// getName, one getStackTrace and one Arrays.toString - several times cheaper than through
// Java.use wrappers, which convert every StackTraceElement into a JS object.
interface Jni {
  threadClass: NativePointer;
  arraysClass: NativePointer;
  currentThread: NativePointer;
  getStackTrace: NativePointer;
  getName: NativePointer;
  arraysToString: NativePointer;
}

let jni: Jni | null = null;

function jniIds(env: any): Jni {
  if (jni === null) {
    const threadClass = env.newGlobalRef(env.findClass("java/lang/Thread"));
    const arraysClass = env.newGlobalRef(env.findClass("java/util/Arrays"));
    jni = {
      threadClass,
      arraysClass,
      currentThread: env.getStaticMethodId(threadClass, "currentThread", "()Ljava/lang/Thread;"),
      getStackTrace: env.getMethodId(threadClass, "getStackTrace", "()[Ljava/lang/StackTraceElement;"),
      getName: env.getMethodId(threadClass, "getName", "()Ljava/lang/String;"),
      arraysToString: env.getStaticMethodId(arraysClass, "toString", "([Ljava/lang/Object;)Ljava/lang/String;"),
    };
  }
  return jni;
}

/**
 * The current Java thread's name and its stack as `Arrays.toString(StackTraceElement[])` text.
 * The host splits the text into frames: parsing it here would cost the app's thread about as
 * much again. Must run on a thread attached to the VM (inside a Java hook or Java.perform).
 */
export function captureJava(): { thread: string; stackText: string } {
  return internally(() => {
    const env = Java.vm.getEnv();
    const ids = jniIds(env);
    const callStatic0 = env.staticVaMethod("pointer", []);
    const callStatic1 = env.staticVaMethod("pointer", ["pointer"]);
    const call0 = env.vaMethod("pointer", []);
    const thread = callStatic0(env.handle, ids.threadClass, ids.currentThread);
    const nameRef = call0(env.handle, thread, ids.getName);
    const trace = call0(env.handle, thread, ids.getStackTrace);
    const textRef = callStatic1(env.handle, ids.arraysClass, ids.arraysToString, trace);
    env.throwIfExceptionPending();
    const name: string = env.stringFromJni(nameRef) ?? "";
    const text: string = env.stringFromJni(textRef) ?? "";
    for (const ref of [textRef, trace, nameRef, thread]) {
      env.deleteLocalRef(ref);
    }
    return { thread: name, stackText: text };
  });
}

const MAX_INTERNED_STACKS = 4096;
const stackIds = new Map<string, number>();
let nextStackId = 1;

/**
 * The event fields for a stack text: `_stack` (the text) and `_stack_id` the first time it is seen,
 * only `_stack_id` afterwards. A read repeated at one call site (a polling loop) then costs a
 * map lookup instead of sending and parsing the same kilobytes again; the host keeps the table.
 */
export function stackFields(stackText: string): { _stack?: string; _stack_id: number } {
  const known = stackIds.get(stackText);
  if (known !== undefined) {
    return { _stack_id: known };
  }
  if (stackIds.size >= MAX_INTERNED_STACKS) {
    stackIds.clear();
  }
  const id = nextStackId++;
  stackIds.set(stackText, id);
  return { _stack: stackText, _stack_id: id };
}

/** The Java stack of the calling native thread when it is attached to the VM, else null. */
export function captureJavaIfAttached(): { thread: string; stackText: string } | null {
  try {
    if (!Java.available || Java.vm === null || Java.vm.tryGetEnv() === null) {
      return null;
    }
    let result: { thread: string; stackText: string } | null = null;
    Java.performNow(() => {
      result = captureJava();
    });
    return result;
  } catch (e) {
    return null;
  }
}

const MAX_SYMBOLS = 8192;
const symbols = new Map<string, string>();

/** "module!symbol+0xoff" of an address; looked up once per address (symbolication dominates the cost). */
function symbolOf(address: NativePointer): string {
  const key = address.toString();
  let text = symbols.get(key);
  if (text === undefined) {
    // DebugSymbol renders as "0x7f12... libc.so.6!open+0x25"; keep "libc.so.6!open+0x25".
    text = DebugSymbol.fromAddress(address).toString().replace(/^0x[0-9a-f]+ /, "");
    if (symbols.size >= MAX_SYMBOLS) {
      symbols.clear();
    }
    symbols.set(key, text);
  }
  return text;
}

/** A native backtrace as "module!symbol+0xoff" frames (at most `limit`), for calls no Java stack explains. */
export function captureNative(context: CpuContext, limit: number = config.maxStackFrames): string[] {
  let addresses: NativePointer[];
  try {
    addresses = Thread.backtrace(context, Backtracer.ACCURATE);
  } catch (e) {
    addresses = Thread.backtrace(context, Backtracer.FUZZY);
  }
  return addresses.slice(0, limit).map(symbolOf);
}
