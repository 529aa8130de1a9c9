"""What a document is, apart from its uri: ``documents.source_key``.

A uri is the path as given on the command line, or a record's id: the same file reached as
``in20/a.txt`` and as ``/abs/in20/a.txt`` had two uris, so it was stored twice, and record
``1`` of a second feed had the uri of record ``1`` of the first, so it replaced it. From this
version on, the ingester names each document by its source (``file:`` and the file's real
path, plus ``#`` and the record's id for a JSONL or WARC record; ``flows.ingest``): a stored
document keeps its uri whatever spelling reaches it, and a document whose uri another one holds
is stored under a qualified uri (the file's real path, ``feed.jsonl#1``) instead of replacing it.

Existing documents: which folder or feed they came from was not recorded, and a relative path
cannot be resolved without the folder the run started in, so their key starts NULL. The next
run that reads one of them fills it in (``Store.set_source_keys``): a file read with the same
uri is that file, as the uri meant until now; a record with the same uri is that record if its
content is the same (else it is another feed's, stored beside it).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it; a batch rebuild would trip over the views).
    op.add_column("documents", sa.Column("source_key", sa.Text(), nullable=True))
    # Unique where set; NULLs (documents not read since) are distinct on both backends.
    op.create_index("uq_documents_source_key", "documents", ["source_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_documents_source_key", table_name="documents")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would trip over the views.
    op.drop_column("documents", "source_key")
