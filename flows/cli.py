"""The ``wiretrace`` command line: the contract's commands, each a thin call into the library.

Errors a user can cause (a bad path, an unreachable database, an unknown document, a run whose
inputs were all missing or unreadable) end in one line on stderr and exit code 1, never a
traceback; Ctrl-C and SIGTERM in one line and exit code 130 or 143. User text is printed as
text (never Rich markup) with its control characters escaped.
"""

from __future__ import annotations

import contextlib
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from flows.pipeline import RunSummary

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help is plain text: in Rich markup mode, "[default: $WIRETRACE_DB, ...]" and
    # "[default: stdout]" in an option's help were read as markup tags and vanished.
    rich_markup_mode=None,
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

DB_ENV = "WIRETRACE_DB"
# SQLAlchemy's name for PostgreSQL through psycopg 3, the driver wiretrace installs.
POSTGRES_SCHEME = "postgresql+psycopg://"


def normalised_database_url(url: str) -> str:
    """``url`` as SQLAlchemy can open it: ``postgres://`` (Heroku's and many hosts' spelling,
    which SQLAlchemy rejects with "Can't load plugin") and ``postgresql://`` without the
    psycopg2 driver it implies are given the installed psycopg 3 driver.

    >>> normalised_database_url("postgres://me@db/news")
    'postgresql+psycopg://me@db/news'
    >>> normalised_database_url("sqlite:///wiretrace.db")
    'sqlite:///wiretrace.db'
    """
    import importlib.util

    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    if scheme == "postgres" or (
        scheme == "postgresql" and importlib.util.find_spec("psycopg2") is None
    ):
        return POSTGRES_SCHEME + rest
    return url


def _database_option(value: str | None) -> str | None:
    """``--db`` (else ``$WIRETRACE_DB``) normalised (:func:`normalised_database_url`), with a
    note saying so: the URL as given would fail with an error that names no fix."""
    given = value if value is not None else os.environ.get(DB_ENV)
    if not given:
        return value
    fixed = normalised_database_url(given)
    if fixed == given:
        return value
    where = "--db" if value is not None else f"${DB_ENV}"
    scheme = given.partition("://")[0]
    err.print(
        f"note: {where}: read {scheme}:// as {POSTGRES_SCHEME} (write it so to silence this note)",
        soft_wrap=True,
    )
    return fixed


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy database URL [default: $WIRETRACE_DB, else sqlite:///wiretrace.db]; "
        "postgres:// is read as postgresql+psycopg://",
        show_default=False,
        callback=_database_option,
    ),
]


def _print_version(wanted: bool) -> None:
    """``--version``: the installed package's version, from its metadata."""
    if not wanted:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("wiretrace")
    except PackageNotFoundError:  # run from a checkout that was never installed
        installed = "unknown (not installed)"
    out.print(f"wiretrace {installed}")
    raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """wiretrace: which passages of an article came from a wire service or another outlet, who
    had them first, and how they changed on the way."""


FieldOption = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        help="Read a JSONL field from another key: NAME=FIELD, FIELD a key or a dotted path "
        "into nested objects (outlet=source.domain); NAME one of "
        "id, text, html, title, outlet, author, published_at, url. Repeatable.",
        show_default=False,
    ),
]


def _jsonl_fields(options: list[str] | None) -> Any:
    """``--field`` options as a ``flows.ingest.JsonlFields``; a bad one is one line, exit 1."""
    from flows.ingest import JsonlFields

    try:
        return JsonlFields.parse(options or [])
    except ValueError as error:
        fail(str(error))


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
    fields: FieldOption = None,
) -> None:
    """Ingest files and folders, find reused passages, infer origins, store everything."""
    from flows.pipeline import run_pipeline

    jsonl = _jsonl_fields(fields)
    if dask and fields:
        fail("--field is not available with --dask (the flow reads JSONL by the usual keys)")
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

    with StageProgress(disabled=quiet or not err.is_terminal) as progress:
        summary = _guarded(
            lambda: run_pipeline(paths, db, notify=notify, progress=progress, jsonl=jsonl)
        )
    _print_summary(summary, db, quiet)


class _Count(ProgressColumn):
    """``done/total`` for a stage that counts its work; nothing for one that cannot."""

    def render(self, task: Task) -> Text:
        if not task.total or task.fields.get("unknown"):
            return Text("")
        return Text(f"{int(task.completed)}/{int(task.total)}")


class StageProgress:
    """The progress of ``wiretrace run`` on stderr, one line per stage: a bar where the stage
    knows its amount of work (clean, fingerprint, align), a spinner with its name otherwise.
    A stage that starts ends those before it. Transient (gone once the run ends), and off when
    ``disabled``: ``--quiet``, or stderr not a terminal (a log file gets no redraws)."""

    def __init__(self, disabled: bool) -> None:
        self.display = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description:>11}"),
            BarColumn(),
            _Count(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=disabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> StageProgress:
        self.display.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.display.__exit__(*exc_info)

    def __call__(self, stage: str, done: int, total: int) -> None:
        """``flows.pipeline``'s progress callback: a total of 0 is not known."""
        if stage not in self.tasks:
            for task in self.tasks.values():
                self._finish(task)
            self.tasks[stage] = self.display.add_task(stage, total=total or None, unknown=not total)
        if total:
            self.display.update(self.tasks[stage], completed=done, total=total, unknown=False)

    def _finish(self, task: TaskID) -> None:
        if self.display.tasks[task].total is None:
            self.display.update(task, total=1, completed=1)
        else:
            self.display.update(task, completed=self.display.tasks[task].total)


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
    doc: Annotated[
        str,
        typer.Argument(help="Document uri, id, unique file name, or the file it was read from."),
    ],
    db: DbOption = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Machine-readable: the document, its occurrences, their clusters, the copies "
            "elsewhere and its quotes, with the keys of lineage.json.",
        ),
    ] = False,
) -> None:
    """Print one document's lineage in the terminal."""
    from reports import ReportData, document_lineage_text
    from storage.store import Store

    def render() -> str:
        store = Store(db)
        uri = _stored_uri(store, doc)
        data = ReportData.from_store(store)
        if as_json:
            return _json(document_lineage_json(data, uri))
        return document_lineage_text(data, uri)

    rendered = _guarded(render)
    if as_json:
        sys.stdout.write(rendered)
    else:
        out.print(Text(rendered))


def _stored_uri(store: Any, ref: str) -> str:
    """The uri of the stored document ``ref`` names: the document read from the file ``ref``
    when it is a file, else ``Store.document``'s reading (uri, id, unique file name)."""
    path = Path(ref)
    if path.is_file():
        uri = _uri_of_file(store, path)
        if uri is not None:
            return uri
    row = store.document(ref)
    if row is not None:
        return row.uri
    if path.is_file():
        raise UserError(f"{ref}: a file no run stored in {store.display_url} (run it first)")
    raise UserError(f"no document {ref!r} in {store.display_url}")


def _uri_of_file(store: Any, path: Path) -> str | None:
    """The uri of the document stored from the file ``path`` (whatever the spelling it was
    read by), None if none was; a file of many records (JSONL, WARC) names none of them."""
    from flows.ingest import path_uri

    key = f"file:{path_uri(os.path.realpath(path))}"
    found = [uri for uri, (source_key, _) in store.document_sources().items() if source_key == key]
    return found[0] if len(found) == 1 else None


def document_lineage_json(data: Any, uri: str) -> dict[str, Any]:
    """One document's part of ``lineage.json`` (same keys and field descriptions): its
    metadata, its occurrences, the clusters they belong to, the other documents' copies of
    those passages (``copies``), and its quotes."""
    from reports.tabular import lineage_json

    full = lineage_json(data)
    occurrences = [row for row in full["occurrences"] if row["uri"] == uri]
    cluster_ids = {row["cluster_id"] for row in occurrences}
    return {
        "format": "wiretrace-document",
        "version": full["version"],
        "fields": full["fields"],
        "document": next(row for row in full["documents"] if row["uri"] == uri),
        "occurrences": occurrences,
        "clusters": [row for row in full["clusters"] if row["cluster_id"] in cluster_ids],
        "copies": [
            row
            for row in full["occurrences"]
            if row["cluster_id"] in cluster_ids and row["uri"] != uri
        ],
        "quotes": [row for row in full["quotes"] if row["uri"] == uri],
    }


@app.command()
@interruptible
def clean(
    file: Annotated[Path, typer.Argument(help="A .txt, .html, .jsonl or .warc file.")],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Text, boilerplate spans, metadata; one JSON line per record for a JSONL or "
            "WARC file.",
        ),
    ] = False,
    record_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="The record of a JSONL or WARC file to clean: its id or url (as 'wiretrace "
            "run' names it), or L<line> for a JSONL record without either [default: every "
            "record].",
            show_default=False,
        ),
    ] = None,
    fields: FieldOption = None,
) -> None:
    """Print a file's cleaned text (with --json: text, boilerplate spans, metadata)."""
    from flows.ingest import JSONL_SUFFIXES, WARC_SUFFIXES, suffix_of

    jsonl = _jsonl_fields(fields)
    holds_records = suffix_of(file) in JSONL_SUFFIXES + WARC_SUFFIXES
    if record_id is not None and not holds_records:
        fail(f"{file}: --id picks a record of a JSONL or WARC file; this file is one document")
    if not holds_records or record_id is not None:
        raw = _guarded(lambda: _read_one(file, jsonl, record_id))
        document = _guarded(lambda: _cleaned(raw, str(file) if record_id is None else raw.uri))
        if as_json:
            sys.stdout.write(
                _json(_clean_payload(str(file) if not holds_records else raw.uri, document))
            )
        else:
            _write_text(document.clean_text.rstrip("\n") + "\n")
        return
    _clean_records(file, jsonl, as_json)


def _clean_records(file: Path, jsonl: Any, as_json: bool) -> None:
    """Every record of a JSONL or WARC file, cleaned: JSON lines, or texts under a header
    line each (``==> uri <==``, as ``head`` heads files); a record that cannot be read or
    cleaned is one ``skipped`` line on stderr."""
    from flows.ingest import RawDocument, Skipped

    items = _guarded(lambda: _read_all(file, jsonl))
    printed = 0
    for item in items:
        if isinstance(item, Skipped):
            err.print(shown(item.message()), soft_wrap=True)
            continue
        assert isinstance(item, RawDocument)
        try:
            document = _cleaned(item, item.uri)
        except UserError as error:
            err.print(shown(f"skipped {error}"), soft_wrap=True)
            continue
        if as_json:
            line = json.dumps(_clean_payload(item.uri, document), ensure_ascii=False)
            sys.stdout.write(_terminal_json(line) + "\n")
        else:
            heading = f"{'' if printed == 0 else chr(10)}==> {item.uri} <==\n"
            _write_text(heading + document.clean_text.rstrip("\n") + "\n")
        printed += 1
    if not printed:
        fail(f"{file}: no record could be read and cleaned")


def _cleaned(raw: Any, label: str) -> Any:
    from flows import stages

    try:
        return stages.clean(raw)
    except ValueError as error:
        raise UserError(f"{label}: {error}") from error


def _clean_payload(uri: str, document: Any) -> dict[str, Any]:
    """What ``clean --json`` prints for one document."""
    metadata = asdict(document.metadata)
    if document.metadata.published_at is not None:
        metadata["published_at"] = document.metadata.published_at.isoformat()
    return {
        "uri": uri,
        "text": document.text,
        "clean_text": document.clean_text,
        "boilerplate": [
            {**asdict(span), "text": document.text[span.start_char : span.end_char]}
            for span in document.boilerplate
        ],
        "metadata": metadata,
    }


def _write_text(text: str) -> None:
    """Piped, the text as it is; on a terminal, never its escape sequences."""
    sys.stdout.write(_terminal_text(text) if sys.stdout.isatty() else text)


def _json(payload: object) -> str:
    """JSON for stdout: UTF-8 as it is, but no character a terminal would act on raw."""
    from reports.terminal import json_for_terminal

    return json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n"


def _terminal_text(text: str) -> str:
    from reports.terminal import printable_text

    return printable_text(text)


@dataclass
class AlignSide:
    """One side of ``wiretrace align``: a file read and cleaned now, or a stored document."""

    label: str  # the path as given, or the stored uri
    text: str
    boilerplate: list[Any]


def _align_side(ref: str, db: str | None) -> AlignSide:
    """The file ``ref`` if it exists (a file wins), else the stored document ``ref`` names
    (uri or id) in ``db``."""
    from flows import stages
    from storage.store import Store

    path = Path(ref)
    if path.exists():
        try:
            document = stages.clean(_read_one(path))
        except ValueError as error:
            raise UserError(f"{ref}: {error}") from error
        return AlignSide(ref, document.text, document.boilerplate)
    store = Store(db)
    neither = f"{ref}: neither a file nor a document stored in {store.display_url}"
    if _missing_sqlite_file(store.url):
        raise UserError(neither)  # looking would create an empty database file
    row = store.document(ref)
    if row is None:
        raise UserError(neither)
    [stored] = store.detection_inputs([row.uri])
    return AlignSide(stored.uri, stored.text, stored.boilerplate)


def _missing_sqlite_file(url: str) -> bool:
    """Whether ``url`` names a SQLite file that does not exist (opening it would make one)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # an unparsable URL: opening it says why
        return False
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return False
    return not database.startswith("file:") and not Path(database).exists()


@app.command()
@interruptible
def align(
    doc_a: Annotated[str, typer.Argument(help="First file, or stored document (uri or id).")],
    doc_b: Annotated[str, typer.Argument(help="Second file, or stored document (uri or id).")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Print the passages two documents share (files or stored), with offsets in both.

    A path that exists is read as a file; anything else is looked up in the database."""
    from dedup.align import align_documents
    from dedup.records import detection_ranges
    from dedup.tokens import tokenize

    def aligned():
        sides = [_align_side(ref, db) for ref in (doc_a, doc_b)]
        tokens = [
            tokenize(side.text, detection_ranges(len(side.text), side.boilerplate))
            for side in sides
        ]
        a, b = sides
        return a, b, align_documents(a.label, a.text, tokens[0], b.label, b.text, tokens[1])

    side_a, side_b, alignments = _guarded(aligned)
    text_a, text_b = side_a.text, side_b.text
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
                shown(side_a.label),
                f" [{alignment.a_start}:{alignment.a_end}]  ",
                shown(side_b.label),
                f" [{alignment.b_start}:{alignment.b_end}]  similarity {alignment.similarity:.2f}",
            )
        )
        for side, text, start, end in (
            ("A", text_a, alignment.a_start, alignment.a_end),
            ("B", text_b, alignment.b_start, alignment.b_end),
        ):
            out.print(Text(f"   {side}: ") + shown(" ".join(text[start:end].split())))


EXPORT_FORMATS = {
    "prov-json": "W3C PROV-JSON of the lineage graph",
    "json": "the report's lineage.json: documents, clusters, occurrences, quotes",
    "csv": "the report's lineage.csv: one row per occurrence",
    "jsonl": "one occurrence per line, as JSON (the CSV's columns, typed)",
}


@app.command()
@interruptible
def export(
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="What to write: " + ", ".join(EXPORT_FORMATS) + ".",
            show_default=True,
        ),
    ] = "prov-json",
    db: DbOption = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write [default: stdout].")
    ] = None,
) -> None:
    """Export the lineage: PROV-JSON, or the report's JSON or CSV, or JSON lines."""
    from storage.store import Store

    if format not in EXPORT_FORMATS:
        fail(f"unknown export format {format!r} (supported: {', '.join(EXPORT_FORMATS)})")
    text = _guarded(lambda: exported_text(format, Store(db)))
    if output is None:
        if format == "csv" and sys.stdout.isatty():
            text = _terminal_text(text)  # piped: the CSV as it is; on a terminal, no escapes
        sys.stdout.write(text)
        return
    _guarded(lambda: write_atomically(output, text))
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


def exported_text(format: str, store: Any) -> str:
    """The export in ``format`` (a key of :data:`EXPORT_FORMATS`), rendered by ``reports``:
    json and csv are the report's ``lineage.json`` and ``lineage.csv``."""
    from datetime import UTC, datetime

    from reports import ReportData, export_prov_json
    from reports.tabular import dump_json, lineage_csv, lineage_json, occurrence_records

    data = ReportData.from_store(store)
    if format == "prov-json":
        return _json(export_prov_json(data))
    if format == "csv":
        return lineage_csv(data)
    if format == "json":
        # The report's own moment, to the second: the same file a report written now holds.
        generated_at = datetime.now(UTC).replace(microsecond=0)
        return _terminal_json(dump_json(lineage_json(data, generated_at)))
    return "".join(
        _terminal_json(json.dumps(record, ensure_ascii=False)) + "\n"
        for record in occurrence_records(data)
    )


def _terminal_json(text: str) -> str:
    from reports.terminal import json_for_terminal

    return json_for_terminal(text)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, renamed over it: a write
    that fails (a full disk) leaves the earlier file whole, and a link at ``path`` is replaced,
    never followed (as the report does)."""
    import tempfile

    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name with --out")
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise UserError(f"{path}: cannot write ({error.strerror or error})") from error
    try:
        # newline="": the CSV's CRLF row ends stay as RFC 4180 wants them.
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would hide the file from others
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UserError(f"{path}: cannot write ({error.strerror or error})") from error


def _read_all(path: Path, jsonl: Any = None) -> list[Any]:
    """Every document (and skipped record) of the file ``path``."""
    from flows.ingest import read_inputs

    return list(read_inputs([str(path)], jsonl=jsonl))


def _read_one(path: Path, jsonl: Any = None, record_id: str | None = None):
    """The document of the file ``path``: its first, or the record ``record_id`` (its uri,
    or its id within the file, e.g. ``L3``)."""
    from flows.ingest import RawDocument

    items = _read_all(path, jsonl)
    documents = [item for item in items if isinstance(item, RawDocument)]
    if record_id is not None:
        chosen = [doc for doc in documents if record_id in (doc.uri, doc.record)]
        if not chosen:
            raise UserError(
                f"{path}: no record {record_id!r} among its {len(documents)} readable records"
            )
        return chosen[0]
    if not documents:
        reason = items[0].reason if items else "no readable document"
        raise UserError(f"{path}: {reason}")
    return documents[0]


if __name__ == "__main__":  # pragma: no cover
    app()
