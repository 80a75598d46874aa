"""The HTML report (and the page the PDF is printed from), rendered from Jinja2 templates in zh or en.

Captured traffic is hostile input. The environment autoescapes, and its ``finalize`` passes
every ``{{ value }}`` through the redactor before escaping, so a template cannot forget either:
only :class:`markupsafe.Markup` that piaudit builds itself (the timeline SVG, the excerpt
highlights, image data URIs, CSS strings) passes as is, and each is built from escaped parts.
Values only ever appear as text or in attributes piaudit writes; a strict CSP
(``default-src 'none'``) forbids scripts and remote loads even if escaping failed.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from piaudit.policies.checklist import checklist_items
from piaudit.policies.integrity import Integrity
from piaudit.policies.models import CryptoOp, Finding, HookEvent
from piaudit.policies.private import write_private_text
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.policies.ruletexts import rule_text
from piaudit.policies.timefmt import local, utc
from piaudit.scripts.reports import embedded
from piaudit.scripts.reports.data import ReportData
from piaudit.scripts.reports.i18n import Words
from piaudit.scripts.reports.optionwords import describe
from piaudit.scripts.reports.shots import Shots
from piaudit.scripts.reports.timeline import BACKGROUND, GRANTED, PALETTE, REFUSED, SCREEN, UNCOUNTED, render_svg

TEMPLATES = Path(__file__).parent / "templates"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
MAX_GROUPS = 300  # groups shown in full; every finding is in the JSON, CSV and XLSX reports
MAX_DETECTIONS = 20
MAX_FRAMES = 40
PRINT_ROWS = 15  # rows of each coverage table in the PDF
PRINT_FRAMES = 3  # frames around (and with) the responsible one in the PDF
SPECIAL_FIELDS = {"rule", "severity", "message", "evidence", "evidence_rows", "before_consent", "time"}


def environment(redactor: Redactor) -> jinja2.Environment:
    """The templates' environment: autoescaped, every value redacted on output."""

    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, Markup):
            return value
        return redactor.text(str(value))

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def css_string(text: str) -> Markup:
    """A CSS string literal holding ``text``: every character but letters, digits, space and ``._-`` escaped.

    >>> str(css_string('a"b</style>'))
    '"a\\\\000022 b\\\\00003C \\\\00002F style\\\\00003E "'
    """
    out = []
    for ch in text:
        out.append(ch if ch.isascii() and (ch.isalnum() or ch in " ._-") else f"\\{ord(ch):06X} ")
    return Markup('"' + "".join(out) + '"')


def page_counter(pattern: str) -> Markup:
    """CSS ``content`` for a page label whose ``\\x00page\\x00`` and ``\\x00pages\\x00`` become counters.

    >>> str(page_counter("page \\x00page\\x00 of \\x00pages\\x00"))
    '"page " counter(page) " of " counter(pages)'
    """
    parts = pattern.split("\x00")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"counter({part})" if part in ("page", "pages") else str(css_string(part)))
        elif part:
            out.append(str(css_string(part)))
    return Markup(" ".join(out))


def excerpt(text: str, mask: Callable[[str], str]) -> Markup:
    """An excerpt with its ``[[match]]`` parts highlighted as ``<mark>`` (each part redacted and escaped)."""
    parts = re.split(r"\[\[(.*?)\]\]", text or "", flags=re.S)
    return Markup(
        "".join(f"<mark>{html.escape(mask(p))}</mark>" if i % 2 else html.escape(mask(p)) for i, p in enumerate(parts))
    )


def _responsible(stack: list[str], caller: str | None) -> int | None:
    """The index of the caller's frame: an exact match, else the first frame that contains it."""
    if not caller:
        return None
    for i, frame in enumerate(stack):
        if frame == caller:
            return i
    return next((i for i, frame in enumerate(stack) if caller in frame or frame in caller), None)


class View:
    """Builds the template context from :class:`ReportData`."""

    def __init__(self, data: ReportData, redactor: Redactor, *, print_mode: bool = False):
        self.d = data
        self.r = redactor
        self.redacted = not isinstance(redactor, NoRedaction)
        self.print = print_mode
        self.w = Words(data.lang)
        self.shots = Shots(data.dir, data.screens, self.w, self.clock, redactor.text if self.redacted else None)

    # -------------------------------------------------------------- small helpers
    def clock(self, t: float | None) -> str:
        """A time as the report shows it: in its zone."""
        return local(t, self.d.zone)

    def yes_no(self, value: bool | None) -> str:
        return {True: self.w("yes"), False: self.w("no"), None: self.w("unknown")}[value]

    @property
    def zone_name(self) -> str:
        offset = local(self.d.meta.started, self.d.zone)[-6:]
        return f"{self.d.zone.key} (UTC{offset})"

    def party(self, name: str | None) -> str:
        return self.d.parties.display(name) or self.w("party.app")

    # -------------------------------------------------------------- sections
    def banners(self) -> list[tuple[str, str, list[str]]]:
        d, w = self.d, self.w
        out: list[tuple[str, str, list[str]]] = [("alert", text, []) for text in d.warnings]
        if d.consent["note"]:
            out.append(("alert", w("banner.no_consent"), []))
        if not d.meta.complete:
            out.append(("warn", w("banner.incomplete", reason=d.meta.incomplete_reason or w("banner.incomplete_default")), []))
        if d.integrity.problems:  # a broken chain, rows changed against the recorded heads, a bad closing signature
            out.append(("alert", w("banner.chain_broken"), list(d.integrity.problems)))
        changed, _ = describe(d.meta.options, w)
        if changed:
            out.append(("warn", w("banner.options"), changed))
        for window in d.dialogs:
            if window.unanswered:
                out.append(("warn", w("banner.dialog_unanswered", first=self.clock(window.first_seen), gone=self.clock(window.gone_by),
                                      screens=", ".join(f"#{i}" for i in window.screens)), []))  # fmt: skip
        if self.redacted:
            out.append(("info", w("banner.redacted"), []))
        return out

    def cards(self) -> list[tuple[str, Any]]:
        d, w = self.d, self.w
        return [
            (w("card.findings"), d.findings_total),
            (w("card.groups"), len(d.groups)),
            (w("card.before_consent"), d.before_consent_total),
            (w("card.parties"), sum(1 for r in d.party_rows if r["party"])),
            (w("card.flows"), d.counts.get("flows", 0)),
            (w("card.reads"), d.counts.get("hook_events", 0)),
            (w("card.screens"), d.screens_total),
            (w("card.checks"), f"{len(d.checks)}/{len(checklist_items())}"),
        ]

    def rules(self) -> list[dict[str, Any]]:
        out = []
        for r in self.d.by_rule:
            text = rule_text(r["rule"])
            lang = self.d.lang
            out.append(r | {"title": text.title(lang), "explanation": text.explanation(lang), "basis": [b(lang) for b in text.legal_basis]})
        return out

    def sdks(self) -> list[dict[str, Any]]:
        out = []
        for row in self.d.party_rows:
            out.append(
                row
                | {
                    "party": row["party"] or self.w("party.app"),
                    "before_consent": self.yes_no(row["before_consent"]),
                    "declared": self.w("party.first_party") if not row["key"] else self.yes_no(row["declared"]),
                }
            )
        return out

    def timeline(self) -> tuple[Markup | None, list[tuple[Markup, str]]]:
        if self.d.timeline is None:
            return None, []
        svg = Markup(render_svg(self.d.timeline, self.w, self.clock, self.r.text))

        def swatch(body: str) -> Markup:
            return Markup(f'<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true">{body}</svg>')

        w = self.w
        legend = [
            (swatch(f'<rect x="1" y="1" width="8" height="12" fill="{PALETTE[0]}" fill-opacity="0.4"/><rect x="12" y="1" width="8" height="12" fill="{PALETTE[0]}"/>'), w("legend.events")),
            (swatch(f'<line x1="13" y1="0" x2="13" y2="14" stroke="{GRANTED}" stroke-width="2.5"/>'), w("legend.granted")),
            (swatch(f'<line x1="13" y1="0" x2="13" y2="14" stroke="{REFUSED}" stroke-width="2.5"/>'), w("legend.refused")),
            (swatch(f'<line x1="13" y1="0" x2="13" y2="14" stroke="{UNCOUNTED}" stroke-width="1.5" stroke-dasharray="5 3"/>'), w("legend.uncounted")),
            (swatch(f'<rect x="0" y="0" width="26" height="14" fill="{BACKGROUND}" fill-opacity="0.45"/>'), w("legend.background")),
            (swatch(f'<rect x="9" y="1" width="8" height="12" rx="1.5" fill="#fff" stroke="{SCREEN}" stroke-width="2"/>'), w("legend.screen")),
        ]
        return svg, legend

    def consent(self) -> tuple[str, list[dict[str, Any]], list[Any]]:
        c, w = self.d.consent, self.w
        moment = w("consent.moment", time=self.clock(c["consent_time"])) if c["consent_time"] else w("banner.no_consent")
        rows = []
        for e in c["events"]:
            shots = self.shots.for_event("consent", e["time"])
            rows.append(e | {"when": self.clock(e["time"]), "party": self.party(e["party"]) if e["party"] else "", "screens": shots})
        return moment, rows, self.shots.dialogs()

    def facts(self, f: Finding, count: int, first: float, last: float) -> list[tuple[str, Any]]:
        """The finding's fields as (label, value), generically: a field added to the model shows up by itself."""
        w = self.w
        out: list[tuple[str, Any]] = []
        if count > 1:
            out.append((w("findings.occurrences"), w("findings.span", n=count, first=self.clock(first), last=self.clock(last))))
        else:
            out.append((w("field.time"), f"{self.clock(f.time)}  ({utc(f.time)})"))
        for name in Finding.model_fields:
            if name in SPECIAL_FIELDS:
                continue
            value = getattr(f, name)
            if value in (None, "", [], {}):
                continue
            if name == "party":
                shown = self.party(value)
                value = shown if shown == value else f"{shown} ({w('findings.judged_as', name=value)})"
            elif isinstance(value, (list, tuple)):
                value = ", ".join(map(str, value))
            elif isinstance(value, dict):
                value = json.dumps(value, ensure_ascii=False)
            out.append((w.field(name), value))
        if f.party is None and f.data_type is not None and f.flow is None:
            out.append((w("field.party"), w("party.app")))
        return out

    def flow_view(self, f: Finding) -> dict[str, Any] | None:
        flow = self.d.flows.get(f.flow or "")
        if flow is None:
            return None
        status = f" → {flow['status_code']}" if flow.get("status_code") is not None else ""
        line = f"{flow['method'] or flow['kind']} {flow['url']} {flow['http_version'] or ''}".strip() + status
        facts = " · ".join(
            [flow["kind"], f"{self.w('findings.server')} {flow['server_ip'] or flow['server_addr'] or '?'}", "TLS" if flow["tls"] else self.w("findings.no_tls"), self.clock(flow["timestamp_start"])]
        )
        detections = self.d.detections.get(f.flow or "", [])
        relevant = [x for x in detections if x["data_type"] == f.data_type] or detections
        limit = 3 if self.print else MAX_DETECTIONS
        return {
            "line": line,
            "facts": facts,
            "detections": [x | {"excerpt": excerpt(x["excerpt"], self.r.text)} for x in relevant[:limit]],
            "detections_total": len(relevant),
        }

    def hook_view(self, event: HookEvent) -> dict[str, Any]:
        w = self.w
        api = f"{event.api.class_name}.{event.api.method}({event.api.overload})"
        facts = [
            (w("hook.api"), api),
            (w("hook.returned"), event.value),
            (w("hook.caller"), event.caller),
            (w("hook.party"), self.party(event.party)),
            (w("hook.thread"), event.thread),
            (w("hook.process"), f"{event.process} (pid {event.pid})" if event.pid else event.process),
            (w("hook.phase"), event.phase),
            (w("hook.foreground"), event.foreground),
            (w("hook.canary"), w("yes") if event.canary else w("no")),
            (w("field.time"), self.clock(event.time)),
        ]
        if self.print:  # the PDF keeps the stack around the responsible frame; the HTML has every fact
            facts = []
        marked = _responsible(event.stack, event.caller)
        lo = max(0, marked - PRINT_FRAMES // 2) if self.print and marked is not None else 0
        limit = PRINT_FRAMES if self.print else MAX_FRAMES
        frames = [(frame, i == marked) for i, frame in enumerate(event.stack) if lo <= i < lo + limit]
        return {
            "row": f"hook_events:{event.id}",
            "facts": [(k, v) for k, v in facts if v not in (None, "")],
            "frames": frames,
            "first_frame": lo + 1,
            "frames_total": len(event.stack),
        }

    def crypto_view(self, op: CryptoOp) -> dict[str, Any]:
        """A crypto:op a finding rests on: what the app encrypted, encoded, compressed or wrote to TLS."""
        w = self.w
        facts = [
            (w("crypto.op"), f"{op.op} {op.algorithm}".strip()),
            (w("crypto.api"), f"{op.api.class_name}.{op.api.method}({op.api.overload})" if op.api else None),
            (w("crypto.party"), self.party(op.party)),
            (w("crypto.caller"), op.caller),
            (w("crypto.process"), op.process),
            (w("crypto.connection"), f"{op.host or '?'} ({op.connection})" if op.connection else None),
            (w("crypto.input"), w("crypto.bytes", n=op.input_length, sha=op.input_sha256) if op.input_length is not None else None),
            (w("crypto.output"), w("crypto.bytes", n=op.output_length, sha=op.output_sha256) if op.output_length is not None else None),
            (w("crypto.capped"), w("crypto.capped_yes") if op.capped else None),
            (w("crypto.key"), self.r.key(op.key)),
            (w("crypto.iv"), self.r.key(op.iv)),
            (w("field.time"), self.clock(op.time)),
        ]
        return {"row": f"crypto_ops:{op.id}", "facts": [(k, v) for k, v in facts if v not in (None, "")]}

    def cards_for_groups(self) -> list[dict[str, Any]]:
        out = []
        for n, g in enumerate(self.d.groups[:MAX_GROUPS], start=1):
            f = g.first
            text = rule_text(f.rule)
            hook = self.d.hook_events.get(f.event) if f.event is not None else None
            flow = self.flow_view(f) if f.flow else None
            screens = self.shots.for_event("first_read", f.time, str(f.data_type)) if f.event is not None and f.data_type else []
            nearby = [] if screens else self.shots.near(f.time)  # named with a link, not embedded again
            out.append(
                {
                    "n": n,
                    "group": g.id,
                    "rule": f.rule,
                    "data_type": f.data_type or "",
                    "party": self.party(f.party) if f.party or f.data_type else "",
                    "when": self.clock(g.first_time),
                    "title": text.title(self.d.lang),
                    "explanation": text.explanation(self.d.lang),
                    "basis": [b(self.d.lang) for b in text.legal_basis],
                    "severity": g.severity,
                    "count": g.count,
                    "before_consent": g.before_consent,
                    "message": f.message,
                    "facts": self.facts(f, g.count, g.first_time, g.last_time),
                    "evidence": f.evidence,
                    "flow": flow,
                    "flow_missing": f.flow if f.flow and flow is None else None,
                    "hook": self.hook_view(hook) if hook is not None else None,
                    "crypto": [
                        self.crypto_view(self.d.crypto_ops[int(r.split(":", 1)[1])])
                        for r in f.evidence_rows
                        if r.startswith("crypto_ops:") and int(r.split(":", 1)[1]) in self.d.crypto_ops
                    ],
                    "screens": screens,
                    "nearby": nearby,
                    "rows": g.evidence_rows,
                    "more_rows": g.more_rows,
                }
            )
        return out

    def checklist(self) -> list[dict[str, Any]]:
        out = []
        for item in checklist_items():
            answer = self.d.checks.get(item.id)
            out.append(
                {
                    "id": item.id,
                    "text": item.text(self.d.lang),
                    "clauses": item.clauses,
                    "verdict": answer.verdict if answer else None,
                    "note": answer.note if answer else "",
                    "by": answer.by if answer else "",
                    "when": self.clock(answer.time) if answer else "",
                    "screens": answer.screens if answer else [],
                }
            )
        return out

    def coverage_tables(self) -> list[dict[str, Any]]:
        tables = self._coverage_tables()
        if self.print:  # the PDF lists the first rows; the HTML and JSON have them all
            for t in tables:
                t["rows"] = t["rows"][:PRINT_ROWS]
        return tables

    def _coverage_tables(self) -> list[dict[str, Any]]:
        c, w = self.d.coverage, self.w
        return [
            {
                "heading": w("coverage.tls"),
                "intro": "",
                "headers": [w("col.host"), "SNI", w("col.stage"), w("col.error"), w("col.connections"), w("col.first_utc")],
                "rows": [
                    [x["host"], x["sni"], w(f"tls_stage.{x['stage']}") if w.has(f"tls_stage.{x['stage']}") else x["stage"], x["error"], x["handshakes"], x["first_utc"]]
                    for x in c["tls_not_inspected"]
                ],
                "numeric": (4,),
                "total": c["tls_not_inspected_total"],
                "what": w("what.hosts"),
            },
            {
                "heading": w("coverage.tls_hook_only"),
                "intro": "",
                "headers": [w("col.host"), w("crypto.requests"), w("crypto.writes"), w("col.first_utc")],
                "rows": [[x["host"], x["requests"], x["writes"], x["first_utc"]] for x in c.get("tls_hook_only", [])],
                "numeric": (1, 2),
                "total": len(c.get("tls_hook_only", [])),
                "what": w("what.hosts"),
            },
            {
                "heading": w("coverage.non_http"),
                "intro": "",
                "headers": [w("col.kind"), w("col.host"), w("col.port"), w("col.flows"), w("col.bytes"), w("col.first_utc")],
                "rows": [[x["kind"], x["host"], x["port"], x["flows"], x["bytes"], x["first_utc"]] for x in c["non_http"]],
                "numeric": (2, 3, 4),
                "total": c["non_http_total"],
                "what": w("what.endpoints"),
            },
            {
                "heading": w("coverage.hook_processes"),
                "intro": "" if c["hook_processes"] else w("coverage.no_hooks"),
                "headers": [w("field.process"), w("hook_state.installed"), w("hook_state.pending"), w("hook_state.never_loaded"), w("hook_state.failed")],
                "rows": [
                    [name or w("unknown"), n["installed"], n["pending"], n["never_loaded"], n["failed"]]
                    for name, n in sorted(c["hook_processes"].items(), key=lambda kv: kv[0] or "")
                ],
                "numeric": (1, 2, 3, 4),
                "total": len(c["hook_processes"]),
                "what": w("what.processes"),
            },
            {
                "heading": w("coverage.hooks_failed"),
                "intro": w("coverage.hooks_installed", n=c["hooks_installed"]),
                "headers": ["API", w("field.process"), w("field.data_type"), w("col.error")],
                "rows": [[x["api"], x["process"], x["data_type"], x["error"]] for x in c["hooks_failed"]],
                "numeric": (),
                "total": c["hooks_failed_total"],
                "what": w("what.hooks"),
            },
            {
                "heading": w("coverage.errors"),
                "intro": "",
                "headers": [w("col.time_utc"), w("col.source"), w("col.message"), w("col.flow")],
                "rows": [[x["time_utc"], x["source"], x["message"], x["flow"]] for x in c["errors"]],
                "numeric": (),
                "total": c["errors_total"],
                "what": w("what.errors"),
            },
        ]

    def provenance(self) -> list[tuple[str, Any]]:
        m, w, j = self.d.meta, self.w, self.d.judgement
        facts: list[tuple[str, Any]] = [
            (w("prov.app"), m.app),
            (w("prov.session"), str(self.d.dir.resolve())),
            (w("prov.source"), m.source + (f" ({m.replay_input})" if m.replay_input else "")),
            (w("prov.started"), f"{self.clock(m.started)}  ({utc(m.started)})"),
            (w("prov.stopped"), f"{self.clock(m.stopped)}  ({utc(m.stopped)})" if m.stopped else ""),
            (w("prov.complete"), self.yes_no(m.complete)),
            (w("prov.policy"), (j.policy_path if j else m.policy_path) or w("prov.no_policy")),
            (w("prov.policy_sha256"), (j.policy_sha256 if j else m.policy_sha256) or ""),
            (w("prov.catalog_sha256"), (j.catalog_sha256 if j else m.catalog_sha256) or ""),
            (w("prov.identifiers_sha256"), m.identifiers_sha256 or ""),
            (w("prov.jurisdiction"), (j.jurisdiction if j else None) or w("unknown")),
            (w("prov.judged"), f"{w('prov.run', run=j.run)} · {self.clock(j.time)}" if j else w("unknown")),
            (w("prov.mode"), ", ".join(m.mode)),
        ]
        if m.inputs:
            for key, value in (("privacy_policy", m.inputs.privacy_policy), ("apk", m.inputs.apk)):
                if value:
                    facts.append((w(f"prov.drafted_{key}"), f"{value.path} sha256 {value.sha256}"))
        return [(k, v) for k, v in facts if v not in (None, "")]

    # -------------------------------------------------------------- the page
    def context(self) -> dict[str, Any]:
        d, w = self.d, self.w
        app = d.meta.app or d.dir.name
        timeline_svg, legend = self.timeline()
        consent_moment, consent_rows, dialogs = self.consent()
        _, option_words = describe(d.meta.options, w)
        sections = [
            ("summary", w("section.summary")),
            ("timeline", w("section.timeline")),
            ("consent", w("section.consent")),
            ("findings", w("section.findings")),
            ("basis", w("section.basis")),
            ("screens", w("section.screens")),
            ("checklist", w("section.checklist")),
            ("coverage", w("section.coverage")),
            *([("embedded", w("section.embedded"))] if d.meta.inputs and d.meta.inputs.apk else []),
            ("provenance", w("section.provenance")),
        ]
        title = w("title", app=app)
        period = f"{self.clock(d.meta.started)} – {self.clock(d.meta.stopped) if d.meta.stopped else '…'}"
        subtitle = w("subtitle", session=d.label, period=period, findings=d.findings_total, groups=len(d.groups))
        checklist = self.checklist()
        return {
            "w": w,
            "d": d,
            "lang": d.lang,
            "print": self.print,
            "csp": Markup(CSP),  # a constant: its quotes stay quotes
            "title": title,
            "subtitle": subtitle,
            "nav": sections,
            "zone_name": self.zone_name,
            "running_header": css_string(self.r.text(w("pdf.header", app=app, session=d.label))),
            "running_footer": css_string(self.r.text(w("pdf.footer", period=period))),
            "page_label": page_counter(w("pdf.page", page="\x00page\x00", pages="\x00pages\x00")),
            "banners": self.banners(),
            "cards": self.cards(),
            "rules": self.rules(),
            "sdks": self.sdks(),
            "timeline_svg": timeline_svg,
            "legend": legend,
            "consent_moment": consent_moment,
            "consent_rows": consent_rows,
            "dialogs": dialogs,
            "finding_cards": self.cards_for_groups(),
            "shots": self.shots.shots,
            "checklist": checklist,
            "checks_answered": sum(1 for c in checklist if c["verdict"]),
            "coverage_tables": self.coverage_tables(),
            "embedded": embedded.view(d.meta, d.judgement, {True: w("yes"), False: w("no_caps"), None: w("not_judged")}),
            "provenance": self.provenance(),
            "option_words": option_words,
            "versions": [[k, v] for k, v in sorted(d.meta.versions.items())],
            "chains": [[t, d.counts.get(t, ""), status] for t, status in d.chain_status.items()],
            "integrity_notes": [*d.integrity.problems, *d.integrity.notes],
            "session_notes": d.meta.notes,
        }


def render(data: ReportData, redactor: Redactor | None = None, *, print_mode: bool = False) -> str:
    """The whole report page."""
    redactor = redactor or NoRedaction()
    view = View(data, redactor, print_mode=print_mode)
    context = view.context()
    return environment(redactor).get_template("report.html.j2").render(context) + "\n"


def write_html(
    session_dir: Path,
    out: Path,
    redactor: Redactor | None = None,
    *,
    lang: str | None = None,
    zone: Any = None,
    print_mode: bool = False,
    integrity: Integrity | None = None,
) -> Path:
    """Write the HTML report of ``session_dir`` to ``out`` (``print_mode``: the page the PDF is printed from)."""
    from piaudit.scripts.reports.data import load

    data = load(session_dir, lang=lang, zone=zone, evidence_groups=MAX_GROUPS, with_timeline=True, integrity=integrity)
    write_private_text(out, render(data, redactor, print_mode=print_mode))
    return out
