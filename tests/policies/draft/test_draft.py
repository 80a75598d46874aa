"""`piaudit policy draft` and `policy compare`: the reader, the traps, the draft, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piaudit.policies.apk.inventory import read_apk
from piaudit.policies.catalog import default_catalog
from piaudit.policies.draft.compare import compare
from piaudit.policies.draft.extract import split_names
from piaudit.policies.draft.pipeline import draft_policy
from piaudit.policies.draft.source import PolicyTextError, parse_text, read_policy_text
from piaudit.policies.draft.terms import load_terms
from piaudit.policies.policy import load_policy, parse_policy
from piaudit.policies.provenance import read_draft_provenance
from piaudit.scripts.cli import main
from tests.support.apks import BuiltApk

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _draft(name: str, apk: Path | None = None):
    return draft_policy("com.example.fixture", privacy_policy=FIXTURES / name, apk=apk)


def _party(draft, catalog_id: str):
    return next(p for p in draft.parties if p.catalog_id == catalog_id)


@pytest.mark.parametrize(
    ("text", "types", "not_personal"),
    [
        ("设备信息（IMEI、Android ID、OAID、MAC地址）", ["imei", "android_id", "oaid", "mac"], []),
        ("崩溃日志（包括崩溃发生的代码位置）", [], ["崩溃日志", "代码位置"]),
        ("位置信息、WiFi信息（SSID、BSSID）、基站信息", ["location", "ssid", "bssid"], []),
        ("已安装应用列表、剪贴板内容、通讯录", ["installed_apps", "clipboard", "contacts"], []),
        ("SIM卡序列号", ["iccid"], []),  # the longer term wins over 序列号 (serial)
        ("MAC 地址", ["mac"], []),
        ("Mac OS 版本", [], ["mac os"]),
        ("the location of the error in the code, IP address", ["ip"], ["location of the error"]),
        ("shipping address", [], []),  # "ip" inside a word is not an IP
        ("advertising ID and the Android ID", ["ad_id", "android_id"], []),
    ],
)
def test_term_mapping(text: str, types: list[str], not_personal: list[str]) -> None:
    mapped = load_terms().data_types_in(text)
    assert [t.value for t, _ in mapped.types] == types
    assert mapped.not_personal == not_personal


def test_generic_phrase_only_when_nothing_specific() -> None:
    terms = load_terms()
    assert [t.value for t in terms.data_types_in("设备标识信息").all_types()] == ["imei", "android_id", "oaid"]
    assert [t.value for t in terms.data_types_in("设备标识信息（OAID）").all_types()] == ["oaid"]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("极光推送SDK、极光认证SDK", ["极光推送SDK", "极光认证SDK"]),
        ("支付宝SDK / 银联SDK", ["支付宝SDK", "银联SDK"]),
        ("微信开放平台（分享、登录）", ["微信开放平台（分享、登录）"]),
        ("AppsFlyer and Adjust", ["AppsFlyer", "Adjust"]),
        ("友盟统计SDK", ["友盟统计SDK"]),
    ],
)
def test_split_names(cell: str, names: list[str]) -> None:
    assert split_names(cell) == names


class TestTraps:
    def test_sdk_named_only_by_company(self) -> None:
        _, draft = _draft("zh_table.html")
        getui = _party(draft, "getui")
        assert "company '每日互动股份有限公司'" in getui.notes[0]
        assert getui.confidence == "medium"
        assert [t.value for t in getui.data_types] == ["imei", "oaid", "installed_apps", "location"]

    def test_two_sdks_in_one_row(self) -> None:
        _, draft = _draft("zh_table.html")
        jpush, jverify = _party(draft, "jpush"), _party(draft, "jiguang-jverification")
        assert "one of several SDKs in the cell" in jpush.sources[0] and "极光推送SDK、极光认证SDK" in jverify.sources[0]
        assert jpush.data_types == jverify.data_types

    def test_we_do_not_share_with(self) -> None:
        for name, negated in (("zh_table.html", "pangle"), ("zh_records.txt", "kuaishou-ads"), ("en_policy.html", "unity-ads")):
            text, draft = _draft(name)
            assert negated not in {p.catalog_id for p in draft.parties}, name
            assert any("negative statement" in n and negated in n for n in draft.notes), name

    def test_negated_party_the_apk_embeds_is_a_todo(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        policy = tmp_path / "p.txt"
        policy.write_text("我们不会与个推共享您的任何个人信息。\n", encoding="utf-8")
        _, draft = draft_policy("com.example.fixture", privacy_policy=policy, apk=fixture_apk.signed)
        assert any("negative statement, yet the APK embeds it" in t and "getui" in t for t in draft.todos)

    def test_a_phrase_that_means_nothing_personal(self) -> None:
        _, draft = _draft("zh_table.html")
        bugly = _party(draft, "tencent-bugly")
        assert [t.value for t in bugly.data_types] == ["android_id"]
        assert any("代码位置" in n for n in bugly.notes)

    def test_the_operator_is_not_a_third_party(self) -> None:
        text, draft = _draft("zh_table.html")
        assert "深圳示例科技" not in "".join(draft.todos)
        assert not any("深圳示例科技" in p.name for p in draft.parties)

    def test_unknown_sdk_is_a_todo_not_dropped(self) -> None:
        text, draft = _draft("zh_table.html")
        assert any('"某某云直播SDK"' in t and "mouyun-live.cn" in t for t in draft.todos)
        assert '# TODO unmatched third party "某某云直播SDK"' in text

    def test_script_text_is_not_policy_text(self) -> None:
        doc = read_policy_text(FIXTURES / "zh_table.html")
        assert "不是正文" not in doc.full_text()


class TestReader:
    def test_pdf_dump_table_split_across_pages(self) -> None:
        doc = read_policy_text(FIXTURES / "zh_pdf_dump.txt")
        assert len(doc.tables) == 1
        rows = [r.cells for r in doc.tables[0].rows[1:]]
        assert [r[0] for r in rows] == ["高德定位SDK", "穿山甲广告SDK", "腾讯优量汇SDK", "小米推送SDK"]
        assert rows[1][3] == "设备标识信息（IMEI、OAID）、已安装应用列表"  # the wrapped cell joined
        assert not any("第 3 页" in ln.text for ln in doc.lines)

    def test_markdown_and_tab_tables(self) -> None:
        text = "| SDK名称 | 使用目的 | 收集个人信息类型 |\n|---|---|---|\n| 友盟统计SDK | 统计 | OAID |\n\nSDK名称\t公司名称\t个人信息\n个推\t每日互动股份有限公司\tIMEI\n"
        doc = parse_text(text, "t.md")
        assert [[r.cells for r in t.rows[1:]] for t in doc.tables] == [[["友盟统计SDK", "统计", "OAID"]], [["个推", "每日互动股份有限公司", "IMEI"]]]

    def test_gb18030(self, tmp_path: Path) -> None:
        f = tmp_path / "gbk.txt"
        f.write_bytes("我们接入了友盟统计SDK，会收集您的OAID。".encode("gb18030"))
        _, draft = draft_policy("com.x.y", privacy_policy=f)
        assert [p.catalog_id for p in draft.parties] == ["umeng"]

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "the file is empty"),
            (b"\x00\x01\x02binary", "a binary file"),
            (b"<table>" * 20, "tables nested more than 16 deep"),
            (b"<p>" * 400_001, "more than 400000 HTML tags"),
        ],
    )
    def test_hostile_or_unusable_input(self, tmp_path: Path, content: bytes, message: str) -> None:
        f = tmp_path / "policy.html"
        f.write_bytes(content)
        with pytest.raises(PolicyTextError, match=message) as err:
            read_policy_text(f)
        assert str(err.value).startswith(str(f))

    def test_size_limit(self, tmp_path: Path) -> None:
        f = tmp_path / "big.txt"
        f.write_bytes(b"a" * (8 * 1024 * 1024 + 1))
        with pytest.raises(PolicyTextError, match="larger than the 8 MiB limit"):
            read_policy_text(f)


class TestDraftWithApk:
    def test_draft_passes_check_and_records_provenance(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        import hashlib

        text, draft = _draft("zh_table.html", fixture_apk.signed)
        out = tmp_path / "policy.yaml"
        out.write_text(text, encoding="utf-8")
        policy = load_policy(out)
        assert {p.catalog_id for p in policy.third_parties} == {"umeng", "jpush", "jiguang-jverification", "getui", "tencent-bugly"}
        inputs = read_draft_provenance(out)
        assert inputs is not None and inputs.privacy_policy is not None and inputs.apk is not None
        assert inputs.privacy_policy.sha256 == hashlib.sha256((FIXTURES / "zh_table.html").read_bytes()).hexdigest()
        assert inputs.apk.sha256 == hashlib.sha256(fixture_apk.signed.read_bytes()).hexdigest()
        assert inputs.apk.model_extra["signing_sha256"] == [fixture_apk.signer_sha256]

    def test_embedded_and_not_named_is_a_todo(self, fixture_apk: BuiltApk) -> None:
        text, draft = _draft("zh_table.html", fixture_apk.signed)
        todos = "\n".join(draft.todos)
        for missing in ("pangle", "amap-location"):
            assert "embedded but not named in the privacy policy: " in todos and f"({missing};" in todos
        assert "(umeng;" not in todos
        assert any(n.startswith("embedded: com.umeng (1 classes in classes.dex)") for n in _party(draft, "umeng").notes)
        assert any("TODO not found in the APK" in n for n in _party(draft, "jiguang-jverification").notes)

    def test_company_with_many_sdks_is_decided_by_the_apk(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        policy = tmp_path / "p.html"
        policy.write_text(
            "<table><tr><th>第三方名称</th><th>第三方主体</th><th>个人信息</th></tr>"
            "<tr><td></td><td>深圳市腾讯计算机系统有限公司</td><td>Android ID</td></tr></table>",
            encoding="utf-8",
        )
        _, alone = draft_policy("com.example.fixture", privacy_policy=policy)
        assert alone.parties == [] and any("catalog candidates by company" in t and "tencent-bugly" in t for t in alone.todos)
        _, with_apk = draft_policy("com.example.fixture", privacy_policy=policy, apk=fixture_apk.signed)
        assert [p.catalog_id for p in with_apk.parties] == ["tencent-bugly"]
        assert with_apk.parties[0].confidence == "low"

    def test_apk_alone(self, fixture_apk: BuiltApk) -> None:
        text, draft = draft_policy("com.example.fixture", apk=fixture_apk.signed)
        parse_policy(text)
        assert draft.parties == []  # the APK shows what is embedded, not what is declared
        assert sum("embedded but not named" in t for t in draft.todos) == 7


class TestCompare:
    def test_compare(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        text, _ = _draft("zh_table.html", fixture_apk.signed)
        policy = parse_policy(text.replace("category: other", "category: map_navigation"))
        result = compare(policy, read_apk(fixture_apk.signed, default_catalog()))
        assert {d.catalog_id for d in result.embedded_not_declared} == {"pangle", "pangle-global", "amap-location"}
        assert {d.catalog_id for d in result.declared_not_embedded} == {"jiguang-jverification"}
        judged = {p.permission.rsplit(".", 1)[1]: p.justified for p in result.permissions}
        assert judged == {"READ_PHONE_STATE": False, "ACCESS_FINE_LOCATION": True, "READ_CONTACTS": False, "QUERY_ALL_PACKAGES": False}
        assert result.differences == 3 + 1 + 3

    def test_cli(self, fixture_apk: BuiltApk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        out = tmp_path / "policy.yaml"
        argv = ["policy", "draft", "--app", "com.example.fixture", "--privacy-policy", str(FIXTURES / "zh_table.html"), "--apk", str(fixture_apk.signed), "-o", str(out)]
        assert main(argv) == 0
        assert main(argv) == 2  # exists
        assert "use --force" in capsys.readouterr().err
        assert main(["policy", "check", str(out)]) == 0
        capsys.readouterr()
        assert main(["policy", "compare", str(out), "--apk", str(fixture_apk.signed), "--json"]) == 1
        data = json.loads(capsys.readouterr().out)
        assert {d["catalog_id"] for d in data["embedded_not_declared"]} == {"pangle", "pangle-global", "amap-location"}
        assert main(["policy", "compare", str(out), "--apk", str(FIXTURES / "zh_table.html")]) == 2
        assert "zh_table.html: not a ZIP/APK file" in capsys.readouterr().err

    def test_no_difference_exits_0(self, fixture_apk: BuiltApk, tmp_path: Path) -> None:
        text, _ = draft_policy("com.example.fixture", apk=fixture_apk.signed)
        inv = read_apk(fixture_apk.signed, default_catalog())
        parties = "".join(
            f"  - name: {s.catalog_id}\n    catalog_id: {s.catalog_id}\n    purpose: x\n" for s in inv.sdks
        )
        out = tmp_path / "full.yaml"
        out.write_text(text.replace("third_parties: []", "third_parties:\n" + parties), encoding="utf-8")
        assert main(["policy", "compare", str(out), "--apk", str(fixture_apk.signed)]) == 0


def test_text_cannot_inject_yaml_through_comments(tmp_path: Path) -> None:
    """A YAML line break (U+2028, NEL) or control character in the policy text or its path stays inside the comment."""
    policy = tmp_path / "p\u2028first_party_domains: [evil.example]\u2028.txt"
    policy.write_text(
        "我们接入了友盟统计SDK\u2028first_party_domains: [evil.example]\x85third_parties: []，会收集您的OAID\x07。\n", encoding="utf-8"
    )
    text, _ = draft_policy("com.example.app", privacy_policy=policy)
    parsed = parse_policy(text)
    assert parsed.first_party_domains == [] and [p.catalog_id for p in parsed.third_parties] == ["umeng"]
    assert read_draft_provenance_text(text)["privacy_policy"]["path"] == str(policy)


def read_draft_provenance_text(text: str) -> dict:
    line = next(ln for ln in text.splitlines() if "piaudit-draft-provenance:" in ln)
    return json.loads(line.split("piaudit-draft-provenance:", 1)[1])


def test_html_rowspan_and_colspan_keep_columns() -> None:
    """A company cell spanning two SDK rows (rowspan) and a merged cell (colspan) keep every column in place."""
    from piaudit.policies.draft.source import parse_html

    doc = parse_html(
        "<table><tr><th>SDK名称</th><th>第三方主体</th><th>收集个人信息类型</th></tr>"
        "<tr><td>极光推送SDK</td><td rowspan='2'>深圳市和讯华谷信息技术有限公司</td><td>OAID</td></tr>"
        "<tr><td>极光认证SDK</td><td>手机号码</td></tr>"
        "<tr><td colspan='2'>友盟统计SDK</td><td>IMEI</td></tr></table>"
    )
    rows = [r.cells for r in doc.tables[0].rows[1:]]
    assert rows == [
        ["极光推送SDK", "深圳市和讯华谷信息技术有限公司", "OAID"],
        ["极光认证SDK", "深圳市和讯华谷信息技术有限公司", "手机号码"],
        ["友盟统计SDK", "", "IMEI"],
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--apk", "{dir}/notes.txt"], "{dir}/notes.txt: not a ZIP/APK file"),
        (["--privacy-policy", "{dir}/missing.html"], "{dir}/missing.html: cannot read"),
        (["--privacy-policy", "{dir}/blob.bin"], "{dir}/blob.bin: a binary file"),
        ([], "give --privacy-policy FILE, --apk APP.apk, or both"),
    ],
)
def test_draft_input_errors_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    (tmp_path / "notes.txt").write_text("not an apk")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" * 100)
    args = [a.replace("{dir}", str(tmp_path)) for a in argv]
    assert main(["policy", "draft", "--app", "com.example.app", *args]) == 2
    err = capsys.readouterr().err
    assert message.replace("{dir}", str(tmp_path)) in err and err.count("\n") == 1
