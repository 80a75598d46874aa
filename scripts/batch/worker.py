"""One attempt: audit one app on one device with `piaudit run`, in its own process, and judge how it went.

The same code runs in a thread of the local batch and inside a Ray actor on a lab host: it
needs the device (adb, frida-server or the local JVM) and the campaign directory (a shared
filesystem path on a cluster), nothing else. Each attempt is a separate `piaudit run` process
in its own session group, so a device that hangs or dies takes only its own attempt with it,
and Ctrl-C reaches it only through :meth:`AttemptRunner.interrupt` (a clean stop that flushes
the session).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from piaudit.policies.campaign.plan import DeviceSpec, ResolvedApp
from piaudit.policies.campaign.state import Outcome
from piaudit.policies.campaign.verdict import RunTrace, verdict

log = logging.getLogger("piaudit.batch")
STOP_WAIT = 45.0  # seconds a run gets to flush its session after SIGINT before it is killed
MONKEY_EVENTS = 500


@dataclass
class Job:
    """Everything one attempt needs; plain data (it travels to a Ray actor)."""

    app: ResolvedApp
    device: DeviceSpec
    device_name: str
    port: int
    session_dir: str
    log_path: str
    campaign_dir: str
    grace: float = 60.0
    seed: int = 1


@dataclass
class Result:
    """How an attempt ended."""

    outcome: Outcome
    reason: str
    exit_code: int | None
    seconds: float


def campaign_ca(campaign_dir: Path) -> tuple[Path, Path]:
    """The campaign's own mitmproxy CA (confdir) and a trust store with it, for local stand-ins; made once."""
    confdir = campaign_dir / "mitmproxy"
    confdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    truststore = confdir / "truststore.p12"
    with open(confdir / ".lock", "w") as lock:  # actors on several hosts may share the campaign directory
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not truststore.is_file():
            from mitmproxy import certs

            from piaudit.scripts.demo import load_standin

            certs.CertStore.from_store(str(confdir), "mitmproxy", 2048)
            load_standin().make_truststore(confdir / "mitmproxy-ca-cert.pem", truststore)
    return confdir, truststore


def piaudit_command() -> str:
    """The `piaudit` console script of this Python (beside its interpreter), else the one on PATH."""
    beside = Path(sys.executable).with_name("piaudit")
    found = str(beside) if beside.exists() else shutil.which("piaudit")
    if found is None:
        raise RuntimeError("the piaudit command is not installed beside this Python or on PATH")
    return found


def run_argv(job: Job) -> list[str]:
    """The `piaudit run` command line of an attempt."""
    app, device = job.app, job.device
    argv = [piaudit_command(), "run", "--session", job.session_dir, "--quiet"]
    argv += ["--listen-host", device.listen_host, "--listen-port", str(job.port), "--app", app.package]
    for flag, value in (("--policy", app.policy), ("--identifiers", app.identifiers), ("--catalog", app.catalog), ("--geoip", app.geoip)):
        if value:
            argv += [flag, value]
    if device.local:
        from piaudit.scripts.demo import load_standin

        standin = load_standin()
        confdir, truststore = campaign_ca(Path(job.campaign_dir))
        spawn = standin.standin_command(
            standin.build_standin(),
            proxy=("127.0.0.1", job.port),
            truststore=truststore,
            scenario=app.scenario,
            extra_props={f"standin.{k}" if not k.startswith("standin.") else k: v for k, v in app.standin.items()},
        )
        # the stand-in's SDK hosts are real companies' servers: its fake data never leaves the machine
        argv += ["--spawn", _join(spawn), "--exit-with-app", "--sinkhole", "--confdir", str(confdir)]
    else:
        argv += ["--device", device.serial or device.frida or "usb", "--duration", str(app.duration)]
        if app.sinkhole:
            argv.append("--sinkhole")
    return argv


def _join(argv: list[str]) -> str:
    import shlex

    return shlex.join(argv)


class AttemptRunner:
    """Runs attempts one at a time; :meth:`interrupt` (from any thread) stops the current one cleanly."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._interrupted = False

    def interrupt(self, force: bool = False) -> None:
        """Ctrl-C: SIGINT to the running `piaudit run` (it flushes and closes its session); ``force``: SIGKILL."""
        with self._lock:
            self._interrupted = True
            proc = self._proc
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL if force else signal.SIGINT)
                except ProcessLookupError:
                    pass

    def run(self, job: Job) -> Result:
        """Audit ``job.app`` on ``job.device`` into ``job.session_dir``; never raises for a failed device."""
        started = time.monotonic()
        with self._lock:
            self._interrupted = False
        exit_code: int | None = None
        timed_out = False
        Path(job.log_path).parent.mkdir(parents=True, exist_ok=True)
        Path(job.session_dir).parent.mkdir(parents=True, exist_ok=True)
        with open(job.log_path, "ab") as logfile:
            try:
                self._route_proxy(job)
                argv = run_argv(job)
                logfile.write(("$ " + _join(argv) + "\n").encode())
                logfile.flush()
                with self._lock:
                    if self._interrupted:
                        return Result("interrupted", "stopped by the batch (Ctrl-C)", None, 0.0)
                    # its own session: the terminal's Ctrl-C reaches the batch, which stops the run cleanly
                    self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logfile, stderr=logfile, start_new_session=True)
                exerciser = self._exercise(job, logfile)
                exit_code, timed_out = self._wait(job)
                if exerciser is not None and exerciser.poll() is None:
                    exerciser.kill()
                    exerciser.wait()
            except Exception as e:  # a device that cannot even be prepared is a failed attempt, not a crash of the batch
                logfile.write(f"piaudit batch: {e!r}\n".encode())
                trace = RunTrace(exit_code=None, interrupted=self._interrupted, has_session=False, last_log=str(e)[:300])
                outcome, reason = verdict(trace)
                return Result(outcome, reason, None, time.monotonic() - started)
            finally:
                with self._lock:
                    self._proc = None
                self._unroute_proxy(job)
        trace = read_trace(Path(job.session_dir), exit_code, exit_expected=job.device.local)
        trace.interrupted, trace.timed_out = self._interrupted, timed_out
        trace.last_log = _last_line(Path(job.log_path))
        outcome, reason = verdict(trace)
        return Result(outcome, reason, exit_code, time.monotonic() - started)

    def _wait(self, job: Job) -> tuple[int | None, bool]:
        """Wait for the run; stop a local stand-in at its duration; kill what outlives duration + grace."""
        proc = self._proc
        assert proc is not None
        soft = job.app.duration if job.device.local else job.app.duration + job.grace
        try:
            return _code(proc.wait(timeout=soft)), False
        except subprocess.TimeoutExpired:
            pass
        self._signal(proc, signal.SIGINT)  # its time is up: a clean stop keeps the session complete
        try:
            return _code(proc.wait(timeout=job.grace if job.device.local else STOP_WAIT)), not job.device.local
        except subprocess.TimeoutExpired:
            self._signal(proc, signal.SIGKILL)
            proc.wait()
            return None, True

    @staticmethod
    def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def _route_proxy(self, job: Job) -> None:
        """Point an adb device's traffic at this attempt's proxy port."""
        if not job.device.serial:
            return
        from piaudit.scripts.device.adb import Adb
        from piaudit.scripts.device.proxy import ProxyAddress, route_through_proxy

        route_through_proxy(Adb.locate(serial=job.device.serial), ProxyAddress("127.0.0.1", job.port))

    def _exercise(self, job: Job, logfile: object) -> subprocess.Popen[bytes] | None:
        """``exercise: monkey``: random UI events with a fixed seed once the proxy listens (adb devices)."""
        if not job.device.serial or job.app.exercise != "monkey":
            return None
        if not _wait_listening(job.device.listen_host, job.port, 30.0):
            return None
        adb = shutil.which("adb") or "adb"
        argv = [adb, "-s", job.device.serial, "shell", "monkey", "-p", job.app.package, "-s", str(job.seed), "--throttle", "300", str(MONKEY_EVENTS)]
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logfile, stderr=logfile)  # type: ignore[arg-type]

    def _unroute_proxy(self, job: Job) -> None:
        if not job.device.serial:
            return
        try:
            from piaudit.scripts.device.adb import Adb

            Adb.locate(serial=job.device.serial).shell("settings put global http_proxy :0")
        except Exception as e:
            log.warning("batch: could not clear the proxy setting of %s: %s", job.device.serial, e)


def _code(code: int | None) -> int | None:
    return None if code is None or code < 0 else code


def _wait_listening(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host if host not in ("0.0.0.0", "") else "127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.25)
    return False


def _last_line(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, fh.seek(0, 2) - 4096))
            lines = [line for line in fh.read().decode(errors="replace").splitlines() if line.strip()]
        return lines[-1][:300] if lines else ""
    except OSError:
        return ""


def read_trace(session_dir: Path, exit_code: int | None, *, exit_expected: bool) -> RunTrace:
    """What the session of an attempt says about how it ended (read-only)."""
    meta_path = session_dir / "session.json"
    if not meta_path.is_file():
        return RunTrace(exit_code=exit_code, has_session=False, exit_expected=exit_expected)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    trace = RunTrace(
        exit_code=exit_code,
        complete=bool(meta.get("complete")),
        incomplete_reason=meta.get("incomplete_reason"),
        exit_expected=exit_expected,
    )
    db = session_dir / "evidence.db"
    if db.is_file():
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            trace.app_exits = [d for (d,) in conn.execute("SELECT json_extract(json, '$.detail') FROM lifecycle_events WHERE state = 'process_exit' ORDER BY id")]
            trace.hook_errors = [m for (m,) in conn.execute("SELECT message FROM errors WHERE source = 'hooks' ORDER BY id")]
        finally:
            conn.close()
    return trace


def probe(device: DeviceSpec, timeout: float = 10.0) -> tuple[bool, str]:
    """Is the device still usable? (after a failed attempt): adb state, frida-server reachable, or the local JVM."""
    try:
        if device.local:
            java = shutil.which("java")
            return (java is not None, "" if java else "java is not on PATH")
        if device.serial:
            adb = shutil.which("adb")
            if adb is None:
                return False, "adb is not on PATH"
            proc = subprocess.run([adb, "-s", device.serial, "get-state"], capture_output=True, text=True, timeout=timeout)
            state = proc.stdout.strip()
            return (state == "device", "" if state == "device" else f"adb says {state or proc.stderr.strip() or 'nothing'}")
        from piaudit.hooks.host import resolve_device

        resolve_device(device.frida or "", timeout=timeout).enumerate_processes()
        return True, ""
    except Exception as e:
        return False, f"{type(e).__name__}: {e}"[:300]
