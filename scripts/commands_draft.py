"""`piaudit policy draft` and `piaudit policy compare`: thin adapters over policies/draft and policies/apk."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, UsageError

DRAFT_EXAMPLE = """
piaudit policy draft --app com.example.app --privacy-policy privacy.html --apk app.apk -o policy.yaml
piaudit policy draft --app com.example.app --privacy-policy privacy-dump.txt -o policy.yaml   # text, e.g. pdftotext -layout
piaudit policy draft --app com.example.app --apk app.apk -o policy.yaml                       # the APK alone
"""
COMPARE_EXAMPLE = """
piaudit policy compare policy.yaml --apk app.apk
piaudit policy compare policy.yaml --apk app.apk --json | jq '.embedded_not_declared[].name'
"""


def _catalog(extra: str | None) -> Any:
    from piaudit.policies.catalog import CatalogError, load_catalog

    try:
        return load_catalog(extra=Path(extra) if extra else None)
    except CatalogError as e:
        raise UsageError(str(e)) from e


def cmd_policy_draft(args: argparse.Namespace) -> int:
    """Write a policy draft from a privacy policy and/or an APK."""
    from piaudit.policies.apk.zipread import ApkError
    from piaudit.policies.draft.pipeline import draft_policy
    from piaudit.policies.draft.source import PolicyTextError
    from piaudit.policies.policy import _package

    if not args.privacy_policy and not args.apk:
        raise UsageError("give --privacy-policy FILE, --apk APP.apk, or both")
    try:
        _package(args.app)
    except ValueError as e:
        raise UsageError(f"--app {args.app!r}: not a Java package name (e.g. com.example.app)") from e
    out = Path(args.output) if args.output not in (None, "-") else None
    if out is not None and out.exists() and not args.force:
        raise UsageError(f"{out} exists; use --force to overwrite")
    try:
        text, draft = draft_policy(args.app, privacy_policy=args.privacy_policy, apk=args.apk, catalog=_catalog(args.catalog))
    except (PolicyTextError, ApkError) as e:
        raise UsageError(str(e).splitlines()[0]) from e
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    summary = (
        f"drafted {len(draft.parties)} third parties, {len(draft.declared_data_types)} own data types, "
        f"{len(draft.first_party_domains)} first-party domains; {len(draft.todos)} TODO for the auditor"
    )
    print(summary + (f" -> {out}; then `piaudit policy check {out}`" if out else ""), file=sys.stderr)
    return EXIT_OK


def cmd_policy_compare(args: argparse.Namespace) -> int:
    """Compare a policy with an APK: exit 1 when they differ."""
    from piaudit.policies.apk.inventory import read_apk
    from piaudit.policies.apk.zipread import ApkError
    from piaudit.policies.draft.compare import compare, format_comparison
    from piaudit.policies.policy import PolicyError, load_policy

    try:
        policy = load_policy(Path(args.file))
    except PolicyError as e:
        raise UsageError(str(e)) from e
    try:
        inventory = read_apk(args.apk, _catalog(args.catalog))
    except ApkError as e:
        raise UsageError(str(e).splitlines()[0]) from e
    result = compare(policy, inventory)
    if args.json:
        print(json.dumps({**result.model_dump(mode="json"), "differences": result.differences}, indent=2, ensure_ascii=False))
    else:
        print(format_comparison(result))
    return EXIT_FAIL if result.differences else EXIT_OK


def add_policy_subcommands(psub: Any) -> None:
    """Add `draft` and `compare` to the `piaudit policy` subcommands."""
    fmt = argparse.RawDescriptionHelpFormatter
    c = psub.add_parser(
        "draft",
        help="draft a policy from the app's privacy policy (HTML/text) and/or its APK",
        description="Draft a policy from the app's privacy policy (HTML or text, zh/en) and/or its APK. Every item "
        "carries a comment saying where it came from and a confidence; what the draft cannot decide is a # TODO. "
        "The draft passes `policy check`.",
        epilog="example:\n" + "\n".join("  " + line for line in DRAFT_EXAMPLE.strip().splitlines()),
        formatter_class=fmt,
    )
    c.add_argument("--app", required=True, metavar="PACKAGE", help="the app's package name")
    c.add_argument("--privacy-policy", metavar="FILE", help="the privacy policy: HTML, or text (a PDF through pdftotext -layout)")
    c.add_argument("--apk", metavar="APP.apk", help="the APK: embedded SDKs, permissions, version, signer")
    c.add_argument("--catalog", metavar="FILE", help="extra SDK catalog YAML merged over the shipped one")
    c.add_argument("-o", "--output", metavar="FILE", help="where to write the draft (default: stdout)")
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    c.set_defaults(policy_handler=cmd_policy_draft)
    c = psub.add_parser(
        "compare",
        help="compare a policy with an APK: embedded vs declared SDKs, unjustified dangerous permissions (exit 1 if any)",
        description="Compare a policy with an APK: SDKs embedded but not declared, declared but not embedded, and "
        "dangerous permissions the app's category does not justify. Exit 0: none; 1: differences; 2: unreadable input.",
        epilog="example:\n" + "\n".join("  " + line for line in COMPARE_EXAMPLE.strip().splitlines()),
        formatter_class=fmt,
    )
    c.add_argument("file", metavar="POLICY.yaml")
    c.add_argument("--apk", required=True, metavar="APP.apk")
    c.add_argument("--catalog", metavar="FILE", help="extra SDK catalog YAML merged over the shipped one")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(policy_handler=cmd_policy_compare)
