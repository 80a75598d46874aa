"""Android permissions and the data types they open: the one owner of ``policies/data/permissions.yaml``.

Used by PERMISSION_ABUSE (which type a requested permission guards) and by `policy compare`
(dangerous permissions the app's category does not justify).

>>> permission_data_types("android.permission.READ_PHONE_STATE")[0]
<DataType.imei: 'imei'>
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from piaudit.policies.vocab import DataType
from piaudit.policies.yamlfile import load_yaml_file

PERMISSIONS_FILE = Path(__file__).resolve().parent / "data" / "permissions.yaml"


@cache
def permission_table() -> dict[str, dict[str, Any]]:
    """Full permission name → ``{protection, data_types}`` (data types as :class:`DataType`, main one first)."""
    raw = load_yaml_file(PERMISSIONS_FILE)[0]["permissions"]
    return {name: {"protection": info["protection"], "data_types": [DataType(t) for t in info["data_types"]]} for name, info in raw.items()}


def permission_data_types(permission: str) -> list[DataType]:
    """The data types ``permission`` opens (full or short name: ``READ_CONTACTS``); empty when none or unknown."""
    short = permission.rsplit(".", 1)[-1]
    info = permission_table().get(permission) or permission_table().get(f"android.permission.{short}")
    return list(info["data_types"]) if info else []
