"""The one bounded YAML reader: sizes, depth and alias expansion, and that every YAML read goes through it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from piaudit.policies.yamlfile import YamlError, YamlLimits, load_yaml, load_yaml_file
from tests.fuzz.test_bad_input import LAUGHS

PACKAGE = Path(__file__).resolve().parents[2]


def test_an_alias_bomb_is_refused_naming_the_line() -> None:
    with pytest.raises(YamlError, match=r"^bomb\.yaml:\d+: aliases expand to more than 1000000 values"):
        load_yaml(LAUGHS, "bomb.yaml")


def test_reasonable_aliases_still_work() -> None:
    data, _ = load_yaml("base: &b {x: 1}\nuse: [*b, *b]\n", "ok.yaml")
    assert data == {"base": {"x": 1}, "use": [{"x": 1}, {"x": 1}]}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "".join("  " * i + "k:\n" for i in range(200)) + "  " * 200 + "v: 1\n",
        "a: " + "{b: " * 70 + "1" + "}" * 70,
    ],
    ids=["flow", "block", "mappings"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(YamlError, match="nested deeper than 64 levels"):
        load_yaml(text, "deep.yaml")


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("x: 1\n" * 1000)
    with pytest.raises(YamlError, match=r"big\.yaml: 5000 bytes, more than the 4096 bytes"):
        load_yaml_file(big, YamlLimits(max_bytes=4096))


def test_syntax_errors_name_file_and_line() -> None:
    with pytest.raises(YamlError, match=r"^p\.yaml:2: YAML syntax error: "):
        load_yaml("a: 1\n  b: [\n", "p.yaml")


def test_nothing_else_in_piaudit_parses_yaml() -> None:
    """One reader for every YAML file: no module but yamlfile.py calls PyYAML's loaders."""
    calls = re.compile(r"yaml\.(safe_load|load|full_load|unsafe_load|compose|SafeLoader|CSafeLoader|Loader)\b")
    offenders = [
        str(path.relative_to(PACKAGE))
        for folder in ("policies", "addons", "hooks", "scripts")
        for path in (PACKAGE / folder).rglob("*.py")
        if path.name != "yamlfile.py" and "node_modules" not in path.parts and calls.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
