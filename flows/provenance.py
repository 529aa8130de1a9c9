"""Prefect flows: the provenance pipeline and the report, ready for scheduled deployments.

Every stage of :func:`flows.pipeline.run_pipeline` runs as a Prefect task, so a run shows its
stages in the Prefect UI; each run publishes a Markdown summary and a table as artifacts.

Scale-out: with ``dask`` set (a scheduler address such as ``tcp://scheduler:8786``, or
``local`` for a temporary cluster on this machine; default ``$WIRETRACE_DASK``), the heavy,
pure stages run on a Dask cluster through prefect-dask's ``DaskTaskRunner``: fingerprinting in
chunks of documents and alignment in chunks of candidate pairs, each chunk one Prefect task.
Everything that touches the database stays in the flow's own process, so Dask workers need
the wiretrace package and the Prefect API, never the database.

Scheduled runs (``prefect.yaml``): both flows retry after a delay and time out (set here, on
the flows: a deployment in ``prefect.yaml`` has no key for either); both hold the database's
lock (a Prefect global concurrency limit of one slot named after the database, see
:func:`database_lock`) while they read or write it, so the nightly ingest and the weekly report
never overlap on one SQLite file; the ingest makes the report when it is done (``report``), and
the report publishes a link to itself as an artifact.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.task_runners import TaskRunner

from dedup.candidates import DEFAULT_PARAMS, CandidateParams
from dedup.records import Alignment
from dedup.tokens import Tokens
from flows import stages
from flows.pipeline import STAGE_FUNCTIONS, RunSummary, run_pipeline
from reports import ReportData, summary_markdown, summary_table, write_report
from storage.store import DEFAULT_URL, Store, StoredDocument
from storage.urls import mask_url

T = TypeVar("T")
DASK_ENV = "WIRETRACE_DASK"
# Work per Dask task: big enough that Prefect's per-task bookkeeping (a task run and its state
# changes on the API: about 0.4 s of CPU per chunk task, measured on the Dask test's corpus)
# stays small next to the work, small enough to spread a run's pairs over many workers.
DASK_ALIGN_CHUNK = 500  # candidate pairs
DASK_FINGERPRINT_CHUNK = 1000  # documents

# A failed scheduled run is tried again after a delay: the usual causes pass (a database
# restarting, a network share or disk back, a worker restarted). Runs are incremental, so a
# retry stores only what the failed attempt did not.
FLOW_RETRIES = 2
RETRY_DELAY_SECONDS = 15 * 60
# A run that hangs (a database lock never released, a share that stopped answering) is ended,
# so that it does not hold the database's lock into the next night. 100k documents end to end
# take about an hour on two cores (benchmarks/README.md); a nightly inbox, seconds to minutes.
INGEST_TIMEOUT_SECONDS = 6 * 3600
REPORT_TIMEOUT_SECONDS = 2 * 3600
# The global concurrency limit that keeps runs on one database apart: this prefix and a hash
# of the database's address (limit names allow no "/" or ":", and a URL may hold a password).
LOCK_PREFIX = "wiretrace-db-"
# How long a held slot lasts without being renewed (Prefect renews it while the run is alive;
# a crashed worker's slot comes free after this).
LOCK_LEASE_SECONDS = 300
REPORT_ARTIFACT_KEY = "wiretrace-report"

# Inputs are large in-memory objects (texts, token arrays): hashing them for a cache key would
# cost more than the stage, and results are stored in the database anyway.
STAGE_TASKS = {
    function: task(function, name=name, cache_policy=NO_CACHE)
    for name, function in STAGE_FUNCTIONS.items()
}


class Sealed(Generic[T]):
    """A task argument handed over as one object. Prefect walks lists, dicts and dataclasses
    in a task's arguments looking for futures (several times per task), and Dask packs
    tuples; a chunk's texts and token arrays have nothing to find, so they travel sealed."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


@dataclass
class FingerprintChunk:
    inputs: list[StoredDocument]
    sketch: bool
    params: CandidateParams


@task(name="fingerprint-chunk", cache_policy=NO_CACHE)
def fingerprint_chunk(chunk: Sealed[FingerprintChunk]) -> stages.Fingerprints:
    work = chunk.value
    # One process per Dask task: the cluster provides the parallelism.
    return stages.fingerprint(work.inputs, work.sketch, work.params, workers=1)


@dataclass
class AlignChunk:
    pairs: list[tuple[str, str]]
    texts: dict[str, str]  # of the pairs' documents only, not the whole corpus
    tokens: dict[str, Tokens]


@task(name="align-chunk", cache_policy=NO_CACHE)
def align_chunk(chunk: Sealed[AlignChunk]) -> list[Alignment]:
    # One process per Dask task: the cluster provides the parallelism.
    work = chunk.value
    return stages.align_pairs(work.pairs, work.texts, work.tokens, workers=1)


class ClusterStages:
    """The fingerprint and align stages as chunk tasks submitted to a (Dask) task runner; the
    other stages run as the usual Prefect tasks in the flow's process."""

    def __init__(self, runner: TaskRunner) -> None:
        self.runner = runner
        self.replacements: dict[Callable[..., Any], Callable[..., Any]] = {
            stages.fingerprint: self.fingerprint,
            stages.align_pairs: self.align,
        }

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return self.replacements.get(function) or STAGE_TASKS[function]

    def fingerprint(
        self,
        inputs: list[StoredDocument],
        sketch: bool = True,
        params: CandidateParams = DEFAULT_PARAMS,
    ) -> stages.Fingerprints:
        """What :func:`flows.stages.fingerprint` returns, a chunk of documents per task."""
        futures = [
            self.runner.submit(
                fingerprint_chunk, {"chunk": Sealed(FingerprintChunk(chunk, sketch, params))}
            )
            for chunk in _chunks(inputs, DASK_FINGERPRINT_CHUNK)
        ]
        found = stages.Fingerprints()
        for future in futures:
            part = future.result()
            found.tokens.update(part.tokens)
            found.sketches.update(part.sketches)
        return found

    def align(
        self,
        pairs: list[tuple[str, str]],
        texts: dict[str, str],
        tokens: dict[str, Tokens],
        progress: stages.Progress | None = None,
    ) -> list[Alignment]:
        """The same alignments in the same order as :func:`flows.stages.align_pairs`."""
        futures = []
        for chunk in _chunks(pairs, DASK_ALIGN_CHUNK):
            uris = {uri for pair in chunk for uri in pair}
            work = AlignChunk(
                chunk, {uri: texts[uri] for uri in uris}, {uri: tokens[uri] for uri in uris}
            )
            futures.append(self.runner.submit(align_chunk, {"chunk": Sealed(work)}))
        alignments: list[Alignment] = []
        done = 0
        # In submission order, whatever order the chunks finish in.
        for future, chunk in zip(futures, _chunks(pairs, DASK_ALIGN_CHUNK), strict=True):
            alignments.extend(future.result())
            done += len(chunk)
            if progress is not None:
                progress("align", done, len(pairs))
        return alignments


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dask_runner(dask: str | None) -> TaskRunner | None:
    """A ``DaskTaskRunner`` for ``dask`` (a scheduler address or ``local``; empty means
    ``$WIRETRACE_DASK``), or None to run every stage in the flow's own process."""
    target = (dask or os.environ.get(DASK_ENV) or "").strip()
    if not target:
        return None
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as error:
        raise ValueError(  # a setting the user can fix: one line from the CLI
            f"dask={target!r} needs prefect-dask: pip install 'wiretrace[dask]'"
        ) from error
    if target == "local":
        return DaskTaskRunner()  # a LocalCluster of this machine, closed with the run
    return DaskTaskRunner(address=target)


@contextmanager
def stage_wrapper(dask: str | None) -> Iterator[Callable[..., Any]]:
    """How :func:`run_pipeline` should wrap its stages: Prefect tasks in this process, with
    fingerprinting and alignment on a Dask cluster when ``dask`` (or ``$WIRETRACE_DASK``)
    names one. The cluster connection lasts as long as the block."""
    runner = dask_runner(dask)
    if runner is None:
        yield STAGE_TASKS.__getitem__
        return
    with runner:
        yield ClusterStages(runner).wrap


def database_identity(db: str | None) -> str:
    """What names the database ``db`` (or ``$WIRETRACE_DB``, else the default) wherever it is
    spelled: a SQLite file by its absolute path, a server database without its password (its
    query kept: a PostgreSQL ``search_path`` option names another schema)."""
    from sqlalchemy.engine import make_url

    url = make_url(db or os.environ.get("WIRETRACE_DB") or DEFAULT_URL)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return f"sqlite:///{os.path.realpath(url.database)}"
    return url.render_as_string(hide_password=True)


def database_lock_name(db: str | None) -> str:
    """The name of the global concurrency limit of the database ``db`` (see
    :func:`database_identity`): ``wiretrace-db-`` and 16 hex digits of its hash."""
    digest = hashlib.sha256(database_identity(db).encode("utf-8")).hexdigest()
    return LOCK_PREFIX + digest[:16]


def ensure_database_limit(name: str) -> None:
    """Create the one-slot global concurrency limit ``name`` unless it exists (Prefect never
    creates a limit on first use, and runs without a limit would not wait for each other)."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            # Another run may create it in between: then it exists, as wanted.
            with suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )


@contextmanager
def database_lock(db: str | None) -> Iterator[str]:
    """Hold the database's one slot for the block (waiting for it while another run holds
    it); yields the limit's name. SQLite allows one writer, and a report read half-way
    through an ingest would mix two states of the lineage."""
    name = database_lock_name(db)
    ensure_database_limit(name)
    get_run_logger().info(
        "waiting for the database lock %s of %s", name, mask_url(database_identity(db))
    )
    # A lease renewal that fails once (the API busy) must not end a night's run.
    with concurrency(
        name,
        occupy=1,
        lease_duration=LOCK_LEASE_SECONDS,
        strict=True,
        raise_on_lease_renewal_failure=False,
    ):
        yield name


@flow(
    name="provenance-pipeline",
    retries=FLOW_RETRIES,
    retry_delay_seconds=RETRY_DELAY_SECONDS,
    timeout_seconds=INGEST_TIMEOUT_SECONDS,
)
def provenance_pipeline(
    paths: list[str],
    db: str | None = None,
    dask: str | None = None,
    report: str | None = None,
    report_url: str | None = None,
) -> dict[str, Any]:
    """Ingest ``paths`` (files or folders) into the lineage database ``db``; then, with
    ``report`` (a folder), write the provenance report there.

    ``db`` is any SQLAlchemy URL; empty means ``$WIRETRACE_DB``, else ``sqlite:///wiretrace.db``.
    ``dask`` is a Dask scheduler address (``tcp://host:8786``) or ``local`` to fingerprint and
    align on a Dask cluster; empty means ``$WIRETRACE_DASK``, else everything runs here.
    Documents already stored unchanged are not processed again. ``report_url``: see
    :func:`provenance_report`.

    The report is a subflow, run once the ingest has released the database: it reads what this
    run stored (same database, same worker), shows under this run in the UI, and a report that
    fails is logged as a warning without failing (and retrying) the ingest.
    """
    _warn_if_secret(db)
    with database_lock(db):
        summary = _run_staged(paths, db, dask)
        publish_summary(db, summary)
    get_run_logger().info(
        "%d new documents, %d clusters, %d skipped in %.1f s",
        summary.documents_new,
        summary.clusters,
        len(summary.skipped),
        summary.seconds,
    )
    if report:
        state = provenance_report(report, db, report_url, return_state=True)
        if state.is_failed():
            get_run_logger().warning("the report after this ingest failed: %s", state.message)
    return {"run_id": summary.run_id, **summary.counts()}


@flow(name="provenance-run-on-dask")
def run_on_dask(paths: list[str], dask: str) -> RunSummary:
    """``wiretrace run --dask``: :func:`run_pipeline` with fingerprinting and alignment on the
    Dask cluster ``dask`` (a scheduler address or ``local``), into the database of
    ``$WIRETRACE_DB`` (not a parameter: Prefect stores parameters in plain text). A flow,
    because Prefect's task runners work inside a flow run; notes go to the flow's log."""
    return _run_staged(paths, None, dask)


def _warn_if_secret(db: str | None) -> None:
    """Say so (masked) when a ``db`` parameter holds a password: Prefect has stored it."""
    if db and mask_url(db) != db:
        get_run_logger().warning(
            "the db parameter %s holds a password, and Prefect keeps flow-run parameters in "
            "plain text: set $WIRETRACE_DB on the worker instead",
            mask_url(db),
        )


def _run_staged(paths: list[str], db: str | None, dask: str | None) -> RunSummary:
    """:func:`run_pipeline` with its stages as Prefect tasks (on Dask with ``dask``), notes
    to the log of the flow run it is called in."""
    logger = get_run_logger()
    with stage_wrapper(dask) as wrap:
        return run_pipeline(paths, db, wrap=wrap, notify=logger.warning)


def publish_summary(db: str | None, summary: RunSummary) -> None:
    """A Markdown summary and a table of the biggest clusters, readable in the Prefect UI."""
    data = ReportData.from_store(Store(db))
    create_markdown_artifact(key="wiretrace-summary", markdown=summary_markdown(data))
    create_table_artifact(key="wiretrace-clusters", table=summary_table(data))


@flow(
    name="provenance-report",
    retries=FLOW_RETRIES,
    retry_delay_seconds=RETRY_DELAY_SECONDS,
    timeout_seconds=REPORT_TIMEOUT_SECONDS,
)
def provenance_report(
    out: str = "wiretrace-report", db: str | None = None, url: str | None = None
) -> list[str]:
    """Write the HTML/Markdown/JSON/CSV provenance report of the database ``db`` to ``out``
    and publish a link to its first page as the ``wiretrace-report`` artifact.

    ``url``: where ``out`` is served (``https://intranet.example/wiretrace/``), for a link that
    opens from any browser; empty means the ``file://`` address of ``out/index.html`` on the
    worker's machine.
    """
    _warn_if_secret(db)
    with database_lock(db):
        written = write_report(Store(db), Path(out))
    get_run_logger().info("wrote %d files to %s", len(written), out)
    create_link_artifact(
        key=REPORT_ARTIFACT_KEY,
        link=report_link(out, url),
        link_text="Provenance report",
        description=f"The provenance report written to `{out}` ({len(written)} files).",
    )
    return [str(path) for path in written]


def report_link(out: str, url: str | None = None) -> str:
    """The address of the report's first page: under ``url`` when the folder is served there,
    else its ``file://`` address on this machine.

    >>> report_link("reports", "https://intranet.example/wiretrace")
    'https://intranet.example/wiretrace/index.html'
    """
    if url:
        return url.rstrip("/") + "/index.html"
    return (Path(out).resolve() / "index.html").as_uri()
