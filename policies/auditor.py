"""One live audit: the session, its pipeline and its worker thread, wired together.

The mitmproxy recorder and the Frida host both feed an :class:`Auditor`; they meet here
and in the store, never by importing each other. :func:`recompute` is the full, final
judgement used at the end of a live session and by replay.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies import rows
from policies.models import Finding
from policies.pipeline import Pipeline
from policies.session import Session, file_sha256
from policies.writer import Worker

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


@dataclass
class Context:
    """The loaded policy, catalog, classifier and geo lookup a judgement needs."""

    policy: Any = None
    catalog: Any = None
    classifier: Any = None
    geo: Any = None


def load_context(policy: str | Path | None, catalog: str | Path | None = None, geoip: str | Path | None = None) -> Context:
    """Load policy, catalog (shipped + extra), classifier and geo lookup; a policy of None judges with an empty one."""
    from policies.catalog import load_catalog
    from policies.classify import Classifier
    from policies.geo import GeoLookup
    from policies.policy import Policy, load_policy

    pol = load_policy(Path(policy)) if policy else Policy.empty()
    cat = load_catalog(Path(catalog) if catalog else None)
    classifier = Classifier(pol.first_party_domains, pol.third_parties, cat)
    geo = GeoLookup(mmdb=Path(geoip) if geoip else None, server_countries=pol.server_countries)
    return Context(policy=pol, catalog=cat, classifier=classifier, geo=geo)


def recompute(session: Session, context: Context) -> list[Finding]:
    """Judge the whole timeline again and append the result as a new findings run."""
    from policies.rules import evaluate

    timeline = rows.load_timeline(session.store)
    findings = evaluate(timeline, context.policy, context.classifier, geo=context.geo)
    last = session.store.conn.execute("SELECT max(run) FROM findings").fetchone()[0] or 0
    run = last + 1
    session.store.insert_many("findings", [rows.finding_row(run, f) for f in findings])
    return findings


def build_detector(identifiers_path: str | Path | None) -> Any:
    """The traffic detector with the auditor's identifiers file (if any) as known values."""
    from policies.detect import Detector
    from policies.identifiers import Identifiers, load_identifiers

    identifiers = load_identifiers(Path(identifiers_path)) if identifiers_path else Identifiers()
    return Detector(identifiers)


class Auditor:
    """A running audit. Producers call :meth:`submit`; everything else happens on the worker."""

    def __init__(self, session: Session, pipeline: Pipeline, context: Context, worker: Worker):
        self.session = session
        self.pipeline = pipeline
        self.context = context
        self.worker = worker
        self.before_flush: list[Callable[[], None]] = []
        self.final_findings: list[Finding] | None = None

    @classmethod
    def start(cls, config: AuditorConfig, *, on_findings: Callable[[list[Finding]], None] | None = None) -> Auditor:
        """Open (or continue) the session, load policy/catalog/identifiers, start the worker."""
        context = load_context(config.policy, config.catalog, config.geoip)
        detector = build_detector(config.identifiers) if config.detect else None
        session = Session.create(
            config.session_dir,
            app=config.app or (context.policy.app.package if config.policy else None),
            mode=config.mode,
            options=config.options,
        )
        meta = session.meta
        meta.policy_path = str(Path(config.policy).resolve()) if config.policy else None
        meta.policy_sha256 = file_sha256(config.policy) if config.policy else None
        meta.catalog_sha256 = context.catalog.sha256
        meta.identifiers_sha256 = file_sha256(config.identifiers) if config.identifiers else None
        session.save()
        from policies.rules import LiveJudge

        judge = LiveJudge(context.policy, context.classifier, geo=context.geo)
        auditor: Auditor

        def on_store_failure(e: BaseException) -> None:
            auditor.mark_incomplete(f"the evidence store could not be written: {e}")

        pipeline = Pipeline(session.store, detector=detector, judge=judge, on_store_failure=on_store_failure)
        worker = Worker(lambda: auditor._flush(), lambda where, e, tb: auditor._job_failed(where, e, tb), interval=config.flush_interval)
        auditor = cls(session, pipeline, context, worker)
        auditor.on_findings = on_findings
        worker.start()
        return auditor

    on_findings: Callable[[list[Finding]], None] | None = None

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the worker thread (never blocks)."""
        self.worker.submit(job)

    def submit_events(self, events: list[Any]) -> None:
        """Record timeline events (from the Frida host or `piaudit consent`) on the worker."""

        def job() -> None:
            found = []
            for event in events:
                found += self.pipeline.record_event(event)
            if found and self.on_findings:
                self.on_findings(found)

        self.worker.submit(job)

    def _flush(self) -> None:
        for fn in self.before_flush:
            try:
                fn()
            except Exception as e:
                self.pipeline.record_error("recorder", f"cannot flush flows.mitm: {e!r}")
                self.mark_incomplete(f"flows.mitm could not be written: {e}")
        self.pipeline.flush()

    def _job_failed(self, where: str, e: BaseException, tb: str) -> None:
        log.error("piaudit: %s failed: %r", where, e)
        if where == "job":
            self.pipeline.record_error("worker", f"{e!r}", tb)

    def mark_incomplete(self, reason: str) -> None:
        """Say loudly, in the log and in session.json, that this session lost something."""
        log.error("piaudit: session marked incomplete: %s", reason)
        if self.session.meta.incomplete_reason != reason:
            self.session.meta.incomplete_reason = reason
            try:
                self.session.save()
            except OSError as e:
                log.error("piaudit: cannot even update session.json: %s", e)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything submitted so far is on disk (tests, `piaudit consent`)."""
        return self.worker.wait_idle(timeout)

    def stop(self, *, finalize: bool = True) -> None:
        """Drain the worker, recompute findings in full, close the session."""
        self.worker.stop()
        complete = self.pipeline.pending == 0 and self.session.meta.incomplete_reason is None
        if finalize:
            try:
                self.final_findings = recompute(self.session, self.context)
            except Exception as e:
                log.exception("piaudit: the final judgement failed")
                self.pipeline.record_error("judge", f"final recompute failed: {e!r}")
                self.pipeline.flush()
                complete = False
        self.session.close(complete=complete, reason=self.session.meta.incomplete_reason or "rows could not be written")

    def summary_line(self) -> str:
        """One line for the log at the end."""
        c = self.pipeline.counts
        n = len(self.final_findings) if self.final_findings is not None else c["findings"]
        return f"{c['flows']} flows, {c['detections']} detections, {c['events']} hook events, {n} findings, {c['errors']} audit errors"


def now() -> float:
    """The host clock, as every timeline time is."""
    return time.time()
