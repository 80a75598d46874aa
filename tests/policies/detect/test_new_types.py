"""The four data types added for issue 11 in traffic: carrier and device_info by known value, with
their false-positive guards; network_state and cell_location are not searched for."""

from __future__ import annotations

import json

import pytest

from piaudit.policies.detect import Detector
from piaudit.policies.identifiers import Identifiers, IgnoredValue, normalise_value
from tests.policies.detect.helpers import describe, flow, hits

CARRIER = {"mcc_mnc": "46001", "name": "中国联通"}
DEVICE = {"model": "22101316C", "fingerprint": "Redmi/sunstone/sunstone:13/TKQ1.221013.002/V14.0.6.0.TMRCNXM:user/release-keys"}


@pytest.fixture(scope="module")
def detector() -> Detector:
    ids = Identifiers()
    for value in CARRIER.values():
        assert ids.add("carrier", value), ids.last_ignored
    for value in DEVICE.values():
        assert ids.add("device_info", value), ids.last_ignored
    return Detector(ids)


def test_carrier_and_device_info_are_found_by_value(detector: Detector) -> None:
    body = json.dumps({"op": CARRIER["mcc_mnc"], "opname": CARRIER["name"], "dm": DEVICE["model"], "fp": DEVICE["fingerprint"]})
    result = detector.scan_flow(flow(body=body.encode(), headers={"Content-Type": "application/json"}))
    assert {(d.value, d.where) for d in hits(result, data_type="carrier")} == {
        ("46001", "body:$.op"),
        ("中国联通", "body:$.opname"),
    }, describe(result)
    assert {d.where for d in hits(result, data_type="device_info")} == {"body:$.dm", "body:$.fp"}, describe(result)


def test_the_user_agent_model_is_not_an_upload(detector: Detector) -> None:
    ua = "Dalvik/2.1.0 (Linux; U; Android 13; 22101316C Build/TP1A.220624.014)"
    result = detector.scan_flow(flow(headers={"User-Agent": ua}))
    assert not hits(result, data_type="device_info"), describe(result)
    result = detector.scan_flow(flow(headers={"X-Device-Model": DEVICE["model"]}))
    assert [d.where for d in hits(result, data_type="device_info")] == ["header:X-Device-Model"]


def test_mcc_mnc_inside_a_longer_number_is_not_a_carrier(detector: Detector) -> None:
    result = detector.scan_flow(flow(body=b'{"order": 1460012, "ts": 460019}', headers={"Content-Type": "application/json"}))
    assert not hits(result, data_type="carrier"), describe(result)


@pytest.mark.parametrize(
    ("data_type", "value", "reason"),
    [
        ("carrier", "cn", "too short"),
        ("carrier", "12345", "MCC"),
        ("carrier", "4600", "MCC"),
        ("device_info", "Redmi", "too generic"),
        ("device_info", "13", "too generic"),
        ("device_info", "33", "too generic"),
        ("network_state", "LTE", "too generic"),
        ("cell_location", "52435711", "too generic"),
    ],
)
def test_guards(data_type: str, value: str, reason: str) -> None:
    with pytest.raises(IgnoredValue, match=reason):
        normalise_value(data_type, value)
