"""The time budget per document per stage (issue 18, item 3): a document that takes longer than
``$WIRETRACE_DOC_SECONDS`` in a stage is stopped there, recorded with the stage and the reason,
and the run goes on; in one process, in forked workers, and off the main thread."""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from flows import stages
from flows.budget import OverBudget, document_budget
from flows.ingest import RawDocument
from flows.pipeline import run_pipeline
from storage.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")
SLOW = "slow"  # the name part of the document made to stall


def test_a_backtracking_regex_is_stopped_and_the_alarm_put_back() -> None:
    # The regex engine checks for signals while it backtracks: a stalled pattern is stopped.
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 30)  # someone else's alarm, due later
    try:
        started = time.monotonic()
        with pytest.raises(OverBudget), document_budget(0.5):
            re.match(r"(a+)+$", "a" * 40 + "b")  # about 2**40 steps
        assert time.monotonic() - started < 5
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < remaining <= 30  # the other alarm is set again, not lost
        assert fired == []
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _stall_for_slow_documents(monkeypatch, stage_function: str, pids: Path | None = None) -> None:
    """Make ``stages.<stage_function>`` sleep for a minute on the document named ``slow``."""
    real = getattr(stages, stage_function)

    def stalling(*args, **kwargs):
        if pids is not None:
            with pids.open("a") as out:
                out.write(f"{os.getpid()}\n")
        if any(SLOW in str(getattr(arg, "uri", arg)) for arg in args):
            time.sleep(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(stages, stage_function, stalling)


def _raws(count: int) -> list[RawDocument]:
    body = "The minister said on Tuesday that the talks would resume in Geneva next week. "
    raws = [RawDocument(f"doc-{n}.txt", "text", f"Story {n}. " + body * 3) for n in range(count)]
    raws[1].uri = f"{SLOW}.txt"
    return raws


@pytest.mark.parametrize("forked", [False, True], ids=["one-process", "forked-workers"])
def test_cleaning_over_budget_costs_that_document_only(
    forked: bool, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("WIRETRACE_DOC_SECONDS", "1")
    pids = tmp_path / "pids"
    _stall_for_slow_documents(monkeypatch, "clean", pids)
    if forked:
        monkeypatch.setattr(stages, "_CLEAN_CHUNK", 1)  # enough ranges to fork for 4 documents
    started = time.monotonic()
    results = stages.clean_documents(_raws(4), workers=2 if forked else 1)
    assert time.monotonic() - started < 20
    assert [result.error is None for result in results] == [True, False, True, True]
    stopped = results[1]
    assert stopped.overrun is not None and stopped.overrun.stage == "clean"
    assert "clean stopped after 1 s" in (stopped.error or "")
    assert "WIRETRACE_DOC_SECONDS" in (stopped.error or "")
    worker_pids = {int(line) for line in pids.read_text().split()}
    assert (os.getpid() not in worker_pids) == forked  # where the work ran


def test_off_the_main_thread_the_budget_still_holds(tmp_path: Path, monkeypatch) -> None:
    # No alarm reaches another thread: its documents are cleaned in a forked process.
    monkeypatch.setenv("WIRETRACE_DOC_SECONDS", "1")
    _stall_for_slow_documents(monkeypatch, "clean")
    found: list[stages.CleanResult] = []
    thread = threading.Thread(target=lambda: found.extend(stages.clean_documents(_raws(3), 1)))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert [result.error is None for result in found] == [True, False, True]


@needs_seeds
@pytest.mark.parametrize("forked", [False, True], ids=["one-process", "forked-workers"])
def test_facts_over_budget_keep_the_document_and_are_in_the_record(
    forked: bool, tmp_path: Path, db_url: str, monkeypatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        name = f"{SLOW}.txt" if number == 1 else path.name
        shutil.copy(path, inbox / name)
    monkeypatch.setenv("WIRETRACE_DOC_SECONDS", "1")
    monkeypatch.setenv("WIRETRACE_ALIGN_WORKERS", "2" if forked else "1")
    if forked:
        monkeypatch.setattr(stages, "_FACTS_CHUNK", 1)
    _stall_for_slow_documents(monkeypatch, "find_quotes")
    messages: list[str] = []
    started = time.monotonic()
    summary = run_pipeline([str(inbox)], db_url, notify=messages.append)
    assert time.monotonic() - started < 120
    slow_uri = str(inbox / f"{SLOW}.txt")
    assert [(o.uri, o.stage) for o in summary.over_budget] == [(slow_uri, "trace")]
    assert summary.counts()["over_budget"] == 1 and summary.skipped == []
    assert any(slow_uri in line and "trace stopped after 1 s" in line for line in messages)
    with Store(db_url) as store:
        # The run's record says which document, which stage, why.
        record = store.skipped(store.runs()[-1]["run_id"])
        assert [(row["uri"], "trace" in row["reason"]) for row in record] == [(slow_uri, True)]
        assert store.runs()[-1]["status"] == "completed"
        # The document keeps what the earlier stages stored: text, boilerplate, alignments.
        assert slow_uri in {row.uri for row in store.documents()}
        assert any(slow_uri in (row.uri_a, row.uri_b) for row in store.alignments())
        quoted = {row.uri for row in store.quotes()}
        assert slow_uri not in quoted and len(quoted) >= 2  # the others were traced


def test_the_summary_shows_documents_over_budget(capsys) -> None:
    from flows.budget import Overrun
    from flows.cli import _print_summary
    from flows.pipeline import RunSummary

    summary = RunSummary(run_id=1, database="sqlite:///x.db")
    summary.over_budget = [Overrun("a.txt", "trace", 30.0, "kept"), Overrun("b", "clean", 30, "")]
    _print_summary(summary, None, quiet=True)
    assert re.search(r"over time budget\s*│\s*2 \(clean 1, trace 1\)", capsys.readouterr().out)
