"""Shared pytest fixtures.

Sections: database (storage) first; Prefect fixtures (flows) are appended below it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------------
# Database (storage)
#
# WIRETRACE_TEST_DB unset (or a sqlite URL): each test gets a fresh SQLite file in its tmp_path.
# WIRETRACE_TEST_DB=postgresql+psycopg://user@host:port/any: the session creates one uniquely
# named database on that server (through the server's `postgres` database; dropped WITH (FORCE)
# at the end), and each test gets a fresh schema in it, selected by the URL's
# `?options=-csearch_path%3D<schema>`. Schemas are cheap where CREATE DATABASE is not, and runs
# never see each other's rows, even in parallel.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _postgres_test_database() -> Iterator[str | None]:
    """URL of a database private to this test session, or None when not testing PostgreSQL."""
    server_url = os.environ.get("WIRETRACE_TEST_DB", "")
    if not server_url.startswith("postgresql"):
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"wiretrace_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fresh_postgres_schema(database_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def _private_database(folder: Path, postgres_database: str | None) -> Iterator[str]:
    server_url = os.environ.get("WIRETRACE_TEST_DB", "")
    if postgres_database is not None:
        yield from _fresh_postgres_schema(postgres_database)
    elif server_url and not server_url.startswith("sqlite"):
        pytest.skip(f"WIRETRACE_TEST_DB: no fresh-database recipe for {server_url.split(':')[0]}")
    else:
        yield f"sqlite:///{folder / 'wiretrace-test.db'}"


@pytest.fixture
def db_url(tmp_path: Path, _postgres_test_database: str | None) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database, private to the test."""
    yield from _private_database(tmp_path, _postgres_test_database)


@pytest.fixture
def another_db_url(
    tmp_path: Path, _postgres_test_database: str | None
) -> Iterator[Callable[[], str]]:
    """A maker of more empty private databases (to compare a store with a rebuilt one)."""
    with ExitStack() as stack:

        def make() -> str:
            folder = Path(tempfile.mkdtemp(dir=tmp_path))
            opened = contextmanager(_private_database)(folder, _postgres_test_database)
            return stack.enter_context(opened)

        yield make


@pytest.fixture(scope="module")
def module_db_url(
    tmp_path_factory: pytest.TempPathFactory, _postgres_test_database: str | None
) -> Iterator[str]:
    """Like ``db_url``, shared by the tests of one module (for one expensive pipeline run)."""
    yield from _private_database(tmp_path_factory.mktemp("db"), _postgres_test_database)


# ---------------------------------------------------------------------------------------------
# Prefect (flows)
#
# One temporary Prefect server for the whole session (starting one takes seconds), with flow
# heartbeats off: nothing in a test watches them, and they are background writes.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A busy machine can need minutes to start the server; the variable says how long to wait.
    startup_seconds = os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"
    )
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        prefect_test_harness(server_startup_timeout=int(startup_seconds)),
    ):
        yield
