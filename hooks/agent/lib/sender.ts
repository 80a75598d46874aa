// Batching sender: events leave the agent in batches on a timer, never one send() per event.
import { config } from "./config.js";

type AgentEvent = Record<string, unknown>;

// Bytes travel beside the JSON: one binary attachment per batch, which events reference as
// `_blobs: {field: [offset, length]}` (the host turns them into base64 fields).
const MAX_PENDING_BYTES = 1 << 20;

let pending: AgentEvent[] = [];
let pendingBlobs: ArrayBuffer[] = [];
let pendingBytes = 0;
let timer: ReturnType<typeof setInterval> | null = null;
let sentEvents = 0;
let sentBatches = 0;

/** Queue one event (a timeline event with a `type` tag); flushed every batchIntervalMs or batchMaxEvents. */
export function emit(event: AgentEvent): void {
  pending.push(event);
  if (pending.length >= config.batchMaxEvents) {
    flush();
  }
}

/** Fields that change from one call of a hook to the next; the rest of an event is its shape. */
const VARYING = new Set(["device_time", "_device_time", "args"]);

/**
 * A batch with each distinct shape sent once: `shapes` holds the events' fields but the varying
 * ones, `events` holds `[shape index, {varying fields}]`. A burst of calls of one hook then costs
 * the host one small JSON row per event instead of the whole event (its JSON parse was most of
 * the host's work per event). The host rebuilds every event exactly: shape plus varying fields.
 */
function encode(events: AgentEvent[]): { shapes: AgentEvent[]; events: [number, AgentEvent][] } {
  const shapes: AgentEvent[] = [];
  const index = new Map<string, number>();
  const rows: [number, AgentEvent][] = [];
  for (const event of events) {
    const shape: AgentEvent = {};
    const varying: AgentEvent = {};
    for (const key of Object.keys(event)) {
      if (VARYING.has(key)) {
        varying[key] = event[key];
      } else {
        shape[key] = event[key];
      }
    }
    const key = JSON.stringify(shape);
    let i = index.get(key);
    if (i === undefined) {
      i = shapes.length;
      shapes.push(shape);
      index.set(key, i);
    }
    rows.push([i, varying]);
  }
  return { shapes, events: rows };
}


/** Queue an event with byte fields (crypto ops): `blobs` maps a field name to its bytes. */
export function emitWithBytes(event: AgentEvent, blobs: Record<string, ArrayBuffer | null>): void {
  const refs: Record<string, [number, number]> = {};
  for (const [name, data] of Object.entries(blobs)) {
    if (data === null) {
      continue;
    }
    refs[name] = [pendingBytes, data.byteLength];
    pendingBlobs.push(data);
    pendingBytes += data.byteLength;
  }
  event._blobs = refs;
  pending.push(event);
  if (pending.length >= config.batchMaxEvents || pendingBytes >= MAX_PENDING_BYTES) {
    flush();
  }
}

function joinBlobs(blobs: ArrayBuffer[], total: number): ArrayBuffer {
  const out = new Uint8Array(total);
  let at = 0;
  for (const blob of blobs) {
    out.set(new Uint8Array(blob), at);
    at += blob.byteLength;
  }
  return out.buffer;
}

/** Send everything queued now as one `batch` message (with its bytes attached). */
export function flush(): void {
  if (pending.length === 0) {
    return;
  }
  const events = pending;
  const blobs = pendingBlobs;
  const total = pendingBytes;
  pending = [];
  pendingBlobs = [];
  pendingBytes = 0;
  sentEvents += events.length;
  sentBatches += 1;
  const message = { type: "batch", sent_at: Date.now() / 1000, ...encode(events) };
  if (total > 0) {
    send(message, joinBlobs(blobs, total));
  } else {
    send(message);
  }
}

export function startTimer(): void {
  if (timer === null) {
    timer = setInterval(flush, config.batchIntervalMs);
  }
}

export function senderStats(): { events: number; batches: number; pending: number } {
  return { events: sentEvents, batches: sentBatches, pending: pending.length };
}

const MAX_REPEATS = 3;
const errorCounts = new Map<string, number>();

/**
 * An error inside the agent itself (not the app): the host records it, never silently dropped.
 * The same message is sent at most MAX_REPEATS times, then once more saying it is suppressed,
 * so a hook failing on every call cannot flood the session.
 */
export function reportAgentError(message: string, error: unknown): void {
  const count = (errorCounts.get(message) ?? 0) + 1;
  errorCounts.set(message, count);
  if (count > MAX_REPEATS + 1) {
    return;
  }
  const detail = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  const suffix = count === MAX_REPEATS + 1 ? " (repeated; further occurrences are not reported)" : "";
  send({ type: "agent:error", message: message + suffix, detail });
}

export function now(): number {
  return Date.now() / 1000;
}
