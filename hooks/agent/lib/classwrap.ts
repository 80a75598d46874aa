// Class wrappers for classes that another class loader defines (app, SDK, plugin classes).
import Java from "frida-java-bridge";

let systemApi: any = null;

/** A stable key for a class loader: "boot" for the bootstrap loader, else its identity hash. */
export function loaderKey(loader: any): string {
  if (loader === null || loader === undefined) {
    return "boot";
  }
  if (systemApi === null) {
    systemApi = Java.use("java.lang.System");
  }
  return String(systemApi.identityHashCode(loader) >>> 0);
}

const factories = new Map<string, any>(); // loader key -> a class factory of our own for it

/**
 * A class wrapper for a class another loader defines. `Java.ClassFactory.get(loader).use(name)`
 * crashed HotSpot (frida-java-bridge 7.0.x resolves through a cached `loadClass` method id);
 * the class object is already in hand, so build the wrapper from it directly, in a factory per
 * loader (class handles are cached by name, and two loaders may define the same name).
 */
export function wrapperFor(name: string, cls: any, defining: any): any {
  const key = loaderKey(defining);
  let factory = factories.get(key);
  if (factory === undefined) {
    const Factory: any = Java.ClassFactory;
    factory = new Factory();
    factory.loader = defining === null ? null : Java.retain(defining);
    factories.set(key, factory);
  }
  // Class.forName(name, false, loader) loads without linking; the bridge reads the class's
  // methods as only a linked class has them (HotSpot aborted otherwise). Reflection links it,
  // without running its static initializer.
  cls.getDeclaredMethods();
  const retained = Java.retain(cls);
  return factory._make(name, (env: any) => env.newLocalRef(retained.$h), Java.vm.getEnv());
}


/**
 * A wrapper for a class visible where Java.use looks now, that keeps working inside hooks: the
 * bridge re-resolves evicted class handles with FindClass, which inside a hook of a JDK class on
 * HotSpot searches the JDK's own loader only; this wrapper resolves from a pinned Class object.
 */
export function pinnedClass(name: string): any {
  const cls = Java.use(name).class;
  return wrapperFor(name, cls, cls.getClassLoader());
}
