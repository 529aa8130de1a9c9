"""Runs at once, a database that goes away mid-run, and uniqueness the database enforces.

``wiretrace run`` processes started together on overlapping inputs must end with the lineage
one run over all the inputs gives; a run whose connections are cut must recover or end
in one clear line, and a re-run must then give the clean lineage; the database itself refuses
duplicate documents, alignments, occurrences and quotes.

The multi-process tests need PostgreSQL: they run when ``WIRETRACE_TEST_DB`` is a PostgreSQL URL,
each in fresh databases on that server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from test_crash import (
    PAN,
    SEEDS,
    TRACEBACK,
    assert_consistent,
    build_corpus,
    database_factory,
    describe_difference,
    finish,
    lineage_snapshot,
    start_run,
)

SERVER = os.environ.get("WIRETRACE_TEST_DB", "")
needs_postgres = pytest.mark.skipif(
    not SERVER.startswith("postgresql"), reason="WIRETRACE_TEST_DB is not a PostgreSQL URL"
)
needs_data = pytest.mark.skipif(
    not (SEEDS.is_dir() and PAN.is_file()), reason="needs seeds and PAN data"
)


# -- the database enforces uniqueness (any backend) ----------------------------------------------


def test_database_refuses_duplicate_rows(db_url: str) -> None:
    from storage.store import Store

    Store(db_url).known_hashes()  # creates the schema
    engine = create_engine(db_url)
    now = datetime(2017, 10, 13)
    document = (
        "insert into documents (id, uri, content_hash, source_format, text, clean_text, pending,"
        " created_at, updated_at) values (:id, :uri, 'h', 'text', 'Some text.', 'Some text.',"
        " false, :now, :now)"
    )
    with engine.begin() as connection:
        for doc_id, uri in ((1, "a.txt"), (2, "b.txt")):
            connection.execute(text(document), {"id": doc_id, "uri": uri, "now": now})
        connection.execute(
            text("insert into clusters (id, created_at) values (1, :now)"), {"now": now}
        )
    duplicates = {
        "documents.uri": (document, {"id": 3, "uri": "a.txt", "now": now}),
        "alignments": (
            "insert into alignments (document_a_id, document_b_id, a_start, a_end, b_start, b_end,"
            " similarity) values (1, 2, 0, 4, 0, 4, 1.0)",
            {},
        ),
        "occurrences": (
            "insert into occurrences (cluster_id, document_id, start_char, end_char, is_origin)"
            " values (1, 1, 0, 4, false)",
            {},
        ),
        "quotes": (
            "insert into quotes (document_id, start_char, end_char, text) values (1, 0, 4, 'Some')",
            {},
        ),
    }
    for what, (statement, parameters) in duplicates.items():
        if what != "documents.uri":
            with engine.begin() as connection:  # the first one is fine
                connection.execute(text(statement), parameters)
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(statement), parameters)
    engine.dispose()


# -- several processes (PostgreSQL) --------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_databases(tmp_path_factory, _postgres_test_database: str | None) -> Iterator:
    """A factory of fresh schemas of the session's PostgreSQL database."""
    yield from database_factory(tmp_path_factory.mktemp("databases"), _postgres_test_database)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, postgres_databases):
    """The corpus's files and the lineage of one clean run over all of them."""
    corpus = build_corpus(tmp_path_factory.mktemp("corpus"))
    files = sorted(corpus.iterdir())
    url = postgres_databases("reference")
    started = time.perf_counter()
    finish(start_run(files, url))
    return files, lineage_snapshot(url), time.perf_counter() - started


@needs_postgres
@needs_data
def test_runs_at_once_give_one_runs_lineage(reference, postgres_databases) -> None:
    files, expected, _ = reference
    third = len(files) // 3
    # Overlapping inputs: two thirds each with a third in common, and all of them (so that two
    # runs have the same amount of work and reach the lineage at the same moment).
    inputs = [files[: 2 * third], files[third:], files]
    url = postgres_databases("at_once")
    runs = [start_run(paths, url) for paths in inputs]
    outputs = [process.communicate(timeout=120) for process in runs]
    for process, (_, stderr) in zip(runs, outputs, strict=True):
        assert TRACEBACK not in stderr
        assert process.returncode == 0, stderr
    found = lineage_snapshot(url)
    assert found == expected, describe_difference(expected, found)
    assert_consistent(url)


@needs_postgres
@needs_data
def test_database_going_away_mid_run(reference, postgres_databases) -> None:
    files, expected, duration = reference
    # Its own application name marks the run's connections, so that only they are cut.
    application = "wiretrace-going-away-test"
    url = make_url(postgres_databases("going_away")).update_query_dict(
        {"application_name": application}
    )
    url = url.render_as_string(hide_password=False)
    admin = create_engine(make_url(url).set(query={}), isolation_level="AUTOCOMMIT")
    process = start_run(files, url)
    cut = 0
    deadline = time.perf_counter() + duration * 0.8
    time.sleep(duration * 0.3)
    with admin.connect() as connection:
        while process.poll() is None and time.perf_counter() < deadline:  # cut it a few times
            cut += connection.execute(
                text(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                    " where application_name = :application"
                ),
                {"application": application},
            ).scalar()
            time.sleep(duration * 0.15)
    admin.dispose()
    _, stderr = process.communicate(timeout=120)
    assert TRACEBACK not in stderr
    if process.returncode != 0:  # not recovered: one clear line naming the masked database
        lines = [
            line for line in stderr.splitlines() if line.strip() and not line.startswith("skipped ")
        ]
        assert process.returncode == 1 and len(lines) == 1, stderr
        assert lines[0].startswith("error: database postgresql"), stderr
    print(f"{cut} connections cut; the run exited {process.returncode}: {stderr.strip()[:200]}")
    finish(start_run(files, url))
    found = lineage_snapshot(url)
    assert found == expected, f"after {cut} cut connections:\n" + describe_difference(
        expected, found
    )
    assert_consistent(url)


@needs_postgres
def test_store_replaces_a_connection_the_server_dropped(postgres_databases) -> None:
    # A server restart or idle timeout while a run aligns for minutes must not fail its next
    # write: a dropped pooled connection is noticed and replaced.
    from storage.store import Store

    application = "wiretrace-dropped-connection-test"
    url = make_url(postgres_databases("dropped")).update_query_dict(
        {"application_name": application}
    )
    store = Store(url.render_as_string(hide_password=False))
    store.known_hashes()  # the pool now holds one idle connection
    admin = create_engine(url.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        cut = connection.execute(
            text(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                " where application_name = :application"
            ),
            {"application": application},
        ).scalar()
    admin.dispose()
    assert cut == 1
    assert store.known_hashes() == {}
    store.close()
