"""Ordered work over ranges of inputs in forked worker processes: the one process pool of the
pipeline's CPU-bound stages (clean, fingerprint, align, trace).

The work and its inputs are put in a module global before the pool forks, so the children
read the parent's memory (copy-on-write) instead of receiving pickled copies; only each range's
bounds go to a worker and its result is pickled back. Results come back in range order, so the output is the same as one process
gives. Where ``fork`` is not available (Windows, macOS by default), or the work is too small
to pay for processes, the ranges run here.

Signals are the parent's business: a worker ignores SIGINT and SIGTERM, and its pool ends it
with SIGKILL. A forked child would otherwise run the parent's Python handlers (Prefect's raises
``TerminationSignal``, the CLI's ``KeyboardInterrupt``) and print their tracebacks; Ctrl-C,
``docker stop`` and systemd signal every process of the group, and the parent ends its pools.
Nor may a worker die of a signal of its own: an idle worker holds the pool's task-queue lock
while it waits, and a pool whose worker died holding it hangs when it is ended.

>>> def squares(numbers, start, end):
...     return [number * number for number in numbers[start:end]]
>>> forked_map(squares, list(range(10)), count=10, chunk=3, workers=2)
[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
>>> [(start, end) for start, end, _ in forked_ranges(squares, [1, 2], 2, chunk=3, workers=2)]
[(0, 2)]
>>> with forked_call(sum, [1, 2, 3]) as total:
...     total.result()
6
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.pool import Pool
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")
# ``work(inputs, start, end)``: the results of ``inputs``' items ``start`` to ``end``.
RangeWork = Callable[[Any, int, int], list[T]]

# The work and inputs of the forked workers: set while the pool forks them.
_FORKED_WORK: tuple[RangeWork[Any], Any] | None = None
_FORK_LOCK = threading.Lock()
# The signals a worker must not handle the parent's way (see the module docstring).
_PARENT_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def forks(count: int, chunk: int, workers: int) -> bool:
    """Whether ``count`` items in ranges of ``chunk`` go to ``workers`` forked processes:
    two workers or more, at least two full ranges, and ``fork`` available."""
    return workers > 1 and count >= 2 * chunk and "fork" in mp.get_all_start_methods()


def forked_ranges(
    work: RangeWork[T], inputs: Any, count: int, chunk: int, workers: int
) -> Iterator[tuple[int, int, list[T]]]:
    """``(start, end, work(inputs, start, end))`` for consecutive ranges of ``range(count)``
    of ``chunk`` items, in order, as each is done: in ``workers`` forked processes when
    ``forks`` says so, else here. ``work`` and ``inputs`` are not pickled (the workers are
    forked with them); each range's result is."""
    ranges = [(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    if not forks(count, chunk, workers):
        for start, end in ranges:
            yield start, end, work(inputs, start, end)
        return
    with _forked_pool(work, inputs, min(workers, len(ranges))) as pool:
        # imap keeps the ranges' order while the workers finish them in any order.
        for (start, end), part in zip(ranges, pool.imap(_run_range, ranges), strict=True):
            yield start, end, part


def _forked_pool(work: RangeWork[Any], inputs: Any, processes: int) -> Any:
    """A pool of ``processes`` forked with ``work`` and ``inputs`` (for ``_run_range``)."""
    global _FORKED_WORK
    # Set only while the pool forks its workers (they keep their copy), under a lock: another
    # thread's pool cannot fork with this one's work.
    with _FORK_LOCK:
        _FORKED_WORK = (work, inputs)
        # Blocked while forking, so that a signal arriving before a worker has set its own
        # dispositions waits for them (the pool's thread that replaces dead workers inherits
        # the mask, so its forks are covered too).
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _PARENT_SIGNALS)
        try:
            return _WorkerPool(processes, _ignore_parent_signals, context=mp.get_context("fork"))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            _FORKED_WORK = None


class _WorkerPool(Pool):
    """A pool whose ``terminate`` ends its workers with SIGKILL (they ignore SIGTERM)."""

    @staticmethod
    def Process(ctx: Any, *args: Any, **kwds: Any) -> Any:
        process = ctx.Process(*args, **kwds)
        process.terminate = process.kill
        return process


def _ignore_parent_signals() -> None:
    """A new worker's first act: SIGINT and SIGTERM ignored, then unblocked (a signal that
    came while they were blocked is dropped)."""
    for number in _PARENT_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _PARENT_SIGNALS)


def forked_map(work: RangeWork[T], inputs: Any, count: int, chunk: int, workers: int) -> list[T]:
    """The results of ``forked_ranges``, concatenated: the list one process gives."""
    return [
        item for _, _, part in forked_ranges(work, inputs, count, chunk, workers) for item in part
    ]


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _FORKED_WORK is not None, "runs in a worker forked by forked_ranges"
    work, inputs = _FORKED_WORK
    return work(inputs, *bounds)


class ForkedCall(Generic[T]):
    """``function(*args)`` running in one forked process (``forked_call``) while this one goes
    on; ``result()`` waits for it. Leaving the ``with`` block ends the process."""

    def __init__(self, function: Callable[..., T], args: tuple[Any, ...], fork: bool) -> None:
        self._function, self._args = function, args
        self._pool: Any = None
        self._pending: Any = None
        if fork:
            self._pool = _forked_pool(_call_once, (function, args), 1)
            self._pending = self._pool.apply_async(_run_range, ((0, 1),))

    def result(self) -> T:
        if self._pending is None:
            return self._function(*self._args)
        return self._pending.get()[0]

    def __enter__(self) -> ForkedCall[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def forked_call(function: Callable[..., T], *args: Any, workers: int = 2) -> ForkedCall[T]:
    """Start ``function(*args)`` in a forked process (its arguments are inherited, not pickled;
    its result is), to overlap it with other work: with fewer than two ``workers`` or without
    ``fork``, it runs here when its result is asked for."""
    fork = workers > 1 and "fork" in mp.get_all_start_methods()
    return ForkedCall(function, args, fork)


def _call_once(call: tuple[Callable[..., T], tuple[Any, ...]], start: int, end: int) -> list[T]:
    function, args = call
    return [function(*args)]
