"""The contract's views as typed SQLAlchemy tables, for reading (the migrations create them).

Selecting through these gives the same Python types on every backend: SQLite's 0/1 become
``bool``, its datetime strings (also from ``MIN()``) become ``datetime``.
The column lists are the contract (``../shared/CONTRACT.md``), in order.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, MetaData, Table, Text

# Views are not created from this metadata (the migrations own their SQL): never create_all it.
view_metadata = MetaData()

v_documents = Table(
    "v_documents",
    view_metadata,
    Column("document_id", Integer),
    Column("uri", Text),
    Column("title", Text),
    Column("outlet", Text),
    Column("author", Text),
    Column("published_at", DateTime),
    Column("text", Text),
    Column("clean_text", Text),
    Column("original_share", Float),
    Column("wire_credits", Text),
)

v_boilerplate = Table(
    "v_boilerplate",
    view_metadata,
    Column("document_id", Integer),
    Column("uri", Text),
    Column("start_char", Integer),
    Column("end_char", Integer),
    Column("kind", Text),
    Column("text", Text),
)

v_alignments = Table(
    "v_alignments",
    view_metadata,
    Column("alignment_id", Integer),
    Column("uri_a", Text),
    Column("a_start", Integer),
    Column("a_end", Integer),
    Column("uri_b", Text),
    Column("b_start", Integer),
    Column("b_end", Integer),
    Column("similarity", Float),
)

v_lineage = Table(
    "v_lineage",
    view_metadata,
    Column("occurrence_id", Integer),
    Column("cluster_id", Integer),
    Column("document_id", Integer),
    Column("uri", Text),
    Column("start_char", Integer),
    Column("end_char", Integer),
    Column("text", Text),
    Column("is_origin", Boolean(create_constraint=False)),
    Column("parent_occurrence_id", Integer),
    Column("origin_kind", Text),
    Column("origin_uri", Text),
    Column("origin_source", Text),
    Column("confidence", Float),
    Column("evidence", Text),
)

v_clusters = Table(
    "v_clusters",
    view_metadata,
    Column("cluster_id", Integer),
    Column("n_documents", Integer),
    Column("n_outlets", Integer),
    Column("first_published", DateTime),
    Column("origin_kind", Text),
    Column("origin_uri", Text),
    Column("origin_source", Text),
    Column("confidence", Float),
    Column("text", Text),
)

v_quotes = Table(
    "v_quotes",
    view_metadata,
    Column("quote_id", Integer),
    Column("document_id", Integer),
    Column("uri", Text),
    Column("start_char", Integer),
    Column("end_char", Integer),
    Column("text", Text),
    Column("speaker", Text),
    Column("cluster_id", Integer),
    Column("variant_of", Integer),
    Column("edit_kind", Text),
)

v_credits = Table(
    "v_credits",
    view_metadata,
    Column("credit_id", Integer),
    Column("document_id", Integer),
    Column("uri", Text),
    Column("start_char", Integer),
    Column("end_char", Integer),
    Column("phrase", Text),
    Column("source", Text),
    Column("kind", Text),
    Column("cue", Text),
    Column("scope_start", Integer),
    Column("scope_end", Integer),
)

VIEWS: dict[str, Table] = {table.name: table for table in view_metadata.sorted_tables}
