package dalvik.system;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fake {@code dalvik.system.BaseDexClassLoader}: on the stand-in a "dex path" is a ':'-separated
 * list of class directories and jars. As on Android, the constructor finishes setting up the path
 * list before it returns and the subclasses add nothing, so a hook on this constructor sees every
 * PathClassLoader, DexClassLoader and InMemoryDexClassLoader ready to load classes.
 */
public class BaseDexClassLoader extends URLClassLoader {
    private final String mDexPath;
    private final String mLibrarySearchPath;
    private final Map<String, byte[]> mInMemory;

    public BaseDexClassLoader(String dexPath, File optimizedDirectory, String librarySearchPath, ClassLoader parent) {
        super(urls(dexPath), parent);
        mDexPath = dexPath == null ? "" : dexPath;
        mLibrarySearchPath = librarySearchPath;
        mInMemory = Map.of();
    }

    /** Classes from buffers (InMemoryDexClassLoader): on the stand-in each buffer holds a zip of class files. */
    public BaseDexClassLoader(ByteBuffer[] dexFiles, String librarySearchPath, ClassLoader parent) {
        super(new URL[0], parent);
        mDexPath = "<memory>";
        mLibrarySearchPath = librarySearchPath;
        mInMemory = read(dexFiles);
    }

    private static Map<String, byte[]> read(ByteBuffer[] buffers) {
        Map<String, byte[]> classes = new HashMap<>();
        for (ByteBuffer buffer : buffers) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    String name = e.getName();
                    if (name.endsWith(".class")) {
                        classes.put(name.substring(0, name.length() - 6).replace('/', '.'), zip.readAllBytes());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = mInMemory.get(name);
        if (bytes != null) {
            return defineClass(name, bytes, 0, bytes.length);
        }
        return super.findClass(name);
    }

    private static URL[] urls(String dexPath) {
        List<URL> urls = new ArrayList<>();
        if (dexPath != null) {
            for (String part : dexPath.split(":")) {
                if (part.isEmpty()) {
                    continue;
                }
                try {
                    urls.add(new File(part).toURI().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException(part, e);
                }
            }
        }
        return urls.toArray(new URL[0]);
    }

    /** Native libraries of the app: its library search path, then the stand-in's build/lib. */
    @Override
    protected String findLibrary(String libname) {
        String file = System.mapLibraryName(libname);
        List<String> dirs = new ArrayList<>();
        if (mLibrarySearchPath != null) {
            dirs.addAll(List.of(mLibrarySearchPath.split(":")));
        }
        String standin = System.getProperty("standin.native_lib_dir");
        if (standin != null) {
            dirs.add(standin);
        }
        for (String dir : dirs) {
            File candidate = new File(dir, file);
            if (candidate.isFile()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return getClass().getName() + "[DexPathList[" + mDexPath + "]]";
    }
}
