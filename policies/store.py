"""The evidence store: ``evidence.db``, SQLite in WAL mode, every row hash-chained per table.

Schema changes are append-only named migrations (:data:`MIGRATIONS`). Rows get their id
and their chain hash from :class:`Store` when they are written, so the chain covers the
id too: ``chain = sha256(previous chain + canonical JSON of the row)``. The first row of a
table chains from :data:`GENESIS`.

The store is a library object: pass it in, never keep it global. Live and in replay, rows
reach it in batches through :class:`policies.pipeline.Pipeline` (in the audit process, off
the proxy's event loop); tests and small writers call :meth:`Store.insert_many` directly.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from piaudit.policies.private import create_private

GENESIS = "0" * 64

# Tables whose rows are evidence, in the order a verifier reports them.
CHAINED_TABLES = (
    "flows",
    "messages",
    "detections",
    "tls_failures",
    "hook_events",
    "consent_events",
    "lifecycle_events",
    "permission_events",
    "hook_status",
    "permission_results",
    "permission_dialogs",
    "component_events",
    "findings",
    "errors",
    "judgements",
    "crypto_ops",
    "http_requests",
    "screens",
    "checks",
)
JUDGEMENT_TABLES = ("findings", "judgements", "checks")
EVIDENCE_TABLES = tuple(t for t in CHAINED_TABLES if t not in JUDGEMENT_TABLES)
"""What was recorded, as opposed to what was concluded from it (the rows `piaudit info` counts).

``checks`` are an auditor's judgements of the checklist items, not recordings."""
OPTIONAL_TABLES = frozenset(
    {"judgements", "crypto_ops", "http_requests", "permission_results", "permission_dialogs", "component_events", "screens", "checks"}
)
"""Tables added by a later migration: a bundle made before it has neither the table nor its head."""
OMITTED_WHEN_NULL = frozenset({"crypto_ops"})
"""Columns a later migration added to a table that already had rows: left out of a row's canonical
JSON while NULL, so the rows written before the column existed still verify (and a value set on
one of them later is still detected)."""


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["flows"].create(
        {
            "id": int,
            "flow_id": str,
            "kind": str,
            "method": str,
            "url": str,
            "host": str,
            "port": int,
            "scheme": str,
            "http_version": str,
            "status_code": int,
            "request_headers": str,  # JSON [[name, value], ...]
            "response_headers": str,
            "request_size": int,
            "response_size": int,
            "request_sha256": str,
            "response_sha256": str,
            "truncated": str,
            "timestamp_start": float,
            "timestamp_end": float,
            "timings": str,  # JSON
            "client_addr": str,
            "server_addr": str,
            "server_ip": str,
            "sni": str,
            "tls": int,
            "error": str,
            "n_messages": int,
            "marked": str,
            "comment": str,
            "chain": str,
        },
        pk="id",
        not_null={"flow_id", "chain"},
    )
    db["flows"].create_index(["flow_id"])
    db["flows"].create_index(["host"])
    db["messages"].create(
        {
            "id": int,
            "flow_id": str,
            "idx": int,
            "from_client": int,
            "type": str,
            "time": float,
            "size": int,
            "sha256": str,
            "content": bytes,
            "chain": str,
        },
        pk="id",
    )
    db["messages"].create_index(["flow_id"])
    db["detections"].create(
        {
            "id": int,
            "flow_id": str,
            "data_type": str,
            "source": str,
            "value": str,
            "encoding": str,
            "where": str,
            "excerpt": str,
            "direction": str,
            "chain": str,
        },
        pk="id",
    )
    db["detections"].create_index(["flow_id"])
    db["tls_failures"].create(
        {"id": int, "time": float, "client_addr": str, "server_addr": str, "host": str, "sni": str, "error": str, "chain": str},
        pk="id",
    )
    for table in ("hook_events", "consent_events", "lifecycle_events", "permission_events", "hook_status"):
        columns: dict[str, Any] = {"id": int, "time": float, "type": str}
        if table == "hook_events":
            columns |= {"data_type": str, "class_name": str, "method": str, "party": str, "caller": str, "value": str}
        if table == "consent_events":
            columns |= {"decision": str, "source": str, "detail": str}
        if table == "lifecycle_events":
            columns |= {"state": str}
        if table == "hook_status":
            columns |= {"class_name": str, "method": str, "installed": int, "error": str}
        columns |= {"json": str, "chain": str}
        db[table].create(columns, pk="id")
    db["findings"].create(
        {
            "id": int,
            "run": int,  # findings are recomputed in full at the end: each run appends, the last run counts
            "rule": str,
            "data_type": str,
            "party": str,
            "host": str,
            "flow_id": str,
            "event": int,
            "time": float,
            "before_consent": int,
            "json": str,
            "chain": str,
        },
        pk="id",
    )
    db["findings"].create_index(["run"])
    db["errors"].create(
        {"id": int, "time": float, "source": str, "message": str, "detail": str, "flow_id": str, "chain": str},
        pk="id",
    )


def _m003_processes_and_states(db: sqlite_utils.Database) -> None:
    """Several app processes, hook states per class loader, TLS connections closed after the handshake."""
    db["tls_failures"].add_column("stage", str)
    for table in ("hook_events", "consent_events", "lifecycle_events", "permission_events", "hook_status"):
        db[table].add_column("process", str)
    db["hook_status"].add_column("state", str)
    db["hook_status"].add_column("loader", str)


def _m002_judgements(db: sqlite_utils.Database) -> None:
    # what each findings run was decided with (policy and catalog hashes, the consent signals counted)
    db["judgements"].create({"id": int, "run": int, "time": float, "json": str, "chain": str}, pk="id")
    db["judgements"].create_index(["run"])


def _m004_heads(db: sqlite_utils.Database) -> None:
    """Each evidence table's row count and chain head, updated in the transaction that writes its rows."""
    db["_heads"].create({"name": str, "rows": int, "head": str, "time": float}, pk="name")
    existing = set(db.table_names())
    for table in CHAINED_TABLES:
        if table not in existing:  # created by a later migration: no rows, no head yet
            continue
        last = db.conn.execute(f"SELECT id, chain FROM [{table}] ORDER BY id DESC LIMIT 1").fetchone()
        if last:
            db.conn.execute("INSERT INTO _heads (name, rows, head, time) VALUES (?, ?, ?, ?)", (table, last[0], last[1], time.time()))


def _m005_crypto_ops_http_requests(db: sqlite_utils.Database) -> None:
    # what the app encrypted, encoded, compressed or wrote to TLS, and the requests its HTTP stacks were given
    db["crypto_ops"].create(
        {
            "id": int,
            "time": float,
            "type": str,
            "op": str,
            "algorithm": str,
            "party": str,
            "pid": int,
            "process": str,
            "host": str,
            "output_sha256": str,
            "json": str,
            "chain": str,
        },
        pk="id",
    )
    db["crypto_ops"].create_index(["op"])
    db["http_requests"].create(
        {
            "id": int,
            "time": float,
            "type": str,
            "method": str,
            "url": str,
            "party": str,
            "pid": int,
            "process": str,
            "json": str,
            "chain": str,
        },
        pk="id",
    )
    # the crypto:op rows a detection's ``cipher:`` steps went through (JSON list; NULL: none)
    db["detections"].add_column("crypto_ops", str)


def _m006_permission_outcomes_and_starts(db: sqlite_utils.Database) -> None:
    # the user's answers to permission requests, the dialogs shown, and component starts / wake-ups
    common = {"id": int, "time": float, "type": str, "process": str}
    db["permission_results"].create(
        common | {"request_code": int, "source": str, "granted": str, "denied": str, "party": str, "json": str, "chain": str},
        pk="id",
    )
    db["permission_dialogs"].create(common | {"dialog": str, "request_code": int, "json": str, "chain": str}, pk="id")
    db["component_events"].create(
        common
        | {
            "call": str,
            "target_package": str,
            "target_component": str,
            "action": str,
            "party": str,
            "caller": str,
            "json": str,
            "chain": str,
        },
        pk="id",
    )
    db["component_events"].create_index(["call"])


def _m007_screens_checks(db: sqlite_utils.Database) -> None:
    # screen captures (files in the session's screens/ folder, each bound here by its SHA-256)
    db["screens"].create(
        {
            "id": int,
            "time": float,
            "source": str,
            "png": str,
            "png_sha256": str,
            "xml": str,
            "xml_sha256": str,
            "dialog": str,
            "json": str,
            "chain": str,
        },
        pk="id",
    )
    # the auditor's answers to the checklist items (the last answer per item counts)
    db["checks"].create(
        {"id": int, "time": float, "item": str, "verdict": str, "note": str, "json": str, "chain": str}, pk="id"
    )
    db["checks"].create_index(["item"])


_FINDINGS_COLUMNS = "id, run, rule, data_type, party, host, flow_id, event, time, before_consent, json, chain"
_ISO = "strftime('%Y-%m-%dT%H:%M:%fZ', {0}, 'unixepoch')"
_LATEST_RUN = "(SELECT max(run) FROM (SELECT run FROM findings UNION ALL SELECT run FROM judgements))"
ANALYST_VIEWS: dict[str, str] = {
    "findings_current": (
        "SELECT f.id, f.run, f.rule, json_extract(f.json, '$.severity') AS severity, f.time, "
        + _ISO.format("f.time")
        + " AS time_utc, f.before_consent, f.data_type, f.party, f.host, json_extract(f.json, '$.where') AS [where],"
        " json_extract(f.json, '$.encoding') AS encoding, f.flow_id, f.event, json_extract(f.json, '$.message') AS message,"
        " json_extract(f.json, '$.evidence') AS evidence, json_extract(f.json, '$.evidence_rows') AS evidence_rows"
        f" FROM findings f WHERE f.run = {_LATEST_RUN}"
    ),
    "flows_readable": (
        "SELECT id, flow_id, kind, method, url, host, port, status_code, timestamp_start, "
        + _ISO.format("timestamp_start")
        + " AS time_utc, server_ip, tls, request_size, response_size, error,"
        " (SELECT count(*) FROM detections d WHERE d.flow_id = flows.flow_id) AS detections FROM flows"
    ),
    "hook_events_readable": (
        "SELECT id, time, "
        + _ISO.format("time")
        + " AS time_utc, data_type, class_name || '.' || method AS api, party, caller, value,"
        " json_extract(json, '$.process') AS process, json_extract(json, '$.foreground') AS foreground,"
        " json_extract(json, '$.phase') AS phase FROM hook_events"
    ),
    "consent_readable": (
        "SELECT id, time, " + _ISO.format("time") + " AS time_utc, decision, source, detail, json_extract(json, '$.party') AS party"
        " FROM consent_events"
    ),
    "screens_readable": (
        "SELECT id, time, " + _ISO.format("time") + " AS time_utc, source, dialog, 'screens/' || png AS png_file, png_sha256,"
        " 'screens/' || xml AS xml_file, xml_sha256, json_extract(json, '$.triggers') AS triggers,"
        " json_extract(json, '$.texts') AS texts FROM screens"
    ),
    "checks_current": (
        "SELECT c.id, c.item, c.verdict, c.note, c.time, " + _ISO.format("c.time") + " AS time_utc,"
        " json_extract(c.json, '$.by') AS [by] FROM checks c WHERE c.id = (SELECT max(id) FROM checks x WHERE x.item = c.item)"
    ),
    "timeline": (
        "SELECT time, " + _ISO.format("time") + " AS time_utc, kind, summary, row FROM ("
        " SELECT timestamp_start AS time, 'flow' AS kind, method || ' ' || url AS summary, 'flows:' || id AS row FROM flows"
        " UNION ALL SELECT time, 'hook', data_type || ' ' || class_name || '.' || method || coalesce(' by ' || party, ''),"
        " 'hook_events:' || id FROM hook_events"
        " UNION ALL SELECT time, 'consent', decision || ' (' || source || ') ' || coalesce(detail, ''), 'consent_events:' || id"
        " FROM consent_events"
        " UNION ALL SELECT time, 'lifecycle', state, 'lifecycle_events:' || id FROM lifecycle_events"
        " UNION ALL SELECT time, 'permission', json_extract(json, '$.permissions'), 'permission_events:' || id FROM permission_events"
        " UNION ALL SELECT time, 'screen', coalesce(dialog || ' dialog', 'screen'), 'screens:' || id FROM screens"
        ") ORDER BY time"
    ),
}
"""Views for an analyst browsing ``evidence.db`` (datasette, sqlite-utils): readable times, the current findings run.

They hold no data (a view is a stored query), so the hash chains do not cover them; `verify` accepts
exactly these definitions and refuses any other view."""


def _m008_analyst_views(db: sqlite_utils.Database) -> None:
    # findings get foreign keys to the flows and hook events they cite (datasette links them); SQLite
    # cannot add a constraint in place, so the table is rebuilt with the same rows (the chains hold:
    # they hash the rows, not the schema)
    conn = db.conn
    conn.execute(
        "CREATE TABLE [findings_fk] ([id] INTEGER PRIMARY KEY, [run] INTEGER, [rule] TEXT, [data_type] TEXT, [party] TEXT,"
        " [host] TEXT, [flow_id] TEXT REFERENCES [flows]([flow_id]), [event] INTEGER REFERENCES [hook_events]([id]),"
        " [time] FLOAT, [before_consent] INTEGER, [json] TEXT, [chain] TEXT)"
    )
    conn.execute(f"INSERT INTO [findings_fk] ({_FINDINGS_COLUMNS}) SELECT {_FINDINGS_COLUMNS} FROM [findings]")
    conn.execute("DROP TABLE [findings]")
    conn.execute("ALTER TABLE [findings_fk] RENAME TO [findings]")
    conn.execute("CREATE INDEX [idx_findings_run] ON [findings] ([run])")
    conn.execute("CREATE INDEX [idx_findings_flow_id] ON [findings] ([flow_id])")
    for name, sql in ANALYST_VIEWS.items():
        conn.execute(f"CREATE VIEW [{name}] AS {sql}")


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_initial", _m001_initial),
    ("002_judgements", _m002_judgements),
    ("003_processes_and_states", _m003_processes_and_states),
    ("004_heads", _m004_heads),
    ("005_crypto_ops_http_requests", _m005_crypto_ops_http_requests),
    ("006_permission_outcomes_and_starts", _m006_permission_outcomes_and_starts),
    ("007_screens_checks", _m007_screens_checks),
    ("008_analyst_views", _m008_analyst_views),
]
HEADS_TABLE = "_heads"


def _canonical(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _coerce(value: Any, column_type: str) -> Any:
    """The value as SQLite will give it back, so the hash computed now verifies later."""
    if value is None:
        return None
    if column_type == "INTEGER" and isinstance(value, (bool, int)):
        return int(value)
    if column_type in ("REAL", "FLOAT") and isinstance(value, (int, float)):
        return float(value)
    if column_type == "TEXT" and not isinstance(value, str):
        return value if isinstance(value, (bytes, bytearray)) else str(value)
    if column_type == "BLOB" and isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def row_digest(prev: str, row: dict[str, Any]) -> str:
    """The chain hash of ``row`` (without its ``chain`` column) following ``prev``."""
    body = {k: _canonical(v) for k, v in row.items() if k != "chain" and not (v is None and k in OMITTED_WHEN_NULL)}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256((prev + "\n" + text).encode()).hexdigest()


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the settings every writer and reader uses."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class Store:
    """The evidence database of one session.

    >>> store = Store(":memory:")
    >>> store.insert_many("errors", [{"time": 1.0, "source": "test", "message": "m"}])
    [1]
    """

    def __init__(self, path: Path | str):
        self.path = path
        if str(path) != ":memory:" and not str(path).startswith("file:"):
            create_private(path)  # SQLite gives its -wal and -shm files the database file's mode
        self.conn = connect(path)
        self.db = sqlite_utils.Database(self.conn)
        self._lock = threading.Lock()
        self._column_cache: dict[str, dict[str, str]] = {}
        self.migrate()

    # ------------------------------------------------------------------ schema
    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, in order; return their names."""
        if "_migrations" not in self.db.table_names():
            self.db["_migrations"].create({"name": str, "applied_at": float}, pk="name")
        done = {row["name"] for row in self.db["_migrations"].rows}
        applied = []
        for name, migration in MIGRATIONS:
            if name in done:
                continue
            with self.conn:
                self.conn.execute("BEGIN")
                migration(self.db)
                self.db["_migrations"].insert({"name": name, "applied_at": time.time()})
            applied.append(name)
        return applied

    # ------------------------------------------------------------------ writes
    def insert_many(self, table: str, rows: Iterable[dict[str, Any]]) -> list[int]:
        """Append rows to ``table`` in one transaction, assigning ids and chain hashes."""
        return self.write_batch([(table, row) for row in rows])[table] if rows else []

    def write_batch(self, items: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, list[int]]:
        """Append rows to several tables in one transaction; returns the new ids per table."""
        by_table: dict[str, list[dict[str, Any]]] = {}
        for table, row in items:
            by_table.setdefault(table, []).append(row)
        return self.write_tables(list(by_table.items()))

    def write_tables(self, groups: list[tuple[str, Iterable[dict[str, Any]]]]) -> dict[str, list[int]]:
        """Append each group's rows to its table, all in one transaction; returns the new ids per table.

        The rows of a group may come from a generator: they are chained and inserted one at a time,
        so a large group (a findings run of a long session) is never held as rows in memory.
        """
        ids: dict[str, list[int]] = {}
        with self._lock:
            # BEGIN IMMEDIATE takes the write lock first, so the heads read below are the
            # current ones even when another process (`piaudit consent`) appends too.
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for table, table_rows in groups:
                    ids.setdefault(table, []).extend(self._append(table, table_rows))
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already (I/O error, disk full)
                    self.conn.execute("ROLLBACK")
                raise
        return ids

    def _append(self, table: str, table_rows: Iterable[dict[str, Any]]) -> list[int]:
        """Chain and insert rows into ``table`` inside the caller's transaction; their new ids."""
        last = self.conn.execute(f"SELECT id, chain FROM [{table}] ORDER BY id DESC LIMIT 1").fetchone()
        last_id, chain = (last[0], last[1]) if last else (0, GENESIS)
        columns = self._columns(table)
        new_ids: list[int] = []

        def values() -> Iterator[tuple[Any, ...]]:
            nonlocal last_id, chain
            for row in table_rows:
                unknown = set(row) - columns.keys()
                if unknown:
                    raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
                last_id += 1
                given = row.get("id")
                if given is not None and given != last_id:
                    raise ValueError(f"{table}: row id {given} given, but the next id is {last_id}")
                full = {c: _coerce(row.get(c), t) for c, t in columns.items()}
                full["id"] = last_id
                chain = row_digest(chain, full)
                full["chain"] = chain
                new_ids.append(last_id)
                yield tuple(full.get(c) for c in columns)

        sql = "INSERT INTO [{}] ({}) VALUES ({})".format(
            table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
        )
        self.conn.executemany(sql, values())
        if new_ids and table in CHAINED_TABLES:  # the head moves with the rows, in one transaction
            self.conn.execute(
                "INSERT INTO _heads (name, rows, head, time) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET rows = excluded.rows, head = excluded.head, time = excluded.time",
                (table, last_id, chain, time.time()),
            )
        return new_ids

    def next_id(self, table: str) -> int:
        """The id the next row of ``table`` will get (a writer may assign it ahead; it must match)."""
        last = self.conn.execute(f"SELECT max(id) FROM [{table}]").fetchone()[0]
        return (last or 0) + 1

    def _columns(self, table: str) -> dict[str, str]:
        if table not in self._column_cache:
            self._column_cache[table] = {r[1]: r[2].upper() for r in self.conn.execute(f"PRAGMA table_info([{table}])")}
        return self._column_cache[table]

    # ------------------------------------------------------------------ reads
    def rows(
        self, table: str, where: str | None = None, params: Iterable[Any] = (), order_by: str = "id"
    ) -> Iterator[dict[str, Any]]:
        """Rows of ``table`` as dicts, in id order unless told otherwise."""
        cursor = self.conn.execute(
            f"SELECT * FROM [{table}]" + (f" WHERE {where}" if where else "") + f" ORDER BY {order_by}", tuple(params)
        )
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield dict(zip(names, values, strict=True))

    def count(self, table: str, where: str | None = None, params: Iterable[Any] = ()) -> int:
        """How many rows ``table`` has (matching ``where``)."""
        sql = f"SELECT count(*) FROM [{table}]" + (f" WHERE {where}" if where else "")
        return self.conn.execute(sql, tuple(params)).fetchone()[0]

    def heads(self) -> dict[str, dict[str, Any]]:
        """The last id and chain hash of every evidence table (a bundle and a closing session record these)."""
        return table_heads(self.conn)

    def verify(self) -> dict[str, str | None]:
        """Recompute every chain; per table ``None`` when intact, else what is wrong first."""
        return verify_chains(self.conn)

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()


def table_heads(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """``{table: {"rows": last id, "head": its chain}}`` for every evidence table, as the rows are now."""
    out = {}
    for table in CHAINED_TABLES:
        last = conn.execute(f"SELECT id, chain FROM [{table}] ORDER BY id DESC LIMIT 1").fetchone()
        out[table] = {"rows": last[0] if last else 0, "head": last[1] if last else GENESIS}
    return out


def recorded_heads(conn: sqlite3.Connection) -> dict[str, dict[str, Any]] | None:
    """What the writers recorded in ``_heads`` (None for a database without that table)."""
    try:
        found = conn.execute("SELECT name, rows, head FROM _heads").fetchall()
    except sqlite3.OperationalError:
        return None
    return {name: {"rows": rows, "head": head} for name, rows, head in found}


def verify_chains(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Check the hash chain of every evidence table: ``None`` when intact, else the first problem."""
    result: dict[str, str | None] = {}
    for table in CHAINED_TABLES:
        cursor = conn.execute(f"SELECT * FROM [{table}] ORDER BY id")
        names = [d[0] for d in cursor.description]
        prev, expected_id, problem = GENESIS, 1, None
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            if row["id"] != expected_id:
                problem = f"row id {expected_id} missing (next is {row['id']})"
                break
            if row_digest(prev, row) != row["chain"]:
                problem = f"row {row['id']} was changed (its hash does not match)"
                break
            prev, expected_id = row["chain"], expected_id + 1
        result[table] = problem
    return result
