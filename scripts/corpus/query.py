"""SQL over a corpus with DuckDB: one view per table over its Parquet parts; results as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import duckdb

from piaudit.scripts.corpus.store import Corpus
from piaudit.scripts.corpus.tables import TABLES

FORMATS = ("table", "json", "csv")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(corpus: Corpus, *, schema: str | None = None, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per corpus table (in ``schema``, e.g. ``old`` for ``--since``)."""
    con = con or duckdb.connect(":memory:")
    if schema:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for table in TABLES:
        files = ", ".join(_literal(str(p)) for p in corpus.files(table))
        name = f"{schema}.{table}" if schema else table
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{files}], union_by_name = true)")
    return con


def run(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql``; its column names and rows."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description] if cursor.description else []
    return names, cursor.fetchall() if names else []


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def render(names: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str:
    """Rows as ``table`` (aligned text), ``json`` (a list of objects) or ``csv``."""
    if fmt == "json":
        return json.dumps([dict(zip(names, (_plain(v) for v in row), strict=True)) for row in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if v is None else json.dumps(_plain(v), ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in row])
        return out.getvalue()
    cells = [[("NULL" if v is None else str(_plain(v))).replace("\n", " ")[:80] for v in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' * (len(rows) != 1)})")
    return "\n".join(lines) + "\n"
