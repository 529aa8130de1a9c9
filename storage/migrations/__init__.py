"""Alembic migrations of the wiretrace schema; ``storage.migrate`` applies them on first use."""
