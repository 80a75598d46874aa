"""The options a session recorded (``session.json`` ``options``), said in words instead of a JSON dump.

Some options change what was audited (the sinkhole answered every request, pinning was
neutralised, canary values replaced the real ones, hooks attached late, responses were
replayed): the report puts those in a banner. The rest (hooks on, the Frida device, the
proxy's settings) appear with the provenance. An option this module does not know yet is
still shown, as ``name: value``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

CHANGES_AUDIT = ("piaudit_sinkhole", "sinkhole", "unpin", "canary", "attach", "server_replay", "ssl_insecure")
_QUIET = {"piaudit_sinkhole_status", "piaudit_sinkhole_body", "piaudit_sinkhole_content_type"}


def describe(options: dict[str, Any], words: Callable[..., str]) -> tuple[list[str], list[str]]:
    """(sentences for the options that changed what was audited, sentences for every recorded option)."""
    changed: list[str] = []
    every: list[str] = []
    for name in sorted(options):
        value = options[name]
        sentence = _sentence(name, value, options, words)
        if sentence is None:
            continue
        every.append(sentence)
        if name in CHANGES_AUDIT and value not in (False, None, [], "", {}):
            changed.append(sentence)
    return changed, every


def _sentence(name: str, value: Any, options: dict[str, Any], words: Callable[..., str]) -> str | None:
    if name in _QUIET:
        return None
    if name in ("piaudit_sinkhole", "sinkhole"):
        if not value:
            return words("option.sinkhole_off")
        return words("option.sinkhole", status=options.get("piaudit_sinkhole_status", 200))
    if name == "unpin":
        return words("option.unpin" if value else "option.unpin_off")
    if name == "canary":
        return words("option.canary", types=", ".join(sorted(value))) if value else words("option.canary_off")
    if name == "attach":
        return words("option.attach" if value else "option.spawn")
    if name == "server_replay":
        return words("option.server_replay", files=", ".join(map(str, value))) if value else None
    if name == "ssl_insecure":
        return words("option.ssl_insecure") if value else None
    if name == "hooks":
        return words("option.hooks", device=options.get("device", "")) if value else words("option.no_hooks")
    if name == "device":
        return None  # said with "hooks"
    if name == "connection_strategy":
        return words("option.connection_strategy", value=value)
    return words("option.other", name=name, value=value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
