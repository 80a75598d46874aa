"""`piaudit demo --scenario NAME` as a user runs it (real proxy, real Frida, real JVM, the zygote):
each scenario produces the findings of its rules, and not the rules it must not trigger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hooks import frida_tmpdir

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent

NEW_RULES = {
    "PRE_CONSENT_PERMISSION",
    "PERMISSION_BUNDLED",
    "PERMISSION_RE_REQUEST",
    "EXIT_AFTER_REFUSAL",
    "SELF_START",
    "ASSOCIATED_START",
    "APP_LIST_PROBING",
}

# scenario -> (rules it must produce, rules it must not produce)
EXPECTED = {
    "refuse": (
        {"POST_REFUSAL_COLLECTION", "PRE_CONSENT_PERMISSION", "PERMISSION_ABUSE"},
        NEW_RULES - {"PRE_CONSENT_PERMISSION"},  # it exits at the end, but from the background: not EXIT_AFTER_REFUSAL
    ),
    "refuse_exit": ({"EXIT_AFTER_REFUSAL"}, NEW_RULES - {"EXIT_AFTER_REFUSAL"} | {"PERMISSION_ABUSE"}),
    "refuse_permission": (
        {"PERMISSION_BUNDLED", "PERMISSION_RE_REQUEST", "EXIT_AFTER_REFUSAL"},
        {"PRE_CONSENT_PERMISSION", "PERMISSION_ABUSE", "SELF_START", "ASSOCIATED_START", "APP_LIST_PROBING", "POST_REFUSAL_COLLECTION"},
    ),
    "restart": (
        {"SELF_START", "BACKGROUND_COLLECTION"},
        {"PRE_CONSENT_PERMISSION", "PERMISSION_BUNDLED", "PERMISSION_RE_REQUEST", "EXIT_AFTER_REFUSAL", "ASSOCIATED_START", "APP_LIST_PROBING"},
    ),
    "wake": (
        {"SELF_START", "ASSOCIATED_START", "APP_LIST_PROBING"},
        {"PRE_CONSENT_PERMISSION", "PERMISSION_BUNDLED", "PERMISSION_RE_REQUEST", "EXIT_AFTER_REFUSAL", "PERMISSION_ABUSE"},
    ),
}


FIXTURES = Path(__file__).parent / "fixtures" / "standards"
POLICY = Path(__file__).parents[2] / "policies" / "examples" / "demoapp.yaml"
EMPTY_HAR = {"log": {"version": "1.2", "creator": {"name": "hand", "version": "1"}, "entries": []}}


def replay(tmp_path: Path, events: Path, name: str, *, cli: bool = False) -> list[dict]:
    """A replay of an events JSONL with an empty HAR (no traffic), judged with the demo's policy.

    ``cli``: through ``piaudit replay`` as a lab runs it; else in-process (the same function, without
    a second interpreter's start-up on a loaded machine). The JSON report gives the findings."""
    har = tmp_path / "empty.har"
    har.write_text(json.dumps(EMPTY_HAR))
    out = tmp_path / name
    if cli:
        subprocess.run(
            [str(BIN / "piaudit"), "replay", str(har), "--policy", str(POLICY), "--hooks", str(events), "--out", str(out)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    else:
        from piaudit.policies.options import AuditOptions
        from piaudit.scripts.replay import replay as replay_session

        replay_session(har, out, AuditOptions(policy=str(POLICY)), hooks=events)
    from piaudit.scripts.reports import write_report

    return json.loads(write_report(out, "json", tmp_path / f"{name}.json").read_text())["findings"]


def key(finding: dict) -> tuple:
    """What a finding says, without times, row ids and message wording that depend on the run."""
    return (finding["rule"], finding["data_type"], finding["party"], finding["severity"], finding["before_consent"], finding["where"])


def demo(tmp_path: Path, scenario: str) -> tuple[list[dict], str]:
    out = tmp_path / scenario
    with frida_tmpdir() as tmpdir:
        proc = subprocess.run(
            [str(BIN / "piaudit"), "demo", "--scenario", scenario, "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=240,
            env=dict(os.environ, TMPDIR=tmpdir),
        )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((out / "report.json").read_text())["findings"], proc.stdout


def test_help_names_every_scenario() -> None:
    from piaudit.scripts.demo import DEMO_SCENARIOS

    text = subprocess.run([str(BIN / "piaudit"), "demo", "--help"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert set(DEMO_SCENARIOS) == {"demo", "retest", *EXPECTED}  # retest: issue 14's rectified build (tests/scripts/test_demo.py)
    for name in DEMO_SCENARIOS:
        assert f"{name}:" in flat
    assert "(default demo)" in flat


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenario_findings(tmp_path: Path, scenario: str) -> None:
    findings, stdout = demo(tmp_path, scenario)
    rules = {f["rule"] for f in findings}
    present, absent = EXPECTED[scenario]
    assert present <= rules, f"{scenario}: missing {present - rules}"
    assert not absent & rules, f"{scenario}: must not produce {absent & rules}"
    assert f"scenario {scenario}:" in stdout
    by_rule: dict[str, list[dict]] = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f)
    if scenario == "refuse_exit":
        [exit_finding] = by_rule["EXIT_AFTER_REFUSAL"]
        assert exit_finding["before_consent"] and exit_finding["process"] == "com.example.demoapp"
        assert any(row.startswith("consent_events:") for row in exit_finding["evidence_rows"])
    if scenario == "refuse_permission":
        [bundle] = by_rule["PERMISSION_BUNDLED"]
        assert "3 permission groups (CONTACTS, LOCATION, PHONE) in one request" in bundle["message"]
        [again] = by_rule["PERMISSION_RE_REQUEST"]
        assert again["data_type"] == "contacts"
        [exit_finding] = by_rule["EXIT_AFTER_REFUSAL"]  # one exit, citing both refusals of the contacts
        assert sum(row.startswith("permission_results:") for row in exit_finding["evidence_rows"]) == 2
    if scenario == "wake":
        starts = {(f["party"], f["where"].rsplit(".", 1)[-1]) for f in by_rule["SELF_START"]}
        assert starts == {(None, "startService"), (None, "setRepeating"), (None, "schedule"), (None, "enqueue")}
        associated = {f["where"].rsplit(".", 1)[-1] for f in by_rule["ASSOCIATED_START"]}
        assert associated == {"startService", "sendBroadcast", "bindService"}
        assert all(f["party"] == "Getui" and f["severity"] == "high" for f in by_rule["ASSOCIATED_START"])  # no activity visible
        [probing] = by_rule["APP_LIST_PROBING"]
        assert probing["party"] == "Getui" and "probed 6 other apps' packages" in probing["message"]
        # probes of single packages are not reads of the installed-app list; TalkingData's list read is
        # (Getui's :push process may also read the list before the app exits: a race, either is right)
        assert "TalkingData" in {f["party"] for f in by_rule["INSTALLED_APP_LIST"]}
        assert all(f["where"].endswith(("getInstalledPackages", "getInstalledApplications")) for f in by_rule["INSTALLED_APP_LIST"])
    if scenario == "refuse":
        assert {f["data_type"] for f in by_rule["PRE_CONSENT_PERMISSION"]} == {"location"}
    if scenario == "restart":
        push = "com.example.demoapp:push"
        [restart] = by_rule["SELF_START"]  # one restart, one finding
        assert restart["process"] == push and "started again" in restart["message"]
        kept_alive = [f for f in by_rule["BACKGROUND_COLLECTION"] if "保活" in f["message"]]
        assert kept_alive and all(f["process"] == push for f in kept_alive)
        assert {f["data_type"] for f in kept_alive} >= {"imei", "android_id"}
        assert all(any(r.startswith("lifecycle_events:") for r in f["evidence_rows"]) for f in kept_alive)
    live = sorted(key(f) for f in findings if f["rule"] in NEW_RULES)
    # a hand-written JSONL of the same story, replayed with an empty HAR, gives the same findings
    hand = replay(tmp_path, FIXTURES / f"{scenario}.jsonl", "hand", cli=True)
    assert sorted(key(f) for f in hand if f["rule"] in NEW_RULES) == live
    # and so does the live session's own timeline, exported as JSONL and replayed
    exported = export_events(tmp_path / scenario / "session", tmp_path / "exported.jsonl")
    again = replay(tmp_path, exported, "again")
    assert sorted(key(f) for f in again if f["rule"] in NEW_RULES) == live


def export_events(session: Path, out: Path) -> Path:
    """Every timeline event of a session, as hook-events JSONL in time order."""
    from piaudit.policies import rows
    from piaudit.policies.eventlog import write_events
    from piaudit.policies.session import Session

    store = Session.open(session).store
    tl = rows.read_timeline(store)
    store.close()
    events = [*tl.hook_events, *tl.consent_events, *tl.lifecycle_events, *tl.permission_events, *tl.permission_results]
    events += [*tl.permission_dialogs, *tl.component_events, *tl.hook_status]
    write_events(out, sorted(events, key=lambda e: e.time))
    return out
