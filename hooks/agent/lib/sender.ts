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

/** Send everything queued now as one `batch` message. */
export function flush(): void {
  if (pending.length === 0) {
    return;
  }
  const events = pending;
  pending = [];
  sentEvents += events.length;
  sentBatches += 1;
  send({ type: "batch", sent_at: Date.now() / 1000, events });
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
