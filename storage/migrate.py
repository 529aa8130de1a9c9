"""Apply the Alembic migrations shipped in ``storage/migrations`` (no alembic.ini needed).

``upgrade(engine)`` is idempotent and safe when several processes start together:
PostgreSQL serialises them with an advisory lock, SQLite with ``BEGIN IMMEDIATE`` (the write
lock), and each re-reads the schema version once it holds the lock.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "wiretrace_alembic_version"  # same as migrations/env.py
# Arbitrary constant key for pg_advisory_lock ("wiretrace" in ASCII, fits a bigint).
ADVISORY_LOCK_KEY = 0x77697265747261


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema, creating it if empty. Cheap when up to date."""
    with engine.connect() as connection:
        up_to_date = current_revision(connection) == head_revision()
        connection.rollback()
    if up_to_date:
        return
    is_postgres = engine.dialect.name == "postgresql"
    # The SQLite engine's "begin" hook (storage.store) honours this option: BEGIN IMMEDIATE
    # takes the write lock at once, so a second process waits here instead of racing.
    options = {"wiretrace_sqlite_begin": "BEGIN IMMEDIATE"}
    with engine.connect().execution_options(**options) as connection:
        if is_postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
        try:
            with connection.begin():
                # Another process may have migrated while we waited for the lock.
                if current_revision(connection) != head_revision():
                    config = alembic_config()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        finally:
            if is_postgres:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                connection.commit()
