// Hooks in every class loader: framework classes at start, app and SDK classes when they first
// become loadable — in the APK's PathClassLoader, a packer's own loader, a plugin's DexClassLoader.
//
// At start each hooked class is looked up where Java.use looks (on Android the app's loader once
// the bridge has it; on HotSpot the JVM's class path): found, its hooks are installed; not found,
// they are `pending`. Every class loader constructed later (a hook on BaseDexClassLoader's
// constructor, which every Path/Dex/InMemoryDexClassLoader runs) is searched for the hooked
// classes as soon as its constructor returns, and hooks go into the loader that *defines* each
// class — so a class defined again by another loader (two copies of an SDK) is hooked in both,
// and a class its parent defines is not hooked twice. Known loaders are searched again for
// still-pending classes when the application starts (`rescanPending`): packers that inject their
// dex into an existing loader are found there.
import Java from "frida-java-bridge";

import type { JavaHookSpec } from "./config.js";
import { config } from "./config.js";
import { errorText, installJavaHook, reportStatus } from "./hooks.js";
import { reportAgentError } from "./sender.js";
import { internally } from "./state.js";
import { loaderKey, wrapperFor } from "./classwrap.js";

const LOADER_HOOK_CLASS = "dalvik.system.BaseDexClassLoader";
const MAX_LOADERS = 256;

const byClass = new Map<string, JavaHookSpec[]>(); // hooked class -> its specs
const installedIn = new Set<string>(); // "class@loaderKey": hooks placed in that loader
const hookedClasses = new Set<string>(); // classes hooked in at least one loader
const loaders: any[] = []; // global refs of the loaders seen, for rescans
let classApi: any = null;
let systemApi: any = null;
let loaderHook: string = "not installed";

function apis(): void {
  if (classApi === null) {
    classApi = Java.use("java.lang.Class");
    systemApi = Java.use("java.lang.System");
  }
}

/** "boot" for the bootstrap loader, else the loader's class and identity, e.g. "dalvik.system.PathClassLoader@1b6d3586". */
export function describeLoader(loader: any): string {
  if (loader === null || loader === undefined) {
    return "boot";
  }
  return internally(() => `${loader.getClass().getName()}@${(systemApi.identityHashCode(loader) >>> 0).toString(16)}`);
}


/** Install a class's hooks in the loader that defines it (once per loader). */
function installClass(name: string, wrapper: any): void {
  const defining = internally(() => wrapper.class.getClassLoader());
  const key = `${name}@${loaderKey(defining)}`;
  if (installedIn.has(key)) {
    return;
  }
  installedIn.add(key);
  hookedClasses.add(name);
  const where = describeLoader(defining);
  for (const spec of byClass.get(name) ?? []) {
    try {
      installJavaHook(spec, wrapper, where);
    } catch (e) {
      reportStatus(spec, "failed", `install failed: ${errorText(e)}`, 0, where);
    }
  }
}

/** Search one loader for the hooked classes (all, or only those not hooked anywhere yet). */
function scan(loader: any, onlyPending: boolean): void {
  internally(() => {
    for (const name of byClass.keys()) {
      if (onlyPending && hookedClasses.has(name)) {
        continue;
      }
      let cls: any;
      try {
        cls = classApi.forName(name, false, loader);
      } catch (e) {
        continue; // not in this loader (ClassNotFoundException)
      }
      try {
        const defining = cls.getClassLoader();
        if (installedIn.has(`${name}@${loaderKey(defining)}`)) {
          continue;
        }
        installClass(name, wrapperFor(name, cls, defining));
      } catch (e) {
        reportAgentError(`hooks for ${name} could not be placed in a new class loader`, e);
      }
    }
  });
}

function remember(loader: any): void {
  if (loaders.length < MAX_LOADERS) {
    loaders.push(Java.retain(loader));
  }
}

/** A class loader finished its constructor: hook what it can load, now, before anyone uses it. */
function onNewLoader(loader: any): void {
  try {
    remember(loader);
    scan(loader, false);
  } catch (e) {
    reportAgentError("a new class loader could not be searched for hooked classes", e);
  }
}

/** Search every loader seen so far for classes still pending (dex injected into an existing loader). */
export function rescanPending(): void {
  if (hookedClasses.size === byClass.size) {
    return;
  }
  for (const loader of loaders) {
    scan(loader, true);
  }
}

function hookLoaderConstructors(): void {
  let wrapper: any;
  try {
    wrapper = Java.use(LOADER_HOOK_CLASS);
  } catch (e) {
    loaderHook = `${LOADER_HOOK_CLASS} not found: classes loaded later by other loaders are not hooked`;
    reportAgentError(loaderHook, e);
    return;
  }
  for (const overload of wrapper.$init.overloads) {
    overload.implementation = function (this: any, ...args: any[]) {
      overload.apply(this, args);
      onNewLoader(this);
    };
  }
  loaderHook = `${LOADER_HOOK_CLASS}.<init> (${wrapper.$init.overloads.length} overloads)`;
}

const readyCallbacks: Array<() => void> = [];

/**
 * Run `fn` once the hooks are installed, still outside any hook. Modules resolve there the
 * framework classes they call from inside hooks: on HotSpot a lookup from inside a hook of a JDK
 * class searches the JDK's own loader only.
 */
export function whenInstalled(fn: () => void): void {
  readyCallbacks.push(fn);
}

/** The loader hook's state, for the agent's stats. */
export function loaderHookState(): string {
  return loaderHook;
}

/**
 * Install every Java hook: framework hooks first and at once, app/SDK hooks where their classes
 * are (pending until a loader defines them); then follow new class loaders.
 */
export function installAll(specs: JavaHookSpec[]): void {
  apis();
  const rank = (spec: JavaHookSpec): number => {
    const framework = /^(android|java|javax|com\.android|dalvik)\./.test(spec.class);
    if (spec.kind === "lifecycle") {
      return 0;
    }
    return framework ? (spec.kind === "data" ? 1 : 2) : 3;
  };
  const ordered = specs
    .filter((spec) => spec.option === undefined || (spec.option === "unpin" && config.unpin))
    .map((spec, index) => ({ spec, index }))
    .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index);
  for (const { spec } of ordered) {
    const list = byClass.get(spec.class);
    if (list === undefined) {
      byClass.set(spec.class, [spec]);
    } else {
      list.push(spec);
    }
  }
  for (const [name, classSpecs] of byClass) {
    let wrapper: any;
    try {
      wrapper = Java.use(name);
    } catch (e) {
      for (const spec of classSpecs) {
        reportStatus(spec, "pending", `class not loadable yet: ${errorText(e)}`, 0);
      }
      continue;
    }
    installClass(name, wrapper);
  }
  hookLoaderConstructors();
  for (const fn of readyCallbacks) {
    try {
      fn();
    } catch (e) {
      reportAgentError("an agent module could not prepare its classes", e);
    }
  }
}
