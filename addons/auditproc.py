"""The audit runs in a child process, so the proxy's event loop only hands flows over.

Python threads share one interpreter lock: a writer *thread* that converts, scans and
stores flows takes CPU from the event loop and cuts proxy throughput. Here the proxy
process only queues each completed flow; a sender thread pickles batches to a child
process, which owns the session (the :class:`policies.auditor.Auditor`): it writes
``flows.mitm``, converts, detects, judges and stores. Results that mitmweb should show go
back over a second pipe.

If the proxy dies (even ``kill -9``) the child sees the pipe close, writes what it holds
and exits; the session stays readable and is marked incomplete.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import pickle
import select
import struct
import time
import traceback
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)



# ---------------------------------------------------------------------------- the child


def _child_main(config: Any, inbox: Any, outbox: Any) -> None:
    """Entry point of the audit process."""
    import signal

    from mitmproxy import flow as mflow
    from mitmproxy import io as mio

    from piaudit.addons.flowmodel import to_record
    from piaudit.policies.auditor import Auditor
    from piaudit.policies.keys import KeyFileError
    from piaudit.policies.private import private_open, private_umask
    from piaudit.policies.session import SessionError

    private_umask()  # this process writes only evidence: anything a library creates here is 0600 too

    # Ctrl-C reaches the whole process group: the audit ends when the proxy tells it to (or
    # its pipe closes), after writing everything, never halfway through
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # the proxy's latency matters, the audit's does not: let the proxy (and the app) have the
    # CPU first; the audit catches up when they wait (its input is buffered, never dropped)
    try:
        os.nice(10)
    except OSError:
        pass
    logging.basicConfig(level=logging.INFO, format="%(levelname)s piaudit-audit: %(message)s")

    _register_pickling()

    def send(message: tuple) -> None:
        outbox.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    findings_log = logging.getLogger("piaudit.findings")

    logged: set[tuple] = set()

    def on_findings(findings: list[Any]) -> None:
        # the log line of a live finding is written here, not in the proxy process; a rule
        # that fires again for the same data type and party is not logged again
        for x in findings:
            key = (x.rule, x.data_type, x.party or x.host)
            if key not in logged:
                logged.add(key)
                level = logging.WARNING if config.live_log else logging.DEBUG  # `piaudit run` sums them up at the end
                findings_log.log(level, "%s %s %s %s", x.rule, x.data_type or "", x.party or x.host or "", x.message)

    try:
        auditor = Auditor.start(config, on_findings=on_findings)
    except (ValueError, OSError, SessionError, KeyFileError) as e:  # the user's input: their words, no type name
        outbox.send(("failed", str(e)))  # read by recv() before the loop starts
        return
    except Exception as e:
        outbox.send(("failed", f"{type(e).__name__}: {e}"))
        return
    mitm_file = private_open(auditor.session.flows_path, "ab")
    writer = mio.FlowWriter(mitm_file)
    auditor.before_flush.append(mitm_file.flush)

    def recorded_flows() -> Any:
        from piaudit.addons.captures import CaptureError, read_mitm

        mitm_file.flush()
        try:
            for f in read_mitm(auditor.session.flows_path):
                yield to_record(f)
        except CaptureError as e:  # a torn tail after a crash of an earlier run: keep what was read
            pipeline.record_error("recorder", f"rescan stopped: {e}")

    auditor.rescan_source = recorded_flows
    pipeline = auditor.pipeline
    outbox.send(("ready", str(auditor.session.dir)))

    def handle_flow(f: Any) -> None:
        if isinstance(f, tuple):  # ("state", get_state()) when the flow itself did not pickle
            f = mflow.Flow.from_state(f[1])
        try:
            writer.add(f)
        except Exception as e:
            pipeline.record_error("recorder", f"cannot write flows.mitm: {e!r}", traceback.format_exc(), flow=f.id)
            # the raw capture now lacks this flow (and may end in a torn entry): the session is not whole
            auditor.mark_incomplete(f"flows.mitm could not be written: {e}")
        try:
            outcome = pipeline.record_flow(to_record(f))
        except Exception as e:
            pipeline.record_error("recorder", f"cannot record flow: {e!r}", traceback.format_exc(), flow=f.id)
            return
        if config.annotate and (outcome.detections or outcome.findings):
            send(("annotate", f.id, _annotation(outcome)))

    last_flush = time.monotonic()
    stopping = False
    lost_parent = False
    while not stopping:
        timeout = max(0.0, auditor.flush_interval - (time.monotonic() - last_flush))
        try:
            ready = inbox.poll(timeout)
            batch = pickle.loads(inbox.recv_bytes()) if ready else []
        except (EOFError, OSError):
            lost_parent, batch = True, []
            stopping = True
        for data in batch:
            try:
                item = pickle.loads(data)
            except Exception as e:
                pipeline.record_error("auditproc", f"an item from the proxy could not be read: {e!r}")
                continue
            kind = item[0]
            try:
                if kind == "flow":
                    handle_flow(item[1])
                elif kind == "message":
                    pipeline.record_message(item[1], item[2])
                elif kind == "events":
                    for event in item[1]:
                        pipeline.record_event(event)
                elif kind == "tls":
                    pipeline.record_tls_failure(item[1])
                elif kind == "options":  # options that change what is audited, recorded in session.json
                    auditor.session.meta.options |= item[1]
                    auditor.session.save()
                elif kind == "error":
                    pipeline.record_error(item[1], item[2], item[3], flow=item[4] if len(item) > 4 else None)
                elif kind == "sync":
                    auditor.flush()
                    send(("synced", item[1]))
                elif kind == "stop":
                    stopping = True
            except Exception as e:
                pipeline.record_error("auditproc", f"{kind}: {e!r}", traceback.format_exc())
        if stopping or time.monotonic() - last_flush >= auditor.flush_interval:
            auditor.flush()
            last_flush = time.monotonic()
    if lost_parent:
        auditor.mark_incomplete("the proxy process ended without stopping the audit (killed?)")
        auditor.stop(finalize=False)
        mitm_file.close()
        return
    auditor.stop(finalize=True)
    mitm_file.close()
    try:
        send(("stopped", auditor.summary_line()))
    except (OSError, EOFError):
        pass


def _annotation(outcome: Any) -> dict[str, Any]:
    parts, seen = [], set()
    for d in outcome.detections:
        key = (d.data_type, d.where)
        if key not in seen and d.direction != "response":
            seen.add(key)
            parts.append(f"{d.data_type} at {d.where} ({d.encoding}{', pattern' if d.source == 'pattern' else ''})")
    return {"parts": parts, "rules": sorted({x.rule for x in outcome.findings})}


# ---------------------------------------------------------------------------- the proxy side


def _cert_from_der(der: bytes) -> Any:
    from cryptography import x509
    from mitmproxy import certs

    return certs.Cert(x509.load_der_x509_certificate(der))


def _reduce_cert(cert: Any) -> tuple:
    from cryptography.hazmat.primitives.serialization import Encoding

    return _cert_from_der, (cert._cert.public_bytes(Encoding.DER),)


def _register_pickling() -> None:
    """mitmproxy's certificates wrap objects that do not pickle: send them as DER."""
    import copyreg

    from mitmproxy import certs

    copyreg.pickle(certs.Cert, _reduce_cert)


def _frame(data: bytes) -> bytes:
    """multiprocessing.Connection's framing, so the child reads with ``recv_bytes``."""
    if len(data) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(data)) + data
    return struct.pack("!i", len(data)) + data


class AuditClient:
    """The proxy's handle on the audit process.

    No threads on the proxy side: items are pickled in batches by a timer on the event loop
    and written to a non-blocking pipe (``loop.add_writer``); results are read back with
    ``loop.add_reader``. Nothing here ever blocks the loop, and a slow audit process only
    grows a buffer (reported in the log when large), never holds a flow back.
    """

    SEND_DELAY = 0.02  # seconds between a first queued item and its batch being sent
    WARN_BUFFER = 256 * 1024 * 1024

    def __init__(self, config: Any, *, on_annotate: Callable[[str, dict], None]):
        _register_pickling()
        self.config = config
        self.on_annotate = on_annotate
        self.loop: Any = None
        self._items: list[tuple] = []
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
        self.process = ctx.Process(target=_child_main, args=(config, to_child_r, from_child_w), name="piaudit-audit", daemon=False)
        self.process.start()
        to_child_r.close()
        from_child_w.close()
        first = self._from_child.recv() if self._from_child.poll(120) else ("failed", "the audit process did not start in 120 s")
        if first[0] != "ready":
            self.process.join(5)
            raise RuntimeError(first[1])
        self.session_dir = first[1]
        self._wfd = self._to_child.fileno()
        self._rfd = self._from_child.fileno()

    # ------------------------------------------------------------ producers
    def attach(self, loop: Any) -> None:
        """Start using the proxy's event loop (from the ``running`` hook)."""
        self.loop = loop
        os.set_blocking(self._wfd, False)
        os.set_blocking(self._rfd, False)
        loop.add_reader(self._rfd, self._on_readable)

    def _enqueue(self, item: tuple) -> None:
        if self.dead is not None or self._stopped:
            return
        self._items.append(item)
        if self.loop is None:
            return  # sent by the next flush (tests without a running loop, or stop())
        if not self._scheduled:
            self._scheduled = True
            self.loop.call_later(self.SEND_DELAY, self._send)

    def submit_flow(self, f: Any) -> None:
        """A completed flow (pickled later, in a batch)."""
        self._enqueue(("flow", f))

    def submit(self, item: tuple) -> None:
        """Any other item: ("message", flow_id, Message), ("tls", TlsFailure), ("error", source, msg, detail)."""
        self._enqueue(item)

    def submit_events(self, events: list[Any]) -> None:
        """Timeline events from the Frida host (any thread)."""
        item = ("events", list(events))
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self._enqueue, item)
        else:
            self._enqueue(item)

    # ------------------------------------------------------------ sending
    @staticmethod
    def _pickle(item: tuple) -> bytes:
        try:
            return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            if item[0] != "flow":
                return pickle.dumps(("error", "recorder", f"{item[0]} could not be handed to the audit: {e!r}", ""))
        try:  # an addon's metadata that does not pickle: send the flow's plain state
            return pickle.dumps(("flow", ("state", item[1].get_state())), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            return pickle.dumps(("error", "recorder", f"flow {item[1].id} could not be handed to the audit: {e!r}", "", item[1].id))

    def _pack(self) -> None:
        """Move queued items into the output buffer as one framed batch."""
        items, self._items = self._items, []
        if items:
            batch = [self._pickle(item) for item in items]
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
        elif not self._out and self._writer_registered:
            self.loop.remove_writer(self._wfd)
            self._writer_registered = False

    def _write_all_blocking(self) -> None:
        """Write everything now (stop, wait_idle): may block, so never on a busy loop."""
        self._pack()
        if self._writer_registered:
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

    def _handle(self, message: tuple) -> None:
        kind = message[0]
        if kind == "annotate":
            self.on_annotate(message[1], message[2])
        elif kind == "synced":
            self._syncs_done.add(message[1])
        elif kind == "stopped":
            self.summary = message[1]
            self._stopped = True

    def _read_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Read and dispatch results, blocking, until ``done()`` or the timeout."""
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

    # ------------------------------------------------------------ control
    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until everything submitted so far is on disk (tests, `piaudit consent`)."""
        self._next_sync += 1
        token = self._next_sync
        self._items.append(("sync", token))
        self._write_all_blocking()
        return self._read_until(lambda: token in self._syncs_done, timeout)

    def stop(self, timeout: float = 300.0) -> str:
        """Send everything, let the audit finish (final judgement), wait for the process."""
        if self.dead is None:
            self._items.append(("stop",))
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

    def _died(self, reason: str) -> None:
        if self.dead is None:
            self.dead = reason
            log.error("piaudit: %s — flows are no longer recorded; the session will be marked incomplete", reason)
