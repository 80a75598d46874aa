"""The corpus directory: Parquet parts per table, and a manifest of the sessions it holds.

::

    CORPUS/corpus.json                 sessions (directory → app, fingerprint, part), written last, atomically
    CORPUS/<table>/part-NNNNNN.parquet  one file per table per build that added or refreshed sessions

A build reads only sessions that are new or whose fingerprint (hash-chain heads and
``session.json``) changed since they were added; their old rows are removed from the older
parts, so ``CORPUS/<table>/*.parquet`` always holds each session once. A build that dies
half-way is repaired by the next one: the manifest, written last, still holds the old
fingerprints, so the sessions concerned are read again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from piaudit.policies.session import META_NAME, write_json_atomic
from piaudit.scripts.corpus.tables import TABLES, empty_tables, read_session, session_fingerprint

MANIFEST = "corpus.json"
FORMAT = "piaudit-corpus/1"
MAX_PARTS = 24  # beyond this many parts a build compacts them into one


class CorpusError(ValueError):
    """A corpus directory that cannot be used (one line, for the user)."""


@dataclass
class BuildReport:
    """What a build did."""

    added: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (directory, why)
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the terminal."""
        text = f"{len(self.added)} sessions added, {len(self.refreshed)} refreshed, {self.unchanged} unchanged, {len(self.removed)} removed"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text + f" in {self.seconds:.1f} s"


def find_sessions(roots: Iterable[Path], *, include_incomplete: bool = False, include_attempts: bool = False) -> tuple[list[Path], list[tuple[str, str]]]:
    """Session directories under ``roots`` (recursively), and the ones skipped with the reason.

    A campaign directory (``campaign.json``) contributes its ``sessions/``, not its failed or
    interrupted ``attempts/`` (``include_attempts`` adds them); an incomplete session is skipped
    unless ``include_incomplete``. Hidden directories (a replay's ``.NAME.partial-PID``) are skipped.
    """
    import json

    found: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for root in roots:
        root = root.resolve()
        if not root.is_dir():
            raise CorpusError(f"{root}: no such directory")
        for current, dirs, files in os.walk(root):
            here = Path(current)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            if "campaign.json" in files and not include_attempts:
                dirs[:] = [d for d in dirs if d != "attempts"]
            if META_NAME not in files:
                continue
            dirs[:] = []  # sessions do not nest
            try:
                complete = bool(json.loads((here / META_NAME).read_text(encoding="utf-8")).get("complete"))
            except (OSError, ValueError) as e:
                skipped.append((str(here), f"unreadable session.json: {e}"))
                continue
            if not complete and not include_incomplete:
                skipped.append((str(here), "incomplete (--include-incomplete adds it)"))
                continue
            found.append(here)
    return sorted(set(found)), skipped


class Corpus:
    """An open corpus directory."""

    def __init__(self, directory: Path, manifest: dict[str, Any]):
        self.dir = directory
        self.manifest = manifest

    @classmethod
    def open(cls, directory: Path | str, *, create: bool = False) -> Corpus:
        """Open ``directory`` (``create``: a new, empty corpus if there is none)."""
        import json

        directory = Path(directory).resolve()
        path = directory / MANIFEST
        if path.is_file():
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as e:
                raise CorpusError(f"{path}: unreadable corpus manifest: {e}") from e
            if manifest.get("format") != FORMAT:
                raise CorpusError(f"{path}: not a {FORMAT} manifest")
            return cls(directory, manifest)
        if not create:
            raise CorpusError(f"{directory}: not a piaudit corpus (no {MANIFEST}); build one with `piaudit corpus build DIR --out {directory}`")
        if directory.exists() and any(directory.iterdir()):
            raise CorpusError(f"{directory}: exists and is not a corpus; choose a new --out")
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        corpus = cls(directory, {"format": FORMAT, "created": time.time(), "next_part": 1, "sessions": {}})
        corpus._write_part(empty_tables())
        corpus.save()
        return corpus

    @property
    def sessions(self) -> dict[str, dict[str, Any]]:
        """session key → {app, fingerprint, part}."""
        return self.manifest["sessions"]

    def save(self) -> None:
        """Write the manifest atomically."""
        self.manifest["updated"] = time.time()
        write_json_atomic(self.dir / MANIFEST, self.manifest)

    def files(self, table: str) -> list[Path]:
        """The Parquet files of ``table``."""
        return sorted((self.dir / table).glob("part-*.parquet"))

    # ------------------------------------------------------------------ build
    def build(
        self,
        directories: list[Path],
        *,
        include_incomplete: bool = False,
        include_attempts: bool = False,
        only: list[Path] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> BuildReport:
        """Add the sessions under ``directories``; refresh those that changed; drop those gone from them.

        ``only``: check exactly these session directories (after a rejudge) instead of walking.
        """
        from piaudit.policies.catalog import load_catalog

        started = time.monotonic()
        report = BuildReport()
        if only is not None:
            found = [p.resolve() for p in only]
        else:
            found, report.skipped = find_sessions(directories, include_incomplete=include_incomplete, include_attempts=include_attempts)
        keys = {str(p): p for p in found}
        changed: list[Path] = []
        for key, path in keys.items():
            known = self.sessions.get(key)
            try:
                current = session_fingerprint(path) if known else None
            except Exception as e:
                report.skipped.append((key, f"unreadable: {str(e).splitlines()[0] if str(e) else repr(e)}"))
                continue
            if known is None or current != known["fingerprint"]:
                changed.append(path)
            else:
                report.unchanged += 1
        roots = [str(d.resolve()) for d in directories] if only is None else []
        gone = [k for k in self.sessions if any(k == r or k.startswith(r.rstrip("/") + "/") for r in roots) and k not in keys and not (Path(k) / META_NAME).is_file()]
        catalog = load_catalog()
        collected = []
        for n, path in enumerate(changed, 1):
            try:
                collected.append(read_session(path, catalog))
            except Exception as e:  # one damaged session must not stop a campaign's corpus
                report.skipped.append((str(path), f"unreadable: {str(e).splitlines()[0] if str(e) else repr(e)}"))
                continue
            if on_progress:
                on_progress(n, len(changed))
        self._replace(collected, gone, report)
        self.save()
        if len(self.files("sessions")) > MAX_PARTS:
            self.compact()
        report.seconds = time.monotonic() - started
        return report

    def add_rows(self, collected: list[Any]) -> BuildReport:
        """Put sessions already read (by the workers of a rejudge) into the corpus, replacing their old rows."""
        started = time.monotonic()
        report = BuildReport()
        self._replace(collected, [], report)
        self.save()
        report.seconds = time.monotonic() - started
        return report

    def _replace(self, collected: list[Any], gone: list[str], report: BuildReport) -> None:
        replaced = {r.key for r in collected if r.key in self.sessions} | set(gone)
        if replaced:
            self._remove(replaced)
        tables = {t: _concat([r.tables[t] for r in collected], t) for t in TABLES}
        part = self._write_part(tables) if collected else None
        for r in collected:
            (report.refreshed if r.key in self.sessions else report.added).append(r.key)
            self.sessions[r.key] = {"app": r.app, "fingerprint": r.fingerprint, "part": part}
        for key in gone:
            self.sessions.pop(key, None)
            report.removed.append(key)

    def _write_part(self, tables: dict[str, pa.Table]) -> str:
        number = int(self.manifest.get("next_part", 1))
        name = f"part-{number:06d}.parquet"
        for table, data in tables.items():
            folder = self.dir / table
            folder.mkdir(exist_ok=True)
            tmp = folder / f".{name}.tmp"
            pq.write_table(data, tmp, compression="zstd")
            os.replace(tmp, folder / name)
        self.manifest["next_part"] = number + 1
        return name

    def _remove(self, keys: set[str]) -> None:
        """Drop the rows of ``keys`` from every part (rewriting only the files that hold some)."""
        wanted = pa.array(sorted(keys), type=pa.string())
        for table in TABLES:
            for path in self.files(table):
                data = pq.read_table(path)
                if data.num_rows == 0:
                    continue
                mask = pc.is_in(data["session"], value_set=wanted)
                if not pc.any(mask).as_py():
                    continue
                kept = data.filter(pc.invert(mask))
                tmp = path.with_name(f".{path.name}.tmp")
                pq.write_table(kept, tmp, compression="zstd")
                os.replace(tmp, path)

    def compact(self) -> None:
        """Merge every part into one (a new part, then the old files go)."""
        old = {t: self.files(t) for t in TABLES}
        merged = {t: _concat([pq.read_table(p) for p in old[t]], t) for t in TABLES}
        name = self._write_part(merged)
        for key in self.sessions:
            self.sessions[key]["part"] = name
        self.save()
        for files in old.values():
            for path in files:
                path.unlink(missing_ok=True)


def _concat(tables: list[pa.Table], name: str) -> pa.Table:
    tables = [t for t in tables if t.num_columns]
    if not tables:
        return empty_tables()[name]
    return pa.concat_tables(tables, promote_options="permissive")
