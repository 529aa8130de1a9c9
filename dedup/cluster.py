"""Clusters of occurrences of the same passage, from pairwise alignments.

Union-find over occurrence intervals: each alignment contributes one interval in each of its
two documents and joins them; two intervals of the same document join when they overlap by at
least ``min_overlap`` of the shorter one. That makes clusters transitive (A shares a passage
with B, B with C: one cluster A-B-C) while two different passages that merely touch in one
document (adjacent quotes overlapping by a word or two after edge extension) do not chain
their whole families together. A component becomes a ``Cluster`` with one occurrence per
document: the union span of that document's intervals in the component.

Output is deterministic: occurrences sorted by document key then offset, clusters by their
first occurrence.

>>> from dedup.records import Alignment
>>> clusters = cluster_alignments([
...     Alignment("a", 0, 100, "b", 10, 110, 1.0),
...     Alignment("b", 20, 105, "c", 0, 85, 0.9),
...     Alignment("a", 500, 600, "c", 300, 400, 1.0),
... ])
>>> [[(o.doc_key, o.start_char, o.end_char) for o in c.occurrences] for c in clusters]
[[('a', 0, 100), ('b', 10, 110), ('c', 0, 85)], [('a', 500, 600), ('c', 300, 400)]]
"""

from __future__ import annotations

from collections import defaultdict

from dedup.records import Alignment, Cluster, Occurrence

# Two intervals of one document are the same occurrence when their overlap covers at least
# this share of the shorter one.
MIN_OVERLAP = 0.5


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        root_first, root_second = self.find(first), self.find(second)
        if root_first != root_second:
            # Smaller index as root keeps the result independent of union order.
            low, high = sorted((root_first, root_second))
            self.parent[high] = low


def cluster_alignments(
    alignments: list[Alignment], min_overlap: float = MIN_OVERLAP
) -> list[Cluster]:
    """Transitive clusters of the passages in ``alignments`` (one occurrence per document)."""
    intervals: list[tuple[str, int, int]] = []
    for alignment in alignments:
        if alignment.doc_a == alignment.doc_b:
            continue  # a document repeating itself is not reuse across documents
        intervals.append((alignment.doc_a, alignment.a_start, alignment.a_end))
        intervals.append((alignment.doc_b, alignment.b_start, alignment.b_end))
    # Sorted, deduplicated intervals make the union-find indices independent of input order.
    unique = sorted(set(intervals))
    index_of = {interval: index for index, interval in enumerate(unique)}
    forest = _UnionFind(len(unique))
    for alignment in alignments:
        if alignment.doc_a != alignment.doc_b:
            forest.union(
                index_of[(alignment.doc_a, alignment.a_start, alignment.a_end)],
                index_of[(alignment.doc_b, alignment.b_start, alignment.b_end)],
            )
    _join_overlapping(unique, forest, min_overlap)

    spans: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for index, (doc_key, start, end) in enumerate(unique):
        per_doc = spans[forest.find(index)]
        if doc_key in per_doc:
            old_start, old_end = per_doc[doc_key]
            start, end = min(start, old_start), max(end, old_end)
        per_doc[doc_key] = (start, end)
    clusters = [
        Cluster(
            [Occurrence(doc_key, start, end) for doc_key, (start, end) in sorted(per_doc.items())]
        )
        for per_doc in spans.values()
        if len(per_doc) >= 2
    ]
    clusters.sort(key=lambda c: [(o.doc_key, o.start_char, o.end_char) for o in c.occurrences])
    return clusters


def _join_overlapping(
    intervals: list[tuple[str, int, int]], forest: _UnionFind, min_overlap: float
) -> None:
    """Union intervals of the same document that overlap enough (``intervals`` is sorted)."""
    active: list[int] = []  # indices of intervals of the current document still open
    current_doc: str | None = None
    for index, (doc_key, start, end) in enumerate(intervals):
        if doc_key != current_doc:
            active, current_doc = [], doc_key
        active = [other for other in active if intervals[other][2] > start]
        for other in active:
            _, other_start, other_end = intervals[other]
            overlap = min(end, other_end) - max(start, other_start)
            shorter = min(end - start, other_end - other_start)
            if shorter > 0 and overlap >= min_overlap * shorter:
                forest.union(index, other)
        active.append(index)
