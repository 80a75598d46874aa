"""The `piaudit` command: thin subcommands over the core.

Exit codes are stable (:mod:`scripts.usage`): 0 done, 1 the audit found a problem to act on
(a failed check, a changed bundle), 2 a usage or input error (bad option, malformed policy or
capture).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from typing import Any

from piaudit.policies.options import AuditOptions
from piaudit.scripts import commands, commands_evidence, commands_review, device
from piaudit.scripts.batch import cli as batch
from piaudit.scripts.corpus import cli as corpus
from piaudit.scripts.run import RunOptions
from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, EXIT_USAGE, Handler, UsageError, example, lazy


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("piaudit")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"

# ---------------------------------------------------------------------- small commands


def cmd_consent(args: argparse.Namespace) -> int:
    """Record a consent (or refusal/withdrawal) event into a session, now or at --at."""
    from piaudit.policies import rows
    from piaudit.policies.models import ConsentEvent
    from piaudit.policies.session import Session, SessionError, session_active
    from piaudit.policies.times import parse_user_time

    when = args.at
    if when is None:
        import time

        t = time.time()
    else:
        try:
            t = parse_user_time(when)
        except ValueError as e:
            raise UsageError(f"--at {e}") from e
    decision = "refused" if args.refused else "withdrawn" if args.withdrawn else "granted"
    try:
        session = Session.open(args.session)
    except SessionError as e:
        raise UsageError(str(e)) from e
    if args.at is None and not session_active(args.session):
        print(
            f"warning: no piaudit run is active on {args.session}: the session has ended, so 'now' is after it;"
            " give --at TIME for the moment the user answered",
            file=sys.stderr,
        )
    event = ConsentEvent(time=t, decision=decision, source="manual", detail=args.note or "marked with piaudit consent")
    table, row = rows.event_row(event)
    (row_id,) = session.store.insert_many(table, [row])
    session.store.conn.close()
    print(f"consent {decision} recorded at {t:.3f} as {table}:{row_id} in {args.session}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    """Summarise a session: metadata, row counts, chain status, findings per rule."""
    from piaudit.policies import rows
    from piaudit.policies.integrity import check
    from piaudit.policies.keys import KeyFileError, load_public_key
    from piaudit.policies.session import Session, SessionError
    from piaudit.policies.summary import rule_lines

    try:
        key = load_public_key(args.key) if args.key else None
        session = Session.open(args.dir)
    except (SessionError, KeyFileError) as e:
        raise UsageError(str(e)) from e
    store, meta = session.store, session.meta
    from piaudit.policies.hookcoverage import process_summary
    from piaudit.policies.store import EVIDENCE_TABLES

    counts = {t: store.count(t) for t in EVIDENCE_TABLES}
    findings = rows.latest_findings(store)
    integrity = check(store.conn, meta, key)
    chains = integrity.chains
    hooks = process_summary(rows.events(store, "hook_status"))
    if args.json:
        doc = {"session": meta.model_dump(mode="json"), "counts": counts, "chains": chains, "integrity": integrity.as_json()}
        print(json.dumps(doc | {"findings": len(findings), "hooks": hooks}, indent=2))
        return EXIT_OK if integrity.ok else EXIT_FAIL
    from piaudit.policies.times import utc_text

    def ts(x: float | None) -> str:
        return utc_text(x, seconds_only=True) if x else "-"

    print(f"session   {session.dir}")
    print(f"app       {meta.app or '-'}    source {meta.source}")
    print(f"started   {ts(meta.started)}    stopped {ts(meta.stopped)}    complete {meta.complete}")
    if meta.incomplete_reason:
        print(f"INCOMPLETE {meta.incomplete_reason}")
    from piaudit.policies.policy import NO_POLICY_NOTE

    print(f"policy    {meta.policy_path} {(meta.policy_sha256 or '')[:16]}" if meta.policy_path else f"policy    none — {NO_POLICY_NOTE}")
    print(f"catalog   {(meta.catalog_sha256 or '-')[:16]}")
    for label, source in (("privacy policy", meta.inputs and meta.inputs.privacy_policy), ("APK", meta.inputs and meta.inputs.apk)):
        if source:
            print(f"drafted from {label} {source.path} {source.sha256[:16]}")
    print("versions  " + ", ".join(f"{k} {v}" for k, v in meta.versions.items() if k != "platform"))
    if meta.options:
        print("options   " + json.dumps(meta.options, sort_keys=True))
    print("rows      " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for process, states in sorted(hooks.items()):
        print(f"hooks     {process or '(process unknown)'}: " + ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in states.items()))
    print("evidence  " + ("all intact" if integrity.ok else "CHANGED — the evidence was changed after piaudit wrote it:"))
    for problem in integrity.problems:
        print(f"  CHANGED {problem}")
    for note in integrity.notes:
        print(f"  note    {note}")
    from piaudit.policies.checklist import checklist_items, current_answers

    answers = current_answers(store)
    print(f"checklist {len(answers)} of {len(checklist_items())} items answered" + "".join(f"; {a.item} {a.verdict}" for a in answers.values()))
    print("\n".join([f"findings  {len(findings)}", *rule_lines(findings)]))
    return EXIT_OK if integrity.ok else EXIT_FAIL


def cmd_schema(args: argparse.Namespace) -> int:
    """Print a model's JSON Schema."""
    from piaudit.policies.models import MODELS
    from piaudit.policies.policy import Policy

    models: dict[str, Any] = dict(MODELS)
    models["policy"] = Policy
    if args.name not in models:
        raise UsageError(f"unknown schema {args.name!r}; choose one of: {', '.join(sorted(models))}")
    print(json.dumps(models[args.name].model_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


# ---------------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog="piaudit",
        description="Audit what an Android app does with personal data: capture its traffic, hook its identifier reads, judge both against its privacy policy.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=example(
            """
            piaudit demo                                   # the whole pipeline on the bundled stand-in app
            piaudit run --session runs/app1 --policy policy.yaml --app com.example.app
            piaudit report runs/app1 --format html -o report.html
            """
        ),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"piaudit {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Handler, help_text: str, examples: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=example(examples), formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(handler=handler)
        return p

    # run
    p = add(
        "run",
        lazy("piaudit.scripts.run", "main_run"),
        "Run the proxy with piaudit's addons (and the Frida hooks with --app) until stopped.",
        """
        piaudit run --session runs/app1 --policy policy.yaml --listen-port 8080
        piaudit run --session runs/app1 --policy policy.yaml --app com.example.app --device usb --unpin
        piaudit run --session runs/wg --mode wireguard
        """,
    )
    AuditOptions.add_flags(p, "run", required=("session",))  # declared once: policies.options
    RunOptions.add_flags(p, "run")

    p = add(
        "consent",
        cmd_consent,
        "Record the user's consent (or refusal) in a session, now or at a given time.",
        """
        piaudit consent --session runs/app1                 # the user tapped "Agree" just now
        piaudit consent --session runs/app1 --refused --at 2026-11-28T17:03:12+00:00
        """,
    )
    p.add_argument("--session", required=True, metavar="DIR")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--refused", action="store_true", help="the user refused")
    g.add_argument("--withdrawn", action="store_true", help="the user withdrew an earlier consent")
    p.add_argument("--at", metavar="TIME", help="when (epoch seconds or ISO 8601); default now")
    p.add_argument("--note", metavar="TEXT", help="what happened, for the report")

    p = add(
        "info",
        cmd_info,
        "Summarise a session and check its evidence (chains, recorded heads, closing signature). Exit 1 if it was changed.",
        """
        piaudit info runs/app1
        piaudit info runs/app1 --key lab.pub      # also check the signature of `run --sign lab.key`
        """,
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--key", metavar="PUB", help="public key (NAME.pub) to check the session's closing signature with")

    p = add("schema", cmd_schema, "Print the JSON Schema of a model (policy, hook-event, finding, ...).", "piaudit schema policy > policy.schema.json")
    p.add_argument("name", metavar="NAME")

    commands.register(add)
    commands_evidence.register(add)
    commands_review.register(add)
    device.add_device_commands(sub)
    batch.register(add, sub)
    corpus.register(add, sub)
    return parser


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `piaudit` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None:  # the console script: SIGTERM unwinds like Ctrl-C, so temporary files and partial outputs are removed
        signal.signal(signal.SIGTERM, _terminate)
        from piaudit.policies.private import private_umask

        private_umask()  # what piaudit writes holds personal data: files 0600, directories 0700
    level = logging.DEBUG if args.verbose else logging.WARNING if getattr(args, "quiet", False) else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except UsageError as e:
        for line in str(e).splitlines() or [""]:  # several problems: one line each, all of them
            print(f"piaudit {args.command}: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
