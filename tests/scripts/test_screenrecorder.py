"""The live screen recorder: held frames document the moment before an event; captures are rate-limited; stop drains."""

from __future__ import annotations

import time
from pathlib import Path

from piaudit.policies import rows
from piaudit.policies.models import ApiRef, ConsentEvent, HookEvent, PermissionEvent
from piaudit.policies.session import Session
from piaudit.scripts.screenrecorder import ScreenRecorder
from piaudit.scripts.screensource import DisplaySource
from tests.support.png import hierarchy, make_png

DIALOG = hierarchy(["隐私政策", "我们会收集您的设备信息", "不同意", "同意"])
MAIN = hierarchy(["Demo 地图", "附近的餐厅"])
PROMPT = hierarchy(["要允许“Demo”获取位置信息吗？", "允许"], package="com.android.permissioncontroller")


class Display:
    """A display folder written the way the stand-in writes it (seq last)."""

    def __init__(self, folder: Path):
        self.folder, self.seq = folder, 0
        folder.mkdir()

    def show(self, xml: bytes, colour: tuple[int, int, int]) -> None:
        self.seq += 1
        (self.folder / "screen.png").write_bytes(make_png(12, 20, lambda x, y: colour))
        (self.folder / "window_dump.xml").write_bytes(xml)
        (self.folder / "seq").write_text(f"{self.seq}\n")


def wait_for(predicate, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_consent_click_is_documented_by_the_frame_before_and_after(tmp_path: Path) -> None:
    session = Session.create(tmp_path / "s", app="com.example.demoapp")
    display = Display(tmp_path / "display")
    display.show(DIALOG, (255, 255, 255))
    recorder = ScreenRecorder(session.dir, DisplaySource(display.folder), interval=0.2)
    recorder.start()
    try:
        wait_for(lambda: recorder.captures >= 2)  # it polls while no consent decision was seen
        read = time.time()
        recorder.observe([HookEvent(time=read, data_type="imei", api=ApiRef(class_name="T", method="getImei"))])
        clicked = time.time()
        display.show(MAIN, (0, 0, 0))  # the dialog is gone right after the click
        recorder.observe([ConsentEvent(time=clicked, decision="granted", source="ui_click", detail="同意")])
        asked = time.time()
        display.show(PROMPT, (9, 9, 9))
        recorder.observe([PermissionEvent(time=asked, permissions=["android.permission.ACCESS_FINE_LOCATION"])])
        recorder.observe([HookEvent(time=time.time(), data_type="imei", api=ApiRef(class_name="T", method="getImei"))])  # not a first read
    finally:
        recorder.stop()
    screens = list(rows.screens(session.store))
    by_kind = {t.kind: s for s in screens for t in s.triggers}
    assert set(by_kind) >= {"launch", "first_read", "consent", "permission"}
    assert by_kind["first_read"].dialog == "consent" and by_kind["first_read"].time <= read
    consent_frames = [s for s in screens if any(t.kind == "consent" for t in s.triggers)]
    assert consent_frames[0].dialog == "consent" and consent_frames[0].time <= clicked  # the dialog the user answered
    assert consent_frames[-1].time >= clicked and consent_frames[-1].dialog != "consent"  # and the screen after it
    assert by_kind["permission"].dialog == "permission" and by_kind["permission"].time >= asked
    assert sum(1 for s in screens for t in s.triggers if t.kind == "first_read") == 1
    starts = sorted({s.time for s in screens})
    assert all(b - a >= 0.2 - 0.01 for a, b in zip(starts, starts[1:], strict=False)), [b - a for a, b in zip(starts, starts[1:], strict=False)]  # the rate limit
    assert session.store.verify()["screens"] is None


def test_polling_stops_after_consent_and_the_limit_holds(tmp_path: Path) -> None:
    session = Session.create(tmp_path / "s")
    display = Display(tmp_path / "display")
    display.show(MAIN, (1, 2, 3))
    recorder = ScreenRecorder(session.dir, DisplaySource(display.folder), interval=0.05, max_screens=2)
    recorder.start()
    try:
        wait_for(lambda: recorder.captures >= 1)
        recorder.observe([ConsentEvent(time=time.time(), decision="refused", source="ui_click")])
        wait_for(lambda: recorder.captures >= 2)  # the frame held from before the decision, and one after it
        captured = recorder.captures
        time.sleep(0.5)
        assert recorder.captures == captured  # after the decision: only events make captures
        for n in range(3):
            recorder.observe([PermissionEvent(time=time.time(), permissions=[f"p{n}"])])
            time.sleep(0.4)
    finally:
        recorder.stop()
    assert session.store.count("screens") == 2
    assert "screen limit of 2 reached" in session.store.conn.execute("SELECT message FROM errors").fetchone()[0]


def test_a_source_that_shows_nothing_is_said_once_and_stores_no_empty_screen(tmp_path: Path) -> None:
    session = Session.create(tmp_path / "s")
    recorder = ScreenRecorder(session.dir, DisplaySource(tmp_path / "never-drawn"), interval=0.05)
    recorder.start()
    try:
        wait_for(lambda: recorder.captures >= 3)
        for _ in range(3):
            recorder.observe([PermissionEvent(time=time.time(), permissions=["p"])])
            time.sleep(0.1)
    finally:
        recorder.stop()
    assert session.store.count("screens") == 0
    assert [m for (m,) in session.store.conn.execute("SELECT message FROM errors")] == [f"nothing on screen yet ({tmp_path / 'never-drawn'} has no frame)"]


def test_a_permission_prompt_drawn_late_is_waited_for(tmp_path: Path) -> None:
    """A loaded device draws the system's prompt well after the request: the recorder captures again until it shows."""
    session = Session.create(tmp_path / "s")
    display = Display(tmp_path / "display")
    display.show(MAIN, (1, 2, 3))
    recorder = ScreenRecorder(session.dir, DisplaySource(display.folder), interval=0.1)
    recorder._consented = True  # no polling: only the permission event makes captures
    recorder.start()
    try:
        asked = time.time()
        recorder.observe([PermissionEvent(time=asked, permissions=["android.permission.ACCESS_FINE_LOCATION"])])
        wait_for(lambda: recorder.captures >= 3)  # the main screen, captured again while the prompt is not up
        display.show(PROMPT, (9, 9, 9))
        wait_for(lambda: session.store.count("screens") >= 1)
    finally:
        recorder.stop()
    (screen,) = rows.screens(session.store)
    assert screen.dialog == "permission" and [t.kind for t in screen.triggers] == ["permission"]
    assert screen.time > asked + 0.2
