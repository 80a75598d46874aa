"""Tests of the Frida agent and host; helpers shared by them live here.

Frida unpacks about 10 MB under ``$TMPDIR`` on first use and starts a helper (``idund``) from
there that outlives the test process: each test module gives Frida its own TMPDIR and, at the
end, ends the processes started from it (by pid) and removes it.
"""

from __future__ import annotations

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


@contextmanager
def frida_tmpdir() -> Iterator[str]:
    """Point ``TMPDIR`` at a fresh directory for Frida; afterwards end its helpers by pid and remove it.

    Frida reads TMPDIR once per process: in a later module of the same run the directory stays
    empty, which is harmless.
    """
    directory = tempfile.mkdtemp(prefix="piaudit-frida-")
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        for pid in processes_started_from(directory):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(directory, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
