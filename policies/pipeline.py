"""The audit pipeline: record → detect → judge, the same for the live proxy and for replay.

A :class:`Pipeline` turns flows and timeline events into store rows, buffering them until
:meth:`Pipeline.flush` writes one transaction. It runs on one thread (the audit process's
loop, or the replay loop); nothing here knows about mitmproxy or Frida.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from piaudit.policies import rows
from piaudit.policies.detect import Detector, ScanResult
from piaudit.policies.join import Joins
from piaudit.policies.join.crypto import CLOCK_SLACK
from piaudit.policies.join.tlsplain import PlainFlow
from piaudit.policies.models import (
    CryptoOp,
    Detection,
    ErrorRecord,
    Finding,
    FlowRecord,
    FlowSummary,
    HookEvent,
    HttpRequest,
    Message,
    TimelineItem,
    TlsFailure,
)
from piaudit.policies.rules import LiveJudge


class RowSink(Protocol):
    """Where a pipeline's rows go: a :class:`policies.store.Store`, or replay's collector of rows."""

    def write_batch(self, items: list[tuple[str, dict[str, Any]]]) -> Any: ...

    def next_id(self, table: str) -> int: ...

log = logging.getLogger(__name__)

LIVE_RUN = 0  # findings found as they happen; the full recompute at the end writes run 1, 2, ...
MAX_BUFFERED_ROWS = 200_000  # rows kept for a retry when the store cannot be written
STORE_FAILURE_REMINDER = 30.0  # seconds between log lines while the same store failure lasts
RECENT_SECONDS = 10.0  # live: flows kept this long for crypto ops that arrive after them
RECENT_FLOWS = 512  # ... at most this many
RECENT_BYTES = 64 << 20  # ... holding at most this many body bytes


@dataclass
class FlowOutcome:
    """What the pipeline made of one flow."""

    detections: list[Detection] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def request_end(flow: FlowRecord) -> float:
    """When the last byte the client sent in a flow reached the proxy: no op after it can be in it."""
    end = flow.timings.get("request_end") or flow.timestamp_start
    sent = [m.time for m in flow.messages if m.from_client]
    return max([end, *sent])


@dataclass
class _Recent:
    """A flow recorded live, kept a little while for crypto ops that arrive after it."""

    record: FlowRecord
    keys: set[tuple[Any, ...]]
    arrived: float  # time.monotonic()
    size: int


def _detection_key(d: Detection) -> tuple[Any, ...]:
    return (d.data_type, d.value, d.where, d.encoding, d.direction)


def flow_summary(flow: FlowRecord, detections: list[Detection], sender: HttpRequest | None = None) -> FlowSummary:
    """The rules' view of a recorded flow (``sender``: the ``http:request`` joined to it, if known)."""
    return FlowSummary(
        flow_id=flow.flow_id,
        kind=flow.kind,
        time=flow.timestamp_start,
        method=flow.method,
        url=flow.url,
        host=flow.host,
        port=flow.port,
        scheme=flow.scheme,
        tls=flow.tls,
        server_ip=flow.server_ip,
        detections=detections,
        sent_by=sender.party if sender is not None else None,
        sender=sender.id if sender is not None else None,
        process=(sender.process or None) if sender is not None else None,
    )


class Pipeline:
    """Record, detect and judge into one session store.

    Without a ``detector`` flows are not scanned; without a ``judge`` nothing is judged live.
    ``joins`` holds the crypto ops and HTTP requests recorded so far (shared with the replay
    workers that scan flows). ``late_ops``: keep recent flows and scan them again when a crypto
    op arrives after them (live: the agent's batches may arrive after the flow they explain).
    """

    def __init__(
        self,
        store: RowSink,
        *,
        detector: Detector | None = None,
        judge: LiveJudge | None = None,
        on_store_failure: Callable[[BaseException], None] | None = None,
        joins: Joins | None = None,
        late_ops: bool = False,
    ):
        self.store = store
        self.detector = detector
        self.judge = judge
        self.joins = joins if joins is not None else Joins()
        self._late_ops = late_ops
        self._recent: deque[_Recent] = deque()
        self._recent_bytes = 0
        self._late_since: float | None = None
        self._next_ids: dict[str, int] = {}
        self.on_store_failure = on_store_failure
        self.on_findings: Callable[[list[Finding]], None] | None = None  # live findings, for the log
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._messages_written: dict[str, int] = {}
        self.counts: dict[str, int] = {"flows": 0, "detections": 0, "findings": 0, "events": 0, "errors": 0}
        self.store_failed: str | None = None
        self._failure_logged = 0.0  # time.monotonic() of the last store-failure log line

    # ------------------------------------------------------------------ inputs
    def scan(self, flow: FlowRecord, *, pid: int | None = None) -> tuple[ScanResult, HttpRequest | None]:
        """Detect personal data in a flow, through the crypto ops it may carry the output of.

        The flow's sender (the nearest ``http:request`` with its method and URL) names its process
        when the hook saw it (``pid`` overrides); only that process's ops then join. Needs a detector.
        """
        assert self.detector is not None, "scan needs a detector"
        sender = None
        if flow.kind == "http" and flow.method:
            sender = self.joins.senders.nearest(flow.method, flow.url, flow.timestamp_start)
        view = None
        if len(self.joins.ops):
            process = pid if pid is not None else (sender.pid if sender is not None else None)
            view = self.joins.ops.view(pid=process, not_after=request_end(flow))
        return self.detector.scan_flow(flow, plaintexts=view), sender

    def record_flow(self, flow: FlowRecord) -> FlowOutcome:
        """Record a completed flow with its detections and live findings."""
        outcome = FlowOutcome()
        sender = None
        if self.detector is not None:
            try:
                result, sender = self.scan(flow)
                outcome.detections = list(result.detections)
                outcome.notes = list(result.notes)
            except Exception as e:  # the detector must never cost us the flow itself
                self.record_error("detector", f"detection failed: {e!r}", traceback.format_exc(), flow=flow.flow_id)
        self._pending.append(("flows", rows.flow_row(flow)))
        start = self._messages_written.pop(flow.flow_id, 0)
        for row in rows.message_rows(flow, start):
            self._pending.append(("messages", row))
        for d in outcome.detections:
            self._pending.append(("detections", rows.detection_row(flow.flow_id, d)))
        for note in outcome.notes:
            self.record_error("detector", note, flow=flow.flow_id)
        self.counts["flows"] += 1
        self.counts["detections"] += len(outcome.detections)
        if self.judge is not None:
            try:
                outcome.findings = list(self.judge.on_flow(flow_summary(flow, outcome.detections, sender)))
            except Exception as e:
                self.record_error("judge", f"live rules failed: {e!r}", traceback.format_exc(), flow=flow.flow_id)
            self._add_findings(outcome.findings)
        if self._late_ops and self.detector is not None:
            self._remember(flow, outcome.detections)
        return outcome

    def record_tls_plaintext(self, flows: Iterable[PlainFlow]) -> int:
        """Scan the flows read from uninspected TLS plaintext (:func:`policies.rows.plaintext_records`);
        store their detections under their ``tls:`` flow ids. Returns how many detections."""
        if self.detector is None:
            return 0
        added = 0
        for plain in flows:
            record = plain.record
            try:
                result, _ = self.scan(record, pid=plain.pid)
            except Exception as e:
                self.record_error("detector", f"TLS plaintext scan failed: {e!r}", traceback.format_exc(), flow=record.flow_id)
                continue
            for d in result.detections:
                self.add_detection(record.flow_id, d)
                added += 1
            for note in result.notes:
                self.record_error("detector", note, flow=record.flow_id)
        return added

    # ------------------------------------------------------------------ ops after their flow (live)
    def _remember(self, flow: FlowRecord, detections: list[Detection]) -> None:
        size = len(flow.request_body) + sum(len(m.content) for m in flow.messages if m.from_client)
        self._recent.append(_Recent(flow, {_detection_key(d) for d in detections}, time.monotonic(), size))
        self._recent_bytes += size
        self._trim_recent()

    def _trim_recent(self) -> None:
        horizon = time.monotonic() - RECENT_SECONDS
        while self._recent and (
            self._recent[0].arrived < horizon or len(self._recent) > RECENT_FLOWS or self._recent_bytes > RECENT_BYTES
        ):
            self._recent_bytes -= self._recent.popleft().size

    def _rescan_recent(self) -> None:
        """Scan the recent flows an op that arrived late may be in; store and judge what is new."""
        since, self._late_since = self._late_since, None
        self._trim_recent()
        if since is None or self.detector is None:
            return
        for entry in self._recent:
            record = entry.record
            if request_end(record) + CLOCK_SLACK < since:
                continue  # the flow was sent before the op was made
            try:
                result, sender = self.scan(record)
            except Exception as e:
                self.record_error("detector", f"rescan for a late crypto op failed: {e!r}", flow=record.flow_id)
                continue
            new = [d for d in result.detections if _detection_key(d) not in entry.keys]
            if not new:
                continue
            for d in new:
                entry.keys.add(_detection_key(d))
                self.add_detection(record.flow_id, d)
            if self.judge is not None:
                try:
                    self._add_findings(list(self.judge.on_flow(flow_summary(record, new, sender))))
                except Exception as e:
                    self.record_error("judge", f"live rules failed: {e!r}", traceback.format_exc(), flow=record.flow_id)

    def add_detection(self, flow_id: str, detection: Detection) -> None:
        """Store one more detection for a flow already recorded (the final rescan)."""
        self._pending.append(("detections", rows.detection_row(flow_id, detection)))
        self.counts["detections"] += 1

    def record_message(self, flow_id: str, message: Message) -> None:
        """Record one WebSocket/TCP/UDP message as it passes (the flow row follows at its end)."""
        index = self._messages_written.get(flow_id, 0)
        fake = FlowRecord(flow_id=flow_id, messages=[message])
        for row in rows.message_rows(fake):
            row["idx"] = index
            self._pending.append(("messages", row))
        self._messages_written[flow_id] = index + 1

    def record_event(self, event: TimelineItem) -> list[Finding]:
        """Record a timeline event (hook call, consent, lifecycle, ...); hook values become known identifiers,
        crypto ops and HTTP requests join the flows scanned after them (they get their row id here)."""
        if isinstance(event, CryptoOp | HttpRequest):
            self._join(event)
        if isinstance(event, HookEvent) and self.detector is not None:
            for data_type, values in event.identifiers.items():
                for value in values:
                    try:
                        self._add_identifier(data_type, value)
                    except Exception as e:
                        self.record_error("detector", f"identifier {data_type}={value!r} rejected: {e}")
        table, row = rows.event_row(event)
        self._pending.append((table, row))
        self.counts["events"] += 1
        findings: list[Finding] = []
        if self.judge is not None:
            try:
                findings = list(self.judge.on_event(event))
            except Exception as e:
                self.record_error("judge", f"live rules failed on {event.type}: {e!r}", traceback.format_exc())
            self._add_findings(findings)
        return findings

    def _join(self, event: CryptoOp | HttpRequest) -> None:
        table = rows.EVENT_TABLES[event.type]
        if event.id is None:
            next_id = self._next_ids.get(table)
            if next_id is None:
                next_id = self.store.next_id(table)
            event.id = next_id
            self._next_ids[table] = next_id + 1
        if isinstance(event, HttpRequest):
            self.joins.senders.add(event)
        elif self.joins.ops.add(event) and self._late_ops:
            self._late_since = event.time if self._late_since is None else min(self._late_since, event.time)

    def _add_identifier(self, data_type: str, value: str) -> None:
        assert self.detector is not None, "only called with a detector"
        identifiers = self.detector.identifiers
        if data_type == "location" and "," in value:
            lat, lon = (float(x) for x in value.split(",", 1))
            identifiers.add_location(lat, lon)
        else:
            identifiers.add(data_type, value)

    def record_tls_failure(self, failure: TlsFailure) -> None:
        """Record a client handshake that failed (that host was not inspected)."""
        self._pending.append(("tls_failures", rows.tls_failure_row(failure)))

    def record_error(self, source: str, message: str, detail: str = "", *, flow: str | None = None) -> None:
        """Record something the audit failed on."""
        self.counts["errors"] += 1
        err = ErrorRecord(time=time.time(), source=source, message=message, detail=detail, flow=flow)
        self._pending.append(("errors", rows.error_row(err)))

    def _add_findings(self, findings: list[Finding]) -> None:
        if findings and self.on_findings is not None:
            self.on_findings(findings)
        for f in findings:
            self._pending.append(("findings", rows.finding_row(LIVE_RUN, f)))
        self.counts["findings"] += len(findings)

    # ------------------------------------------------------------------ output
    def flush(self) -> None:
        """Write everything buffered in one transaction; on failure keep it for the next try.

        Live, the recent flows a crypto op that arrived since the last flush may be in are
        scanned again first (:attr:`late_ops`)."""
        if self._late_since is not None:
            self._rescan_recent()
        if not self._pending:
            return
        batch = self._pending
        self._pending = []
        try:
            self.store.write_batch(batch)
        except Exception as e:
            # keep the rows (bounded) and say so loudly; the session will be marked incomplete
            self._pending = (batch + self._pending)[-MAX_BUFFERED_ROWS:]
            failure = f"{type(e).__name__}: {e}"
            # loud once per distinct failure, then a reminder now and then: a retry every flush
            # interval must not bury the rest of the log
            now = time.monotonic()
            if failure != self.store_failed or now - self._failure_logged >= STORE_FAILURE_REMINDER:
                self._failure_logged = now
                log.error("piaudit: cannot write the evidence store: %s (%d rows held in memory)", e, len(self._pending))
            self.store_failed = failure
            if self.on_store_failure is not None:
                self.on_store_failure(e)
            return
        if self.store_failed:
            log.warning("piaudit: the evidence store is writable again")
            self.store_failed = None

    @property
    def pending(self) -> int:
        """Rows buffered and not yet written."""
        return len(self._pending)
