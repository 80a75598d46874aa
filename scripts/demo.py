"""`piaudit demo`: the whole pipeline on a machine with no Android device.

The proxy (with the sinkhole: it answers every request itself, so nothing leaves the
machine) and the Frida hooks on the stand-in JVM app, which reads identifiers and uploads
some before a simulated consent click and some after, to stand-in third-party endpoints.
Then the HTML report and the evidence bundle, and a table of findings.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
DEMO_POLICY = ROOT / "policies" / "examples" / "demoapp.yaml"
STANDIN_BUILD = Path("hooks") / "standin" / "build.py"

#: The stand-in's scenarios `piaudit demo --scenario` runs, and what each shows (hooks/standin/README.md).
DEMO_SCENARIOS: dict[str, str] = {
    "demo": "SDKs read and upload before the consent click, the user agrees, the app goes to the background (default)",
    "retest": "the demo's app after rectification (consent asked first, fewer SDKs): compare it with the demo with piaudit diff",
    "refuse": "the user refuses the privacy policy; SDKs go on collecting and the app asks for location anyway "
    "(POST_REFUSAL_COLLECTION, PRE_CONSENT_PERMISSION)",
    "refuse_exit": "the user refuses the privacy policy and the app closes itself at once (EXIT_AFTER_REFUSAL)",
    "refuse_permission": "after consent the app explains, asks for phone, location and contacts at once, the user refuses "
    "contacts, the app asks again and exits (PERMISSION_BUNDLED, PERMISSION_RE_REQUEST, EXIT_AFTER_REFUSAL)",
    "restart": "after consent the app goes to the background, the system kills its :push process, which starts again by itself "
    "and collects with nothing of the app visible (SELF_START, BACKGROUND_COLLECTION: 保活)",
    "wake": "the system starts the app for BOOT_COMPLETED: its receiver starts its service, schedules alarms, jobs and work, "
    "and the push SDK probes and wakes other apps (SELF_START, ASSOCIATED_START, APP_LIST_PROBING)",
}


def standin_dir() -> Path:
    """The stand-in app's folder: ``$PIAUDIT_STANDIN``, else the checkout piaudit runs from, else ``./hooks/standin``.

    The stand-in is a fixture and the demo's target, not part of the installed package: an
    editable install finds it beside its own sources, an installed wheel in the current checkout.
    """
    candidates = [Path(os.environ["PIAUDIT_STANDIN"])] if os.environ.get("PIAUDIT_STANDIN") else []
    candidates += [ROOT / "hooks" / "standin", Path.cwd() / STANDIN_BUILD.parent]
    for candidate in candidates:
        if (candidate / "build.py").is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        "the stand-in app (hooks/standin) was not found: run piaudit demo from a piaudit checkout, "
        "or set PIAUDIT_STANDIN to its hooks/standin folder"
    )


def load_standin() -> ModuleType:
    """Import the stand-in's build module (``hooks/standin/build.py``) by path, once."""
    name = "piaudit_standin_build"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, standin_dir() / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


class Progress:
    """Numbered steps with their duration, on stderr; on a terminal a spinner runs while a step does."""

    def __init__(self, total: int, stream: TextIO | None = None):
        from piaudit.scripts.terminal import console

        self.total, self.n = total, 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._step_started = self.started
        self._console = console(self.stream)
        self._status: Any = None

    def step(self, text: str) -> None:
        self.n += 1
        self._step_started = time.monotonic()
        print(f"[{self.n}/{self.total}] {text} ...", file=self.stream, flush=True)
        if self._console.is_terminal:
            self._status = self._console.status(text, spinner="dots")
            self._status.start()

    def done(self, text: str = "") -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        took = time.monotonic() - self._step_started
        print(f"      {text + ' — ' if text else ''}{took:.1f} s", file=self.stream, flush=True)

    def info(self, text: str) -> None:
        print(f"      {text}", file=self.stream, flush=True)


def _ensure_ca(confdir: Path) -> Path:
    """Create the demo's own mitmproxy CA (so the stand-in app can be told to trust it)."""
    from mitmproxy import certs

    from piaudit.policies.private import private_dir

    private_dir(confdir)  # the CA's private key is in it
    certs.CertStore.from_store(str(confdir), "mitmproxy", 2048)
    return confdir / "mitmproxy-ca-cert.pem"


def findings_table(findings: list[Any], width: int | None = None) -> str:
    """The findings as a terminal table (:mod:`scripts.terminal`): fits ``width``, wraps long cells, aligns CJK."""
    import io

    from piaudit.scripts.terminal import print_findings

    out = io.StringIO()
    print_findings(findings, out, width or _terminal_width())
    return out.getvalue().rstrip("\n")


def join_lines(findings: list[Any]) -> list[str]:
    """What the hooks added to what the proxy saw: uploads read through the app's own crypto, flows
    sent by an SDK other than their recipient, hosts seen only in TLS plaintext (one line each)."""
    lines = []
    sealed = sorted(
        {(f.host or "-", f.encoding or "", str(f.data_type)) for f in findings if f.rule == "PRE_CONSENT_TRANSMISSION" and "cipher:" in (f.encoding or "")}
    )
    if sealed:
        lines.append("Encrypted uploads read through the app's own crypto (the hooks saw the plaintext; the chain names the cipher):")
        by_chain: dict[tuple[str, str], list[str]] = {}
        for host, chain, data_type in sealed:
            by_chain.setdefault((host, chain), []).append(data_type)
        lines += [f"  {host}  {chain}  ({', '.join(types)})" for (host, chain), types in by_chain.items()]
    sent = sorted({(f.host or "-", f.sent_by, f.rule) for f in findings if f.sent_by and f.sent_by != f.party and f.flow})
    if sent:
        lines.append("Flows whose sender is not their recipient (sent_by, from the HTTP stack's stack trace):")
        lines += [f"  {host}  sent by {sender}  ({rule})" for host, sender, rule in sent]
    hidden = sorted({f.host or "-" for f in findings if f.flow is None and f.host and any(r.startswith("crypto_ops:") for r in f.evidence_rows)})
    if hidden:
        lines.append("Hosts the proxy never saw, read from the plaintext the app wrote into TLS: " + ", ".join(hidden))
    return lines


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def run_demo(
    out: Path, *, port: int | None = None, stream: TextIO | None = None, verbose: bool = False, scenario: str = "demo"
) -> dict[str, Any]:
    """Run the demo (one of :data:`DEMO_SCENARIOS`) into ``out``; return the paths and findings (also printed).

    The default scenario also drafts a policy from the demo's privacy policy and replays the
    session against it (so does ``retest``, the build after rectification, for `piaudit diff`); the
    other scenarios show their rules and stop after the bundle.
    """
    if scenario not in DEMO_SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(DEMO_SCENARIOS)}")
    drafting = scenario in ("demo", "retest")  # the retest is the demo's app after rectification
    from piaudit.hooks.build import build_agent
    from piaudit.policies import rows
    from piaudit.policies.options import AuditOptions
    from piaudit.policies.private import private_dir
    from piaudit.policies.session import Session
    from piaudit.scripts.bundle import create_bundle
    from piaudit.scripts.reports import write_report
    from piaudit.scripts.run import RunOptions, run

    standin = load_standin()
    stream = stream or sys.stdout
    progress = Progress(7 if drafting else 6)
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty; choose another -o DIR")
    private_dir(out)  # the session, reports and bundle of the demo hold (fake) personal data like a real audit's
    session_dir = out / "session"

    progress.step("building the stand-in app (javac, cached)")
    classpath = standin.build_standin()
    progress.done(str(classpath))
    progress.step("building the Frida agent (frida-java-bridge, cached)")
    agent = build_agent()
    progress.done(str(agent))

    progress.step("preparing the proxy's CA and the app's trust store")
    ca = _ensure_ca(out / "mitmproxy")
    truststore = standin.make_truststore(ca, out / "truststore.p12")
    if port is None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    # Alipay's pinned channel goes around the proxy, to a local TLS server: only the TLS hooks see it
    direct = standin.DirectTlsServer()
    # the zygote starts the app's main process and, when Getui asks the system, its :push process
    # the user reads the privacy dialog for 4 s: long enough for the push process to start and collect
    # the stand-in draws its screens (dialog, permission prompt, main screen) into display/: piaudit
    # captures them at the consent click, the permission prompt and the first read of each data type
    display = out / "display"
    argv = standin.standin_command(
        classpath, proxy=("127.0.0.1", port), truststore=truststore, scenario=scenario, zygote=True,
        extra_props={"standin.consent_delay_ms": 4000 if drafting else 1500, "standin.display": display, **direct.props()},
    )  # fmt: skip
    progress.done(f"proxy will listen on 127.0.0.1:{port}; sinkhole on: nothing leaves this machine (Alipay's pinned channel: 127.0.0.1:{direct.port})")

    progress.step(
        f"auditing the stand-in app ({scenario} scenario): proxy + hooks in every process (main, :push), spawned at startup, "
        f"privacy dialog answered after {4 if drafting else 1.5:g} s"
    )
    audit = AuditOptions(session=str(session_dir), policy=str(DEMO_POLICY), sinkhole=True, app="com.example.demoapp", live_log=verbose)
    opts = RunOptions(
        audit=audit,
        listen_port=port,
        confdir=str(out / "mitmproxy"),
        quiet=True,
        zygote_argv=tuple(argv),
        app="com.example.demoapp",
        exit_with_app=True,
        grace=1.0,
        screens=f"display:{display}",
        verbose=verbose,
    )
    with direct:
        result = run(opts)
    record_example_checks(session_dir)
    progress.done(f"app exited with status {result.app_exit}")

    progress.step("writing the reports (HTML and PDF in the jurisdiction's language, JSON)")
    html = write_report(session_dir, "html", out / "report.html")
    pdf = write_report(session_dir, "pdf", out / "report.pdf")
    json_report = write_report(session_dir, "json", out / "report.json")
    progress.done(f"{html}, {pdf}")
    progress.step("bundling the evidence")
    bundle = create_bundle(session_dir, out / "case.zip")
    progress.done(str(bundle.path))
    if not drafting:
        return _show(session_dir, result, html, json_report, bundle.path, stream, scenario)
    progress.step("drafting a policy from the demo's privacy policy (zh) and the stand-in's classes")
    from piaudit.scripts.demo_draft import (
        DEMO_PRIVACY_POLICY,
        draft_and_compare,
        format_judgement,
        format_table,
        judge_with_draft,
    )

    # the APK's classes (the stand-in's app and SDKs; the framework is on the JVM's class path)
    drafted = draft_and_compare(Path(classpath).parent / "apk", DEMO_POLICY, out)
    drafted["judged"] = judge_with_draft(session_dir, drafted["draft_path"], out)
    progress.done(f"{drafted['draft_path']}; the session replayed against it: {drafted['judged']['session']}")

    session = Session.open(session_dir)
    findings = rows.latest_findings(session.store)
    session.store.close()
    print(file=stream)
    print(result.summary, file=stream)
    print(file=stream)
    print(findings_table(findings), file=stream)
    print(file=stream)
    for line in join_lines(findings):
        print(line, file=stream)
    print(file=stream)
    print("Declared versus embedded: what the privacy policy names (drafted) and the hand-written policy declare", file=stream)
    print(format_table(drafted), file=stream)
    print(format_judgement(drafted["judged"]), file=stream)
    print(file=stream)
    print(f"session:  {session_dir}", file=stream)
    print(f"report:   {html}   (and {pdf.name}; the screens the run captured are in {session_dir / 'screens'})", file=stream)
    print(f"json:     {json_report}", file=stream)
    print(f"bundle:   {bundle.path}   (check it: piaudit verify {bundle.path})", file=stream)
    print(f"draft:    {drafted['draft_path']}   (from {DEMO_PRIVACY_POLICY.name}; check it: piaudit policy check {drafted['draft_path']})", file=stream)
    return {"session": session_dir, "report": html, "pdf": pdf, "json": json_report, "bundle": bundle.path, "findings": findings, "draft": drafted}


def record_example_checks(session_dir: Path) -> None:
    """Two checklist answers, as an auditor would give them with `piaudit check` (marked as the demo's examples)."""
    import time as clock

    from piaudit.policies import checklist
    from piaudit.policies.models import CheckRecord
    from piaudit.policies.session import Session

    session = Session.open(session_dir)
    try:
        dialog = session.store.conn.execute("SELECT min(id) FROM screens WHERE dialog = 'consent'").fetchone()[0]
        answers = [
            CheckRecord(
                time=clock.time(),
                item="policy_at_first_launch",
                verdict="pass",
                note="the privacy dialog is shown at first start, before the main screen" + (f" (screen {dialog})" if dialog else ""),
                by="piaudit demo (an example answer)",
                screens=[dialog] if dialog else [],
            ),
            CheckRecord(
                time=clock.time(),
                item="consent_withdrawable",
                verdict="fail",
                note="the stand-in app has no settings page where consent can be withdrawn",
                by="piaudit demo (an example answer)",
            ),
        ]
        for answer in answers:
            checklist.record(session.store, answer)
    finally:
        session.store.conn.close()


def _show(session_dir: Path, result: Any, html: Path, json_report: Path, bundle: Path, stream: TextIO, scenario: str) -> dict[str, Any]:
    """Print and return a scenario's outcome (the scenarios other than the default one)."""
    from piaudit.policies import rows
    from piaudit.policies.session import Session

    session = Session.open(session_dir)
    findings = rows.latest_findings(session.store)
    session.store.close()
    print(file=stream)
    print(f"scenario {scenario}: {DEMO_SCENARIOS[scenario]}", file=stream)
    print(result.summary, file=stream)
    print(file=stream)
    print(findings_table(findings), file=stream)
    print(file=stream)
    print(f"session:  {session_dir}", file=stream)
    print(f"report:   {html}", file=stream)
    print(f"json:     {json_report}", file=stream)
    print(f"bundle:   {bundle}   (check it: piaudit verify {bundle})", file=stream)
    return {"session": session_dir, "report": html, "json": json_report, "bundle": bundle, "findings": findings}


def main_demo(args: argparse.Namespace) -> int:
    """CLI adapter for `piaudit demo`."""
    from piaudit.scripts.usage import UsageError

    logging.getLogger("mitmproxy").setLevel(logging.WARNING)
    out = Path(args.out) if args.out else Path("demo-output") / time.strftime("%Y%m%d-%H%M%S")
    try:
        run_demo(out, port=args.port, verbose=args.verbose, scenario=args.scenario)
    except FileExistsError as e:
        raise UsageError(str(e)) from e
    return 0
