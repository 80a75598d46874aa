// App state (lifecycle phase, foreground) and per-thread re-entrancy tracking.

export type Phase = "before_application_oncreate" | "before_first_activity" | "running";

/** Where the app is in its start-up, and whether any activity is visible (null: no activity seen yet). */
export const app = {
  phase: "before_application_oncreate" as Phase,
  foreground: null as boolean | null,
};

const visibleActivities = new Set<string>();

export function enterPhase(phase: Phase): boolean {
  const order: Phase[] = ["before_application_oncreate", "before_first_activity", "running"];
  if (order.indexOf(phase) <= order.indexOf(app.phase)) {
    return false;
  }
  app.phase = phase;
  return true;
}

/** Record an activity becoming visible; returns true when the app came to the foreground. */
export function activityVisible(id: string): boolean {
  const wasForeground = app.foreground === true;
  visibleActivities.add(id);
  app.foreground = true;
  return !wasForeground;
}

/** Record an activity being stopped; returns true when the app went to the background. */
export function activityHidden(id: string): boolean {
  visibleActivities.delete(id);
  if (visibleActivities.size === 0 && app.foreground === true) {
    app.foreground = false;
    return true;
  }
  return false;
}

// Per-thread state. `internal` > 0 while the agent itself runs Java code (rendering a value,
// taking a stack): hooked methods called from there pass straight through. `groups` lists the
// hook groups whose original method is running on this thread, so a framework method that
// calls another overload of itself (getDeviceId() -> getDeviceId(int)) is recorded once.
interface ThreadState {
  internal: number;
  groups: string[];
}

const threads = new Map<number, ThreadState>();

function threadState(): ThreadState {
  const id = Process.getCurrentThreadId();
  let state = threads.get(id);
  if (state === undefined) {
    state = { internal: 0, groups: [] };
    threads.set(id, state);
  }
  return state;
}

/** True when a call should be recorded: not from the agent itself, not nested in its own group. */
export function shouldRecord(group: string): boolean {
  const state = threads.get(Process.getCurrentThreadId());
  return state === undefined || (state.internal === 0 && !state.groups.includes(group));
}

/** True while a Java hook or the agent itself runs on this thread (native hooks then stay quiet). */
export function javaHookActive(): boolean {
  const state = threads.get(Process.getCurrentThreadId());
  return state !== undefined && (state.internal > 0 || state.groups.length > 0);
}

/** True while a hook whose group starts with `prefix` runs on this thread (e.g. "tls:": inside the TLS stack). */
export function insideGroup(prefix: string): boolean {
  const state = threads.get(Process.getCurrentThreadId());
  return state !== undefined && state.groups.some((group) => group.startsWith(prefix));
}

/** Like insideGroup, but not counting the innermost group (the hook now running): "called from inside another". */
export function nestedIn(prefix: string): boolean {
  const state = threads.get(Process.getCurrentThreadId());
  if (state === undefined) {
    return false;
  }
  const outer = state.groups.slice(0, -1);
  return outer.some((group) => group.startsWith(prefix));
}

export function enterGroup(group: string): void {
  threadState().groups.push(group);
}

export function leaveGroup(): void {
  const id = Process.getCurrentThreadId();
  const state = threads.get(id);
  if (state !== undefined) {
    state.groups.pop();
    forgetIfIdle(id, state);
  }
}

function forgetIfIdle(id: number, state: ThreadState): void {
  if (state.internal === 0 && state.groups.length === 0) {
    threads.delete(id);
  }
}

/** Run agent code that may call hooked Java methods without recording them. */
export function internally<T>(fn: () => T): T {
  const state = threadState();
  state.internal += 1;
  try {
    return fn();
  } finally {
    state.internal -= 1;
    forgetIfIdle(Process.getCurrentThreadId(), state);
  }
}
