"""The report's "Declared versus embedded" section: the session's policy against the APK it was drafted from.

A session knows its APK when its policy was drafted by `piaudit policy draft --apk`: the
draft's provenance line (the APK's SHA-256, package, version, signer, permissions and
embedded SDKs) is recorded in ``session.json`` ``inputs``. The comparison is
:func:`piaudit.policies.draft.compare.compare`, the same as `piaudit policy compare`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from piaudit.policies.models import SessionMeta


def comparison(meta: SessionMeta) -> tuple[Any, str]:
    """(the :class:`Comparison` or None, a note saying why there is none or what to mind)."""
    from piaudit.policies.draft.compare import compare
    from piaudit.policies.policy import PolicyError, load_policy
    from piaudit.policies.session import file_sha256

    if meta.inputs is None or meta.inputs.apk is None:
        return None, "the session's policy was not drafted from an APK (see `piaudit policy compare POLICY --apk APP.apk`)"
    path = meta.policy_path
    if not path or not Path(path).is_file():
        return None, f"the policy file {path} is not available to compare with"
    if meta.policy_sha256 and file_sha256(path) != meta.policy_sha256:
        return None, f"the policy file {path} changed since the session used it: not compared"
    try:
        policy = load_policy(path)
    except PolicyError as e:
        return None, str(e)
    return compare(policy, meta.inputs.apk.model_dump()), ""


def as_json(meta: SessionMeta) -> dict[str, Any] | None:
    """The section as JSON data (None when the session knows no APK)."""
    result, note = comparison(meta)
    if result is None and (meta.inputs is None or meta.inputs.apk is None):
        return None
    if result is None:
        return {"note": note}
    return {**result.model_dump(mode="json"), "differences": result.differences}


def section(p: Any, meta: SessionMeta) -> str:
    """The HTML section (empty when the session knows no APK)."""
    if meta.inputs is None or meta.inputs.apk is None:
        return ""
    result, note = comparison(meta)
    apk = meta.inputs.apk
    head = (
        '<h2 id="embedded">Declared versus embedded</h2>'
        f'<p>APK <code>{p.t(apk.path)}</code> (SHA-256 <code>{p.t(apk.sha256)}</code>), recorded from the policy draft\'s provenance.</p>'
    )
    if result is None:
        return head + f'<p class="note">{p.t(note)}</p>'
    parts = [head]
    parts.append(f"<h3>Embedded in the APK but not declared ({len(result.embedded_not_declared)})</h3>")
    parts.append(
        p.table(["SDK", "catalog id", "package prefixes", "found in"], [[d.name, d.catalog_id, ", ".join(d.prefixes), ", ".join(d.locations)] for d in result.embedded_not_declared])
        if result.embedded_not_declared
        else '<p class="note">none</p>'
    )
    parts.append(f"<h3>Declared but not embedded ({len(result.declared_not_embedded)})</h3>")
    parts.append(
        p.table(["party", "catalog id", "package prefixes"], [[d.name, d.catalog_id, ", ".join(d.prefixes)] for d in result.declared_not_embedded])
        if result.declared_not_embedded
        else '<p class="note">none</p>'
    )
    parts.append(f"<h3>Sensitive permissions in the manifest (category {p.t(result.category)})</h3>")
    parts.append(
        p.table(
            ["permission", "data types", "justified by the category", "why"],
            [[j.permission, ", ".join(j.data_types), {True: "yes", False: "NO", None: "not judged"}[j.justified], j.reason] for j in result.permissions],
        )
        if result.permissions
        else '<p class="note">none</p>'
    )
    parts += [f'<p class="note">{p.t(n)}</p>' for n in result.notes]
    return "".join(parts)
