"""The findings section of the HTML report: each finding with the evidence it rests on.

For a flow: the request line and the detections, the identifier highlighted in the
decoded excerpt. For a hook call: the API, the value, and the stack with the frame
responsible (``HookEvent.caller``) marked, plus the SDK it belongs to.
"""

from __future__ import annotations

from typing import Any

from piaudit.policies.models import CryptoOp, Finding, HookEvent
from piaudit.scripts.reports.data import ReportData, utc
from piaudit.scripts.reports.page import Page

MAX_DETECTIONS = 20
MAX_FRAMES = 40


def _request(p: Page, flow: dict[str, Any], detections: list[dict[str, Any]], finding: Finding) -> str:
    status = f" → {flow['status_code']}" if flow.get("status_code") is not None else ""
    line = f"{flow['method'] or flow['kind']} {flow['url']} {flow['http_version'] or ''}".strip() + status
    facts = f"{flow['kind']} · server {flow['server_ip'] or flow['server_addr'] or '?'} · {'TLS' if flow['tls'] else 'no TLS'} · {utc(flow['timestamp_start'])}"
    out = [f'<h4>request</h4><pre>{p.t(line)}</pre><p class="note">{p.t(facts)}</p>']
    relevant = [d for d in detections if d["data_type"] == finding.data_type] or detections
    if relevant:
        rows = "".join(
            f"<tr><td>{p.t(d['data_type'])}</td><td><code>{p.t(d['where'])}</code></td><td>{p.t(d['encoding'])}</td>"
            f"<td>{p.t(d['direction'])}</td><td><pre>{p.excerpt(d['excerpt'])}</pre></td></tr>"
            for d in relevant[:MAX_DETECTIONS]
        )
        out.append(
            "<h4>detections in this flow</h4><table><thead><tr><th>data type</th><th>where</th><th>encoding</th>"
            f"<th>direction</th><th>decoded excerpt</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        out.append(p.more(min(len(relevant), MAX_DETECTIONS), len(relevant), "detections"))
    return "".join(out)


def _responsible(stack: list[str], caller: str | None) -> int | None:
    """The index of the caller's frame: an exact match, else the first frame that contains it."""
    if not caller:
        return None
    for i, frame in enumerate(stack):
        if frame == caller:
            return i
    return next((i for i, frame in enumerate(stack) if caller in frame or frame in caller), None)


def _hook(p: Page, event: HookEvent) -> str:
    api = f"{event.api.class_name}.{event.api.method}({event.api.overload})"
    facts = [
        ("API", api),
        ("returned", event.value),
        ("caller", event.caller),
        ("SDK / party", event.party or "the app itself"),
        ("thread", event.thread),
        ("process", f"{event.process} (pid {event.pid})" if event.pid else event.process),
        ("phase", event.phase),
        ("foreground", event.foreground),
        ("canary value", "yes" if event.canary else "no"),
        ("time (UTC)", utc(event.time)),
    ]
    dl = "".join(f"<dt>{p.t(k)}</dt><dd><code>{p.t(v)}</code></dd>" for k, v in facts if v not in (None, ""))
    marked = _responsible(event.stack, event.caller)
    frames = []
    for i, frame in enumerate(event.stack[:MAX_FRAMES]):
        if i == marked:
            frames.append(f'<li class="caller"><mark>{p.t(frame)}</mark> ← responsible frame</li>')
        else:
            frames.append(f"<li><code>{p.t(frame)}</code></li>")
    more = p.more(min(len(event.stack), MAX_FRAMES), len(event.stack), "frames")
    return f'<h4>hook call (hook_events:{p.t(event.id)})</h4><dl class="facts">{dl}</dl><h4>stack, innermost first</h4><ol class="stack">{"".join(frames)}</ol>{more}'


def _crypto_op(p: Page, op: CryptoOp) -> str:
    """A crypto:op the finding rests on: what the app encrypted, encoded, compressed or wrote to TLS."""
    facts = [
        ("op", f"{op.op} {op.algorithm}".strip()),
        ("API", f"{op.api.class_name}.{op.api.method}({op.api.overload})" if op.api else None),
        ("SDK / party", op.party or "the app itself"),
        ("caller", op.caller),
        ("process", op.process),
        ("connection", f"{op.host or '?'} ({op.connection})" if op.connection else None),
        ("input", f"{op.input_length} bytes, SHA-256 {op.input_sha256}" if op.input_length is not None else None),
        ("output", f"{op.output_length} bytes, SHA-256 {op.output_sha256}" if op.output_length is not None else None),
        ("captured in part", "yes: the first bytes only" if op.capped else None),
        ("key", p.redactor.key(op.key)),
        ("IV", p.redactor.key(op.iv)),
        ("time (UTC)", utc(op.time)),
    ]
    dl = "".join(f"<dt>{p.t(k)}</dt><dd><code>{p.t(v)}</code></dd>" for k, v in facts if v not in (None, ""))
    return f"<h4>crypto op (crypto_ops:{p.t(op.id)})</h4><dl class=\"facts\">{dl}</dl>"


def card(p: Page, n: int, f: Finding, data: ReportData) -> str:
    """One finding with its evidence."""
    tags = f'<span class="tag {p.t(f.severity)}">{p.t(f.severity)}</span>'
    tags += '<span class="tag bc">before consent</span>' if f.before_consent else '<span class="tag">after consent</span>'
    facts = [
        ("time (UTC)", utc(f.time)),
        ("data type", f.data_type),
        ("party", f.party or "the app itself"),
        ("sent by", f.sent_by),
        ("host", f.host),
        ("where", f.where),
        ("encoding", f.encoding),
        ("flow", f.flow),
        ("hook event", f.event),
        ("evidence rows", ", ".join(f.evidence_rows)),
    ]
    dl = "".join(f"<dt>{p.t(k)}</dt><dd><code>{p.t(v)}</code></dd>" for k, v in facts if v not in (None, ""))
    out = [
        f'<section class="finding {p.t(f.severity)}" id="finding-{n}"><h3>#{n} {p.t(f.rule)}{tags}</h3>',
        f'<p class="message">{p.t(f.message)}</p><dl class="facts">{dl}</dl>',
    ]
    if f.evidence:
        out.append(f"<h4>evidence</h4><pre>{p.t(f.evidence)}</pre>")
    if f.flow and f.flow in data.flows:
        out.append(_request(p, data.flows[f.flow], data.detections.get(f.flow, []), f))
    elif f.flow:
        out.append(f'<p class="note">flow {p.t(f.flow)} is not in the flows table</p>')
    if f.event is not None and f.event in data.hook_events:
        out.append(_hook(p, data.hook_events[f.event]))
    for row in f.evidence_rows:
        if row.startswith("crypto_ops:") and int(row.split(":", 1)[1]) in data.crypto_ops:
            out.append(_crypto_op(p, data.crypto_ops[int(row.split(":", 1)[1])]))
    out.append("</section>")
    return "".join(out)


def section(p: Page, data: ReportData, cap: int) -> str:
    """The findings section, capped at ``cap`` findings with a note."""
    head = f'<h2 id="findings">Findings ({len(data.findings)})</h2>'
    if not data.findings:
        return head + '<p class="note">no findings</p>'
    cards = "".join(card(p, n, f, data) for n, f in enumerate(data.findings[:cap], start=1))
    note = (
        (
            f'<p class="note">showing the first {cap} of {len(data.findings)} findings (in time order); '
            "every finding is in the JSON, CSV and XLSX reports</p>"
        )
        if len(data.findings) > cap
        else ""
    )
    return head + note + cards
