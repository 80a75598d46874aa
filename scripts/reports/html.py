"""The HTML report: one self-contained page an auditor can hand over (no script, no external asset).

Captured traffic is hostile input. Every value reaches the page through :meth:`Page.t`,
which redacts (when asked) and HTML-escapes it; values only ever appear as text
content, never in a ``<script>``/``<style>`` element or an attribute. A strict CSP
(``default-src 'none'``) forbids scripts and remote loads even if escaping failed.
"""

from __future__ import annotations

import json
from pathlib import Path

from piaudit.policies.integrity import Integrity
from piaudit.policies.private import write_private_text
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.scripts.reports import embedded, findings_html
from piaudit.scripts.reports.data import ReportData, by_party, by_rule, load, utc
from piaudit.scripts.reports.page import Page
from piaudit.scripts.reports.timeline import render_svg

MAX_FINDINGS = 300
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:0;color:#1d1d1f;background:#fff}
header{background:#16324f;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;opacity:.85}
nav{background:#eef2f6;padding:8px 28px;border-bottom:1px solid #d5dde6}nav a{margin-right:16px;color:#16324f}
main{padding:8px 28px 40px;max-width:1300px}h2{border-bottom:2px solid #16324f;padding-bottom:4px;margin-top:32px}
.banner{padding:12px 16px;margin:14px 0;border-radius:6px;font-weight:600}.alert{background:#fde8e8;border:2px solid #b42318;color:#7a1111;font-size:17px}
.warn{background:#fff4d6;border:1px solid #d49b00}.info{background:#e8f1fb;border:1px solid #7aa7d9;font-weight:400}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d5dde6;border-radius:8px;padding:10px 16px;min-width:130px;background:#f8fafc}
.card b{display:block;font-size:24px;color:#16324f}table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #d5dde6;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef2f6}
td.num{text-align:right}code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #e1e4e8;padding:8px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
mark{background:#ffe066;color:#000;padding:0 2px;border-radius:2px;font-weight:700}
.finding{border:1px solid #d5dde6;border-left:6px solid #7aa7d9;border-radius:6px;padding:6px 14px;margin:14px 0}
.finding.high{border-left-color:#b42318}.finding.medium{border-left-color:#e07b00}.finding.low{border-left-color:#2f7d32}
.finding h3{margin:6px 0;font-size:16px}.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;margin-left:6px;background:#eef2f6}
.tag.bc{background:#b42318;color:#fff}.tag.high{background:#fde8e8}.facts{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:6px 0}
.facts dt{color:#555}.facts dd{margin:0;word-break:break-all}ol.stack li.caller{background:#fff4d6}ol.stack{margin:4px 0}
.note{color:#555;font-style:italic}.svgwrap{overflow-x:auto;border:1px solid #e1e4e8;padding:6px}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
"""


def _banners(p: Page, data: ReportData, redacted: bool) -> str:
    out = [f'<div class="banner alert">{p.t(w)}</div>' for w in data.warnings]
    if data.consent["note"]:
        out.append(f'<div class="banner alert">{p.t(data.consent["note"])}</div>')
    if not data.meta.complete:
        reason = data.meta.incomplete_reason or "the session did not end cleanly (crash or still running)"
        out.append(f'<div class="banner warn">incomplete session: {p.t(reason)}</div>')
    if data.integrity.problems:
        items = "".join(f"<li>{p.t(problem)}</li>" for problem in data.integrity.problems)
        out.append(f'<div class="banner alert">the evidence was changed after piaudit wrote it:<ul>{items}</ul></div>')
    if data.meta.options:
        out.append(
            f'<div class="banner warn">options that change what was audited: {p.t(json.dumps(data.meta.options, sort_keys=True))}</div>'
        )
    if redacted:
        out.append('<div class="banner info">identifier values are redacted: ‹type:sha256:prefix› stands for a value</div>')
    return "".join(out)


def _summary(p: Page, data: ReportData) -> str:
    findings = data.findings
    cards = [
        ("findings", len(findings)),
        ("before consent", sum(f.before_consent for f in findings)),
        ("parties", len({f.party for f in findings if f.party})),
        ("flows", data.counts["flows"]),
        ("hook reads", data.counts["hook_events"]),
        ("detections", data.counts["detections"]),
    ]
    html_cards = "".join(f'<div class="card"><b>{p.t(n)}</b>{p.t(label)}</div>' for label, n in cards)
    rules = p.table(
        ["rule", "findings", "before consent", "worst severity"],
        [[r["rule"], r["findings"], r["before_consent"], r["severity"]] for r in by_rule(findings)],
        {1, 2},
    )
    parties = p.table(
        ["party", "findings", "before consent", "rules", "data types", "hosts"],
        [
            [
                e["party"] or "(none: the app or its first party)",
                e["findings"],
                e["before_consent"],
                ", ".join(f"{k} ×{v}" for k, v in e["rules"].items()),
                ", ".join(e["data_types"]),
                ", ".join(e["hosts"][:8]),
            ]
            for e in by_party(findings)
        ],
        {1, 2},
    )
    return (
        f'<h2 id="summary">Summary</h2><div class="cards">{html_cards}</div><h3>Per rule</h3>{rules}<h3>Per party</h3>{parties}'
    )


def _timeline(p: Page, data: ReportData) -> str:
    out = '<h2 id="timeline">Timeline</h2>'
    if data.timeline is None:
        return out + '<p class="note">nothing with a time was recorded</p>'
    svg = render_svg(data.timeline, p.redactor.text)
    legend = (
        '<p class="legend"><span><i class="sw" style="background:#1a7f37"></i>consent granted</span>'
        '<span><i class="sw" style="background:#b42318"></i>consent refused / withdrawn</span>'
        '<span><i class="sw" style="background:#c8c8c8"></i>app in background</span>'
        "<span>darker marks: more events in that interval</span></p>"
    )
    return out + f'<div class="svgwrap">{svg}</div>{legend}'


def _consent(p: Page, data: ReportData) -> str:
    c = data.consent
    moment = f"consent moment: {p.t(c['consent_time_utc'])}" if c["consent_time"] else p.t(c["note"])
    rows = [
        [e["time_utc"], e["decision"], e["source"], e["detail"], e["party"] or "", "yes" if e["counted"] else "no (policy)"]
        for e in c["events"]
    ]
    table = p.table(["time (UTC)", "decision", "source", "detail", "party", "counted"], rows) if rows else ""
    return (
        f'<h2 id="consent">Consent</h2><p><b>{moment}</b> — answer in force at the end: {p.t(c["decision"])};'
        f" signals counted: {p.t(', '.join(c['signals']))}</p>{table}"
    )


def _coverage(p: Page, data: ReportData) -> str:
    c = data.coverage
    out = ['<h2 id="coverage">Coverage: what the audit could not see</h2>']
    out.append("<h3>Hosts whose TLS was not inspected</h3>")
    out.append(
        p.table(
            ["host", "SNI", "stage", "error", "connections", "first (UTC)"],
            [[x["host"], x["sni"], x["stage"].replace("_", " "), x["error"], x["handshakes"], x["first_utc"]] for x in c["tls_not_inspected"]],
            {4},
        )
        if c["tls_not_inspected"]
        else '<p class="note">none</p>'
    )
    out.append(p.more(len(c["tls_not_inspected"]), c["tls_not_inspected_total"], "hosts"))
    out.append("<h3>Non-HTTP traffic (raw TCP/UDP, DNS)</h3>")
    out.append(
        p.table(
            ["kind", "host", "port", "flows", "bytes", "first (UTC)"],
            [[x["kind"], x["host"], x["port"], x["flows"], x["bytes"], x["first_utc"]] for x in c["non_http"]],
            {2, 3, 4},
        )
        if c["non_http"]
        else '<p class="note">none</p>'
    )
    out.append(p.more(len(c["non_http"]), c["non_http_total"], "endpoints"))
    out.append("<h3>Hooks per process</h3>")
    out.append(
        p.table(
            ["process", "installed", "pending", "never loaded", "failed"],
            [[name or "(unknown)", n["installed"], n["pending"], n["never_loaded"], n["failed"]] for name, n in sorted(c["hook_processes"].items())],
            {1, 2, 3, 4},
        )
        if c["hook_processes"]
        else '<p class="note">no hooks (a traffic-only session)</p>'
    )
    out.append(f"<h3>Hooks that failed to install</h3><p>{p.t(c['hooks_installed'])} hooks installed.</p>")
    out.append(
        p.table(["API", "process", "data type", "error"], [[x["api"], x["process"], x["data_type"], x["error"]] for x in c["hooks_failed"]])
        if c["hooks_failed"]
        else '<p class="note">none</p>'
    )
    out.append(p.more(len(c["hooks_failed"]), c["hooks_failed_total"], "hooks"))
    if c["truncated_flows"]:
        out.append(f"<p>{p.t(c['truncated_flows'])} flows had bodies too large to scan whole.</p>")
    out.append("<h3>Audit errors</h3>")
    out.append(
        p.table(
            ["time (UTC)", "source", "message", "flow"],
            [[x["time_utc"], x["source"], x["message"], x["flow"]] for x in c["errors"]],
        )
        if c["errors"]
        else '<p class="note">none</p>'
    )
    out.append(p.more(len(c["errors"]), c["errors_total"], "errors"))
    return "".join(out)


def _provenance(p: Page, data: ReportData) -> str:
    m = data.meta
    facts = [
        ("app", m.app),
        ("source", m.source + (f" (from {m.replay_input})" if m.replay_input else "")),
        ("started (UTC)", utc(m.started)),
        ("stopped (UTC)", utc(m.stopped)),
        ("complete", m.complete),
        ("policy", m.policy_path or "none (rules that need a policy were not judged)"),
        ("policy sha256", m.policy_sha256),
        ("catalog sha256", m.catalog_sha256),
        ("identifiers sha256", m.identifiers_sha256),
        *(
            [(f"policy drafted from {k.replace('_', ' ')}", f"{v.path} sha256 {v.sha256}") for k, v in (("privacy_policy", m.inputs.privacy_policy), ("apk", m.inputs.apk)) if v]
            if m.inputs
            else []
        ),
        ("proxy mode", ", ".join(m.mode)),
        ("options", json.dumps(m.options, sort_keys=True) if m.options else "none"),
    ]
    dl = "".join(f"<dt>{p.t(k)}</dt><dd><code>{p.t(v)}</code></dd>" for k, v in facts)
    versions = p.table(["component", "version"], [[k, v] for k, v in sorted(m.versions.items())])
    chains = p.table(
        ["evidence table", "rows", "hash chain"],
        [[t, data.counts.get(t, ""), prob or "intact"] for t, prob in data.chains.items()],
    )
    notes = "".join(f"<li>{p.t(n)}</li>" for n in m.notes)
    checks = "".join(f"<li>{p.t(n)}</li>" for n in data.integrity.problems + data.integrity.notes)
    return (
        f'<h2 id="provenance">Policy, catalog and versions</h2><dl class="facts">{dl}</dl>{versions}'
        f"<h3>Evidence integrity</h3>{chains}" + (f"<ul>{checks}</ul>" if checks else "") + (f"<h3>Session notes</h3><ul>{notes}</ul>" if notes else "")
    )


def render(data: ReportData, redactor: Redactor | None = None) -> str:
    """The whole report page."""
    p = Page(redactor or NoRedaction())
    redacted = not isinstance(p.redactor, NoRedaction)
    title = f"piaudit report: {data.meta.app or data.dir.name}"
    nav = "".join(
        f'<a href="#{a}">{label}</a>'
        for a, label in (
            ("summary", "Summary"),
            ("timeline", "Timeline"),
            ("consent", "Consent"),
            ("findings", "Findings"),
            ("coverage", "Coverage"),
            *([("embedded", "Declared vs embedded")] if data.meta.inputs and data.meta.inputs.apk else []),
            ("provenance", "Policy &amp; versions"),
        )
    )
    sub = f"session {data.dir.name} · {utc(data.meta.started)} – {utc(data.meta.stopped)} · {len(data.findings)} findings"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><meta name="referrer" content="no-referrer">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{p.t(title)}</title><style>{CSS}</style></head>'
        f"<body><header><h1>{p.t(title)}</h1><p>{p.t(sub)}</p></header><nav>{nav}</nav><main>"
        + _banners(p, data, redacted)
        + _summary(p, data)
        + _timeline(p, data)
        + _consent(p, data)
        + findings_html.section(p, data, MAX_FINDINGS)
        + _coverage(p, data)
        + embedded.section(p, data.meta)
        + _provenance(p, data)
        + f'<footer><p class="note">written by piaudit {p.t(data.meta.versions.get("piaudit", ""))} · times in UTC</p></footer>'
        "</main></body></html>\n"
    )


def write_html(session_dir: Path, out: Path, redactor: Redactor | None = None, *, integrity: Integrity | None = None) -> Path:
    """Write the HTML report of ``session_dir`` to ``out``."""
    data = load(session_dir, evidence_for=MAX_FINDINGS, with_timeline=True, integrity=integrity)
    write_private_text(out, render(data, redactor))
    return out
