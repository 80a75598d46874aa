"""The manual matches the command line: every `piaudit ...` line in a code block of README.md and docs/ parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from piaudit.scripts.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def command_lines() -> list[tuple[str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        in_code = False
        text_lines = path.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()  # join continued lines
        for line in text_lines:
            if line.startswith("```"):
                in_code = not in_code
                continue
            text = line.strip().removeprefix("$ ")
            if in_code and text.startswith("piaudit ") and "..." not in text and "[" not in text:  # a synopsis is not a command
                text = re.split(r"\s+#\s", text)[0]  # a comment after the command
                text = re.split(r"\s[|>]\s?", text)[0]  # a pipe or a redirection
                found.append((f"{path.name}: {text}", text))
    return found


LINES = command_lines()


def test_there_are_command_lines_to_check() -> None:
    assert len(LINES) > 20


@pytest.mark.parametrize(("where", "text"), LINES, ids=[w for w, _ in LINES])
def test_every_documented_command_parses(where: str, text: str) -> None:
    try:
        argv = shlex.split(text)[1:]
    except ValueError:  # a quoted argument that goes on over the next lines (an SQL query)
        argv = shlex.split(text + '"')[1:]
    try:
        build_parser().parse_args(argv)
    except SystemExit as e:
        if e.code:  # --help exits 0
            pytest.fail(f"{where}: the CLI refuses it (exit {e.code})")


def test_the_websocket_where_form_in_the_docs_is_the_real_one() -> None:
    from piaudit.policies.detect import Detector
    from piaudit.policies.identifiers import Identifiers
    from piaudit.policies.models import FlowRecord, Message

    ids = Identifiers()
    ids.add("android_id", "9774d56d682e549c")
    messages = [Message(from_client=True, content=b"ping", time=1.0)] * 10
    messages.append(Message(from_client=True, content=b"a=1&android_id=9774d56d682e549c", time=1.0))
    (found,) = Detector(ids).scan_flow(FlowRecord(flow_id="f", kind="websocket", messages=messages)).detections
    detection_md = (ROOT / "docs" / "detection.md").read_text(encoding="utf-8")
    assert found.where == "websocket:10>android_id" and f"`{found.where}`" in detection_md
    assert "`ws:" not in detection_md


def test_the_policy_manual_names_the_consent_command_as_it_is() -> None:
    policy_md = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    assert "piaudit consent granted" not in policy_md and "`piaudit consent --session DIR" in policy_md
    build_parser().parse_args(["consent", "--session", "DIR", "--refused"])
