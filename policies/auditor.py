"""One live audit: the session, its pipeline and its worker thread, wired together.

The mitmproxy recorder and the Frida host both feed an :class:`Auditor`; they meet here
and in the store, never by importing each other. :func:`recompute` is the full, final
judgement used at the end of a live session and by replay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from piaudit.policies import rows
from piaudit.policies.models import Finding, FlowRecord
from piaudit.policies.pipeline import Pipeline
from piaudit.policies.provenance import read_draft_provenance
from piaudit.policies.session import Session, file_sha256

log = logging.getLogger(__name__)


@dataclass
class AuditorConfig:
    """What a live audit needs to know, all of it recorded in ``session.json``."""

    session_dir: str | Path
    policy: str | Path | None = None
    identifiers: str | Path | None = None
    catalog: str | Path | None = None
    geoip: str | Path | None = None
    app: str | None = None
    detect: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    mode: list[str] = field(default_factory=list)
    flush_interval: float = 0.1
    annotate: bool = True  # send detections and findings back to the proxy's view
    sign_key: str | Path | None = None  # Ed25519 private key: sign every table's head as the session closes
    live_log: bool = True  # a log line for each new finding as it happens (`piaudit run` without -v: summed up at the end)


@dataclass
class Context:
    """The loaded policy, catalog, classifier and geo lookup a judgement needs."""

    policy: Any = None
    catalog: Any = None
    classifier: Any = None
    geo: Any = None


def load_context(policy: str | Path | None, catalog: str | Path | None = None, geoip: str | Path | None = None) -> Context:
    """Load policy, catalog (shipped + extra), classifier and geo lookup; a policy of None judges with an empty one."""
    from piaudit.policies.catalog import load_catalog
    from piaudit.policies.classify import Classifier
    from piaudit.policies.geo import GeoLookup
    from piaudit.policies.policy import Policy, load_policy

    pol = load_policy(Path(policy)) if policy else Policy.empty()
    cat = load_catalog(extra=Path(catalog) if catalog else None)
    classifier = Classifier(pol.first_party_domains, pol.third_parties, cat)
    geo = GeoLookup(mmdb=Path(geoip) if geoip else None, server_countries=pol.server_countries)
    return Context(policy=pol, catalog=cat, classifier=classifier, geo=geo)


def recompute(session: Session, context: Context) -> list[Finding]:
    """Judge the whole timeline again and append the result as a new findings run."""
    from piaudit.policies.rules import evaluate

    timeline = rows.load_timeline(session.store)
    findings = evaluate(timeline, context.policy, context.classifier, geo=context.geo)
    last = session.store.conn.execute("SELECT max(run) FROM findings").fetchone()[0] or 0
    run = last + 1
    session.store.insert_many("findings", [rows.finding_row(run, f) for f in findings])
    return findings


def build_detector(identifiers_path: str | Path | None) -> Any:
    """The traffic detector with the auditor's identifiers file (if any) as known values."""
    from piaudit.policies.detect import Detector
    from piaudit.policies.identifiers import Identifiers, load_identifiers

    identifiers = load_identifiers(Path(identifiers_path)) if identifiers_path else Identifiers()
    return Detector(identifiers)


class Auditor:
    """A running audit, driven by one thread (the audit process's loop, or a test).

    Producers hand it flows and events through :attr:`pipeline`; :meth:`flush` writes what
    the pipeline buffered (at least every ``flush_interval`` seconds, so a batch reaches disk
    within 250 ms); :meth:`stop` writes the rest and judges the whole timeline once more.
    """

    def __init__(self, session: Session, pipeline: Pipeline, context: Context, flush_interval: float = 0.1):
        self.session = session
        self.pipeline = pipeline
        self.context = context
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
        from piaudit.policies.rules import LiveJudge

        context = load_context(config.policy, config.catalog, config.geoip)
        sign_key = load_private_key(config.sign_key) if config.sign_key else None  # a bad key fails now, not at the end
        detector = build_detector(config.identifiers) if config.detect else None
        session = Session.create(
            config.session_dir,
            lock=True,
            app=config.app or (context.policy.app.package if config.policy else None),
            mode=config.mode,
            options=config.options,
        )
        meta = session.meta
        meta.policy_path = str(Path(config.policy).resolve()) if config.policy else None
        meta.policy_sha256 = file_sha256(config.policy) if config.policy else None
        meta.inputs = read_draft_provenance(config.policy)
        meta.catalog_sha256 = context.catalog.sha256
        meta.identifiers_sha256 = file_sha256(config.identifiers) if config.identifiers else None
        session.save()
        judge = LiveJudge(context.policy, context.classifier, geo=context.geo, keep=False)
        pipeline = Pipeline(session.store, detector=detector, judge=judge)
        auditor = cls(session, pipeline, context, config.flush_interval)
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
                self.final_findings = recompute(self.session, self.context)
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
