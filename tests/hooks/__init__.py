"""Tests of the Frida agent and host; helpers shared by them live here.

Frida unpacks about 10 MB under ``$TMPDIR`` on first use and starts a helper (``idund``) from
there that outlives the test process: the hook tests give Frida one TMPDIR of their own per test
process and, when it exits, end the processes started from it (by pid) and remove it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def processes_started_from(directory: str) -> list[int]:
    """Pids of processes whose executable (argv[0]) lies under ``directory`` (never this process)."""
    prefix = directory.rstrip("/") + "/"
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0", 1)[0].decode(errors="replace")
        except OSError:
            continue
        if argv0.startswith(prefix):
            pids.append(int(entry))
    return pids


_shared: dict[str, str] = {}


def _cleanup(directory: str) -> None:
    for pid in processes_started_from(directory):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def frida_tmpdir() -> Iterator[str]:
    """Point ``TMPDIR`` at this test process's directory for Frida; at exit end its helpers by pid and remove it.

    Frida reads TMPDIR once per process and keeps using the helper and agent files it unpacked
    there (child gating injects them into every exec'd child): removing the directory after one
    test module broke the next module's child gating. So there is one directory per test process,
    shared by every module, removed (its helpers killed by pid) when the process exits.
    """
    if "directory" not in _shared:
        directory = tempfile.mkdtemp(prefix="piaudit-frida-")
        _shared["directory"] = directory
        os.environ["TMPDIR"] = directory
        atexit.register(_cleanup, directory)
    yield _shared["directory"]


def pid_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
