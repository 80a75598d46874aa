"""The policy file: validation, one-line errors with file:line:field, the starter template, the data files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from piaudit.policies.consent import default_consent_words
from piaudit.policies.policy import (
    DATA_DIR,
    OTHER_CATEGORY,
    Policy,
    PolicyError,
    app_categories,
    load_policy,
    parse_policy,
    policy_init_yaml,
    policy_sha256,
)
from piaudit.policies.vocab import DATA_TYPES

EXAMPLES = sorted((Path(__file__).parents[2] / "policies" / "examples").glob("*.yaml"))
HEAD = "app: {package: com.example.app, category: news}\n"


def error(text: str, tmp_path: Path, name: str = "policy.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert "\n" not in message
    return message.removeprefix(f"{tmp_path}/")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load(path):
    policy = load_policy(path)
    assert policy.app.package.startswith("com.example.")


def test_there_are_examples():
    assert len(EXAMPLES) >= 2


def test_demo_example():
    policy = load_policy(Path(__file__).parents[2] / "policies" / "examples" / "demoapp.yaml")
    assert policy.app.package == "com.example.demoapp"
    assert policy.first_party_domains == ["api.demoapp.example"]
    (bugly,) = policy.third_parties
    assert (bugly.name, bugly.domains, bugly.sdk_prefixes, bugly.data_types) == (
        "Bugly",
        ["bugly.qq.com"],
        ["com.tencent.bugly"],
        ["android_id"],
    )
    assert not any("umeng" in d for p in policy.third_parties for d in p.domains)  # Umeng stays undeclared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEAD
            + "third_parties:\n  - name: X\n    domains: [x.com]\n    purpose: p\n    data_types:\n      - imei\n      - imie\n",
            "policy.yaml:8: third_parties[0].data_types[1]: 'imie' is not a data type (did you mean 'imei'?)",
        ),
        (
            HEAD + "declared_data_types: [locaton]\n",
            "policy.yaml:2: declared_data_types[0]: 'locaton' is not a data type (did you mean 'location'?)",
        ),
        (
            HEAD + "colour: red\n",
            "policy.yaml:2: colour: unknown field 'colour' (allowed: version, app, first_party_domains, third_parties, "
            "declared_data_types, consent, thresholds, jurisdiction, expected_server_countries, server_countries)",
        ),
        (
            "app:\n  package: com.example.app\n  category: news\n  nmae: X\n",
            "policy.yaml:4: app.nmae: unknown field 'nmae' (did you mean 'name'?)",
        ),
        (
            HEAD + "thresholds:\n  frequency:\n    window: 10\n",
            "policy.yaml:4: thresholds.frequency.window: unknown field 'window' (did you mean 'window_seconds'?)",
        ),
        (
            "app:\n  package: com.example.app\n  category: newz\n",
            "policy.yaml:3: app.category: 'newz' is not an app category (did you mean 'news'?)",
        ),
        (
            "app: {package: com.example.app, category: games}\n",
            "policy.yaml:1: app.category: 'games' is not an app category "
            "(one of the codes in policies/data/necessary_scope.yaml, or 'other')",
        ),
        (
            HEAD + "first_party_domains: [a.example\n",
            "policy.yaml:3: YAML syntax error: expected ',' or ']', but got '<stream end>'",
        ),
        (HEAD + "  bad indent: 1\n", "policy.yaml:2: YAML syntax error: expected <block end>, but found '<block mapping start>'"),
        (
            HEAD + "first_party_domains: api.example.com\n",
            "policy.yaml:2: first_party_domains: expected a list, got a string 'api.example.com'",
        ),
        (
            HEAD + "thresholds:\n  frequency:\n    max_reads: many\n",
            "policy.yaml:4: thresholds.frequency.max_reads: expected an integer, got a string 'many'",
        ),
        (
            HEAD + "thresholds:\n  frequency:\n    max_reads: 0\n",
            "policy.yaml:4: thresholds.frequency.max_reads: input should be greater than or equal to 1, got a number 0",
        ),
        (
            HEAD + "consent:\n  signals: [manual, click]\n",
            "policy.yaml:3: consent.signals[1]: expected 'manual', 'ui_click', 'sdk_call' or 'network', got a string 'click' (did you mean 'ui_click'?)",
        ),
        ("app:\n  package: com.example.app\n", "policy.yaml:1: app.category: required field is missing"),
        ("first_party_domains: []\n", "policy.yaml:1: app: required field is missing"),
        (
            HEAD + "jurisdiction: NO\n",
            "policy.yaml:2: jurisdiction: got a boolean: quote the country code (YAML reads an unquoted NO as false)",
        ),
        (
            HEAD + "server_countries:\n  cdn.example.com: china\n",
            "policy.yaml:3: server_countries['cdn.example.com']: 'china' is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. 'CN')",
        ),
        (
            HEAD + "first_party_domains: ['https://api.example.com/']\n",
            "policy.yaml:2: first_party_domains[0]: 'https://api.example.com/' is not a domain name (write 'api.example.com': no scheme, port or path)",
        ),
        (
            HEAD + "third_parties:\n  - name: X\n    purpose: p\n",
            "policy.yaml:3: third_parties[0]: third party 'X' needs a catalog_id, sdk_prefixes or domains: nothing could be attributed to it",
        ),
        (
            HEAD + "third_parties:\n  - name: X\n    domains: [x.com]\n",
            "policy.yaml:3: third_parties[0].purpose: required field is missing",
        ),
        (
            HEAD + "app: {package: com.example.other, category: news}\n",
            "policy.yaml:2: app: duplicate key (the earlier value would be lost)",
        ),
        ("- app\n", "policy.yaml:1: (top level): expected a mapping, got a list ['app']"),
        ("", "policy.yaml:1: the policy is empty (run `piaudit policy init --app PACKAGE` for a template)"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, text, expected):
    assert error(text, tmp_path) == expected


def test_several_problems_one_line_each_and_all_kept(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("app: {package: com.example.app, category: newz}\ndeclared_data_types: [imie]\n")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value) == "\n".join(info.value.issues)
    assert [i.removeprefix(f"{tmp_path}/") for i in info.value.issues] == [
        "p.yaml:1: app.category: 'newz' is not an app category (did you mean 'news'?)",
        "p.yaml:2: declared_data_types[0]: 'imie' is not a data type (did you mean 'imei'?)",
    ]


def test_duplicate_party_names(tmp_path):
    party = "  - {name: Bugly, domains: [bugly.qq.com], purpose: p}\n"
    assert error(HEAD + "third_parties:\n" + party + party, tmp_path) == (
        "policy.yaml:2: third_parties: third party names must be unique: bugly appears more than once"
    )


def test_unreadable_file(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy"):
        load_policy(tmp_path / "missing.yaml")


def test_parse_policy_names_the_given_file():
    with pytest.raises(PolicyError, match=r"^inline:1: app.category"):
        parse_policy("app: {package: a.b}\n", "inline")


def test_init_template_round_trips(tmp_path):
    text = policy_init_yaml("com.example.newapp")
    policy = parse_policy(text, "init.yaml")
    assert policy.app.package == "com.example.newapp"
    assert policy.app.category == OTHER_CATEGORY
    assert policy.thresholds.frequency.window_seconds == 30 and policy.thresholds.frequency.max_reads == 3
    assert "# " in text and "map_navigation" in text and "android_id" in text
    path = tmp_path / "init.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_policy(path) == policy
    # The commented third-party example is valid once uncommented.
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#   - name:"))
    example = [line.removeprefix("#") for line in lines[start : start + 7]]
    uncommented = text.replace("third_parties: []", "third_parties:\n" + "\n".join(example))
    (bugly,) = parse_policy(uncommented, "init.yaml").third_parties
    assert (bugly.name, bugly.catalog_id, bugly.country) == ("Bugly", "tencent-bugly", "CN")


def test_init_template_bad_package_is_reported():
    with pytest.raises(PolicyError, match="is not a Java package name"):
        parse_policy(policy_init_yaml("not a package"), "init.yaml")


def test_defaults_and_empty_policy():
    policy = Policy.empty()
    assert policy.app.category == OTHER_CATEGORY
    assert policy.consent.signals == ["manual", "ui_click"]
    assert policy.allowed_server_countries == {"CN"}
    assert parse_policy(HEAD + "jurisdiction: DE\n").allowed_server_countries == {"DE"}
    assert parse_policy(HEAD + "expected_server_countries: [CN, HK]\n").allowed_server_countries == {"CN", "HK"}


def test_domains_are_normalised():
    policy = parse_policy(HEAD + "first_party_domains: ['API.Example.com.', '*.cdn.example.com']\n")
    assert policy.first_party_domains == ["api.example.com", "cdn.example.com"]


def test_json_schema():
    schema = Policy.model_json_schema()
    assert schema["additionalProperties"] is False
    text = json.dumps(schema)
    assert '"map_navigation"' in text and '"imei"' in text
    json.loads(text)


def test_policy_sha256(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"app: {package: a.b, category: other}\n")
    assert policy_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_necessary_scope_data():
    raw = yaml.safe_load((DATA_DIR / "necessary_scope.yaml").read_text(encoding="utf-8"))
    assert "常见类型移动互联网应用程序必要个人信息范围规定" in raw["source"]["title"]
    assert "interpretation" in raw and "licence" in raw
    categories = app_categories()
    assert len(categories) == 39
    assert len([c for c in categories.values() if not c.data_types]) == 13
    assert all(t in DATA_TYPES for c in categories.values() for t in c.data_types)
    assert OTHER_CATEGORY not in categories
    assert categories["map_navigation"].data_types == ["location"]
    assert categories["news"].name_zh == "新闻资讯类"


def test_consent_words_data():
    words = default_consent_words()
    assert {"同意", "agree", "accept"} <= set(words.agree)
    assert {"不同意", "拒绝", "disagree", "reject"} <= set(words.refuse)
    assert not set(words.agree) & set(words.refuse)
