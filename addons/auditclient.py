"""The proxy's handle on its audit process: one method per message of :mod:`addons.auditmessages`.

No threads on the proxy side: messages are pickled in batches by a timer on the event loop and
written to a non-blocking pipe (``loop.add_writer``); answers are read back with
``loop.add_reader``. Nothing here ever blocks the loop, and a slow audit process only grows a
buffer (reported in the log when large), never holds a flow back.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import pickle
import select
import struct
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from mitmproxy import flow as mflow

from piaudit.addons.auditmessages import (
    Annotate,
    Events,
    Failed,
    Flow,
    FlowMessage,
    FlowState,
    FromAudit,
    Ready,
    RecordOptions,
    ReportError,
    Stop,
    Stopped,
    Sync,
    Synced,
    TlsFailed,
    ToAudit,
    register_pickling,
)
from piaudit.policies.models import Message, TimelineItem, TlsFailure
from piaudit.policies.options import AuditorConfig

log = logging.getLogger(__name__)


def _start_audit_process(config: AuditorConfig, inbox: Connection, outbox: Connection) -> None:
    """The child's entry point. Imported here, in the child only: the proxy process never loads
    the detector, the rules or the store."""
    from piaudit.addons.auditproc import run_audit_process

    run_audit_process(config, inbox, outbox)


def _frame(data: bytes) -> bytes:
    """multiprocessing.Connection's framing, so the child reads with ``recv_bytes``."""
    if len(data) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(data)) + data
    return struct.pack("!i", len(data)) + data


def _pickle(message: ToAudit) -> bytes:
    """A message as bytes; what does not pickle is replaced by something that does, never dropped silently."""
    try:
        return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        if not isinstance(message, Flow):
            return pickle.dumps(ReportError("recorder", f"{type(message).__name__} could not be handed to the audit: {e!r}"))
    flow = message.flow
    try:  # an addon's metadata that does not pickle: send the flow's plain state
        return pickle.dumps(FlowState(flow.id, flow.get_state()), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        return pickle.dumps(ReportError("recorder", f"flow {flow.id} could not be handed to the audit: {e!r}", "", flow.id))


class AuditClient:
    """Starts the audit process and talks to it; see the module docstring."""

    SEND_DELAY = 0.02  # seconds between a first queued message and its batch being sent
    WARN_BUFFER = 256 * 1024 * 1024

    def __init__(self, config: AuditorConfig, *, on_annotate: Callable[[Annotate], None]):
        register_pickling()
        self.config = config
        self.on_annotate = on_annotate
        self.loop: asyncio.AbstractEventLoop | None = None
        self._queued: list[ToAudit] = []
        self._scheduled = False
        self._out = bytearray()
        self._in = bytearray()
        self._writer_registered = False
        self._syncs_done: set[int] = set()
        self._next_sync = 0
        self.session_dir: str | None = None
        self.summary = ""
        self.dead: str | None = None
        self._stopped = False
        self._warned = False
        ctx = mp.get_context("spawn")
        to_child_r, self._to_child = ctx.Pipe(duplex=False)
        self._from_child, from_child_w = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_start_audit_process, args=(config, to_child_r, from_child_w), name="piaudit-audit", daemon=False
        )
        self.process.start()
        to_child_r.close()
        from_child_w.close()
        first = self._from_child.recv() if self._from_child.poll(120) else Failed("the audit process did not start in 120 s")
        if not isinstance(first, Ready):
            self.process.join(5)
            raise RuntimeError(first.reason if isinstance(first, Failed) else f"unexpected first message {first!r}")
        self.session_dir = first.session_dir
        self._wfd = self._to_child.fileno()
        self._rfd = self._from_child.fileno()

    # ------------------------------------------------------------ one method per message
    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start using the proxy's event loop (from the ``running`` hook)."""
        self.loop = loop
        os.set_blocking(self._wfd, False)
        os.set_blocking(self._rfd, False)
        loop.add_reader(self._rfd, self._on_readable)

    def submit_flow(self, flow: mflow.Flow) -> None:
        """A completed flow (pickled later, in a batch)."""
        self._enqueue(Flow(flow))

    def submit_message(self, flow_id: str, message: Message) -> None:
        """A WebSocket/TCP/UDP message as it passes."""
        self._enqueue(FlowMessage(flow_id, message))

    def submit_events(self, events: list[TimelineItem]) -> None:
        """Timeline events from the Frida host (any thread)."""
        message = Events(list(events))
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self._enqueue, message)
        else:
            self._enqueue(message)

    def submit_tls_failure(self, failure: TlsFailure) -> None:
        """A client handshake that failed: that host was not inspected."""
        self._enqueue(TlsFailed(failure))

    def record_options(self, options: dict[str, Any]) -> None:
        """Options that change what is audited, for ``session.json`` (any thread)."""
        self._enqueue_threadsafe(RecordOptions(dict(options)))

    def report_error(self, source: str, message: str, detail: str = "", flow_id: str | None = None) -> None:
        """Something the audit failed on, for the ``errors`` table (any thread)."""
        self._enqueue_threadsafe(ReportError(source, message, detail, flow_id))

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until everything submitted so far is on disk (tests, `piaudit consent`)."""
        self._next_sync += 1
        token = self._next_sync
        self._queued.append(Sync(token))
        self._write_all_blocking()
        return self._read_until(lambda: token in self._syncs_done, timeout)

    def stop(self, timeout: float = 300.0) -> str:
        """Send everything, let the audit finish (final judgement), wait for the process."""
        if self.dead is None:
            self._queued.append(Stop())
            self._write_all_blocking()
            self._read_until(lambda: self._stopped, timeout)
        self._stopped = True
        if self.loop is not None:
            try:
                self.loop.remove_reader(self._rfd)
            except Exception:
                pass
        self.process.join(timeout)
        if self.process.is_alive():
            log.error("piaudit: the audit process did not finish in %.0f s; stopping it", timeout)
            self.process.terminate()
            self.process.join(5)
        return self.summary

    # ------------------------------------------------------------ sending
    def _enqueue_threadsafe(self, message: ToAudit) -> None:
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self._enqueue, message)
        else:
            self._enqueue(message)

    def _enqueue(self, message: ToAudit) -> None:
        if self.dead is not None or self._stopped:
            return
        self._queued.append(message)
        if self.loop is None:
            return  # sent by the next flush (tests without a running loop, or stop())
        if not self._scheduled:
            self._scheduled = True
            self.loop.call_later(self.SEND_DELAY, self._send)

    def _pack(self) -> None:
        """Move queued messages into the output buffer as one framed batch."""
        queued, self._queued = self._queued, []
        if queued:
            batch = [_pickle(message) for message in queued]
            self._out += _frame(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
            if len(self._out) > self.WARN_BUFFER and not self._warned:
                self._warned = True
                log.warning("piaudit: the audit process is %d MB behind the proxy", len(self._out) >> 20)

    def _send(self) -> None:
        self._scheduled = False
        if self.dead is not None:
            return
        self._pack()
        self._on_writable()

    def _on_writable(self) -> None:
        try:
            while self._out:
                n = os.write(self._wfd, self._out[: 1 << 20])
                del self._out[:n]
        except BlockingIOError:
            pass
        except OSError as e:
            self._died(f"cannot reach the audit process: {e!r}")
            return
        if self._out and not self._writer_registered and self.loop is not None:
            self.loop.add_writer(self._wfd, self._on_writable)
            self._writer_registered = True
        elif not self._out and self._writer_registered and self.loop is not None:
            self.loop.remove_writer(self._wfd)
            self._writer_registered = False

    def _write_all_blocking(self) -> None:
        """Write everything now (stop, wait_idle): may block, so never on a busy loop."""
        self._pack()
        if self._writer_registered and self.loop is not None:
            self.loop.remove_writer(self._wfd)
            self._writer_registered = False
        view = memoryview(bytes(self._out))
        self._out.clear()
        while view:
            try:
                n = os.write(self._wfd, view)
                view = view[n:]
            except BlockingIOError:
                select.select([], [self._wfd], [], 1.0)
            except OSError as e:
                self._died(f"cannot reach the audit process: {e!r}")
                return

    # ------------------------------------------------------------ receiving
    def _on_readable(self) -> None:
        try:
            chunk = os.read(self._rfd, 1 << 20)
        except BlockingIOError:
            return
        except OSError as e:
            log.error("piaudit: reading from the audit process failed: %r", e)
            chunk = b""
        if not chunk:
            if self.loop is not None:
                self.loop.remove_reader(self._rfd)
            if not self._stopped:
                self.process.join(1)
                self._died(f"the audit process ended unexpectedly (exit code {self.process.exitcode})")
            return
        self._in += chunk
        self._dispatch_frames()

    def _dispatch_frames(self) -> None:
        while len(self._in) >= 4:
            (n,) = struct.unpack("!i", self._in[:4])
            head = 4
            if n == -1:
                if len(self._in) < 12:
                    return
                (n,) = struct.unpack("!Q", self._in[4:12])
                head = 12
            if len(self._in) < head + n:
                return
            message = pickle.loads(bytes(self._in[head : head + n]))
            del self._in[: head + n]
            self._handle(message)

    def _handle(self, message: FromAudit) -> None:
        match message:
            case Annotate():
                self.on_annotate(message)
            case Synced(token=token):
                self._syncs_done.add(token)
            case Stopped(summary=summary):
                self.summary = summary
                self._stopped = True

    def _read_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Read and dispatch answers, blocking, until ``done()`` or the timeout."""
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.dead is not None:
                return done()
            ready, _, _ = select.select([self._rfd], [], [], min(remaining, 0.5))
            if ready:
                try:
                    chunk = os.read(self._rfd, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    if not self._stopped:
                        self._died("the audit process ended unexpectedly")
                    return done()
                self._in += chunk
                self._dispatch_frames()
        return True

    def _died(self, reason: str) -> None:
        if self.dead is None:
            self.dead = reason
            log.error("piaudit: %s — flows are no longer recorded; the session will be marked incomplete", reason)
