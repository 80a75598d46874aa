"""The Frida host: spawn (or attach to) the app, load the agent, turn its messages into timeline events.

Frida delivers messages on its own thread; the host only queues them there. One owner thread
parses them into :mod:`policies.models` events, attributes each call to its caller and party,
and hands batches to ``on_events`` — so callers never see Frida's thread.

>>> host = HookHost(target=["/usr/bin/java", "-cp", "app.jar", "Main"],
...                 on_events=print, on_error=print)          # doctest: +SKIP
>>> pid = host.start(); host.wait(10); host.stop()           # doctest: +SKIP
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import frida
from pydantic import ValidationError

from piaudit.hooks.build import agent_source
from piaudit.hooks.hooklist import agent_hooks
from piaudit.hooks.processes import PendingProcess, child_process, decide, spawn_process
from piaudit.policies.attribution import Attributor, PackageCatalog
from piaudit.policies.consent import MAX_BUTTON_TEXT, ConsentWords, default_consent_words, match_consent_word
from piaudit.policies.models import (
    ApiRef,
    ErrorRecord,
    HookEvent,
    HookStatus,
    LifecycleEvent,
    TimelineItem,
    parse_event,
)
from piaudit.policies.vocab import DATA_TYPES

_STOP = object()
MAX_STACK_FRAMES = 64
# Frames of the stack capture itself (Thread.getStackTrace on HotSpot, VMStack on ART).
_CAPTURE_FRAME = re.compile(r"^(?:java\.lang\.Thread\.getStackTrace|dalvik\.system\.VMStack\.getThreadStackTrace)\(")
# "java.base/java.lang.Thread.run(Thread.java:833)", "app//com.foo.Bar.baz(Bar.java:3)": the loader/module prefix.
_FRAME_PREFIX = re.compile(r"^[^(]*/")
_REMOTE = re.compile(r"^(?:[\w.-]+|\[[0-9a-fA-F:]+\]):\d+$")
_MAC = re.compile(r"^[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}$")


class HookHostError(RuntimeError):
    """The host could not start: the message says what to fix (device, target, agent build)."""


@dataclass
class HookStats:
    """What the agent installed and sent, as the host saw it."""

    installed: int = 0
    failed: int = 0
    pending: int = 0  # hook statuses that said "pending" (the class was not loadable yet)
    overloads: int = 0
    events: int = 0
    batches: int = 0
    failures: list[HookStatus] = field(default_factory=list)


def resolve_device(spec: str, timeout: float = 5.0) -> frida.core.Device:
    """A Frida device from ``"local"``, ``"usb"``, a device id, or ``"HOST:PORT"`` (remote frida-server).

    ``timeout`` is how long to wait for a USB device or a device id to appear.
    """
    try:
        if spec == "local":
            return frida.get_local_device()
        if spec == "usb":
            return frida.get_usb_device(timeout=timeout)
        if any(device.id == spec for device in frida.enumerate_devices()):
            return frida.get_device(spec, timeout=timeout)
        if _REMOTE.match(spec):
            return frida.get_device_manager().add_remote_device(spec)
        return frida.get_device(spec, timeout=timeout)
    except (frida.InvalidArgumentError, frida.TimedOutError) as error:
        raise HookHostError(
            f"no Frida device {spec!r} ({error}): connect the device with adb and start frida-server on it,"
            " or pass 'local', 'usb', a device id from `frida-ls-devices`, or HOST:PORT of a frida-server"
        ) from None
    except (frida.ServerNotRunningError, frida.TransportError) as error:
        raise HookHostError(f"cannot reach frida-server on {spec!r} ({error}): start it on the device") from None


def validate_canary(canary: dict[str, str]) -> dict[str, str]:
    """Check canary values: vocabulary data types, non-empty text, MACs as aa:bb:.., location as 'lat,lon'."""
    for data_type, value in canary.items():
        if data_type not in DATA_TYPES:
            raise ValueError(f"canary data type {data_type!r} is not in the vocabulary ({', '.join(DATA_TYPES)})")
        if not isinstance(value, str) or not value:
            raise ValueError(f"canary value for {data_type} must be a non-empty string")
        if data_type in ("mac", "bluetooth_mac") and not _MAC.match(value):
            raise ValueError(f"canary {data_type} {value!r} must look like 02:11:22:33:44:55")
        if data_type == "location":
            parts = value.split(",")
            try:
                if len(parts) != 2:
                    raise ValueError
                float(parts[0]), float(parts[1])
            except ValueError:
                raise ValueError(f"canary location {value!r} must be 'latitude,longitude', e.g. '39.9042,116.4074'") from None
    return dict(canary)


def parse_java_stack(text: str, max_frames: int = MAX_STACK_FRAMES) -> list[str]:
    """Split the agent's ``Arrays.toString(StackTraceElement[])`` text into ``class.method(file:line)`` frames.

    Innermost first; the capture's own frames and module/loader prefixes are dropped, and a hooked
    method that appears once per hook layer (``X.m(Native Method)`` repeated) is kept once.

    >>> parse_java_stack("[java.base/java.lang.Thread.getStackTrace(Thread.java:1619), a.B.c(Native Method), "
    ...                  "a.B.c(Native Method), app//com.x.Y.z(Y.java:3)]")
    ['a.B.c(Native Method)', 'com.x.Y.z(Y.java:3)']
    """
    body = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if not body:
        return []
    frames: list[str] = []
    for raw in body.split(", "):
        frame = _FRAME_PREFIX.sub("", raw)
        if not frames and _CAPTURE_FRAME.match(frame):
            continue
        if frames and frame == frames[-1] and frame.endswith("(Native Method)"):
            continue
        frames.append(frame)
        if len(frames) >= max_frames:
            break
    return frames


def _absolute_program(argv: Sequence[str]) -> list[str]:
    """Frida spawns by absolute path (it does not search PATH): resolve argv[0]."""
    program = argv[0]
    if not os.path.isabs(program):
        found = shutil.which(program)
        if found is None:
            raise HookHostError(f"program {program!r} not found on PATH: give its absolute path")
        program = found
    return [os.path.realpath(program), *argv[1:]]


class _Instrumented:
    """One instrumented process: its Frida session and agent script, and its message parser."""

    def __init__(self, pid: int, name: str, origin: str, messages: AgentMessages) -> None:
        self.pid, self.name, self.origin, self.messages = pid, name, origin, messages
        self.session: frida.core.Session | None = None
        self.script: frida.core.Script | None = None
        self.detached = threading.Event()


class HookHost:
    """Run the Frida agent in every process of one app and deliver its events as parsed, attributed models.

    ``device``: ``"local"``, ``"usb"``, a device id or ``"HOST:PORT"`` of a remote frida-server.
    ``target``: an app package (spawned, or attached to with ``attach=True``; a pid also works
    for attach) or an argv to spawn locally (the stand-in JVM). Spawning is the default because
    the start-up is exactly the pre-consent window.
    ``package``: the app's package; every process named ``package`` or ``package:*`` is followed
    (default: ``target`` when it is a package name). On a device the processes the system starts
    later arrive through Frida's spawn gating; processes an app forks or execs arrive through
    child gating; each is hooked before it runs, and all events share one timeline and name their
    ``process``. ``launcher``: the argv ``target`` is not the app but a launcher that starts the
    app's processes (the stand-in's zygote): it is child-gated, not instrumented.
    ``unpin`` / ``canary``: change what the app sees (certificate pinning bypassed; identifier
    getters return the given values); record them in the session.
    ``agree_words`` / ``refuse_words``: button texts that count as consent (default: the core's,
    :func:`policies.consent.default_consent_words`; `piaudit run` passes the policy's).
    ``catalog``: names the SDK (party) of each call.
    ``on_events``: batches of :mod:`policies.models` events, called on one owner thread.
    ``on_error``: :class:`ErrorRecord` for agent errors, hooks that failed mid-call, exits, crashes.
    ``on_identifier``: ``(data_type, value)`` once per distinct identifier a hook returned.
    """

    def __init__(
        self,
        *,
        device: str = "local",
        target: str | list[str],
        attach: bool = False,
        package: str | None = None,
        launcher: bool = False,
        follow_children: bool = True,
        unpin: bool = False,
        canary: dict[str, str] | None = None,
        agree_words: list[str] | None = None,
        refuse_words: list[str] | None = None,
        catalog: PackageCatalog | None = None,
        on_events: Callable[[list[TimelineItem]], None],
        on_error: Callable[[ErrorRecord], None],
        on_identifier: Callable[[str, str], None] | None = None,
        on_output: Callable[[int, bytes], None] | None = None,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        batch_interval_ms: int = 50,
        batch_max_events: int = 200,
        runtime: str = "qjs",
        device_timeout: float = 5.0,
    ) -> None:
        """Configure the host; nothing runs until :meth:`start`. ``on_output`` receives the spawned
        process's stdout/stderr (fd, bytes) on the owner thread; without it they are inherited."""
        if isinstance(target, list) and attach:
            raise ValueError("attach needs a package name or pid, not an argv")
        if isinstance(target, list) and not target:
            raise ValueError("target argv is empty")
        if launcher and (not isinstance(target, list) or not package):
            raise ValueError("a launcher is an argv to spawn locally, and needs the app's package")
        self._device_spec = device
        self._target = target
        self._attach = attach
        self._package = package or (target if isinstance(target, str) and not target.isdigit() else None)
        self._launcher = launcher
        self._follow_children = follow_children
        self._unpin = unpin
        self._canary = validate_canary(canary or {})
        defaults = default_consent_words()
        self._agree_words = list(agree_words) if agree_words is not None else list(defaults.agree)
        self._refuse_words = list(refuse_words) if refuse_words is not None else list(defaults.refuse)
        self._on_output = on_output
        self._env = env
        self._cwd = cwd
        self._batch_interval_ms = batch_interval_ms
        self._batch_max_events = batch_max_events
        self._runtime = runtime
        self._device_timeout = device_timeout
        self._catalog = catalog
        self._on_events = on_events
        self._on_error = on_error
        self._on_identifier = on_identifier
        self._seen_identifiers: set[tuple[str, str]] = set()

        self._consent_words = ConsentWords(agree=self._agree_words, refuse=self._refuse_words)
        self.pid: int | None = None  # the process the host spawned or attached to (the app, or the launcher)
        self._source: str | None = None
        self._device: frida.core.Device | None = None
        self._processes: dict[int, _Instrumented] = {}
        self._gated: dict[int, frida.core.Session] = {}  # launcher processes: child gating only
        self._main: _Instrumented | None = None
        self._lock = threading.RLock()
        self._spawned = False
        self._spawn_gating = False
        self._queue: queue.Queue[Any] = queue.Queue()
        self._owner: threading.Thread | None = None
        self._detached = threading.Event()  # the main process's session ended (Frida's thread)
        self._exited = threading.Event()  # the owner thread has dispatched everything up to the main exit
        self._stopping = False
        self._stopped = False
        # Frida's off() finds a handler by identity: keep the bound methods we register
        self._child_added = self._on_child_added
        self._spawn_added = self._on_spawn_added
        self._output = self._on_frida_output

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> int:
        """Spawn or attach, load the agent and install every hook, resume; return the pid."""
        if self._owner is not None:
            raise RuntimeError("HookHost.start() was already called")
        try:
            self._source = agent_source()
        except Exception as error:  # AgentBuildError and npm/compiler failures
            raise HookHostError(f"cannot build the Frida agent: {error}") from error
        self._device = resolve_device(self._device_spec, self._device_timeout)
        self._owner = threading.Thread(target=self._run, name="piaudit-hooks", daemon=True)
        self._owner.start()
        try:
            self._device.on("child-added", self._child_added)
            if not self._attach and not isinstance(self._target, list) and self._device.type != "local":
                self._enable_spawn_gating()
            self.pid = self._spawn_or_find()
            if self._launcher:
                self._gate(self.pid)
            else:
                name = self._package or (self._target if isinstance(self._target, str) else os.path.basename(self._target[0]))
                self._main = self._instrument(self.pid, name, "attach" if self._attach else "spawn")
                if self._spawned:
                    self._device.resume(self.pid)
        except Exception as error:
            self._abort_start()
            if isinstance(error, HookHostError):
                raise
            raise HookHostError(f"could not instrument {self._describe_target()}: {error}") from error
        return self.pid

    def stop(self) -> None:
        """End the audit: flush every process, kill what was spawned or gated, wait, then detach.

        Processes are killed first (SIGKILL) and only then detached: unloading the agent while
        hooked methods run hard crashes or deadlocks a JVM. An attached process is left running
        and only detached.
        """
        if self._stopped:
            return
        self._stopping = True
        processes = self._all_processes()
        live = [p for p in processes if p.script is not None and not p.detached.is_set()]
        for process in live:
            # A posted message, not an RPC: a pending RPC under hook load delays everything after it.
            _ignore_errors(lambda process=process: process.script.post({"type": "flush"}))
        if live:
            time.sleep(2 * self._batch_interval_ms / 1000)
        if not self._attach:
            for process in processes:
                if not process.detached.is_set():
                    self._kill(process.pid)
            for pid in list(self._gated):
                self._kill(pid)
            for process in processes:
                process.detached.wait(5)
        for process in processes:
            if process.session is not None:
                _ignore_errors(process.session.detach)
        for session in list(self._gated.values()):
            _ignore_errors(session.detach)
        for process in processes:
            process.detached.wait(2)
        if self._spawn_gating:
            _ignore_errors(self._device.disable_spawn_gating)
        if self._device is not None:
            _ignore_errors(lambda: self._device.off("child-added", self._child_added))
            if self._spawn_gating:
                _ignore_errors(lambda: self._device.off("spawn-added", self._spawn_added))
        self._finish_owner()
        self._stopped = True

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until the app's main process exits (or ``timeout``); its exit status if the agent saw exit()."""
        self._exited.wait(timeout)
        return self._main.messages.exit_status if self._main is not None else None

    @property
    def stats(self) -> HookStats:
        """Hooks installed / failed and events received so far, over every process."""
        total = HookStats()
        for process in self._all_processes():
            s = process.messages.stats
            total.installed += s.installed
            total.failed += s.failed
            total.pending += s.pending
            total.overloads += s.overloads
            total.events += s.events
            total.batches += s.batches
            total.failures += s.failures
        return total

    @property
    def processes(self) -> list[dict[str, Any]]:
        """Every instrumented process: pid, name, how it was found, whether it still runs."""
        return [
            {"pid": p.pid, "name": p.name, "origin": p.origin, "running": not p.detached.is_set()} for p in self._all_processes()
        ]

    @property
    def running(self) -> bool:
        """True while the main process is instrumented."""
        return self._owner is not None and not self._detached.is_set()

    def agent_stats(self, pid: int | None = None) -> dict[str, Any]:
        """An agent's own counters (hooks installed, calls seen, events sent, unpinning bypasses); the main process's by default."""
        process = self._processes.get(pid) if pid is not None else self._main
        if process is None or process.script is None or process.detached.is_set():
            return {}
        return process.script.exports_sync.stats()

    def synthesize(self, count: int) -> int:
        """Benchmark helper: make the main agent emit ``count`` synthetic hook events through its batcher."""
        assert self._main is not None and self._main.script is not None
        return self._main.script.exports_sync.synthesize(count)

    # ------------------------------------------------------------------ processes

    def _all_processes(self) -> list[_Instrumented]:
        with self._lock:
            return list(self._processes.values())

    def _enable_spawn_gating(self) -> None:
        """Android: the zygote's spawns (the app's other processes) are held until the host decides."""
        try:
            self._device.on("spawn-added", self._spawn_added)
            self._device.enable_spawn_gating()
            self._spawn_gating = True
        except frida.NotSupportedError as error:
            self._report_host(f"spawn gating is not available on {self._device.name} ({error}): processes the system starts later are not followed")

    def _messages_for(self, pid: int, name: str) -> AgentMessages:
        return AgentMessages(
            catalog=self._catalog,
            consent_words=self._consent_words,
            on_events=self._on_events,
            on_error=self._on_error,
            on_identifier=self._dispatch_identifier if self._on_identifier is not None else None,
            process=name,
            pid=pid,
        )

    def _dispatch_identifier(self, data_type: str, value: str) -> None:
        key = (data_type, value)
        if key not in self._seen_identifiers and self._on_identifier is not None:
            self._seen_identifiers.add(key)
            self._on_identifier(data_type, value)

    def _instrument(self, pid: int, name: str, origin: str) -> _Instrumented:
        """Attach, load the agent, install every hook (the process is still suspended); no resume."""
        process = _Instrumented(pid, name, origin, self._messages_for(pid, name))
        with self._lock:
            self._processes[pid] = process
            if self._main is None and (not self._package or name == self._package):
                self._main = process
        session = self._device.attach(pid)
        process.session = session
        session.on("detached", lambda reason, crash: self._on_detached(pid, reason, crash))
        if self._follow_children and not self._attach:
            try:
                session.enable_child_gating()
            except frida.NotSupportedError:
                pass
        script = session.create_script(self._source, name="piaudit-agent", runtime=self._runtime)
        script.on("message", lambda message, data: self._on_message(pid, message, data))
        process.script = script
        script.load()
        script.exports_sync.init(self._agent_config(name))
        return process

    def _gate(self, pid: int) -> None:
        """Hold a launcher's children (child gating) without instrumenting the launcher; resume it."""
        session = self._device.attach(pid)
        self._gated[pid] = session
        session.enable_child_gating()
        self._device.resume(pid)

    def _handle_pending(self, pending: PendingProcess, parent_kind: str | None) -> None:
        """Instrument, gate or release one suspended process (runs on its own thread, not Frida's)."""
        decision = decide(pending, self._package, parent_kind=parent_kind)
        name = pending.name
        if decision == "instrument" and pending.origin == "fork" and parent_kind == "app":
            name = self._processes[pending.parent_pid].name if pending.parent_pid in self._processes else name
        try:
            if self._stopping:
                decision = "resume"
            if decision == "instrument":
                self._instrument(pending.pid, name, pending.origin)
            elif decision == "gate":
                session = self._device.attach(pending.pid)
                self._gated[pending.pid] = session
                session.enable_child_gating()
        except Exception as error:
            # never silence: the process runs unhooked, and the session says so
            self._queue.put(("unhooked", pending.pid, name, time.time(), f"{type(error).__name__}: {error}"))
        finally:
            _ignore_errors(lambda: self._device.resume(pending.pid))

    # ------------------------------------------------------------------ start helpers

    def _describe_target(self) -> str:
        return " ".join(self._target) if isinstance(self._target, list) else str(self._target)

    def _spawn_or_find(self) -> int:
        device = self._device
        if isinstance(self._target, list):
            if device.type != "local":
                raise HookHostError("an argv target can only be spawned on the local device")
            argv = _absolute_program(self._target)
            options: dict[str, Any] = {"stdio": "pipe" if self._on_output is not None else "inherit"}
            if self._env is not None:
                options["env"] = self._env
            if self._cwd is not None:
                options["cwd"] = self._cwd
            if self._on_output is not None:
                device.on("output", self._output)
            pid = device.spawn(argv, **options)
            self._spawned = True
            return pid
        if not self._attach:
            try:
                pid = device.spawn(self._target)
            except frida.ExecutableNotFoundError:
                raise HookHostError(f"app {self._target!r} is not installed on {device.name}") from None
            self._spawned = True
            return pid
        if self._target.isdigit():
            return int(self._target)
        try:
            return device.get_process(self._target).pid
        except frida.ProcessNotFoundError:
            raise HookHostError(f"no running process {self._target!r} on {device.name}: start the app first") from None

    def _agent_config(self, process_name: str = "") -> dict[str, Any]:
        return {
            **agent_hooks(unpin=self._unpin),
            "unpin": self._unpin,
            "canary": self._canary,
            "agreeWords": self._agree_words,
            "refuseWords": self._refuse_words,
            "consentMaxLength": MAX_BUTTON_TEXT,
            "batchIntervalMs": self._batch_interval_ms,
            "batchMaxEvents": self._batch_max_events,
            "attached": self._attach,
            "processName": process_name,
            "appPackage": self._package or "",
        }

    def _abort_start(self) -> None:
        self._stopping = True
        if self._device is not None:
            _ignore_errors(lambda: self._device.off("child-added", self._child_added))
        if self._spawned and self.pid is not None:
            self._kill(self.pid)
        for process in self._all_processes():
            if process.pid != self.pid:
                self._kill(process.pid)
            if process.session is not None:
                _ignore_errors(process.session.detach)
        for session in list(self._gated.values()):
            _ignore_errors(session.detach)
        self._finish_owner()
        self._stopped = True

    def _finish_owner(self) -> None:
        if self._owner is not None and self._owner.is_alive():
            self._queue.put(_STOP)
            self._owner.join(10)
        if self._on_output is not None and self._device is not None:
            try:
                self._device.off("output", self._output)
            except ValueError:
                pass
        self._exited.set()

    def _kill(self, pid: int) -> None:
        """SIGKILL a process: directly when local (instant even under hook load), else via Frida."""
        if self._device.type == "local":
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            _wait_gone(pid, 5.0)  # Frida may see it go (its socket closes) before the kernel has ended it
            return
        worker = threading.Thread(target=lambda: _ignore_errors(lambda: self._device.kill(pid)), daemon=True)
        worker.start()
        worker.join(10)

    def _report_host(self, message: str, detail: str = "") -> None:
        self._on_error(ErrorRecord(time=time.time(), source="hooks", message=message, detail=detail))

    # ------------------------------------------------------------------ Frida's thread: queue only

    def _on_message(self, pid: int, message: dict[str, Any], data: bytes | None) -> None:
        received = time.time()
        if message.get("type") == "send" and isinstance(message.get("payload"), dict):
            payload = message["payload"]
            process = self._processes.get(pid)
            if payload.get("type") == "process:exit" and process is not None and process.script is not None:
                # The exiting thread waits for this ack, so its last batch is not lost.
                process.script.post({"type": "exit:ack"})
            self._queue.put(("message", pid, received, payload))
        else:
            self._queue.put(("error", pid, received, message))

    def _on_detached(self, pid: int, reason: str, crash: Any) -> None:
        self._queue.put(("detached", pid, time.time(), reason, crash))
        process = self._processes.get(pid)
        if process is not None:
            process.detached.set()
            if process is self._main:
                self._detached.set()

    def _on_child_added(self, child: Any) -> None:
        if self._stopping:
            return  # a later host on the same device owns what happens now
        parent = child.parent_pid
        parent_kind = "app" if parent in self._processes else "launcher" if parent in self._gated else None
        if child.origin == "exec" and child.pid in self._gated:
            parent_kind = "launcher"  # a gated fork of the launcher now runs a new program
        pending = child_process(child)
        threading.Thread(target=self._handle_pending, args=(pending, parent_kind), name="piaudit-gate", daemon=True).start()

    def _on_spawn_added(self, spawn: Any) -> None:
        if self._stopping:
            return
        threading.Thread(target=self._handle_pending, args=(spawn_process(spawn), None), name="piaudit-gate", daemon=True).start()

    def _on_frida_output(self, pid: int, fd: int, data: bytes) -> None:
        if pid == self.pid:
            self._queue.put(("output", fd, data))

    # ------------------------------------------------------------------ the owner thread

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                self._handle(item)
            except Exception as error:  # a bug here must not kill the owner thread or lose later events
                self._report_host(f"the hook host failed to handle a {item[0]} message", repr(error))

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "output":
            if self._on_output is not None:
                self._on_output(item[1], item[2])
            return
        if kind == "unhooked":
            _, pid, name, when, error = item
            self._on_error(ErrorRecord(time=when, source="hooks", message=f"process {name} (pid {pid}) could not be hooked: it ran without hooks", detail=error))
            status = HookStatus(time=when, api=ApiRef(class_name="process", method=name), installed=False, state="failed", error=error, process=name, pid=pid)
            self._on_events([status])
            return
        process = self._processes.get(item[1])
        if process is None:
            return
        if kind == "message":
            process.messages.handle_payload(item[2], item[3])
        elif kind == "error":
            process.messages.handle_script_error(item[2], item[3])
        elif kind == "detached":
            process.messages.handle_detached(item[2], item[3], item[4], stopping=self._stopping)
            if process is self._main:
                self._exited.set()


class AgentMessages:
    """Turns the agent's messages into timeline models: parse, timestamp, attribute, dispatch.

    Pure of Frida and threads: the host's owner thread calls it; tests call it directly.
    """

    def __init__(
        self,
        *,
        catalog: PackageCatalog | None,
        on_events: Callable[[list[TimelineItem]], None],
        on_error: Callable[[ErrorRecord], None],
        on_identifier: Callable[[str, str], None] | None = None,
        consent_words: ConsentWords | None = None,
        process: str = "",
        pid: int | None = None,
    ) -> None:
        """Deliver parsed batches to ``on_events``, problems to ``on_error``, new identifiers to ``on_identifier``.

        ``consent_words`` decide what a clicked button's text means (default: the core's).
        ``process`` / ``pid``: the process these messages come from; every event carries them.
        """
        self.process, self.pid = process, pid
        self._pending_hooks: dict[tuple[str, str], HookStatus] = {}
        self._attributor = Attributor(catalog)
        self._consent_words = consent_words or default_consent_words()
        self._on_events = on_events
        self._on_error = on_error
        self._on_identifier = on_identifier
        self.stats = HookStats()
        self.exit_status: int | None = None
        self._exit_reported = False
        self._clock_offset: float | None = None
        self._seen_identifiers: set[tuple[str, str]] = set()
        self._stacks: dict[int, list[str]] = {}  # the agent sends each distinct stack once, then its id

    def handle_payload(self, received: float, payload: dict[str, Any]) -> None:
        """One ``send()`` payload of the agent, received at host time ``received``."""
        kind = payload.get("type")
        if kind == "batch":
            self._handle_batch(received, payload)
        elif kind == "agent:error":
            self.report(received, "agent", str(payload.get("message", "agent error")), str(payload.get("detail", "")))
        elif kind == "process:exit":
            status = payload.get("status", 0)
            self.exit_status = status if isinstance(status, int) and not isinstance(status, bool) else None
            if self.exit_status is None:
                self.report(received, "agent", f"process:exit with a status that is not an integer: {status!r}"[:500])
            self._emit_exit(received, f"exit({status!r})")
        else:
            self.report(received, "agent", f"unknown agent message type {kind!r}", repr(payload)[:2000])

    def handle_script_error(self, received: float, message: dict[str, Any]) -> None:
        """An uncaught error in the agent (Frida message type ``error``)."""
        detail = message.get("stack") or f"{message.get('fileName', '?')}:{message.get('lineNumber', '?')}"
        self.report(received, "agent", f"agent error: {message.get('description', message)}", str(detail))

    def handle_detached(self, when: float, reason: str, crash: Any, *, stopping: bool) -> None:
        """The Frida session ended. The app's exit (or our stop) is a lifecycle event; a crash or a lost
        device is also an error of the audit, which can no longer see the app."""
        self._report_never_loaded(when)
        if crash is not None:
            summary = getattr(crash, "summary", None) or str(crash)
            self._emit_exit(when, f"crash: {summary}")
            who = f"the app's process {self.process}" if self.process else "the app"
            self.report(when, "hooks", f"{who} crashed: {summary}", str(getattr(crash, "report", "")))
        elif reason == "process-terminated":
            if stopping:
                self._emit_exit(when, "killed at the end of the audit")
            elif self.exit_status is None:  # gone without exit(): killed, or the device lost; the hooks lost it
                self._emit_exit(when, "exited without calling exit() (killed from outside?)")
                self.report(when, "hooks", f"{self._who()} ended without calling exit() (killed?); hooks no longer record", reason)
            # else: exit(n) was seen and is its lifecycle event; a normal exit is not an error of the audit
        elif reason != "application-requested" or not stopping:
            where = f" of the app's process {self.process}" if self.process else ""
            self.report(when, "hooks", f"the hook session{where} ended ({reason}); hooks no longer record", reason)

    def host_time(self, device_time: float | None, received: float) -> float:
        """A device timestamp on the host clock (shifted by the measured offset, never after receipt)."""
        if device_time is None or self._clock_offset is None:
            return received
        return min(device_time + self._clock_offset, received)

    def report(self, when: float, source: str, message: str, detail: str = "") -> None:
        """Send one :class:`ErrorRecord` to ``on_error``."""
        self._on_error(ErrorRecord(time=when, source=source, message=message, detail=detail))

    def _handle_batch(self, received: float, payload: dict[str, Any]) -> None:
        sent_at = payload.get("sent_at")
        if isinstance(sent_at, (int, float)):
            offset = received - sent_at
            # The smallest offset seen is the one with the least transport delay.
            self._clock_offset = offset if self._clock_offset is None else min(self._clock_offset, offset)
        events: list[TimelineItem] = []
        raws = payload.get("events", [])
        if not isinstance(raws, list):
            self.report(received, "agent", "the agent sent a batch whose events are not a list", repr(payload)[:2000])
            raws = []
        for raw in raws:
            try:  # one malformed event must not cost the rest of the batch
                event = self._parse(received, raw)
            except Exception as error:
                self.report(received, "agent", f"the agent sent an event piaudit could not read: {error!r}", repr(raw)[:2000])
                continue
            if event is not None:
                events.append(event)
        self.stats.batches += 1
        self.stats.events += len(events)
        if self._on_identifier is not None:
            for event in events:
                if isinstance(event, HookEvent):
                    self._dispatch_identifiers(event)
        if events:
            self._on_events(events)

    def _parse(self, received: float, raw: Any) -> TimelineItem | None:
        if not isinstance(raw, dict):
            self.report(received, "agent", "the agent sent an event that is not an object", repr(raw)[:2000])
            return None
        data = dict(raw)
        device_time = data.pop("_device_time", None)
        if device_time is None:
            device_time = data.get("device_time")
        overloads = data.pop("_overloads", None)
        party_class = data.pop("_party_class", None)
        click = data.pop("_click", None)
        stack_text = data.pop("_stack", None)
        stack_id = data.pop("_stack_id", None)
        if isinstance(stack_text, str):
            frames = parse_java_stack(stack_text)
            if stack_id is not None:
                self._stacks[stack_id] = frames
            data["stack"] = list(frames)
        elif stack_id is not None:
            data["stack"] = list(self._stacks.get(stack_id, ["<stack not received>"]))
        data["time"] = self.host_time(device_time, received)
        if not data.get("process"):
            data["process"] = self.process
        if data.get("pid") is None:
            data["pid"] = self.pid
        kind = data.get("type")
        if kind in ("hook:call", "permission:request") and isinstance(data.get("stack"), list):
            api = data.get("api")
            api_class = api.get("class_name", "") if isinstance(api, dict) else ""
            data["caller"], data["party"] = self._attributor.call(data["stack"], api_class, stack_id)
        elif kind == "consent:signal" and party_class is not None:
            data["party"] = self._attributor.party_of(str(party_class))
        elif kind == "consent:signal" and click:  # the agent sends clicks that may be consent; the core decides
            decision = match_consent_word(str(data.get("detail", "")), self._consent_words)
            if decision is None:
                return None
            data["decision"] = decision
        try:
            event = parse_event(data)
        except ValidationError as error:
            self.report(received, "agent", "the agent sent an invalid event", f"{error}\n{repr(raw)[:2000]}")
            return None
        if isinstance(event, HookStatus):
            key = (event.api.class_name, event.api.method)
            state = event.effective_state()
            if state == "installed":
                self.stats.installed += 1
                self.stats.overloads += int(overloads or 0)
                self._pending_hooks.pop(key, None)
            elif state == "pending":
                self.stats.pending += 1
                self._pending_hooks[key] = event
            else:
                self.stats.failed += 1
                self.stats.failures.append(event)
                self._pending_hooks.pop(key, None)
        return event

    def _dispatch_identifiers(self, event: HookEvent) -> None:
        for data_type, values in event.identifiers.items():
            for value in values:
                key = (data_type, value)
                if key not in self._seen_identifiers:
                    self._seen_identifiers.add(key)
                    self._on_identifier(data_type, value)

    def _who(self) -> str:
        return f"the app's process {self.process}" if self.process else "the app's process"

    def _report_never_loaded(self, when: float) -> None:
        if not self._pending_hooks:
            return
        never = [
            status.model_copy(
                update={"time": when, "state": "never_loaded", "error": "the class was never loaded in this process", "id": None}
            )
            for status in self._pending_hooks.values()
        ]
        self._pending_hooks.clear()
        self._on_events(list(never))

    def _emit_exit(self, when: float, detail: str) -> None:
        if self._exit_reported:
            return
        self._exit_reported = True
        self._on_events([LifecycleEvent(time=when, state="process_exit", detail=detail, process=self.process, pid=self.pid)])


def _wait_gone(pid: int, timeout: float) -> None:
    """Until the local process ``pid`` has ended (gone or a zombie), at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except (OSError, IndexError):
            return
        time.sleep(0.01)


def _ignore_errors(function: Callable[[], Any]) -> None:
    try:
        function()
    except Exception:
        pass
