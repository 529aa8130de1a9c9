"""The provenance pipeline: ingest, clean, fingerprint, align, attribute, store, summarise.

:func:`run_pipeline` is the one orchestration; the Prefect flow :func:`provenance_pipeline`
runs it with every stage wrapped as a Prefect task; the CLI runs it with the plain functions
(no Prefect server needed for a one-off run). The Prefect flow lives in :mod:`flows.provenance`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata as package_metadata
from typing import Any

from dedup.candidates import DEFAULT_PARAMS
from dedup.records import Alignment
from dedup.tokens import Tokens
from flows import stages
from flows.budget import Overrun
from flows.ingest import JsonlFields, RawDocument, Skipped, printable
from storage.store import Store

Notify = Callable[[str], None]
SAVE_BATCH = 500  # documents per transaction: fewer round trips, little lost to a crash
# Documents per call of the clean stage (one process pool each): enough to keep the workers
# busy, few enough that their cleaned texts are not all held at once.
CLEAN_STEP = 10 * SAVE_BATCH
FINGERPRINT_BATCH = 5000  # documents tokenised and sketched, then stored, at a time
Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]

STAGE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ingest": stages.ingest,
    "clean": stages.clean_documents,
    "templates": stages.apply_templates,
    "fingerprint": stages.fingerprint,
    "candidates": stages.find_candidates,
    "align": stages.align_pairs,
    "trace": stages.trace_lineage,
}


class NothingReadable(ValueError):
    """A run whose inputs were all missing or unreadable (some were given, none was read):
    it fails, its record says so, the CLI exits with code 1."""


@dataclass
class RunSummary:
    """What one run did, for the terminal, the run record and Prefect artifacts."""

    run_id: int
    database: str
    documents_read: int = 0
    documents_new: int = 0
    documents_total: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    candidate_pairs: int = 0
    alignments_new: int = 0
    clusters: int = 0
    origins: dict[str, int] = field(default_factory=dict)
    quotes: int = 0
    seconds: float = 0.0
    # Documents stopped in a stage for taking longer than the time budget (flows.budget).
    over_budget: list[Overrun] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "documents_new": self.documents_new,
            "documents_total": self.documents_total,
            "skipped": len(self.skipped),
            "over_budget": len(self.over_budget),
            "candidate_pairs": self.candidate_pairs,
            "alignments_new": self.alignments_new,
            "clusters": self.clusters,
            "quotes": self.quotes,
            **{f"origins_{kind}": count for kind, count in sorted(self.origins.items())},
        }


def versions() -> dict[str, str]:
    found = {}
    for name in ("wiretrace", "datasketch", "rapidfuzz", "sqlalchemy", "prefect"):
        try:
            found[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def _plain(function: Callable[..., Any]) -> Callable[..., Any]:
    return function


def _ignore(stage: str, done: int, total: int) -> None:
    return None


# Progress reports ``(stage, done, total)``: every stage reports once as it starts, those
# that count their work (clean, fingerprint, align) as they go. A total of 0 means the amount
# of work is not known: the CLI shows a spinner with the stage's name instead of a bar.
UNKNOWN_TOTAL = 0


def _starting(progress: stages.Progress, stage: str) -> None:
    """Say that ``stage`` begins, its amount of work unknown."""
    progress(stage, 0, UNKNOWN_TOTAL)


def run_pipeline(
    paths: Iterable[str],
    db: str | None = None,
    *,
    wrap: Wrap = _plain,
    notify: Notify = print,
    progress: stages.Progress = _ignore,
    jsonl: JsonlFields | None = None,
) -> RunSummary:
    """Run every stage over ``paths`` into the database ``db`` and return what happened.

    ``jsonl``: where JSONL records keep their fields (``wiretrace run --field``), kept in the
    run's record when given.

    Re-running on the same input changes nothing: unchanged documents are not re-read into the
    store, nothing is re-aligned, and the lineage is rewritten to identical rows.
    """
    started = time.perf_counter()
    paths = list(paths)
    store = Store(db)
    step = {name: wrap(function) for name, function in STAGE_FUNCTIONS.items()}
    # One writing run at a time: a second run waits here, then sees what the first stored.
    with store.exclusive():
        # Holding the lock, any run still marked 'running' was killed: say so in its record.
        store.interrupt_stale_runs()
        parameters: dict[str, Any] = {"paths": paths}
        if jsonl is not None and jsonl.mapped:
            parameters["fields"] = dict(jsonl.mapped)
        run_id = store.begin_run(parameters, versions())
        summary = RunSummary(run_id=run_id, database=store.display_url)
        try:
            _starting(progress, "read")
            ingested = step["ingest"](paths, store.document_sources(), jsonl)
            store.set_source_keys(ingested.adopted)
            summary.skipped.extend(ingested.skipped)
            summary.documents_read = len(ingested.documents)
            with _Saver(store) as saver:
                _clean_and_save(ingested.documents, step["clean"], saver, summary, notify, progress)
            summary.documents_new += saver.saved
            for skipped in summary.skipped:
                notify(skipped.message())
                store.record_skipped(run_id, skipped.uri, skipped.reason)
            if summary.skipped and not (saver.saved or ingested.unchanged):
                # A mistyped inbox must not look like a quiet night.
                raise NothingReadable(
                    f"nothing read: every input was missing or unreadable "
                    f"({len(summary.skipped)} skipped)"
                )

            _starting(progress, "templates")
            step["templates"](store)
            summary.documents_total = store.document_count()
            pending = set(store.pending_uris())
            alignments: list[Alignment] = []
            if pending:
                pairs, alignments = _detect(store, step, pending, progress)
                summary.candidate_pairs = len(pairs)
                summary.alignments_new = len(alignments)
            # Also brings the alignments of duplicates (never pending) up to date.
            _starting(progress, "store")
            store.save_alignments(sorted(pending), alignments)
            # None: the trace reads only the documents it needs (not the whole archive).
            _starting(progress, "trace")
            lineage = step["trace"](store, None, run_id)
            summary.clusters, summary.origins, summary.quotes = (
                lineage.clusters,
                lineage.origins,
                lineage.quotes,
            )
            # Stored documents whose facts took too long: in the run's record beside the
            # skipped files (those cleaning gave up on are skipped files already).
            for overrun in lineage.over_budget:
                summary.over_budget.append(overrun)
                notify(f"over time budget {printable(overrun.uri)}: {overrun.reason}")
                store.record_skipped(run_id, overrun.uri, overrun.reason)
        except Exception:
            store.finish_run(run_id, summary.counts(), status="failed")
            raise
        except BaseException:
            # Ctrl-C, SIGTERM (the CLI's KeyboardInterrupt, Prefect's TerminationSignal): what
            # is stored stays, and the record says the run was stopped, not that it failed.
            store.finish_run(run_id, summary.counts(), status="interrupted")
            raise
        summary.seconds = time.perf_counter() - started
        store.finish_run(run_id, summary.counts())
    return summary


def _clean_and_save(
    raws: list[RawDocument],
    clean: Callable[[list[RawDocument]], list[stages.CleanResult]],
    saver: _Saver,
    summary: RunSummary,
    notify: Notify,
    progress: stages.Progress,
) -> None:
    """Clean ``raws`` a step at a time and hand the cleaned documents to ``saver`` in batches
    (skipped documents go to ``summary``); the saves of one step overlap the next step's
    cleaning, and at most two steps' documents are held at once."""
    batch: list[tuple[RawDocument, stages.CleanResult]] = []
    for first in range(0, len(raws), CLEAN_STEP):
        saver.wait(keep_last=CLEAN_STEP // SAVE_BATCH + 1)
        chunk = raws[first : first + CLEAN_STEP]
        for done, (raw, result) in enumerate(zip(chunk, clean(chunk), strict=True), first + 1):
            if result.error is not None:
                summary.skipped.append(Skipped(raw.uri, result.error))
                if result.overrun is not None:
                    summary.over_budget.append(result.overrun)
                continue
            if raw.note:
                notify(f"note: {raw.uri}: {raw.note}")
            batch.append((raw, result))
            if len(batch) >= SAVE_BATCH:
                # A document is stored whole or not at all; a batch is one transaction.
                saver.save(batch)
                batch = []
            progress("clean", done, len(raws))
    if batch:
        saver.save(batch)


class _Saver:
    """Saves batches of cleaned documents in order, in a thread of its own (so that the
    cleaning workers and the saves overlap), or right away where the store cannot be shared
    across threads. The first failed save stops the later ones; it is raised by the next
    ``save`` or ``wait``, or on leaving the block."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.saved = 0
        self.failure: BaseException | None = None
        self.threaded = store.shared_across_threads
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="save") if self.threaded else None
        self.futures: list[Future[None]] = []

    def __enter__(self) -> _Saver:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        if self.executor is not None:
            # On an error, batches not yet begun are dropped (each batch is its own transaction).
            self.executor.shutdown(wait=True, cancel_futures=kind is not None)
        if kind is None:
            self._raise_failure()

    def save(self, batch: list[tuple[RawDocument, stages.CleanResult]]) -> None:
        self._raise_failure()
        if self.executor is None:
            self._save(batch)
        else:
            self.futures.append(self.executor.submit(self._save, batch))

    def wait(self, keep_last: int = 0) -> None:
        """Wait until at most the ``keep_last`` latest batches are unsaved."""
        for future in self.futures[: max(0, len(self.futures) - keep_last)]:
            future.result()
        self.futures = self.futures[max(0, len(self.futures) - keep_last) :]
        self._raise_failure()

    def _save(self, batch: list[tuple[RawDocument, stages.CleanResult]]) -> None:
        if self.failure is not None:
            return
        try:
            self.saved += _save_cleaned(self.store, batch)
        except BaseException as error:
            self.failure = error
            raise

    def _raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def _detect(
    store: Store,
    step: dict[str, Callable[..., Any]],
    pending: set[str],
    progress: stages.Progress,
) -> tuple[list[tuple[str, str]], list[Alignment]]:
    """Candidate pairs of the pending documents and their alignments.

    Reads the texts of the documents to sketch (pending ones, and any stored without a sketch
    of the current parameters) and of their candidate partners only: the archive takes part
    through its stored band keys and shingles.
    """
    texts, tokens = fingerprint_pending(store, step, pending, progress)
    _starting(progress, "candidates")
    pairs = step["candidates"](store, pending)
    partners = {uri for pair in pairs for uri in pair if uri not in tokens}
    partner_inputs = store.detection_inputs(partners)
    tokens |= step["fingerprint"](partner_inputs, sketch=False).tokens
    texts |= {doc.uri: doc.text for doc in partner_inputs}
    return pairs, step["align"](pairs, texts, tokens, progress)


def _save_cleaned(store: Store, batch: list[tuple[RawDocument, stages.CleanResult]]) -> int:
    """Store cleaned documents with their template blocks, in one transaction; how many."""
    store.save_documents(
        [
            (raw.uri, raw.content_hash, raw.source_format, result.document)
            for raw, result in batch
            if result.document is not None
        ],
        {raw.uri: result.blocks for raw, result in batch if result.blocks is not None},
        source_keys={raw.uri: raw.key for raw, _ in batch if raw.key},
    )
    return len(batch)


def fingerprint_pending(
    store: Store,
    step: dict[str, Callable[..., Any]],
    pending: set[str],
    progress: stages.Progress = _ignore,
) -> tuple[dict[str, str], dict[str, Tokens]]:
    """Sketch and store the pending documents and any stored without a sketch of the current
    parameters; return the pending ones' texts and body tokens (for the alignment).

    In batches: a batch's sketches are stored and dropped before the next one is made (100k
    documents' band keys at once took 850 MB; the candidate stage reads them back).
    """
    params = DEFAULT_PARAMS
    to_sketch = sorted(pending | set(store.unsketched_uris(params.signature)))
    texts: dict[str, str] = {}
    tokens: dict[str, Tokens] = {}
    progress("fingerprint", 0, len(to_sketch))
    for start in range(0, len(to_sketch), FINGERPRINT_BATCH):
        inputs = store.detection_inputs(to_sketch[start : start + FINGERPRINT_BATCH])
        prints = step["fingerprint"](inputs)
        store.save_sketches(
            params.signature,
            [(uri, sketch.band_keys, sketch.shingles) for uri, sketch in prints.sketches.items()],
        )
        for doc in inputs:
            if doc.uri in pending:
                texts[doc.uri] = doc.text
                tokens[doc.uri] = prints.tokens[doc.uri]
        progress("fingerprint", min(start + FINGERPRINT_BATCH, len(to_sketch)), len(to_sketch))
        del inputs, prints
    return texts, tokens


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
