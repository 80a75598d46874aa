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
from piaudit.policies.activity import AUDIT_END_EXIT
from piaudit.policies.attribution import Attributor, PackageCatalog
from piaudit.policies.consent import MAX_BUTTON_TEXT, ConsentWords, default_consent_words, match_consent_word
from piaudit.policies.models import (
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


class HookHost:
    """Run the Frida agent in one app process and deliver its events as parsed, attributed models.

    ``device``: ``"local"``, ``"usb"``, a device id or ``"HOST:PORT"`` of a remote frida-server.
    ``target``: an app package (spawned, or attached to with ``attach=True``; a pid also works
    for attach) or an argv to spawn locally (the stand-in JVM). Spawning is the default because
    the start-up is exactly the pre-consent window.
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
        self._device_spec = device
        self._target = target
        self._attach = attach
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

        self._messages = AgentMessages(
            catalog=catalog,
            consent_words=ConsentWords(agree=self._agree_words, refuse=self._refuse_words),
            on_events=on_events,
            on_error=on_error,
            on_identifier=on_identifier,
        )
        self.pid: int | None = None
        self._device: frida.core.Device | None = None
        self._session: frida.core.Session | None = None
        self._script: frida.core.Script | None = None
        self._spawned = False
        self._queue: queue.Queue[Any] = queue.Queue()
        self._owner: threading.Thread | None = None
        self._detached = threading.Event()  # Frida said the session ended (Frida's thread)
        self._exited = threading.Event()  # the owner thread has dispatched everything up to the exit
        self._stopping = False
        self._stopped = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> int:
        """Spawn or attach, load the agent and install every hook, resume; return the pid."""
        if self._owner is not None:
            raise RuntimeError("HookHost.start() was already called")
        try:
            source = agent_source()
        except Exception as error:  # AgentBuildError and npm/compiler failures
            raise HookHostError(f"cannot build the Frida agent: {error}") from error
        self._device = resolve_device(self._device_spec, self._device_timeout)
        self._owner = threading.Thread(target=self._run, name="piaudit-hooks", daemon=True)
        self._owner.start()
        try:
            self.pid = self._spawn_or_find()
            self._session = self._device.attach(self.pid)
            self._session.on("detached", self._on_detached)
            self._script = self._session.create_script(source, name="piaudit-agent", runtime=self._runtime)
            self._script.on("message", self._on_message)
            self._script.load()
            self._script.exports_sync.init(self._agent_config())
            if self._spawned:
                self._device.resume(self.pid)
        except Exception as error:
            self._abort_start()
            if isinstance(error, HookHostError):
                raise
            raise HookHostError(f"could not instrument {self._describe_target()}: {error}") from error
        return self.pid

    def stop(self) -> None:
        """End the audit of this process: flush, kill a spawned process, wait, then detach.

        A spawned process is killed first (SIGKILL) and only then detached: unloading the agent
        while hooked methods run hard crashes or deadlocks a JVM. An attached process is left
        running and only detached.
        """
        if self._stopped:
            return
        self._stopping = True
        if self._script is not None and not self._detached.is_set():
            # A posted message, not an RPC: a pending RPC under hook load delays everything after it.
            _ignore_errors(lambda: self._script.post({"type": "flush"}))
            time.sleep(2 * self._batch_interval_ms / 1000)
        if self._spawned and self.pid is not None and not self._detached.is_set():
            self._kill_spawned()
            self._detached.wait(5)
        if self._session is not None:
            try:
                self._session.detach()
            except frida.InvalidOperationError:
                pass
        self._detached.wait(2)
        self._finish_owner()
        self._stopped = True

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until the process exits (or ``timeout``); its exit status if the agent saw exit()."""
        self._exited.wait(timeout)
        return self._messages.exit_status

    @property
    def stats(self) -> HookStats:
        """Hooks installed / failed and events received so far."""
        return self._messages.stats

    @property
    def running(self) -> bool:
        """True while the process is instrumented."""
        return self._owner is not None and not self._detached.is_set()

    def agent_stats(self) -> dict[str, Any]:
        """The agent's own counters (hooks installed, calls seen, events sent, unpinning bypasses)."""
        if self._script is None or self._detached.is_set():
            return {}
        return self._script.exports_sync.stats()

    def synthesize(self, count: int) -> int:
        """Benchmark helper: make the agent emit ``count`` synthetic hook events through its batcher."""
        return self._script.exports_sync.synthesize(count)

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
                device.on("output", self._on_frida_output)
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

    def _agent_config(self) -> dict[str, Any]:
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
        }

    def _abort_start(self) -> None:
        self._stopping = True
        if self._spawned and self.pid is not None:
            self._kill_spawned()
        if self._session is not None:
            try:
                self._session.detach()
            except frida.InvalidOperationError:
                pass
        self._finish_owner()
        self._stopped = True

    def _finish_owner(self) -> None:
        if self._owner is not None and self._owner.is_alive():
            self._queue.put(_STOP)
            self._owner.join(10)
        if self._on_output is not None and self._device is not None:
            try:
                self._device.off("output", self._on_frida_output)
            except ValueError:
                pass
        self._exited.set()

    def _kill_spawned(self) -> None:
        """SIGKILL the process we spawned: directly when local (instant even under hook load), else via Frida."""
        if self._device.type == "local":
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return
        worker = threading.Thread(target=lambda: _ignore_errors(lambda: self._device.kill(self.pid)), daemon=True)
        worker.start()
        worker.join(10)

    # ------------------------------------------------------------------ Frida's thread: queue only

    def _on_message(self, message: dict[str, Any], data: bytes | None) -> None:
        received = time.time()
        if message.get("type") == "send" and isinstance(message.get("payload"), dict):
            payload = message["payload"]
            if payload.get("type") == "process:exit" and self._script is not None:
                # The exiting thread waits for this ack, so its last batch is not lost.
                self._script.post({"type": "exit:ack"})
            self._queue.put(("message", received, payload))
        else:
            self._queue.put(("error", received, message))

    def _on_detached(self, reason: str, crash: Any) -> None:
        self._queue.put(("detached", time.time(), reason, crash))
        self._detached.set()

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
                self._messages.report(time.time(), "hooks", f"the hook host failed to handle a {item[0]} message", repr(error))

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "message":
            self._messages.handle_payload(item[1], item[2])
        elif kind == "error":
            self._messages.handle_script_error(item[1], item[2])
        elif kind == "detached":
            self._messages.handle_detached(item[1], item[2], item[3], stopping=self._stopping)
            self._exited.set()
        elif kind == "output" and self._on_output is not None:
            self._on_output(item[1], item[2])


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
    ) -> None:
        """Deliver parsed batches to ``on_events``, problems to ``on_error``, new identifiers to ``on_identifier``.

        ``consent_words`` decide what a clicked button's text means (default: the core's).
        """
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
        """The Frida session ended: a crash, an exit, or a lost device is reported; our own stop is not."""
        if crash is not None:
            summary = getattr(crash, "summary", None) or str(crash)
            self._emit_exit(when, f"crash: {summary}")
            self.report(when, "hooks", f"the app crashed: {summary}", str(getattr(crash, "report", "")))
        elif reason == "process-terminated":
            if stopping:
                self._emit_exit(when, AUDIT_END_EXIT)
            else:
                status = f" with status {self.exit_status}" if self.exit_status is not None else ""
                self._emit_exit(when, f"exited{status}")
                self.report(when, "hooks", f"the app's process exited{status}; hooks no longer record", reason)
        elif reason != "application-requested" or not stopping:
            self.report(when, "hooks", f"the hook session ended ({reason}); hooks no longer record", reason)

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
        kind = data.get("type")
        if kind in ("hook:call", "permission:request", "permission:result", "component:start") and isinstance(data.get("stack"), list):
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
            if event.installed:
                self.stats.installed += 1
                self.stats.overloads += int(overloads or 0)
            else:
                self.stats.failed += 1
                self.stats.failures.append(event)
        return event

    def _dispatch_identifiers(self, event: HookEvent) -> None:
        for data_type, values in event.identifiers.items():
            for value in values:
                key = (data_type, value)
                if key not in self._seen_identifiers:
                    self._seen_identifiers.add(key)
                    self._on_identifier(data_type, value)

    def _emit_exit(self, when: float, detail: str) -> None:
        if self._exit_reported:
            return
        self._exit_reported = True
        self._on_events([LifecycleEvent(time=when, state="process_exit", detail=detail)])


def _ignore_errors(function: Callable[[], Any]) -> None:
    try:
        function()
    except Exception:
        pass
