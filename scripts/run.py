"""`piaudit run`: the proxy with piaudit's addons in-process, and optionally the Frida hooks on the app.

One session, one timeline: the Frida host's events go to the same auditor as the flows.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from piaudit.policies.options import AuditOptions, Declared, option

if TYPE_CHECKING:  # imported when a run starts, not when `piaudit --help` builds the parser
    from mitmproxy.tools.dump import DumpMaster

    from piaudit.addons.recorder import Recorder
    from piaudit.hooks.host import HookHost
    from piaudit.policies.models import Finding
    from piaudit.scripts.screenrecorder import ScreenRecorder

log = logging.getLogger("piaudit")


@dataclass(frozen=True)
class RunOptions(Declared):
    """Everything `piaudit run` was asked to do: the audit's options, the proxy's, the hooks'.

    Each field declared with :func:`policies.options.option` is a `piaudit run` flag; the audit's
    own options (``--session``, ``--policy``, ``--sinkhole``, ...) come from
    :class:`policies.options.AuditOptions`.
    """

    audit: AuditOptions = field(default_factory=AuditOptions)
    listen_host: str = option("127.0.0.1", "address to listen on (default 127.0.0.1)", metavar="H", commands=("run",))
    listen_port: int = option(8080, "port to listen on (default 8080)", metavar="P", commands=("run",))
    mode: tuple[str, ...] = option(
        ("regular",), "mitmproxy mode: regular (default), wireguard, upstream:URL, ... (repeatable)", metavar="MODE", commands=("run",)
    )
    set: tuple[str, ...] = option((), "any mitmproxy or piaudit option (repeatable)", metavar="KEY=VALUE", commands=("run",))
    confdir: str = option("", "mitmproxy confdir (its CA); default ~/.mitmproxy", metavar="DIR", commands=("run",))
    duration: float = option(0.0, "stop after S seconds", metavar="S", commands=("run",))
    quiet: bool = option(False, "no log on the terminal, only warnings and errors", short="-q", commands=("run",))
    # the hooks
    app: str = option("", "spawn (or --attach to) this app with the Frida hooks", metavar="PACKAGE", commands=("run",))
    spawn: str = option(
        "", "spawn this local command with the hooks instead of an app (the stand-in JVM)", metavar="CMDLINE", commands=("run",)
    )
    device: str = option("usb", "Frida device (default usb)", metavar="usb|ID|local|HOST:PORT", commands=("run",))
    attach: bool = option(False, "attach to the running app instead of spawning it (misses startup reads)", commands=("run",))
    unpin: bool = option(False, "neutralise certificate pinning in the app (recorded in the session)", commands=("run",))
    canary: str = option(
        "", "JSON {data_type: value}: hooks return these values instead (recorded)", metavar="FILE", commands=("run",)
    )
    zygote: str = option(
        "",
        "spawn this local launcher (the stand-in's zygote) and hook every process of --app it starts, as spawn gating does on a device",
        metavar="CMDLINE",
        commands=("run",),
    )
    exit_with_app: bool = option(False, "stop when the hooked app's main process exits", commands=("run",))
    capture_bytes: int = option(
        65536,
        "bytes of each crypto op's input and output to keep (default 65536; the whole is counted and hashed)",
        metavar="N",
        commands=("run",),
    )
    # the screens
    screens: str = option(
        "auto",
        "capture screens at consent, permission prompts, first reads: auto (adb for a device app, none for --spawn), off,"
        " adb, adb:SERIAL or display:DIR (the stand-in's)",
        metavar="SOURCE",
        commands=("run",),
    )
    screens_interval: float = option(
        0.0, "at least S seconds between two screen captures (default 2 through adb, 0.5 from a display)", metavar="S", commands=("run",)
    )
    # not flags: set by the demo
    spawn_argv: tuple[str, ...] = ()  # argv of a local process to spawn (``--spawn`` split like a shell would)
    zygote_argv: tuple[str, ...] = ()  # argv of a local launcher (``--zygote`` split like a shell would)
    grace: float = 1.0  # seconds to wait after the app exited, for its last flows
    verbose: bool = False  # -v: each warning and finding as it happens (else summed up at the end)

    @property
    def screen_source(self) -> str | None:
        """The screen source spec (``adb:SERIAL``, ``display:DIR``), or None for no screens."""
        if self.screens == "off" or (self.screens == "auto" and (not self.app or self.spawn_argv or self.spawn or self.launcher)):
            return None
        if self.screens == "auto":
            local = self.device in ("usb", "local") or ":" in self.device
            return "adb" if local else f"adb:{self.device}"
        return self.screens

    @property
    def launcher(self) -> list[str] | None:
        """The local launcher whose children are the app's processes (``--zygote``), if any."""
        return list(self.zygote_argv) or (shlex.split(self.zygote) if self.zygote else None)

    @property
    def target(self) -> list[str] | str | None:
        """What the hooks instrument: a launcher or local argv (``--zygote``, ``--spawn``), an app package (``--app``), or nothing."""
        argv = self.launcher or list(self.spawn_argv) or (shlex.split(self.spawn) if self.spawn else [])
        return argv or self.app or None


class RunResult:
    """What a run left behind, for the summary and for the demo."""

    def __init__(self) -> None:
        self.session_dir: str = ""
        self.summary: str = ""
        self.findings: list[Finding] = []
        self.app_exit: int | None = None
        self.errors: list[str] = []


async def _run(opts: RunOptions, result: RunResult, on_ready: Callable[[DumpMaster], None] | None = None) -> None:
    from mitmproxy import options as mopts
    from mitmproxy.tools.dump import DumpMaster

    from piaudit.addons.recorder import Recorder
    from piaudit.addons.shutdown import close_connections
    from piaudit.addons.sinkhole import Sinkhole

    options = mopts.Options(listen_host=opts.listen_host, listen_port=opts.listen_port, mode=list(opts.mode))
    if opts.confdir:
        options.update(confdir=opts.confdir)
    master = DumpMaster(options, with_termlog=not opts.quiet, with_dumper=False)
    recorder = Recorder()
    master.addons.add(Sinkhole(), recorder)
    from mitmproxy.exceptions import OptionsError

    from piaudit.scripts.usage import UsageError

    try:
        if opts.set:
            options.set(*opts.set)
        options.update(**opts.audit.proxy_settings())  # the flags given win over --set piaudit_...=
    except OptionsError as e:  # a session that cannot be used, a bad policy, a bad --set: one line, exit 2
        raise UsageError(str(e).removeprefix("piaudit: cannot start the session: ")) from None


    loop = asyncio.get_running_loop()
    host = None
    screens = None
    stopping: list[asyncio.Task] = []

    async def stop_all() -> None:
        # The hooks stop first: their last events (flushes, process exits, hooks never loaded)
        # must reach the session before the proxy's shutdown closes it; the screens the last events
        # asked for are taken then too.
        if host is not None:
            await loop.run_in_executor(None, host.stop)
            await asyncio.sleep(0.3)  # let the proxy see the killed processes' connections close
        if screens is not None:
            await loop.run_in_executor(None, screens.stop)
        # Client connections still open (OkHttp keeps pooled ones) are ended now, while the proxy
        # runs: left to asyncio.run, their tasks would be cancelled, which Python 3.12.1 logs as a
        # CancelledError traceback (addons/shutdown.py says why). Nothing is silenced.
        try:
            await close_connections(master)
        finally:
            master.shutdown()

    def shutdown() -> None:
        if stopping:  # asked again (a second Ctrl-C): stop now, without waiting for the connections
            master.shutdown()
        else:
            stopping.append(asyncio.ensure_future(stop_all()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, shutdown)

    async def supervise() -> None:
        nonlocal host, screens
        # wait until the proxy listens
        for _ in range(200):
            if recorder.loop is not None:
                break
            await asyncio.sleep(0.025)
        if on_ready is not None:
            on_ready(master)
        if opts.screen_source is not None:
            try:
                screens = _start_screens(opts, recorder)
            except Exception as e:  # no screens is a limit of the audit, not a reason to stop it
                log.error("piaudit: screens will not be captured: %s", e)
                result.errors.append(f"screens: {e}")
        if opts.target is not None:
            try:
                host = await loop.run_in_executor(None, _start_hooks, opts, recorder, screens)
            except Exception as e:
                log.error("piaudit: the hooks could not start: %s", e)
                result.errors.append(f"hooks: {e}")
                shutdown()
                return
        if opts.duration:
            await asyncio.sleep(opts.duration)
            shutdown()
        elif host is not None and opts.exit_with_app:
            result.app_exit = await loop.run_in_executor(None, host.wait, None)
            await asyncio.sleep(opts.grace)
            shutdown()

    task = asyncio.create_task(supervise())
    try:
        await master.run()
    finally:
        task.cancel()
        if host is not None:
            await loop.run_in_executor(None, host.stop)  # a no-op when stop_all ran it already
        if screens is not None:
            await loop.run_in_executor(None, screens.stop)
    result.session_dir = opts.audit.session


def _start_screens(opts: RunOptions, recorder: Recorder) -> ScreenRecorder:
    """Start capturing screens from the run's source; the source is recorded in the session for `piaudit snap`."""
    from piaudit.scripts.screenrecorder import ScreenRecorder, default_interval
    from piaudit.scripts.screensource import source_for

    spec = opts.screen_source
    assert spec is not None
    source = source_for(spec)
    interval = opts.screens_interval or default_interval(spec)
    recorder.auditor.record_options({"screens": source.spec, "screens_interval": interval})
    screens = ScreenRecorder(opts.audit.session, source, interval=interval)
    screens.start()
    return screens


def _start_hooks(opts: RunOptions, recorder: Recorder, screens: ScreenRecorder | None = None) -> HookHost:
    """Start the Frida host; its events go to the recorder's audit process (the same session)."""
    import json
    from pathlib import Path

    from piaudit.hooks.host import HookHost
    from piaudit.policies.catalog import load_catalog
    from piaudit.policies.consent import consent_words
    from piaudit.policies.models import ErrorRecord
    from piaudit.policies.policy import load_policy

    client = recorder.auditor
    canary = json.loads(Path(opts.canary).read_text()) if opts.canary else None
    policy = load_policy(Path(opts.audit.policy)) if opts.audit.policy else None
    words = consent_words(policy)
    catalog = load_catalog(extra=Path(opts.audit.catalog) if opts.audit.catalog else None)
    client.record_options(
        {"hooks": True, "unpin": opts.unpin, "canary": canary, "attach": opts.attach, "device": opts.device, "capture_bytes": opts.capture_bytes}
    )

    def on_error(err: ErrorRecord) -> None:
        client.report_error(err.source, err.message, err.detail)

    if opts.launcher and not opts.app:
        raise ValueError("--zygote needs --app: the package whose processes to hook")
    host = HookHost(
        device="local" if isinstance(opts.target, list) else opts.device,
        target=opts.target,
        attach=opts.attach,
        package=opts.app or None,
        launcher=opts.launcher is not None,
        unpin=opts.unpin,
        canary=canary,
        agree_words=list(words.agree),
        refuse_words=list(words.refuse),
        catalog=catalog,
        on_events=client.submit_events if screens is None else _tee(client.submit_events, screens.observe),
        on_error=on_error,
        capture_bytes=opts.capture_bytes,
    )
    host.start()
    return host


def _tee(*consumers: Callable[[list], None]) -> Callable[[list], None]:
    """Hand each batch of events to every consumer, in order."""

    def deliver(events: list) -> None:
        for consumer in consumers:
            consumer(events)

    return deliver


def run(opts: RunOptions, on_ready: Callable[[DumpMaster], None] | None = None) -> RunResult:
    """Run the proxy (and hooks) until stopped; return what was recorded."""
    import contextlib

    from piaudit.scripts.terminal import summarised_warnings

    result = RunResult()
    started = time.time()
    with contextlib.nullcontext() if opts.verbose else summarised_warnings():  # -v: each warning as it happens
        asyncio.run(_run(opts, result, on_ready))
    result.summary = session_summary(opts.audit.session)
    log.debug("run took %.1f s", time.time() - started)
    return result


def session_summary(session_dir: str) -> str:
    """A short end-of-run summary of a session."""
    from piaudit.policies import rows
    from piaudit.policies.session import Session
    from piaudit.policies.summary import rule_lines

    session = Session.open(session_dir)
    store = session.store
    findings = rows.latest_findings(store)
    from piaudit.policies.policy import NO_POLICY_NOTE

    lines = [
        f"session {session_dir}: {rows.count_line(rows.counts(store))}"
        + ("" if session.meta.complete else f" — INCOMPLETE: {session.meta.incomplete_reason}"),
    ]
    if not session.meta.policy_path:
        lines.append(f"warning: {NO_POLICY_NOTE} (give --policy FILE)")
    lines += rule_lines(findings)
    from piaudit.policies.hookcoverage import process_summary

    for process, states in sorted(process_summary(rows.events(store, "hook_status")).items()):
        counts = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in states.items())
        lines.append(f"  hooks in {process or '(unknown process)'}: {counts}")
    store.close()
    return "\n".join(lines)


def main_run(args: argparse.Namespace) -> int:
    """CLI adapter for `piaudit run`."""
    if args.sign:  # a key that cannot sign fails now, not when the session closes
        from piaudit.policies.keys import KeyFileError, load_private_key
        from piaudit.scripts.usage import UsageError

        try:
            load_private_key(args.sign)
        except KeyFileError as e:
            raise UsageError(str(e)) from e
    if not args.policy:
        from piaudit.policies.policy import NO_POLICY_NOTE

        print(f"warning: {NO_POLICY_NOTE} (give --policy FILE)", file=sys.stderr)
    audit = AuditOptions.from_args(args, "run", app=args.app or "", live_log=bool(args.verbose))
    result = run(RunOptions.from_args(args, "run", audit=audit, verbose=bool(args.verbose)))
    print(result.summary, file=sys.stderr if args.quiet else sys.stdout)
    return 1 if result.errors else 0  # the hooks could not start: the app was not audited
