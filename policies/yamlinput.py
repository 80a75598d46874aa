"""YAML that a user writes (a batch plan, …), read into a pydantic model: errors name file, line and field.

A thin layer over the one YAML reader, :mod:`policies.yamlfile` (which bounds size, nesting
and alias expansion), and the one wording of validation problems, :mod:`policies.wording`::

    plan.yaml:7: apps[1].retries: expected an integer, got a string 'two'

:func:`load_model` is the entry point; :class:`InputError` carries every problem found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from piaudit.policies.wording import field_path, problems
from piaudit.policies.yamlfile import YamlError, YamlLimits, field_lines, load_yaml, located, read_yaml_text

field_name = field_path  # ``("apps", 1, "retries")`` → ``apps[1].retries``


@dataclass(frozen=True)
class Limits:
    """Bounds on a YAML document before it is built into Python data (see :class:`policies.yamlfile.YamlLimits`)."""

    max_bytes: int = 1 << 20
    max_nodes: int = 200_000  # values once every alias is expanded
    max_depth: int = 50

    def yaml(self) -> YamlLimits:
        """The same bounds for the YAML reader."""
        return YamlLimits(max_bytes=self.max_bytes, max_depth=self.max_depth, max_values=self.max_nodes)


class InputError(ValueError):
    """A YAML input that cannot be used: ``issues`` holds every problem, ``str()`` is them all, one per line."""

    def __init__(self, issues: list[str]):
        super().__init__(issues[0])
        self.issues = issues

    def __str__(self) -> str:
        return "\n".join(self.issues)


def load_model[M: BaseModel](path: Path | str, model: type[M], *, what: str = "file", limits: Limits | None = None) -> M:
    """Read ``path`` and validate it as ``model``; raises :class:`InputError` naming file, line and field."""
    limits = limits or Limits()
    try:
        text = read_yaml_text(path, limits.yaml(), what)
    except YamlError as e:
        raise InputError([str(e)]) from None
    return parse_model(text, model, str(path), what=what, limits=limits)


def parse_model[M: BaseModel](text: str, model: type[M], filename: str, *, what: str = "file", limits: Limits | None = None) -> M:
    """Validate YAML ``text`` as ``model``; errors name ``filename``."""
    data, lines, issues = compose(text, filename, what, limits or Limits())
    if issues:
        raise InputError(issues)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(issues_of(e, lines, filename, model)) from None


def compose(text: str, filename: str, what: str, limits: Limits) -> tuple[Any, dict[tuple[Any, ...], int], list[str]]:
    """YAML to Python data plus the line of every mapping key and sequence item, within ``limits``."""
    try:
        data, node = load_yaml(text, filename, limits.yaml())
    except YamlError as e:
        return None, {}, [f"{filename}:{e.line or 1}: {e.message}"]
    if node is None:
        return None, {}, [f"{filename}:1: the {what} is empty"]
    lines, issues = field_lines(node, filename)
    return data, lines, issues


def issues_of(error: ValidationError, lines: dict[tuple[Any, ...], int], filename: str, model: type[BaseModel]) -> list[str]:
    """One ``FILE:LINE: field: problem`` line per validation error, in line order."""
    # pydantic adds a union member's tag to the location (``function-after[...]``): not a field
    tags = tuple({p for e in error.errors() for p in e["loc"] if isinstance(p, str) and "[" in p and p.endswith("]")})
    return located(problems(error, model, skip=tags), lines, filename)
