"""`piaudit check`, `snap` and `diff`: what an auditor adds to a session, and compares between sessions."""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, AddCommand, UsageError, lazy

VERDICTS = ("pass", "fail", "na")


def cmd_check(args: argparse.Namespace) -> int:
    """Record an answer to a checklist item, or list the items with the answers in force."""
    from piaudit.policies import checklist
    from piaudit.policies.models import CheckRecord
    from piaudit.policies.session import Session, SessionError

    try:
        session = Session.open(args.session)
    except SessionError as e:
        raise UsageError(str(e)) from e
    store = session.store
    try:
        if args.list or args.item is None:
            if args.item is not None or args.verdict is not None:
                raise UsageError("--list shows the items; give ITEM and VERDICT without --list to answer one")
            answers = checklist.current_answers(store)
            lang = args.lang
            for item in checklist.checklist_items():
                answer = answers.get(item.id)
                state = f"{answer.verdict:4s}" if answer else "-   "
                print(f"{state} {item.id:26s} {item.text(lang)}  [{'; '.join(item.clauses)}]")
                if answer and answer.note:
                    print(f"     note: {answer.note}")
            print(f"{len(answers)} of {len(checklist.checklist_items())} items answered in {args.session}")
            return EXIT_OK
        if args.verdict is None:
            raise UsageError(f"give the verdict: piaudit check --session {args.session} {args.item} pass|fail|na --note TEXT")
        if args.verdict not in VERDICTS:
            raise UsageError(f"verdict {args.verdict!r}: give one of {', '.join(VERDICTS)}")
        answer = CheckRecord(
            time=time.time(),
            item=args.item,
            verdict=args.verdict,
            note=args.note or "",
            by=args.by if args.by is not None else getpass.getuser(),
            screens=sorted(set(args.screen or [])),
        )
        try:
            row_id = checklist.record(store, answer)
        except checklist.ChecklistError as e:
            raise UsageError(str(e)) from e
        print(f"{args.item}: {args.verdict} recorded as checks:{row_id} in {args.session}")
        return EXIT_OK
    finally:
        store.conn.close()


def cmd_snap(args: argparse.Namespace) -> int:
    """Capture the screen (PNG and UI hierarchy) into a session now, from the source the run recorded."""
    from piaudit.policies.models import ScreenTrigger
    from piaudit.policies.screens import store_capture
    from piaudit.policies.session import Session, SessionError
    from piaudit.scripts.device.adb import AdbError
    from piaudit.scripts.screenrecorder import default_interval
    from piaudit.scripts.screensource import SourceError, source_for

    try:
        session = Session.open(args.session)
    except SessionError as e:
        raise UsageError(str(e)) from e
    spec = args.source or session.meta.options.get("screens")
    if not spec:
        session.store.conn.close()
        raise UsageError(
            f"{args.session} records no screen source: give --source adb, adb:SERIAL or display:DIR"
            " (a run records one with --screens)"
        )
    try:
        source = source_for(spec)
    except AdbError as e:
        session.store.conn.close()
        raise UsageError(f"{e.problem}. {e.fix}") from e
    except SourceError as e:
        session.store.conn.close()
        raise UsageError(str(e)) from e
    interval = float(session.meta.options.get("screens_interval") or default_interval(spec))
    last = session.store.conn.execute("SELECT max(time) FROM screens").fetchone()[0]
    if last is not None and time.time() - last < interval:  # the run's rate limit holds for snaps too
        time.sleep(interval - (time.time() - last))
    try:
        capture = source.capture()
        screen = store_capture(session.store, session.dir, capture, [ScreenTrigger(kind="on_demand", time=capture.time, detail=args.note or "")])
    finally:
        session.store.conn.close()
    what = f"{screen.width}x{screen.height} PNG" if screen.png else "no screenshot"
    texts = f", {len(screen.texts)} texts" + (f", a {screen.dialog} dialog" if screen.dialog else "") if screen.xml else ", no hierarchy"
    print(f"screen {screen.id}: {what}{texts} from {source.spec} into {args.session}/screens/")
    if screen.error:
        print(f"warning: {screen.error}", file=sys.stderr)
    return EXIT_OK if screen.png or screen.xml else EXIT_FAIL


def register(add: AddCommand) -> None:
    """Add the review commands to the `piaudit` parser."""
    p = add(
        "check",
        cmd_check,
        "Record the auditor's answer to a checklist item (what a person must judge), or list the items.",
        """
        piaudit check --session runs/app1 --list
        piaudit check --session runs/app1 policy_at_first_launch pass --note "privacy dialog at first start (screen 1)" --screen 1
        piaudit check --session runs/app1 account_deletion fail --note "no way to delete the account in Settings"
        """,
    )
    p.add_argument("--session", required=True, metavar="DIR", help="session directory")
    p.add_argument("item", nargs="?", metavar="ITEM", help="checklist item id (see --list)")
    p.add_argument("verdict", nargs="?", metavar="pass|fail|na", help="the answer")
    p.add_argument("--note", metavar="TEXT", help="what was seen, for the report")
    p.add_argument("--by", metavar="NAME", help="who judged (default: the login name)")
    p.add_argument("--screen", type=int, action="append", metavar="ID", help="a screen capture the answer rests on (repeatable)")
    p.add_argument("--list", action="store_true", help="list the items with the answers in force")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of --list (default en)")

    p = add(
        "snap",
        cmd_snap,
        "Capture the device's screen and UI hierarchy into a session now (from another terminal while `run` is active).",
        """
        piaudit snap --session runs/app1 --note "settings page: no way to withdraw consent"
        piaudit snap --session runs/app1 --source adb:emulator-5554
        """,
    )
    p.add_argument("--session", required=True, metavar="DIR", help="session directory")
    p.add_argument("--source", metavar="SOURCE", help="adb, adb:SERIAL or display:DIR (default: the one the run recorded)")
    p.add_argument("--note", metavar="TEXT", help="why this screen, for the report")

    p = add(
        "diff",
        lazy("piaudit.scripts.diff", "main_diff"),
        "Compare two sessions of one app (a retest after rectification, or two versions): fixed, new, persisting. Exit 1 when anything is new or persisting.",
        """
        piaudit diff runs/app1 runs/app1-retest                       # JSON on stdout
        piaudit diff runs/app1 runs/app1-retest --format html -o retest.html --lang zh
        """,
    )
    p.add_argument("old", metavar="OLD", help="the earlier session directory")
    p.add_argument("new", metavar="NEW", help="the later session directory")
    p.add_argument("--format", choices=("json", "html"), default="json", help="json (default, stdout) or html")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (default: stdout for json, NEW/diff.html for html)")
    p.add_argument("--lang", choices=("zh", "en"), help="language of the html (default: zh for a CN jurisdiction, else en)")
    p.add_argument("--tz", metavar="ZONE", help="time zone of the times shown (default: the jurisdiction's)")
    p.add_argument("--redact", action="store_true", help="mask the identifier values of both sessions")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
