// Component starts and wake-ups: activities, services, broadcasts, receivers, alarms, jobs, work,
// account syncs. Each is a `component:start` event with its explicit target (or none: implicit),
// the action and the stack; the core decides what is a self-start or an associated start.
import { config } from "../lib/config.js";
import { type Call, emitEvent, type HandlerTable, stackNow } from "../lib/hooks.js";
import { asRuntime, fieldValue, getter } from "../lib/render.js";
import { app, internally } from "../lib/state.js";

const CALLS: Record<string, string> = {
  startActivity: "start_activity",
  startActivityForResult: "start_activity",
  startActivities: "start_activity",
  startService: "start_service",
  startForegroundService: "start_foreground_service",
  bindService: "bind_service",
  sendBroadcast: "send_broadcast",
  sendOrderedBroadcast: "send_broadcast",
  sendBroadcastAsUser: "send_broadcast",
  registerReceiver: "register_receiver",
};

interface Target {
  target_package: string | null;
  target_component: string | null;
  action: string | null;
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The explicit target and the action of an Intent (null fields: implicit, or unknown). */
export function intentTarget(intent: any): Target {
  if (intent === null || intent === undefined) {
    return { target_package: null, target_component: null, action: null };
  }
  const runtime = asRuntime(intent);
  const component = getter(runtime, "getComponent");
  const action = str(getter(runtime, "getAction"));
  if (component !== null && component !== undefined) {
    const named = asRuntime(component);
    return { target_package: str(getter(named, "getPackageName")), target_component: str(getter(named, "getClassName")), action };
  }
  return { target_package: str(getter(runtime, "getPackage")), target_component: null, action };
}

function argOfType(call: Call, type: string): any {
  const index = call.argTypes.indexOf(type);
  return index >= 0 ? call.args[index] : null;
}

function sourcePackage(call: Call): string | null {
  const own = call.self !== null && call.self !== undefined ? str(getter(call.self, "getPackageName")) : null;
  return own ?? (config.appPackage !== "" ? config.appPackage : null);
}

function emitStart(call: Call, name: string, fields: Record<string, unknown>): void {
  emitEvent({
    type: "component:start",
    call: name,
    api: { class_name: call.spec.class, method: call.spec.method, overload: call.argTypes.join(",") },
    source_package: sourcePackage(call),
    foreground: app.foreground,
    phase: app.phase,
    ...fields,
    ...stackNow(),
  });
}

/** startActivity / startService / bindService / sendBroadcast / registerReceiver. */
function contextCall(call: Call): void {
  const name = CALLS[call.spec.method];
  if (name === undefined) {
    return;
  }
  if (name === "register_receiver") {
    const filter = argOfType(call, "android.content.IntentFilter");
    const actions: string[] = [];
    if (filter !== null) {
      internally(() => {
        const count = filter.countActions();
        for (let i = 0; i < Math.min(count, 64); i++) {
          actions.push(String(filter.getAction(i)));
        }
      });
    }
    emitStart(call, name, { actions, target_package: null, target_component: null });
    return;
  }
  const intent = argOfType(call, "android.content.Intent") ?? (call.args.length > 0 ? call.args[0] : null);
  const target = intentTarget(intent);
  if (name === "send_broadcast" && target.target_package === null) {
    return; // implicit broadcasts reach whoever listens: only explicit ones are starts of a component
  }
  emitStart(call, name, { ...target });
}

/** ActivityThread.handleReceiver: the system delivers a broadcast to one of the app's manifest receivers. */
function receive(call: Call): void {
  const data = asRuntime(call.args[0]);
  const target = intentTarget(fieldValue(data, "intent"));
  const info = fieldValue(data, "info");
  const runtimeInfo = info !== null ? asRuntime(info) : null;
  emitStart(call, "receive_broadcast", {
    action: target.action,
    target_package: runtimeInfo !== null ? str(fieldValue(runtimeInfo, "packageName")) : config.appPackage || null,
    target_component: runtimeInfo !== null ? str(fieldValue(runtimeInfo, "name")) : null,
  });
}

/** The intent inside a PendingIntent (a hidden API; null when the platform refuses). */
function pendingTarget(pending: any): Target & { creator: string | null } {
  if (pending === null || pending === undefined) {
    return { target_package: null, target_component: null, action: null, creator: null };
  }
  const runtime = asRuntime(pending);
  const creator = str(getter(runtime, "getCreatorPackage"));
  const target = intentTarget(getter(runtime, "getIntent"));
  return { ...target, target_package: target.target_package ?? creator, creator };
}

const WAKEUP_TYPES = new Set([0, 2]); // RTC_WAKEUP, ELAPSED_REALTIME_WAKEUP

/** AlarmManager.set* (type, trigger, [interval], PendingIntent): a wake-up scheduled for later. */
function alarm(call: Call): void {
  const method = call.spec.method;
  const type = typeof call.args[0] === "number" ? (call.args[0] as number) : null;
  const repeating = method === "setRepeating" || method === "setInexactRepeating";
  const interval = repeating && call.args.length > 2 ? Number(call.args[2]) : 0;
  const pending = argOfType(call, "android.app.PendingIntent");
  const { creator, ...target } = pendingTarget(pending);
  emitStart(call, "set_alarm", {
    ...target,
    wakeup: method === "setAlarmClock" || (type !== null && WAKEUP_TYPES.has(type)),
    repeat_seconds: interval > 0 ? interval / 1000 : null,
    args: { type, trigger: call.args.length > 1 ? Number(call.args[1]) : null, creator },
  });
}

/** JobScheduler.schedule(JobInfo): a job, maybe periodic, maybe kept across reboots. */
function job(call: Call): void {
  const info = asRuntime(call.args[0]);
  const service = getter(info, "getService");
  const named = service !== null ? asRuntime(service) : null;
  const periodic = getter(info, "isPeriodic") === true;
  const interval = periodic ? Number(getter(info, "getIntervalMillis")) : 0;
  emitStart(call, "schedule_job", {
    target_package: named !== null ? str(getter(named, "getPackageName")) : null,
    target_component: named !== null ? str(getter(named, "getClassName")) : null,
    persisted: getter(info, "isPersisted") === true,
    repeat_seconds: interval > 0 ? interval / 1000 : null,
    args: { job_id: getter(info, "getId") },
  });
}

/** WorkManagerImpl.enqueue(List<WorkRequest>): the worker class and its period. */
function work(call: Call): void {
  const requests: any[] = [];
  internally(() => {
    const list = asRuntime(call.args[0]);
    const size = list.size();
    for (let i = 0; i < Math.min(size, 32); i++) {
      requests.push(asRuntime(list.get(i)));
    }
  });
  for (const request of requests) {
    const spec = asRuntime(getter(request, "getWorkSpec"));
    const worker = str(fieldValue(spec, "workerClassName"));
    const interval = Number(fieldValue(spec, "intervalDuration") ?? 0);
    emitStart(call, "enqueue_work", {
      target_package: null,
      target_component: worker,
      repeat_seconds: interval > 0 ? interval / 1000 : null,
      args: { request: String(internally(() => request.getClass().getName())) },
    });
  }
}

/** ContentResolver.requestSync / addPeriodicSync: wakes the sync adapter of an authority (maybe another app's). */
function sync(call: Call): void {
  const authority = argOfType(call, "java.lang.String");
  const period = call.spec.method === "addPeriodicSync" && call.args.length > 3 ? Number(call.args[3]) : 0;
  emitStart(call, "request_sync", {
    target_package: null,
    target_component: null,
    repeat_seconds: period > 0 ? period : null,
    args: { authority: str(authority) },
  });
}

export const handlers: HandlerTable = {
  context: { kind: "before", run: contextCall },
  receive: { kind: "before", run: receive },
  alarm: { kind: "before", run: alarm },
  job: { kind: "before", run: job },
  work: { kind: "before", run: work },
  sync: { kind: "before", run: sync },
};
