"""Which processes belong to the audited app, and how the host learns of each one.

Android starts an app's other processes (``com.example.app:push``, Umeng's ``:channel``) through
the zygote, not from the app: Frida's *spawn gating* on the device reports each such spawn with its
process name. Processes an app forks or execs itself arrive through *child gating* on each
instrumented process. The stand-in has no Android zygote: its zygote stand-in is child-gated
instead (``launcher``), which delivers the same (pid, process name) pairs. Whatever the source,
:class:`PendingProcess` goes through one decision (:func:`decide`) and one instrumentation path.

>>> belongs_to("com.example.app:push", "com.example.app"), belongs_to("com.example.apple", "com.example.app")
(True, False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

Origin = Literal["spawn", "spawn-gating", "fork", "exec", "attach"]
Decision = Literal["instrument", "gate", "resume"]


def belongs_to(name: str, package: str | None) -> bool:
    """True when process ``name`` is ``package`` or one of its named processes (``package:xyz``)."""
    if not package or not name:
        return False
    return name == package or name.startswith(package + ":")


@dataclass(frozen=True)
class PendingProcess:
    """A process Frida holds suspended until the host decides: instrument it, gate it, or let it run."""

    pid: int
    name: str  # Android's process name (spawn identifier), or argv[0] of an exec'd program
    origin: Origin
    parent_pid: int | None = None


def child_process(child: Any) -> PendingProcess:
    """A Frida ``Child`` (child gating) as a :class:`PendingProcess`: its name is argv[0] when given."""
    argv = list(getattr(child, "argv", None) or [])
    name = argv[0] if argv else (child.identifier or child.path or "")
    origin = child.origin if child.origin in ("fork", "exec", "spawn") else "exec"
    return PendingProcess(pid=child.pid, name=name, origin=origin, parent_pid=child.parent_pid)


def spawn_process(spawn: Any) -> PendingProcess:
    """A Frida ``Spawn`` (spawn gating on a device) as a :class:`PendingProcess`."""
    return PendingProcess(pid=spawn.pid, name=spawn.identifier or "", origin="spawn-gating")


def decide(pending: PendingProcess, package: str | None, *, parent_kind: str | None) -> Decision:
    """What to do with a suspended process.

    ``parent_kind`` is ``"app"`` when its parent is an instrumented app process, ``"launcher"``
    when the parent is a gated launcher (the stand-in's zygote), None for spawn gating.

    * a process of the package (``PACKAGE`` or ``PACKAGE:*``) is instrumented, from any source;
    * a fork of an app process is the app's own code running on: instrumented under its parent's name;
    * a fork of the launcher is gated (not instrumented) so that what it execs is seen;
    * anything else (``getprop``, ``sh``, another app) runs on untouched.
    """
    if belongs_to(pending.name, package) or belongs_to(os.path.basename(pending.name), package):
        return "instrument"
    if pending.origin == "fork" and parent_kind == "app":
        return "instrument"
    if pending.origin == "fork" and parent_kind == "launcher":
        return "gate"
    return "resume"
