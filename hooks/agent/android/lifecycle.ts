// App lifecycle: Application.onCreate and Activity callbacks drive the phase and foreground state.
import { type Call, emitEvent, type HandlerTable } from "../lib/hooks.js";
import { rescanPending } from "../lib/loaders.js";
import { runtimeClass } from "../lib/render.js";
import { activityHidden, activityVisible, enterPhase } from "../lib/state.js";
import { internally } from "../lib/state.js";

/** Application.onCreate / Instrumentation.callApplicationOnCreate: the app's code starts. */
function applicationOnCreate(call: Call): void {
  const application = call.spec.method === "callApplicationOnCreate" ? call.args[0] : call.self;
  if (enterPhase("before_first_activity")) {
    emitEvent({ type: "lifecycle:change", state: "application_oncreate", detail: runtimeClass(application) });
    // a packer may have injected the real code into an existing loader by now
    rescanPending();
  }
}

function activityId(activity: any): string {
  return `${runtimeClass(activity)}@${internally(() => activity.hashCode())}`;
}

/** Activity onCreate/onStart/onResume/onPause/onStop. */
function activity(call: Call): void {
  const name = runtimeClass(call.self);
  const id = activityId(call.self);
  switch (call.spec.method) {
    case "onCreate":
      enterPhase("running");
      break;
    case "onStart":
      enterPhase("running");
      if (activityVisible(id)) {
        emitEvent({ type: "lifecycle:change", state: "foreground", detail: name });
      }
      break;
    case "onResume":
      enterPhase("running");
      if (activityVisible(id)) {
        emitEvent({ type: "lifecycle:change", state: "foreground", detail: name });
      }
      emitEvent({ type: "lifecycle:change", state: "activity_resumed", detail: name });
      break;
    case "onPause":
      emitEvent({ type: "lifecycle:change", state: "activity_paused", detail: name });
      break;
    case "onStop":
      if (activityHidden(id)) {
        emitEvent({ type: "lifecycle:change", state: "background", detail: name });
      }
      break;
    default:
      break;
  }
}

export const handlers: HandlerTable = {
  application_oncreate: { kind: "before", run: applicationOnCreate },
  activity: { kind: "before", run: activity },
};
