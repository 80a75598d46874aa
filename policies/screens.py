"""Screens as evidence: a capture (PNG + UI hierarchy XML) checked, read and stored in the session.

A capture comes from a device (``adb exec-out screencap -p``, ``uiautomator dump``) or the
stand-in's display; this module does not care which. It

- checks the PNG (signature and size from its header) and reads the hierarchy with bounds
  (size, depth, nodes; no DTD or entity declaration is accepted: the XML comes from the device
  under test and is hostile input);
- takes the visible texts (``text`` and ``content-desc`` of every node, in document order) and
  decides what the screen shows: a ``consent`` dialog (a button whose text means agree or
  refuse, :func:`policies.consent.match_consent_word`, with privacy wording or both kinds of
  button) or a ``permission`` prompt (Android's permission controller);
- stores both files under ``screens/`` in the session, named by their SHA-256 (mode 0600), and a
  row in the chained ``screens`` table that binds them by hash.

The hierarchy is what lets a consent dialog drawn with Jetpack Compose or in a WebView be
documented: the click hook sees no ``Button`` there, but the accessibility tree that
``uiautomator dump`` writes holds its texts.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from piaudit.policies import rows
from piaudit.policies.consent import ConsentWords, default_consent_words, match_consent_word
from piaudit.policies.models import Screen, ScreenTrigger
from piaudit.policies.store import Store

SCREENS_DIR = "screens"
MAX_PNG = 32 << 20
MAX_XML = 8 << 20
MAX_DEPTH = 200
MAX_NODES = 50_000
MAX_TEXTS = 400
MAX_TEXT = 400
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PERMISSION_PACKAGES = ("com.android.permissioncontroller", "com.google.android.permissioncontroller", "com.android.packageinstaller")
PRIVACY_WORDS = ("隐私", "个人信息", "用户协议", "privacy", "personal data", "personal information", "cookies")
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


class ScreenError(ValueError):
    """A capture that cannot be used as it is (not a PNG, hierarchy too large or malformed)."""


@dataclass
class Capture:
    """What a screen source returned: the PNG and the hierarchy (either may be missing, with the reason)."""

    time: float
    source: str
    png: bytes | None = None
    xml: bytes | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Hierarchy:
    """What a UI hierarchy shows."""

    texts: list[str] = field(default_factory=list)
    package: str | None = None
    resource_ids: list[str] = field(default_factory=list)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header; :class:`ScreenError` when it is not a PNG.

    >>> png_size(PNG_SIGNATURE + struct.pack(">I4sII", 13, b"IHDR", 1080, 2400) + bytes(9))
    (1080, 2400)
    """
    if len(data) > MAX_PNG:
        raise ScreenError(f"the screenshot is {len(data)} bytes, over the {MAX_PNG} bytes piaudit keeps")
    if not data.startswith(PNG_SIGNATURE) or len(data) < 24 or data[12:16] != b"IHDR":
        head = data[:40].decode("utf-8", "replace").strip()
        raise ScreenError(f"not a PNG (it starts {head[:40]!r})" if head else "an empty screenshot")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def parse_hierarchy(data: bytes) -> Hierarchy:
    """The texts, foreground package and resource ids of a ``uiautomator dump`` (bounded; no DTD accepted)."""
    if len(data) > MAX_XML:
        raise ScreenError(f"the UI hierarchy is {len(data)} bytes, over the {MAX_XML} bytes piaudit reads")
    if _DECLARATION.search(data):
        raise ScreenError("the UI hierarchy declares a DTD or an entity: not read (uiautomator never writes one)")
    found = Hierarchy()
    depth = nodes = 0
    parser = ET.XMLPullParser(events=("start", "end"))
    try:
        parser.feed(data)
        parser.close()
        for event, element in parser.read_events():
            if event == "end":
                depth -= 1
                element.clear()
                continue
            depth += 1
            nodes += 1
            if depth > MAX_DEPTH or nodes > MAX_NODES:
                raise ScreenError(f"the UI hierarchy is deeper than {MAX_DEPTH} or larger than {MAX_NODES} nodes: not read further")
            if element.tag != "node":
                continue
            if found.package is None and element.get("package"):
                found.package = element.get("package")
            if (rid := element.get("resource-id")) and len(found.resource_ids) < MAX_TEXTS:
                found.resource_ids.append(rid[:MAX_TEXT])
            for name in ("text", "content-desc"):
                value = (element.get(name) or "").strip()
                if value and len(found.texts) < MAX_TEXTS and value[:MAX_TEXT] not in found.texts:
                    found.texts.append(value[:MAX_TEXT])
    except ET.ParseError as e:
        raise ScreenError(f"the UI hierarchy is not well-formed XML ({e})") from e
    return found


def classify(hierarchy: Hierarchy, words: ConsentWords | None = None) -> Literal["consent", "permission"] | None:
    """What the screen shows: a consent dialog, a permission prompt, or neither.

    >>> classify(Hierarchy(texts=["隐私政策", "欢迎使用……", "同意", "不同意"]))
    'consent'
    >>> classify(Hierarchy(texts=["Allow Demo to access this device's location?", "Allow"], package="com.android.permissioncontroller"))
    'permission'
    """
    words = words or default_consent_words()
    if hierarchy.package in PERMISSION_PACKAGES or any("permission_allow" in r for r in hierarchy.resource_ids):
        return "permission"
    meanings = {match_consent_word(t, words) for t in hierarchy.texts}
    privacy = any(w in t.casefold() for t in hierarchy.texts for w in PRIVACY_WORDS)
    if ("granted" in meanings and ("refused" in meanings or privacy)) or ("refused" in meanings and privacy):
        return "consent"
    return None


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) unless a file with this content (its name is its hash) is there."""
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def store_capture(store: Store, session_dir: Path | str, capture: Capture, triggers: list[ScreenTrigger], words: ConsentWords | None = None) -> Screen:
    """Check, read and store one capture (files and chained row); returns the stored :class:`Screen`.

    A part that cannot be used (not a PNG, a malformed hierarchy) is left out and its reason kept
    in the row's ``error``: what could be captured is never lost for the sake of the rest.
    """
    folder = Path(session_dir) / SCREENS_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    screen = Screen(time=capture.time, source=capture.source, triggers=triggers)
    errors = list(capture.errors)
    if capture.png is not None:
        try:
            screen.width, screen.height = png_size(capture.png)
        except ScreenError as e:
            errors.append(f"screenshot: {e}")
        else:
            digest = hashlib.sha256(capture.png).hexdigest()
            screen.png, screen.png_sha256, screen.png_size = f"{digest[:24]}.png", digest, len(capture.png)
            _write_private(folder / screen.png, capture.png)
    if capture.xml is not None and len(capture.xml) > MAX_XML:
        errors.append(f"hierarchy: {len(capture.xml)} bytes, over the {MAX_XML} bytes piaudit keeps: not stored")
    elif capture.xml is not None:
        digest = hashlib.sha256(capture.xml).hexdigest()
        screen.xml, screen.xml_sha256, screen.xml_size = f"{digest[:24]}.xml", digest, len(capture.xml)
        _write_private(folder / screen.xml, capture.xml)
        try:
            hierarchy = parse_hierarchy(capture.xml)
        except ScreenError as e:
            errors.append(f"hierarchy: {e}")
        else:
            screen.texts, screen.package = hierarchy.texts, hierarchy.package
            screen.dialog = classify(hierarchy, words)
    screen.error = "; ".join(errors)
    (screen.id,) = store.insert_many("screens", [rows.screen_row(screen)])
    return screen


def now() -> float:
    """The host clock (a function, so tests and sources share one notion of now)."""
    return time.time()


@dataclass
class DialogWindow:
    """A consent dialog on screen: from its first capture until the first capture without it (None: still up at the end)."""

    first_seen: float
    gone_by: float | None
    screens: list[int]  # the screens that show it
    after: int | None  # the first screen without it
    decisions: list[int]  # consent events recorded in the window (row ids)

    @property
    def unanswered(self) -> bool:
        """The dialog went away, but no consent signal was recorded while it was up."""
        return self.gone_by is not None and not self.decisions


def consent_dialog_windows(screens: list[Screen], consent: list[tuple[int, float]]) -> list[DialogWindow]:
    """When a consent dialog was on screen, and which consent events (``(id, time)``) fall in each window.

    A dialog drawn with Jetpack Compose or in a WebView has no ``Button`` for the click hook: its
    texts are in the hierarchy, so a window with no decision recorded tells the auditor when to
    look (and to record it with ``piaudit consent --at``).

    >>> s = [Screen(id=1, time=1.0, source="x", xml="a.xml", dialog="consent"), Screen(id=2, time=3.0, source="x", xml="b.xml")]
    >>> w = consent_dialog_windows(s, [])
    >>> (w[0].first_seen, w[0].gone_by, w[0].unanswered)
    (1.0, 3.0, True)
    """
    windows: list[DialogWindow] = []
    current: DialogWindow | None = None
    for screen in sorted((s for s in screens if s.png or s.xml), key=lambda s: (s.time, s.id or 0)):
        if screen.dialog == "consent":
            if current is None:
                current = DialogWindow(screen.time, None, [], None, [])
            if screen.id not in current.screens:
                current.screens.append(screen.id or 0)
        elif current is not None and screen.xml is not None:  # a hierarchy without the dialog: it is gone
            current.gone_by, current.after = screen.time, screen.id
            windows.append(current)
            current = None
    if current is not None:
        windows.append(current)
    for window in windows:
        end = window.gone_by if window.gone_by is not None else float("inf")
        window.decisions = [i for i, t in consent if window.first_seen <= t <= end]
    return windows
