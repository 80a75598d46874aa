"""The `piaudit` subcommands beyond run/consent/info/schema: each a thin adapter over its module."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from piaudit.policies.options import AuditOptions
from piaudit.scripts.usage import EXIT_OK, EXIT_USAGE, AddCommand, UsageError, example, lazy


def cmd_policy(args: argparse.Namespace) -> int:
    """`piaudit policy check FILE` / `piaudit policy init --app PACKAGE` (draft and compare: scripts/commands_draft.py)."""
    from piaudit.policies.policy import PolicyError, load_policy, policy_init_yaml

    if getattr(args, "policy_handler", None) is not None:
        return args.policy_handler(args)
    if args.policy_command == "check":
        try:
            policy = load_policy(Path(args.file))
        except PolicyError as e:
            print(str(e), file=sys.stderr)
            return EXIT_USAGE
        print(f"{args.file}: OK — app {policy.app.package}, {len(policy.first_party_domains)} first-party domains, {len(policy.third_parties)} declared third parties")
        return EXIT_OK
    text = policy_init_yaml(args.app)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        out = Path(args.output)
        if out.exists() and not args.force:
            raise UsageError(f"{out} exists; use --force to overwrite")
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}; edit it, then run `piaudit policy check {out}`")
    return EXIT_OK


def cmd_import_exodus(args: argparse.Namespace) -> int:
    """`piaudit catalog import-exodus FILE [--out FILE]`: merge an Exodus export into the shipped catalog.

    The merged catalog goes to ``--out`` (or stdout); the report of what was merged to stderr.
    """
    from piaudit.policies.catalog import catalog_yaml, load_catalog, save_catalog
    from piaudit.policies.exodus import import_exodus, merge_catalog

    try:
        base = load_catalog()
        imported = import_exodus(Path(args.file))
    except (ValueError, OSError) as e:  # CatalogError: the file, entry and field
        raise UsageError(str(e).splitlines()[0]) from e
    merged, report = merge_catalog(base, imported)
    try:
        if args.out is None:
            sys.stdout.write(catalog_yaml(merged))
        else:
            save_catalog(merged, Path(args.out))
    except OSError as e:
        raise UsageError(f"cannot write the catalog: {e}") from e
    print(
        f"piaudit: imported {len(imported)} Exodus trackers from {args.file}: {report.summary()};"
        f" {len(merged)} entries, sha256 {merged.sha256}" + (f", written to {args.out}" if args.out else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace) -> int:
    """`piaudit catalog import-exodus FILE` / `piaudit catalog show`."""
    from piaudit.policies import catalog

    if args.catalog_command == "import-exodus":
        return cmd_import_exodus(args)
    try:
        cat = catalog.load_catalog(extra=Path(args.extra) if args.extra else None)
    except catalog.CatalogError as e:
        raise UsageError(str(e)) from e
    if args.json:
        print(json.dumps([e.model_dump(mode="json") for e in cat.entries], indent=2, ensure_ascii=False))
    else:
        for e in cat.entries:
            print(f"{e.id:32s} {e.category:12s} {e.country or '--'}  {e.name}")
        print(f"{len(cat.entries)} entries, sha256 {cat.sha256}")
    return EXIT_OK


def cmd_hooks(args: argparse.Namespace) -> int:
    """`piaudit hooks [--json]`: every Java API the agent hooks."""
    from piaudit.hooks.hooklist import hooked_apis

    apis = hooked_apis()
    if args.json:
        print(json.dumps(apis, indent=2, ensure_ascii=False))
    else:
        for api in apis:
            print(f"{api['data_type']:15s} {api['class']}.{api['method']}")
        print(f"{len(apis)} hooked Java methods (every overload of each)")
    return EXIT_OK


def cmd_events(args: argparse.Namespace) -> int:
    """`piaudit events DIR [-o EVENTS.jsonl]`: a session's timeline events as the hook-events JSONL."""
    from piaudit.policies.eventlog import session_events, write_events
    from piaudit.policies.session import Session, SessionError

    if args.output not in (None, "-") and Path(args.output).exists() and not args.force:
        raise UsageError(f"{args.output} exists; use --force to replace it")
    try:
        session = Session.open(args.dir)
    except SessionError as e:
        raise UsageError(str(e)) from e
    try:
        events = session_events(session.store)
    finally:
        session.store.conn.close()
    if args.output in (None, "-"):
        for event in events:
            sys.stdout.write(event.model_dump_json(exclude={"id"}) + "\n")
        return EXIT_OK
    try:
        n = write_events(Path(args.output), events)
    except OSError as e:
        raise UsageError(f"cannot write {args.output}: {e.strerror}") from e
    print(f"wrote {n} events to {args.output}")
    return EXIT_OK


def _nested(sub: Any, name: str, description: str, examples: str) -> Any:
    """A subcommand of a command group (policy check, catalog show, ...) with its description and examples."""
    return sub.add_parser(
        name,
        help=description[0].lower() + description[1:].split(": ")[0].rstrip("."),
        description=description,
        epilog=example(examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def register(add: AddCommand) -> None:
    """Add the commands to the `piaudit` parser."""
    p = add(
        "replay",
        lazy("piaudit.scripts.replay", "main_replay"),
        "Audit a stored capture offline (session directory, .mitm or HAR), or re-judge a session with a new policy.",
        """
        piaudit replay capture.mitm --policy policy.yaml --hooks events.jsonl --identifiers ids.json -o runs/replayed
        piaudit replay runs/app1 --policy policy-v2.yaml          # re-judge in place
        """,
    )
    p.add_argument("input", metavar="INPUT", help="session directory, .mitm file or HAR file")
    AuditOptions.add_flags(p, "replay")  # --policy, --identifiers, --catalog, --geoip: declared once, in policies.options
    p.add_argument("--hooks", metavar="EVENTS.jsonl", help="timeline events (hook calls, consent, lifecycle) as JSONL")
    p.add_argument("-o", "--output", "--out", dest="out", metavar="DIR", help="new session directory (omit to re-judge INPUT in place)")
    p.add_argument("--strict", action="store_true", help="refuse a HAR with a damaged entry (default: skip it with a warning)")

    p = add(
        "policy",
        cmd_policy,
        "Check a privacy-policy file, write a starter one, draft one from a privacy policy and APK, compare one with an APK.",
        """
        piaudit policy init --app com.example.app -o policy.yaml
        piaudit policy check policy.yaml
        piaudit policy draft --app com.example.app --privacy-policy privacy.html --apk app.apk -o policy.yaml
        piaudit policy compare policy.yaml --apk app.apk
        """,
    )
    psub = p.add_subparsers(dest="policy_command", required=True, metavar="check|init|draft|compare")
    c = _nested(
        psub,
        "check",
        "Validate a policy file: every problem on its own line naming file, line and field (exit 2), or OK (exit 0).",
        "piaudit policy check policy.yaml",
    )
    c.add_argument("file", metavar="FILE")
    c = _nested(
        psub,
        "init",
        "Write a commented starter policy for an app that passes check; fill it in from the app's privacy policy.",
        "piaudit policy init --app com.example.app -o policy.yaml\npiaudit policy init --app com.example.app > policy.yaml",
    )
    c.add_argument("--app", required=True, metavar="PACKAGE")
    c.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: stdout)")
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    from piaudit.scripts.commands_draft import add_policy_subcommands

    add_policy_subcommands(psub)

    p = add(
        "catalog",
        cmd_catalog,
        "Show the SDK/tracker catalog, or merge an Exodus ETIP export into a catalog file.",
        """
        piaudit catalog show
        piaudit catalog import-exodus trackers.json -o my-catalog.yaml
        piaudit run --session runs/app1 --catalog my-catalog.yaml
        """,
    )
    csub = p.add_subparsers(dest="catalog_command", required=True, metavar="show|import-exodus")
    c = _nested(
        csub,
        "show",
        "List the SDK/tracker catalog (the shipped one, merged with --extra): id, category, country, name; or JSON.",
        "piaudit catalog show\npiaudit catalog show --extra my-catalog.yaml --json | jq length",
    )
    c.add_argument("--extra", metavar="FILE", help="an extra catalog file merged over the shipped one")
    c.add_argument("--json", action="store_true", help="every entry as JSON")
    c = _nested(
        csub,
        "import-exodus",
        "Merge an Exodus ETIP JSON export (code and network signatures) into the catalog; the result is catalog YAML.",
        "piaudit catalog import-exodus trackers.json -o my-catalog.yaml\npiaudit catalog import-exodus trackers.json > my-catalog.yaml",
    )
    c.add_argument("file", metavar="FILE")
    c.add_argument("-o", "--output", "--out", dest="out", metavar="FILE", help="catalog YAML to write (default: stdout)")

    p = add(
        "events",
        cmd_events,
        "Export a session's timeline events (hook calls, consent, lifecycle, crypto ops, HTTP requests) as JSONL.",
        """
        piaudit events runs/app1 -o events.jsonl
        piaudit replay runs/app1/flows.mitm --hooks events.jsonl --policy policy.yaml --out runs/again
        """,
    )
    p.add_argument("dir", metavar="DIR", help="session directory")
    p.add_argument("-o", "--output", metavar="EVENTS.jsonl", help="file to write, mode 0600: it holds personal data and crypto keys (default: stdout)")
    p.add_argument("--force", action="store_true", help="replace an existing file")

    p = add("hooks", cmd_hooks, "List every Java API the Frida agent hooks.", "piaudit hooks --json | jq length")
    p.add_argument("--json", action="store_true", help="objects with class, method and data_type")

    p = add(
        "demo",
        lazy("piaudit.scripts.demo", "main_demo"),
        "Audit the bundled stand-in app end to end (no Android device needed): proxy, hooks, report, bundle.",
        """
        piaudit demo
        piaudit demo -o /tmp/demo
        piaudit demo --scenario refuse_exit -o /tmp/refuse-exit
        piaudit demo -o /tmp/retest --scenario retest && piaudit diff /tmp/demo/session /tmp/retest/session
        """,
    )
    from piaudit.scripts.demo import DEMO_SCENARIOS

    p.add_argument(
        "--scenario",
        choices=list(DEMO_SCENARIOS),
        default="demo",
        metavar="NAME",
        help="which stand-in scenario to audit (default demo): "
        + "; ".join(f"{name}: {text}" for name, text in DEMO_SCENARIOS.items()),
    )
    p.add_argument(
        "-o", "--output", "--out", dest="out", metavar="DIR", help="where to write the session, report and bundle (default demo-output/TIME)"
    )
    p.add_argument("--port", type=int, metavar="P", help="proxy port (default: a free one)")
