"""How a validation problem is told to a user, the same way wherever the input came from.

A policy, a hook-events line, an identifiers file: each problem is one line naming the field and
saying what was expected and what was found, with "did you mean" for a near miss::

    policy.yaml:12: third_parties[0].data_types[1]: 'imie' is not a data type (did you mean 'imei'?)
    events.jsonl:2: time: expected a number, got a string 'soon'

:func:`problems` turns a pydantic ``ValidationError`` into such lines (every problem, never
"and N more").
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from piaudit.policies.vocab import DATA_TYPES


def distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (``imie`` → ``imei`` is 1)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def suggest(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string.

    >>> suggest("imie", ["imei", "imsi"])
    " (did you mean 'imei'?)"
    """
    if not choices:
        return ""
    if len(value) >= 3 and (starts := [c for c in choices if c.startswith(value.lower())]):
        return f" (did you mean {starts[0]!r}?)"
    best = min(choices, key=lambda c: (distance(value.lower(), c), -difflib.SequenceMatcher(None, value, c).ratio()))
    close = distance(value.lower(), best) <= max(1, len(best) // 3) or difflib.SequenceMatcher(None, value, best).ratio() >= 0.75
    return f" (did you mean {best!r}?)" if close else ""


def not_a_data_type(value: Any) -> str:
    """``'imie' is not a data type (did you mean 'imei'?)``."""
    return f"{value!r} is not a data type{suggest(str(value), DATA_TYPES) or ' (see the vocabulary in README)'}"


def field_path(loc: tuple[Any, ...]) -> str:
    """``third_parties[0].data_types[1]`` from a pydantic location."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_]\w*", str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{str(part)!r}]"
    return out or "(top level)"


_EXPECTED = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def got(value: Any) -> str:
    """What was found: ``a string 'soon'``, ``nothing``."""
    kinds = {
        type(None): "nothing",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return kinds.get(type(value), type(value).__name__) + ("" if value is None else f" {shown}")


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if found := _inner_model(arg):
            return found
    return None


def sibling_fields(root: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed next to ``loc``'s last element in ``root`` (for "did you mean")."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = _inner_model(field.annotation)
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def message(err: Any, root: type[BaseModel] | None = None, loc: tuple[Any, ...] | None = None) -> str:
    """One pydantic error dict in plain words (``root``: the model validated, for field suggestions;
    ``loc``: the error's location inside ``root`` when it differs from pydantic's)."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    loc = err["loc"] if loc is None else loc
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = [f for f in sibling_fields(root, loc) if f not in ("id", "type")]
        hint = suggest(str(loc[-1]), allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return f"unknown field {loc[-1]!r}{hint}"
    if "message" in ctx:
        return str(ctx["message"])
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got(value)}"
    if kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        if isinstance(value, str) and choices and set(choices) == set(DATA_TYPES):
            return not_a_data_type(value)
        hint = suggest(value, choices) if isinstance(value, str) else ""
        return f"expected {ctx.get('expected', 'one of the allowed values')}, got {got(value)}{hint}"
    text = str(err["msg"]).removeprefix("Value error, ")
    return text[:1].lower() + text[1:] + ("" if kind == "value_error" else f", got {got(value)}")


def problems(
    error: ValidationError, root: type[BaseModel] | None = None, skip: tuple[str, ...] = ()
) -> list[tuple[tuple[Any, ...], str]]:
    """Every problem as (location, ``field: words``); ``skip`` drops location parts (a union's tag)."""
    out = []
    for err in error.errors():
        loc = tuple(p for p in err["loc"] if p != "[key]" and p not in skip)
        out.append((loc, f"{field_path(loc)}: {message(err, root, loc)}"))
    return out
