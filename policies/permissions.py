"""Android permissions and the data types they open: the one owner of ``policies/data/permissions.yaml``.

Used by the permission rules (which type a requested permission guards, which group it belongs
to, whether it is a runtime permission) and by `policy compare`
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
    """Full permission name → ``{protection, group, data_types}`` (data types as :class:`DataType`, main one first)."""
    raw = load_yaml_file(PERMISSIONS_FILE)[0]["permissions"]
    return {
        name: {"protection": info["protection"], "group": info.get("group"), "data_types": [DataType(t) for t in info["data_types"]]}
        for name, info in raw.items()
    }


def _info(permission: str) -> dict[str, Any] | None:
    short = permission.rsplit(".", 1)[-1]
    return permission_table().get(permission) or permission_table().get(f"android.permission.{short}")


def permission_data_types(permission: str) -> list[DataType]:
    """The data types ``permission`` opens (full or short name: ``READ_CONTACTS``); empty when none or unknown."""
    info = _info(permission)
    return list(info["data_types"]) if info else []


def is_dangerous(permission: str) -> bool:
    """A runtime permission the user is asked for (protection level ``dangerous``)."""
    info = _info(permission)
    return bool(info) and info["protection"] == "dangerous"


def permission_group(permission: str) -> str:
    """The Android permission group Android shows one dialog for (``LOCATION``); the short name when unknown.

    >>> permission_group("android.permission.ACCESS_COARSE_LOCATION")
    'LOCATION'
    """
    info = _info(permission)
    return (info or {}).get("group") or permission.rsplit(".", 1)[-1]


def short_name(permission: str) -> str:
    """``ACCESS_FINE_LOCATION`` for ``android.permission.ACCESS_FINE_LOCATION``."""
    return permission.rsplit(".", 1)[-1]
