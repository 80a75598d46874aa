"""The identifiers of the device under test: normalisation, ignored values, the identifiers file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piaudit.policies.identifiers import Identifiers, IdentifiersError, load_identifiers, normalise_value
from piaudit.policies.vocab import DataType


@pytest.mark.parametrize(
    ("data_type", "raw", "normalised"),
    [
        ("mac", "02:1A:11:F4:3B:9C", "02:1a:11:f4:3b:9c"),
        ("mac", "02-1a-11-f4-3b-9c", "02:1a:11:f4:3b:9c"),
        ("bssid", "021A11F43B9C", "02:1a:11:f4:3b:9c"),
        ("bluetooth_mac", " 02:1a:11:f4:3b:9c\n", "02:1a:11:f4:3b:9c"),
        ("imei", "35 988103 031435 6", "359881030314356"),
        ("imei", "3598810303143501", "3598810303143501"),
        ("iccid", "89860012345678901238f", "89860012345678901238F"),
        ("meid", "a0000012345678", "A0000012345678"),
        ("phone", "+86 139-1234-5678", "+8613912345678"),
        ("android_id", "9774D56D682E549C", "9774d56d682e549c"),
        ("ad_id", "38400000-8CF0-11BD-B23E-10B96E40000D", "38400000-8cf0-11bd-b23e-10b96e40000d"),
        ("ad_id", "384000008cf011bdb23e10b96e40000d", "38400000-8cf0-11bd-b23e-10b96e40000d"),
        ("ssid", '"MyHomeWiFi"', "MyHomeWiFi"),
        ("email", "Zhang.Wei@Example.ORG", "zhang.wei@example.org"),
        ("serial", "R58M12ABCDE", "R58M12ABCDE"),
    ],
)
def test_normalise(data_type: str, raw: str, normalised: str) -> None:
    assert normalise_value(data_type, raw) == normalised
    ids = Identifiers()
    assert ids.add(data_type, raw)
    assert ids.values[DataType(data_type)] == {normalised}


@pytest.mark.parametrize(
    ("data_type", "raw", "reason"),
    [
        ("mac", "02:00:00:00:00:00", "dummy MAC"),
        ("mac", "not a mac", "not a MAC"),
        ("bluetooth_mac", "02:00:00:00:00:00", "dummy MAC"),
        ("serial", "unknown", "placeholder"),
        ("serial", "abc", "shorter than 4"),
        ("ad_id", "00000000-0000-0000-0000-000000000000", "repeated"),
        ("oaid", "00000000000000000000000000000000", "repeated"),
        ("imei", "000000000000000", "repeated"),
        ("imei", "12345", "not an IMEI"),
        ("ssid", "<unknown ssid>", "placeholder"),
        ("email", "nobody", "no @"),
        ("ip", "127.0.0.1", "loopback"),
        ("wifi_mac", "02:1a:11:f4:3b:9c", "not a data type"),
    ],
)
def test_degenerate_values_are_ignored_with_a_reason(data_type: str, raw: str, reason: str) -> None:
    ids = Identifiers()
    assert not ids.add(data_type, raw)
    assert reason in ids.last_ignored and raw in ids.last_ignored
    assert ids.version == 0 and len(ids) == 0
    assert reason in ids.ignored[(data_type, raw)]


def test_version_bumps_only_on_change_and_sha256_is_stable() -> None:
    a, b = Identifiers(), Identifiers()
    assert a.add("mac", "02:1A:11:F4:3B:9C") and a.version == 1
    assert not a.add("mac", "021a11f43b9c") and a.version == 1
    assert a.add_location(39.9042, 116.4074) and not a.add_location(39.9042, 116.4074) and a.version == 2
    b.add_location(39.9042, 116.4074)
    b.add("mac", "02-1a-11-f4-3b-9c")
    assert a.sha256() == b.sha256() and len(a.sha256()) == 64
    b.add("imei", "490154203237518")
    assert a.sha256() != b.sha256()
    assert a.merge(b) and not a.merge(b) and a.sha256() == b.sha256()


def test_add_many_from_a_hook_event() -> None:
    ids = Identifiers()
    added, reasons = ids.add_many(
        {"mac": ["02:1A:11:F4:3B:9C", "02:00:00:00:00:00"], "location": ["39.9042,116.4074"], "imei": "490154203237518"}
    )
    assert added == 3 and len(reasons) == 1 and "dummy" in reasons[0]
    assert ids.locations == [(39.9042, 116.4074)]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "ids.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_load_the_issue_example(tmp_path: Path) -> None:
    example = {
        "imei": ["359881030314356"],
        "android_id": "9774d56d682e549c",
        "mac": "02:1a:11:f4:3b:9c",
        "ad_id": "38400000-8cf0-11bd-b23e-10b96e40000d",
        "location": {"lat": 39.9042, "lon": 116.4074},
    }
    ids = load_identifiers(write(tmp_path, example))
    assert ids.values[DataType.imei] == {"359881030314356"}
    assert ids.locations == [(39.9042, 116.4074)]
    assert ids.to_json()["mac"] == ["02:1a:11:f4:3b:9c"]


def test_load_a_list_of_locations(tmp_path: Path) -> None:
    ids = load_identifiers(write(tmp_path, {"location": [{"lat": 1.5, "lon": 2.5}, {"lat": -33.86, "lon": 151.21}]}))
    assert len(ids.locations) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "line 1 column 2: not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"wifi": "x"}, "key 'wifi': not a data type"),
        ({"imei": 359881030314356}, "key 'imei': expected a string or a list of strings, got number (quote it"),
        ({"imei": [["x"]]}, "key 'imei': expected a string or a list of strings, got list"),
        ({"mac": "02:00:00:00:00:00"}, "key 'mac': value '02:00:00:00:00:00' is not usable: 02:00:00:00:00:00 is the dummy MAC"),
        ({"location": {"lat": 39.9}}, "key 'location': a location needs 'lat' and 'lon'"),
        ({"location": {"lat": 99, "lon": 1}}, "key 'location': (99.0, 1.0) is not a position"),
        ({"location": "39.9,116.4"}, "key 'location': expected an object"),
    ],
)
def test_bad_files_name_file_key_and_reason(tmp_path: Path, content: object, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(IdentifiersError) as e:
        load_identifiers(path)
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value), str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IdentifiersError, match="cannot read"):
        load_identifiers(tmp_path / "nope.json")
