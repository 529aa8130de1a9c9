"""Shared pytest fixtures.

Sections: database (storage) first; Prefect fixtures (flows) are appended below it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------------
# Database (storage)
#
# WIRETRACE_TEST_DB unset (or a sqlite URL): each test gets a fresh SQLite file in its tmp_path.
# WIRETRACE_TEST_DB=postgresql+psycopg://user@host:port/any: each test gets a fresh, uniquely
# named database on that server (CREATE DATABASE through the server's `postgres` database,
# dropped WITH (FORCE) afterwards), so runs never see each other's rows, even in parallel.
# ---------------------------------------------------------------------------------------------


def _fresh_postgres_database(server_url: str) -> Iterator[str]:
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


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database, private to the test."""
    server_url = os.environ.get("WIRETRACE_TEST_DB", "")
    if server_url.startswith("postgresql"):
        yield from _fresh_postgres_database(server_url)
    elif server_url and not server_url.startswith("sqlite"):
        pytest.skip(f"WIRETRACE_TEST_DB: no fresh-database recipe for {server_url.split(':')[0]}")
    else:
        yield f"sqlite:///{tmp_path / 'wiretrace-test.db'}"
