"""The redaction core: every identifier, in every encoding the detector knows, in any text."""

from __future__ import annotations

import pytest

from piaudit.policies.redaction import NoRedaction, Redactor, session_identifiers, token
from piaudit.policies.store import Store
from tests.support.redaction_corpus import IDENTIFIERS, LAT, LON, encodings, known_identifiers, scanner

CASES = [(t, name, enc) for t, v in IDENTIFIERS.items() for name, enc in encodings(v).items()]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(known_identifiers())


@pytest.fixture(scope="module")
def detector():
    return scanner()


def values_found(detector, text: str) -> set[str]:
    result = detector.scan_bytes(text.encode(), "t", headers={"content-type": "text/plain"})
    return {str(d.data_type) for d in result.detections if d.source == "value"}


@pytest.mark.parametrize(("data_type", "name", "wire"), CASES, ids=[f"{t}-{n}" for t, n, _ in CASES])
def test_each_encoding_is_masked(redactor: Redactor, detector, data_type: str, name: str, wire: str) -> None:
    for text in (f"x={wire}&y=1", f'{{"k":"{wire}"}}', f"Cookie: a={wire}; b=2", f"…{wire}…"):
        assert data_type in values_found(detector, text), (name, text)  # the detector does see it
        masked = redactor.text(text)
        assert values_found(detector, masked) == set(), (name, masked)
        assert f"‹{data_type}" in masked


def test_one_value_one_token_whatever_the_encoding(redactor: Redactor) -> None:
    value = IDENTIFIERS["imei"]
    digests = {redactor.text(enc).rsplit(":", 1)[-1] for enc in encodings(value).values()}
    assert digests == {token("imei", value).rsplit(":", 1)[-1]}


def test_positions_are_masked_one_coordinate_at_a_time(redactor: Redactor, detector) -> None:
    for text in (f'{{"latitude": {LAT}, "x": 1, "longitude": {LON}}}', f"lon={LON}", f"{LAT:.4f},{LON:.4f}"):
        masked = redactor.text(text)
        assert str(LON)[:7] not in masked and "location" not in values_found(detector, masked), masked


def test_urls_stay_ascii_and_hosts_stay_labels(redactor: Redactor) -> None:
    imei = IDENTIFIERS["imei"]
    url = redactor.url(f"https://{imei}.evil.example/p/{imei}?m={encodings(IDENTIFIERS['mac'])['url']}#{imei}")
    assert url.isascii() and imei not in url
    assert url.startswith("https://redacted-imei-bbd859f0.evil.example/p/%E2%80%B9imei%3Asha256%3Abbd859f0%E2%80%BA?m=")


def test_nested_data_keys_included(redactor: Redactor) -> None:
    imei = IDENTIFIERS["imei"]
    masked = redactor.any({imei: [imei, {"a": (imei,)}], "n": 5})
    assert imei not in repr(masked) and masked["n"] == 5


def test_nothing_else_changes(redactor: Redactor) -> None:
    text = 'GET /v1/config?lang=zh-CN&t=1764000000.123 HTTP/1.1 {"msg": "欢迎光临", "b64": "aGVsbG8gd29ybGQgaGVsbG8="}'
    assert redactor.text(text) == text
    assert NoRedaction().text(IDENTIFIERS["imei"]) == IDENTIFIERS["imei"]


def test_session_identifiers_come_from_detections_and_hooks() -> None:
    store = Store(":memory:")
    store.insert_many(
        "detections", [{"flow_id": "f", "data_type": "email", "source": "pattern", "value": "bob@example.org", "where": "body"}]
    )
    store.insert_many(
        "hook_events",
        [
            {
                "time": 1.0,
                "type": "hook:call",
                "json": '{"data_type": "mac", "value": "02-1A-11-F4-3B-9C", "identifiers": {"imei": ["359881030314356"]}}',
            }
        ],
    )
    ids = session_identifiers(store.conn).to_json()
    assert ids == {"email": ["bob@example.org"], "imei": ["359881030314356"], "mac": ["02:1a:11:f4:3b:9c"]}
