package dalvik.system;

import java.io.File;

/** Fake {@code dalvik.system.DexClassLoader}: code loaded later from a file (plugins, hot fixes). */
public class DexClassLoader extends BaseDexClassLoader {
    public DexClassLoader(String dexPath, String optimizedDirectory, String librarySearchPath, ClassLoader parent) {
        super(dexPath, optimizedDirectory == null ? null : new File(optimizedDirectory), librarySearchPath, parent);
    }
}
