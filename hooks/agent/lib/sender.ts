// Batching sender: events leave the agent in batches on a timer, never one send() per event.
import { config } from "./config.js";

type AgentEvent = Record<string, unknown>;

let pending: AgentEvent[] = [];
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

/** Send everything queued now as one `batch` message. */
export function flush(): void {
  if (pending.length === 0) {
    return;
  }
  const events = pending;
  pending = [];
  sentEvents += events.length;
  sentBatches += 1;
  send({ type: "batch", sent_at: Date.now() / 1000, ...encode(events) });
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
