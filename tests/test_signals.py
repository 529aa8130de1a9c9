"""Signals: forked workers never run the parent's handlers, and an interrupted run (Ctrl-C,
SIGTERM) ends in one line, with its record saying ``interrupted``.

Forked workers inherit the parent's Python signal handlers. Under Prefect the flow's process
holds Prefect's SIGTERM handler (it raises ``TerminationSignal``), so a pool ending its workers
with SIGTERM made each busy worker print that exception's traceback; Ctrl-C reaches every
process of the terminal's group, and each worker printed a ``KeyboardInterrupt`` traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flows.forked import forked_call, forked_ranges

TRACEBACK = "Traceback (most recent call last)"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _slow_range(numbers: list[int], start: int, end: int) -> list[int]:
    time.sleep(30)
    return numbers[start:end]


def test_forked_workers_never_run_prefects_sigterm_handler(capfd) -> None:
    from prefect.utilities.engine import capture_sigterm

    with capture_sigterm():  # the handler a Prefect flow run installs in its process
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        started = time.monotonic()
        # Left while the forked call is busy: the pool ends it with SIGTERM.
        with forked_call(time.sleep, 30, workers=2):
            time.sleep(0.5)
        # Left after the first range while the other workers are busy.
        ranges = forked_ranges(_slow_range, list(range(8)), 8, chunk=2, workers=2)
        with pytest.raises(TimeoutError):
            _first_within(ranges, seconds=0.5)
        ranges.close()
        assert time.monotonic() - started < 10, "the workers must end at once"
    err = capfd.readouterr().err
    assert TRACEBACK not in err and "TerminationSignal" not in err, err


def _first_within(ranges, seconds: float):
    """Wait for the first range at most ``seconds`` (the workers sleep far longer)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return next(ranges)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _alarm(*_args: object) -> None:
    raise TimeoutError


# -- an interrupted run -----------------------------------------------------------------------------

# `wiretrace run` with one document whose cleaning takes a minute in a forked worker: the test
# signals the run once the worker has begun it (the worker writes a file to say so).
SLOW_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from flows import stages

    started = Path(sys.argv[1])
    clean = stages.clean

    def slow_clean(raw):
        if raw.uri.endswith("slow.txt"):
            started.write_text("cleaning")
            time.sleep(60)
        return clean(raw)

    stages.clean = slow_clean
    stages._CLEAN_CHUNK = 1  # one document per range: the pool forks for a handful

    from flows.cli import app
    app(sys.argv[2:], prog_name="wiretrace")
    """
)


def _as_a_shell_starts_it() -> None:
    """In the child before it runs: SIGINT and SIGTERM with their default dispositions and
    unblocked, as a shell starts a job. The child otherwise inherits the test process's: after
    the whole suite (Prefect's server, Dask, Datasette in earlier tests), Ctrl-C reached a child
    that ignored it, and the run went on past the test's wait."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")
@pytest.mark.parametrize(
    ("signal_number", "whole_group"),
    [
        (signal.SIGINT, True),  # Ctrl-C in a terminal: the whole process group
        (signal.SIGTERM, False),  # kill PID, a scheduler's timeout
        (signal.SIGTERM, True),  # systemd, docker stop: every process
    ],
    ids=["ctrl-c", "sigterm", "sigterm-group"],
)
def test_an_interrupted_run_says_one_line_and_is_recorded(
    tmp_path: Path, db_url: str, signal_number: int, whole_group: bool
) -> None:
    from storage.store import Store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "slow.txt").write_text("A slow story about the harbour. It has two sentences.\n")
    script, started = tmp_path / "slow_run.py", tmp_path / "started"
    script.write_text(SLOW_RUN, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "WIRETRACE_ALIGN_WORKERS": "2"}
    env.pop("WIRETRACE_DB", None)
    process = subprocess.Popen(
        [sys.executable, str(script), str(started), "run", str(corpus), "--db", db_url, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a terminal's job
        preexec_fn=_as_a_shell_starts_it,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), process.communicate(timeout=30)
        if whole_group:
            os.killpg(process.pid, signal_number)
        else:
            process.send_signal(signal_number)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 128 + signal_number, (process.returncode, stderr)
    assert TRACEBACK not in stderr + stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: interrupted"), stderr
    [run] = Store(db_url).runs()
    assert run["status"] == "interrupted" and run["finished_at"] is not None
