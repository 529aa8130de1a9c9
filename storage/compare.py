"""Compare the lineage of two databases, whatever ids each handed out.

Two runs that should agree (a nightly batch and a full rebuild; SQLite and PostgreSQL; the
Dask runner and the default one) number clusters and occurrences differently. A
:class:`LineageSignature` names every occurrence by its document and span instead, and every
cluster by the set of its occurrences, so equal lineage compares equal.

>>> from storage.store import Store
>>> empty = lineage_signature(Store("sqlite://"))
>>> empty == lineage_signature(Store("sqlite://")), empty.differences(empty)
(True, (0, 0))
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from storage.store import Store

# (uri, start_char, end_char, is_origin, origin_kind, origin_uri, origin_source, parent's uri)
Occurrence = tuple[str, int, int, bool, str, str | None, str | None, str | None]
Span = tuple[str, int, int]


@dataclass(frozen=True)
class LineageSignature:
    """What a lineage says, without database ids."""

    occurrences: frozenset[Occurrence]  # with their cluster's origin and their parent
    clusters: frozenset[frozenset[Span]]  # each cluster as the spans of its occurrences

    def differences(self, other: LineageSignature) -> tuple[int, int]:
        """Occurrences only in ``self``, and only in ``other``."""
        return len(self.occurrences - other.occurrences), len(other.occurrences - self.occurrences)


def lineage_signature(store: Store) -> LineageSignature:
    """The id-free lineage of ``store`` (read from ``v_lineage``)."""
    rows = store.lineage()
    uri_of = {row.occurrence_id: row.uri for row in rows}
    occurrences = frozenset(
        (row.uri, row.start_char, row.end_char, bool(row.is_origin), row.origin_kind,
         row.origin_uri, row.origin_source, uri_of.get(row.parent_occurrence_id))
        for row in rows
    )  # fmt: skip
    members: dict[int, set[Span]] = defaultdict(set)
    for row in rows:
        members[row.cluster_id].add((row.uri, row.start_char, row.end_char))
    return LineageSignature(occurrences, frozenset(frozenset(spans) for spans in members.values()))
