"""``wiretrace serve``: the lineage in Datasette, with wiretrace's descriptions and questions.

Datasette (an optional extra: ``pip install 'wiretrace[serve]'``) serves the SQLite database
read-only in the browser: every view and column described (from ``storage/SCHEMA.md``, via
``storage.catalog``), facets on outlet, date, origin and edit kind, full-text search over
documents and passages (the FTS5 indexes of migration 0011), and the newsroom's questions as
canned queries (``storage.canned``). This module only assembles that configuration and starts
the server; it holds no SQL of its own.

SQLite only: for PostgreSQL the same questions are in ``storage/queries/canned-postgresql.sql``.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from storage.canned import CANNED_QUERIES, POSTGRESQL_FILE
from storage.catalog import schema_catalog
from storage.urls import mask_url

TITLE = "wiretrace: where the news came from"
INSTALL = "pip install 'wiretrace[serve]'"
# Wiretrace's own tables: the views are what to read (SCHEMA.md), so Datasette lists these
# under "hidden tables" only; FTS5's tables Datasette hides by itself.
INTERNAL_TABLES = (
    "documents", "boilerplate_spans", "duplicates", "document_sketches", "template_blocks",
    "attributions", "alignments", "clusters", "occurrences", "origins", "origin_history",
    "quotes", "quote_wordings", "quote_wording_matches", "runs", "skipped_files",
    "wiretrace_alembic_version", "sqlite_sequence",
)  # fmt: skip
# What Datasette offers on each view's page: facets (counts by value to click on), the
# full-text index its search box uses (rowid = fts_pk), and the first sort.
VIEW_PAGES: dict[str, dict[str, Any]] = {
    "v_documents": {
        "facets": ["outlet", {"date": "published_at"}, "author"],
        "fts_table": "documents_fts",
        "fts_pk": "document_id",
        "sort_desc": "published_at",
        "label_column": "title",
    },
    "v_clusters": {
        # Each facet computes the whole view again (an aggregate): two, no date facet.
        "facets": ["origin_kind", "origin_source"],
        "sort_desc": "n_documents",
    },
    "v_lineage": {
        "facets": ["origin_kind", "origin_source"],
        "fts_table": "passages_fts",
        "fts_pk": "occurrence_id",
    },
    "v_quotes": {"facets": ["edit_kind", "speaker"]},
    "v_credits": {"facets": ["source", "kind", "cue"]},
    "v_boilerplate": {"facets": ["kind"]},
    "v_alignments": {"sort_desc": "similarity"},
    "v_duplicates": {},
}
# Datasette's limits: a query (canned ones included) stops after 1 s, a facet after 0.5 s (it
# is then left out, the page still shows); long texts are cut in HTML tables (not in JSON/CSV).
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 500,
    "truncate_cells_html": 400,
    "default_page_size": 50,
    # Datasette would try a facet on every column of a page to suggest some: on a view that
    # joins or aggregates, each try computes the view again. The useful ones are configured.
    "suggest_facets": False,
}


class ServeError(ValueError):
    """A database or port ``serve`` cannot use, or Datasette not installed (one line)."""


@dataclass(frozen=True)
class Served:
    """What ``serve`` serves: the SQLite file and the address."""

    path: Path
    host: str
    port: int

    @property
    def name(self) -> str:
        """The database's name in Datasette's URLs: its file name without extension."""
        return self.path.stem

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def sqlite_file(url: str) -> Path:
    """The SQLite file a database URL names, or a one-line error for what Datasette cannot
    serve (PostgreSQL, an in-memory database, a file that is not there)."""
    try:
        parsed = make_url(url)
    except Exception as error:
        raise ServeError(
            f"{mask_url(url)}: not a database URL (expected e.g. sqlite:///wiretrace.db)"
        ) from error
    if parsed.get_backend_name() != "sqlite":
        raise ServeError(
            f"{mask_url(url)}: serve needs a SQLite database (Datasette reads SQLite only); "
            f"on PostgreSQL, run the same questions with psql from {POSTGRESQL_FILE}"
        )
    if parsed.database in (None, "", ":memory:"):
        raise ServeError(f"{url}: an in-memory database has nothing to serve")
    path = Path(parsed.database)
    if not path.is_file():
        raise ServeError(
            f"{path}: no such database (make it with 'wiretrace run FILES --db {url}')"
        )
    return path


def _described(name: str) -> dict[str, Any]:
    described = schema_catalog().get(name)
    if described is None:
        return {}
    entry: dict[str, Any] = {"description": described.description}
    if described.columns:
        entry["columns"] = dict(described.columns)
    return entry


def _start_here(database: str) -> str:
    """The first page's guide: the questions as links, then the views to browse and search."""
    base = f"/{quote(database)}"
    questions = "".join(
        f'<li><a href="{base}/{query.name}">{escape(query.title)}</a></li>'
        for query in CANNED_QUERIES
    )
    views = (
        f'<a href="{base}/v_documents">documents</a> (search box, facets by outlet and date), '
        f'<a href="{base}/v_clusters">passages</a> (one row per reused passage, most copied '
        f'first), <a href="{base}/v_lineage">every copy of a passage</a> (searchable) and '
        f'<a href="{base}/v_quotes">quotations</a>'
    )
    return (
        "<p>Which passages of these articles came from a wire agency or another outlet, who "
        "had them first, and how they changed on the way.</p>"
        f"<p><strong>Ask a question:</strong></p><ul>{questions}</ul>"
        f"<p><strong>Browse:</strong> {views}. Column names explain themselves on hover; "
        "offsets are characters of the document's text, shares and confidences run 0 to 1.</p>"
    )


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for the database named ``database``: title, descriptions, facets,
    full-text search and canned queries."""
    tables: dict[str, Any] = {}
    for view, page in VIEW_PAGES.items():
        tables[view] = {**_described(view), **page}
    for table in INTERNAL_TABLES:
        tables[table] = {**_described(table), "hidden": True}
    queries = {
        query.name: {
            "title": query.title,
            "description": query.description,
            "sql": query.sql_for("sqlite"),
            "hide_sql": True,  # the form and the answer first; "show" is one click
        }
        for query in CANNED_QUERIES
    }
    start_here = _start_here(database)
    return {
        "title": TITLE,
        "description_html": start_here,
        "databases": {
            database: {
                "description_html": start_here,
                "tables": tables,
                "queries": queries,
            }
        },
    }


def check_port_free(host: str, port: int) -> None:
    """A one-line error now, rather than the server's log line later, when ``port`` is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ServeError(
                f"{host}:{port}: cannot listen there ({error.strerror}); pass another --port"
            ) from error


def _datasette() -> Any:
    try:
        from datasette.app import Datasette
    except ImportError as error:
        raise ServeError(f"serve needs Datasette, which is not installed: {INSTALL}") from error
    return Datasette


def prepare(url: str, host: str, port: int) -> Served:
    """Check everything a user can get wrong, and bring the schema up to date (the full-text
    indexes of an older database are made here, by migration 0011)."""
    from storage.store import Store

    path = sqlite_file(url)
    _datasette()
    check_port_free(host, port)
    store = Store(url)
    try:
        _ = store.engine  # migrates
    finally:
        store.close()
    return Served(path, host, port)


def run_server(served: Served, announce: Any = print) -> None:
    """Serve until Ctrl-C (uvicorn stops on SIGINT and SIGTERM)."""
    import uvicorn

    datasette_class = _datasette()
    datasette = datasette_class(
        [str(served.path)],
        metadata=datasette_metadata(served.name),
        settings=SETTINGS,
    )
    asyncio.run(datasette.invoke_startup())
    announce(served.url)
    uvicorn.run(
        datasette.app(), host=served.host, port=served.port, log_level="warning", lifespan="on"
    )
