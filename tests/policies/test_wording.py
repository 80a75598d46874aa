"""Errors a user reads are worded alike wherever they come from: policy, identifiers file, hook events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piaudit.policies.eventlog import EventLogError, read_events
from piaudit.policies.identifiers import IdentifiersError, load_identifiers
from piaudit.policies.policy import PolicyError, load_policy

HOOK = {"type": "hook:call", "time": 1_764_000_000.0, "data_type": "imei", "api": {"class_name": "a.B", "method": "m"}}


def hooks_error(tmp_path: Path, event: dict) -> str:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(HOOK) + "\n" + json.dumps(event) + "\n")
    with pytest.raises(EventLogError) as info:
        list(read_events(path))
    return str(info.value).removeprefix(f"{path}")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"data_type": "imie"}, ":2: data_type: 'imie' is not a data type (did you mean 'imei'?)"),
        ({"time": "soon"}, ":2: time: expected a number, got a string 'soon'"),
        ({"valeu": "x"}, ":2: valeu: unknown field 'valeu' (did you mean 'value'?)"),
        ({"api": {"class_name": "a.B"}}, ":2: api.method: required field is missing"),
        ({"time": 1e20}, ":2: time: 1e+20 is not a plausible time (epoch seconds from 1970 to 2100)"),
    ],
)
def test_hook_event_errors_read_like_policy_errors(tmp_path: Path, change: dict, expected: str) -> None:
    assert hooks_error(tmp_path, HOOK | change) == expected


def test_every_problem_of_a_line_is_listed(tmp_path: Path) -> None:
    assert hooks_error(tmp_path, HOOK | {"data_type": "imie", "time": "soon"}) == (
        ":2: time: expected a number, got a string 'soon'; data_type: 'imie' is not a data type (did you mean 'imei'?)"
    )


def test_identifiers_files_suggest_data_types(tmp_path: Path) -> None:
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({"imie": "359881030314356", "andriod_id": "9774d56d682e549c"}))
    with pytest.raises(IdentifiersError) as info:
        load_identifiers(path)
    assert str(info.value) == (
        f"{path}: key 'imie': not a data type (did you mean 'imei'?)\n"
        f"{path}: key 'andriod_id': not a data type (did you mean 'android_id'?)"
    )


def test_a_policy_error_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("app: {package: com.example.app, category: newz}\ndeclared_data_types: [imie, shoe_size, wifi]\n")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 4 and "more problem" not in str(info.value)
    assert lines[0].endswith("app.category: 'newz' is not an app category (did you mean 'news'?)")
    assert "declared_data_types[2]: 'wifi' is not a data type" in lines[3]
