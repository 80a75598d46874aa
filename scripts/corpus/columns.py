"""Column types of the corpus tables, derived from the models and the store, never listed by hand.

A field another branch adds to :class:`policies.models.Finding` (or to the store's ``flows``
table by a migration) becomes a column of the corpus without an edit here: the findings
table's columns are the Finding model's fields (plus any key a findings JSON carries), the
flows table's columns are the store's.

Types: text and literals → string, int → int64, float → double, bool → bool, a list of
strings → list<string>; anything else (mappings, nested objects) → its JSON as a string.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

SQLITE_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64(), "FLOAT": pa.float64(), "TEXT": pa.string(), "BLOB": pa.binary()}


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a model field's annotation (JSON text for anything structured)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return arrow_type(args[0]) if len(args) == 1 else pa.string()
    if origin is typing.Literal:
        return pa.string()
    if origin is list and len(args) == 1 and arrow_type(args[0]) == pa.string() and not _structured(args[0]):
        return pa.list_(pa.string())
    if annotation is bool:
        return pa.bool_()
    if annotation is int:
        return pa.int64()
    if annotation is float:
        return pa.float64()
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return pa.string()
    return pa.string()


def _structured(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (dict, list) or annotation in (dict, list, Any):
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def is_json(annotation: Any) -> bool:
    """True when a field's value is stored as JSON text (mappings, nested objects, other lists)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return is_json(args[0])
    return _structured(annotation) and arrow_type(annotation) == pa.string()


def model_columns(model: type[BaseModel], *, flatten: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[tuple[str, pa.DataType, bool]]:
    """``(column, type, stored as JSON)`` for every field of ``model``; fields in ``flatten`` become ``field_sub`` columns."""
    out = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        inner = field.annotation
        if name in flatten and isinstance(inner, type) and issubclass(inner, BaseModel):
            out += [(f"{name}_{sub}", arrow_type(f.annotation), is_json(f.annotation)) for sub, f in inner.model_fields.items()]
        else:
            out.append((name, arrow_type(inner), is_json(inner)))
    return out


def model_values(data: dict[str, Any], columns: list[tuple[str, pa.DataType, bool]], flatten: tuple[str, ...] = ()) -> dict[str, Any]:
    """One row from a model's JSON dump: flattened, structured values as JSON text; unknown keys kept as text."""
    flat = dict(data)
    for name in flatten:
        nested = flat.pop(name, None)
        if isinstance(nested, dict):
            flat |= {f"{name}_{k}": v for k, v in nested.items()}
    row: dict[str, Any] = {}
    for column, _, as_json in columns:
        value = flat.pop(column, None)
        row[column] = json.dumps(value, ensure_ascii=False, sort_keys=True) if as_json and value is not None else value
    for key, value in flat.items():  # a field this version does not know (written by a newer piaudit)
        row[key] = value if isinstance(value, str) or value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return row


def schema(fixed: list[tuple[str, pa.DataType]], rows: list[dict[str, Any]]) -> pa.Schema:
    """The fixed columns, then any other key the rows carry (as strings), in first-seen order."""
    names = {n for n, _ in fixed}
    extra: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in names:
                extra.setdefault(key)
    return pa.schema([pa.field(n, t) for n, t in fixed] + [pa.field(k, pa.string()) for k in extra])


def to_table(fixed: list[tuple[str, pa.DataType]], rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table of :func:`schema`; a value SQLite stored with another type than declared becomes text."""
    target = schema(fixed, rows)
    arrays = []
    for field in target:
        values = [row.get(field.name) for row in rows]
        try:
            arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
            target = target.set(target.get_field_index(field.name), pa.field(field.name, pa.string()))
    return pa.Table.from_arrays(arrays, schema=target)
