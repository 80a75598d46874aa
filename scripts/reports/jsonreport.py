"""The JSON report: ``{"session": ..., "findings": [...], "consent": ..., "coverage": ...}``.

Each finding is the :class:`policies.models.Finding` dump, whose field names are a
contract other tools parse. ``counts``, ``chains`` and ``integrity`` are extra keys for tools that
want to check the evidence behind the findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from piaudit.policies.integrity import Integrity
from piaudit.policies.redaction import NoRedaction, Redactor
from piaudit.scripts.reports import embedded
from piaudit.scripts.reports.data import ReportData, by_party, by_rule, load

FORMAT = "piaudit-report/1"


def document(data: ReportData, redactor: Redactor | None = None) -> dict[str, Any]:
    """The report as plain JSON data (identifier values masked by ``redactor``)."""
    redactor = redactor or NoRedaction()
    doc = {
        "format": FORMAT,
        "session": data.meta.model_dump(mode="json"),
        "findings": [f.model_dump(mode="json") for f in data.findings],
        "summary": {"by_rule": by_rule(data.findings), "by_party": by_party(data.findings)},
        "consent": data.consent,
        "warnings": data.warnings,
        "coverage": data.coverage,
        "counts": data.counts,
        "chains": data.chains,
        "integrity": data.integrity.as_json(),
        "redacted": not isinstance(redactor, NoRedaction),
    }
    if (declared_vs_embedded := embedded.as_json(data.meta)) is not None:
        doc["declared_vs_embedded"] = declared_vs_embedded
    return redactor.any(doc)


def write_json(session_dir: Path, out: IO[str], redactor: Redactor | None = None, *, integrity: Integrity | None = None) -> None:
    """Write the JSON report of ``session_dir`` to the open text stream ``out``."""
    data = load(session_dir, evidence_for=0, cap=10_000, integrity=integrity)
    json.dump(document(data, redactor), out, indent=2, ensure_ascii=False)
    out.write("\n")
