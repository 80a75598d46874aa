"""The report's "Declared versus embedded" section: the session's policy against the APK it was drafted from.

A session knows its APK when its policy was drafted by `piaudit policy draft --apk`: the
draft's provenance line (the APK's SHA-256, package, version, signer, permissions and
embedded SDKs) is recorded in ``session.json`` ``inputs``. The comparison
(:func:`piaudit.policies.draft.compare.compare`, the same as `piaudit policy compare`) is made
when the session is judged and stored in the judgement of the findings run
(:attr:`models.Judgement.declared_vs_embedded`): the report reads it there, never the policy file.
"""

from __future__ import annotations

from typing import Any

from piaudit.policies.models import Judgement, SessionMeta

NOT_STORED = (
    "this findings run was judged before piaudit stored the comparison with the APK;"
    " judge the session again (`piaudit replay DIR`) to see it"
)


def as_json(meta: SessionMeta, judgement: Judgement | None) -> dict[str, Any] | None:
    """The section as JSON data (None when the session knows no APK)."""
    if meta.inputs is None or meta.inputs.apk is None:
        return None
    stored = judgement.declared_vs_embedded if judgement is not None else None
    if stored is None:
        return {"note": NOT_STORED}
    return dict(stored)


def view(meta: SessionMeta, judgement: Judgement | None, yes_no: dict[bool | None, str]) -> dict[str, Any] | None:
    """The section as the HTML template shows it (None when the session knows no APK)."""
    data = as_json(meta, judgement)
    if data is None:
        return None
    apk = meta.inputs.apk if meta.inputs else None
    out: dict[str, Any] = {"apk_path": apk.path if apk else "", "apk_sha256": apk.sha256 if apk else "", "note": data.get("note")}
    if out["note"]:
        return out
    out["category"] = data.get("category", "")
    out["embedded_not_declared"] = [
        [d.get("name"), d.get("catalog_id") or "", ", ".join(d.get("prefixes", [])), ", ".join(d.get("locations", []))]
        for d in data.get("embedded_not_declared", [])
    ]
    out["declared_not_embedded"] = [
        [d.get("name"), d.get("catalog_id") or "", ", ".join(d.get("prefixes", []))] for d in data.get("declared_not_embedded", [])
    ]
    out["permissions"] = [
        [p.get("permission"), ", ".join(p.get("data_types", [])), yes_no[p.get("justified")], p.get("reason", "")]
        for p in data.get("permissions", [])
    ]
    out["notes"] = list(data.get("notes", []))
    return out
