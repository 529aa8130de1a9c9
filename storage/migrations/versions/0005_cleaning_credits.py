"""Cleaning's wire credits in a column of their own: ``documents.cleaning_wire_credits``.

``documents.wire_credits`` is the union of the credits cleaning found (metadata lines it
removed) and those the trace found in the text. With only the union stored, a run that
recomputed a document's facts started from the union, so a credit found in a line that has
since become boilerplate (a dateline turned outlet template) stayed, and a nightly run differed
from a full rebuild. From this version on, ``wire_credits`` is recomputed from
``cleaning_wire_credits`` plus what the trace finds.

Existing documents: cleaning's credits were not kept apart, so the new column starts as their
stored ``wire_credits`` (what the earlier versions started from); it is exact for every document
saved (new or changed) from now on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it; a batch rebuild would trip over the views).
    op.add_column("documents", sa.Column("cleaning_wire_credits", sa.Text(), nullable=True))
    op.execute(sa.text("UPDATE documents SET cleaning_wire_credits = wire_credits"))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("cleaning_wire_credits")
