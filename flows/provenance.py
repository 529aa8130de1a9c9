"""Prefect flows: the provenance pipeline and the report, ready for scheduled deployments.

Every stage of :func:`flows.pipeline.run_pipeline` runs as a Prefect task, so a run shows its
stages in the Prefect UI; each run publishes a Markdown summary and a table as artifacts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.pipeline import STAGE_FUNCTIONS, RunSummary, run_pipeline
from reports import ReportData, summary_markdown, summary_table, write_report
from storage.store import Store

# Inputs are large in-memory objects (texts, token arrays): hashing them for a cache key would
# cost more than the stage, and results are stored in the database anyway.
STAGE_TASKS = {
    function: task(function, name=name, cache_policy=NO_CACHE)
    for name, function in STAGE_FUNCTIONS.items()
}


@flow(name="provenance-pipeline")
def provenance_pipeline(paths: list[str], db: str | None = None) -> dict[str, Any]:
    """Ingest ``paths`` (files or folders) into the lineage database ``db``.

    ``db`` is any SQLAlchemy URL; empty means ``$WIRETRACE_DB``, else ``sqlite:///wiretrace.db``.
    Documents already stored unchanged are not processed again.
    """
    logger = get_run_logger()
    summary = run_pipeline(paths, db, wrap=STAGE_TASKS.__getitem__, notify=logger.warning)
    publish_summary(db, summary)
    logger.info(
        "%d new documents, %d clusters, %d skipped in %.1f s",
        summary.documents_new,
        summary.clusters,
        len(summary.skipped),
        summary.seconds,
    )
    return {"run_id": summary.run_id, **summary.counts()}


def publish_summary(db: str | None, summary: RunSummary) -> None:
    """A Markdown summary and a table of the biggest clusters, readable in the Prefect UI."""
    data = ReportData.from_store(Store(db))
    create_markdown_artifact(key="wiretrace-summary", markdown=summary_markdown(data))
    create_table_artifact(key="wiretrace-clusters", table=summary_table(data))


@flow(name="provenance-report")
def provenance_report(out: str = "wiretrace-report", db: str | None = None) -> list[str]:
    """Write the HTML/Markdown/JSON/CSV provenance report of the database ``db`` to ``out``."""
    written = write_report(Store(db), Path(out))
    get_run_logger().info("wrote %d files to %s", len(written), out)
    return [str(path) for path in written]
