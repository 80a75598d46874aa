"""CLI adapters of `piaudit corpus build | query | summary | rejudge`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from piaudit.scripts.usage import EXIT_FAIL, EXIT_OK, UsageError, example, lazy


def _open(path: str, create: bool = False) -> Any:
    from piaudit.scripts.corpus.store import Corpus, CorpusError

    try:
        return Corpus.open(path, create=create)
    except CorpusError as e:
        raise UsageError(str(e)) from e


def cmd_build(args: argparse.Namespace) -> int:
    """`piaudit corpus build DIR... --out CORPUS`."""
    from piaudit.scripts.corpus.store import CorpusError

    corpus = _open(args.out, create=True)
    try:
        report = corpus.build([Path(d) for d in args.dirs], include_incomplete=args.include_incomplete, include_attempts=args.include_attempts)
    except CorpusError as e:
        raise UsageError(str(e)) from e
    print(f"{corpus.dir}: {report.line()}; {len(corpus.sessions)} sessions in the corpus")
    for where, why in report.skipped:
        print(f"  skipped {where}: {why}", file=sys.stderr)
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """`piaudit corpus query CORPUS "SQL" [--format table|json|csv]`."""
    import duckdb

    from piaudit.scripts.corpus import query

    con = query.connect(_open(args.corpus))
    try:
        names, rows = query.run(con, args.sql)
    except duckdb.Error as e:
        raise UsageError(f"SQL error: {str(e).splitlines()[0]}") from e
    finally:
        con.close()  # ends DuckDB's threads (a process that forks later must not hold them)
    sys.stdout.write(query.render(names, rows, args.format))
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    """`piaudit corpus summary CORPUS [--format html|json] [--since OLD_CORPUS] [-o FILE]`."""
    from piaudit.scripts.corpus import query, summary

    con = query.connect(_open(args.corpus))
    if args.since:
        query.connect(_open(args.since), schema="old", con=con)
    try:
        doc = summary.summarize(con, since=bool(args.since))
    finally:
        con.close()
    text = summary.to_json(doc) if args.format == "json" else summary.to_html(doc)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return EXIT_OK


def cmd_rejudge(args: argparse.Namespace) -> int:
    """`piaudit corpus rejudge CORPUS [--catalog FILE] [--workers N] [--cluster ADDRESS]`: a new findings run per session."""
    from piaudit.scripts.corpus import rejudge

    corpus = _open(args.corpus)
    if args.catalog:
        from piaudit.policies.catalog import CatalogError, load_catalog

        try:
            load_catalog(extra=Path(args.catalog))  # a bad catalog fails here, before any session is touched
        except (CatalogError, OSError, ValueError) as e:
            raise UsageError(str(e).splitlines()[0]) from e
    sessions = sorted(corpus.sessions)
    catalog = str(Path(args.catalog).resolve()) if args.catalog else None
    if args.cluster:
        try:
            import ray  # noqa: F401
        except ImportError as e:
            raise UsageError("--cluster needs Ray: pip install 'piaudit[cluster]'") from e
        results = rejudge.rejudge_ray(sessions, catalog, args.cluster)
    else:
        results = rejudge.rejudge_local(sessions, catalog, args.workers or rejudge.default_workers())
    failed = [r for r in results if r.findings is None]
    for r in failed:
        print(f"  not re-judged {r.session}: {r.error}", file=sys.stderr)
    report = corpus.add_rows([r.rows for r in results if r.rows is not None])
    unread = [Path(r.session) for r in results if r.findings is not None and r.rows is None]
    if unread:
        report = corpus.build([], only=unread)
    total = sum(r.findings or 0 for r in results)
    print(f"re-judged {len(results) - len(failed)} of {len(results)} sessions: {total} findings; corpus: {report.line()}")
    return EXIT_FAIL if failed else EXIT_OK


def register(add: Any, sub: Any) -> None:
    """Add `piaudit corpus` and its subcommands to the parser."""
    p = add(
        "corpus",
        lambda args: args.corpus_handler(args),
        "Collect sessions into Parquet tables and answer SQL over them (DuckDB); summaries, retests, re-judging.",
        """
        piaudit corpus build campaigns/2026-q4 --out corpus/
        piaudit corpus query corpus/ "SELECT party, count(*) FROM findings WHERE before_consent GROUP BY party"
        piaudit corpus summary corpus/ --since corpus-2026-q2/ -o retest.html
        piaudit corpus rejudge corpus/ --catalog lab-catalog.yaml
        """,
    )
    verbs = p.add_subparsers(dest="corpus_command", metavar="VERB", required=True)
    b = verbs.add_parser("build", help="add every session under DIR... (recursively); refresh changed ones", description="Add every session under DIR... (recursively); refresh changed ones.", epilog=example('piaudit corpus build campaigns/2026-q4 runs/ --out corpus/'), formatter_class=argparse.RawDescriptionHelpFormatter)
    b.set_defaults(corpus_handler=lazy("piaudit.scripts.corpus.cli", "cmd_build"))
    b.add_argument("dirs", nargs="+", metavar="DIR")
    b.add_argument("--out", required=True, metavar="CORPUS", help="corpus directory (created, or updated incrementally)")
    b.add_argument("--include-incomplete", action="store_true", help="also add sessions that did not end cleanly")
    b.add_argument("--include-attempts", action="store_true", help="also add a campaign's failed and interrupted attempts")
    q = verbs.add_parser("query", help="run SQL over the corpus tables", description="Run SQL over the corpus tables.", epilog=example('piaudit corpus query corpus/ "SELECT party, count(*) FROM findings WHERE before_consent GROUP BY party" --format csv'), formatter_class=argparse.RawDescriptionHelpFormatter)
    q.set_defaults(corpus_handler=lazy("piaudit.scripts.corpus.cli", "cmd_query"))
    q.add_argument("corpus", metavar="CORPUS")
    q.add_argument("sql", metavar="SQL")
    q.add_argument("--format", choices=("table", "json", "csv"), default="table")
    s = verbs.add_parser("summary", help="per SDK, per rule, apps ranked; --since OLD_CORPUS for a retest", description="Per SDK, per rule, apps ranked; --since OLD_CORPUS for a retest.", epilog=example('piaudit corpus summary corpus/ --since corpus-first-audit/ -o retest.html'), formatter_class=argparse.RawDescriptionHelpFormatter)
    s.set_defaults(corpus_handler=lazy("piaudit.scripts.corpus.cli", "cmd_summary"))
    s.add_argument("corpus", metavar="CORPUS")
    s.add_argument("--format", choices=("html", "json"), default="html")
    s.add_argument("--since", metavar="OLD_CORPUS", help="compare with an earlier corpus (the retest view)")
    s.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    r = verbs.add_parser("rejudge", help="judge every session again (new catalog or rules), in parallel; then refresh", description="Judge every session again (new catalog or rules), in parallel; then refresh.", epilog=example('piaudit corpus rejudge corpus/ --catalog lab-catalog.yaml --workers 2'), formatter_class=argparse.RawDescriptionHelpFormatter)
    r.set_defaults(corpus_handler=lazy("piaudit.scripts.corpus.cli", "cmd_rejudge"))
    r.add_argument("corpus", metavar="CORPUS")
    r.add_argument("--catalog", metavar="FILE", help="extra SDK catalog YAML for every session")
    r.add_argument("--workers", type=int, metavar="N", help="local processes (default: one per core)")
    r.add_argument("--cluster", metavar="ADDRESS", help="run the work as Ray tasks on this cluster")
