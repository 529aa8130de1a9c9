"""The ``wiretrace`` command line: the contract's commands, each a thin call into the library.

Errors a user can cause (a bad path, an unreachable database, an unknown document, a run whose
inputs were all missing or unreadable) end in one line on stderr and exit code 1, never a
traceback; Ctrl-C and SIGTERM in one line and exit code 130 or 143. User text is printed as
text (never Rich markup) with its control characters escaped.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from flows.pipeline import RunSummary

app = typer.Typer(
    help="wiretrace: which passages of an article came from a wire service or another outlet, "
    "who had them first, and how they changed on the way.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Nothing printed is read as markup, emoji codes or highlighted: what wiretrace prints holds
# user text (file names, ids, passages), styled only through rich.text.Text (see `shown`).
out = Console(markup=False, emoji=False, highlight=False)
err = Console(stderr=True, markup=False, emoji=False, highlight=False)
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


DB_ENV = "WIRETRACE_DB"


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit code 1."""


def shown(text: object, style: str = "") -> Text:
    """User text (a file name, an id, a passage, a URL) as one line for the terminal: never
    read as Rich markup (``[/]``, ``[draft]``), control characters shown escaped."""
    from reports.terminal import printable

    return Text(printable(str(text)), style=style)


def fail(message: str) -> None:
    err.print(Text("error:", style="bold red") + " " + shown(message), soft_wrap=True)
    raise typer.Exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises ``KeyboardInterrupt``: the same orderly stop."""


def _raise_terminated(_signal: int, _frame: object) -> None:
    raise Terminated


def _check_sources() -> None:
    """A bad ``$WIRETRACE_SOURCES`` table (read when ``dedup`` is first imported) is one line."""
    from dedup.sources import SourcesError, all_sources

    try:
        all_sources()
    except SourcesError as error:
        fail(str(error))


def interruptible(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` stopped by Ctrl-C or SIGTERM ends in one line and exit code 128 + signal,
    not a traceback (a run's record then says ``interrupted``; what it stored is kept)."""

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> None:
        _check_sources()
        if threading.current_thread() is not threading.main_thread():
            command(*args, **kwargs)  # called from a thread (a test's): signals are not ours
            return
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            command(*args, **kwargs)
        except KeyboardInterrupt as stop:
            number = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
            what = "SIGTERM" if number == signal.SIGTERM else "Ctrl-C"
            err.print(
                Text("error:", style="bold red") + f" interrupted ({what}); what was already "
                "stored is kept",
                soft_wrap=True,
            )
            raise typer.Exit(128 + number) from None
        finally:
            signal.signal(signal.SIGTERM, previous)

    return guarded


def _guarded(action):
    """Run ``action``, turning the errors a user can cause into one line and exit code 1."""
    from storage.store import StorageError

    try:
        return action()
    except UserError as error:
        fail(str(error))  # ours, whole: a line break in a file name is shown escaped
    except (StorageError, ValueError, OSError) as error:
        fail(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)


@contextmanager
def _database_in_environment(db: str | None) -> Iterator[None]:
    """``$WIRETRACE_DB`` set to ``db`` (when given) for the block, then restored."""
    if db is None:
        yield
        return
    before = os.environ.get(DB_ENV)
    os.environ[DB_ENV] = db
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DB_ENV, None)
        else:
            os.environ[DB_ENV] = before


@app.command()
@interruptible
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

        # Prefect stores a flow run's parameters in plain text (its UI, prefect.db): the
        # database URL, password and all, reaches the flow through the environment instead.
        with _database_in_environment(db):
            summary = _guarded(lambda: run_on_dask(paths, dask))
        _print_summary(summary, db, quiet)
        return

    def notify(message: str) -> None:
        err.print(shown(message), soft_wrap=True)

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
    table.add_row("database", shown(summary.database))
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
    out.print(Text("most shared passages", style="bold"))
    ranked = sorted(clusters, key=lambda row: (-row.n_documents, -len(row.text), row.cluster_id))
    for row in ranked[:limit]:
        origin = row.origin_source or row.origin_uri or "origin unknown"
        out.print(
            Text.assemble(
                f"  cluster {row.cluster_id}: {row.n_documents} documents, "
                f"{row.origin_kind} origin ",
                shown(origin, "bold"),
                f" (confidence {row.confidence:.2f})",
            ),
        )
        passage = " ".join(row.text.split())
        out.print(Text("    ") + shown(passage if len(passage) <= 150 else passage[:147] + "..."))


@app.command()
@interruptible
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
    out.print(
        Text.assemble(
            f"wrote {len(written)} files to ",
            shown(f"{out_dir}/"),
            " (open ",
            shown(out_dir / "index.html"),
            ")",
        )
    )


@app.command()
@interruptible
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

    out.print(Text(_guarded(render)))


@app.command()
@interruptible
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
        text = document.clean_text.rstrip("\n") + "\n"
        # Piped, the text as it is; on a terminal, never its escape sequences.
        sys.stdout.write(_terminal_text(text) if sys.stdout.isatty() else text)
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
    sys.stdout.write(_json(payload))


def _json(payload: object) -> str:
    """JSON for stdout: UTF-8 as it is, but no character a terminal would act on raw."""
    from reports.terminal import json_for_terminal

    return json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n"


def _terminal_text(text: str) -> str:
    from reports.terminal import printable_text

    return printable_text(text)


@app.command()
@interruptible
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
        sys.stdout.write(_json(payload))
        return
    if not alignments:
        out.print("no shared passages")
        return
    for number, alignment in enumerate(alignments, start=1):
        out.print(
            Text.assemble(
                (f"{number}.", "bold"),
                " ",
                shown(file_a),
                f" [{alignment.a_start}:{alignment.a_end}]  ",
                shown(file_b),
                f" [{alignment.b_start}:{alignment.b_end}]  similarity {alignment.similarity:.2f}",
            )
        )
        for side, text, start, end in (
            ("A", text_a, alignment.a_start, alignment.a_end),
            ("B", text_b, alignment.b_start, alignment.b_end),
        ):
            out.print(Text(f"   {side}: ") + shown(" ".join(text[start:end].split())))


@app.command()
@interruptible
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
    text = _json(document)
    if output is None:
        sys.stdout.write(text)
    else:
        _guarded(lambda: output.write_text(text, encoding="utf-8"))
        out.print(Text("wrote ") + shown(output))


@app.command()
@interruptible
def serve(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8001,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
) -> None:
    """Browse, search and query the lineage in Datasette (SQLite; needs the serve extra)."""
    from flows.serve import prepare, run_server
    from storage.store import DEFAULT_URL

    url = db or os.environ.get(DB_ENV) or DEFAULT_URL
    served = _guarded(lambda: prepare(url, host, port))

    def announce(address: str) -> None:
        out.print(Text.assemble("serving ", shown(served.path), " at ", shown(address, "bold"),
                                " (Ctrl-C to stop)"))

    run_server(served, announce)


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
