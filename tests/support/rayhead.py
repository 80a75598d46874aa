"""A small local Ray head on 127.0.0.1 for the --cluster tests: started by the test, ended by pid.

`ray start --head --block` runs in its own session; at the end it gets SIGTERM (it stops the
processes it started) and anything of that session still alive is killed by pid. `ray stop`
is never used: it would end every Ray process on the machine, not only ours.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _session_pids(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid:  # field 6 of /proc/PID/stat: the session id
            pids.append(int(entry))
    return pids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def ray_head(resources: dict[str, float], timeout: float = 90.0) -> Iterator[str]:
    """Start a one-node Ray cluster (1 CPU, small object store, no dashboard); yields its address."""
    import json

    temp = tempfile.mkdtemp(prefix="pray")  # short: Ray's socket paths must fit 107 bytes
    port = _free_port()
    ray = str(Path(sys.executable).parent / "ray")
    argv = [
        ray, "start", "--head", "--block", "--port", str(port), "--node-ip-address", "127.0.0.1",
        "--num-cpus", "2", "--include-dashboard", "false", "--object-store-memory", str(80 * 1024 * 1024),
        "--temp-dir", temp, "--resources", json.dumps(resources), "--disable-usage-stats",
    ]  # fmt: skip
    log = open(Path(temp) / "head.log", "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while b"Ray runtime started" not in (Path(temp) / "head.log").read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Ray head did not start:\n" + (Path(temp) / "head.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield address
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pid in _session_pids(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
        shutil.rmtree(temp, ignore_errors=True)
