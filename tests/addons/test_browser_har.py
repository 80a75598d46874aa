"""HAR files as browsers write them: Chrome's WebSocket frames, and a damaged entry among good ones."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from piaudit.addons.captures import CaptureError, read_har
from piaudit.policies.session import Session
from piaudit.scripts.cli import main

IMEI = "359881030314356"
T = "2025-11-24T16:00:00.000Z"
EPOCH = 1_764_000_000.0


def chrome_entry(url: str, *, started: str = T, **extra: object) -> dict:
    """An entry shaped like Chrome DevTools' "Save all as HAR" (underscore fields included)."""
    entry = {
        "_initiator": {"type": "script"},
        "_priority": "High",
        "_resourceType": "fetch",
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "http/2.0",
            "headers": [{"name": ":authority", "value": "a.example"}, {"name": "user-agent", "value": "Chrome"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": [{"name": "content-type", "value": "application/json"}],
            "cookies": [],
            "content": {"size": 2, "mimeType": "application/json", "text": "{}"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_transferSize": 120,
            "_error": None,
        },
        "serverIPAddress": "203.0.113.5",
        "startedDateTime": started,
        "time": 12.5,
        "timings": {
            "blocked": 1.0,
            "dns": -1,
            "ssl": -1,
            "connect": -1,
            "send": 0.1,
            "wait": 10.0,
            "receive": 1.4,
            "_blocked_queueing": 0.5,
        },
    }
    entry.update(extra)
    return entry


def chrome_har(entries: list[dict]) -> dict:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [{"startedDateTime": T, "id": "page_1", "title": "https://a.example/", "pageTimings": {}}],
            "entries": entries,
        }
    }


def websocket_entry() -> dict:
    ws = chrome_entry("wss://push.tracker.example/socket", _resourceType="websocket")
    ws["response"]["status"] = 101
    ws["response"]["httpVersion"] = "HTTP/1.1"
    ws["request"]["httpVersion"] = "HTTP/1.1"
    ws["_webSocketMessages"] = [
        {"type": "send", "time": EPOCH + 1.5, "opcode": 1, "data": json.dumps({"hello": "world"})},
        {"type": "receive", "time": EPOCH + 1.6, "opcode": 1, "data": '{"ok": true}'},
        {"type": "send", "time": EPOCH + 2.0, "opcode": 1, "data": json.dumps({"device": {"imei": IMEI}})},
        {"type": "send", "time": EPOCH + 2.5, "opcode": 2, "data": base64.b64encode(b"\x00\x01" + IMEI.encode()).decode()},
    ]
    return ws


@pytest.fixture
def identifiers(tmp_path: Path) -> Path:
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({"imei": IMEI}))
    return path


def test_chrome_websocket_messages_are_read(tmp_path: Path) -> None:
    (tmp_path / "c.har").write_text(json.dumps(chrome_har([chrome_entry("https://a.example/"), websocket_entry()])))
    flows = list(read_har(tmp_path / "c.har"))
    ws = flows[1]
    assert ws.websocket is not None and [m.from_client for m in ws.websocket.messages] == [True, False, True, True]
    assert ws.websocket.messages[2].text == json.dumps({"device": {"imei": IMEI}})
    assert ws.websocket.messages[3].content == b"\x00\x01" + IMEI.encode()
    assert ws.websocket.messages[0].timestamp == EPOCH + 1.5


def test_an_imei_in_a_websocket_frame_is_found(tmp_path: Path, identifiers: Path) -> None:
    (tmp_path / "c.har").write_text(json.dumps(chrome_har([chrome_entry("https://a.example/"), websocket_entry()])))
    assert main(["replay", str(tmp_path / "c.har"), "--identifiers", str(identifiers), "--out", str(tmp_path / "s")]) == 0
    store = Session.open(tmp_path / "s").store
    places = {(r["data_type"], r["where"]) for r in store.rows("detections")}
    assert ("imei", "websocket:2>$.device.imei") in places and ("imei", "websocket:3") in places, places
    assert store.count("messages") == 4


def test_a_damaged_entry_is_skipped_with_a_warning_and_a_count(tmp_path: Path, identifiers: Path, capsys) -> None:
    broken = chrome_entry("https://b.example/")
    del broken["request"]["httpVersion"]
    entries = [chrome_entry("https://a.example/"), broken, websocket_entry(), chrome_entry("https://c.example/")]
    (tmp_path / "c.har").write_text(json.dumps(chrome_har(entries)))
    assert main(["replay", str(tmp_path / "c.har"), "--identifiers", str(identifiers), "--out", str(tmp_path / "s")]) == 0
    captured = capsys.readouterr()
    assert f"warning: {tmp_path / 'c.har'}: log.entries[1]: missing field 'request.httpVersion'" in captured.err
    assert "skipped 1 damaged entry of 4" in captured.err
    assert "replayed 3 flows" in captured.out
    session = Session.open(tmp_path / "s")
    assert session.store.count("flows") == 3
    assert any("log.entries[1]" in note for note in session.meta.notes)


def test_strict_keeps_the_refusal(tmp_path: Path, identifiers: Path, capsys) -> None:
    broken = chrome_entry("https://b.example/")
    del broken["request"]["httpVersion"]
    (tmp_path / "c.har").write_text(json.dumps(chrome_har([chrome_entry("https://a.example/"), broken])))
    args = ["replay", str(tmp_path / "c.har"), "--strict", "--out", str(tmp_path / "s")]
    assert main(args) == 2
    assert "log.entries[1]: missing field 'request.httpVersion'" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
    with pytest.raises(CaptureError, match=r"log\.entries\[1\]"):
        list(read_har(tmp_path / "c.har"))


def test_a_malformed_websocket_message_is_a_damaged_entry(tmp_path: Path) -> None:
    ws = websocket_entry()
    ws["_webSocketMessages"][1] = {"type": "receive", "opcode": 1}
    (tmp_path / "c.har").write_text(json.dumps(chrome_har([ws])))
    with pytest.raises(CaptureError, match=r"log\.entries\[0\]\._webSocketMessages\[1\]"):
        list(read_har(tmp_path / "c.har"))
