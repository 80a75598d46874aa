// The last step before data becomes opaque: javax.crypto.Cipher and Mac, java.security.MessageDigest,
// the Base64 encoders (android.util, java.util) and java.util.zip.Deflater (under GZIPOutputStream and
// DeflaterOutputStream). Each finished op is a `crypto:op` event with its input and output bytes
// (capped), key and IV. Every value passes through untouched: inputs are copied before the call
// (an in-place doFinal overwrites them), outputs after it, and nothing is ever written back.
// Calls made inside the TLS stack (JSSE encrypting records, hashing handshakes) are not recorded:
// the TLS hooks (android/tls.ts) see that plaintext.
import { arrayLength, bufferWindow, Capture, captureBuffer, identity, latin1Bytes, Recent } from "../lib/bytes.js";
import { type Call, getProcessName, type HandlerTable, passThrough } from "../lib/hooks.js";
import { isJavaObject } from "../lib/render.js";
import { emitWithBytes, now } from "../lib/sender.js";
import { captureJava, stackFields } from "../lib/stack.js";
import { insideGroup, nestedIn } from "../lib/state.js";

const MAX_OBJECTS = 4096;

/** One op in progress on one Cipher, Mac, MessageDigest or Deflater (update() calls accumulate). */
interface OpState {
  op: string;
  algorithm: string;
  key: ArrayBuffer | null;
  iv: ArrayBuffer | null;
  input: Capture;
  output: Capture;
}

const states = new Recent<OpState>(MAX_OBJECTS);

export const counters = { ops: 0, skippedInTls: 0 };

/**
 * Inside the TLS stack, a SecureRandom, or another crypto op (an HMAC's own digests, a CMAC's own
 * cipher): the work done there is not the app's data, the outer op records what the app gave.
 */
function inTls(): boolean {
  return insideGroup("tls:") || insideGroup("quiet:") || nestedIn("crypto:");
}

function fresh(op: string, algorithm: string, key: ArrayBuffer | null = null, iv: ArrayBuffer | null = null): OpState {
  return { op, algorithm, key, iv, input: new Capture(), output: new Capture() };
}

function bytesOf(value: any): ArrayBuffer | null {
  if (value === null || value === undefined) {
    return null;
  }
  const capture = new Capture();
  capture.addArray(value, 0, arrayLength(value));
  return capture.bytes();
}

function emitOp(call: Call, state: OpState, deviceTime: number): void {
  counters.ops += 1;
  const { thread, stackText } = captureJava();
  emitWithBytes(
    {
      type: "crypto:op",
      device_time: deviceTime,
      op: state.op,
      algorithm: state.algorithm,
      api: { class_name: call.spec.class, method: call.spec.method, overload: call.argTypes.join(",") },
      ...state.input.fields("input"),
      ...state.output.fields("output"),
      ...stackFields(stackText),
      thread,
      pid: Process.id,
      process: getProcessName(),
    },
    { input: state.input.bytes(), output: state.output.bytes(), key: state.key, iv: state.iv },
  );
}

// ------------------------------------------------------------------ reading a call's bytes

const SIG_BUFFERS = "java.nio.ByteBuffer,java.nio.ByteBuffer";

/** Copy what an update/doFinal/digest call consumes, before the call (it may overwrite it). */
function readInput(call: Call, capture: Capture): void {
  const a = call.args;
  switch (call.argTypes.join(",")) {
    case "byte":
      capture.addBytes(new Uint8Array([a[0] & 0xff]).buffer);
      break;
    case "byte[]":
    case "byte[],byte[]": // java.util.Base64$Encoder.encode(src, dst)
    case "byte[],int": // android.util.Base64.encode(input, flags) (Cipher.doFinal(byte[], int) is output only: see below)
      if (!(call.spec.class === "javax.crypto.Cipher" && call.argTypes.length === 2 && call.argTypes[1] === "int")) {
        capture.addArray(a[0], 0, arrayLength(a[0]));
      }
      break;
    case "byte[],int,int":
    case "byte[],int,int,int": // android.util.Base64.encode(input, offset, len, flags)
    case "byte[],int,int,byte[]":
    case "byte[],int,int,byte[],int":
      capture.addArray(a[0], a[1], a[2]);
      break;
    case "java.nio.ByteBuffer":
    case SIG_BUFFERS: {
      const [position, limit] = bufferWindow(a[0]);
      captureBuffer(capture, a[0], position, limit - position);
      break;
    }
    default:
      break;
  }
}

/** Where an int-returning call writes its output: [array, offset] (read after the call for `ret` bytes). */
function outputTarget(call: Call): { array: any; offset: number } | { buffer: any; position: number } | null {
  const a = call.args;
  switch (call.argTypes.join(",")) {
    case "byte[],int": // Cipher.doFinal(output, outputOffset), Mac.doFinal(output, outOffset)
      return { array: a[0], offset: a[1] };
    case "byte[],int,int,byte[]":
      return { array: a[3], offset: 0 };
    case "byte[],int,int,byte[],int":
      return { array: a[3], offset: a[4] };
    case "byte[],byte[]":
      return { array: a[1], offset: 0 };
    case SIG_BUFFERS:
      return { buffer: a[1], position: bufferWindow(a[1])[0] };
    default:
      return null;
  }
}

/** Copy what the call produced: a returned byte[] or String, or `ret` bytes written into the target. */
function readOutput(call: Call, ret: any, target: ReturnType<typeof outputTarget>, capture: Capture, length?: number): void {
  if (ret === null || ret === undefined) {
    if (target !== null && length !== undefined && "array" in target) {
      capture.addArray(target.array, target.offset, length);
    }
    return;
  }
  if (typeof ret === "string") {
    capture.addBytes(latin1Bytes(ret));
  } else if (typeof ret === "number") {
    if (target !== null && ret > 0) {
      if ("array" in target) {
        capture.addArray(target.array, target.offset, ret);
      } else {
        captureBuffer(capture, target.buffer, target.position, ret);
      }
    }
  } else if (call.returnType === "java.nio.ByteBuffer") {
    const [position, limit] = bufferWindow(ret);
    captureBuffer(capture, ret, position, limit - position);
  } else if (isJavaObject(ret) || typeof ret === "object") {
    capture.addArray(ret, 0, arrayLength(ret));
  }
}

// ------------------------------------------------------------------ Cipher

const ENCRYPT_MODES = new Set([1, 3]); // ENCRYPT_MODE, WRAP_MODE

function cipherState(cipher: any, id: number = identity(cipher)): OpState {
  let state = states.get(id);
  if (state === undefined) {
    // initialised before the hooks were in place: read what it can tell
    let mode = 1;
    try {
      mode = cipher.opmode.value;
    } catch (e) {
      mode = 1;
    }
    state = fresh(ENCRYPT_MODES.has(mode) ? "encrypt" : "decrypt", String(cipher.getAlgorithm()));
    states.set(id, state);
  }
  return state;
}

function keyBytes(call: Call): ArrayBuffer | null {
  for (let i = 0; i < call.args.length; i++) {
    const type = call.argTypes[i];
    const value = call.args[i];
    if (value === null || value === undefined) {
      continue;
    }
    if (type === "java.security.cert.Certificate") {
      return bytesOf(value.getPublicKey().getEncoded());
    }
    if (type === "java.security.Key") {
      return bytesOf(value.getEncoded());
    }
  }
  return null;
}

/** Cipher.init(mode, key[, params][, random]): the op's kind, algorithm, key and IV for what follows. */
function cipherInit(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => null,
    () => {
      const mode = call.args[0] as number;
      const state = fresh(ENCRYPT_MODES.has(mode) ? "encrypt" : "decrypt", String(call.self.getAlgorithm()), keyBytes(call));
      state.iv = bytesOf(call.self.getIV());
      states.set(identity(call.self), state);
    },
  );
}

/** Cipher.update(...): input and output accumulate until doFinal. */
function cipherUpdate(call: Call, callOriginal: () => any): any {
  if (inTls()) {
    counters.skippedInTls += 1;
    return callOriginal();
  }
  return passThrough(
    call,
    callOriginal,
    () => {
      const state = cipherState(call.self);
      readInput(call, state.input);
      return { state, target: outputTarget(call) };
    },
    (ret, { state, target }) => readOutput(call, ret, target, state.output),
  );
}

/** Cipher.doFinal(...): the op is complete; record it and start the next one (same key). */
function cipherFinal(call: Call, callOriginal: () => any): any {
  if (inTls()) {
    counters.skippedInTls += 1;
    return callOriginal();
  }
  return passThrough(
    call,
    callOriginal,
    () => {
      const id = identity(call.self);
      const state = cipherState(call.self, id);
      readInput(call, state.input);
      return { id, state, target: outputTarget(call), time: now() };
    },
    (ret, { id, state, target, time }) => {
      readOutput(call, ret, target, state.output);
      emitOp(call, state, time);
      states.set(id, fresh(state.op, state.algorithm, state.key, state.iv));
    },
  );
}

// ------------------------------------------------------------------ Mac and MessageDigest

function accumulatorState(self: any, op: string): OpState {
  const id = identity(self);
  let state = states.get(id);
  if (state === undefined) {
    state = fresh(op, String(self.getAlgorithm()));
    states.set(id, state);
  }
  return state;
}

function macInit(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => null,
    () => states.set(identity(call.self), fresh("mac", String(call.self.getAlgorithm()), keyBytes(call))),
  );
}

function accumulate(op: string): (call: Call, callOriginal: () => any) => any {
  return (call, callOriginal) => {
    if (inTls()) {
      counters.skippedInTls += 1;
      return callOriginal();
    }
    return passThrough(call, callOriginal, () => readInput(call, accumulatorState(call.self, op).input), () => undefined);
  };
}

/** Mac.doFinal(...), MessageDigest.digest(...): record the op; the object starts over (same key). */
function finish(op: string): (call: Call, callOriginal: () => any) => any {
  return (call, callOriginal) => {
    if (inTls()) {
      counters.skippedInTls += 1;
      return callOriginal();
    }
    return passThrough(
      call,
      callOriginal,
      () => {
        const state = accumulatorState(call.self, op);
        const sig = call.argTypes.join(",");
        if (sig === "byte[]") {
          readInput(call, state.input); // digest(input), doFinal(input): the last update
        }
        return { state, time: now(), target: sig === "byte[],int" || sig === "byte[],int,int" ? { array: call.args[0], offset: call.args[1] } : null };
      },
      (ret, { state, time, target }) => {
        const length = op === "mac" ? (call.self.getMacLength() as number) : undefined;
        readOutput(call, ret, target, state.output, length);
        emitOp(call, state, time);
        states.set(identity(call.self), fresh(state.op, state.algorithm, state.key, null));
      },
    );
  };
}

function forget(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => null,
    () => {
      const id = identity(call.self);
      const state = states.get(id);
      if (state !== undefined) {
        states.set(id, fresh(state.op, state.algorithm, state.key, state.iv));
      }
    },
  );
}

// ------------------------------------------------------------------ Base64 encoders (one call, one op)

function encode(algorithm: string): (call: Call, callOriginal: () => any) => any {
  return (call, callOriginal) => {
    if (inTls()) {
      return callOriginal();
    }
    return passThrough(
      call,
      callOriginal,
      () => {
        const state = fresh("encode", algorithm);
        readInput(call, state.input);
        return { state, target: outputTarget(call), time: now() };
      },
      (ret, { state, target, time }) => {
        readOutput(call, ret, target, state.output);
        emitOp(call, state, time);
      },
    );
  };
}

// ------------------------------------------------------------------ Deflater (GZIPOutputStream, DeflaterOutputStream)

function deflaterState(self: any): OpState {
  const id = identity(self);
  let state = states.get(id);
  if (state === undefined) {
    state = fresh("compress", "deflate");
    states.set(id, state);
  }
  return state;
}

function emitDeflate(call: Call, self: any, state: OpState): void {
  const first = new Uint8Array(state.output.bytes().slice(0, 1));
  state.algorithm = first.length > 0 && first[0] === 0x78 ? "zlib" : "deflate";
  emitOp(call, state, now());
  states.set(identity(self), fresh("compress", "deflate"));
}

function deflaterInput(call: Call, callOriginal: () => any): any {
  return passThrough(call, callOriginal, () => readInput(call, deflaterState(call.self).input), () => undefined);
}

function deflaterDeflate(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const a = call.args;
      const sig = call.argTypes.join(",");
      const target =
        sig.startsWith("byte[],int,int") ? { array: a[0], offset: a[1] } : sig.startsWith("byte[]") ? { array: a[0], offset: 0 } : { buffer: a[0], position: bufferWindow(a[0])[0] };
      return { state: deflaterState(call.self), target };
    },
    (ret, { state, target }) => {
      readOutput(call, ret, target, state.output);
      if (call.self.finished()) {
        emitDeflate(call, call.self, state);
      }
    },
  );
}

function deflaterEnd(call: Call, callOriginal: () => any): any {
  return passThrough(
    call,
    callOriginal,
    () => {
      const id = identity(call.self);
      const state = states.get(id);
      if (state !== undefined && state.output.total > 0) {
        emitDeflate(call, call.self, state); // reset()/end() before finish: what was compressed so far
      }
      states.delete(id);
    },
    () => undefined,
  );
}

export const handlers: HandlerTable = {
  cipher_init: { kind: "around", run: cipherInit },
  cipher_update: { kind: "around", run: cipherUpdate },
  cipher_final: { kind: "around", run: cipherFinal },
  mac_init: { kind: "around", run: macInit },
  mac_update: { kind: "around", run: accumulate("mac") },
  mac_final: { kind: "around", run: finish("mac") },
  mac_reset: { kind: "around", run: forget },
  digest_update: { kind: "around", run: accumulate("digest") },
  digest_final: { kind: "around", run: finish("digest") },
  digest_reset: { kind: "around", run: forget },
  base64_encode: { kind: "around", run: encode("base64") },
  deflater_input: { kind: "around", run: deflaterInput },
  deflater_deflate: { kind: "around", run: deflaterDeflate },
  deflater_end: { kind: "around", run: deflaterEnd },
  quiet: { kind: "around", run: (_call, callOriginal) => callOriginal() },
};
