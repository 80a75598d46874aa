"""The `piaudit` command as a user types it: help with examples, consent, info, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from piaudit.policies.session import Session
from piaudit.policies.store import verify_chains
from piaudit.scripts.cli import build_parser
from tests.support.proxy import Proxy, curl
from tests.support.upstream import Upstream, free_port

BIN = Path(sys.executable).parent / "piaudit"


def piaudit(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout)


def _subcommands() -> list[list[str]]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    out = []
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if nested and name not in ("policy", "catalog"):
            out += [[name, n] for n in nested[0].choices]
        else:
            out.append([name])
    return out


def test_top_level_help_shows_an_example() -> None:
    r = piaudit("--help")
    assert r.returncode == 0 and "example:" in r.stdout and "piaudit demo" in r.stdout


@pytest.mark.parametrize("command", _subcommands(), ids=lambda c: " ".join(c))
def test_every_subcommand_help_shows_an_example(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args([*command, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out.lower(), out


def test_schema_prints_json_schema_and_rejects_unknown_names() -> None:
    r = piaudit("schema", "finding")
    schema = json.loads(r.stdout)
    assert {"rule", "data_type", "party", "host", "encoding", "where", "flow", "event", "time", "before_consent", "evidence"} <= set(schema["properties"])
    assert json.loads(piaudit("schema", "policy").stdout)["title"] == "Policy"
    bad = piaudit("schema", "nope")
    assert bad.returncode == 2 and "unknown schema" in bad.stderr


@pytest.mark.slow
def test_consent_from_another_terminal_while_run_is_active(tmp_path: Path) -> None:
    session = tmp_path / "s"
    policy = Path(__file__).parents[2] / "policies" / "examples" / "demoapp.yaml"
    with Upstream(tmp_path / "up") as upstream:
        proxy = Proxy.piaudit_run(free_port(), tmp_path / "conf", session, "--policy", str(policy), "--set", f"ssl_verify_upstream_trusted_ca={upstream.ca}")
        proxy.start()
        before = curl(proxy, f"{upstream.url}/a?android_id=9774d56d682e549c")
        marked = piaudit("consent", "--session", str(session), "--note", "tapped Agree")
        after = curl(proxy, f"{upstream.url}/b?android_id=9774d56d682e549c")
        out = proxy.stop()
    assert before.returncode == after.returncode == marked.returncode == 0, marked.stderr
    assert "consent granted recorded" in marked.stdout
    s = Session.open(session)
    (event,) = list(s.store.rows("consent_events"))
    assert event["decision"] == "granted" and event["source"] == "manual"
    assert all(p is None for p in verify_chains(s.store.conn).values())  # two writers, one chain
    assert "1 consent event," in out


def test_consent_afterwards_with_at_and_info(tmp_path: Path) -> None:
    Session.create(tmp_path / "s").close()
    r = piaudit("consent", "--session", str(tmp_path / "s"), "--refused", "--at", "2026-11-28T17:03:00+00:00")
    assert r.returncode == 0, r.stderr
    bad = piaudit("consent", "--session", str(tmp_path / "s"), "--at", "yesterday")
    assert bad.returncode == 2 and "--at" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    missing = piaudit("consent", "--session", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "not a piaudit session" in missing.stderr
    info = piaudit("info", str(tmp_path / "s"))
    assert info.returncode == 0 and "consent_events 1" in info.stdout and "all intact" in info.stdout
    data = json.loads(piaudit("info", str(tmp_path / "s"), "--json").stdout)
    assert data["counts"]["consent_events"] == 1


def test_policy_check_errors_name_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("app:\n  package: com.example.app\n  category: news\nthird_parties:\n  - name: X\n    purpose: ads\n    data_types: [imie]\n")
    r = piaudit("policy", "check", str(bad))
    assert r.returncode == 2
    assert r.stderr.startswith(f"{bad}:7:") and "imie" in r.stderr
    init = piaudit("policy", "init", "--app", "com.example.app", "-o", str(tmp_path / "new.yaml"))
    assert init.returncode == 0 and piaudit("policy", "check", str(tmp_path / "new.yaml")).returncode == 0


def test_hooks_json_lists_class_method_data_type() -> None:
    apis = json.loads(piaudit("hooks", "--json").stdout)
    assert len(apis) >= 120
    assert {"class": "android.telephony.TelephonyManager", "method": "getDeviceId", "data_type": "imei"}.items() <= next(
        a for a in apis if a["class"] == "android.telephony.TelephonyManager" and a["method"] == "getDeviceId"
    ).items()
    assert any("$" in a["class"] for a in apis)  # nested classes as Outer$Inner


def test_hooks_json_every_entry_has_class_method_data_type_and_kind() -> None:
    apis = json.loads(piaudit("hooks", "--json").stdout)
    assert len(apis) == 351  # 341 Java methods, 10 libc functions
    for api in apis:
        assert {"class", "method", "data_type", "kind"} <= api.keys(), api
        assert (api["data_type"] is None) == (api["kind"] in ("consent", "lifecycle", "permission", "pinning")), api
    kinds = {a["kind"] for a in apis}
    assert kinds == {"data", "consent", "lifecycle", "permission", "pinning"}
    types = {a["data_type"] for a in apis}
    assert {"carrier", "cell_location", "network_state", "device_info"} <= types
    pairs = {(a["class"], a["method"]) for a in apis}
    for wanted in [  # from the list of gaps
        ("android.app.ApplicationPackageManager", "getPackageInfo"),
        ("android.app.ApplicationPackageManager", "getInstallerPackageName"),
        ("android.app.ApplicationPackageManager", "getInstalledModules"),
        ("android.telephony.TelephonyManager", "getServiceState"),
        ("android.net.ConnectivityManager", "getActiveNetworkInfo"),
        ("android.net.wifi.WifiManager", "getWifiState"),
        ("android.telephony.cdma.CdmaCellLocation", "getBaseStationId"),
        ("android.location.LocationManager", "getGnssHardwareModelName"),
        ("android.telephony.SmsManager", "sendTextMessage"),
        ("android.content.ClipboardManager", "setPrimaryClip"),
        ("java.net.NetworkInterface", "getInetAddresses"),
        ("com.samsung.android.deviceidservice.IDeviceIdService$Stub$Proxy", "getOAID"),
        ("repeackage.com.samsung.android.deviceidservice.IDeviceIdService$Stub$Proxy", "getOAID"),
        ("android.app.admin.DevicePolicyManager", "getWifiMacAddress"),
        ("android.telephony.UiccCardInfo", "getIccId"),
        ("androidx.camera.core.ImageCapture", "takePicture"),
        ("android.media.AudioRecord", "$init"),
        ("android.content.ContentResolver", "insert"),
        ("libc", "__system_property_read_callback"),
    ]:
        assert wanted in pairs, wanted


def test_info_shows_hooks_per_process(tmp_path: Path) -> None:
    from piaudit.policies import rows
    from piaudit.policies.models import ApiRef, HookStatus

    Session.create(tmp_path / "s").close()
    session = Session.open(tmp_path / "s")
    umeng = ApiRef(class_name="com.umeng.commonsdk.UMConfigure", method="submitPolicyGrantResult")
    oppo = ApiRef(class_name="com.heytap.openid.IOpenID$Stub$Proxy", method="getSerID")
    imei = ApiRef(class_name="android.telephony.TelephonyManager", method="getImei")
    statuses = [
        HookStatus(time=1, api=umeng, installed=False, state="pending", process="com.x"),
        HookStatus(time=2, api=umeng, installed=True, state="installed", loader="dalvik.system.PathClassLoader@1", process="com.x"),
        HookStatus(time=1, api=oppo, installed=False, state="pending", process="com.x"),
        HookStatus(time=9, api=oppo, installed=False, state="never_loaded", process="com.x"),
        HookStatus(time=1, api=imei, installed=False, state="failed", error="method not found", process="com.x:push"),
    ]
    for status in statuses:
        table, row = rows.event_row(status)
        session.store.insert_many(table, [row])
    session.store.close()
    info = piaudit("info", str(tmp_path / "s"))
    assert "hooks     com.x: 1 installed, 0 pending, 1 never loaded, 0 failed" in info.stdout, info.stdout
    assert "hooks     com.x:push: 0 installed, 0 pending, 0 never loaded, 1 failed" in info.stdout
    data = json.loads(piaudit("info", str(tmp_path / "s"), "--json").stdout)
    assert data["hooks"]["com.x"] == {"installed": 1, "pending": 0, "never_loaded": 1, "failed": 0}

# ---------------------------------------------------------------------- catalog import-exodus (the CLI layer)

EXODUS_SAMPLE = Path(__file__).parents[1] / "policies" / "data" / "exodus_sample.json"


def test_import_exodus_writes_a_loadable_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from piaudit.policies.catalog import load_catalog
    from piaudit.policies.exodus import import_exodus, merge_catalog
    from piaudit.scripts.cli import main

    out = tmp_path / "merged.yaml"
    assert main(["catalog", "import-exodus", str(EXODUS_SAMPLE), "--out", str(out)]) == 0
    merged = load_catalog(out)
    assert "exodus-901" in merged
    assert "3 added, 2 enriched, 1 unchanged" in capsys.readouterr().err
    expected, _ = merge_catalog(load_catalog(), import_exodus(EXODUS_SAMPLE))
    assert merged.sha256 == expected.sha256


def test_import_exodus_without_out_prints_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    from piaudit.scripts.cli import main

    assert main(["catalog", "import-exodus", str(EXODUS_SAMPLE)]) == 0
    assert "exodus-901" in capsys.readouterr().out


def test_import_exodus_names_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from piaudit.scripts.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["catalog", "import-exodus", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"piaudit catalog: {bad}") and len(err.strip().splitlines()) == 1
