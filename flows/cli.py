"""The ``wiretrace`` command line: the contract's commands, each a thin call into the library.

Errors a user can cause (a bad path, an unreachable database, an unknown document) end in one
line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from flows.pipeline import RunSummary

app = typer.Typer(
    help="wiretrace: which passages of an article came from a wire service or another outlet, "
    "who had them first, and how they changed on the way.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
# psycopg logs a warning of its own ("error ignored terminating <psycopg.Pipeline>") when a lost
# connection ends a batch insert; with no logging configured Python prints it to stderr beside
# our one-line error. A handler here keeps it out of the terminal; a user who configures
# logging still sees it.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy database URL [default: $WIRETRACE_DB, else sqlite:///wiretrace.db]",
        show_default=False,
    ),
]


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit code 1."""


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _guarded(action):
    """Run ``action``, turning the errors a user can cause into one line and exit code 1."""
    from storage.store import StorageError

    try:
        return action()
    except (UserError, StorageError, ValueError, OSError) as error:
        fail(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files and folders to ingest.")],
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Fingerprint and align on a Dask cluster: a scheduler address "
            "(tcp://host:8786) or 'local'. Runs as a Prefect flow; needs the dask extra.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Ingest files and folders, find reused passages, infer origins, store everything."""
    from flows.pipeline import run_pipeline

    if dask:
        from flows.provenance import run_on_dask

        summary = _guarded(lambda: run_on_dask(paths, db, dask))
        _print_summary(summary, db, quiet)
        return

    def notify(message: str) -> None:
        err.print(message, highlight=False, soft_wrap=True, markup=False)

    with Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        summary = _guarded(lambda: run_pipeline(paths, db, notify=notify, progress=progress))
    _print_summary(summary, db, quiet)


def _print_summary(summary: RunSummary, db: str | None, quiet: bool) -> None:
    table = Table(title="wiretrace run", show_header=False, title_justify="left")
    table.add_row("database", summary.database)
    table.add_row("documents", f"{summary.documents_new} new, {summary.documents_total} stored")
    table.add_row("skipped", str(len(summary.skipped)))
    if summary.over_budget:  # documents stopped by the time budget per document and stage
        stages = Counter(overrun.stage for overrun in summary.over_budget)
        by_stage = ", ".join(f"{stage} {count}" for stage, count in sorted(stages.items()))
        table.add_row("over time budget", f"{len(summary.over_budget)} ({by_stage})")
    table.add_row(
        "alignments", f"{summary.alignments_new} new ({summary.candidate_pairs} candidate pairs)"
    )
    table.add_row("clusters", str(summary.clusters))
    origins = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.origins.items()))
    table.add_row("origins", origins or "none")
    table.add_row("quotes", str(summary.quotes))
    table.add_row("time", f"{summary.seconds:.1f} s")
    out.print(table)
    if not quiet:
        _print_clusters(db)


def _print_clusters(db: str | None, limit: int = 10) -> None:
    from storage.store import Store

    clusters = Store(db).clusters()
    if not clusters:
        return
    out.print("[bold]most shared passages[/]")
    ranked = sorted(clusters, key=lambda row: (-row.n_documents, -len(row.text), row.cluster_id))
    for row in ranked[:limit]:
        origin = row.origin_source or row.origin_uri or "origin unknown"
        out.print(
            f"  cluster {row.cluster_id}: {row.n_documents} documents, {row.origin_kind} origin "
            f"[bold]{escape(origin)}[/] (confidence {row.confidence:.2f})",
            highlight=False,
        )
        passage = " ".join(row.text.split())
        out.print(
            "    " + (passage if len(passage) <= 150 else passage[:147] + "..."),
            markup=False,
            highlight=False,
        )


@app.command()
def report(
    db: DbOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write.")] = Path(
        "wiretrace-report"
    ),
) -> None:
    """Write the provenance report: HTML pages, report.md, lineage.json, lineage.csv."""
    from reports import write_report
    from storage.store import Store

    written = _guarded(lambda: write_report(Store(db), out_dir))
    out.print(f"wrote {len(written)} files to {out_dir}/ (open {out_dir / 'index.html'})")


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="Document uri, id, or unique file name.")],
    db: DbOption = None,
) -> None:
    """Print one document's lineage in the terminal."""
    from reports import ReportData, document_lineage_text
    from storage.store import Store

    def render() -> str:
        store = Store(db)
        row = store.document(doc)
        if row is None:
            raise UserError(f"no document {doc!r} in {store.display_url}")
        return document_lineage_text(ReportData.from_store(store), row.uri)

    out.print(_guarded(render), highlight=False, markup=False)


@app.command()
def clean(
    file: Annotated[Path, typer.Argument(help="A .txt or .html file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Text, boilerplate spans, metadata.")
    ] = False,
) -> None:
    """Print a file's cleaned text (with --json: text, boilerplate spans, metadata)."""
    from flows import stages

    def cleaned():
        raw = _read_one(file)
        try:
            return stages.clean(raw)
        except ValueError as error:
            raise UserError(f"{file}: {error}") from error

    document = _guarded(cleaned)
    if not as_json:
        sys.stdout.write(document.clean_text.rstrip("\n") + "\n")
        return
    metadata = asdict(document.metadata)
    if document.metadata.published_at is not None:
        metadata["published_at"] = document.metadata.published_at.isoformat()
    payload = {
        "uri": str(file),
        "text": document.text,
        "clean_text": document.clean_text,
        "boilerplate": [
            {**asdict(span), "text": document.text[span.start_char : span.end_char]}
            for span in document.boilerplate
        ],
        "metadata": metadata,
    }
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@app.command()
def align(
    file_a: Annotated[Path, typer.Argument(help="First file.")],
    file_b: Annotated[Path, typer.Argument(help="Second file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Print the passages two files share, with offsets in both."""
    from dedup.align import align_documents
    from dedup.records import content_ranges
    from dedup.tokens import tokenize
    from flows import stages

    def aligned():
        sides = []
        for path in (file_a, file_b):
            try:
                document = stages.clean(_read_one(path))
            except ValueError as error:
                raise UserError(f"{path}: {error}") from error
            ranges = content_ranges(len(document.text), document.boilerplate)
            sides.append((str(path), document.text, tokenize(document.text, ranges)))
        (key_a, text_a, tokens_a), (key_b, text_b, tokens_b) = sides
        return text_a, text_b, align_documents(key_a, text_a, tokens_a, key_b, text_b, tokens_b)

    text_a, text_b, alignments = _guarded(aligned)
    if as_json:
        payload = [
            {
                **asdict(alignment),
                "text_a": text_a[alignment.a_start : alignment.a_end],
                "text_b": text_b[alignment.b_start : alignment.b_end],
            }
            for alignment in alignments
        ]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    if not alignments:
        out.print("no shared passages")
        return
    for number, alignment in enumerate(alignments, start=1):
        out.print(
            f"[bold]{number}.[/] {file_a} [{alignment.a_start}:{alignment.a_end}]  "
            f"{file_b} [{alignment.b_start}:{alignment.b_end}]  similarity {alignment.similarity:.2f}",
            highlight=False,
        )
        out.print(
            "   A: " + " ".join(text_a[alignment.a_start : alignment.a_end].split()), markup=False
        )
        out.print(
            "   B: " + " ".join(text_b[alignment.b_start : alignment.b_end].split()), markup=False
        )


@app.command()
def export(
    format: Annotated[
        str, typer.Option("--format", help="Export format: prov-json.")
    ] = "prov-json",
    db: DbOption = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write [default: stdout].")
    ] = None,
) -> None:
    """Export the lineage graph (W3C PROV-JSON)."""
    from reports import export_prov_json
    from storage.store import Store

    if format != "prov-json":
        fail(f"unknown export format {format!r} (supported: prov-json)")
    document = _guarded(lambda: export_prov_json(Store(db)))
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        _guarded(lambda: output.write_text(text, encoding="utf-8"))
        out.print(f"wrote {output}")


def _read_one(path: Path):
    from flows.ingest import RawDocument, read_inputs

    items = list(read_inputs([str(path)]))
    documents = [item for item in items if isinstance(item, RawDocument)]
    if not documents:
        reason = items[0].reason if items else "no readable document"
        raise UserError(f"{path}: {reason}")
    return documents[0]


if __name__ == "__main__":  # pragma: no cover
    app()
