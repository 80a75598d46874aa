package android.os;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fake {@code android.os.Process}: the process name is argv[0] as the zygote set it (Android's
 * "nice name"), read from /proc/self/cmdline; a JVM started directly (argv[0] is the java binary)
 * falls back to {@code -Dstandin.process}, then to the package name.
 */
public final class Process {
    private Process() {}

    private static volatile String sName;

    public static int myPid() {
        return (int) ProcessHandle.current().pid();
    }

    /** The current process's name, e.g. {@code com.example.demoapp} or {@code com.example.demoapp:push}. */
    public static String myProcessName() {
        String name = sName;
        if (name == null) {
            name = readNiceName();
            sName = name;
        }
        return name;
    }

    private static String readNiceName() {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            int end = 0;
            while (end < cmdline.length && cmdline[end] != 0) {
                end++;
            }
            String argv0 = new String(cmdline, 0, end, StandardCharsets.UTF_8);
            if (!argv0.isEmpty() && !argv0.contains("/")) {
                return argv0;
            }
        } catch (Exception e) {
            // not Linux: fall through
        }
        String prop = System.getProperty("standin.process");
        return prop != null && !prop.isEmpty() ? prop : System.getProperty("standin.package", "com.example.demoapp");
    }
}
