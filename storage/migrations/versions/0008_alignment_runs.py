"""Passages cut by the copies themselves (``dedup.cluster``): alignments keep the runs of words
they share, and a document may carry one passage more than once.

- ``alignments.runs``: int32 little-endian ``(a_start, a_end, b_start, b_end, words)`` rows, what
  clustering carries passages through; NULL for rows written before (an alignment without runs
  is carried as one run over its whole spans when it is a copy, and not at all when one span is
  far longer than what it shares);
- ``occurrences``: unique by (cluster, document, span) instead of (cluster, document): a page
  that repeats a lede in a photo caption carries that passage twice. SQLite cannot drop a
  constraint: the table is rebuilt, and the views that read it are dropped and made again with
  their 0001 definitions (so are those of ``alignments`` when a downgrade drops ``runs``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_OCCURRENCE_VIEWS = ("v_lineage", "v_clusters")


def _initial_views() -> dict[str, str]:
    path = Path(__file__).with_name("0001_initial.py")
    spec = importlib.util.spec_from_file_location("wiretrace_migration_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VIEWS


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it).
    op.add_column("alignments", sa.Column("runs", sa.LargeBinary(), nullable=True))
    _replace_occurrence_key(
        "uq_occurrences_cluster_document",
        "uq_occurrences_span",
        ["cluster_id", "document_id", "start_char", "end_char"],
    )


def downgrade() -> None:
    _replace_occurrence_key(
        "uq_occurrences_span", "uq_occurrences_cluster_document", ["cluster_id", "document_id"]
    )
    with _views_dropped(("v_alignments",)), op.batch_alter_table("alignments") as batch:
        batch.drop_column("runs")


def _replace_occurrence_key(old: str, new: str, columns: list[str]) -> None:
    """The unique constraint ``old`` of ``occurrences`` replaced by ``new`` over ``columns``."""
    with (
        _views_dropped(_OCCURRENCE_VIEWS),
        op.batch_alter_table("occurrences", table_kwargs={"sqlite_autoincrement": True}) as batch,
    ):
        batch.drop_constraint(old, type_="unique")
        batch.create_unique_constraint(new, columns)


@contextmanager
def _views_dropped(names: tuple[str, ...]) -> Iterator[None]:
    """The views ``names`` dropped for the block and made again with their 0001 definitions:
    SQLite rebuilds a table to change it, and a view that reads it stops the rename."""
    views = _initial_views()
    for name in names:
        op.execute(f"DROP VIEW {name}")
    yield
    for name in names:
        op.execute(f"CREATE VIEW {name} AS {views[name].strip()}")
