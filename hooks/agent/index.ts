// piaudit's Frida agent: wires the category modules to the hook list the host sends at init.
import Java from "frida-java-bridge";

import * as accounts from "./android/accounts.js";
import * as adid from "./android/adid.js";
import * as bluetooth from "./android/bluetooth.js";
import { canaryFor } from "./android/canary.js";
import * as clipboard from "./android/clipboard.js";
import * as consent from "./android/consent.js";
import * as lifecycle from "./android/lifecycle.js";
import * as location from "./android/location.js";
import * as media from "./android/media.js";
import { installNativeHooks } from "./android/native.js";
import * as network from "./android/network.js";
import * as packages from "./android/packages.js";
import * as permissions from "./android/permissions.js";
import * as pinning from "./android/pinning.js";
import * as providers from "./android/providers.js";
import * as sensors from "./android/sensors.js";
import * as serial from "./android/serial.js";
import * as settings from "./android/settings.js";
import * as shell from "./android/shell.js";
import * as sms from "./android/sms.js";
import * as telephony from "./android/telephony.js";
import { type AgentConfig, config, configure } from "./lib/config.js";
import { emitEvent, hookStats, registerHandlers, setProcessName, setValueSwap } from "./lib/hooks.js";
import { installAll, loaderHookState } from "./lib/loaders.js";
import { installExitHook, readProcessName, whenJavaReady } from "./lib/runtime.js";
import { stackFields } from "./lib/stack.js";
import { emit, flush, now, senderStats, startTimer } from "./lib/sender.js";
import { app, enterPhase } from "./lib/state.js";

const modules = {
  accounts, adid, bluetooth, clipboard, consent, lifecycle, location, media, network,
  packages, permissions, pinning, providers, sensors, serial, settings, shell, sms, telephony,
};
for (const [category, module] of Object.entries(modules)) {
  registerHandlers(category, module.handlers);
}
setValueSwap(canaryFor);

// A typical stack of an SDK read, for the synthetic benchmark events.
const SYNTHETIC_STACK =
  "[java.lang.Thread.getStackTrace(Thread.java:1619), android.telephony.TelephonyManager.getImei(Native Method), " +
  "com.umeng.commonsdk.internal.utils.DeviceInfo.imei(DeviceInfo.java:42), com.example.app.MainActivity.onCreate(MainActivity.java:17), " +
  "android.app.Activity.performCreate(Activity.java:8051), android.app.ActivityThread.main(ActivityThread.java:7656)]";

// The host asks for a flush with a posted message, not an RPC: an RPC waits for the JS lock,
// which hooked threads under load hold most of the time, and a pending RPC delays the host's kill.
function onFlushRequest(): void {
  flush();
  recv("flush", onFlushRequest);
}
recv("flush", onFlushRequest);

let initialized = false;
let javaInstalled = false;

interface InitOptions extends Partial<AgentConfig> {
  attached?: boolean;
  /** The process name the host knows (Android's spawn/gating identifier); else /proc/self/cmdline. */
  processName?: string;
}

rpc.exports = {
  /** Configure and install every hook; called by the host before it resumes a spawned process. */
  init(options: InitOptions): string {
    if (initialized) {
      return "already initialized";
    }
    initialized = true;
    configure(options);
    setProcessName(options.processName !== undefined && options.processName !== "" ? options.processName : readProcessName());
    if (options.attached === true) {
      enterPhase("running");
    }
    startTimer();
    installExitHook();
    emitEvent({ type: "lifecycle:change", state: "process_start", detail: options.attached === true ? "attached" : "spawned" });
    installNativeHooks(config.native);
    return whenJavaReady(() => {
      installAll(config.java);
      javaInstalled = true;
      flush();
    });
  },
  /** Send what is queued now (the host calls this before it ends the process). */
  flush(): void {
    flush();
  },
  stats() {
    return {
      ...hookStats,
      ...senderStats(),
      javaInstalled,
      loaderHook: loaderHookState(),
      phase: app.phase,
      foreground: app.foreground,
      bypasses: pinning.bypasses,
    };
  },
  /** Benchmark: queue `count` synthetic hook events through the normal batching path. */
  synthesize(count: number): number {
    for (let i = 0; i < count; i++) {
      emit({
        type: "hook:call",
        device_time: now(),
        data_type: "imei",
        api: { class_name: "android.telephony.TelephonyManager", method: "getImei", overload: "" },
        args: { seq: i },
        value: "359881030314356",
        identifiers: { imei: ["359881030314356"] },
        ...stackFields(SYNTHETIC_STACK),
        thread: "main",
        pid: Process.id,
        process: "bench",
        foreground: true,
        phase: "running",
        canary: false,
      });
    }
    flush();
    return count;
  },
  javaAvailable(): boolean {
    return Java.available;
  },
};
