"""`piaudit run`: the proxy with piaudit's addons in-process, and optionally the Frida hooks on the app.

One session, one timeline: the Frida host's events go to the same auditor as the flows.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("piaudit")


@dataclass
class RunOptions:
    """Everything `piaudit run` was asked to do."""

    session: str
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    mode: list[str] = field(default_factory=lambda: ["regular"])
    sets: list[str] = field(default_factory=list)
    policy: str | None = None
    identifiers: str | None = None
    catalog: str | None = None
    geoip: str | None = None
    sinkhole: bool = False
    confdir: str | None = None
    duration: float | None = None
    quiet: bool = False
    sign: str | None = None  # Ed25519 private key: sign every table's head as the session closes
    verbose: bool = False  # stream each finding as it happens (else: summed up at the end)
    # hooks
    app: str | None = None
    spawn_argv: list[str] | None = None  # a local process to spawn instead of an app package (the stand-in)
    device: str = "usb"
    attach: bool = False
    unpin: bool = False
    canary: str | None = None
    exit_with_app: bool = False
    grace: float = 1.0


class RunResult:
    """What a run left behind, for the summary and for the demo."""

    def __init__(self) -> None:
        self.session_dir: str = ""
        self.summary: str = ""
        self.findings: list[Any] = []
        self.app_exit: int | None = None
        self.errors: list[str] = []


async def _run(opts: RunOptions, result: RunResult, on_ready: Any = None) -> None:
    from mitmproxy import options as mopts
    from mitmproxy.tools.dump import DumpMaster

    from piaudit.addons.recorder import Recorder
    from piaudit.addons.sinkhole import Sinkhole

    options = mopts.Options(listen_host=opts.listen_host, listen_port=opts.listen_port, mode=opts.mode)
    if opts.confdir:
        options.update(confdir=opts.confdir)
    master = DumpMaster(options, with_termlog=not opts.quiet, with_dumper=False)
    recorder = Recorder()
    master.addons.add(Sinkhole(), recorder)
    settings: dict[str, Any] = {"piaudit_session": opts.session, "piaudit_app": opts.app or ""}
    if opts.policy:
        settings["piaudit_policy"] = opts.policy
    if opts.identifiers:
        settings["piaudit_identifiers"] = opts.identifiers
    if opts.catalog:
        settings["piaudit_catalog"] = opts.catalog
    if opts.geoip:
        settings["piaudit_geoip"] = opts.geoip
    if opts.sinkhole:
        settings["piaudit_sinkhole"] = True
    if opts.sign:
        settings["piaudit_sign_key"] = opts.sign
    settings["piaudit_live_log"] = opts.verbose
    from mitmproxy.exceptions import OptionsError

    from piaudit.scripts.cli import UsageError

    try:
        if opts.sets:
            options.set(*opts.sets)
        options.update(**settings)
    except OptionsError as e:  # a session that cannot be used, a bad policy, a bad --set: one line, exit 2
        raise UsageError(str(e).removeprefix("piaudit: cannot start the session: ")) from None

    from piaudit.addons.shutdown import Stopper

    loop = asyncio.get_running_loop()
    stopper = Stopper(master)  # ends the clients' connections first: nothing left for asyncio.run to cancel
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopper.request)

    host = None

    async def supervise() -> None:
        nonlocal host
        # wait until the proxy listens
        for _ in range(200):
            if recorder.loop is not None:
                break
            await asyncio.sleep(0.025)
        if on_ready is not None:
            on_ready(master)
        if opts.app or opts.spawn_argv:
            try:
                host = await loop.run_in_executor(None, _start_hooks, opts, recorder)
            except Exception as e:
                log.error("piaudit: the hooks could not start: %s", e)
                result.errors.append(f"hooks: {e}")
                stopper.request()
                return
        if opts.duration:
            await asyncio.sleep(opts.duration)
            stopper.request()
        elif host is not None and opts.exit_with_app:
            result.app_exit = await loop.run_in_executor(None, host.wait, None)
            await asyncio.sleep(opts.grace)
            stopper.request()

    task = asyncio.create_task(supervise())
    try:
        await master.run()
    finally:
        task.cancel()
        if host is not None:
            await loop.run_in_executor(None, host.stop)
    result.session_dir = opts.session


def _start_hooks(opts: RunOptions, recorder: Any) -> Any:
    """Start the Frida host; its events go to the recorder's audit process (the same session)."""
    import json
    from pathlib import Path

    from piaudit.hooks.host import HookHost
    from piaudit.policies.catalog import load_catalog
    from piaudit.policies.models import ErrorRecord
    from piaudit.policies.policy import load_policy
    from piaudit.policies.rules import consent_words, default_consent_words

    client = recorder.auditor
    canary = json.loads(Path(opts.canary).read_text()) if opts.canary else None
    policy = load_policy(Path(opts.policy)) if opts.policy else None
    words = consent_words(policy) if policy is not None else default_consent_words()
    catalog = load_catalog(extra=Path(opts.catalog) if opts.catalog else None)
    client.submit(("options", {"hooks": True, "unpin": opts.unpin, "canary": canary, "attach": opts.attach, "device": opts.device}))

    def on_error(err: ErrorRecord) -> None:
        client.submit(("error", err.source, err.message, err.detail))

    host = HookHost(
        device="local" if opts.spawn_argv else opts.device,
        target=opts.spawn_argv or opts.app,
        attach=opts.attach,
        unpin=opts.unpin,
        canary=canary,
        agree_words=list(words.agree),
        refuse_words=list(words.refuse),
        catalog=catalog,
        on_events=client.submit_events,
        on_error=on_error,
    )
    host.start()
    return host


def run(opts: RunOptions, on_ready: Any = None) -> RunResult:
    """Run the proxy (and hooks) until stopped; return what was recorded."""
    import contextlib

    from piaudit.scripts.terminal import summarised_warnings

    result = RunResult()
    started = time.time()
    with contextlib.nullcontext() if opts.verbose else summarised_warnings():  # -v: each warning as it happens
        asyncio.run(_run(opts, result, on_ready))
    result.summary = summarize(opts.session)
    log.debug("run took %.1f s", time.time() - started)
    return result


def summarize(session_dir: str) -> str:
    """A short end-of-run summary of a session."""
    from piaudit.policies import rows
    from piaudit.policies.session import Session

    session = Session.open(session_dir)
    store = session.store
    findings = rows.latest_findings(store)
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    from piaudit.policies.policy import NO_POLICY_NOTE

    lines = [
        f"session {session_dir}: {rows.count_line(rows.counts(store))}"
        + ("" if session.meta.complete else f" — INCOMPLETE: {session.meta.incomplete_reason}"),
    ]
    if not session.meta.policy_path:
        lines.append(f"warning: {NO_POLICY_NOTE} (give --policy FILE)")
    lines += [f"  {n:5d}  {rule}" for rule, n in sorted(by_rule.items())]
    store.close()
    return "\n".join(lines)


def main_run(args: Any) -> int:
    """CLI adapter for `piaudit run`."""
    argv = None
    if args.spawn:
        import shlex

        argv = shlex.split(args.spawn)
    opts = RunOptions(
        session=args.session,
        listen_host=args.listen_host,
        listen_port=args.listen_port,
        mode=args.mode or ["regular"],
        sets=args.set or [],
        policy=args.policy,
        identifiers=args.identifiers,
        catalog=args.catalog,
        geoip=args.geoip,
        sinkhole=args.sinkhole,
        confdir=args.confdir,
        duration=args.duration,
        quiet=args.quiet,
        sign=args.sign,
        verbose=args.verbose,
        app=args.app,
        spawn_argv=argv,
        device=args.device,
        attach=args.attach,
        unpin=args.unpin,
        canary=args.canary,
        exit_with_app=args.exit_with_app,
    )
    if args.sign:  # a key that cannot sign fails now, not when the session closes
        from piaudit.policies.keys import KeyFileError, load_private_key
        from piaudit.scripts.cli import UsageError

        try:
            load_private_key(args.sign)
        except KeyFileError as e:
            raise UsageError(str(e)) from e
    if not args.policy:
        from piaudit.policies.policy import NO_POLICY_NOTE

        print(f"warning: {NO_POLICY_NOTE} (give --policy FILE)", file=sys.stderr)
    result = run(opts)
    print(result.summary, file=sys.stderr if args.quiet else sys.stdout)
    return 0
