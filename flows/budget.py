"""A time budget per document per stage: the safety net for what no test of the regular
expressions has met (a line that makes a pattern backtrack for hours, a page that makes a
library loop).

A stage runs each document's work inside :func:`document_budget`: once ``seconds`` have passed
(``$WIRETRACE_DOC_SECONDS``, default 30), :class:`OverBudget` is raised where the work is, and
the stage records an :class:`Overrun` for that document and goes on with the next one. The
timer is ``SIGALRM`` (``setitimer``): Python runs its handler between bytecodes and the regex
engine checks for it while it backtracks, so a stalled pattern is stopped too; C code that never
returns to the interpreter (a huge lxml parse) is stopped when it does. Signals reach only the
main thread of a process: the forked workers of :mod:`flows.forked` run their work there, and
so does a run in one process; a stage called from another thread has its documents run in a
forked process (:func:`budgeted_map`) for the same reason.

>>> import time
>>> with document_budget(0.05):
...     try:
...         time.sleep(5)
...     except OverBudget as over:
...         print(f"stopped after {over.seconds} s")
stopped after 0.05 s
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flows.forked import RangeWork, forked_call, forked_map

DOC_SECONDS_ENV = "WIRETRACE_DOC_SECONDS"
DEFAULT_DOC_SECONDS = 30.0
# Once over budget, the alarm rings again this often: work that caught the first OverBudget
# (a bare ``except:`` in a library) is stopped at the next.
REPEAT_SECONDS = 1.0


def doc_seconds() -> float:
    """The budget of one document in one stage: ``$WIRETRACE_DOC_SECONDS`` if a positive
    number, else 30 s."""
    value = os.environ.get(DOC_SECONDS_ENV, "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return DEFAULT_DOC_SECONDS
    return seconds if math.isfinite(seconds) and seconds > 0 else DEFAULT_DOC_SECONDS


class OverBudget(BaseException):
    """Raised in a document's work when its time is up. A ``BaseException``, as ``KeyboardInterrupt``
    is: library code that catches ``Exception`` to go on must not go on with this."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"over the time budget of {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Overrun:
    """A document stopped in a stage for taking longer than the budget: for the run's record
    and its summary."""

    uri: str
    stage: str  # the pipeline's stage: clean, trace
    seconds: float
    kept: str  # what the document keeps, e.g. "not stored" or "stored without quotes"

    @property
    def reason(self) -> str:
        return (
            f"{self.stage} stopped after {self.seconds:g} s (the time budget per document, "
            f"${DOC_SECONDS_ENV}): {self.kept}"
        )


def can_interrupt() -> bool:
    """Whether :func:`document_budget` can stop work here: a main thread with ``SIGALRM``."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def document_budget(seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`OverBudget` in the block once ``seconds`` (default :func:`doc_seconds`)
    have passed. Where no timer can interrupt (not the main thread, no ``SIGALRM``) the block
    runs unbudgeted. An alarm another part of the program had set is put back after."""
    limit = doc_seconds() if seconds is None else seconds
    if limit <= 0 or not can_interrupt():
        yield
        return
    armed = [True]

    def expire(signum: int, frame: Any) -> None:
        if armed[0]:
            raise OverBudget(limit)

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, limit, REPEAT_SECONDS)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:
            left = max(outer_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def budgeted_map(work: RangeWork[Any], inputs: Any, count: int, chunk: int, workers: int) -> list:
    """``flows.forked.forked_map``, in a forked process when called off the main thread (where
    no timer could stop a document's work), so that the work's :func:`document_budget` holds."""
    if can_interrupt() or "fork" not in mp.get_all_start_methods() or count == 0:
        return forked_map(work, inputs, count, chunk, workers)
    with forked_call(forked_map, work, inputs, count, chunk, 1, workers=2) as call:
        return call.result()
