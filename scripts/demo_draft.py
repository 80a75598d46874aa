"""The demo's "declared versus embedded" step: draft the stand-in's policy from its zh privacy policy.

The stand-in is a JVM program, not an APK: its compiled class directory stands in for the
APK's DEX files and goes through the same SDK inventory (catalog package prefixes). It has no
manifest, version or signer, so permissions are not compared here — `piaudit policy compare`
does that on real APKs. The step writes ``policy-draft.yaml`` and shows, SDK by SDK, what the
stand-in embeds, what the privacy policy names (the draft) and what the hand-written
``policies/examples/demoapp.yaml`` declares — and so what each policy misses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from piaudit.policies.apk.inventory import read_class_dir
from piaudit.policies.catalog import default_catalog
from piaudit.policies.draft.compare import compare
from piaudit.policies.draft.pipeline import draft_policy
from piaudit.policies.policy import Policy, load_policy, parse_policy

ROOT = Path(__file__).resolve().parent.parent
DEMO_PRIVACY_POLICY = ROOT / "policies" / "examples" / "demoapp-privacy-policy.zh.txt"


def _declared(policy: Policy) -> dict[str, list[str]]:
    return {p.catalog_id or p.name: [t.value for t in p.data_types] for p in policy.third_parties}


def draft_and_compare(classes_dir: Path, hand_written: Path, out: Path, package: str = "com.example.demoapp") -> dict[str, Any]:
    """Draft from the demo's privacy policy and the stand-in's classes; compare both policies with the classes."""
    catalog = default_catalog()
    inventory = read_class_dir(classes_dir, catalog, package=package)
    text, draft = draft_policy(package, privacy_policy=DEMO_PRIVACY_POLICY, inventory=inventory, catalog=catalog)
    draft_path = out / "policy-draft.yaml"
    draft_path.write_text(text, encoding="utf-8")
    drafted = parse_policy(text, str(draft_path))
    hand = load_policy(hand_written)
    return {
        "draft_path": draft_path,
        "inventory": inventory,
        "draft": drafted,
        "hand": hand,
        "draft_vs_classes": compare(drafted, inventory),
        "hand_vs_classes": compare(hand, inventory),
        "todos": draft.todos,
    }


def format_table(result: dict[str, Any]) -> str:
    """One row per SDK: embedded?, named in the privacy policy (draft)?, declared by hand?"""
    inventory, drafted, hand = result["inventory"], result["draft"], result["hand"]
    d, h = _declared(drafted), _declared(hand)
    embedded = {s.catalog_id: s for s in inventory.sdks}
    ids = list(embedded) + [k for k in [*d, *h] if k not in embedded]
    ids = list(dict.fromkeys(ids))

    def mark(table: dict[str, list[str]], key: str) -> str:
        return ("yes: " + ", ".join(table[key])) if key in table and table[key] else ("yes" if key in table else "-")

    rows = [("SDK (catalog id)", "embedded (stand-in classes)", "privacy policy → draft", "hand-written policy")]
    for key in ids:
        sdk = embedded.get(key)
        rows.append((key, ", ".join(sdk.prefixes) if sdk else "-", mark(d, key), mark(h, key)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    dc, hc = result["draft_vs_classes"], result["hand_vs_classes"]
    only_draft = sorted(set(d) - set(h))
    only_hand = sorted(set(h) - set(d))
    lines.append("")
    lines.append(f"embedded, declared by neither: {', '.join(sorted({x.catalog_id or x.name for x in dc.embedded_not_declared} & {x.catalog_id or x.name for x in hc.embedded_not_declared})) or '-'}")
    lines.append(f"the hand-written policy misses what the privacy policy names: {', '.join(only_draft) or '-'}")
    lines.append(f"the draft misses what the hand-written policy declares: {', '.join(only_hand) or '-'}")
    types_d = {t.value for t in drafted.declared_data_types}
    types_h = {t.value for t in hand.declared_data_types}
    lines.append(f"own data types: draft {sorted(types_d)}, hand-written {sorted(types_h)}; category: draft {drafted.app.category} (a TODO), hand-written {hand.app.category}")
    lines.append(f"first-party domains: draft {drafted.first_party_domains}, hand-written {hand.first_party_domains}")
    lines.append("(the stand-in is a JVM program: its class files stand in for the APK's DEX; no manifest, so no permissions compared)")
    return "\n".join(lines)


def judge_with_draft(session_dir: Path, draft_path: Path, out: Path) -> dict[str, Any]:
    """Replay the demo's session against the drafted policy; the parties each policy leaves undeclared."""
    from piaudit.policies import rows
    from piaudit.policies.options import AuditOptions
    from piaudit.policies.session import Session
    from piaudit.scripts.replay import replay

    result = replay(session_dir, out / "session-draft", AuditOptions(policy=str(draft_path)), workers=1)
    session = Session.open(session_dir)
    hand_findings = rows.latest_findings(session.store)
    session.store.close()

    def undeclared(findings: list[Any]) -> list[str]:
        return sorted({f.party for f in findings if f.rule == "UNDECLARED_THIRD_PARTY" and f.party})

    meta = Session.open(result.session_dir)
    meta.store.close()
    return {
        "session": result.session_dir,
        "inputs": meta.meta.inputs,
        "undeclared_hand": undeclared(hand_findings),
        "undeclared_draft": undeclared(result.findings),
    }


def format_judgement(judged: dict[str, Any]) -> str:
    """UNDECLARED_THIRD_PARTY under each policy, and what the drafted session recorded."""
    inputs = judged["inputs"]
    recorded = f"privacy policy SHA-256 {inputs.privacy_policy.sha256[:16]}…" if inputs and inputs.privacy_policy else "nothing"
    return "\n".join(
        [
            f"UNDECLARED_THIRD_PARTY judged with the hand-written policy: {', '.join(judged['undeclared_hand']) or '-'}",
            f"UNDECLARED_THIRD_PARTY judged with the draft (replayed):     {', '.join(judged['undeclared_draft']) or '-'}",
            f"the replayed session {judged['session']} records the draft's inputs in session.json: {recorded}",
        ]
    )
