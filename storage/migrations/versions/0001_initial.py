"""Initial schema: the tables of ``storage.models`` and the contract's views.

The views' SQL is written once and runs unchanged on SQLite and PostgreSQL (no
backend-specific functions). It is frozen here on purpose: a later change to a view is a new
revision that drops and recreates it, so that every database's history stays reproducible.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:40:06.491413
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Passage text straight from the document: SQL substr counts characters from 1, the contract's
# offsets are 0-based Python str indexes, end exclusive.
VIEWS: dict[str, str] = {
    "v_documents": """
SELECT d.id AS document_id, d.uri AS uri, d.title AS title, d.outlet AS outlet,
       d.author AS author, d.published_at AS published_at, d.text AS text,
       d.clean_text AS clean_text, d.original_share AS original_share,
       d.wire_credits AS wire_credits
FROM documents AS d
""",
    "v_boilerplate": """
SELECT b.document_id AS document_id, d.uri AS uri, b.start_char AS start_char,
       b.end_char AS end_char, b.kind AS kind,
       substr(d.text, b.start_char + 1, b.end_char - b.start_char) AS text
FROM boilerplate_spans AS b
JOIN documents AS d ON d.id = b.document_id
""",
    "v_alignments": """
SELECT al.id AS alignment_id, d_a.uri AS uri_a, al.a_start AS a_start, al.a_end AS a_end,
       d_b.uri AS uri_b, al.b_start AS b_start, al.b_end AS b_end,
       al.similarity AS similarity
FROM alignments AS al
JOIN documents AS d_a ON d_a.id = al.document_a_id
JOIN documents AS d_b ON d_b.id = al.document_b_id
""",
    "v_lineage": """
SELECT o.id AS occurrence_id, o.cluster_id AS cluster_id, o.document_id AS document_id,
       d.uri AS uri, o.start_char AS start_char, o.end_char AS end_char,
       substr(d.text, o.start_char + 1, o.end_char - o.start_char) AS text,
       o.is_origin AS is_origin, o.parent_occurrence_id AS parent_occurrence_id,
       COALESCE(og.kind, 'unknown') AS origin_kind, od.uri AS origin_uri,
       og.source AS origin_source, COALESCE(og.confidence, 0.0) AS confidence,
       COALESCE(og.evidence, '') AS evidence
FROM occurrences AS o
JOIN documents AS d ON d.id = o.document_id
LEFT JOIN origins AS og ON og.cluster_id = o.cluster_id
LEFT JOIN documents AS od ON od.id = og.origin_document_id
""",
    # n_outlets: distinct outlets, plus one per document whose outlet is unknown (NULL), so a
    # passage shared by two documents of unknown outlet counts two outlets, not zero or one.
    # text: the origin occurrence's passage, else the longest occurrence's (lowest id on ties).
    "v_clusters": """
SELECT c.id AS cluster_id, s.n_documents AS n_documents, s.n_outlets AS n_outlets,
       s.first_published AS first_published, COALESCE(og.kind, 'unknown') AS origin_kind,
       od.uri AS origin_uri, og.source AS origin_source,
       COALESCE(og.confidence, 0.0) AS confidence,
       substr(rd.text, ro.start_char + 1, ro.end_char - ro.start_char) AS text
FROM clusters AS c
JOIN (SELECT o.cluster_id AS cluster_id,
             COUNT(DISTINCT o.document_id) AS n_documents,
             COUNT(DISTINCT d.outlet)
               + SUM(CASE WHEN d.outlet IS NULL THEN 1 ELSE 0 END) AS n_outlets,
             MIN(d.published_at) AS first_published
      FROM occurrences AS o
      JOIN documents AS d ON d.id = o.document_id
      GROUP BY o.cluster_id) AS s ON s.cluster_id = c.id
LEFT JOIN origins AS og ON og.cluster_id = c.id
LEFT JOIN documents AS od ON od.id = og.origin_document_id
LEFT JOIN occurrences AS ro ON ro.id = (
    SELECT o2.id FROM occurrences AS o2
    WHERE o2.cluster_id = c.id
    ORDER BY o2.is_origin DESC, o2.end_char - o2.start_char DESC, o2.id
    LIMIT 1)
LEFT JOIN documents AS rd ON rd.id = ro.document_id
""",
    "v_quotes": """
SELECT q.id AS quote_id, q.document_id AS document_id, d.uri AS uri,
       q.start_char AS start_char, q.end_char AS end_char,
       substr(d.text, q.start_char + 1, q.end_char - q.start_char) AS text,
       q.speaker AS speaker, q.quote_cluster_id AS cluster_id, q.variant_of AS variant_of,
       q.edit_kind AS edit_kind
FROM quotes AS q
JOIN documents AS d ON d.id = q.document_id
""",
}


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("source_format", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("clean_text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("outlet", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("wire_credits", sa.Text(), nullable=True),
        sa.Column("original_share", sa.Float(), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("uri", name=op.f("uq_documents_uri")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "alignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_a_id", sa.Integer(), nullable=False),
        sa.Column("document_b_id", sa.Integer(), nullable=False),
        sa.Column("a_start", sa.Integer(), nullable=False),
        sa.Column("a_end", sa.Integer(), nullable=False),
        sa.Column("b_start", sa.Integer(), nullable=False),
        sa.Column("b_end", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "document_a_id < document_b_id", name=op.f("ck_alignments_canonical_order")
        ),
        sa.ForeignKeyConstraint(
            ["document_a_id"],
            ["documents.id"],
            name=op.f("fk_alignments_document_a_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_b_id"],
            ["documents.id"],
            name=op.f("fk_alignments_document_b_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignments")),
        sa.UniqueConstraint(
            "document_a_id",
            "document_b_id",
            "a_start",
            "a_end",
            "b_start",
            "b_end",
            name="uq_alignments_natural_key",
        ),
    )
    op.create_index("ix_alignments_document_b", "alignments", ["document_b_id"])

    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("cue", sa.String(length=32), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("scope_start", sa.Integer(), nullable=False),
        sa.Column("scope_end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_attributions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attributions")),
    )
    op.create_index("ix_attributions_document", "attributions", ["document_id", "start_char"])

    op.create_table(
        "boilerplate_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.CheckConstraint("start_char <= end_char", name=op.f("ck_boilerplate_spans_span_order")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_boilerplate_spans_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boilerplate_spans")),
    )
    op.create_index(
        "ix_boilerplate_spans_document", "boilerplate_spans", ["document_id", "start_char"]
    )

    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_clusters_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("quote_cluster_id", sa.Integer(), nullable=True),
        sa.Column("variant_of", sa.Integer(), nullable=True),
        sa.Column("edit_kind", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_quotes_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_of"],
            ["quotes.id"],
            name=op.f("fk_quotes_variant_of_quotes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("document_id", "start_char", "end_char", name="uq_quotes_span"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_quotes_cluster", "quotes", ["quote_cluster_id"])
    op.create_index("ix_quotes_variant_of", "quotes", ["variant_of"])

    op.create_table(
        "skipped_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_skipped_files_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_files")),
    )
    op.create_index("ix_skipped_files_run", "skipped_files", ["run_id"])

    op.create_table(
        "occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("is_origin", sa.Boolean(), nullable=False),
        sa.Column("parent_occurrence_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_occurrences_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_occurrences_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_occurrence_id"],
            ["occurrences.id"],
            name=op.f("fk_occurrences_parent_occurrence_id_occurrences"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occurrences")),
        sa.UniqueConstraint("cluster_id", "document_id", name="uq_occurrences_cluster_document"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_occurrences_document", "occurrences", ["document_id", "start_char"])
    op.create_index("ix_occurrences_parent", "occurrences", ["parent_occurrence_id"])

    op.create_table(
        "origin_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("old_kind", sa.String(length=16), nullable=True),
        sa.Column("old_uri", sa.Text(), nullable=True),
        sa.Column("old_source", sa.Text(), nullable=True),
        sa.Column("old_confidence", sa.Float(), nullable=True),
        sa.Column("new_kind", sa.String(length=16), nullable=False),
        sa.Column("new_uri", sa.Text(), nullable=True),
        sa.Column("new_source", sa.Text(), nullable=True),
        sa.Column("new_confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_origin_history_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_origin_history_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_origin_history")),
    )
    op.create_index("ix_origin_history_cluster", "origin_history", ["cluster_id", "id"])

    op.create_table(
        "origins",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin_document_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_origins_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["origin_document_id"],
            ["documents.id"],
            name=op.f("fk_origins_origin_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("cluster_id", name=op.f("pk_origins")),
    )
    op.create_index("ix_origins_document", "origins", ["origin_document_id"])
    for name, select_sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select_sql.strip()}")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW {name}")
    op.drop_index("ix_origins_document", table_name="origins")

    op.drop_table("origins")
    op.drop_index("ix_origin_history_cluster", table_name="origin_history")

    op.drop_table("origin_history")
    op.drop_index("ix_occurrences_parent", table_name="occurrences")
    op.drop_index("ix_occurrences_document", table_name="occurrences")

    op.drop_table("occurrences")
    op.drop_index("ix_skipped_files_run", table_name="skipped_files")

    op.drop_table("skipped_files")
    op.drop_index("ix_quotes_variant_of", table_name="quotes")
    op.drop_index("ix_quotes_cluster", table_name="quotes")

    op.drop_table("quotes")
    op.drop_table("clusters")
    op.drop_index("ix_boilerplate_spans_document", table_name="boilerplate_spans")

    op.drop_table("boilerplate_spans")
    op.drop_index("ix_attributions_document", table_name="attributions")

    op.drop_table("attributions")
    op.drop_index("ix_alignments_document_b", table_name="alignments")

    op.drop_table("alignments")
    op.drop_table("runs")
    op.drop_table("documents")
