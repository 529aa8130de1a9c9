"""Alembic environment of wiretrace.

``storage.migrate.upgrade`` runs it with an open connection in ``config.attributes["connection"]``
(inside the caller's transaction and lock). Developers can also run the Alembic CLI with
``alembic -c storage/migrations/alembic.ini -x url=sqlite:///dev.db revision --autogenerate``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.models import Base

VERSION_TABLE = "wiretrace_alembic_version"


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        # SQLite cannot ALTER most things; batch mode rebuilds tables for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine(url)
    with engine.connect() as fresh_connection:
        _configure_and_run(fresh_connection)
        fresh_connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("wiretrace migrations run online only (pass -x url=...)")
run_migrations_online()
