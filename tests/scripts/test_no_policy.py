"""Judging without a policy is allowed, but never silent: the terminal and every report say so."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from piaudit.policies.policy import NO_POLICY_NOTE
from piaudit.scripts.cli import main
from piaudit.scripts.reports import write_report
from tests.support.sessions import build_session

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "examples" / "demoapp.yaml"


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_session(tmp_path_factory.mktemp("no-policy") / "s").dir


@pytest.fixture(scope="module")
def replayed(source: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("replayed") / "r"
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["replay", str(source), "--out", str(out)]) == 0
    return out, err.getvalue()


def test_the_note_says_what_it_means() -> None:
    assert NO_POLICY_NOTE == "no policy: every third party counts as undeclared"


def test_replay_warns_on_the_terminal(replayed) -> None:
    assert f"warning: {NO_POLICY_NOTE}" in replayed[1]


def test_replay_with_a_policy_does_not(source: Path, tmp_path: Path, capsys) -> None:
    assert main(["replay", str(source), "--policy", str(POLICY), "--out", str(tmp_path / "p")]) == 0
    assert NO_POLICY_NOTE not in capsys.readouterr().err
    assert NO_POLICY_NOTE not in write_report(tmp_path / "p", "html", tmp_path / "p.html").read_text()


def test_rejudging_in_place_without_a_policy_warns(replayed, capsys) -> None:
    assert main(["replay", str(replayed[0])]) == 0
    assert f"warning: {NO_POLICY_NOTE}" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "xlsx", "har"])
def test_every_report_says_so(replayed, tmp_path: Path, fmt: str) -> None:
    out = write_report(replayed[0], fmt, tmp_path / f"r.{fmt}")
    if fmt == "json":
        assert NO_POLICY_NOTE in json.loads(out.read_text())["warnings"]
    elif fmt == "har":
        assert NO_POLICY_NOTE in json.loads(out.read_text())["log"]["_piaudit_session"]["warnings"]
    elif fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
        assert rows and all(NO_POLICY_NOTE in r["notes"] for r in rows)
    elif fmt == "xlsx":
        book = load_workbook(out)
        assert any(NO_POLICY_NOTE in str(c.value) for s in book for r in s.iter_rows() for c in r if c.value)
    else:
        assert NO_POLICY_NOTE in out.read_text()


def test_info_says_so(replayed, capsys) -> None:
    assert main(["info", str(replayed[0])]) == 0
    assert NO_POLICY_NOTE in capsys.readouterr().out
