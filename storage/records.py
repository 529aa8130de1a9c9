"""Rows of the public SQL views, as ``storage`` returns them to ``reports`` and the CLI.

One dataclass per view of the contract (``../shared/CONTRACT.md``), fields in the view's column
order, so that ``ViewRow(*row)`` builds one from ``select * from v_...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class DocumentRow:
    """``v_documents``."""

    document_id: int
    uri: str
    title: str | None
    outlet: str | None
    author: str | None
    published_at: datetime | None
    text: str
    clean_text: str
    original_share: float | None
    wire_credits: str | None  # comma-separated canonical agency names


@dataclass
class BoilerplateRow:
    """``v_boilerplate``."""

    document_id: int
    uri: str
    start_char: int
    end_char: int
    kind: str
    text: str


@dataclass
class AlignmentRow:
    """``v_alignments``."""

    alignment_id: int
    uri_a: str
    a_start: int
    a_end: int
    uri_b: str
    b_start: int
    b_end: int
    similarity: float


@dataclass
class LineageRow:
    """``v_lineage``: one occurrence of a reused passage."""

    occurrence_id: int
    cluster_id: int
    document_id: int
    uri: str
    start_char: int
    end_char: int
    text: str
    is_origin: bool
    parent_occurrence_id: int | None
    origin_kind: str
    origin_uri: str | None
    origin_source: str | None
    confidence: float
    evidence: str


@dataclass
class ClusterRow:
    """``v_clusters``."""

    cluster_id: int
    n_documents: int
    n_outlets: int
    first_published: datetime | None
    origin_kind: str
    origin_uri: str | None
    origin_source: str | None
    confidence: float
    text: str


@dataclass
class QuoteRow:
    """``v_quotes``: one direct quotation. ``cluster_id`` groups the same words across documents
    (a quote cluster, not a reuse cluster); NULL for a quotation found in one document only."""

    quote_id: int
    document_id: int
    uri: str
    start_char: int
    end_char: int
    text: str
    speaker: str | None
    cluster_id: int | None
    variant_of: int | None
    edit_kind: str | None
