"""One live audit: the session, its pipeline and the loop that drives them, wired together.

The audit process (:mod:`addons.auditproc`) drives an :class:`Auditor` on its one thread;
the mitmproxy recorder and the Frida host feed it through that process and meet here and in
the store, never by importing each other. :func:`recompute` is the full, final judgement
used at the end of a live session and by replay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from piaudit.policies import rows
from piaudit.policies.inputs import AuditInputs
from piaudit.policies.models import Finding, FlowRecord
from piaudit.policies.options import AuditorConfig
from piaudit.policies.pipeline import LIVE_RUN, Pipeline
from piaudit.policies.rules import LiveJudge
from piaudit.policies.session import Session

log = logging.getLogger(__name__)


def recompute(session: Session, inputs: AuditInputs) -> list[Finding]:
    """Judge the whole timeline again; append the result and its judgement as a new findings run."""
    from piaudit.policies.rules import evaluate, evaluation_notes

    timeline = rows.read_timeline(session.store)
    findings = evaluate(timeline, inputs.policy, inputs.classifier, geo=inputs.geo)
    run = (rows.latest_run(session.store) or 0) + 1
    judgement = inputs.judgement(run, evaluation_notes(timeline, inputs.policy, geo=inputs.geo))
    session.store.write_batch([("judgements", rows.judgement_row(judgement)), *(("findings", rows.finding_row(run, f)) for f in findings)])
    return findings


class Auditor:
    """A running audit, driven by one thread (the audit process's loop, or a test).

    Producers hand it flows and events through :attr:`pipeline`; :meth:`flush` writes what
    the pipeline buffered (at least every ``flush_interval`` seconds, so a batch reaches disk
    within 250 ms); :meth:`stop` writes the rest and judges the whole timeline once more.
    """

    def __init__(self, session: Session, pipeline: Pipeline, inputs: AuditInputs, flush_interval: float = 0.1):
        self.session = session
        self.pipeline = pipeline
        self.inputs = inputs
        self.flush_interval = flush_interval
        self.before_flush: list[Callable[[], None]] = []
        self.final_findings: list[Finding] | None = None
        self.sign_key: Any = None  # an Ed25519 private key: the closing heads are signed with it
        self._final_counts: dict[str, int] | None = None  # the session's rows when it closed
        # the flows recorded so far, for the final rescan (set by the adapter that can read them)
        self.rescan_source: Callable[[], Iterable[FlowRecord]] | None = None
        detector = pipeline.detector
        self._identifiers_version = detector.identifiers.version if detector is not None else 0

    @classmethod
    def start(cls, config: AuditorConfig, *, on_findings: Callable[[list[Finding]], None] | None = None) -> Auditor:
        """Open (or continue) the session and load policy, catalog and identifiers."""
        from piaudit.policies.keys import load_private_key

        options = config.options
        inputs = AuditInputs.load(options)
        sign_key = load_private_key(options.sign) if options.sign else None  # a bad key fails now, not at the end
        detector = inputs.detector() if options.detect else None
        session = Session.create(
            options.session,
            lock=True,
            app=options.app or (inputs.policy.app.package if inputs.policy_path else None),
            mode=config.mode,
            options=config.recorded,
        )
        inputs.record(session.meta)
        session.save()
        session.store.insert_many("judgements", [rows.judgement_row(inputs.judgement(LIVE_RUN))])
        judge = LiveJudge(inputs.policy, inputs.classifier, geo=inputs.geo, keep=False)
        pipeline = Pipeline(session.store, detector=detector, judge=judge)
        auditor = cls(session, pipeline, inputs, config.flush_interval)
        auditor.sign_key = sign_key
        pipeline.on_store_failure = lambda e: auditor.mark_incomplete(f"the evidence store could not be written: {e}")
        pipeline.on_findings = on_findings
        return auditor

    def flush(self) -> None:
        """Write flows.mitm and the buffered rows."""
        for fn in self.before_flush:
            try:
                fn()
            except Exception as e:
                self.pipeline.record_error("recorder", f"cannot flush flows.mitm: {e!r}")
                self.mark_incomplete(f"flows.mitm could not be written: {e}")
        self.pipeline.flush()

    def mark_incomplete(self, reason: str) -> None:
        """Say loudly, in the log and in session.json, that this session lost something."""
        if self.session.meta.incomplete_reason != reason:  # said once per reason, not on every retry
            log.error("piaudit: session marked incomplete: %s", reason)
            self.session.meta.incomplete_reason = reason
            try:
                self.session.save()
            except OSError as e:
                log.error("piaudit: cannot even update session.json: %s", e)

    def rescan(self) -> int:
        """Scan every recorded flow again with all identifiers known now; store what the live scan missed.

        Live, a value a hook returns only takes effect for the flows after it; at the end the
        whole session is checked against every value. Returns how many detections were added.
        """
        detector = self.pipeline.detector
        if detector is None or self.rescan_source is None or detector.identifiers.version == self._identifiers_version:
            return 0
        known: dict[str, set[tuple]] = {}
        for r in self.session.store.rows("detections"):
            known.setdefault(r["flow_id"], set()).add((r["data_type"], r["value"], r["where"], r["encoding"], r["direction"]))
        added = 0
        for n, record in enumerate(self.rescan_source(), start=1):
            try:
                result = detector.scan_flow(record)
            except Exception as e:
                self.pipeline.record_error("detector", f"rescan failed: {e!r}", flow=record.flow_id)
                continue
            seen = known.get(record.flow_id, set())
            for d in result.detections:
                if (d.data_type, d.value, d.where, d.encoding, d.direction) not in seen:
                    self.pipeline.add_detection(record.flow_id, d)
                    added += 1
            if n % 500 == 0:
                self.pipeline.flush()
        self.pipeline.flush()
        if added:
            self.session.meta.notes.append(f"final rescan: {added} detections of values learnt after their flow had passed")
        return added

    def stop(self, *, finalize: bool = True) -> None:
        """Write everything, recompute findings in full (``finalize``), close the session."""
        self.flush()
        if finalize:
            try:
                self.rescan()
            except Exception as e:
                log.exception("piaudit: the final rescan failed")
                self.pipeline.record_error("detector", f"final rescan failed: {e!r}")
                self.pipeline.flush()
        complete = finalize and self.pipeline.pending == 0 and self.session.meta.incomplete_reason is None
        if finalize:
            try:
                self.final_findings = recompute(self.session, self.inputs)
            except Exception as e:
                log.exception("piaudit: the final judgement failed")
                self.pipeline.record_error("judge", f"final recompute failed: {e!r}")
                self.pipeline.flush()
                complete = False
        reason = self.session.meta.incomplete_reason or ("rows could not be written" if self.pipeline.pending else None)
        try:
            self._final_counts = rows.counts(self.session.store)
        except Exception:  # a store that cannot be read still gets closed and marked
            self._final_counts = None
        self.session.close(complete=complete, reason=reason, sign_key=self.sign_key)

    def summary_line(self) -> str:
        """One line for the log at the end: the session's rows, counted as `piaudit info` counts them."""
        c = self.pipeline.counts  # only if the store could not be read at the end: what this process wrote
        numbers = self._final_counts or {"flows": c["flows"], "detections": c["detections"], "errors": c["errors"]}
        n = len(self.final_findings) if self.final_findings is not None else self.pipeline.counts["findings"]
        return f"{rows.count_line(numbers)}, {n} finding{'' if n == 1 else 's'}"
