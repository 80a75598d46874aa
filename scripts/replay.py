"""`piaudit replay`: audit a stored capture offline, or re-judge a session against a new policy.

The same pipeline as the live proxy (record → detect → judge), so live and replayed audits
cannot disagree. A new session is built in a hidden ``.NAME.partial-PID`` directory and
renamed into place only when complete: nothing half-written is left looking complete.

A ``.mitm`` capture is cut into spans of whole entries; worker processes (one per core, forked
so they share the loaded detector) read, convert and detect a span each, and this process
writes their rows in file order. The store therefore holds the same rows, ids and hash chains
whatever the number of workers, and at most ``2 x workers`` spans are in memory at once.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from mitmproxy import flow as mflow
from mitmproxy import io as mio

from piaudit.addons.captures import SPAN_ENTRIES, CaptureError, Span, detect_format, mitm_spans, read_har, read_span
from piaudit.addons.flowmodel import to_record
from piaudit.policies import rows
from piaudit.policies.attribution import Attributor
from piaudit.policies.auditor import recompute
from piaudit.policies.catalog import Catalog, CatalogError
from piaudit.policies.detect import Detector
from piaudit.policies.eventlog import EventLogError, read_events, session_events
from piaudit.policies.identifiers import IdentifiersError
from piaudit.policies.inputs import AuditInputs
from piaudit.policies.join import Joins
from piaudit.policies.models import Finding, TimelineItem
from piaudit.policies.options import AuditOptions
from piaudit.policies.pipeline import Pipeline
from piaudit.policies.policy import NO_POLICY_NOTE, PolicyError
from piaudit.policies.private import private_open
from piaudit.policies.session import FLOWS_NAME, Session, SessionError
from piaudit.policies.store import Store
from piaudit.policies.summary import rule_lines
from piaudit.policies.yamlfile import YamlError
from piaudit.scripts.usage import UsageError

MAX_WORKERS = 8  # the one writer does about a tenth of the work per flow of a worker: it keeps up with this many

Batch = list[tuple[str, dict[str, Any]]]  # (table, row) pairs, as Pipeline.flush hands them to a store


class ReplayError(ValueError):
    """Bad replay input, already phrased for the user (one line)."""


@dataclass
class ReplayResult:
    """What a replay produced."""

    session_dir: Path
    flows: int
    events: int
    findings: list[Finding]
    seconds: float
    skipped: list[str] = field(default_factory=list)  # damaged capture entries left out (not --strict)
    policy_path: str | None = None  # the policy judged against (None: an empty one)


def default_workers() -> int:
    """Processes that audit a ``.mitm`` capture: one per usable core; 1 (no workers) where fork is not safe.

    Workers are forked (they inherit the loaded detector, which does not pickle): that is safe on
    Linux in a process with no other thread running, and nowhere else.
    """
    if sys.platform != "linux" or threading.active_count() > 1:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


class _FlowAuditor:
    """Records and detects flows through a :class:`Pipeline` whose "store" only collects the rows.

    The rows go back to the replaying process, which writes them in file order: workers then
    need no database, and the ids and hash chains do not depend on which worker was fastest.
    ``joins`` holds the crypto ops and HTTP requests the events brought (filled before the flows).
    """

    def __init__(self, detector: Detector, joins: Joins):
        self._rows: Batch = []
        self.pipeline = Pipeline(self, detector=detector, joins=joins)

    def write_batch(self, batch: Batch) -> dict[str, list[int]]:
        """The pipeline's store interface: keep the rows."""
        self._rows.extend(batch)
        return {}

    def next_id(self, table: str) -> int:
        """The pipeline's store interface; workers record no events, so no row ids are assigned here."""
        raise AssertionError(f"a replay worker records no {table} rows")

    def audit(self, flows: Iterable[mflow.Flow]) -> tuple[int, Batch]:
        """Record ``flows``; return how many and their rows (flows, messages, detections, errors)."""
        n = 0
        for f in flows:
            self.pipeline.record_flow(to_record(f))
            n += 1
        self.pipeline.flush()
        batch, self._rows = self._rows, []
        return n, batch


_worker: tuple[_FlowAuditor, Path] | None = None  # set in each forked worker process


def _start_worker(auditor: _FlowAuditor, capture: Path) -> None:
    global _worker
    _worker = (auditor, capture)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers


def _audit_span(span: Span) -> tuple[int, Batch]:
    assert _worker is not None, "_start_worker runs first in every worker"
    auditor, capture = _worker
    return auditor.audit(read_span(capture, span))


def _mitm_batches(capture: Path, detector: Detector, joins: Joins, workers: int) -> Iterator[tuple[int, Batch]]:
    """(flows, rows) of each span of a ``.mitm`` capture, in file order.

    A damaged entry raises :class:`CaptureError` only after the spans before it are done, so the
    first damaged entry in the file is the one named, however the work was shared out.
    """
    spans = mitm_spans(capture, SPAN_ENTRIES)
    auditor = _FlowAuditor(detector, joins)
    if workers < 2:
        for span in spans:
            yield auditor.audit(read_span(capture, span))
        return
    # fork: the workers inherit the detector with every identifier the hook events taught it
    with multiprocessing.get_context("fork").Pool(workers, _start_worker, (auditor, capture)) as pool:
        in_flight: deque[Any] = deque()
        damaged: CaptureError | None = None
        while damaged is None:
            try:
                span = next(spans)
            except StopIteration:
                break
            except CaptureError as e:  # found by the length scan: raised once the spans before it are written
                damaged = e
                break
            in_flight.append(pool.apply_async(_audit_span, (span,)))
            if len(in_flight) >= 2 * workers:  # bounded: memory stays flat however long the capture
                yield in_flight.popleft().get()  # a worker's CaptureError is raised here, in file order
        while in_flight:
            yield in_flight.popleft().get()
        if damaged is not None:
            raise damaged
        pool.close()
        pool.join()


def _har_batches(
    capture: Path, flows_path: Path, detector: Detector, joins: Joins, skipped: list[str] | None = None
) -> Iterator[tuple[int, Batch]]:
    """(flows, rows) of a HAR capture, a span's worth at a time; the flows are also written to ``flows_path``.

    With a ``skipped`` list, damaged entries are left out and named there; without one the first refuses the file.
    """
    auditor = _FlowAuditor(detector, joins)
    flows = read_har(capture, strict=skipped is None, on_skip=skipped.append if skipped is not None else None)
    with private_open(flows_path, "wb") as fh:
        writer = mio.FlowWriter(fh)
        while chunk := list(islice(flows, SPAN_ENTRIES)):
            for f in chunk:
                writer.add(f)
            yield auditor.audit(chunk)


def _write(store: Store, batch: Batch, out: Path) -> None:
    if not batch:
        return
    try:
        store.write_batch(batch)
    except sqlite3.Error as e:
        raise ReplayError(f"{out}: the evidence store could not be written: {e}") from e


def _source_events(input_path: Path, hooks: Path | None, catalog: Catalog) -> list[TimelineItem]:
    """Timeline events from a source session (if INPUT is one) and from a hook-events JSONL.

    Reads whose stack names no party are attributed here as the live host attributes them
    (:class:`policies.attribution.Attributor`): a timeline from another tool has stacks but no
    ``party``, and must not be judged as if the app itself read everything.
    """
    events: list[TimelineItem] = []
    if input_path.is_dir():
        source = Session.open(input_path)
        events += session_events(source.store)
        source.store.conn.close()
    if hooks is not None:
        events += list(read_events(hooks))
    attributor = Attributor(catalog)
    for e in events:
        e.id = None
        attributor.complete(e)
    events.sort(key=lambda e: e.time)  # stable: equal times keep their file order
    return events


def _carry_review(source_dir: Path, session: Session) -> None:
    """Copy the source session's screens (rows and files) and checklist answers into the new session.

    They belong to the same run of the app as the events: a replay re-detects and re-judges, it
    does not re-watch the screen or re-ask the auditor. Each row keeps its content (new ids, new
    chain); the files keep their names, which are their hashes.
    """
    from piaudit.policies.screens import SCREENS_DIR

    source = Session.open(source_dir)
    try:
        screens = list(rows.screens(source.store))
        answers = list(rows.checks(source.store))
    finally:
        source.store.conn.close()
    if screens:
        (session.dir / SCREENS_DIR).mkdir(mode=0o700, exist_ok=True)
        for screen in screens:
            for name in (screen.png, screen.xml):
                if name and (source_dir / SCREENS_DIR / name).is_file():
                    shutil.copyfile(source_dir / SCREENS_DIR / name, session.dir / SCREENS_DIR / name)
                    os.chmod(session.dir / SCREENS_DIR / name, 0o600)
        session.store.insert_many("screens", [rows.screen_row(s) for s in screens])
    if answers:
        session.store.insert_many("checks", [rows.check_row(a) for a in answers])


def rejudge(session_dir: Path, options: AuditOptions) -> ReplayResult:
    """Judge an existing session again (a changed policy): appends a new findings run in place.

    Without a policy in ``options``, the session's own policy file is read again.
    """
    started = time.time()
    session = Session.open(session_dir, lock=True)  # a run writing it, or another re-judgement: refused, not interleaved
    try:
        if not options.policy and session.meta.policy_path:
            options = dataclasses.replace(options, policy=session.meta.policy_path)
        inputs = AuditInputs.load(options)
        findings = recompute(session, inputs)
    except BaseException:
        session.store.conn.close()
        session.unlock()
        raise
    inputs.record(session.meta, identifiers=False)
    session.meta.notes.append(
        f"re-judged at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} with policy {session.meta.policy_path}"
    )
    session.save()
    flows = session.store.count("flows")
    session.store.close()
    session.unlock()
    return ReplayResult(session_dir, flows, 0, findings, time.time() - started, policy_path=session.meta.policy_path)


def replay(
    input_path: Path,
    out: Path,
    options: AuditOptions,
    *,
    hooks: Path | None = None,
    workers: int | None = None,
    strict: bool = True,
) -> ReplayResult:
    """Build a new session in ``out`` from a session directory, a ``.mitm`` or a HAR file.

    ``options`` gives the policy, identifiers, extra catalog and geo database (as for a live
    run); ``workers`` processes audit a ``.mitm`` capture (default :func:`default_workers`); the
    result is the same for any number. ``strict=False`` skips damaged HAR entries (named in
    the result and in the session's notes) instead of refusing the file.
    """
    started = time.time()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReplayError(f"{out}: already exists and is not empty; choose a new -o DIR")
    capture = input_path / FLOWS_NAME if input_path.is_dir() else input_path
    if input_path.is_dir() and not (input_path / "session.json").is_file():
        raise ReplayError(f"{input_path}: a directory, but not a piaudit session (no session.json)")
    if not capture.is_file():
        raise ReplayError(f"{capture}: no such capture file")
    inputs = AuditInputs.load(options)  # a bad policy fails here, before anything is written
    events = _source_events(input_path, hooks, inputs.catalog)
    detector = inputs.detector()

    out = out.resolve()
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    created = [p for p in reversed(out.parents) if not p.exists()]  # removed again if the replay fails
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        session = Session.create(partial, source="replay", replay_input=str(input_path.resolve()))
        inputs.record(session.meta)
        session.save()
        pipeline = Pipeline(session.store, detector=detector)
        # offline we know every value the hooks returned before the first flow
        for event in events:
            pipeline.record_event(event)
        pipeline.flush()
        if input_path.is_dir():
            _carry_review(input_path, session)
        if pipeline.store_failed:
            raise ReplayError(f"{out}: the evidence store could not be written: {pipeline.store_failed}")
        skipped: list[str] = []
        if detect_format(capture) == "har":
            batches = _har_batches(capture, session.flows_path, detector, pipeline.joins, None if strict else skipped)
        else:
            with open(capture, "rb") as src, private_open(session.flows_path, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            batches = _mitm_batches(capture, detector, pipeline.joins, default_workers() if workers is None else workers)
        n = 0
        with closing(batches):  # on failure, stops the workers now rather than when collected
            for count, batch in batches:
                _write(session.store, batch, out)
                n += count
        # what the app wrote into TLS connections the proxy did not inspect, as flows of their own
        pipeline.record_tls_plaintext(rows.plaintext_records(session.store))
        pipeline.flush()
        if pipeline.store_failed:
            raise ReplayError(f"{out}: the evidence store could not be written: {pipeline.store_failed}")
        findings = recompute(session, inputs)
        if skipped:
            session.meta.notes += [f"skipped a damaged capture entry: {s}" for s in skipped]
        session.close(complete=True)
        os.rename(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        for directory in reversed(created):
            try:
                directory.rmdir()
            except OSError:
                break
        raise
    return ReplayResult(out, n, len(events), findings, time.time() - started, skipped, session.meta.policy_path)


def main_replay(args: argparse.Namespace) -> int:
    """CLI adapter for `piaudit replay`."""
    input_path = Path(args.input)
    options = AuditOptions.from_args(args, "replay")
    errors = (ReplayError, CaptureError, SessionError, OSError, EventLogError, PolicyError, IdentifiersError, CatalogError, YamlError)
    try:
        if args.out is None or (input_path.is_dir() and Path(args.out).resolve() == input_path.resolve()):
            if not input_path.is_dir():
                raise ReplayError(f"{input_path}: replaying a capture file needs -o DIR")
            if args.hooks or args.identifiers:
                raise ReplayError("--hooks and --identifiers change detection: give -o DIR for a new session")
            result = rejudge(input_path, options)
        else:
            result = replay(input_path, Path(args.out), options, hooks=Path(args.hooks) if args.hooks else None, strict=args.strict)
    except errors as e:
        raise UsageError(str(e) or repr(e)) from e  # every problem, one line each
    print(
        f"replayed {result.flows} flows and {result.events} events into {result.session_dir} in {result.seconds:.1f} s: {len(result.findings)} findings"
    )
    for line in rule_lines(result.findings):
        print(line)
    if not result.policy_path:
        print(f"warning: {NO_POLICY_NOTE} (give --policy FILE)", file=sys.stderr)
    for message in result.skipped:
        print(f"warning: {message} — skipped", file=sys.stderr)
    if result.skipped:
        n = len(result.skipped)
        print(
            f"warning: skipped {n} damaged entr{'y' if n == 1 else 'ies'} of {result.flows + n} (--strict refuses the file instead)",
            file=sys.stderr,
        )
    return 0

