"""One audit is one directory: ``evidence.db``, ``flows.mitm`` and ``session.json``.

The directory is created with mode 0700: it holds personal data. ``session.json`` is
rewritten atomically (temp file + rename) so a crash never leaves it half-written; its
``complete`` flag stays false until the session ends cleanly.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from piaudit.policies.models import SessionMeta
from piaudit.policies.private import private_dir, private_open
from piaudit.policies.store import Store
from piaudit.policies.times import STORED

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DB_NAME = "evidence.db"
FLOWS_NAME = "flows.mitm"
META_NAME = "session.json"


class SessionError(Exception):
    """A session directory that cannot be used, with what to do about it."""


class SessionBusy(SessionError):
    """Another process holds the session: a live run, or a re-judgement in place."""


class SessionLock:
    """The exclusive right to write a session: an ``flock`` on its directory, released when the holder exits.

    ``piaudit run`` (the audit process) and ``piaudit replay DIR --policy`` in place hold it;
    ``piaudit consent`` only appends a row and asks :func:`session_active` whether a run holds it.
    The kernel drops the lock when its process dies, so a crash never leaves a session locked.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self._fd: int | None = None

    def acquire(self, wait: float = 1.0) -> SessionLock:
        """Take the lock, waiting up to ``wait`` seconds (a `consent` probe holds it for an instant)."""
        fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise SessionBusy(
                        f"{self.directory}: in use by another piaudit run or re-judgement; wait until it ends"
                        " (a session has one writer at a time)"
                    ) from None
                time.sleep(0.05)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (closing the descriptor releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def session_active(directory: Path | str) -> bool:
    """Whether a run (or a re-judgement) holds the session now."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


_LEFTOVERS = frozenset({DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", FLOWS_NAME, META_NAME + ".tmp"})
"""What a session that stopped before writing session.json may hold: continued, not refused."""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """Versions of everything that shapes an audit's result."""
    return {
        "piaudit": _version("piaudit"),
        "mitmproxy": _version("mitmproxy"),
        "frida": _version("frida"),
        "pydantic": _version("pydantic"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON through a temp file and a rename: readers see the old or the new file, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with private_open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Session:
    """An open session directory: its store and its metadata."""

    def __init__(self, directory: Path, store: Store, meta: SessionMeta, lock: SessionLock | None = None):
        self.dir = directory
        self.store = store
        self.meta = meta
        self.lock = lock

    @property
    def flows_path(self) -> Path:
        """The raw mitmproxy flows, readable by mitmproxy tools."""
        return self.dir / FLOWS_NAME

    @property
    def db_path(self) -> Path:
        """The evidence database."""
        return self.dir / DB_NAME

    @classmethod
    def create(
        cls, directory: Path | str, *, app: str | None = None, source: str = "live", lock: bool = False, **meta: Any
    ) -> Session:
        """Start a new session in ``directory`` (created 0700), or continue the session it holds.

        A directory that already holds a session is continued (a second `run` appends to it):
        its metadata keeps the first start time and is marked incomplete until this run ends.
        A directory holding anything else is refused (:class:`SessionError`), untouched: piaudit
        never writes evidence beside someone's files, nor changes their folder's mode. ``lock``
        takes :class:`SessionLock` first (a live run): a session another process holds is refused
        (:class:`SessionBusy`) before anything is written.
        """
        directory = Path(directory)
        meta_path = directory / META_NAME
        if directory.is_dir() and not meta_path.exists():
            foreign = sorted(p.name for p in directory.iterdir() if p.name not in _LEFTOVERS)
            if foreign:
                shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                raise SessionError(
                    f"{directory}: not empty and not a piaudit session (it holds {shown}); give a new or empty directory"
                )
        elif directory.exists() and not directory.is_dir():
            raise SessionError(f"{directory}: exists and is not a directory; give a new or empty directory")
        directory = private_dir(directory)
        held = SessionLock(directory).acquire() if lock else None
        try:
            if meta_path.exists():
                session = cls.open(directory)
                session.lock = held
                session.meta.complete = False
                session.meta.stopped = None
                session.meta.notes.append(f"continued at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
                if app and not session.meta.app:
                    session.meta.app = app
                session.save()
                return session
            store = Store(directory / DB_NAME)
            info = SessionMeta(started=time.time(), app=app, versions=versions(), source=source, **meta)  # type: ignore[arg-type]
            session = cls(directory, store, info, held)
            session.save()
            return session
        except BaseException:
            if held is not None:
                held.release()
            raise

    @classmethod
    def open(cls, directory: Path | str, *, lock: bool = False) -> Session:
        """Open an existing session directory (``lock``: as its one writer, see :class:`SessionLock`)."""
        directory = Path(directory)
        meta_path = directory / META_NAME
        if not meta_path.is_file():
            raise SessionError(f"{directory}: not a piaudit session (no {META_NAME}); create one with `piaudit run --session {directory}`")
        held = SessionLock(directory).acquire() if lock else None
        try:
            meta = SessionMeta.model_validate_json(meta_path.read_text(encoding="utf-8"), context=STORED)
        except ValueError as e:
            if held is not None:
                held.release()
            raise SessionError(f"{meta_path}: unreadable session metadata: {str(e).splitlines()[0]}") from e
        return cls(directory, Store(directory / DB_NAME), meta, held)

    def save(self) -> None:
        """Write ``session.json`` atomically."""
        write_json_atomic(self.dir / META_NAME, self.meta.model_dump(mode="json"))

    def close(self, *, complete: bool = True, reason: str | None = None, sign_key: Ed25519PrivateKey | None = None) -> None:
        """Mark the session stopped, record every table's head (signed with ``sign_key``), close the store."""
        from piaudit.policies.integrity import record_close

        self.meta.stopped = time.time()
        self.meta.complete = complete
        self.meta.incomplete_reason = None if complete else reason
        record_close(self.store.conn, self.meta, sign_key)
        self.save()
        self.store.close()
        self.unlock()

    def unlock(self) -> None:
        """Give up the writer's lock, if this process holds it."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None
