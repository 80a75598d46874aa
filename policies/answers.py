"""The user's answers to runtime permission requests over time: state the permission rules read.

The answer to a permission at time *t* is the last ``permission:result`` at or before *t* that
answered it. At one instant results are ordered by row id, so the later row wins.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any, NamedTuple

from piaudit.policies.models import PermissionAnswer, PermissionResult


def result_key(result: PermissionResult) -> tuple[Any, ...]:
    """A total order of permission results that does not depend on input order."""
    return (result.time, -1 if result.id is None else result.id, result.model_dump_json(exclude={"id"}))


class Answer(NamedTuple):
    """One permission's answer in force, and the result that gave it."""

    answer: PermissionAnswer
    result: PermissionResult

    @property
    def rows(self) -> list[str]:
        """The evidence row of the result, if stored."""
        return [f"permission_results:{self.result.id}"] if self.result.id is not None else []


class PermissionAnswers:
    """Per permission, its answers in time order; ``answer_at(p, t)`` is O(log n)."""

    def __init__(self, results: Iterable[PermissionResult] = ()):
        self._keys: dict[str, list[tuple[Any, ...]]] = {}
        self._answers: dict[str, list[Answer]] = {}
        self.count = 0
        for result in sorted(results, key=result_key):
            self.add(result)

    def add(self, result: PermissionResult) -> None:
        """Take one result into account."""
        self.count += 1
        key = result_key(result)
        for permission, answer in result.results.items():
            keys = self._keys.setdefault(permission, [])
            index = bisect.bisect_right(keys, key)
            keys.insert(index, key)
            self._answers.setdefault(permission, []).insert(index, Answer(answer, result))

    def answer_at(self, permission: str, time: float, *, before: bool = False) -> Answer | None:
        """The answer to ``permission`` in force at ``time`` (strictly before it with ``before``)."""
        keys = self._keys.get(permission)
        if not keys:
            return None
        index = bisect.bisect_left(keys, (time,)) if before else bisect.bisect_right(keys, (time, float("inf")))
        return self._answers[permission][index - 1] if index else None
