"""Write a :class:`Draft` as policy YAML whose comments say where each item came from.

Strings are written as JSON strings (valid YAML double-quoted scalars), so no text from a
privacy policy can break the YAML. The first comment lines carry the draft's provenance as
one JSON line (``# piaudit-draft-provenance: {...}``): the hashes of the privacy policy and
the APK it was drafted from, and the APK's inventory. A session that uses the policy records
it (``session.json`` ``inputs``), and the report compares the policy with that inventory.
"""

from __future__ import annotations

import json
import re
import time

from piaudit.policies.draft.draft import Draft
from piaudit.policies.provenance import PROVENANCE_PREFIX


def _s(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax); characters YAML would read as line breaks are escaped."""
    return _clean(json.dumps(value, ensure_ascii=False))


_UNSAFE = re.compile("[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")


def _clean(text: str) -> str:
    """Text from outside made safe for a YAML comment: no control characters, no YAML line breaks (\x85, U+2028)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _comment(text: str, indent: str = "") -> list[str]:
    lines = []
    for raw in str(text).split("\n") or [""]:
        lines.append(f"{indent}# {_clean(raw)}".rstrip())
    return lines


def render_draft(draft: Draft) -> str:
    """The draft as YAML text that `piaudit policy check` accepts."""
    out: list[str] = []
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out.append(f"# piaudit policy DRAFT for {draft.package}, written by `piaudit policy draft` at {when}.")
    out.append("# Each item says where it came from and how sure the draft is (confidence high / medium / low).")
    out.append("# `# TODO` marks what the auditor must decide. Edit, then: piaudit policy check FILE")
    out.append("# Keep the provenance line below: sessions that use this policy record it as evidence.")
    # ASCII only: a path or text with U+2028 (a YAML line break) must not end the comment
    out.append(f"# {PROVENANCE_PREFIX} " + json.dumps(draft.provenance, ensure_ascii=True, sort_keys=True, separators=(",", ":")))
    for key, label in (("privacy_policy", "privacy policy"), ("apk", "APK")):
        if src := draft.provenance.get(key):
            if src.get("kind") == "classes":
                out += _comment(f"drafted from the class directory {src['path']} standing in for an APK (no hash, manifest, version or signer)")
                continue
            extra = ""
            if key == "apk":
                extra = f", package {src.get('package') or '?'} version {src.get('version_name') or '?'} ({src.get('version_code') or '?'})"
                if src.get("signing_sha256"):
                    extra += f", signer SHA-256 {', '.join(src['signing_sha256'])}"
            out += _comment(f"drafted from {label} {src['path']} (SHA-256 {src['sha256']}{extra})")
    out.append("version: 1")
    out.append("app:")
    out.append(f"  package: {_s(draft.package)}")
    out.append(f"  name: {_s(draft.app_name)}")
    out.append("  # TODO choose the app type of the 2021 necessary-information rule (docs/policy.md); `other` skips BEYOND_NECESSARY_SCOPE")
    out.append("  category: other")

    out.append("first_party_domains:" + ("" if draft.first_party_domains else " []"))
    for item in draft.first_party_domains:
        out += _comment(f"named in the privacy policy at {', '.join(item.sources)} (confidence {item.confidence})", "  ")
        out.append(f"  - {_s(item.value)}")

    out.append("third_parties:" + ("" if draft.parties else " []"))
    for party in draft.parties:
        out += _comment(f"from {party.sources[0]}", "  ")
        for source in party.sources[1:]:
            out += _comment(f"also {source}", "  ")
        for note in party.notes:
            out += _comment(note, "  ")
        out += _comment(f"confidence {party.confidence}", "  ")
        out.append(f"  - name: {_s(party.name)}")
        if party.catalog_id:
            out.append(f"    catalog_id: {_s(party.catalog_id)}")
        out.append(f"    sdk_prefixes: [{', '.join(party.sdk_prefixes)}]")
        out.append(f"    domains: [{', '.join(party.domains)}]")
        out.append(f"    data_types: [{', '.join(t.value for t in party.data_types)}]")
        out.append(f"    purpose: {_s(party.purpose)}")
        if party.country:
            out.append(f"    country: {_s(party.country)}")

    out.append("declared_data_types:" + ("" if draft.declared_data_types else " []"))
    for item in draft.declared_data_types:
        out += _comment(f"the app's own collection, from {', '.join(item.sources)} (confidence {item.confidence})", "  ")
        out.append(f"  - {item.value}")

    out += [
        "consent:",
        "  agree_words: []",
        "  refuse_words: []",
        "  signals: [manual, ui_click]",
        "thresholds:",
        "  frequency:",
        "    window_seconds: 30         # lab practice, not law",
        "    max_reads: 3",
        "  permission_retry_seconds: 172800",
        "jurisdiction: CN",
        "expected_server_countries: [CN]",
        "server_countries: {}",
    ]
    if draft.todos:
        out.append("")
        out.append(f"# ---- TODO for the auditor ({len(draft.todos)}) ----")
        for todo in draft.todos:
            out += _comment(f"TODO {todo}")
    if draft.notes:
        out.append("")
        out.append(f"# ---- notes ({len(draft.notes)}) ----")
        for note in draft.notes:
            out += _comment(note)
    return "\n".join(out) + "\n"
