"""The campaign's answers from a corpus: per SDK, per rule, apps ranked by findings; with ``--since``, the retest view.

Definitions (docs/campaign.md):

- an SDK (``party``) *observes* personal data when a hook saw it read a data type, or a flow
  to one of its hosts carried one (a request detection);
- ``apps``: distinct apps in which it observed personal data; ``data_types``: which;
- ``before_consent_share``: the share of its observations made before the consent moment;
- ``declared_share``: of the apps whose traffic reached it, the share whose policy declares it;
- ``findings`` / ``findings_before_consent``: the findings of the current runs that name it.
"""

from __future__ import annotations

import html
import json
from typing import Any

import duckdb

from piaudit.scripts.corpus.query import run

PER_SDK = """
WITH observed AS (
    SELECT app, party, data_type, before_consent, party_kind FROM {s}detections WHERE direction = 'request' AND party IS NOT NULL
    UNION ALL
    SELECT app, party, data_type, before_consent, NULL FROM {s}hook_events WHERE party IS NOT NULL
), found AS (
    SELECT party, count(*) AS findings, count(*) FILTER (WHERE before_consent) AS findings_before_consent
    FROM {s}findings WHERE party IS NOT NULL GROUP BY party
)
SELECT o.party,
       count(DISTINCT o.app) AS apps,
       list(DISTINCT o.data_type ORDER BY o.data_type) AS data_types,
       round(avg(o.before_consent::INTEGER), 4) AS before_consent_share,
       round(count(DISTINCT o.app) FILTER (WHERE o.party_kind = 'declared_third_party')
             / nullif(count(DISTINCT o.app) FILTER (WHERE o.party_kind IS NOT NULL), 0), 4) AS declared_share,
       coalesce(max(f.findings), 0) AS findings,
       coalesce(max(f.findings_before_consent), 0) AS findings_before_consent
FROM observed o LEFT JOIN found f ON f.party = o.party
GROUP BY o.party ORDER BY apps DESC, findings DESC, o.party
"""

PER_RULE = """
SELECT rule, count(DISTINCT app) AS apps, count(*) AS findings, count(*) FILTER (WHERE before_consent) AS before_consent
FROM {s}findings GROUP BY rule ORDER BY apps DESC, findings DESC, rule
"""

APPS = """
SELECT s.app, count(DISTINCT s.session) AS sessions, coalesce(sum(f.n), 0) AS findings,
       coalesce(sum(f.before), 0) AS before_consent, coalesce(list_distinct(flatten(list(f.rules))), []) AS rules
FROM {s}sessions s LEFT JOIN (
    SELECT session, count(*) AS n, count(*) FILTER (WHERE before_consent) AS before, list(DISTINCT rule ORDER BY rule) AS rules
    FROM {s}findings GROUP BY session
) f ON f.session = s.session
GROUP BY s.app ORDER BY findings DESC, s.app
"""

TOTALS = "SELECT count(*) AS sessions, count(DISTINCT app) AS apps, coalesce(sum(findings), 0) AS findings FROM {s}sessions"


def _records(con: duckdb.DuckDBPyConnection, sql: str, schema: str = "") -> list[dict[str, Any]]:
    names, rows = run(con, sql.format(s=schema))
    return [dict(zip(names, [sorted(v) if isinstance(v, list) else v for v in row], strict=True)) for row in rows]


def summarize(con: duckdb.DuckDBPyConnection, *, since: bool = False) -> dict[str, Any]:
    """The summary as plain data; with ``since`` (views of the old corpus in schema ``old``), the retest view too."""
    doc: dict[str, Any] = {
        "totals": _records(con, TOTALS)[0],
        "sdks": _records(con, PER_SDK),
        "rules": _records(con, PER_RULE),
        "apps": _records(con, APPS),
    }
    if since:
        doc["since"] = retest(con)
    return doc


def retest(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Old corpus → new corpus: per app, findings and rules before and now; per SDK and rule, apps before and now."""
    old_apps = {a["app"]: a for a in _records(con, APPS, "old.")}
    new_apps = {a["app"]: a for a in _records(con, APPS)}
    apps = []
    for app in sorted(set(old_apps) | set(new_apps)):
        before, now = old_apps.get(app), new_apps.get(app)
        old_rules, new_rules = set(before["rules"]) if before else set(), set(now["rules"]) if now else set()
        apps.append(
            {
                "app": app,
                "findings_before": before["findings"] if before else None,
                "findings_now": now["findings"] if now else None,
                "before_consent_before": before["before_consent"] if before else None,
                "before_consent_now": now["before_consent"] if now else None,
                "rules_fixed": sorted(old_rules - new_rules),
                "rules_still": sorted(old_rules & new_rules),
                "rules_new": sorted(new_rules - old_rules),
                "status": "not retested" if now is None else "new" if before is None else "fixed" if not new_rules else "improved" if len(new_rules) < len(old_rules) or (now["findings"] < before["findings"]) else "not fixed",
            }
        )
    apps.sort(key=lambda a: (a["status"] != "not fixed", -(a["findings_now"] or 0), a["app"]))

    def compare(sql: str, key: str) -> list[dict[str, Any]]:
        old = {r[key]: r for r in _records(con, sql, "old.")}
        new = {r[key]: r for r in _records(con, sql)}
        return [{key: k, "apps_before": old[k]["apps"] if k in old else 0, "apps_now": new[k]["apps"] if k in new else 0} for k in sorted(set(old) | set(new), key=lambda k: (-(new[k]["apps"] if k in new else 0), str(k)))]

    return {"apps": apps, "sdks": compare(PER_SDK, "party"), "rules": compare(PER_RULE, "rule")}


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return html.escape(", ".join(str(v) for v in value))
    if isinstance(value, float):
        return f"{value:.0%}" if 0 <= value <= 1 else f"{value:.2f}"
    return html.escape(str(value))


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<h2>{html.escape(title)}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>{body or f'<tr><td colspan={len(columns)}>none</td></tr>'}</tbody></table>\n"


def to_html(doc: dict[str, Any], title: str = "piaudit corpus summary") -> str:
    """The summary as one self-contained HTML page; every value from the sessions is escaped."""
    t = doc["totals"]
    parts = [
        f"<p>{t['sessions']} sessions, {t['apps']} apps, {t['findings']} findings (current runs).</p>",
        _table("Per SDK", doc["sdks"], ["party", "apps", "data_types", "before_consent_share", "declared_share", "findings", "findings_before_consent"]),
        _table("Per rule", doc["rules"], ["rule", "apps", "findings", "before_consent"]),
        _table("Apps ranked by findings", doc["apps"], ["app", "sessions", "findings", "before_consent", "rules"]),
    ]
    if "since" in doc:
        s = doc["since"]
        parts += [
            _table("Retest: apps", s["apps"], ["app", "status", "findings_before", "findings_now", "before_consent_before", "before_consent_now", "rules_fixed", "rules_still", "rules_new"]),
            _table("Retest: SDKs", s["sdks"], ["party", "apps_before", "apps_now"]),
            _table("Retest: rules", s["rules"], ["rule", "apps_before", "apps_now"]),
        ]
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin-bottom:2em}"
        "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>\n<h1>{html.escape(title)}</h1>\n"
        + "".join(parts)
        + "</body></html>\n"
    )


def to_json(doc: dict[str, Any]) -> str:
    """The summary as JSON."""
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
