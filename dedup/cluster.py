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

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.records import Alignment, AlignmentTable, Cluster, Occurrence

# Two intervals of one document are the same occurrence when their overlap covers at least
# this share of the shorter one.
MIN_OVERLAP = 0.5


def cluster_alignments(
    alignments: list[Alignment], min_overlap: float = MIN_OVERLAP
) -> list[Cluster]:
    """Transitive clusters of the passages in ``alignments`` (one occurrence per document)."""
    return cluster_table(AlignmentTable.of(alignments), min_overlap)


def cluster_table(table: AlignmentTable, min_overlap: float = MIN_OVERLAP) -> list[Cluster]:
    """``cluster_alignments`` of alignments given as arrays (numpy throughout: a run clusters
    every stored alignment)."""
    across = table.doc_a != table.doc_b  # a document repeating itself is not reuse across
    pairs = int(across.sum())
    if pairs == 0:
        return []
    doc = np.concatenate([table.doc_a[across], table.doc_b[across]])
    start = np.concatenate([table.a_start[across], table.b_start[across]])
    end = np.concatenate([table.a_end[across], table.b_end[across]])
    # distinct intervals sorted by (document, start, end): node numbers independent of the
    # alignments' order
    order = np.lexsort((end, start, doc))
    doc, start, end = doc[order], start[order], end[order]
    first = np.r_[True, (doc[1:] != doc[:-1]) | (start[1:] != start[:-1]) | (end[1:] != end[:-1])]
    node_of = np.empty(len(order), dtype=np.int64)
    node_of[order] = np.cumsum(first) - 1
    doc, start, end = doc[first], start[first], end[first]
    overlap_a, overlap_b = _overlapping(doc, start, end, min_overlap)
    edges_a = np.concatenate([node_of[:pairs], overlap_a])
    edges_b = np.concatenate([node_of[pairs:], overlap_b])
    component = component_labels(len(doc), edges_a, edges_b)
    return _clusters(table.doc_keys, component, doc, start, end)


def component_labels(count: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The connected component of each of ``count`` nodes joined by the edges
    ``(first[i], second[i])`` (scipy's, undirected).

    >>> component_labels(4, np.array([0, 2]), np.array([1, 3])).tolist()
    [0, 0, 1, 1]
    """
    graph = sparse.coo_matrix(
        (np.ones(len(first), dtype=np.int8), (first, second)), shape=(count, count)
    )
    _, labels = connected_components(graph, directed=False)
    return labels


def _overlapping(
    doc: np.ndarray, start: np.ndarray, end: np.ndarray, min_overlap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of intervals (sorted by document, start, end) of the same document that overlap
    by ``min_overlap`` of the shorter one. Each interval is compared with the earlier ones of
    its document still open at its start (ends after it), one lag at a time: an interval
    leaves the loop once no earlier one can still be open (the running maximum of the
    document's ends before the lag is at or before its start)."""
    if len(doc) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # the running maximum of ends within each document (documents are sorted: an offset per
    # document larger than any end keeps one document's ends from reaching the next)
    offset = doc * (int(end.max()) + 1)
    open_until = np.maximum.accumulate(end + offset) - offset
    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    alive = np.arange(1, len(doc))
    lag = 1
    while len(alive):
        earlier = alive - lag
        alive = alive[(earlier >= 0)]
        earlier = alive - lag
        keep = (doc[earlier] == doc[alive]) & (open_until[earlier] > start[alive])
        alive, earlier = alive[keep], earlier[keep]
        overlap = np.minimum(end[alive], end[earlier]) - np.maximum(start[alive], start[earlier])
        shorter = np.minimum(end[alive] - start[alive], end[earlier] - start[earlier])
        joined = (shorter > 0) & (overlap >= min_overlap * shorter)
        found_a.append(alive[joined])
        found_b.append(earlier[joined])
        lag += 1
    return np.concatenate(found_a), np.concatenate(found_b)


def _clusters(
    doc_keys: list[str],
    component: np.ndarray,
    doc: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> list[Cluster]:
    """One cluster per component with intervals in two documents or more: per document, the
    union span of its intervals; occurrences by document key, clusters by occurrences."""
    order = np.lexsort((doc, component))
    component, doc, start, end = component[order], doc[order], start[order], end[order]
    first = np.flatnonzero(np.r_[True, (component[1:] != component[:-1]) | (doc[1:] != doc[:-1])])
    span_component, span_doc = component[first], doc[first]
    span_start = np.minimum.reduceat(start, first)
    span_end = np.maximum.reduceat(end, first)
    bounds = np.flatnonzero(np.r_[True, span_component[1:] != span_component[:-1], True])
    clusters: list[Cluster] = []
    docs, starts, ends = span_doc.tolist(), span_start.tolist(), span_end.tolist()
    for low, high in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if high - low >= 2:
            clusters.append(
                Cluster(
                    [Occurrence(doc_keys[docs[i]], starts[i], ends[i]) for i in range(low, high)]
                )
            )
    clusters.sort(key=lambda c: [(o.doc_key, o.start_char, o.end_char) for o in c.occurrences])
    return clusters
