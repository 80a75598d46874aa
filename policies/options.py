"""Every option, declared once: name, type, default and help.

mitmproxy declares each option as an object and builds its command line from them; piaudit
does the same. An option is a field of a frozen dataclass declared with :func:`option`;
:class:`AuditOptions` holds the options of an audit (live or replayed). From the declarations
come:

* the ``piaudit_<name>`` mitmproxy options (``mitmdump -s addons/piaudit.py --set ...``),
  registered by the addons with :func:`add_proxy_options`;
* the flags of `piaudit run` and `piaudit replay` (``--<name>``): :meth:`Declared.add_flags`;
* the configuration the auditor and replay are given: an :class:`AuditOptions` read back from
  mitmproxy's options (:meth:`AuditOptions.from_proxy`) or from the command line
  (:meth:`Declared.from_args`).

A path option's empty string means "not given", as in mitmproxy (``--set piaudit_policy=``).
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self, get_type_hints

Group = Literal["session", "sinkhole"]
Command = Literal["run", "replay"]


@dataclass(frozen=True, slots=True)
class Option:
    """One declared option.

    ``group`` names the addon that registers it as ``piaudit_<name>`` (None: no mitmproxy
    option); ``commands`` the CLI commands with a ``--<name>`` flag for it.
    """

    name: str
    type: Any
    default: Any
    help: str
    metavar: str | None = None
    group: Group | None = None
    commands: tuple[Command, ...] = ()
    short: str | None = None

    @property
    def proxy_name(self) -> str:
        """The mitmproxy option: ``piaudit_policy``."""
        return f"piaudit_{self.name}"

    @property
    def flag(self) -> str:
        """The command-line flag: ``--listen-port``."""
        return "--" + self.name.replace("_", "-")

    @property
    def repeated(self) -> bool:
        """A list of values: the flag may be given several times."""
        return getattr(self.type, "__origin__", None) is tuple


def option(
    default: Any,
    help: str,
    *,
    metavar: str | None = None,
    group: Group | None = None,
    commands: tuple[Command, ...] = (),
    short: str | None = None,
) -> Any:
    """Declare an option as a dataclass field (the field's name and annotation give its name and type)."""
    return field(default=default, metadata={"option": (help, metavar, group, commands, short)})


class Declared:
    """A frozen dataclass of declared options: its flags and its values from parsed arguments."""

    _options: ClassVar[tuple[Option, ...]]

    @classmethod
    def options(cls) -> tuple[Option, ...]:
        """Every declared option of the class, in declaration order."""
        if "_options" not in cls.__dict__:
            types = get_type_hints(cls)
            cls._options = tuple(
                Option(f.name, types[f.name], f.default, *f.metadata["option"])
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                if "option" in f.metadata
            )
        return cls._options

    @classmethod
    def add_flags(cls, parser: argparse.ArgumentParser, command: Command, *, required: tuple[str, ...] = ()) -> None:
        """Add ``command``'s flags to an argparse parser.

        A flag's default is None (not given), so :meth:`from_args` can tell it from a value; a
        bool option that defaults to False becomes a switch; a tuple option a repeatable flag.
        """
        for o in cls.options():
            if command not in o.commands:
                continue
            names = [o.short, o.flag] if o.short else [o.flag]
            if o.type is bool:
                parser.add_argument(*names, dest=o.name, action="store_true", default=None, help=o.help)
            elif o.repeated:
                parser.add_argument(*names, dest=o.name, action="append", metavar=o.metavar, default=None, help=o.help)
            else:
                kind = o.type if o.type in (int, float) else str
                parser.add_argument(
                    *names, dest=o.name, type=kind, metavar=o.metavar, required=o.name in required, default=None, help=o.help
                )

    @classmethod
    def from_args(cls, args: argparse.Namespace, command: Command, **values: Any) -> Self:
        """The values of ``command``'s flags in parsed arguments; flags not given keep their defaults."""
        for o in cls.options():
            given = getattr(args, o.name, None)
            if command in o.commands and given is not None and o.name not in values:
                values[o.name] = tuple(given) if o.repeated else given
        return cls(**values)


@dataclass(frozen=True)
class AuditOptions(Declared):
    """The options of one audit, live or replayed. Recorded in ``session.json`` where they change what is audited."""

    session: str = option(
        "",
        "Session directory to record into (created 0700; an existing session is continued). Empty: piaudit records nothing.",
        metavar="DIR",
        group="session",
        commands=("run",),
    )
    policy: str = option(
        "",
        "Privacy-policy YAML to judge against (see `piaudit policy init`).",
        metavar="FILE",
        group="session",
        commands=("run", "replay"),
    )
    identifiers: str = option(
        "",
        "JSON file of the device's identifier values to look for (see README).",
        metavar="FILE",
        group="session",
        commands=("run", "replay"),
    )
    catalog: str = option(
        "", "Extra SDK catalog YAML merged over the shipped one.", metavar="FILE", group="session", commands=("run", "replay")
    )
    geoip: str = option(
        "",
        "MaxMind-format .mmdb file mapping server IPs to countries, for CROSS_BORDER_TRANSFER (never downloaded).",
        metavar="FILE",
        group="session",
        commands=("run", "replay"),
    )
    app: str = option("", "Package name of the app under audit, recorded in session.json.", metavar="PACKAGE", group="session")
    sign: str = option(
        "",
        "Ed25519 private key (piaudit keygen): every evidence table's head is signed with it as the session closes;"
        " check with `piaudit info DIR --key NAME.pub`.",
        metavar="KEY",
        group="session",
        commands=("run",),
    )
    live_log: bool = option(
        True,
        "Log each new finding as it happens (piaudit run turns this off unless -v, and sums the findings up at the end).",
        group="session",
    )
    detect: bool = option(True, "Scan flows for personal data (turn off only to measure the recorder alone).", group="session")
    sinkhole: bool = option(
        False,
        "Answer every request at the proxy: nothing reaches the real servers (recorded in the session).",
        group="sinkhole",
        commands=("run",),
    )
    sinkhole_status: int = option(200, "HTTP status the sinkhole answers with.", group="sinkhole")
    sinkhole_body: str = option('{"ok":true}', "Body the sinkhole answers with.", group="sinkhole")
    sinkhole_content_type: str = option("application/json", "Content-Type of the sinkhole's answer.", group="sinkhole")

    @classmethod
    def from_proxy(cls, options: Any) -> AuditOptions:
        """The values of mitmproxy's options (``ctx.options``); options no addon registered keep their defaults."""
        return cls(**{o.name: getattr(options, o.proxy_name) for o in cls.options() if o.group and o.proxy_name in options})

    def proxy_settings(self) -> dict[str, Any]:
        """``{"piaudit_<name>": value}`` for mitmproxy's ``options.update``: the values not at their default."""
        return {o.proxy_name: getattr(self, o.name) for o in self.options() if o.group and getattr(self, o.name) != o.default}


@dataclass
class AuditorConfig:
    """What a live audit is told: the declared options, and what only the proxy knows."""

    options: AuditOptions
    recorded: dict[str, Any] = field(default_factory=dict)  # options that change what is audited: into session.json
    mode: list[str] = field(default_factory=list)
    flush_interval: float = 0.1
    annotate: bool = True  # send detections and findings back to the proxy's view


def add_proxy_options(loader: Any, group: Group) -> None:
    """Register a group's options with mitmproxy (an addon's ``load(loader)``)."""
    for o in AuditOptions.options():
        if o.group == group:
            loader.add_option(o.proxy_name, o.type, o.default, o.help)
