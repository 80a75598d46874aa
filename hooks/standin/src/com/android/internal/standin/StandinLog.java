package com.android.internal.standin;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The scenario log on stdout: {@code <epoch.ms> [<thread>] <KIND> key=value ...}.
 *
 * <p>A value is written bare unless it is empty or holds whitespace, a quote, a backslash or
 * '='; then it is a JSON string. hooks/standin/build.py {@code parse_log} reads it back.
 */
public final class StandinLog {
    private StandinLog() {}

    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    /** Log one line: {@code kind} then alternating keys and values. */
    public static synchronized void log(String kind, Object... keyValues) {
        long ms = System.currentTimeMillis();
        StringBuilder sb = new StringBuilder(128);
        sb.append(ms / 1000).append('.').append(String.format("%03d", ms % 1000));
        sb.append(" [").append(processTag()).append(Thread.currentThread().getName().replace(']', ')')).append("] ");
        sb.append(kind);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            sb.append(' ').append(keyValues[i]).append('=').append(quote(Fake.render(keyValues[i + 1])));
        }
        OUT.println(sb);
    }

    private static volatile String sProcessTag;

    /** "" in the main process, ":push/" in the push process: the threads of each process stay apart. */
    private static String processTag() {
        String tag = sProcessTag;
        if (tag == null) {
            String name = android.os.Process.myProcessName();
            int colon = name.indexOf(':');
            tag = colon < 0 ? "" : name.substring(colon) + "/";
            sProcessTag = tag;
        }
        return tag;
    }

    /** Quote {@code s} as a JSON string when it would not survive as a bare token. */
    public static String quote(String s) {
        boolean plain = !s.isEmpty();
        for (int i = 0; plain && i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\\' || c == '=' || c < 0x20) {
                plain = false;
            }
        }
        if (plain) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
