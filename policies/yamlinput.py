"""YAML that a user writes, read into a pydantic model with bounds and with errors that name file, line and field.

Outside input is bounded before anything is built from it: the text's size, the number of
aliases (a "billion laughs" document expands a few lines into billions of nodes when a
validator walks it), the number of nodes and the nesting depth. Every mistake becomes one
line, ``FILE:LINE: field.path: what is wrong``, the way policy errors read::

    plan.yaml:7: apps[1].retries: expected an integer, got a string 'two'

:func:`load_model` is the entry point; :class:`InputError` carries every problem found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from piaudit.policies.policy import _suggest  # the one "did you mean" helper


@dataclass(frozen=True)
class Limits:
    """Bounds on a YAML document before it is built into Python data."""

    max_bytes: int = 1 << 20
    max_aliases: int = 100
    max_nodes: int = 200_000
    max_depth: int = 50


class InputError(ValueError):
    """A YAML input that cannot be used: ``str()`` is the first problem, ``issues`` holds all."""

    def __init__(self, issues: list[str]):
        super().__init__(issues[0])
        self.issues = issues

    def __str__(self) -> str:
        more = len(self.issues) - 1
        return self.issues[0] + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def load_model[M: BaseModel](path: Path | str, model: type[M], *, what: str = "file", limits: Limits | None = None) -> M:
    """Read ``path`` and validate it as ``model``; raises :class:`InputError` naming file, line and field."""
    limits = limits or Limits()
    try:
        size = Path(path).stat().st_size
        if size > limits.max_bytes:
            raise InputError([f"{path}:1: the {what} is {size} bytes; at most {limits.max_bytes} are read"])
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError([f"{path}: cannot read the {what}: {e}"]) from e
    return parse_model(text, model, str(path), what=what, limits=limits)


def parse_model[M: BaseModel](text: str, model: type[M], filename: str, *, what: str = "file", limits: Limits | None = None) -> M:
    """Validate YAML ``text`` as ``model``; errors name ``filename``."""
    limits = limits or Limits()
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise InputError([f"{filename}:1: the {what} is larger than {limits.max_bytes} bytes"])
    data, lines, issues = compose(text, filename, what, limits)
    if issues:
        raise InputError(issues)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(issues_of(e, lines, filename, model)) from None


def compose(text: str, filename: str, what: str, limits: Limits) -> tuple[Any, dict[tuple[Any, ...], int], list[str]]:
    """YAML to Python data plus the line of every mapping key and sequence item, within ``limits``."""
    try:
        loader = yaml.SafeLoader(text)  # rejects control characters already (ReaderError)
    except yaml.YAMLError as e:
        return None, {}, [f"{filename}:1: YAML error: {e}"]
    try:
        try:
            aliases = _count_aliases(loader, filename, limits)  # events only: nothing is built yet
        finally:
            loader.dispose()
        if aliases:
            return None, {}, [aliases]
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is not None and (problem := _check_tree(node, filename, limits)):
            return None, {}, [problem]
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        return None, {}, [f"{filename}:{line}: YAML syntax error: {e.problem or e.context}"]
    except yaml.YAMLError as e:
        return None, {}, [f"{filename}:1: YAML error: {e}"]
    finally:
        loader.dispose()
    if node is None:
        return None, {}, [f"{filename}:1: the {what} is empty"]
    lines: dict[tuple[Any, ...], int] = {(): node.start_mark.line + 1}
    issues: list[str] = []
    stack: list[tuple[tuple[Any, ...], yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    issues.append(f"{filename}:{line}: {field_name((*path, key))}: duplicate key (the earlier value would be lost)")
                seen.add(key)
                lines[(*path, key)] = line
                stack.append(((*path, key), value_node))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[(*path, index)] = item.start_mark.line + 1
                stack.append(((*path, index), item))
    return data, lines, sorted(issues, key=_line_of)


def _count_aliases(loader: yaml.SafeLoader, filename: str, limits: Limits) -> str | None:
    aliases = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.max_aliases:
                line = event.start_mark.line + 1
                return f"{filename}:{line}: more than {limits.max_aliases} YAML aliases (*name): refused, they can expand without bound"
    return None


def _check_tree(root: yaml.Node, filename: str, limits: Limits) -> str | None:
    """Count nodes and depth, following aliases (each alias counts its whole subtree again)."""
    nodes = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        line = node.start_mark.line + 1
        if nodes > limits.max_nodes:
            return f"{filename}:{line}: more than {limits.max_nodes} YAML nodes (aliases included): refused"
        if depth > limits.max_depth:
            return f"{filename}:{line}: nested deeper than {limits.max_depth} levels: refused"
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return None


def _line_of(issue: str) -> int:
    match = re.match(r".*?:(\d+):", issue)
    return int(match.group(1)) if match else 0


def field_name(loc: tuple[Any, ...]) -> str:
    """``("apps", 1, "retries")`` → ``apps[1].retries``."""
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


def _got(value: Any) -> str:
    kinds = {type(None): "nothing", bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}
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


def _sibling_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed next to ``loc``'s last element (for "did you mean")."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(current.model_fields) if current else []


def _message(err: Any, model: type[BaseModel]) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = _sibling_fields(model, err["loc"])
        hint = _suggest(str(err["loc"][-1]), allowed) if allowed else ""
        hint = hint or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return f"unknown field {err['loc'][-1]!r}{hint}"
    if "message" in ctx:
        return str(ctx["message"])
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_got(value)}"
    if kind in ("literal_error", "enum"):
        return f"expected {ctx.get('expected', 'one of the allowed values')}, got {_got(value)}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:] + ("" if kind == "value_error" else f", got {_got(value)}")


def issues_of(error: ValidationError, lines: dict[tuple[Any, ...], int], filename: str, model: type[BaseModel]) -> list[str]:
    """One ``FILE:LINE: field: problem`` line per validation error, in line order."""
    issues = []
    for err in error.errors():
        # pydantic adds the union member's tag to the location (``function-after[...]``): not a field
        loc = tuple(p for p in err["loc"] if p != "[key]" and not (isinstance(p, str) and "[" in p and p.endswith("]")))
        prefix = next(loc[:n] for n in range(len(loc), -1, -1) if loc[:n] in lines or n == 0)
        line = lines.get(prefix, 1)
        issues.append((line, f"{filename}:{line}: {field_name(loc)}: {_message(err, model)}"))
    return [text for _, text in sorted(issues, key=lambda i: i[0])]
