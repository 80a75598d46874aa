package com.android.internal.standin;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The app side of the stand-in's zygote (hooks/standin/zygote.py): ask it to start a process of
 * the package, as ActivityManagerService asks Android's zygote over its socket. The zygote starts
 * a new JVM whose argv[0] is the process name; the app process never forks it.
 */
public final class Zygote {
    private Zygote() {}

    /** True when a zygote runs (-Dstandin.zygote names its socket). */
    public static boolean available() {
        return System.getProperty("standin.zygote") != null;
    }

    /** Ask the zygote to start {@code processName}; false without a zygote or when it cannot be reached. */
    public static boolean startProcess(String processName) {
        String socket = System.getProperty("standin.zygote");
        if (socket == null) {
            StandinLog.log("INFO", "where", "ActivityManager", "msg", "no zygote: process not started", "process", processName);
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("start " + processName + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer answer = ByteBuffer.allocate(64);
            channel.read(answer);
            String reply = new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8).trim();
            StandinLog.log("PROCESS", "start", processName, "zygote", reply);
            return reply.startsWith("ok");
        } catch (IOException e) {
            StandinLog.log("ERROR", "where", "ActivityManager.startProcess", "error", e.toString());
            return false;
        }
    }
}
