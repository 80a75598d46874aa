"""`piaudit corpus`: built from sessions made by `replay`; queries equal the sessions' own JSON reports;
incremental add and refresh; rejudge equal to per-session `replay DIR`; summaries and the retest view."""

from __future__ import annotations

import contextlib
import html
import io
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from piaudit.policies.models import Finding
from piaudit.policies.options import AuditOptions
from piaudit.policies.policy import policy_init_yaml
from piaudit.scripts.cli import main as cli_main
from piaudit.scripts.corpus.store import Corpus
from piaudit.scripts.replay import replay
from tests.scripts.test_replay import ANDROID_ID, CONSENT_AT, IMEI, OAID, TRAFFIC, write_capture
from tests.support.sessions import PAYLOADS, build_session

APPS = {"com.example.shop": TRAFFIC, "com.example.news": TRAFFIC[1:4], "com.example.maps": TRAFFIC[2:]}
EXTRA_CATALOG = """\
entries:
  - id: umeng
    name: "Umeng (lab catalog)"
    company: "Alibaba Group (Umeng+)"
    country: CN
    category: analytics
    package_prefixes: [com.umeng]
    domains: [umeng.com]
    source: "test"
    licence: "CC0-1.0"
"""


def piaudit(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a `piaudit` command in this process (the console script's own main), capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(list(argv))
    proc = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def query(corpus: Path, sql: str) -> list[dict]:
    return json.loads(piaudit("corpus", "query", str(corpus), sql, "--format", "json").stdout)


def report_findings(session: Path) -> list[dict]:
    """The JSON report's findings as the findings model has them (without the report's own ``group`` id)."""
    findings = json.loads(piaudit("report", str(session), "--format", "json", "-o", "-").stdout)["findings"]
    return [{k: v for k, v in f.items() if k != "group"} for f in findings]


def make_sessions(root: Path, inputs: Path) -> dict[str, Path]:
    """One replayed session per app (the shop app with a consent click, the others without)."""
    out = {}
    for app, traffic in APPS.items():
        write_capture(inputs / f"{app}.mitm", traffic)
        (inputs / f"{app}.yaml").write_text(policy_init_yaml(app).replace("first_party_domains: []", "first_party_domains: [example-shop.com]"))
        hooks = None
        if app == "com.example.shop":
            hooks = inputs / "hooks.jsonl"
            hooks.write_text(json.dumps({"type": "consent:signal", "time": CONSENT_AT, "decision": "granted", "source": "ui_click"}) + "\n")
        options = AuditOptions(policy=str(inputs / f"{app}.yaml"), identifiers=str(inputs / "ids.json"))
        replay(inputs / f"{app}.mitm", root / app, options, hooks=hooks, workers=1)
        out[app] = (root / app).resolve()
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("corpus")
    inputs = d / "inputs"
    inputs.mkdir()
    (inputs / "ids.json").write_text(json.dumps({"imei": IMEI, "android_id": ANDROID_ID, "oaid": OAID}))
    sessions = make_sessions(d / "runs", inputs)
    corpus = d / "corpus"
    built = piaudit("corpus", "build", str(d / "runs"), "--out", str(corpus))
    return {"dir": d, "sessions": sessions, "corpus": corpus, "build": built.stdout}


class TestBuild:
    def test_every_replayed_session_is_in_every_table_with_session_and_app(self, made: dict) -> None:
        assert "3 sessions added" in made["build"]
        rows = query(made["corpus"], "SELECT session, app, flows, detections, findings, source, complete FROM sessions ORDER BY app")
        assert {r["app"]: r["session"] for r in rows} == {app: str(path) for app, path in made["sessions"].items()}
        assert all(r["source"] == "replay" and r["complete"] for r in rows)
        for table in ("sessions", "findings", "flows", "detections", "hook_events", "consent_events"):
            columns = [r["column_name"] for r in query(made["corpus"], f"DESCRIBE {table}")]
            assert columns[:2] == ["session", "app"], table
        flows = {r["app"]: r["n"] for r in query(made["corpus"], "SELECT app, count(*) AS n FROM flows GROUP BY app")}
        assert flows == {app: len(traffic) for app, traffic in APPS.items()}

    def test_findings_columns_are_the_finding_models_fields(self, made: dict) -> None:
        columns = [r["column_name"] for r in query(made["corpus"], "DESCRIBE findings")]
        assert columns == ["session", "app", "run", "id", *Finding.model_fields]

    def test_flows_know_their_party_and_the_consent_moment(self, made: dict) -> None:
        rows = query(made["corpus"], "SELECT app, host, party, party_kind, before_consent FROM flows WHERE host = 'ulogs.umeng.com' ORDER BY app")
        assert {r["app"] for r in rows} == {"com.example.shop", "com.example.news"}
        assert all(r["party"] == "Umeng" and r["party_kind"] == "known_third_party" for r in rows)
        shop = query(made["corpus"], "SELECT count(*) FILTER (WHERE before_consent) AS before, count(*) AS n FROM flows WHERE app = 'com.example.shop'")[0]
        assert 0 < shop["before"] < shop["n"]  # the consent click splits the shop's traffic


class TestQuery:
    def test_query_results_equal_the_sum_of_the_sessions_json_reports(self, made: dict) -> None:
        expected: Counter = Counter()
        every: list[tuple] = []
        for app, session in made["sessions"].items():
            for f in report_findings(session):
                expected[(app, f["rule"], f["party"], f["before_consent"])] += 1
                every.append((app, json.dumps(f, sort_keys=True)))
        got = query(made["corpus"], "SELECT app, rule, party, before_consent, count(*) AS n FROM findings GROUP BY ALL")
        assert Counter({(r["app"], r["rule"], r["party"], r["before_consent"]): r["n"] for r in got}) == expected
        fields = ", ".join(f'"{name}"' for name in Finding.model_fields)
        rows = query(made["corpus"], f"SELECT app, {fields} FROM findings")
        assert sorted((r.pop("app"), json.dumps(r, sort_keys=True)) for r in rows) == sorted(every)  # every field, equal

    def test_formats_and_sql_errors(self, made: dict) -> None:
        csv = piaudit("corpus", "query", str(made["corpus"]), "SELECT app, count(*) AS n FROM sessions GROUP BY app ORDER BY app", "--format", "csv").stdout
        assert csv.splitlines() == ["app,n", "com.example.maps,1", "com.example.news,1", "com.example.shop,1"]
        table = piaudit("corpus", "query", str(made["corpus"]), "SELECT count(*) AS sessions FROM sessions").stdout
        assert "sessions" in table and "(1 row)" in table
        bad = piaudit("corpus", "query", str(made["corpus"]), "SELECT nope FROM findings", check=False)
        assert bad.returncode == 2 and bad.stderr.startswith("piaudit corpus: SQL error") and len(bad.stderr.splitlines()) == 1
        missing = piaudit("corpus", "query", str(made["dir"] / "nothing"), "SELECT 1", check=False)
        assert missing.returncode == 2 and "not a piaudit corpus" in missing.stderr


class TestIncremental:
    def test_add_refresh_and_remove(self, made: dict, tmp_path: Path) -> None:
        runs = tmp_path / "runs"
        shutil.copytree(made["dir"] / "runs", runs)
        corpus = tmp_path / "corpus"
        first = piaudit("corpus", "build", str(runs / "com.example.shop"), str(runs / "com.example.news"), "--out", str(corpus)).stdout
        assert "2 sessions added, 0 refreshed, 0 unchanged" in first
        again = piaudit("corpus", "build", str(runs), "--out", str(corpus)).stdout
        assert "1 sessions added, 0 refreshed, 2 unchanged" in again
        # a session changed since it was added: its chain heads differ, it is refreshed
        news = runs / "com.example.news"
        piaudit("consent", "--session", str(news), "--at", str(CONSENT_AT))
        refreshed = piaudit("corpus", "build", str(runs), "--out", str(corpus)).stdout
        assert "0 sessions added, 1 refreshed, 2 unchanged" in refreshed
        rows = query(corpus, "SELECT app, count(*) AS n FROM consent_events GROUP BY app ORDER BY app")
        assert rows == [{"app": "com.example.news", "n": 1}, {"app": "com.example.shop", "n": 1}]
        assert query(corpus, "SELECT count(*) AS n FROM sessions")[0]["n"] == 3  # each session once
        assert query(corpus, "SELECT consent_time FROM sessions WHERE app = 'com.example.news'")[0]["consent_time"] == CONSENT_AT
        shutil.rmtree(runs / "com.example.maps")
        removed = piaudit("corpus", "build", str(runs), "--out", str(corpus)).stdout
        assert "0 sessions added, 0 refreshed, 2 unchanged, 1 removed" in removed
        assert query(corpus, "SELECT count(*) AS n FROM flows WHERE app = 'com.example.maps'")[0]["n"] == 0

    def test_many_builds_are_compacted(self, made: dict, tmp_path: Path) -> None:
        corpus = Corpus.open(tmp_path / "c", create=True)
        for session in made["sessions"].values():
            for _ in range(9):  # 27 refreshing builds: more parts than the limit
                corpus.sessions.get(str(session), {})["fingerprint"] = "stale"
                corpus.build([session.parent])
        assert len(corpus.files("findings")) <= 24
        total = sum(len(report_findings(s)) for s in made["sessions"].values())
        assert query(tmp_path / "c", "SELECT count(*) AS n FROM findings")[0]["n"] == total


class TestRejudge:
    def test_rejudge_equals_replay_dir_per_session(self, made: dict, tmp_path: Path) -> None:
        (tmp_path / "extra.yaml").write_text(EXTRA_CATALOG)
        for tree in ("a", "b"):
            shutil.copytree(made["dir"] / "runs", tmp_path / tree)
        corpus = tmp_path / "corpus"
        piaudit("corpus", "build", str(tmp_path / "a"), "--out", str(corpus))
        done = piaudit("corpus", "rejudge", str(corpus), "--catalog", str(tmp_path / "extra.yaml"), "--workers", "2").stdout
        assert "re-judged 3 of 3 sessions" in done and "3 refreshed" in done
        for app in APPS:
            piaudit("replay", str(tmp_path / "b" / app), "--catalog", str(tmp_path / "extra.yaml"))
            assert report_findings(tmp_path / "a" / app) == report_findings(tmp_path / "b" / app)
        rows = query(corpus, "SELECT DISTINCT party FROM findings WHERE host = 'ulogs.umeng.com'")
        assert rows == [{"party": "Umeng (lab catalog)"}]  # the corpus shows the new run
        assert {r["findings_run"] for r in query(corpus, "SELECT findings_run FROM sessions")} == {2}


class TestSummary:
    def test_summary_per_sdk_rule_and_app(self, made: dict) -> None:
        doc = json.loads(piaudit("corpus", "summary", str(made["corpus"]), "--format", "json").stdout)
        assert doc["totals"]["sessions"] == 3 and doc["totals"]["apps"] == 3
        umeng = next(s for s in doc["sdks"] if s["party"] == "Umeng")
        assert umeng["apps"] == 2 and umeng["data_types"] == ["android_id", "imei"] and umeng["declared_share"] == 0
        assert umeng["before_consent_share"] == 1  # sent before the shop's consent click, and in an app without one
        (push,) = query(made["corpus"], "SELECT DISTINCT party FROM flows WHERE host = 'xmpush.xiaomi.com'")
        xiaomi = next(s for s in doc["sdks"] if s["party"] == push["party"])
        assert xiaomi["apps"] == 2 and xiaomi["before_consent_share"] == 0.5  # after the shop's consent, before in maps (none)
        rules = {r["rule"]: r for r in doc["rules"]}
        assert rules["UNDECLARED_THIRD_PARTY"]["apps"] == 3
        assert [a["app"] for a in doc["apps"]] == sorted((a["app"] for a in doc["apps"]), key=lambda a: -next(x["findings"] for x in doc["apps"] if x["app"] == a))

    def test_retest_view_since_an_old_corpus(self, made: dict, tmp_path: Path) -> None:
        runs = tmp_path / "runs"
        shutil.copytree(made["dir"] / "runs", runs)
        old = tmp_path / "old"
        piaudit("corpus", "build", str(runs), "--out", str(old))
        shutil.copytree(old, tmp_path / "new")
        declared = "third_parties:\n  - name: Umeng\n    catalog_id: umeng\n    domains: [umeng.com]\n    data_types: [imei, android_id]\n    purpose: analytics\n"
        policy = made["dir"] / "inputs" / "com.example.news.yaml"
        fixed = tmp_path / "news-v2.yaml"
        fixed.write_text(policy.read_text().replace("third_parties: []\n", declared).replace("declared_data_types: []", "declared_data_types: [imei, android_id, oaid]"))
        piaudit("replay", str(runs / "com.example.news"), "--policy", str(fixed))
        piaudit("corpus", "build", str(runs), "--out", str(tmp_path / "new"))
        doc = json.loads(piaudit("corpus", "summary", str(tmp_path / "new"), "--since", str(old), "--format", "json").stdout)
        news = next(a for a in doc["since"]["apps"] if a["app"] == "com.example.news")
        assert news["findings_now"] < news["findings_before"] and news["status"] == "improved"
        assert "UNDECLARED_THIRD_PARTY" in news["rules_still"]  # Bugly and Baidu are still not declared
        shop = next(a for a in doc["since"]["apps"] if a["app"] == "com.example.shop")
        assert shop["status"] == "not fixed" and shop["findings_now"] == shop["findings_before"]

    def test_html_escapes_hostile_app_and_party_names(self, tmp_path: Path) -> None:
        (tmp_path / "runs").mkdir()
        build_session(tmp_path / "runs" / "evil", hostile=True)
        piaudit("corpus", "build", str(tmp_path / "runs"), "--out", str(tmp_path / "corpus"))
        page = piaudit("corpus", "summary", str(tmp_path / "corpus")).stdout
        assert "<script" not in page.lower()
        for payload in PAYLOADS:
            assert payload not in page
        assert html.escape(PAYLOADS[0]) in page  # the app name, shown as text
        assert "Content-Security-Policy" in page
