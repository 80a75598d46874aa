package dalvik.system;

import java.nio.ByteBuffer;

/**
 * Fake {@code dalvik.system.InMemoryDexClassLoader}: classes from a buffer that never touches the
 * disk, as packers (加固) load their decrypted code. On the stand-in the buffer holds a zip of class
 * files; its classes are defined by this loader.
 */
public final class InMemoryDexClassLoader extends BaseDexClassLoader {
    public InMemoryDexClassLoader(ByteBuffer dexBuffer, ClassLoader parent) {
        this(new ByteBuffer[] {dexBuffer}, null, parent);
    }

    public InMemoryDexClassLoader(ByteBuffer[] dexBuffers, String librarySearchPath, ClassLoader parent) {
        super(dexBuffers, librarySearchPath, parent);
    }
}
