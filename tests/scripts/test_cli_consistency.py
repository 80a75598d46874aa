"""The command line is consistent: --version, a description and an example for every command, -o/--output
for every output, no silent overwrite, and each command writes where its help says."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from piaudit.scripts.cli import build_parser, main
from tests.support.sessions import build_session

PIAUDIT = Path(sys.executable).parent / "piaudit"


def every_command(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append(((*path, name), sub))
                out += every_command(sub, (*path, name))
    return out


COMMANDS = every_command(build_parser())


def test_version() -> None:
    r = subprocess.run([str(PIAUDIT), "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("piaudit ") and r.stdout.split()[1][0].isdigit(), r.stdout


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_a_description_and_an_example(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
    assert parser.description and parser.description[0].isupper(), (path, parser.description)
    assert parser.epilog and "example:" in parser.epilog and f"piaudit {' '.join(path)}" in parser.epilog, (path, parser.epilog)


def test_every_one_line_help_starts_with_a_capital() -> None:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help and choice.help[0].isupper(), (choice.dest, choice.help)


@pytest.mark.parametrize(
    "path",
    [
        ("report",),
        ("bundle",),
        ("keygen",),
        ("replay",),
        ("demo",),
        ("policy", "init"),
        ("policy", "draft"),
        ("catalog", "import-exodus"),
    ],
)
def test_outputs_are_spelled_o_output(path: tuple[str, ...]) -> None:
    parser = dict(COMMANDS)[path]
    flags = {s for a in parser._actions for s in a.option_strings}
    assert {"-o", "--output"} <= flags, (path, sorted(flags))


def test_report_does_not_overwrite_without_force(tmp_path: Path, capsys) -> None:
    built = build_session(tmp_path / "s")
    out = tmp_path / "r.html"
    assert main(["report", str(built.dir), "--format", "html", "-o", str(out)]) == 0
    before = out.read_bytes()
    assert main(["report", str(built.dir), "--format", "html", "-o", str(out)]) == 2
    assert "exists; use --force" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["report", str(built.dir), "--format", "html", "-o", str(out), "--force"]) == 0


def test_import_exodus_writes_where_its_help_says(tmp_path: Path) -> None:
    export = tmp_path / "trackers.json"
    export.write_text(
        json.dumps(
            {
                "trackers": {
                    "1": {
                        "name": "Tracker One",
                        "code_signature": "com.one.",
                        "network_signature": "one\\.example",
                        "website": "https://one.example",
                    }
                }
            }
        )
    )
    parser = dict(COMMANDS)[("catalog", "import-exodus")]
    output = next(a for a in parser._actions if "--output" in a.option_strings)
    assert "stdout" in output.help
    to_stdout = subprocess.run(
        [str(PIAUDIT), "catalog", "import-exodus", str(export)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert to_stdout.returncode == 0 and "\nentries:" in "\n" + to_stdout.stdout and list(tmp_path.iterdir()) == [export]
    to_file = subprocess.run(
        [str(PIAUDIT), "catalog", "import-exodus", str(export), "-o", str(tmp_path / "cat.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert to_file.returncode == 0 and (tmp_path / "cat.yaml").read_text().count("id:") > 100
