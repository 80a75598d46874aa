"""Files that hold personal data: created 0600 (directories 0700) whatever the umask.

Evidence, reports, HAR exports and captures name devices and people. A plain ``open()`` makes
them 0644 under the usual umask, readable by every account on the machine; everything piaudit
writes goes through :func:`private_open` / :func:`private_dir` instead, and an existing file is
made private as it is rewritten. SQLite creates its ``-wal`` and ``-shm`` files with the mode of
the database file, so :class:`policies.store.Store` creates the database 0600 before SQLite
opens it. The ``piaudit`` command and the audit process also set the umask to 077, for files
that libraries create on their own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

FILE_MODE, DIR_MODE = 0o600, 0o700


def private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) 0700, or make an existing one 0700."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def private_open(path: Path | str, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing, the file 0600 (created so, or made so if it existed).

    ``mode`` is ``w``/``a`` (text) or ``wb``/``ab``; ``kwargs`` go to :func:`os.fdopen`
    (``encoding``, ``newline``).
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_private(path: Path | str) -> None:
    """Create ``path`` empty and 0600 if it does not exist (a database, before SQLite opens it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def write_private_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` to a 0600 file."""
    with private_open(path, "wb") as fh:
        fh.write(data)


def write_private_text(path: Path | str, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to a 0600 file."""
    with private_open(path, "w", encoding=encoding) as fh:
        fh.write(text)


def private_umask() -> int:
    """Set the process umask to 077 (files 0600, directories 0700); returns the old one."""
    return os.umask(0o077)
