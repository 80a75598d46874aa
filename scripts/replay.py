"""`piaudit replay`: audit a stored capture offline, or re-judge a session against a new policy.

The same pipeline as the live proxy (record → detect → judge), so live and replayed audits
cannot disagree. A new session is built in a hidden ``.NAME.partial-PID`` directory and
renamed into place only when complete: nothing half-written is left looking complete.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies import rows
from policies.auditor import build_detector, load_context, recompute
from policies.pipeline import Pipeline
from policies.session import FLOWS_NAME, Session, SessionError, file_sha256

FLUSH_EVERY = 500


class ReplayError(ValueError):
    """Bad replay input, already phrased for the user (one line)."""


@dataclass
class ReplayResult:
    """What a replay produced."""

    session_dir: Path
    flows: int
    events: int
    findings: list[Any]
    seconds: float


def _source_events(input_path: Path, hooks: Path | None) -> list[Any]:
    """Timeline events from a source session (if INPUT is one) and from a hook-events JSONL."""
    from policies.eventlog import read_events

    events: list[Any] = []
    if input_path.is_dir():
        source = Session.open(input_path)
        for table in rows.EVENT_TABLES.values():
            events += list(rows.events(source.store, table))
        source.store.conn.close()
    if hooks is not None:
        events += list(read_events(hooks))
    for e in events:
        e.id = None
    events.sort(key=lambda e: e.time)  # stable: equal times keep their file order
    return events


def rejudge(session_dir: Path, policy: Path | None, catalog: Path | None = None, geoip: Path | None = None) -> ReplayResult:
    """Judge an existing session again (a changed policy): appends a new findings run in place."""
    started = time.time()
    session = Session.open(session_dir)
    context = load_context(policy or session.meta.policy_path, catalog, geoip)
    findings = recompute(session, context)
    if policy is not None:
        session.meta.policy_path = str(policy.resolve())
        session.meta.policy_sha256 = file_sha256(policy)
    session.meta.catalog_sha256 = context.catalog.sha256
    session.meta.notes.append(f"re-judged at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} with policy {session.meta.policy_path}")
    session.save()
    flows = session.store.count("flows")
    session.store.close()
    return ReplayResult(session_dir, flows, 0, findings, time.time() - started)


def replay(
    input_path: Path,
    out: Path,
    *,
    policy: Path | None = None,
    hooks: Path | None = None,
    identifiers: Path | None = None,
    catalog: Path | None = None,
    geoip: Path | None = None,
) -> ReplayResult:
    """Build a new session in ``out`` from a session directory, a ``.mitm`` or a HAR file."""
    from addons.captures import detect_format, read_capture
    from addons.flowmodel import to_record

    started = time.time()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReplayError(f"{out}: already exists and is not empty; choose a new --out directory")
    capture = input_path / FLOWS_NAME if input_path.is_dir() else input_path
    if input_path.is_dir() and not (input_path / "session.json").is_file():
        raise ReplayError(f"{input_path}: a directory, but not a piaudit session (no session.json)")
    if not capture.is_file():
        raise ReplayError(f"{capture}: no such capture file")
    context = load_context(policy, catalog, geoip)  # a bad policy fails here, before anything is written
    events = _source_events(input_path, hooks)
    detector = build_detector(identifiers)

    out = out.resolve()
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        session = Session.create(partial, source="replay", replay_input=str(input_path.resolve()))
        meta = session.meta
        meta.policy_path = str(policy.resolve()) if policy else None
        meta.policy_sha256 = file_sha256(policy) if policy else None
        meta.catalog_sha256 = context.catalog.sha256
        meta.identifiers_sha256 = file_sha256(identifiers) if identifiers else None
        session.save()
        pipeline = Pipeline(session.store, detector=detector)
        # offline we know every value the hooks returned before the first flow
        for event in events:
            pipeline.record_event(event)
        pipeline.flush()
        fmt = detect_format(capture)
        writer = None
        if fmt == "mitm":
            shutil.copyfile(capture, session.flows_path)
        else:
            from mitmproxy import io as mio

            mitm_out = open(session.flows_path, "wb")
            writer = mio.FlowWriter(mitm_out)
        n = 0
        for f in read_capture(capture):
            if writer is not None:
                writer.add(f)
            pipeline.record_flow(to_record(f))
            n += 1
            if n % FLUSH_EVERY == 0:
                pipeline.flush()
        pipeline.flush()
        if writer is not None:
            mitm_out.close()
        if pipeline.store_failed:
            raise ReplayError(f"{out}: the evidence store could not be written: {pipeline.store_failed}")
        findings = recompute(session, context)
        session.close(complete=True)
        os.rename(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ReplayResult(out, n, len(events), findings, time.time() - started)


def main_replay(args: Any) -> int:
    """CLI adapter for `piaudit replay`."""
    from addons.captures import CaptureError
    from scripts.cli import UsageError

    input_path = Path(args.input)
    errors: tuple[type[BaseException], ...] = (ReplayError, CaptureError, SessionError, OSError)
    errors += _input_errors()
    try:
        if args.out is None or (input_path.is_dir() and Path(args.out).resolve() == input_path.resolve()):
            if not input_path.is_dir():
                raise ReplayError(f"{input_path}: replaying a capture file needs --out DIR")
            if args.hooks or args.identifiers:
                raise ReplayError("--hooks and --identifiers change detection: give --out DIR for a new session")
            result = rejudge(input_path, Path(args.policy) if args.policy else None, _opt(args.catalog), _opt(args.geoip))
        else:
            result = replay(
                input_path,
                Path(args.out),
                policy=_opt(args.policy),
                hooks=_opt(args.hooks),
                identifiers=_opt(args.identifiers),
                catalog=_opt(args.catalog),
                geoip=_opt(args.geoip),
            )
    except errors as e:
        raise UsageError(str(e).splitlines()[0] if str(e) else repr(e)) from e
    by_rule: dict[str, int] = {}
    for f in result.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    print(f"replayed {result.flows} flows and {result.events} events into {result.session_dir} in {result.seconds:.1f} s: {len(result.findings)} findings")
    for rule, count in sorted(by_rule.items()):
        print(f"  {count:5d}  {rule}")
    return 0


def _opt(value: str | None) -> Path | None:
    return Path(value) if value else None


def _input_errors() -> tuple[type[BaseException], ...]:
    """The error types of the input parsers (policy, events, identifiers, catalog)."""
    from policies.eventlog import EventLogError

    found: list[type[BaseException]] = [EventLogError]
    for module, name in (("policies.policy", "PolicyError"), ("policies.identifiers", "IdentifiersError"), ("policies.catalog", "CatalogError")):
        try:
            found.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    return tuple(found)
