"""The hook list: every API the Frida agent hooks, loaded from ``hooks/hooklist.json``.

The JSON file is the single source of truth. The host sends it to the agent at init, so what
``piaudit hooks --json`` prints (:func:`hooked_apis`) is exactly what the agent hooks.

>>> apis = hooked_apis()
>>> any(a["class"] == "android.telephony.TelephonyManager" and a["method"] == "getImei" for a in apis)
True
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from piaudit.policies.vocab import DataType

HOOKLIST_FILE = Path(__file__).with_name("hooklist.json")

HookKind = Literal["data", "consent", "lifecycle", "permission", "pinning"]


class JavaHook(BaseModel):
    """One hooked Java method (every overload is hooked). ``class`` is fully qualified, nested as ``Outer$Inner``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    class_name: str
    method: str
    data_type: DataType | None
    category: str
    kind: HookKind
    handler: str | None = None
    group: str | None = None
    option: Literal["unpin"] | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _rename_class(cls, data: Any) -> Any:
        if isinstance(data, dict) and "class" in data:
            data = dict(data)
            data["class_name"] = data.pop("class")
        return data

    @model_validator(mode="after")
    def _check_data_type(self) -> JavaHook:
        if (self.kind == "data") != (self.data_type is not None):
            raise ValueError("data hooks need a data_type; other kinds must have none")
        return self

    def to_agent(self) -> dict[str, Any]:
        """The spec as the agent reads it (``class`` key, no empty fields)."""
        data = self.model_dump(mode="json", exclude_none=True, exclude={"note"})
        data["class"] = data.pop("class_name")
        data.setdefault("data_type", None)
        return data


class NativeHook(BaseModel):
    """One hooked native function of libc (Android bionic or the host's glibc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str
    symbol: str
    data_type: DataType
    handler: str
    note: str | None = None

    def to_agent(self) -> dict[str, Any]:
        """The spec as the agent reads it."""
        return self.model_dump(mode="json", exclude={"note"})


class HookList(BaseModel):
    """The whole hook list file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str
    sources: str
    licence: str
    java: list[JavaHook]
    native: list[NativeHook]

    @model_validator(mode="after")
    def _check_unique(self) -> HookList:
        seen: set[tuple[str, str]] = set()
        for hook in self.java:
            key = (hook.class_name, hook.method)
            if key in seen:
                raise ValueError(f"{hook.class_name}.{hook.method} is listed twice")
            seen.add(key)
        return self


class HookListError(ValueError):
    """The hook list file is malformed; the message names the file and the entry."""


def load_hooklist(path: Path = HOOKLIST_FILE) -> HookList:
    """Read and validate a hook list file (default: the one shipped next to this module)."""
    try:
        return HookList.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as error:
        raise HookListError(f"{path}: line {error.lineno}: {error.msg}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise HookListError(f"{path}: {where}: {first['msg']}") from None


@cache
def default_hooklist() -> HookList:
    """The shipped hook list, loaded once."""
    return load_hooklist()


def agent_hooks(*, unpin: bool) -> dict[str, list[dict[str, Any]]]:
    """The ``java`` and ``native`` specs the host sends to the agent (pinning hooks only with ``unpin``)."""
    hooklist = default_hooklist()
    java = [hook.to_agent() for hook in hooklist.java if hook.option is None or (hook.option == "unpin" and unpin)]
    return {"java": java, "native": [hook.to_agent() for hook in hooklist.native]}


def hooked_apis() -> list[dict[str, Any]]:
    """Every hooked API as a plain dict, for ``piaudit hooks --json``.

    Every entry has ``class``, ``method``, ``data_type`` (null only for consent, lifecycle,
    permission and pinning hooks) and ``kind``. Java methods carry ``layer: "java"`` (all
    overloads are hooked); libc functions carry ``layer: "native"`` with ``class`` set to the
    library. ``option: "unpin"`` marks hooks that are only installed with that option.
    """
    hooklist = default_hooklist()
    apis: list[dict[str, Any]] = []
    for hook in hooklist.java:
        entry: dict[str, Any] = {"layer": "java", "class": hook.class_name, "method": hook.method}
        entry.update(hook.model_dump(mode="json", exclude={"class_name", "method", "group"}, exclude_none=True))
        entry.setdefault("data_type", None)
        apis.append(entry)
    for native in hooklist.native:
        entry = {"layer": "native", "class": native.module, "method": native.symbol, "kind": "data"}
        entry.update(native.model_dump(mode="json", exclude={"module", "symbol"}, exclude_none=True))
        apis.append(entry)
    return apis

