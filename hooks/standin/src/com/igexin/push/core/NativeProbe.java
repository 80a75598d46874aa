package com.igexin.push.core;

/**
 * An SDK's native code (hooks/standin/native/standin_native.c): system properties through bionic's
 * {@code __system_property_get} (on the calling Java thread) and, on a native thread of its own,
 * {@code __system_property_find}/{@code __system_property_read_callback} plus a raw {@code open}/{@code read}
 * of a file. On the stand-in the property functions come from this library (glibc has none); on
 * Android they are libc's.
 */
public final class NativeProbe {
    static {
        System.loadLibrary("standin_native");
    }

    private NativeProbe() {}

    /** {@code __system_property_get(key)} called from JNI on this (Java) thread. */
    public static native String systemProperty(String key);

    /** On a new native thread: the property through the read callback, then the file's first line: "value|line". */
    public static native String readOnNativeThread(String key, String path);
}
