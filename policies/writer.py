"""The owner thread of a live session: runs submitted work off the event loop, writes in batches.

Producers (mitmproxy hooks, the Frida host) only call :meth:`Worker.submit`, which never
blocks. The worker runs each job, then flushes what the jobs buffered at least every
``interval`` seconds (so a batch reaches disk within 250 ms), and drains everything on
:meth:`Worker.stop` — a writer thread not drained at shutdown loses rows.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable

log = logging.getLogger(__name__)

_STOP = object()


class Worker:
    """One thread that owns a session's writes.

    ``flush`` is called on the worker thread after a batch of jobs; ``on_error`` gets
    ``(where, exception, traceback text)`` for a job that raised (the job is dropped, the
    worker goes on).
    """

    def __init__(
        self,
        flush: Callable[[], None],
        on_error: Callable[[str, BaseException, str], None],
        *,
        interval: float = 0.1,
        max_batch: int = 500,
        name: str = "piaudit-writer",
    ):
        self._flush = flush
        self._on_error = on_error
        self.interval = interval
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._flushed = threading.Condition()
        self._submitted = 0
        self._done = 0
        self.failed_flushes = 0

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        """Queue a job; never blocks."""
        self._submitted += 1
        self._queue.put(job)

    def _run(self) -> None:
        last_flush = time.monotonic()
        pending = 0
        stopping = False
        while not stopping:
            timeout = max(0.0, self.interval - (time.monotonic() - last_flush))
            try:
                item = self._queue.get(timeout=timeout if pending else self.interval)
            except queue.Empty:
                item = None
            if item is _STOP:
                stopping = True
            elif item is not None:
                self._run_job(item)  # type: ignore[arg-type]
                pending += 1
            if stopping or pending >= self.max_batch or (time.monotonic() - last_flush) >= self.interval:
                if pending or stopping:
                    self._do_flush(pending)
                pending = 0
                last_flush = time.monotonic()
        # drain anything queued after the stop marker
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                self._run_job(item)  # type: ignore[arg-type]
                pending += 1
        self._do_flush(pending)

    def _run_job(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception as e:  # a job that fails must not stop the session
            self._on_error("job", e, traceback.format_exc())

    def _do_flush(self, count: int) -> None:
        try:
            self._flush()
        except Exception as e:
            self.failed_flushes += 1
            self._on_error("flush", e, traceback.format_exc())
        with self._flushed:
            self._done += count
            self._flushed.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every job submitted so far has run and been flushed."""
        target = self._submitted
        deadline = time.monotonic() + timeout
        with self._flushed:
            while self._done < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._flushed.wait(remaining)
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Run every queued job, flush, and end the thread."""
        if not self._thread.is_alive():
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("piaudit: the writer did not finish within %.0f s; the session may be incomplete", timeout)
