"""The stand-in's zygote: starts the app's processes the way Android's system does, not the app.

Android's ActivityManagerService asks the zygote (over its socket) to start a process of a package;
the zygote forks, names the child (``com.example.app:push``) and runs the app there. This plays
that part for the stand-in: it starts the main process at once and, on a request over the Unix
socket ``--socket`` (``start NAME``, sent by the app's framework ``Context.startService``), each
other process of the package. Every process is a new JVM started with ``posix_spawn`` whose argv[0]
is the process name (the JVM's ``/proc/self/cmdline`` then names it, as Android's nice name does).

piaudit follows these processes through Frida child gating on this zygote — on a device, spawn
gating on the real zygote does the same. Development code (not installed), standard library only.

    python zygote.py --socket /tmp/z.sock --package com.example.demoapp -- /usr/bin/java -cp ... android.app.ActivityThread

Exits with the main process's status once every process it started has exited.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the stand-in's zygote")
    parser.add_argument("--socket", required=True, help="Unix socket the app's framework asks on")
    parser.add_argument("--package", required=True, help="the package: processes are PACKAGE and PACKAGE:NAME")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- JAVA ARGS...: the JVM command of every process")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the JVM command after --")
    program, jvm_args = command[0], command[1:]
    lock = threading.Lock()
    running: dict[str, int] = {}

    def start(name: str) -> int:
        with lock:
            if name in running:
                return running[name]
            pid = os.posix_spawn(program, [name, *jvm_args], os.environ)
            running[name] = pid
            print(f"{time.time():.3f} [zygote] PROCESS start={name} pid={pid}", flush=True)
            return pid

    try:
        os.unlink(args.socket)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(args.socket)
    server.listen(8)
    server.settimeout(0.05)
    main_pid = start(args.package)
    main_status = None
    try:
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                conn = None
            if conn is not None:
                with conn:
                    conn.settimeout(5)
                    request = conn.recv(512).decode("utf-8", "replace").strip()
                    verb, _, name = request.partition(" ")
                    if verb == "start" and (name == args.package or name.startswith(args.package + ":")):
                        conn.sendall(f"ok {start(name)}\n".encode())
                    else:
                        conn.sendall(b"error: only 'start PACKAGE[:NAME]'\n")
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    pid = 0
                if pid == 0:
                    break
                with lock:
                    for name, child in list(running.items()):
                        if child == pid:
                            del running[name]
                if pid == main_pid:
                    main_status = os.waitstatus_to_exitcode(status)
            with lock:
                if main_status is not None and not running:
                    return main_status if main_status >= 0 else 128 - main_status
    finally:
        server.close()
        try:
            os.unlink(args.socket)
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    sys.exit(main())
