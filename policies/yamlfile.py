"""The one YAML reader: every YAML file piaudit reads (policy, catalog, consent words, ...) comes through here.

YAML from outside is hostile input. A 353-byte document whose aliases refer to aliases expands
to billions of values ("billion laughs"), a line of 100,000 ``[`` nests deeper than any
recursive reader survives, and a file can simply be huge. :func:`load_yaml_file` bounds all three
(:class:`YamlLimits`) before anything is built:

1. the file's size, from ``stat`` and then from what is actually read;
2. the nesting depth and the number of parse events, counted on libyaml's event stream (its
   parser is iterative: counting cannot overflow a stack);
3. the number of values the document holds once every alias is expanded, counted on the
   composed node graph with each node's size computed once (linear, however the aliases nest).

Only then is the document constructed. Errors are :class:`YamlError`, one line naming the file
and the line: ``policy.yaml:3: aliases expand to more than 1000000 values (an alias bomb?)``.
Callers get the data and the root node (for line numbers of fields). New YAML formats use
:func:`load_yaml_file` too; nothing in piaudit calls ``yaml.load``/``safe_load`` directly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True)
class YamlLimits:
    """How much one YAML document may ask for."""

    max_bytes: int = 8 << 20  # the shipped catalog is 74 KB, a policy a few KB
    max_depth: int = 64  # a policy nests 5 levels
    max_values: int = 1_000_000  # scalars and collections, aliases expanded


LIMITS = YamlLimits()


class YamlError(ValueError):
    """A YAML file that cannot be read safely or is not valid YAML: ``FILE:LINE: what``."""

    def __init__(self, filename: str, line: int | None, message: str):
        super().__init__(f"{filename}:{line}: {message}" if line else f"{filename}: {message}")
        self.filename, self.line, self.message = filename, line, message


def _line(error: yaml.YAMLError) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _problem(error: yaml.YAMLError) -> str:
    text = getattr(error, "problem", None) or getattr(error, "context", None) or str(error).splitlines()[0]
    return f"YAML syntax error: {text}"


def read_yaml_text(path: Path | str, limits: YamlLimits = LIMITS, what: str = "file") -> str:
    """The text of a YAML file, refused above ``limits.max_bytes`` before it is read whole."""
    name = str(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_bytes:
                raise YamlError(name, None, f"{size} bytes, more than the {limits.max_bytes} bytes a YAML file may have")
            data = fh.read(limits.max_bytes + 1)
    except OSError as e:
        raise YamlError(name, None, f"cannot read the {what}: {e.strerror or e}") from e
    if len(data) > limits.max_bytes:
        raise YamlError(name, None, f"more than the {limits.max_bytes} bytes a YAML file may have")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise YamlError(name, None, f"not UTF-8 text (byte {e.start})") from None


def _check_events(text: str, filename: str, limits: YamlLimits) -> None:
    depth = 0
    for events, event in enumerate(yaml.parse(text, Loader=_Loader), start=1):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > limits.max_depth:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise YamlError(filename, line, f"nested deeper than {limits.max_depth} levels")
        elif isinstance(event, _CLOSE):
            depth -= 1
        if events > 2 * limits.max_values + 16:
            raise YamlError(filename, None, f"more than {limits.max_values} values")


def _expanded_size(root: yaml.Node, filename: str, limits: YamlLimits) -> None:
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        sizes[id(node)] = total
        if total > limits.max_values:
            raise YamlError(
                filename,
                node.start_mark.line + 1 if node.start_mark else None,
                f"aliases expand to more than {limits.max_values} values (an alias bomb?): write the values out instead",
            )
        return total

    size(root)


def _explained(text: str, filename: str, error: yaml.YAMLError, limits: YamlLimits) -> YamlError:
    """The error as the pure-Python parser words it (clearer than libyaml's), else as it came.

    The pure parser is slow on deep flow nesting (quadratic): it is asked only about small
    documents, and never about nesting libyaml already refused.
    """
    if "nesting depth" in str(error):
        return YamlError(filename, _line(error), f"nested deeper than {limits.max_depth} levels")
    if _Loader is not yaml.SafeLoader and len(text) <= 64 << 10:
        try:
            for _ in yaml.parse(text, Loader=yaml.SafeLoader):  # iterative: safe on deep input
                pass
        except yaml.YAMLError as e:
            error = e
    return YamlError(filename, _line(error), _problem(error))


def compose_yaml(text: str, filename: str, limits: YamlLimits = LIMITS) -> yaml.Node | None:
    """The root node of a single YAML document (None when empty), within ``limits``."""
    if len(text) > limits.max_bytes:
        raise YamlError(filename, None, f"more than the {limits.max_bytes} bytes a YAML file may have")
    if _Loader is yaml.SafeLoader and re.search(r"[\[{](?:\s*[\[{]){" + str(limits.max_depth) + "}", text):
        # without libyaml the pure scanner is quadratic on deep flow nesting: refuse it before parsing
        raise YamlError(filename, None, f"nested deeper than {limits.max_depth} levels")
    try:
        _check_events(text, filename, limits)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        raise _explained(text, filename, e, limits) from None
    if node is not None:
        _expanded_size(node, filename, limits)
    return node


def construct(node: yaml.Node | None) -> Any:
    """The Python data of a composed node (safe types only)."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as e:
        raise YamlError("<yaml>", _line(e), _problem(e)) from None
    finally:
        loader.dispose()


def load_yaml(text: str, filename: str, limits: YamlLimits = LIMITS) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of YAML text; raises :class:`YamlError` naming ``filename``."""
    node = compose_yaml(text, filename, limits)
    try:
        return construct(node), node
    except YamlError as e:
        raise YamlError(filename, e.line, e.message) from None


def load_yaml_file(path: Path | str, limits: YamlLimits = LIMITS, what: str = "file") -> tuple[Any, yaml.Node | None]:
    """(data, root node) of a YAML file, bounded in bytes, depth and expanded values."""
    return load_yaml(read_yaml_text(path, limits, what), str(path), limits)


def field_lines(node: yaml.Node, filename: str) -> tuple[dict[tuple[Any, ...], int], list[str]]:
    """The line of every mapping key and sequence item (``("apps", 1, "retries") -> 7``), and duplicate keys.

    A duplicate key is a problem line ``FILE:LINE: field: duplicate key …`` (YAML keeps the last value silently).
    """
    from piaudit.policies.wording import field_path

    lines: dict[tuple[Any, ...], int] = {(): node.start_mark.line + 1}
    issues: list[tuple[int, str]] = []
    stack: list[tuple[tuple[Any, ...], yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    issues.append((line, f"{filename}:{line}: {field_path((*path, key))}: duplicate key (the earlier value would be lost)"))
                seen.add(key)
                lines[(*path, key)] = line
                stack.append(((*path, key), value_node))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[(*path, index)] = item.start_mark.line + 1
                stack.append(((*path, index), item))
    return lines, [text for _, text in sorted(issues)]


def located(problems: list[tuple[tuple[Any, ...], str]], lines: dict[tuple[Any, ...], int], filename: str) -> list[str]:
    """``FILE:LINE: field: what`` for each (location, ``field: what``), at the line of the nearest known field, in line order."""
    out = []
    for loc, text in problems:
        prefix = next(loc[:n] for n in range(len(loc), -1, -1) if loc[:n] in lines or n == 0)
        line = lines.get(prefix, 1)
        out.append((line, f"{filename}:{line}: {text}"))
    return [text for _, text in sorted(out, key=lambda i: i[0])]
