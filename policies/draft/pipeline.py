"""Draft a policy from a privacy-policy file and/or an APK: read, extract, match, render, validate.

>>> text, draft = draft_policy("com.example.app", privacy_policy="privacy.html", apk="app.apk")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from piaudit.policies.apk.inventory import ApkInventory, read_apk
from piaudit.policies.catalog import Catalog, default_catalog
from piaudit.policies.draft.draft import Draft, build_draft
from piaudit.policies.draft.extract import extract
from piaudit.policies.draft.match import CatalogIndex
from piaudit.policies.draft.render import render_draft
from piaudit.policies.draft.source import read_policy_text
from piaudit.policies.draft.terms import load_terms
from piaudit.policies.policy import parse_policy
from piaudit.policies.provenance import apk_summary
from piaudit.policies.session import file_sha256


def draft_policy(
    package: str,
    *,
    privacy_policy: Path | str | None = None,
    apk: Path | str | None = None,
    inventory: ApkInventory | None = None,
    catalog: Catalog | None = None,
) -> tuple[str, Draft]:
    """The draft's YAML text and the :class:`Draft` behind it.

    ``inventory`` replaces ``apk`` when the caller already has one (the demo's class
    directory). Raises ``PolicyTextError`` / ``ApkError`` for unreadable inputs; the text
    is validated with :func:`parse_policy` before it is returned (a draft always passes
    `policy check`).
    """
    catalog = catalog or default_catalog()
    terms = load_terms()
    index = CatalogIndex(catalog, terms)
    extraction = None
    provenance: dict = {}
    if privacy_policy is not None:
        doc = read_policy_text(privacy_policy)
        extraction = extract(doc, terms, index.known_names())
        provenance["privacy_policy"] = {"path": str(privacy_policy), "sha256": file_sha256(privacy_policy)}
    if inventory is None and apk is not None:
        inventory = read_apk(apk, catalog)
    if inventory is not None:
        provenance["apk"] = apk_summary(inventory)
    draft = build_draft(package, extraction, inventory, catalog, terms, index)
    draft.provenance = provenance
    text = render_draft(draft)
    parse_policy(text, f"<draft for {package}>")  # raises PolicyError: a bug, never a user error
    return text, draft
