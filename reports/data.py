"""What every renderer reads: the rows storage returns, plus indexes over them.

Renderers never query a database; they take a :class:`ReportData`, built either from a
``storage.store.Store`` (:meth:`ReportData.from_store`) or by hand from view rows (tests,
benchmarks). Nothing here detects anything: labels and groupings only.

>>> data = ReportData(documents=[DocumentRow(1, "a.txt", "A", "Daily", None, None, "x", "x", 1.0, None)])
>>> data.document_by_uri["a.txt"].title
'A'
>>> data.outlet_of("a.txt")
'Daily'
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from dedup.sources import outlet_name, source_kind
from storage.records import (
    AlignmentRow,
    BoilerplateRow,
    ClusterRow,
    DocumentRow,
    LineageRow,
    QuoteRow,
)
from storage.urls import mask_url

UNKNOWN_ORIGIN = "unknown origin"


@dataclass
class ReportData:
    """Everything a report shows, as rows of the contract's views."""

    documents: list[DocumentRow] = field(default_factory=list)
    boilerplate: list[BoilerplateRow] = field(default_factory=list)
    alignments: list[AlignmentRow] = field(default_factory=list)
    lineage: list[LineageRow] = field(default_factory=list)
    clusters: list[ClusterRow] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""  # where the rows came from (a database URL with the password hidden)

    @classmethod
    def from_store(cls, store: Any) -> ReportData:
        """Read every view once from a ``storage.store.Store``."""
        return cls(
            documents=list(store.documents()),
            boilerplate=list(store.boilerplate()),
            alignments=list(store.alignments()),
            lineage=list(store.lineage()),
            clusters=list(store.clusters()),
            quotes=list(store.quotes()),
            runs=list(store.runs()),
            # Masked again: a store-like object may hand over a URL as written.
            source=mask_url(str(getattr(store, "display_url", "") or "")),
        )

    # ---- indexes -------------------------------------------------------------------------

    @cached_property
    def document_by_uri(self) -> dict[str, DocumentRow]:
        return {row.uri: row for row in self.documents}

    @cached_property
    def document_by_id(self) -> dict[int, DocumentRow]:
        return {row.document_id: row for row in self.documents}

    @cached_property
    def cluster_by_id(self) -> dict[int, ClusterRow]:
        return {row.cluster_id: row for row in self.clusters}

    @cached_property
    def lineage_by_uri(self) -> dict[str, list[LineageRow]]:
        grouped: dict[str, list[LineageRow]] = defaultdict(list)
        for row in self.lineage:
            grouped[row.uri].append(row)
        for rows in grouped.values():
            rows.sort(key=lambda row: (row.start_char, row.end_char, row.cluster_id))
        return dict(grouped)

    @cached_property
    def lineage_by_cluster(self) -> dict[int, list[LineageRow]]:
        """Occurrences of each cluster, the origin first, then by publication date."""
        grouped: dict[int, list[LineageRow]] = defaultdict(list)
        for row in self.lineage:
            grouped[row.cluster_id].append(row)
        for rows in grouped.values():
            rows.sort(key=lambda row: (not row.is_origin, self.sort_date(row.uri), row.uri))
        return dict(grouped)

    @cached_property
    def occurrence_by_id(self) -> dict[int, LineageRow]:
        return {row.occurrence_id: row for row in self.lineage}

    @cached_property
    def boilerplate_by_uri(self) -> dict[str, list[BoilerplateRow]]:
        grouped: dict[str, list[BoilerplateRow]] = defaultdict(list)
        for row in self.boilerplate:
            grouped[row.uri].append(row)
        for rows in grouped.values():
            rows.sort(key=lambda row: (row.start_char, row.end_char))
        return dict(grouped)

    @cached_property
    def quotes_by_uri(self) -> dict[str, list[QuoteRow]]:
        grouped: dict[str, list[QuoteRow]] = defaultdict(list)
        for row in self.quotes:
            grouped[row.uri].append(row)
        for rows in grouped.values():
            rows.sort(key=lambda row: row.start_char)
        return dict(grouped)

    @cached_property
    def quote_by_id(self) -> dict[int, QuoteRow]:
        return {row.quote_id: row for row in self.quotes}

    @cached_property
    def cluster_ids(self) -> list[int]:
        """Every cluster, whether ``v_clusters`` or only ``v_lineage`` knows it."""
        return sorted(set(self.cluster_by_id) | set(self.lineage_by_cluster))

    # ---- labels --------------------------------------------------------------------------

    def outlet_of(self, uri: str | None) -> str:
        """The document's outlet, else its host or folder name: something a reader recognises."""
        if uri is None:
            return "unknown outlet"
        document = self.document_by_uri.get(uri)
        if document is not None and document.outlet:
            return document.outlet
        host = urlsplit(uri).hostname if uri.startswith(("http://", "https://")) else None
        return host.removeprefix("www.") if host else "unknown outlet"

    def published_at(self, uri: str | None) -> datetime | None:
        document = self.document_by_uri.get(uri) if uri is not None else None
        return as_utc(document.published_at) if document is not None else None

    def sort_date(self, uri: str) -> datetime:
        """Publication date for sorting; undated documents last."""
        return self.published_at(uri) or datetime.max.replace(tzinfo=UTC)

    def origin_of_cluster(self, cluster_id: int) -> tuple[str, str | None, str | None, float]:
        """(origin_kind, origin_uri, origin_source, confidence) of a cluster."""
        cluster = self.cluster_by_id.get(cluster_id)
        if cluster is not None:
            return (
                cluster.origin_kind,
                cluster.origin_uri,
                cluster.origin_source,
                cluster.confidence,
            )
        rows = self.lineage_by_cluster.get(cluster_id) or []
        if rows:
            first = rows[0]
            return (first.origin_kind, first.origin_uri, first.origin_source, first.confidence)
        return ("unknown", None, None, 0.0)

    def origin_label(self, cluster_id: int) -> str:
        """Who a passage came from, as one name: an agency, an outlet, or ``unknown origin``."""
        kind, uri, source, _ = self.origin_of_cluster(cluster_id)
        return origin_label(kind, uri, source, self.document_by_uri)

    @cached_property
    def origin_labels_ranked(self) -> list[str]:
        """Origin labels, most occurrences first (drives the stable colour assignment)."""
        counts: Counter[str] = Counter()
        for cluster_id, rows in self.lineage_by_cluster.items():
            counts[self.origin_label(cluster_id)] += len(rows)
        for cluster_id in self.cluster_by_id:
            counts.setdefault(self.origin_label(cluster_id), 0)
        return sorted(counts, key=lambda label: (label == UNKNOWN_ORIGIN, -counts[label], label))

    def cluster_text(self, cluster_id: int) -> str:
        cluster = self.cluster_by_id.get(cluster_id)
        if cluster is not None and cluster.text:
            return cluster.text
        rows = self.lineage_by_cluster.get(cluster_id) or []
        return rows[0].text if rows else ""

    def cluster_size(self, cluster_id: int) -> int:
        cluster = self.cluster_by_id.get(cluster_id)
        if cluster is not None:
            return cluster.n_documents
        return len({row.uri for row in self.lineage_by_cluster.get(cluster_id, [])})

    def ranked_clusters(self) -> list[int]:
        """Most reused first: most documents, then longest passage, then id."""
        return sorted(
            self.cluster_ids,
            key=lambda cid: (-self.cluster_size(cid), -len(self.cluster_text(cid)), cid),
        )

    # ---- corpus figures ------------------------------------------------------------------

    @cached_property
    def outlets(self) -> list[str]:
        return sorted({row.outlet for row in self.documents if row.outlet})

    @cached_property
    def agencies(self) -> list[str]:
        """Agencies credited by documents or named as external origins (outlets such as The New
        York Times or CNN are sources too, but no agencies: the sources table says which)."""
        names = {credit for row in self.documents for credit in split_credits(row.wire_credits)}
        names |= {
            source
            for cluster_id in self.cluster_ids
            for kind, _, source, _ in [self.origin_of_cluster(cluster_id)]
            if kind == "external" and source
        }
        return sorted(name for name in names if source_kind(name) not in ("outlet", "aggregator"))

    def median_original_share(self) -> float | None:
        shares = [row.original_share for row in self.documents if row.original_share is not None]
        return statistics.median(shares) if shares else None


def origin_label(
    kind: str, uri: str | None, source: str | None, documents: dict[str, DocumentRow]
) -> str:
    """Who a passage came from: the agency or outlet, else the origin document's outlet, host or
    file name, else ``unknown origin``.

    >>> origin_label("external", None, "Reuters", {})
    'Reuters'
    >>> origin_label("unknown", None, None, {})
    'unknown origin'
    """
    if kind == "external":
        return source or "external source"
    if kind == "document":
        if source:
            return source
        document = documents.get(uri) if uri else None
        if document is not None and document.outlet:
            return outlet_name(document.outlet) or document.outlet
        if uri and uri.startswith(("http://", "https://")):
            host = urlsplit(uri).hostname
            if host:
                return host.removeprefix("www.")
        return short_uri(uri) if uri else UNKNOWN_ORIGIN
    return UNKNOWN_ORIGIN


def short_uri(uri: str) -> str:
    """The last path segment of a file path or URL, for tight spaces.

    >>> short_uri("/data/seeds/001_x.txt")
    '001_x.txt'
    >>> short_uri("https://example.com/news/story/")
    'story'
    """
    stripped = uri.rstrip("/")
    name = PurePosixPath(stripped.replace("\\", "/")).name
    return name or uri


def split_credits(credits: str | None) -> list[str]:
    """Agency names from a comma-separated ``wire_credits`` value.

    >>> split_credits("Associated Press, AFP")
    ['Associated Press', 'AFP']
    """
    if not credits:
        return []
    return [part.strip() for part in credits.split(",") if part.strip()]


def as_utc(moment: datetime | str | None) -> datetime | None:
    """Aware UTC datetime (naive values are taken as UTC) so dates from any backend compare.

    >>> as_utc("2016-10-11T09:00:00").isoformat()
    '2016-10-11T09:00:00+00:00'
    """
    if moment is None:
        return None
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A number rounded for output; None (unknown) stays None.

    >>> rounded(0.123456), rounded(None)
    (0.1235, None)
    """
    return None if value is None else round(float(value), digits)


def document_title(document: DocumentRow) -> str:
    """The title, else the last part of the uri (the file name)."""
    if document.title and document.title.strip():
        return document.title.strip()
    return short_uri(document.uri)
