"""Where a policy came from: the privacy-policy file and the APK a draft was made from, by hash.

`piaudit policy draft` writes one comment line into the policy it drafts::

    # piaudit-draft-provenance: {"apk": {...}, "privacy_policy": {"path": ..., "sha256": ...}}

A session that judges with that policy (live, replay, re-judge) copies it into
``session.json`` as ``inputs`` (the policy's own SHA-256 is recorded beside it, so an edited
provenance line shows as a changed policy). The report's "declared versus embedded" section
reads the APK inventory from there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

PROVENANCE_PREFIX = "piaudit-draft-provenance:"
MAX_PROVENANCE_BYTES = 1 << 20
HEADER_LINES = 40


class InputFile(BaseModel):
    """A file a policy was drafted from, identified by its SHA-256."""

    model_config = ConfigDict(extra="allow")
    path: str
    sha256: str


class SessionInputs(BaseModel):
    """``session.json`` ``inputs``: the privacy policy and APK behind the session's policy."""

    model_config = ConfigDict(extra="forbid")
    via: str = "policy draft provenance"
    privacy_policy: InputFile | None = None
    apk: InputFile | None = None  # with package, version, signer digests, permissions and embedded SDKs


def apk_summary(inventory: Any) -> dict[str, Any]:
    """The part of an :class:`ApkInventory` a session keeps: identity, permissions, embedded SDKs."""
    return {
        "path": inventory.path,
        "sha256": inventory.sha256,
        "kind": inventory.kind,
        "package": inventory.package,
        "version_code": inventory.version_code,
        "version_name": inventory.version_name,
        "signing_sha256": sorted({c.sha256 for c in inventory.certificates}),
        "permissions": inventory.permissions,
        "sdks": [
            {"catalog_id": s.catalog_id, "name": s.name, "prefixes": s.prefixes, "locations": s.locations, "ambiguous_with": s.ambiguous_with}
            for s in inventory.sdks
        ],
    }


def read_draft_provenance(policy_path: Path | str | None) -> SessionInputs | None:
    """The provenance line of a drafted policy, or None (not drafted, or the line was removed)."""
    if not policy_path:
        return None
    try:
        with open(policy_path, encoding="utf-8", errors="replace") as fh:
            for _ in range(HEADER_LINES):
                line = fh.readline(MAX_PROVENANCE_BYTES)
                if not line:
                    break
                text = line.lstrip("# ").strip()
                if text.startswith(PROVENANCE_PREFIX):
                    data = json.loads(text.removeprefix(PROVENANCE_PREFIX))
                    return SessionInputs.model_validate(data)
    except (OSError, ValueError):
        return None
    return None
