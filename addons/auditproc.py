"""The audit runs in a child process, so the proxy's event loop only hands flows over.

Python threads share one interpreter lock: a writer *thread* that converts, scans and stores
flows takes CPU from the event loop and cuts proxy throughput. Here the proxy process only
queues each completed flow; :class:`addons.auditclient.AuditClient` pickles batches to this
process, which owns the session (the :class:`policies.auditor.Auditor`): it writes
``flows.mitm``, converts, detects, judges and stores. What mitmweb should show goes back over a
second pipe. The messages are the dataclasses of :mod:`addons.auditmessages`; each has one
handler in :class:`AuditProcess`.

If the proxy dies (even ``kill -9``) this process sees the pipe close, writes what it holds and
exits; the session stays readable and is marked incomplete.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from mitmproxy import flow as mflow
from mitmproxy import io as mio

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
from piaudit.addons.captures import CaptureError, read_mitm
from piaudit.addons.flowmodel import to_record
from piaudit.policies.auditor import Auditor
from piaudit.policies.keys import KeyFileError
from piaudit.policies.models import Finding, FlowRecord
from piaudit.policies.options import AuditorConfig
from piaudit.policies.pipeline import FlowOutcome
from piaudit.policies.private import private_open, private_umask
from piaudit.policies.session import SessionError

log = logging.getLogger(__name__)
findings_log = logging.getLogger("piaudit.findings")


HANDLERS: dict[type, str] = {
    Flow: "on_flow",
    FlowState: "on_flow_state",
    FlowMessage: "on_flow_message",
    Events: "on_events",
    TlsFailed: "on_tls_failed",
    RecordOptions: "on_record_options",
    ReportError: "on_report_error",
    Sync: "on_sync",
    Stop: "on_stop",
}
"""Each message from the proxy and the :class:`AuditProcess` method that handles it."""


class AuditProcess:
    """The audit process's loop: one handler per message from the proxy."""

    def __init__(self, config: AuditorConfig, auditor: Auditor, outbox: Connection) -> None:
        self.config = config
        self.auditor = auditor
        self.pipeline = auditor.pipeline
        self.outbox = outbox
        self.stopping = False
        self._mitm_file = private_open(auditor.session.flows_path, "ab")
        self._writer = mio.FlowWriter(self._mitm_file)
        auditor.before_flush.append(self._mitm_file.flush)
        auditor.rescan_source = self._recorded_flows
        self._handlers: dict[type, Callable[[Any], None]] = {kind: getattr(self, name) for kind, name in HANDLERS.items()}

    def send(self, message: FromAudit) -> None:
        """An answer to the proxy."""
        self.outbox.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    # ------------------------------------------------------------------ the handlers
    def on_flow(self, message: Flow) -> None:
        """Write the flow to ``flows.mitm``, then detect, judge and store it."""
        f = message.flow
        try:
            self._writer.add(f)
        except Exception as e:
            self.pipeline.record_error("recorder", f"cannot write flows.mitm: {e!r}", traceback.format_exc(), flow=f.id)
            # the raw capture now lacks this flow (and may end in a torn entry): the session is not whole
            self.auditor.mark_incomplete(f"flows.mitm could not be written: {e}")
        try:
            outcome = self.pipeline.record_flow(to_record(f))
        except Exception as e:
            self.pipeline.record_error("recorder", f"cannot record flow: {e!r}", traceback.format_exc(), flow=f.id)
            return
        if self.config.annotate and (outcome.detections or outcome.findings):
            self.send(_annotation(f.id, outcome))

    def on_flow_state(self, message: FlowState) -> None:
        """A flow sent as its plain state (its metadata did not pickle)."""
        self.on_flow(Flow(mflow.Flow.from_state(message.state)))

    def on_flow_message(self, message: FlowMessage) -> None:
        self.pipeline.record_message(message.flow_id, message.message)

    def on_events(self, message: Events) -> None:
        for event in message.events:
            self.pipeline.record_event(event)

    def on_tls_failed(self, message: TlsFailed) -> None:
        self.pipeline.record_tls_failure(message.failure)

    def on_record_options(self, message: RecordOptions) -> None:
        """Options that change what is audited go into ``session.json`` at once."""
        self.auditor.session.meta.options |= message.options
        self.auditor.session.save()

    def on_report_error(self, message: ReportError) -> None:
        self.pipeline.record_error(message.source, message.message, message.detail, flow=message.flow_id)

    def on_sync(self, message: Sync) -> None:
        self.auditor.flush()
        self.send(Synced(message.token))

    def on_stop(self, message: Stop) -> None:
        self.stopping = True

    # ------------------------------------------------------------------ the loop
    def handle(self, data: bytes) -> None:
        """One pickled message from a batch; a message that cannot be read or handled is an audit error."""
        try:
            message: ToAudit = pickle.loads(data)
        except Exception as e:
            self.pipeline.record_error("auditproc", f"an item from the proxy could not be read: {e!r}")
            return
        try:
            self._handlers[type(message)](message)
        except Exception as e:
            self.pipeline.record_error("auditproc", f"{type(message).__name__}: {e!r}", traceback.format_exc())

    def run(self, inbox: Connection) -> None:
        """Handle batches until told to stop or the proxy is gone; flush at least every ``flush_interval``."""
        auditor = self.auditor
        last_flush = time.monotonic()
        lost_parent = False
        while not self.stopping:
            timeout = max(0.0, auditor.flush_interval - (time.monotonic() - last_flush))
            try:
                batch = pickle.loads(inbox.recv_bytes()) if inbox.poll(timeout) else []
            except (EOFError, OSError):
                lost_parent, batch = True, []
                self.stopping = True
            for data in batch:
                self.handle(data)
            if self.stopping or time.monotonic() - last_flush >= auditor.flush_interval:
                auditor.flush()
                last_flush = time.monotonic()
        if lost_parent:
            auditor.mark_incomplete("the proxy process ended without stopping the audit (killed?)")
            auditor.stop(finalize=False)
            self._mitm_file.close()
            return
        auditor.stop(finalize=True)
        self._mitm_file.close()
        try:
            self.send(Stopped(auditor.summary_line()))
        except (OSError, EOFError):
            pass

    def _recorded_flows(self) -> Iterator[FlowRecord]:
        """Every flow written so far, for the final rescan."""
        self._mitm_file.flush()
        try:
            for f in read_mitm(self.auditor.session.flows_path):
                yield to_record(f)
        except CaptureError as e:  # a torn tail after a crash of an earlier run: keep what was read
            self.pipeline.record_error("recorder", f"rescan stopped: {e}")


def _annotation(flow_id: str, outcome: FlowOutcome) -> Annotate:
    parts, seen = [], set()
    for d in outcome.detections:
        key = (d.data_type, d.where)
        if key not in seen and d.direction != "response":
            seen.add(key)
            parts.append(f"{d.data_type} at {d.where} ({d.encoding}{', pattern' if d.source == 'pattern' else ''})")
    return Annotate(flow_id, parts, sorted({x.rule for x in outcome.findings}))


def _log_findings(live: bool = True) -> Callable[[list[Finding]], None]:
    """The log line of a live finding is written here, not in the proxy process; a rule that fires
    again for the same data type and party is not logged again. Not ``live`` (`piaudit run` without
    -v): at debug level, the run sums the findings up at the end."""
    logged: set[tuple[Any, ...]] = set()
    level = logging.WARNING if live else logging.DEBUG

    def on_findings(findings: list[Finding]) -> None:
        for x in findings:
            key = (x.rule, x.data_type, x.party or x.host)
            if key not in logged:
                logged.add(key)
                findings_log.log(level, "%s %s %s %s", x.rule, x.data_type or "", x.party or x.host or "", x.message)

    return on_findings


def run_audit_process(config: AuditorConfig, inbox: Connection, outbox: Connection) -> None:
    """Entry point of the audit process: open the session, answer :class:`Ready`, run the loop."""
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
    private_umask()  # this process writes only evidence: anything a library creates here is 0600 too
    register_pickling()
    try:
        auditor = Auditor.start(config, on_findings=_log_findings(config.options.live_log))
    except (ValueError, OSError, SessionError, KeyFileError) as e:  # the user's input: their words, no type name
        outbox.send(Failed(str(e)))  # read by recv() before the loop starts
        return
    except Exception as e:
        outbox.send(Failed(f"{type(e).__name__}: {e}"))
        return
    process = AuditProcess(config, auditor, outbox)
    outbox.send(Ready(str(auditor.session.dir)))
    process.run(inbox)
