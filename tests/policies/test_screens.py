"""Screens as evidence: PNG checks, bounded hierarchy reading, what a screen shows, storage bound by hash."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from piaudit.policies import rows
from piaudit.policies.models import ScreenTrigger
from piaudit.policies.screens import (
    MAX_DEPTH,
    Capture,
    Hierarchy,
    ScreenError,
    classify,
    parse_hierarchy,
    png_size,
    store_capture,
)
from piaudit.policies.session import Session
from tests.support.png import hierarchy, make_png


def test_png_size_and_not_a_png() -> None:
    assert png_size(make_png(7, 5)) == (7, 5)
    with pytest.raises(ScreenError, match="not a PNG"):
        png_size(b"error: device offline\n")
    with pytest.raises(ScreenError, match="empty"):
        png_size(b"")


class TestHierarchy:
    def test_texts_package_and_ids_in_document_order(self) -> None:
        found = parse_hierarchy(hierarchy(["隐私政策", "同意", "同意"], package="com.x", resource_ids=["a", "b", "c"]))
        assert found.texts == ["隐私政策", "同意"] and found.package == "com.x" and found.resource_ids == ["a", "b", "c"]  # an empty id is not kept

    @pytest.mark.parametrize(
        "xml, error",
        [
            (b'<?xml version="1.0"?><!DOCTYPE h [<!ENTITY a "aaaa">]><hierarchy>&a;</hierarchy>', "DTD or an entity"),
            (b"<hierarchy><node text='x'></hierarchy>", "not well-formed"),
            (b"<hierarchy>" + b"<node>" * (MAX_DEPTH + 5) + b"</node>" * (MAX_DEPTH + 5) + b"</hierarchy>", "deeper than"),
        ],
        ids=["entities", "malformed", "deep"],
    )
    def test_hostile_hierarchies_are_refused_in_one_line(self, xml: bytes, error: str) -> None:
        with pytest.raises(ScreenError, match=error):
            parse_hierarchy(xml)

    @pytest.mark.parametrize(
        "texts, package, ids, expected",
        [
            (["隐私政策", "我们会收集……", "不同意", "同意"], "com.app", None, "consent"),
            (["Privacy", "We use cookies", "Accept"], "com.app", None, "consent"),  # a Compose/WebView dialog: texts only
            (["Welcome", "OK"], "com.app", None, None),
            (["Allow this app to access location?", "Allow"], "com.android.permissioncontroller", None, "permission"),
            (["允许访问位置信息？"], "com.app", ["com.app:id/permission_allow_button"], "permission"),
        ],
    )
    def test_what_the_screen_shows(self, texts: list[str], package: str, ids: list[str] | None, expected: str | None) -> None:
        assert classify(Hierarchy(texts=texts, package=package, resource_ids=ids or [])) == expected


def test_store_capture_binds_files_to_a_chained_row(tmp_path: Path) -> None:
    session = Session.create(tmp_path / "s")
    png, xml = make_png(4, 4), hierarchy(["隐私政策", "同意", "不同意"])
    trigger = ScreenTrigger(kind="consent", time=2.0, detail="granted (ui_click)")
    screen = store_capture(session.store, session.dir, Capture(time=1.0, source="display:x", png=png, xml=xml), [trigger])
    assert screen.id == 1 and screen.dialog == "consent" and screen.width == 4
    for name, data in ((screen.png, png), (screen.xml, xml)):
        path = session.dir / "screens" / name
        assert path.read_bytes() == data and name.startswith(hashlib.sha256(data).hexdigest()[:24])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((session.dir / "screens").stat().st_mode) == 0o700
    # a second capture of the same screen shares the files; a bad PNG keeps the hierarchy and says why
    again = store_capture(session.store, session.dir, Capture(time=3.0, source="display:x", png=b"junk", xml=xml), [])
    assert again.png is None and "not a PNG" in again.error and again.texts == screen.texts
    assert [s.id for s in rows.screens(session.store)] == [1, 2] and session.store.verify()["screens"] is None
    row = session.store.conn.execute("SELECT png_sha256 FROM screens WHERE id = 1").fetchone()
    assert row[0] == hashlib.sha256(png).hexdigest()
