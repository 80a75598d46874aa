"""The rules of how an app asks, refuses and starts appear in every report format (HTML, JSON, CSV, XLSX)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from piaudit.policies.options import AuditOptions
from piaudit.scripts.replay import replay
from piaudit.scripts.reports import write_report

FIXTURES = Path(__file__).parent / "fixtures" / "standards"
POLICY = Path(__file__).parents[2] / "policies" / "examples" / "demoapp.yaml"
EMPTY_HAR = {"log": {"version": "1.2", "creator": {"name": "hand", "version": "1"}, "entries": []}}
RULES = {
    "refuse": {"PRE_CONSENT_PERMISSION"},
    "refuse_permission": {"PERMISSION_BUNDLED", "PERMISSION_RE_REQUEST", "EXIT_AFTER_REFUSAL"},
    "wake": {"SELF_START", "ASSOCIATED_START", "APP_LIST_PROBING"},
}


@pytest.fixture(scope="module", params=sorted(RULES))
def session(request, tmp_path_factory) -> tuple[Path, set[str]]:
    tmp = tmp_path_factory.mktemp(request.param)
    har = tmp / "empty.har"
    har.write_text(json.dumps(EMPTY_HAR))
    out = tmp / "session"
    replay(har, out, AuditOptions(policy=str(POLICY)), hooks=FIXTURES / f"{request.param}.jsonl")
    return out, RULES[request.param]


def test_json(session) -> None:
    directory, rules = session
    report = json.loads(write_report(directory, "json", directory.parent / "r.json").read_text())
    found = {f["rule"] for f in report["findings"]}
    assert rules <= found
    assert rules <= {r["rule"] for r in report["summary"]["by_rule"]}
    for f in report["findings"]:
        if f["rule"] in rules:
            assert f["evidence_rows"] and f["message"]


def test_html(session) -> None:
    directory, rules = session
    html = write_report(directory, "html", directory.parent / "r.html").read_text()
    for rule in rules:
        assert html.count(rule) >= 2  # the summary per rule and the finding itself


def test_csv(session) -> None:
    directory, rules = session
    with open(write_report(directory, "csv", directory.parent / "r.csv"), newline="", encoding="utf-8") as fh:
        found = {row["rule"] for row in csv.DictReader(fh)}
    assert rules <= found


def test_xlsx(session) -> None:
    directory, rules = session
    book = load_workbook(write_report(directory, "xlsx", directory.parent / "r.xlsx"), read_only=True)
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert rules <= cells


@pytest.mark.parametrize(
    ("name", "tag"),
    [("permission-result", "permission:result"), ("permission-dialog", "permission:dialog"), ("component-event", "component:start")],
)
def test_schema_of_the_new_events(name: str, tag: str, capsys) -> None:
    from piaudit.scripts.cli import main

    assert main(["schema", name]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["type"]["const"] == tag
    assert schema["additionalProperties"] is False


# scenario -> (changes of a new policy, the rules they silence)
LOOSER = {
    # the tap on 不同意 no longer counts (only manual consent events do): the request is still
    # before consent, but no longer "after the user refused"
    "refuse": ({"consent": {"signals": ["manual"]}}, set()),
    "refuse_permission": (
        {"thresholds": {"permission_bundle": {"max_groups": 3}, "permission_retry_seconds": 0}},
        {"PERMISSION_BUNDLED", "PERMISSION_RE_REQUEST"},
    ),
    "wake": ({"thresholds": {"app_list_probing": {"max_packages": 10}}}, {"APP_LIST_PROBING"}),
}


def test_rejudged_by_replay_with_a_new_policy(session, tmp_path: Path, capsys) -> None:
    """`piaudit replay DIR --policy NEW.yaml` re-judges the new rules like the others: a changed policy changes their findings."""
    import shutil

    import yaml

    from piaudit.policies import rows
    from piaudit.policies.session import Session
    from piaudit.scripts.cli import main

    directory, rules = session
    scenario = directory.parent.name.rstrip("0123456789")
    changes, silenced = LOOSER[scenario]
    data = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    for section, values in changes.items():
        data[section].update(values)
    looser = tmp_path / "looser.yaml"
    looser.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    copy = tmp_path / "session"
    shutil.copytree(directory, copy)
    assert main(["replay", str(copy), "--policy", str(looser)]) == 0
    capsys.readouterr()
    store = Session.open(copy).store
    findings = rows.latest_findings(store)
    store.close()
    found = {f.rule for f in findings}
    assert not silenced & found
    assert rules - silenced <= found  # the other rules still fire
    if scenario == "refuse":
        [pre] = [f for f in findings if f.rule == "PRE_CONSENT_PERMISSION"]
        assert "before the user consented" in pre.message and not any(r.startswith("consent_events:") for r in pre.evidence_rows)
