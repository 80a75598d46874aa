// Getting into the Java VM as early as possible, and leaving cleanly when the process exits.
import Java from "frida-java-bridge";

import { flush, reportAgentError } from "./sender.js";

const JVM_MODULE = /^libjvm\.(so|dylib)$/;

// Kept referenced: an observer the script drops can be garbage-collected and stop observing,
// and then the JVM would start without hooks.
let jvmObserver: ModuleObserver | null = null;
let exitListener: InvocationListener | null = null;
let createListener: InvocationListener | null = null;
let vmStarting = false;

/** True while a HotSpot VM is being created in this process: native reads then are the VM's own. */
export function isVmStarting(): boolean {
  return vmStarting;
}

/**
 * Run `install` inside the VM as soon as it exists. On Android (ART) the VM is up when the agent
 * loads; a spawned HotSpot launcher has not created it yet: wait for libjvm, hook the return of
 * JNI_CreateJavaVM and install from there, before the first class of the app runs.
 */
export function whenJavaReady(install: () => void): "now" | "waiting" {
  if (Java.available) {
    Java.perform(install);
    return "now";
  }
  let hooked = false;
  const hookCreate = (module: Module): void => {
    if (hooked) {
      return;
    }
    hooked = true;
    const create = module.findExportByName("JNI_CreateJavaVM");
    if (create === null) {
      reportAgentError("libjvm has no JNI_CreateJavaVM: Java hooks are not installed", module.path);
      return;
    }
    vmStarting = true;
    createListener = Interceptor.attach(create, {
      onLeave(result) {
        vmStarting = false;
        createListener?.detach();
        if (result.toInt32() !== 0 || !Java.available) {
          reportAgentError("the Java VM failed to start: Java hooks are not installed", `JNI_CreateJavaVM returned ${result.toInt32()}`);
          return;
        }
        Java.perform(install);
      },
    });
  };
  const loaded = Process.enumerateModules().find((module) => JVM_MODULE.test(module.name));
  if (loaded !== undefined) {
    hookCreate(loaded);
  } else {
    jvmObserver = Process.attachModuleObserver({
      onAdded(module) {
        if (JVM_MODULE.test(module.name)) {
          hookCreate(module);
          Script.nextTick(() => {
            jvmObserver?.detach();
            jvmObserver = null;
          });
        }
      },
    });
  }
  return "waiting";
}

/**
 * On exit() flush the last batch and tell the host the exit status. The send is confirmed: the
 * exiting thread waits for the host's "exit:ack", or the last events would die with the process.
 */
export function installExitHook(): void {
  const exit = Module.findGlobalExportByName("exit");
  if (exit === null) {
    return;
  }
  let exiting = false;
  exitListener = Interceptor.attach(exit, {
    onEnter(args) {
      if (exiting) {
        return;
      }
      exiting = true;
      flush();
      send({ type: "process:exit", status: args[0].toInt32() });
      recv("exit:ack", () => {}).wait();
    },
  });
}

/** The process name: Android's package (from /proc/self/cmdline), else the executable. */
export function readProcessName(): string {
  try {
    const bytes = new Uint8Array(File.readAllBytes("/proc/self/cmdline"));
    const end = bytes.indexOf(0);
    return String.fromCharCode(...bytes.slice(0, end < 0 ? bytes.length : end));
  } catch (e) {
    return "";
  }
}
