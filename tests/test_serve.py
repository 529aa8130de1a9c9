"""``wiretrace serve``: Datasette over the lineage, its canned queries and full-text search.

- the descriptions come from SCHEMA.md (every contract view and column, every table);
- the canned queries answer on the seeds, on both backends (the PostgreSQL file is the same
  queries), and the psql file is up to date;
- the FTS5 indexes of migration 0011 stay in step through runs, re-runs, changed documents and
  a downgrade and upgrade;
- over HTTP: the server starts from the command line, shows its title and questions, a canned
  query returns rows, search finds a seed passage, descriptions and facets appear;
- errors a user can cause are one line.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_robustness import TRACEBACK, WIRETRACE, wiretrace

from flows.pipeline import run_pipeline
from flows.serve import (
    INTERNAL_TABLES,
    VIEW_PAGES,
    ServeError,
    datasette_metadata,
    prepare,
    sqlite_file,
)
from storage.canned import CANNED_QUERIES, POSTGRESQL_FILE, postgresql_script, psql_text
from storage.catalog import parse_schema, schema_catalog
from storage.models import Base
from storage.store import Store
from storage.views import VIEWS

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")

SEED_000 = "seeds/000_09ade5e7dfcab0e4.txt"
# A passage the seeds share (an AP quote, test_align): words of it, not the whole of it.
SHARED_WORDS = "gladiators takes up a shield"


def _seeds_database(folder: Path, url: str) -> str:
    """``url`` filled by the pipeline from the seeds, named as ``wiretrace run seeds`` names
    them (run from ``folder``, which holds a copy of the seeds)."""
    (folder / "seeds").mkdir(exist_ok=True)
    for seed in SEEDS.iterdir():
        (folder / "seeds" / seed.name).write_bytes(seed.read_bytes())
    before = Path.cwd()
    os.chdir(folder)
    try:
        run_pipeline(["seeds"], url, notify=lambda _: None)
    finally:
        os.chdir(before)
    return url


# -- descriptions -----------------------------------------------------------------------------


def test_every_view_column_and_table_is_described_from_schema_md() -> None:
    catalog = schema_catalog()
    for view, table in VIEWS.items():
        assert catalog[view].description, view
        for column in table.columns:
            assert catalog[view].columns.get(column.name), f"{view}.{column.name}"
    for table in Base.metadata.tables:
        assert catalog[table].description, table


def test_metadata_carries_the_descriptions_facets_search_and_queries() -> None:
    metadata = datasette_metadata("news")
    tables = metadata["databases"]["news"]["tables"]
    described = schema_catalog()
    assert tables["v_documents"]["columns"] == described["v_documents"].columns
    assert tables["v_documents"]["fts_table"] == "documents_fts"
    assert tables["v_lineage"]["fts_table"] == "passages_fts"
    assert "outlet" in tables["v_documents"]["facets"]
    assert "edit_kind" in tables["v_quotes"]["facets"]
    assert all(tables[name].get("hidden") for name in INTERNAL_TABLES)
    queries = metadata["databases"]["news"]["queries"]
    assert list(queries) == [query.name for query in CANNED_QUERIES]
    # The first page links every question.
    for query in CANNED_QUERIES:
        assert f'href="/news/{query.name}"' in metadata["description_html"]


def test_every_faceted_column_is_a_column_of_its_view() -> None:
    for view, page in VIEW_PAGES.items():
        if view not in VIEWS:  # v_duplicates: not in the typed contract views
            continue
        names = {column.name for column in VIEWS[view].columns}
        for facet in page.get("facets", []):
            column = facet if isinstance(facet, str) else next(iter(facet.values()))
            assert column in names, f"{view}.{column}"


def test_schema_parser_reads_multi_column_rows_and_sections_of_two_tables() -> None:
    parsed = parse_schema(
        "### `v_x`: one row per x\n\n| column | holds |\n| --- | --- |\n"
        "| `a`, `b` | the span in `text` |\n\n### `t1` and `t2`\nWhat both hold.\n\nMore.\n"
    )
    assert parsed["v_x"].columns == {"a": "the span in text", "b": "the span in text"}
    assert parsed["v_x"].description == "One row per x."
    assert parsed["t1"].description == parsed["t2"].description == "What both hold."


# -- canned queries ---------------------------------------------------------------------------


def test_postgresql_file_is_made_from_the_canned_queries() -> None:
    assert POSTGRESQL_FILE.read_text(encoding="utf-8") == postgresql_script(), (
        "run: python -m storage.canned > storage/queries/canned-postgresql.sql"
    )
    assert psql_text("WHERE uri = :uri AND x = 'a:b'") == "WHERE uri = :'uri' AND x = 'a:b'"


@pytest.fixture(scope="module")
def seeds_url(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _seeds_database(tmp_path_factory.mktemp("seeds-run"), module_db_url)


def _answer(url: str, name: str, **parameters: str) -> list[dict]:
    [query] = [query for query in CANNED_QUERIES if query.name == name]
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(text(query.sql_for(engine.dialect.name)), parameters)
            return [dict(row._mapping) for row in result]
    finally:
        engine.dispose()


def test_where_from_gives_the_seed_passages_and_their_agency(seeds_url: str) -> None:
    rows = _answer(seeds_url, "where_from", uri=SEED_000)
    document = Store(seeds_url).document(SEED_000)
    assert rows and document is not None
    for row in rows:
        assert row["passage"] == document.text[row["start_char"] : row["end_char"]]
    assert {row["origin"] for row in rows} >= {"Associated Press"}
    assert [row["start_char"] for row in rows] == sorted(row["start_char"] for row in rows)
    assert _answer(seeds_url, "where_from", uri="no/such/document") == []


def test_who_copies_whom_counts_copies_from_agencies(seeds_url: str) -> None:
    rows = _answer(seeds_url, "who_copies_whom")
    lineage = Store(seeds_url).lineage()
    copied = sum(row.end_char - row.start_char for row in lineage if not row.is_origin)
    assert rows and {row["source_kind"] for row in rows} <= {"outlet", "agency", "unknown"}
    assert ("DW", "Associated Press") in {(row["copier"], row["source"]) for row in rows}
    assert all(row["copier"] != row["source"] for row in rows)
    # No copy counted twice: at most every reused character of every copy.
    assert 0 < sum(row["characters"] for row in rows) <= copied


def test_agency_passages_ignores_case_and_lists_only_that_agency(seeds_url: str) -> None:
    rows = _answer(seeds_url, "agency_passages", agency="associated press")
    clusters = {row.cluster_id: row for row in Store(seeds_url).clusters()}
    assert rows
    assert {clusters[row["cluster_id"]].origin_source for row in rows} == {"Associated Press"}
    assert [row["n_documents"] for row in rows] == sorted(
        (row["n_documents"] for row in rows), reverse=True
    )


def test_least_original_outlets_and_changed_quotes_answer(seeds_url: str) -> None:
    outlets = _answer(seeds_url, "least_original_outlets")
    assert outlets, "the newest seed's week holds a document"
    shares = [float(row["original_share"]) for row in outlets]
    assert shares == sorted(shares) and all(0 <= share <= 1 for share in shares)
    quotes = _answer(seeds_url, "changed_quotes")
    # The seeds' shared quotations differ only in house style: none changed its words.
    assert all(
        row["edit_kind"] in {"spelling", "wording", "truncated", "extended"} for row in quotes
    )


def test_find_passage_by_its_words(seeds_url: str) -> None:
    if not seeds_url.startswith("sqlite"):
        pytest.skip("SQLite's full-text index")
    rows = _answer(seeds_url, "find_passage", words=SHARED_WORDS)
    assert len(rows) == 1 and SHARED_WORDS in rows[0]["passage"]
    assert _answer(seeds_url, "find_passage", words='shield" OR "a') == []  # a phrase, not syntax


# -- full-text indexes ------------------------------------------------------------------------


def _index_state(url: str) -> tuple[dict[int, str], dict[int, str]]:
    """(passages_fts rows, v_lineage texts), by occurrence id; FTS5 integrity checked."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for table in ("documents_fts", "passages_fts"):
                connection.execute(
                    text(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
                )
            indexed = dict(connection.execute(text("SELECT rowid, text FROM passages_fts")).all())
            lineage = dict(
                connection.execute(text("SELECT occurrence_id, text FROM v_lineage")).all()
            )
    finally:
        engine.dispose()
    return indexed, lineage


def _documents_matching(url: str, words: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT d.uri FROM documents_fts JOIN documents AS d ON d.id = documents_fts.rowid "
                    "WHERE documents_fts MATCH :words"
                ),
                {"words": words},
            )
            return {row.uri for row in found}
    finally:
        engine.dispose()


def test_full_text_indexes_follow_runs_reruns_and_changed_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _seeds_database(tmp_path, f"sqlite:///{tmp_path / 'fts.db'}")
    indexed, lineage = _index_state(url)
    assert indexed == lineage and indexed
    assert SEED_000 in _documents_matching(url, f'"{SHARED_WORDS}"')

    monkeypatch.chdir(tmp_path)
    run_pipeline(["seeds"], url, notify=lambda _: None)  # a re-run changes nothing
    assert _index_state(url) == (indexed, lineage)

    # Seed 000 loses the shared quote and gains a word: both indexes follow.
    seed = tmp_path / SEED_000
    body = seed.read_text(encoding="utf-8")
    start = body.index("If one of the gladiators")
    seed.write_text(body[:start] + "Zanzibarian calm prevailed. " + body[start + 400 :], "utf-8")
    run_pipeline(["seeds"], url, notify=lambda _: None)
    indexed_after, lineage_after = _index_state(url)
    assert indexed_after == lineage_after and indexed_after != indexed
    assert _documents_matching(url, "zanzibarian") == {SEED_000}
    assert SEED_000 not in _documents_matching(url, '"gladiators takes up a shield"')


def test_full_text_indexes_go_down_and_up_with_the_migration(tmp_path: Path) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    url = _seeds_database(tmp_path, f"sqlite:///{tmp_path / 'down.db'}")
    before = _index_state(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
        names = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
        assert not {"documents_fts", "passages_fts", "passages_fts_insert"} & names
        connection.execute(
            text("DELETE FROM occurrences WHERE id = (SELECT MIN(id) FROM occurrences)")
        )
        command.upgrade(config, "head")
    engine.dispose()
    indexed, lineage = _index_state(url)
    assert indexed == lineage and len(indexed) == len(before[0]) - 1
    assert SEED_000 in _documents_matching(url, "gladiators")


def test_migration_leaves_postgresql_without_fts_tables(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("needs WIRETRACE_TEST_DB pointing at PostgreSQL")
    store = Store(db_url)
    with store.engine.connect() as connection:
        tables = connection.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%fts%'")
        ).all()
    store.close()
    assert tables == []


# -- over HTTP --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``wiretrace serve`` in a subprocess over a seeds database; its base URL."""
    folder = tmp_path_factory.mktemp("served")
    _seeds_database(folder, f"sqlite:///{folder / 'news.db'}")
    port = _free_port()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("WIRETRACE_DB", None)
    process = subprocess.Popen(
        [WIRETRACE, "serve", "--db", "sqlite:///news.db", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/-/versions.json")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"wiretrace serve did not start: {process.communicate()[0]}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_first_page_has_the_title_and_the_questions(server: str) -> None:
    page = _get(f"{server}/")
    assert "wiretrace: where the news came from" in page
    for query in CANNED_QUERIES:
        assert f'href="/news/{query.name}"' in page


def test_a_canned_query_returns_rows_over_http(server: str) -> None:
    answer = json.loads(
        _get(f"{server}/news/where_from.json?_shape=array&uri={urllib.parse.quote(SEED_000)}")
    )
    assert answer and all(row["origin"] for row in answer)
    assert {row["origin"] for row in answer} >= {"Associated Press"}


def test_search_finds_a_seed_passage(server: str) -> None:
    words = urllib.parse.quote(SHARED_WORDS)
    copies = json.loads(_get(f"{server}/news/v_lineage.json?_shape=array&_search={words}"))
    assert copies and all(SHARED_WORDS in " ".join(row["text"].split()) for row in copies)
    assert SEED_000 in {row["uri"] for row in copies}
    documents = json.loads(_get(f"{server}/news/v_documents.json?_shape=array&_search={words}"))
    assert SEED_000 in {row["uri"] for row in documents}
    nothing = json.loads(_get(f"{server}/news/v_lineage.json?_shape=array&_search=zzqqxx"))
    assert nothing == []


def test_view_pages_show_descriptions_and_facets(server: str) -> None:
    page = _get(f"{server}/news/v_documents")
    described = schema_catalog()["v_documents"]
    assert described.description in page
    assert 'data-column="outlet"' in page  # the outlet facet
    assert '<input id="_search"' in page
    quotes = _get(f"{server}/news/v_quotes")
    assert 'data-column="edit_kind"' in quotes


# -- errors -----------------------------------------------------------------------------------


def test_postgresql_url_points_to_the_sql_file(tmp_path: Path) -> None:
    done = wiretrace("serve", "--db", "postgresql+psycopg://u:secret@host/db", cwd=tmp_path)
    assert done.returncode == 1 and TRACEBACK not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "canned-postgresql.sql" in line and "secret" not in line


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    done = wiretrace("serve", "--db", "sqlite:///nothing-here.db", cwd=tmp_path)
    assert done.returncode == 1 and TRACEBACK not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "nothing-here.db" in line and "wiretrace run" in line
    assert not (tmp_path / "nothing-here.db").exists()


def test_taken_port_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(url).documents()  # an empty database, migrated
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = wiretrace("serve", "--db", url, "--port", str(port), timeout=60)
    assert done.returncode == 1 and TRACEBACK not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert f":{port}" in line and "--port" in line


def test_missing_datasette_names_the_install_command(tmp_path: Path, monkeypatch) -> None:
    import sys

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(url).documents()
    monkeypatch.setitem(sys.modules, "datasette.app", None)  # import fails as if not installed
    with pytest.raises(ServeError, match=r"pip install 'wiretrace\[serve\]'"):
        prepare(url, "127.0.0.1", _free_port())


def test_sqlite_file_refuses_memory_and_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="in-memory"):
        sqlite_file("sqlite://")
    (tmp_path / "x.db").write_bytes(b"")
    assert sqlite_file(f"sqlite:///{tmp_path / 'x.db'}") == tmp_path / "x.db"


# -- in Chromium ------------------------------------------------------------------------------

# Debian's Chromium (apt-get install -y chromium), driven as in test_report_browser.
CHROMIUM = Path("/usr/bin/chromium")


def _dom(tmp_path: Path, url: str) -> str:
    """The DOM headless Chromium built for ``url``, scripts run."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=3000",
        "--dump-dom", url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_first_page_in_chromium_shows_the_title_and_question_links(
    server: str, tmp_path: Path
) -> None:
    dom = _dom(tmp_path, f"{server}/")
    assert "<h1>wiretrace: where the news came from</h1>" in dom
    for query in CANNED_QUERIES:
        assert f'<a href="/news/{query.name}">{escape(query.title)}</a>' in dom
    form = _dom(tmp_path, f"{server}/news/where_from")
    assert 'name="uri"' in form  # the canned query asks for its parameter
