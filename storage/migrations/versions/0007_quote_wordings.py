"""What the last quote grouping compared, so that the next scores only new wordings' pairs.

- ``quote_wordings``: every distinct folded wording of the quotes grouped by the last run
  (``wording_key``: a 64-bit digest of ``wording``; ``signature``: the settings its answers
  hold for, ``dedup.quote_groups.MATCH_SIGNATURE``);
- ``quote_wording_matches``: the pairs of those wordings it compared and found to be one
  quotation.

Both start empty: the first run of this version scores every pair, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quote_wordings",
        sa.Column("wording_key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    op.create_table(
        "quote_wording_matches",
        sa.Column("wording_a", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("wording_b", sa.BigInteger(), primary_key=True, autoincrement=False),
    )


def downgrade() -> None:
    op.drop_table("quote_wording_matches")
    op.drop_table("quote_wordings")
