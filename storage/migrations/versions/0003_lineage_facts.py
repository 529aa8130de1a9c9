"""Lineage facts are stored once per document: recompute them once for every document.

From this version on, a run computes a document's attributions, wire credits and quotes only
when its text or boilerplate changed (``documents.original_share`` is NULL until then), and
reads them back otherwise; attributions are kept in the order they were found, which origin
evidence follows. Rows written by earlier versions were sorted differently, so every
document's facts are marked due once (no table changes).

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE documents SET original_share = NULL"))


def downgrade() -> None:
    # Nothing to undo: the next run of an earlier version recomputes every share itself.
    pass
