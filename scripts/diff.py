"""`piaudit diff OLD NEW`: two sessions of one app compared per rule, data type and party — what a lab hands over after a retest.

Each side's current findings run is grouped (:mod:`scripts.reports.groups`) and keyed by rule,
data type and party, the party by its one name across sessions (:mod:`policies.parties`: the
catalog entry when there is one, so a policy that renamed "Bugly" to "Tencent Bugly" between the
two sessions does not make a finding look fixed). Every key is

- ``fixed``: in OLD, not in NEW;
- ``new``: in NEW, not in OLD;
- ``persisting``: in both;

with the evidence of each side (counts, times, hosts, places, the first finding's evidence and
its evidence rows). The checklist answers of both sides are carried too, item by item. These
JSON keys are a contract. Exit code 1 when anything is new or persisting (the retest did not
clear the app), 0 when everything was fixed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from piaudit.policies import checklist, rows
from piaudit.policies.catalog import default_catalog
from piaudit.policies.parties import PartyDirectory
from piaudit.policies.private import write_private_text
from piaudit.policies.redaction import NoRedaction, Redactor, session_identifiers
from piaudit.policies.ruletexts import rule_text
from piaudit.policies.session import Session, SessionError
from piaudit.policies.timefmt import country_zone, local, utc, zone
from piaudit.scripts.reports.groups import SEVERITY_RANK, Group, groups
from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, UsageError

FORMAT = "piaudit-diff/1"
STATUSES = ("new", "persisting", "fixed")


@dataclass
class Side:
    """One session's findings under one key."""

    findings: int = 0
    before_consent: int = 0
    severity: str = "info"
    first_time: float | None = None
    last_time: float | None = None
    groups: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the party names the findings carried
    evidence: str = ""
    message: str = ""
    evidence_rows: list[str] = field(default_factory=list)

    def add(self, g: Group) -> None:
        f = g.first
        self.findings += g.count
        self.before_consent += g.before_consent
        if SEVERITY_RANK[g.severity] < SEVERITY_RANK[self.severity]:
            self.severity = g.severity
        self.first_time = g.first_time if self.first_time is None else min(self.first_time, g.first_time)
        self.last_time = g.last_time if self.last_time is None else max(self.last_time, g.last_time)
        self.groups.append(g.id)
        for items, value in ((self.hosts, f.host), (self.places, f.where), (self.names, f.party)):
            if value and value not in items:
                items.append(value)
        if not self.evidence:
            self.evidence, self.message, self.evidence_rows = f.evidence, f.message, list(g.evidence_rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "before_consent": self.before_consent,
            "severity": self.severity,
            "first_time": self.first_time,
            "first_utc": utc(self.first_time),
            "last_time": self.last_time,
            "last_utc": utc(self.last_time),
            "groups": self.groups,
            "hosts": self.hosts,
            "where": self.places,
            "party_names": self.names,
            "evidence": self.evidence,
            "message": self.message,
            "evidence_rows": self.evidence_rows,
        }


@dataclass
class Entry:
    """One rule, data type and party, on both sides."""

    rule: str
    data_type: str | None
    party: str | None  # the one name
    party_key: str | None
    old: Side | None = None
    new: Side | None = None

    @property
    def status(self) -> str:
        return "persisting" if self.old and self.new else "new" if self.new else "fixed"

    @property
    def severity(self) -> str:
        sides = [s for s in (self.new, self.old) if s]
        return min((s.severity for s in sides), key=SEVERITY_RANK.__getitem__)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "data_type": self.data_type,
            "party": self.party,
            "party_key": self.party_key,
            "severity": self.severity,
            "old": self.old.as_json() if self.old else None,
            "new": self.new.as_json() if self.new else None,
        }


@dataclass
class SessionSide:
    """What a diff says about each session."""

    dir: Path
    meta: Any
    judgement: Any
    checks: dict[str, Any]
    findings: int
    label: str

    def as_json(self) -> dict[str, Any]:
        m, j = self.meta, self.judgement
        return {
            "dir": str(self.dir.resolve()),
            "label": self.label,
            "app": m.app,
            "app_version": (m.inputs.apk.model_dump().get("version_name") if m.inputs and m.inputs.apk else None),
            "started": m.started,
            "started_utc": utc(m.started),
            "stopped_utc": utc(m.stopped),
            "complete": m.complete,
            "policy_path": j.policy_path if j else m.policy_path,
            "policy_sha256": j.policy_sha256 if j else m.policy_sha256,
            "catalog_sha256": j.catalog_sha256 if j else m.catalog_sha256,
            "jurisdiction": j.jurisdiction if j else None,
            "findings": self.findings,
        }


@dataclass
class Diff:
    """The comparison of two sessions."""

    old: SessionSide
    new: SessionSide
    entries: list[Entry]
    warnings: list[str]

    def by_status(self, status: str) -> list[Entry]:
        return [e for e in self.entries if e.status == status]

    def checks(self) -> list[dict[str, Any]]:
        """Every checklist item with the answer in force on each side."""
        out = []
        for item in checklist.checklist_items():
            before, after = self.old.checks.get(item.id), self.new.checks.get(item.id)
            out.append(
                {
                    "item": item.id,
                    "clauses": item.clauses,
                    "text": {"zh": item.zh, "en": item.en},
                    "old": before.model_dump(mode="json") if before else None,
                    "new": after.model_dump(mode="json") if after else None,
                    "change": f"{before.verdict if before else '-'} -> {after.verdict if after else '-'}",
                }
            )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "sessions": {"old": self.old.as_json(), "new": self.new.as_json()},
            "counts": {s: len(self.by_status(s)) for s in STATUSES},
            **{s: [e.as_json() for e in self.by_status(s)] for s in ("fixed", "new", "persisting")},
            "checks": self.checks(),
            "warnings": self.warnings,
        }


def _label(directory: Path) -> str:
    name = directory.resolve().name
    return f"{directory.resolve().parent.name}/{name}" if name == "session" else name


def _side(directory: Path, keyed: dict[tuple[Any, ...], Entry], which: str) -> SessionSide:
    session = Session.open(directory)
    store = session.store
    try:
        judgement = rows.latest_judgement(store)
        directory_names = PartyDirectory(default_catalog(), judgement.parties if judgement else None)
        found = groups(store)
        readers = [p for (p,) in store.conn.execute("SELECT DISTINCT party FROM hook_events WHERE party IS NOT NULL")]
        directory_names.link_family(readers, [g.first.party for g in found if g.first.flow])
        for g in found:
            f = g.first
            info = directory_names.resolve(f.party)
            key = (f.rule, str(f.data_type) if f.data_type else None, info.key if info else None)
            entry = keyed.get(key)
            if entry is None:
                entry = keyed[key] = Entry(f.rule, key[1], info.name if info else None, info.key if info else None)
            side = getattr(entry, which)
            if side is None:
                side = Side()
                setattr(entry, which, side)
            side.add(g)
        return SessionSide(directory, session.meta, judgement, checklist.current_answers(store), sum(g.count for g in found), _label(directory))
    finally:
        store.conn.close()


def compare(old_dir: Path | str, new_dir: Path | str) -> Diff:
    """Compare two sessions (their current findings runs and checklist answers)."""
    keyed: dict[tuple[Any, ...], Entry] = {}
    old = _side(Path(old_dir), keyed, "old")
    new = _side(Path(new_dir), keyed, "new")
    warnings = []
    if old.meta.app and new.meta.app and old.meta.app != new.meta.app:
        warnings.append(f"the sessions audit different apps: {old.meta.app} and {new.meta.app}")
    if old.dir.resolve() == new.dir.resolve():
        warnings.append("OLD and NEW are the same session")
    for what, a, b in (
        ("policy", old.as_json()["policy_sha256"], new.as_json()["policy_sha256"]),
        ("catalog", old.as_json()["catalog_sha256"], new.as_json()["catalog_sha256"]),
    ):
        if a != b:
            warnings.append(f"the sessions were judged with different {what} files (SHA-256 {str(a)[:12]}… and {str(b)[:12]}…)")
    if old.meta.started > new.meta.started:
        warnings.append("OLD was recorded after NEW: check the order of the arguments")
    order = {s: i for i, s in enumerate(STATUSES)}
    entries = sorted(
        keyed.values(),
        key=lambda e: (order[e.status], SEVERITY_RANK[e.severity], e.rule, e.data_type or "", e.party or ""),
    )
    return Diff(old, new, entries, warnings)


def redactor(old_dir: Path, new_dir: Path) -> Redactor:
    """A redactor for the identifier values either session recorded (:mod:`policies.redaction`)."""
    from piaudit.policies.identifiers import Identifiers

    known = Identifiers()
    for d in (old_dir, new_dir):
        session = Session.open(d)
        try:
            known.merge(session_identifiers(session.store.conn))
        finally:
            session.store.conn.close()
    return Redactor(known)


def render_html(diff: Diff, redact: Redactor, lang: str, tz: Any) -> str:
    """The diff as one self-contained page (the report's environment: autoescaped, redacted)."""
    from piaudit.scripts.reports.i18n import Words
    from piaudit.scripts.reports.render import CSP, css_string, environment

    w = Words(lang)

    def clock(t: float | None) -> str:
        return local(t, tz)

    def side(s: Side | None) -> dict[str, Any] | None:
        if s is None:
            return None
        return s.as_json() | {"first": clock(s.first_time), "last": clock(s.last_time)}

    sections = []
    for status in STATUSES:
        items = []
        for e in diff.by_status(status):
            text = rule_text(e.rule)
            items.append(e.as_json() | {"title": text.title(lang), "old": side(e.old), "new": side(e.new), "status": status})
        sections.append((status, items))
    context = {
        "w": w,
        "lang": lang,
        "csp": Markup(CSP),
        "title": w("diff.title", app=diff.new.meta.app or diff.new.label),
        "old": diff.old.as_json() | {"started": clock(diff.old.meta.started)},
        "new": diff.new.as_json() | {"started": clock(diff.new.meta.started)},
        "sections": sections,
        "counts": {s: len(items) for s, items in sections},
        "checks": [
            c | {"item_text": c["text"][lang]}
            for c in diff.checks()
        ],
        "warnings": diff.warnings,
        "zone_name": tz.key,
        "running_header": css_string(redact.text(w("diff.pdf_header", app=diff.new.meta.app or "", old=diff.old.label, new=diff.new.label))),
        "redacted": not isinstance(redact, NoRedaction),
    }
    return environment(redact).get_template("diff.html.j2").render(context) + "\n"


def main_diff(args: argparse.Namespace) -> int:
    """CLI adapter for `piaudit diff`."""
    old_dir, new_dir = Path(args.old), Path(args.new)
    try:
        diff = compare(old_dir, new_dir)
        redact = redactor(old_dir, new_dir) if args.redact else NoRedaction()
        tz = zone(args.tz) if args.tz else country_zone(diff.new.judgement.jurisdiction if diff.new.judgement else None)
    except (SessionError, ValueError) as e:
        raise UsageError(str(e).splitlines()[0]) from e
    fmt = args.format
    out = args.output if args.output is not None else ("-" if fmt == "json" else str(new_dir / "diff.html"))
    if fmt == "json":
        doc = redact.any(diff.as_json())
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        if out == "-":
            raise UsageError("--format html is written to a file; give -o FILE")
        lang = args.lang or ("zh" if diff.new.judgement is not None and (diff.new.judgement.jurisdiction or "") == "CN" else "en")
        text = render_html(diff, redact, lang, tz)
    if out != "-" and Path(out).exists() and not args.force:
        raise UsageError(f"{out} exists; use --force to replace it")
    try:
        if out == "-":
            sys.stdout.write(text)
        else:
            write_private_text(out, text)
            counts = {s: len(diff.by_status(s)) for s in STATUSES}
            print(f"wrote {out}: {counts['fixed']} fixed, {counts['new']} new, {counts['persisting']} persisting")
    except OSError as e:
        raise UsageError(f"cannot write the diff: {e}") from e
    for warning in diff.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_FAIL if diff.by_status("new") or diff.by_status("persisting") else EXIT_OK
