"""The Detector as the live proxy uses it: identifiers that change, threads, limits, backends."""

from __future__ import annotations

import json
import threading

from piaudit.policies.detect import Detector, Limits, Matcher
from piaudit.policies.identifiers import Identifiers
from tests.policies.detect.helpers import VALUES, b64, describe, detector, flow, hits, identifiers


def test_new_values_take_effect_for_the_next_flow() -> None:
    det = Detector()
    record = flow(f"https://t.example.com/?x={VALUES['serial']}")
    assert not hits(det.scan_flow(record), source="value")
    first = det.matcher
    assert det.identifiers.add("serial", VALUES["serial"])
    assert hits(det.scan_flow(record), data_type="serial", where="query:x")
    assert det.matcher is not first
    again = det.matcher
    det.scan_flow(record)
    assert det.matcher is again  # not rebuilt while the set is unchanged


def test_replacing_the_identifiers_object_rebuilds() -> None:
    det = Detector()
    det.identifiers = identifiers()
    assert hits(det.scan_bytes(VALUES["imei"].encode(), "body"), data_type="imei")


def test_hook_thread_adding_values_while_scanning_never_crashes() -> None:
    ids = Identifiers()
    det = Detector(ids)
    body = json.dumps({"k": [f"{i:016x}" for i in range(200)]}).encode()
    stop = threading.Event()
    errors: list[BaseException] = []

    def hook() -> None:
        i = 0
        while not stop.is_set() and i < 400:
            ids.add("android_id", f"{i:016x}")
            i += 1

    def proxy() -> None:
        try:
            for _ in range(60):
                det.scan_bytes(body, "body")
        except BaseException as e:  # noqa: BLE001 - the test is that nothing escapes
            errors.append(e)

    threads = [threading.Thread(target=hook), threading.Thread(target=proxy)]
    for t in threads:
        t.start()
    threads[1].join()
    stop.set()
    threads[0].join()
    assert not errors
    assert len(ids.values[next(iter(ids.values))]) == 399  # 0000000000000000 is ignored
    assert len(hits(det.scan_bytes(body, "body"), data_type="android_id")) == 199


def test_the_automaton_finds_every_needle_occurrence() -> None:
    """Against a plain search: every occurrence of every needle, overlapping ones included."""
    ids = identifiers()
    values, locations, version = ids.snapshot()
    text = json.dumps({"a": VALUES["mac"].upper(), "b": b64(VALUES["imei"].encode()), "c": "noise" * 20}).encode()
    matcher = Matcher(values, locations, version)
    expected = []
    for index, needle in enumerate(matcher.needles):
        start = text.find(needle)
        while start >= 0:
            expected.append((index, start, start + len(needle)))
            start = text.find(needle, start + 1)
    assert sorted(matcher.find(text)) == sorted(expected) != []


def test_hit_cap_is_recorded() -> None:
    det = Detector(identifiers(), limits=Limits(max_hits=3))
    body = json.dumps({f"k{i}": VALUES["imei"] for i in range(10)}).encode()
    result = det.scan_bytes(body, "body")
    assert len(result.detections) == 3
    assert any("hit cap of 3" in n for n in result.notes)


def test_depth_limit_is_recorded() -> None:
    text = json.dumps({"imei": VALUES["imei"]}).encode()
    for _ in range(4):
        text = json.dumps({"d": b64(text)}).encode()
    result = Detector(identifiers(), limits=Limits(max_depth=4)).scan_bytes(text, "body")
    assert any("depth limit 4" in n for n in result.notes), result.notes
    full = Detector(identifiers()).scan_bytes(text, "body")
    found = hits(full, data_type="imei", where="body:$.d>$.d>$.d>$.d>$.imei")
    assert [d.encoding for d in found] == ["json" + ">base64>json" * 4], describe(full)


def test_patterns_off_still_finds_values() -> None:
    result = detector(patterns=False).scan_bytes(b'{"x":"490154203237518","e":"a.b@c.de"}', "body")
    assert [d.source for d in result.detections] == ["value"]
