// Copying bytes out of Java (byte[], ByteBuffer) through raw JNI, capped, with the whole's SHA-256
// when the cap cuts them; and a cheap identity for Java objects. Never changes what it reads.
import Java from "frida-java-bridge";

import { config } from "./config.js";
import { internally } from "./state.js";

const HASH_PIECE = 1 << 16;

let scratch: NativePointer | null = null;
let scratchSize = 0;

function buffer(size: number): NativePointer {
  if (scratch === null || size > scratchSize) {
    scratchSize = Math.max(size, 4096);
    scratch = Memory.alloc(scratchSize);
  }
  return scratch;
}

function handleOf(value: any): NativePointer {
  return value instanceof NativePointer ? value : (value.$h as NativePointer);
}

/** `length` bytes of a Java byte[] from `offset` (a bulk JNI copy, no per-element conversion). */
export function arrayBytes(array: any, offset: number, length: number): ArrayBuffer {
  if (length <= 0) {
    return new ArrayBuffer(0);
  }
  const env = Java.vm.getEnv();
  const out = buffer(length);
  env.getByteArrayRegion(handleOf(array), offset, length, out);
  env.throwIfExceptionPending();
  return out.readByteArray(length) as ArrayBuffer;
}

/** The length of a Java byte[] (0 for null). */
export function arrayLength(array: any): number {
  if (array === null || array === undefined) {
    return 0;
  }
  return typeof array.length === "number" ? array.length : Java.vm.getEnv().getArrayLength(handleOf(array));
}

/** Bytes of a JS string whose characters are bytes (base64 text, Latin-1). */
export function latin1Bytes(text: string): ArrayBuffer {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    out[i] = text.charCodeAt(i) & 0xff;
  }
  return out.buffer;
}

/**
 * The bytes of one side (input or output) of an op, as they stream in: the first `config.captureBytes`
 * are kept, every byte is counted, and past the cap a SHA-256 of the whole is computed here (under the
 * cap the host computes it from the bytes it gets).
 */
export class Capture {
  private chunks: ArrayBuffer[] = [];
  private kept = 0;
  total = 0;
  private hash: Checksum | null = null;

  /** Add `length` bytes of a Java byte[] from `offset`. */
  addArray(array: any, offset: number, length: number): void {
    if (length <= 0) {
      return;
    }
    const room = Math.max(0, config.captureBytes - this.kept);
    const take = Math.min(room, length);
    if (take > 0) {
      this.keep(arrayBytes(array, offset, take));
    }
    if (this.total + length > config.captureBytes) {
      this.startHash();
      for (let at = take; at < length; at += HASH_PIECE) {
        (this.hash as Checksum).update(arrayBytes(array, offset + at, Math.min(HASH_PIECE, length - at)));
      }
    }
    this.total += length;
  }

  /** Add bytes already copied out of Java. */
  addBytes(data: ArrayBuffer): void {
    const length = data.byteLength;
    const room = Math.max(0, config.captureBytes - this.kept);
    if (room > 0) {
      this.keep(length <= room ? data : data.slice(0, room));
    }
    if (this.total + length > config.captureBytes) {
      this.startHash();
      if (length > room) {
        (this.hash as Checksum).update(data.slice(room));
      }
    }
    this.total += length;
  }

  private keep(data: ArrayBuffer): void {
    this.chunks.push(data);
    this.kept += data.byteLength;
    this.hash?.update(data);
  }

  private startHash(): void {
    if (this.hash === null) {
      this.hash = new Checksum("sha256");
      for (const chunk of this.chunks) {
        this.hash.update(chunk);
      }
    }
  }

  /** The kept bytes as one buffer. */
  bytes(): ArrayBuffer {
    if (this.chunks.length === 1) {
      return this.chunks[0];
    }
    const out = new Uint8Array(this.kept);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(new Uint8Array(chunk), at);
      at += chunk.byteLength;
    }
    return out.buffer;
  }

  /** The event fields describing the whole: its length, and its SHA-256 when the cap cut it. */
  fields(name: string): Record<string, unknown> {
    const out: Record<string, unknown> = { [`${name}_length`]: this.total };
    if (this.hash !== null) {
      out[`${name}_sha256`] = this.hash.getString();
    }
    return out;
  }
}

/** The readable bytes of a ByteBuffer between `position` and `position + length` (heap or direct). */
export function bufferBytes(byteBuffer: any, position: number, length: number): ArrayBuffer {
  if (length <= 0) {
    return new ArrayBuffer(0);
  }
  return internally(() => {
    if (byteBuffer.hasArray()) {
      return arrayBytes(byteBuffer.array(), byteBuffer.arrayOffset() + position, length);
    }
    const address = Java.vm.getEnv().getDirectBufferAddress(handleOf(byteBuffer));
    if (address.isNull()) {
      // read-only heap buffer: copy through an absolute bulk get (leaves its position alone)
      const array = Java.array("byte", new Array(length).fill(0));
      byteBuffer.get(position, array, 0, length);
      return arrayBytes(array, 0, length);
    }
    return address.add(position).readByteArray(length) as ArrayBuffer;
  });
}

/** Add up to the cap of a ByteBuffer's bytes to a capture (the whole is counted, hashed past the cap). */
export function captureBuffer(capture: Capture, byteBuffer: any, position: number, length: number): void {
  for (let at = 0; at < length; at += HASH_PIECE) {
    capture.addBytes(bufferBytes(byteBuffer, position + at, Math.min(HASH_PIECE, length - at)));
  }
}

let bufferIds: { position: NativePointer; limit: NativePointer } | null = null;

/** [position, limit] of a java.nio.Buffer (through JNI: the wrappers see ByteBuffer's covariant overloads only). */
export function bufferWindow(byteBuffer: any): [number, number] {
  const env = Java.vm.getEnv();
  if (bufferIds === null) {
    const buffer = env.findClass("java/nio/Buffer");
    bufferIds = { position: env.getMethodId(buffer, "position", "()I"), limit: env.getMethodId(buffer, "limit", "()I") };
    env.deleteLocalRef(buffer);
  }
  const call = env.vaMethod("int32", []);
  const handle = handleOf(byteBuffer);
  const position = call(env.handle, handle, bufferIds.position) as number;
  const limit = call(env.handle, handle, bufferIds.limit) as number;
  env.throwIfExceptionPending();
  return [position, limit];
}

let identityIds: { system: NativePointer; method: NativePointer } | null = null;

/** System.identityHashCode(object): a cheap key for per-object state (Cipher, Mac, socket ...). */
export function identity(object: any): number {
  const env = Java.vm.getEnv();
  if (identityIds === null) {
    const system = env.newGlobalRef(env.findClass("java/lang/System"));
    identityIds = { system, method: env.getStaticMethodId(system, "identityHashCode", "(Ljava/lang/Object;)I") };
  }
  const call = env.staticVaMethod("int32", ["pointer"]);
  return call(env.handle, identityIds.system, identityIds.method, handleOf(object)) as number;
}

/** A small map that forgets its oldest entries beyond `limit`. */
export class Recent<V> {
  private map = new Map<number, V>();

  constructor(private readonly limit: number) {}

  get(key: number): V | undefined {
    return this.map.get(key);
  }

  set(key: number, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) {
      const oldest = this.map.keys().next().value as number;
      this.map.delete(oldest);
    }
  }

  delete(key: number): void {
    this.map.delete(key);
  }
}
