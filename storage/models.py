"""SQLAlchemy 2 models of wiretrace's tables (see ``SCHEMA.md`` for what each column holds).

The tables are private to ``storage``; SQL clients and ``reports`` read the contract's views
(``v_documents``, ``v_lineage``, ...), which the migrations create on top of these tables.

Conventions:
- every ``start_char``/``end_char`` is a Python ``str`` index, end exclusive, into
  ``documents.text`` (the contract's offsets);
- datetimes are naive UTC (SQLite has no time zones; PostgreSQL ``timestamp without time zone``),
  so that values round-trip identically on both backends;
- children that mean nothing without their parent are deleted with it (``ON DELETE CASCADE``);
- ``sqlite_autoincrement`` on tables whose ids users see (clusters, occurrences, quotes) so that
  SQLite never hands a deleted id to a new row (PostgreSQL sequences never do).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that later migrations can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DbDocument(Base):
    """One ingested document: its full text, cleaned text and metadata."""

    __tablename__ = "documents"
    __table_args__ = (Index("uq_documents_source_key", "source_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    # What the document is, whatever spelling of its path reached it: ``file:`` and the file's
    # real path, plus ``#`` and the record's id for a JSONL or WARC record (flows.ingest).
    # NULL for documents stored before migration 0010, until a run reads them again.
    source_key: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(128))
    source_format: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    clean_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    wire_credits: Mapped[str | None] = mapped_column(Text)  # comma-separated canonical names
    # Cleaning's own credits (metadata lines it removed): ``wire_credits`` is these plus what
    # the trace finds in the text, recomputed from them whenever the document's facts are due.
    cleaning_wire_credits: Mapped[str | None] = mapped_column(Text)
    original_share: Mapped[float | None] = mapped_column(Float)
    # True until the document has been aligned against the corpus in its current state.
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # sha256 of ``text``: a new document with the text of a stored one is its duplicate.
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class DbDuplicate(Base):
    """A document whose text equals an earlier stored document's (its ``original``)."""

    __tablename__ = "duplicates"
    __table_args__ = (Index("ix_duplicates_original", "original_id"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    original_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))


class DbDocumentSketch(Base):
    """A document's candidate-stage sketch: distinct LSH band keys and shingle hashes."""

    __tablename__ = "document_sketches"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    params: Mapped[str] = mapped_column(String(64))  # CandidateParams.signature
    band_keys: Mapped[bytes] = mapped_column(LargeBinary)  # sorted uint64, little-endian
    shingles: Mapped[bytes] = mapped_column(LargeBinary)  # sorted uint32, little-endian


class DbTemplateBlocks(Base):
    """The line blocks of a document that template detection counts within its outlet."""

    __tablename__ = "template_blocks"
    __table_args__ = (
        Index("ix_template_blocks_outlet", "outlet_key"),
        Index("ix_template_blocks_unmarked", "marked", "outlet_key"),
    )

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    outlet_key: Mapped[str] = mapped_column(Text)
    blocks: Mapped[bytes] = mapped_column(LargeBinary)  # every line's block hash, uint64
    body_blocks: Mapped[bytes] = mapped_column(LargeBinary)  # body lines' (hash | sentence bit)
    template_blocks: Mapped[bytes] = mapped_column(LargeBinary)  # body blocks marked template
    # dedup.clean.TEMPLATE_PIECE rows (NULL: written before they were stored)
    pieces: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # false until the template stage has counted the blocks in the outlet and marked them
    marked: Mapped[bool] = mapped_column(Boolean, server_default=true())


class DbBoilerplateSpan(Base):
    """A span of a document's text that is not article body."""

    __tablename__ = "boilerplate_spans"
    __table_args__ = (
        CheckConstraint("start_char <= end_char", name="span_order"),
        Index("ix_boilerplate_spans_document", "document_id", "start_char"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    # Added by the template stage (recomputed as the outlet grows), not by cleaning.
    template: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class DbAttribution(Base):
    """A phrase crediting an outside source (``he told AP``) and the text it vouches for."""

    __tablename__ = "attributions"
    __table_args__ = (Index("ix_attributions_document", "document_id", "start_char"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(Text)
    phrase: Mapped[str] = mapped_column(Text)
    cue: Mapped[str] = mapped_column(String(32))
    # story | citation | interview | photo (dedup.attribution.credit_kind of the cue)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    scope_start: Mapped[int] = mapped_column(Integer)
    scope_end: Mapped[int] = mapped_column(Integer)


class DbAlignment(Base):
    """A pair of spans carrying the same passage, stored in canonical order (a's id < b's id)."""

    __tablename__ = "alignments"
    __table_args__ = (
        CheckConstraint("document_a_id < document_b_id", name="canonical_order"),
        # Also the index for lookups by document a.
        UniqueConstraint(
            "document_a_id", "document_b_id", "a_start", "a_end", "b_start", "b_end",
            name="uq_alignments_natural_key",
        ),
        Index("ix_alignments_document_b", "document_b_id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_a_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    document_b_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    a_start: Mapped[int] = mapped_column(Integer)
    a_end: Mapped[int] = mapped_column(Integer)
    b_start: Mapped[int] = mapped_column(Integer)
    b_end: Mapped[int] = mapped_column(Integer)
    similarity: Mapped[float] = mapped_column(Float)
    # shared runs of words, int32 (a_start, a_end, b_start, b_end, words) rows (storage.store.pack_runs)
    runs: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class DbCluster(Base):
    """A reused passage; its copies are ``occurrences``. Ids are kept stable across runs."""

    __tablename__ = "clusters"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))


class DbOccurrence(Base):
    """One document's copy of a cluster's passage (a document may carry a passage twice: a lede
    repeated in a photo caption)."""

    __tablename__ = "occurrences"
    __table_args__ = (
        # Also the index for lookups by cluster.
        UniqueConstraint(
            "cluster_id", "document_id", "start_char", "end_char", name="uq_occurrences_span"
        ),
        Index("ix_occurrences_document", "document_id", "start_char"),
        Index("ix_occurrences_parent", "parent_occurrence_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    is_origin: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("occurrences.id", ondelete="SET NULL")
    )


class DbOrigin(Base):
    """The probable origin of a cluster (one per cluster)."""

    __tablename__ = "origins"
    __table_args__ = (Index("ix_origins_document", "origin_document_id"),)

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # document, external, unknown
    origin_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    source: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)


class DbOriginHistory(Base):
    """A change of a cluster's origin (kind, document or source), appended by each run."""

    __tablename__ = "origin_history"
    __table_args__ = (Index("ix_origin_history_cluster", "cluster_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    # Uris, not ids: the history must stay readable if a document goes away.
    old_kind: Mapped[str | None] = mapped_column(String(16))
    old_uri: Mapped[str | None] = mapped_column(Text)
    old_source: Mapped[str | None] = mapped_column(Text)
    old_confidence: Mapped[float | None] = mapped_column(Float)
    new_kind: Mapped[str] = mapped_column(String(16))
    new_uri: Mapped[str | None] = mapped_column(Text)
    new_source: Mapped[str | None] = mapped_column(Text)
    new_confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)


class DbQuote(Base):
    """A direct quotation; quotations of the same words share ``quote_cluster_id``."""

    __tablename__ = "quotes"
    __table_args__ = (
        # Also the index for lookups by document.
        UniqueConstraint("document_id", "start_char", "end_char", name="uq_quotes_span"),
        Index("ix_quotes_cluster", "quote_cluster_id"),
        Index("ix_quotes_variant_of", "variant_of"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(Text)
    # The smallest quote id of the group: deterministic and stable while that quote exists.
    quote_cluster_id: Mapped[int | None] = mapped_column(Integer)
    variant_of: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", ondelete="SET NULL"))
    edit_kind: Mapped[str | None] = mapped_column(String(16))


class DbQuoteWording(Base):
    """A distinct folded wording of the quotes the last quote grouping compared (derived
    data: what lets the next grouping score only pairs with a new wording)."""

    __tablename__ = "quote_wordings"

    # First 8 bytes of the wording's BLAKE2b digest, signed (``storage.store.wording_key``).
    wording_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    wording: Mapped[str] = mapped_column(Text)
    # dedup.quote_groups.MATCH_SIGNATURE of the grouping that stored it
    signature: Mapped[str] = mapped_column(String(128))


class DbQuoteWordingMatch(Base):
    """Two wordings the last quote grouping compared and found to be one quotation."""

    __tablename__ = "quote_wording_matches"

    wording_a: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    wording_b: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class DbRun(Base):
    """One ``wiretrace run``: when, with what parameters and versions, and what it counted."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DbSkippedFile(Base):
    """A file a run could not ingest, and why."""

    __tablename__ = "skipped_files"
    __table_args__ = (Index("ix_skipped_files_run", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    uri: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
