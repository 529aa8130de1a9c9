"""Template inputs stored when a document is saved: no text read back to find templates.

- ``template_blocks.pieces``: the document's template pieces (``dedup.clean.TEMPLATE_PIECE``
  rows: body-block entry, span kind, characters), so that its template spans follow from its
  marked blocks without its text; NULL for rows written before (their spans are found from
  the text, as before);
- ``template_blocks.marked``: false while a saved document's blocks are not yet counted in
  its outlet by the template stage (the cleaning stage stores them with the document, in one
  transaction); existing rows were counted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it; a batch rebuild would trip over the views).
    op.add_column("template_blocks", sa.Column("pieces", sa.LargeBinary(), nullable=True))
    op.add_column(
        "template_blocks",
        sa.Column("marked", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_template_blocks_unmarked", "template_blocks", ["marked", "outlet_key"])


def downgrade() -> None:
    op.drop_index("ix_template_blocks_unmarked", table_name="template_blocks")
    with op.batch_alter_table("template_blocks") as batch:
        batch.drop_column("marked")
        batch.drop_column("pieces")
