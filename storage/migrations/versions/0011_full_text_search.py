"""Full-text search over documents and passages (SQLite FTS5), kept in step by triggers.

- ``documents_fts``: an FTS5 index of each document's ``title``, ``outlet``, ``author`` and
  ``clean_text`` (external content: it reads the words from ``documents``, ``rowid`` =
  ``documents.id``). Datasette finds it by itself and shows a search box on ``documents``;
  ``wiretrace serve`` points ``v_documents``'s search at it too.
- ``passages_fts``: an FTS5 index of each reused passage copy (``rowid`` =
  ``occurrences.id``, ``text`` = the copy's words as ``v_lineage.text`` gives them). It holds
  its own copy of the words: an occurrence's text lives in its document, so an external
  content table could not hand FTS5 the old words when an occurrence is deleted.

Triggers, not the store, keep both in step, so that every way the store writes (new
documents, changed documents and the deletions they cascade to, clusters rewritten by a
re-run, migrations) updates them in the same transaction. ``documents_fts`` is re-indexed
only when a searched column changes, not when a run updates ``pending`` or
``original_share``.

And an index for the pages ``serve`` shows: ``ix_documents_lineage_facts`` on ``documents
(id, outlet, published_at)``. On SQLite a row keeps its columns in order, and ``outlet`` and
``published_at`` come after ``text`` and ``clean_text`` (kilobytes, in overflow pages): the
views that count outlets and dates per passage (``v_clusters``, "who copies whom") read them
through this covering index instead, twice as fast on 10,000 articles.

A later migration that rebuilds ``documents`` or ``occurrences`` on SQLite (batch mode)
must drop these triggers first and make them again (as 0008 does for views).

PostgreSQL: nothing (no FTS5, a tsvector index is left to whoever needs it there; long texts
are stored apart from the row, so the index would not help). The
canned queries (``storage/canned.py``) that do not search run on both backends.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Words folded to lower case and without diacritics ("Macron" finds "MACRON", "resume" finds
# "résumé"); no stemming, so a quoted phrase finds those words as written.
TOKENIZE = "unicode61 remove_diacritics 2"
DOCUMENT_COLUMNS = ("title", "outlet", "author", "clean_text")
FACTS_INDEX = "ix_documents_lineage_facts"

_document_values = ", ".join(f"new.{column}" for column in DOCUMENT_COLUMNS)
_old_document_values = ", ".join(f"old.{column}" for column in DOCUMENT_COLUMNS)
_document_columns = ", ".join(DOCUMENT_COLUMNS)
# The copy's words, as v_lineage reads them (SQL substr counts characters from 1).
_PASSAGE_TEXT = (
    "(SELECT substr(d.text, {o}.start_char + 1, {o}.end_char - {o}.start_char) "
    "FROM documents AS d WHERE d.id = {o}.document_id)"
)

TABLES = {
    "documents_fts": f"""
CREATE VIRTUAL TABLE documents_fts USING fts5(
    {_document_columns}, content='documents', content_rowid='id', tokenize='{TOKENIZE}')
""",
    "passages_fts": f"""
CREATE VIRTUAL TABLE passages_fts USING fts5(text, tokenize='{TOKENIZE}')
""",
}

TRIGGERS = {
    "documents_fts_insert": f"""
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
  INSERT INTO documents_fts (rowid, {_document_columns}) VALUES (new.id, {_document_values});
END
""",
    "documents_fts_delete": f"""
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
  INSERT INTO documents_fts (documents_fts, rowid, {_document_columns})
  VALUES ('delete', old.id, {_old_document_values});
END
""",
    "documents_fts_update": f"""
CREATE TRIGGER documents_fts_update AFTER UPDATE OF {_document_columns} ON documents BEGIN
  INSERT INTO documents_fts (documents_fts, rowid, {_document_columns})
  VALUES ('delete', old.id, {_old_document_values});
  INSERT INTO documents_fts (rowid, {_document_columns}) VALUES (new.id, {_document_values});
END
""",
    "passages_fts_insert": f"""
CREATE TRIGGER passages_fts_insert AFTER INSERT ON occurrences BEGIN
  INSERT INTO passages_fts (rowid, text) VALUES (new.id, {_PASSAGE_TEXT.format(o="new")});
END
""",
    "passages_fts_delete": """
CREATE TRIGGER passages_fts_delete AFTER DELETE ON occurrences BEGIN
  DELETE FROM passages_fts WHERE rowid = old.id;
END
""",
    "passages_fts_update": f"""
CREATE TRIGGER passages_fts_update
AFTER UPDATE OF document_id, start_char, end_char ON occurrences BEGIN
  DELETE FROM passages_fts WHERE rowid = old.id;
  INSERT INTO passages_fts (rowid, text) VALUES (new.id, {_PASSAGE_TEXT.format(o="new")});
END
""",
    # The store deletes a changed document's occurrences; this keeps the index right should
    # a text ever change under occurrences that stay.
    "passages_fts_document_text": f"""
CREATE TRIGGER passages_fts_document_text AFTER UPDATE OF text ON documents BEGIN
  DELETE FROM passages_fts
  WHERE rowid IN (SELECT id FROM occurrences WHERE document_id = new.id);
  INSERT INTO passages_fts (rowid, text)
  SELECT o.id, {_PASSAGE_TEXT.format(o="o")} FROM occurrences AS o WHERE o.document_id = new.id;
END
""",
}


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _is_sqlite():
        return
    op.create_index(FACTS_INDEX, "documents", ["id", "outlet", "published_at"])
    for create in TABLES.values():
        op.execute(create.strip())
    # What is stored already: FTS5 reads an external content table by itself on 'rebuild'.
    op.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
    op.execute(
        f"INSERT INTO passages_fts (rowid, text) SELECT o.id, {_PASSAGE_TEXT.format(o='o')} "
        "FROM occurrences AS o"
    )
    for create in TRIGGERS.values():
        op.execute(create.strip())


def downgrade() -> None:
    if not _is_sqlite():
        return
    for name in reversed(list(TRIGGERS)):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for name in reversed(list(TABLES)):
        op.execute(f"DROP TABLE IF EXISTS {name}")
    op.execute(f"DROP INDEX IF EXISTS {FACTS_INDEX}")
