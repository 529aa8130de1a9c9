"""Incremental runs: persisted sketches, exact duplicates, template block counts.

- ``document_sketches``: each document's distinct LSH band keys and shingle hashes (numpy
  arrays as blobs) with the candidate parameters they were made with, so that a nightly run
  compares its batch with the archive without re-tokenising the archive;
- ``documents.text_hash`` and ``duplicates``: a new document whose text equals a stored one's
  is recorded as its duplicate, once, and not sketched or aligned again;
- ``template_blocks`` and ``boilerplate_spans.template``: the line blocks each document
  contributes to its outlet's template counts, and which spans the template stage added, so
  that templates are recomputed from counts (and removed when no longer template) without
  reading the archive's texts;
- ``v_duplicates``: the duplicate relation by uri (not one of the contract's views).

Existing documents get their ``text_hash`` here; their sketches and template blocks are made by
the next run that needs them. Their existing template spans cannot be told from cleaning's, so
they stay as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

V_DUPLICATES = """
SELECT du.document_id AS document_id, d.uri AS uri, du.original_id AS original_id,
       o.uri AS original_uri
FROM duplicates AS du
JOIN documents AS d ON d.id = du.document_id
JOIN documents AS o ON o.id = du.original_id
"""


def text_hash(text: str) -> str:
    """The ``documents.text_hash`` of a text (``storage.store`` computes it the same way)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it; a batch rebuild would trip over the views).
    op.add_column("documents", sa.Column("text_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_documents_text_hash", "documents", ["text_hash"])
    op.add_column(
        "boilerplate_spans",
        sa.Column("template", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    _fill_text_hashes()

    op.create_table(
        "duplicates",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_duplicates_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_id"],
            ["documents.id"],
            name=op.f("fk_duplicates_original_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_duplicates")),
    )
    op.create_index("ix_duplicates_original", "duplicates", ["original_id"])

    op.create_table(
        "document_sketches",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("params", sa.String(length=64), nullable=False),
        sa.Column("band_keys", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_sketches_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_sketches")),
    )

    op.create_table(
        "template_blocks",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("outlet_key", sa.Text(), nullable=False),
        sa.Column("blocks", sa.LargeBinary(), nullable=False),
        sa.Column("body_blocks", sa.LargeBinary(), nullable=False),
        sa.Column("template_blocks", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_template_blocks_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_template_blocks")),
    )
    op.create_index("ix_template_blocks_outlet", "template_blocks", ["outlet_key"])
    op.execute(f"CREATE VIEW v_duplicates AS {V_DUPLICATES}")


def _fill_text_hashes() -> None:
    connection = op.get_bind()
    documents = sa.table(
        "documents", sa.column("id", sa.Integer), sa.column("text", sa.Text),
        sa.column("text_hash", sa.String),
    )  # fmt: skip
    rows = connection.execute(sa.select(documents.c.id, documents.c.text)).all()
    updates = [{"doc_id": doc_id, "hash": text_hash(text)} for doc_id, text in rows]
    if updates:
        connection.execute(
            sa.update(documents)
            .where(documents.c.id == sa.bindparam("doc_id"))
            .values(text_hash=sa.bindparam("hash")),
            updates,
        )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_duplicates")
    op.drop_table("template_blocks")
    op.drop_table("document_sketches")
    op.drop_table("duplicates")
    with op.batch_alter_table("boilerplate_spans") as batch:
        batch.drop_column("template")
    op.drop_index("ix_documents_text_hash", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("text_hash")
