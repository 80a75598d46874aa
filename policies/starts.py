"""Starts and wake-ups, owned here: which broadcasts wake an app, which packages are the system's,
and whether a component start targets the app itself, the system, or another app.

``policies/data/app_starts.yaml`` holds the lists (with their source). The rules SELF_START and
ASSOCIATED_START (:mod:`policies.rules.starts`) ask these functions.

>>> is_wake_action("android.intent.action.BOOT_COMPLETED")
True
>>> is_system_package("com.android.settings")
True
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from piaudit.policies.models import ComponentEvent
from piaudit.policies.policy import DATA_DIR
from piaudit.policies.yamlfile import load_yaml_file

STARTS_FILE = DATA_DIR / "app_starts.yaml"

# Calls that start, bind or wake a component (the target runs because of them).
STARTING_CALLS = frozenset({"start_activity", "start_service", "start_foreground_service", "bind_service", "send_broadcast"})
# Calls that schedule the app's own wake-up for later.
SCHEDULING_CALLS = frozenset({"set_alarm", "schedule_job", "enqueue_work", "request_sync"})
# What a woken receiver may do to keep the app running: start its own service or schedule a wake-up.
KEEPALIVE_CALLS = frozenset({"start_service", "start_foreground_service", "bind_service", *SCHEDULING_CALLS})


@cache
def _lists() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    data = load_yaml_file(STARTS_FILE)[0]
    packages = [str(p) for p in data["system_packages"]]
    return (
        frozenset(str(a) for a in data["wake_actions"]),
        tuple(p for p in packages if p.endswith(".")),
        frozenset(p for p in packages if not p.endswith(".")),
    )


def is_wake_action(action: str | None) -> bool:
    """A system broadcast apps register for to be started without the user (boot, connectivity, ...)."""
    return action is not None and action in _lists()[0]


def is_system_package(package: str) -> bool:
    """A package of the platform (``android``, ``com.android.*``, the permission controller, ...)."""
    _, prefixes, exact = _lists()
    return package in exact or package.startswith(prefixes)


def own_package(package: str | None, app_package: str) -> bool:
    """``package`` is the app's own (a ``:process`` suffix or a sub-package's dot does not make it another)."""
    return package is not None and (package == app_package or package.split(":", 1)[0] == app_package)


def target_kind(event: ComponentEvent, app_package: str) -> Literal["own", "system", "other", "implicit"]:
    """Whom a start reaches: the app itself, the system, another app, or an implicit intent the system resolves.

    ``app_package`` is the audited app's (the event's ``source_package`` wins when the agent knew it).
    A ``request_sync`` names a content authority, not a package: another app's unless the authority
    starts with the app's package.
    """
    app = event.source_package or app_package
    target = event.target_package
    if event.call == "request_sync" and target is None:
        authority = str(event.args.get("authority") or "")
        if not authority:
            return "own"
        return "own" if authority == app or authority.startswith(app + ".") else "other"
    if target is None:
        return "own" if event.call in SCHEDULING_CALLS or event.call in ("register_receiver", "receive_broadcast") else "implicit"
    if own_package(target, app):
        return "own"
    if is_system_package(target):
        return "system"
    return "other"
