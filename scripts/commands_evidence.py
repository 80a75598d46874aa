"""`piaudit report`, `bundle`, `verify` and `keygen`: thin adapters over :mod:`scripts.reports` and :mod:`scripts.bundle`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, AddCommand, UsageError


def cmd_report(args: argparse.Namespace) -> int:
    """Write one report of a session."""
    from piaudit.policies.session import SessionError
    from piaudit.scripts.reports import check_arguments, default_output, write_checked_report
    from piaudit.scripts.reports.pdf import PdfError

    out = args.output if args.output is not None else ("-" if args.format == "json" else None)
    try:
        check_arguments(args.format, out, args.only_findings, lang=args.lang, tz=args.tz)
    except ValueError as e:
        raise UsageError(str(e)) from e
    target = Path(out) if out not in (None, "-") else (None if out == "-" else default_output(args.dir, args.format))
    if target is not None and target.exists() and not args.force:
        raise UsageError(f"{target} exists; use --force to replace it")
    try:
        path, integrity = write_checked_report(
            args.dir, args.format, out, redact=args.redact, only_findings=args.only_findings, lang=args.lang, tz=args.tz
        )
    except (SessionError, ValueError, PdfError) as e:
        raise UsageError(str(e).splitlines()[0]) from e
    except BrokenPipeError:  # `piaudit report DIR --format json | head`: the reader left early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as e:
        raise UsageError(f"cannot write the report: {e}") from e
    if str(path) != "-":
        print(f"wrote {path}")
    if not integrity.ok:
        print("warning: the evidence was changed after piaudit wrote it (the report says so):", file=sys.stderr)
        for problem in integrity.problems:
            print(f"  CHANGED {problem}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    """Write the evidence bundle of a session."""
    from piaudit.policies.keys import KeyFileError, load_private_key
    from piaudit.policies.session import SessionError
    from piaudit.scripts.bundle import BundleError, create_bundle

    out = Path(args.output) if args.output else Path(str(Path(args.dir).resolve()) + ".zip")
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists; use --force to replace it")
    try:
        key = load_private_key(args.sign) if args.sign else None
        result = create_bundle(args.dir, out, key=key)
    except (BundleError, KeyFileError, SessionError) as e:
        raise UsageError(str(e)) from e
    except OSError as e:
        raise UsageError(f"cannot write the bundle: {e}") from e
    for warning in result.warnings:
        print(f"warning: {warning}")
    files = result.manifest["files"]
    signed = f", signed by {result.manifest['signed_by']}" if result.signed else ", not signed (use --sign KEY)"
    print(f"wrote {result.path}: {len(files)} files{signed}")
    print(f"check it with: piaudit verify {result.path}" + (" --key NAME.pub" if result.signed else ""))
    if not result.intact:
        print("the session was changed before it was bundled: the bundle records it, and `piaudit verify` reports it")
        return EXIT_FAIL
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a bundle; print each problem on its own line."""
    from piaudit.policies.keys import KeyFileError, load_public_key
    from piaudit.scripts.verify import verify_bundle

    if not Path(args.bundle).is_file():
        raise UsageError(f"{args.bundle}: no such file")
    try:
        key = load_public_key(args.key) if args.key else None
    except KeyFileError as e:
        raise UsageError(str(e)) from e
    result = verify_bundle(args.bundle, key)
    for note in result.notes:
        print(note)
    for problem in result.problems:
        print(f"CHANGED {problem}")
    if result.ok:
        print(f"OK: {args.bundle} is as it was bundled")
        return EXIT_OK
    print(f"FAILED: {len(result.problems)} problem(s) in {args.bundle}")
    return EXIT_FAIL


def cmd_keygen(args: argparse.Namespace) -> int:
    """Write an Ed25519 key pair for signing bundles."""
    from piaudit.policies.keys import KeyFileError, fingerprint, keygen, load_public_key

    try:
        key_path, pub_path = keygen(args.output)
    except KeyFileError as e:
        raise UsageError(str(e)) from e
    except OSError as e:
        raise UsageError(f"cannot write the key: {e}") from e
    print(f"wrote {key_path} (private, mode 0600: keep it secret) and {pub_path} (give it to whoever verifies)")
    print(f"key fingerprint {fingerprint(load_public_key(pub_path))}")
    return EXIT_OK


def register(add: AddCommand) -> None:
    """Add the evidence commands to the `piaudit` parser."""
    p = add(
        "report",
        cmd_report,
        "Write a report of a session: html or pdf (for people, zh or en), json (for tools), csv/xlsx (lab worksheet), har (traffic).",
        """
        piaudit report runs/app1 --format html              # runs/app1/report.html
        piaudit report runs/app1 --format pdf --lang en -o app1-en.pdf
        piaudit report runs/app1 --format json > findings.json
        piaudit report runs/app1 --format xlsx -o worksheet.xlsx
        piaudit report runs/app1 --format har --only-findings --redact -o evidence.har
        """,
    )
    p.add_argument("dir", metavar="DIR", help="session directory")
    p.add_argument("--format", required=True, choices=("html", "pdf", "json", "csv", "xlsx", "har"), help="report format")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write (default: stdout for json, DIR/report.<format> otherwise; - for stdout)",
    )
    p.add_argument("--redact", action="store_true", help="mask identifier values as ‹type:sha256:prefix› (every format)")
    p.add_argument("--force", action="store_true", help="replace an existing report file")
    p.add_argument("--only-findings", action="store_true", help="HAR: only the flows behind findings")
    p.add_argument("--lang", choices=("zh", "en"), help="language of html, pdf and xlsx (default: zh for a CN jurisdiction, else en)")
    p.add_argument("--tz", metavar="ZONE", help="time zone of the times shown, e.g. Asia/Shanghai (default: the jurisdiction's)")

    p = add(
        "bundle",
        cmd_bundle,
        "Pack a session, its reports, policy and catalog into a zip whose manifest names every byte (optionally signed).",
        """
        piaudit keygen -o lab                                # once: lab.key + lab.pub
        piaudit bundle runs/app1 -o case-2026-001.zip --sign lab.key
        piaudit verify case-2026-001.zip --key lab.pub
        """,
    )
    p.add_argument("dir", metavar="DIR", help="session directory")
    p.add_argument("-o", "--output", metavar="CASE.zip", help="bundle to write (default: DIR.zip)")
    p.add_argument("--sign", metavar="KEY", help="Ed25519 private key (from `piaudit keygen`) to sign the manifest")
    p.add_argument("--force", action="store_true", help="replace an existing bundle file")

    p = add(
        "verify",
        cmd_verify,
        "Check an evidence bundle; name every changed file, evidence row or signature. Exit 0 clean, 1 changed.",
        """
        piaudit verify case-2026-001.zip --key lab.pub
        """,
    )
    p.add_argument("bundle", metavar="CASE.zip")
    p.add_argument("--key", metavar="PUB", help="public key (NAME.pub) to check the signature with")

    p = add(
        "keygen",
        cmd_keygen,
        "Make an Ed25519 key pair for signing bundles: NAME.key (private, 0600) and NAME.pub.",
        """
        piaudit keygen -o lab
        """,
    )
    p.add_argument("-o", "--output", required=True, metavar="NAME", help="writes NAME.key and NAME.pub (never overwrites)")
