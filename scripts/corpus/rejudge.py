"""Re-judge every session of a corpus in parallel, then refresh the corpus.

Each session is judged by :func:`scripts.replay.rejudge`, the code path of `piaudit replay DIR
--policy` in place: a new findings run appended to the session's own store, with the session's
policy and, if given, an extra catalog. The work is spread over local processes (default) or
Ray tasks on a cluster (``--cluster``; every host must see the sessions at the same paths).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Rejudged:
    """The outcome for one session, with its refreshed corpus rows (read by the same worker)."""

    session: str
    findings: int | None  # None: it failed
    error: str = ""
    rows: Any = None  # scripts.corpus.tables.SessionRows


def rejudge_one(session: str, catalog: str | None) -> Rejudged:
    """Re-judge one session in place (a new findings run), then read its corpus rows; never raises."""
    from piaudit.policies.catalog import default_catalog
    from piaudit.policies.options import AuditOptions
    from piaudit.scripts.corpus.tables import read_session
    from piaudit.scripts.replay import rejudge

    try:
        result = rejudge(Path(session), AuditOptions(catalog=catalog or ""))
    except Exception as e:
        return Rejudged(session, None, (str(e).splitlines()[0] if str(e) else repr(e))[:500])
    try:
        rows = read_session(Path(session), default_catalog())
    except Exception:  # re-judged all the same: the corpus refresh reads it again
        rows = None
    return Rejudged(session, len(result.findings), rows=rows)


def _rejudge_args(args: tuple[str, str | None]) -> Rejudged:
    return rejudge_one(*args)


FORK_SAFE_THREADS = {"jemalloc_bg_thd"}  # pyarrow's allocator thread: jemalloc restarts it in a forked child


def _single_threaded() -> bool:
    """No other thread in this process, native ones included (DuckDB starts its own), but jemalloc's."""
    try:
        others = [t for t in os.listdir("/proc/self/task") if int(t) != os.getpid()]
        return all(Path(f"/proc/self/task/{t}/comm").read_text().strip() in FORK_SAFE_THREADS for t in others)
    except OSError:
        return False


def default_workers() -> int:
    """One process per usable core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def rejudge_local(sessions: list[str], catalog: str | None, workers: int, on_done: Callable[[Rejudged], None] | None = None) -> list[Rejudged]:
    """Re-judge ``sessions`` with ``workers`` local processes (1: in this process)."""
    if workers <= 1 or len(sessions) <= 1:
        out = []
        for s in sessions:
            out.append(rejudge_one(s, catalog))
            if on_done:
                on_done(out[-1])
        return out
    # fork only a process with no other thread (native ones counted); else a fork server imports the
    # judging code once, then forks each worker from that clean process
    if sys.platform == "linux" and _single_threaded():
        context = multiprocessing.get_context("fork")
    elif sys.platform == "linux":
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["piaudit.scripts.replay", "piaudit.policies.rules"])
    else:
        context = multiprocessing.get_context("spawn")
    chunk = max(1, len(sessions) // (workers * 8))
    out = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for result in pool.map(_rejudge_args, [(s, catalog) for s in sessions], chunksize=chunk):
            out.append(result)
            if on_done:
                on_done(result)
    return out


def rejudge_ray(sessions: list[str], catalog: str | None, address: str, on_done: Callable[[Rejudged], None] | None = None) -> list[Rejudged]:
    """Re-judge ``sessions`` as Ray tasks (one CPU each) on the cluster at ``address``."""
    import ray

    ray.init(address=address, logging_level="WARNING", log_to_driver=False, configure_logging=False)
    try:
        task = ray.remote(num_cpus=1)(rejudge_one)
        pending = {task.remote(s, catalog): s for s in sessions}
        out = []
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                session = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as e:  # the task's worker or host died
                    result = Rejudged(session, None, f"Ray task failed: {type(e).__name__}")
                out.append(result)
                if on_done:
                    on_done(result)
        return out
    finally:
        ray.shutdown()
