"""Passages cut by the copies themselves (``dedup.cluster``): alignments keep the runs of words
they share, and a document may carry one passage more than once.

- ``alignments.runs``: int32 little-endian ``(a_start, a_end, b_start, b_end, words)`` rows, what
  clustering carries passages through; NULL for rows written before (an alignment without runs
  is carried as one run over its whole spans when it is a copy, and not at all when one span is
  far longer than what it shares);
- ``occurrences``: unique by (cluster, document, span) instead of (cluster, document): a page
  that repeats a lede in a photo caption carries that passage twice. SQLite cannot drop a
  constraint: the table is rebuilt, and the two views that read it are dropped and made again
  with their 0001 definitions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import importlib.util
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
    views = _initial_views()
    for name in _OCCURRENCE_VIEWS:
        op.execute(f"DROP VIEW {name}")
    with op.batch_alter_table("occurrences", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("uq_occurrences_cluster_document", type_="unique")
        batch.create_unique_constraint(
            "uq_occurrences_span", ["cluster_id", "document_id", "start_char", "end_char"]
        )
    for name in _OCCURRENCE_VIEWS:
        op.execute(f"CREATE VIEW {name} AS {views[name].strip()}")


def downgrade() -> None:
    views = _initial_views()
    for name in _OCCURRENCE_VIEWS:
        op.execute(f"DROP VIEW {name}")
    with op.batch_alter_table("occurrences", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("uq_occurrences_span", type_="unique")
        batch.create_unique_constraint(
            "uq_occurrences_cluster_document", ["cluster_id", "document_id"]
        )
    for name in _OCCURRENCE_VIEWS:
        op.execute(f"CREATE VIEW {name} AS {views[name].strip()}")
    with op.batch_alter_table("alignments") as batch:
        batch.drop_column("runs")
