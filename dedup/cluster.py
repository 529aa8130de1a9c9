"""Clusters of occurrences of the same passage, from pairwise alignments.

A passage is one piece of text that was copied; a document that carries three copied pieces
has three occurrences, in three clusters, and every occurrence of a cluster is a copy of the same
text. Clustering therefore works on *pieces* of documents, not on the alignments' spans: a long
span (a full syndicated copy, a digest, an aggregator page, a newsletter) contains every shorter
passage it touches, and joining spans that overlap chains whole families of unrelated passages
together (measured on real news: one "passage" held 75-83% of the documents).

1. **Shared stretches.** Each alignment brings the runs of words its two spans share verbatim
   (``Alignment.blocks``, from ``dedup.align.shared_runs``). Runs close together on both sides
   (an edited word) form one stretch; a longer gap (a sentence of one side only, a paraphrase
   around a quoted fragment, the parts of a digest merge) separates two.
2. **Cut.** Each document is cut where any of its stretches starts or ends (boundaries closer
   than ``snap_chars`` are one, keeping the exact edges for the occurrences).
3. **Carry.** Cuts cross copies: a boundary inside a stretch is carried through its runs to the
   same place of the other document, round after round, until no document gains a boundary. So
   a story copied in full by one outlet and in two halves by two others is cut in halves in all
   of them, and the halves cluster apart. Pieces shorter than ``min_piece_chars`` (two copies'
   edges a few words apart) join the neighbour covered by more of the same stretches.
4. **Link.** A piece is linked to the piece of the other document its shared runs land on, when
   that piece's runs land back on it (mutual), the runs cover ``link_coverage`` of both pieces,
   and they hold ``min_link_windows`` word 5-grams: the two are copies of one text. A piece left
   alone joins the passage of its best landing (one edge: it cannot bridge two passages).
5. **Passages** are the connected components of the links; adjacent passages that are adjacent
   in every document carrying them (the same documents) were cut for nothing and become one.

A document that carries a passage twice (a lede repeated in a photo caption, a gallery page
before the story) has two occurrences of it. Alignments stored without runs (an older version) count as
one run over their spans when they are copies, and as nothing otherwise. Output is deterministic
and independent of the alignments' order and direction: occurrences sorted by document key then
offset, clusters by their first occurrence.

>>> from dedup.records import Alignment
>>> clusters = cluster_alignments([
...     Alignment("a", 0, 100, "b", 10, 110, 1.0),
...     Alignment("b", 10, 110, "c", 0, 100, 0.9),
...     Alignment("a", 500, 600, "c", 300, 400, 1.0),
... ])
>>> [[(o.doc_key, o.start_char, o.end_char) for o in c.occurrences] for c in clusters]
[[('a', 0, 100), ('b', 10, 110), ('c', 0, 100)], [('a', 500, 600), ('c', 300, 400)]]

A document made of two stories, each copied on its own by another document, carries two
passages, and so does a full copy of it:

>>> stories = cluster_alignments([
...     Alignment("ab", 0, 1000, "a", 0, 1000, 1.0),
...     Alignment("ab", 1000, 2000, "b", 0, 1000, 1.0),
...     Alignment("ab", 0, 2000, "copy", 0, 2000, 1.0),
... ])
>>> [[(o.doc_key, o.start_char, o.end_char) for o in c.occurrences] for c in stories]
[[('a', 0, 1000), ('ab', 0, 1000), ('copy', 0, 1000)], [('ab', 1000, 2000), ('b', 0, 1000), ('copy', 1000, 2000)]]
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.coverage import merge_ranges
from dedup.records import Alignment, AlignmentTable, Cluster, Occurrence


@dataclass(frozen=True)
class ClusterParams:
    # Boundaries of one document closer than this are one (alignment edges of two copies of
    # one paragraph end a word or two apart).
    snap_chars: int = 60
    # A piece is linked to the piece its shared runs land on when they cover at least this
    # share of both pieces: the two pieces are copies of one text, not neighbours by chance.
    link_coverage: float = 0.4
    # ... and when their shared runs hold at least this many word 5-grams (two pieces that
    # share only scattered words and short phrases are rewrites of each other at most).
    min_link_windows: int = 2
    # An alignment stored without its shared runs (older versions) counts as one run over
    # its spans when its matched characters cover this share of the longer span.
    copy_coverage: float = 0.6
    # Shared runs of an alignment farther apart than this (on either side) are two passages.
    segment_gap_chars: int = 40
    # An alignment's edges this far from its first or last shared run are kept (the aligner
    # grew them over a rewritten phrase: ``Russia has confirmed it will cooperate`` / ``Russia
    # said it's working``).
    edge_chars: int = 100
    # A shared stretch shorter than this is chance, not copied text.
    min_segment_chars: int = 40
    # A boundary carried through shared runs lands where the copy's boundary is (runs are
    # exact): it is new unless this close to one the document has.
    carry_snap_chars: int = 10
    # A piece of a document between two cuts shorter than this is a sliver (two copies' edges
    # a few words apart), no passage of its own: it is left out, and the pieces around it
    # count as adjacent.
    min_piece_chars: int = 50
    # Rounds of carrying cuts across alignments (each round crosses one more alignment).
    max_rounds: int = 8


# For alignments stored without runs: characters per word of English news (with the space).
CHARS_PER_WORD = 6

DEFAULT_PARAMS = ClusterParams()

Side = tuple[int, int, int]  # (document, start_char, end_char)


@dataclass
class _Spans:
    """The across-document alignments in a canonical order (so that the result does not
    depend on the input's order or direction), with their shared runs."""

    doc_a: list[int]
    a_start: list[int]
    a_end: list[int]
    doc_b: list[int]
    b_start: list[int]
    b_end: list[int]
    runs: list[
        np.ndarray
    ]  # per alignment: (a_start, a_end, b_start, b_end, words) rows, by a_start

    def __len__(self) -> int:
        return len(self.doc_a)

    def sides(self, index: int) -> tuple[Side, Side]:
        return (
            (self.doc_a[index], self.a_start[index], self.a_end[index]),
            (self.doc_b[index], self.b_start[index], self.b_end[index]),
        )

    @cached_property
    def directed_runs(self) -> _DirectedRuns:
        """Every alignment's runs in both directions, as one table."""
        counts = np.array([len(runs) for runs in self.runs], dtype=np.int64)
        alignment = np.repeat(np.arange(len(self)), counts)
        runs = np.vstack(self.runs) if len(self) else np.zeros((0, 5), dtype=np.int64)
        doc_a = np.array(self.doc_a, dtype=np.int64)[alignment]
        doc_b = np.array(self.doc_b, dtype=np.int64)[alignment]
        forward = np.column_stack([2 * alignment, doc_a, doc_b, runs])
        backward = np.column_stack([2 * alignment + 1, doc_b, doc_a, runs[:, [2, 3, 0, 1, 4]]])
        table = np.vstack([forward, backward])
        table = table[np.lexsort((table[:, 3], table[:, 0]))]
        return _DirectedRuns(*(table[:, column] for column in range(8)))


@dataclass
class _DirectedRuns:
    """The shared runs of every alignment in both directions, one row per run, sorted by
    directed segment (``2 * alignment + direction``) then source offset."""

    segment: np.ndarray
    source: np.ndarray  # source document
    target: np.ndarray  # target document
    source_start: np.ndarray
    source_end: np.ndarray
    target_start: np.ndarray
    target_end: np.ndarray
    words: np.ndarray

    def key(self) -> np.ndarray:
        return self.segment * _KEY + self.source_start

    def carry(self, segments: np.ndarray, points: np.ndarray, slack: int) -> np.ndarray:
        """Where ``points`` of the source of ``segments`` lie in their target, through the
        shared runs (-1: nowhere): inside a run, at the same place of its copy; in a gap of at
        most ``slack`` characters on both sides between two runs (an edited word), at the
        nearer edge of the other side's gap (the two sides of a gap differ, so no place
        inside one matches a place inside the other); elsewhere (text one side does not
        share) nowhere."""
        carried = np.full(len(points), -1, dtype=np.int64)
        if not len(points) or not len(self.segment):
            return carried
        at = np.searchsorted(self.key(), segments * _KEY + points, side="right") - 1
        known = (at >= 0) & (self.segment[np.maximum(at, 0)] == segments)
        at = np.maximum(at, 0)
        start, end = self.source_start[at], self.source_end[at]
        target_start, target_end = self.target_start[at], self.target_end[at]
        inside = known & (points <= end)
        scale = (target_end - target_start) / np.maximum(end - start, 1)
        carried[inside] = np.round(
            target_start[inside] + (points[inside] - start[inside]) * scale[inside]
        )
        after = np.minimum(at + 1, len(self.segment) - 1)
        in_gap = known & ~inside & (self.segment[after] == segments) & (after > at)
        gap_source = self.source_start[after] - end
        gap_target = self.target_start[after] - target_end
        in_gap &= (gap_source <= slack) & (gap_target >= 0) & (gap_target <= slack)
        nearer_start = points - end <= self.source_start[after] - points
        edge = np.where(nearer_start, target_end, self.target_start[after])
        carried[in_gap] = edge[in_gap]
        return carried


# Offsets and document numbers combine into one sortable key (texts are far below 2**32).
_KEY = 2**32


def cluster_alignments(
    alignments: list[Alignment], params: ClusterParams = DEFAULT_PARAMS
) -> list[Cluster]:
    """The passages shared in ``alignments`` (see the module's description)."""
    return cluster_table(AlignmentTable.of(alignments), params)


def cluster_table(table: AlignmentTable, params: ClusterParams = DEFAULT_PARAMS) -> list[Cluster]:
    """``cluster_alignments`` of alignments given as arrays (a run clusters every stored
    alignment)."""
    spans = _canonical_spans(table, params)
    if not len(spans):
        return []
    boundaries, exact = _cut(spans, params)
    _carry(spans, boundaries, params)
    pieces = _Pieces.of(spans, boundaries, params.min_piece_chars)
    landings = _all_landings(spans, pieces, params)
    first, second = _mutual_links(landings, len(pieces))
    labels = component_labels(len(pieces), first, second)
    labels = _attach_lonely(landings, labels)
    labels = _rejoin(pieces, labels, params.min_piece_chars)
    return _clusters(table.doc_keys, pieces, labels, exact, params.min_piece_chars)


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


def reached(pairs: np.ndarray, start: Collection[int]) -> set[int]:
    """The nodes of the graph whose edges are the rows of ``pairs`` (``(n, 2)``, any integer
    ids) that lie in a connected component with one of ``start``, and ``start`` itself.
    Clusters never cross these components when the nodes are documents and the edges their
    alignments: a change to one component leaves the others' clusters as they are.

    >>> sorted(reached(np.array([[1, 2], [2, 5], [3, 4]]), {5, 9}))
    [1, 2, 5, 9]
    """
    found = set(start)
    if not len(pairs) or not found:
        return found
    ids, numbered = np.unique(pairs, return_inverse=True)
    numbered = numbered.reshape(-1, 2)
    labels = component_labels(len(ids), numbered[:, 0], numbered[:, 1])
    starts = np.array(sorted(found), dtype=ids.dtype)
    present = starts[np.isin(starts, ids)]
    touched = np.unique(labels[np.searchsorted(ids, present)])
    found.update(ids[np.isin(labels, touched)].tolist())
    return found


def _canonical_spans(table: AlignmentTable, params: ClusterParams) -> _Spans:
    """The alignments' shared segments, each alignment with its lower document first, sorted
    (so that the result is free of the input's order and direction). Runs of one alignment
    apart by at most ``segment_gap_chars`` on each side (an edited word or phrase) are one
    segment; a longer gap (an own sentence of one side, a paraphrase around a quoted fragment)
    separates two; segments shorter than ``min_segment_chars`` are chance. A segment that is
    its alignment's only one keeps the alignment's edges when they lie within ``edge_chars``
    (the aligner grew them over a rewritten phrase or two)."""
    across = np.flatnonzero(
        (table.doc_a != table.doc_b) & (table.a_end > table.a_start) & (table.b_end > table.b_start)
    )
    bounds = np.column_stack(
        [table.a_start[across], table.a_end[across], table.b_start[across], table.b_end[across]]
    ).astype(np.int64)
    runs, owner = _all_runs(table, across, bounds, params)
    # each alignment with its lower document first
    doc_a, doc_b = table.doc_a[across].astype(np.int64), table.doc_b[across].astype(np.int64)
    flip = doc_a > doc_b
    doc_a, doc_b = np.where(flip, doc_b, doc_a), np.where(flip, doc_a, doc_b)
    bounds[flip] = bounds[flip][:, [2, 3, 0, 1]]
    runs[flip[owner]] = runs[flip[owner]][:, [2, 3, 0, 1, 4]]
    order = np.lexsort((runs[:, 2], runs[:, 0], owner))
    runs, owner = runs[order], owner[order]
    # segments: a new one where the alignment changes or a gap is too wide
    gap = params.segment_gap_chars
    new = np.ones(len(runs), dtype=bool)
    new[1:] = (
        (owner[1:] != owner[:-1])
        | (runs[1:, 0] - runs[:-1, 1] > gap)
        | (runs[1:, 2] - runs[:-1, 3] > gap)
        | (runs[1:, 2] - runs[:-1, 3] < 0)
    )
    starts = np.flatnonzero(new)
    if not len(starts):
        empty: list[int] = []
        return _Spans(empty, [], [], [], [], [], [])
    alignment = owner[starts]
    low_a = np.minimum.reduceat(runs[:, 0], starts)
    high_a = np.maximum.reduceat(runs[:, 1], starts)
    low_b = np.minimum.reduceat(runs[:, 2], starts)
    high_b = np.maximum.reduceat(runs[:, 3], starts)
    keep = np.minimum(high_a - low_a, high_b - low_b) >= params.min_segment_chars
    only = np.bincount(alignment[keep], minlength=len(across))[alignment] == 1
    edge = params.edge_chars
    own = bounds[alignment]
    grow_start = keep & only & (low_a - own[:, 0] <= edge) & (low_b - own[:, 2] <= edge)
    grow_end = keep & only & (own[:, 1] - high_a <= edge) & (own[:, 3] - high_b <= edge)
    low_a, low_b = np.where(grow_start, own[:, 0], low_a), np.where(grow_start, own[:, 2], low_b)
    high_a, high_b = np.where(grow_end, own[:, 1], high_a), np.where(grow_end, own[:, 3], high_b)
    parts = np.split(runs, starts[1:])
    first, second = doc_a[alignment], doc_b[alignment]
    kept = np.flatnonzero(keep)
    ordered = kept[
        np.lexsort(
            (alignment[kept], high_b[kept], low_b[kept], second[kept], high_a[kept],
             low_a[kept], first[kept])
        )
    ]  # fmt: skip
    return _Spans(
        first[ordered].tolist(),
        low_a[ordered].tolist(),
        high_a[ordered].tolist(),
        second[ordered].tolist(),
        low_b[ordered].tolist(),
        high_b[ordered].tolist(),
        [parts[index] for index in ordered.tolist()],
    )


def _all_runs(
    table: AlignmentTable, across: np.ndarray, bounds: np.ndarray, params: ClusterParams
) -> tuple[np.ndarray, np.ndarray]:
    """The shared runs of the alignments ``across`` (rows of ``a_start, a_end, b_start, b_end,
    words``) and the number (into ``across``) of the alignment each belongs to. An alignment
    stored without runs (an older version's) counts as one run over its spans when it is a copy
    (its matched characters cover ``copy_coverage`` of the longer span), and as none
    otherwise."""
    stored = table.blocks if table.blocks is not None else [None] * len(table.doc_a)
    chunks: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    similarity = table.similarity_or_one()
    for number, index in enumerate(across.tolist()):
        runs = stored[index]
        if runs is None or not len(runs):
            a_start, a_end, b_start, b_end = bounds[number].tolist()
            length_a, length_b = a_end - a_start, b_end - b_start
            matched = float(similarity[index]) * (length_a + length_b) / 2
            if matched < params.copy_coverage * max(length_a, length_b):
                continue
            words = round(min(length_a, length_b) / CHARS_PER_WORD)
            runs = np.array([[a_start, a_end, b_start, b_end, words]], dtype=np.int64)
        chunks.append(runs)
        owners.append(np.full(len(runs), number, dtype=np.int64))
    if not chunks:
        return np.zeros((0, 5), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.vstack(chunks).astype(np.int64), np.concatenate(owners)


@dataclass
class _Exact:
    """Where an occurrence that starts or ends at a snapped boundary really starts or ends: the
    alignment edges that were snapped into it (the earliest start, the latest end). A start is
    moved forward only over text no alignment holds (``,” Poznikhir said. “`` between two
    quotes): text that some copy shares stays in the occurrence."""

    start_at: dict[tuple[int, int], int]  # (doc, boundary) -> start offset
    end_at: dict[tuple[int, int], int]  # (doc, boundary) -> end offset
    held: dict[int, list[tuple[int, int]]]  # doc -> merged spans of its alignments' stretches

    def start(self, doc: int, point: int) -> int:
        moved = self.start_at.get((doc, point), point)
        if moved > point and self._held(doc, (point + moved) / 2):
            return point
        return moved

    def _held(self, doc: int, position: float) -> bool:
        spans = self.held.get(doc, [])
        at = bisect_right(spans, (position, float("inf"))) - 1
        return at >= 0 and spans[at][0] < position < spans[at][1]

    def end(self, doc: int, point: int) -> int:
        return self.end_at.get((doc, point), point)


def _cut(spans: _Spans, params: ClusterParams) -> tuple[dict[int, list[int]], _Exact]:
    """Each document's boundaries: where its alignments start and end, a boundary closer than
    ``snap_chars`` to the previous kept one dropped (never so close that a span would vanish:
    the tolerance of a boundary is at most a third of its span)."""
    raw: dict[int, dict[int, float]] = defaultdict(dict)  # doc -> point -> tolerance
    starts: dict[int, set[int]] = defaultdict(set)
    ends: dict[int, set[int]] = defaultdict(set)
    for index in range(len(spans)):
        for doc, start, end in spans.sides(index):
            tolerance = min(params.snap_chars, (end - start) / 3)
            for point in (start, end):
                raw[doc][point] = min(raw[doc].get(point, tolerance), tolerance)
            starts[doc].add(start)
            ends[doc].add(end)
    boundaries: dict[int, list[int]] = {}
    held: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for index in range(len(spans)):
        for doc, start, end in spans.sides(index):
            held[doc].append((start, end))
    exact = _Exact({}, {}, {doc: merge_ranges(found) for doc, found in held.items()})
    for doc, tolerances in raw.items():
        kept: list[int] = []
        for point in sorted(tolerances):
            if not kept or point - kept[-1] > min(tolerances[point], tolerances[kept[-1]]):
                kept.append(point)
            key = (doc, kept[-1])
            if point in starts[doc]:
                exact.start_at[key] = min(exact.start_at.get(key, point), point)
            if point in ends[doc]:
                exact.end_at[key] = max(exact.end_at.get(key, point), point)
        boundaries[doc] = kept
    return boundaries, exact


def _carry(spans: _Spans, boundaries: dict[int, list[int]], params: ClusterParams) -> None:
    """Carry boundaries through the shared runs of every alignment until none is new (in
    place). Each round carries only the boundaries the last one added: the others were carried
    already, and what they proposed then is refused again (boundaries are only ever added)."""
    margin = params.carry_snap_chars
    runs = spans.directed_runs
    word_edges = _word_edges(spans)
    edge_keys = np.concatenate(
        [doc * _KEY + edges for doc, edges in sorted(word_edges.items())]
    ) if word_edges else np.zeros(0, dtype=np.int64)  # fmt: skip
    # the directed segments (2 * alignment + direction): source document and span, target
    # document and span
    count = 2 * len(spans)
    source, target = _both_ways(spans.doc_a, spans.doc_b), _both_ways(spans.doc_b, spans.doc_a)
    low, high = _both_ways(spans.a_start, spans.b_start), _both_ways(spans.a_end, spans.b_end)
    target_low = _both_ways(spans.b_start, spans.a_start)
    target_high = _both_ways(spans.b_end, spans.a_end)
    fresh = {doc: np.array(points, dtype=np.int64) for doc, points in boundaries.items()}
    for _ in range(params.max_rounds):
        keys = np.concatenate([doc * _KEY + fresh[doc] for doc in sorted(fresh)])
        # each segment's fresh points strictly inside it (not within the margin of its edges)
        first = np.searchsorted(keys, source * _KEY + low + margin, side="right")
        last = np.searchsorted(keys, source * _KEY + high - margin, side="left")
        sizes = np.maximum(last - first, 0)
        segments = np.repeat(np.arange(count), sizes)
        picks = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        points = keys[picks] - source[segments] * _KEY
        carried = runs.carry(segments, points, params.segment_gap_chars)
        inside = carried > target_low[segments] + margin
        inside &= carried < target_high[segments] - margin
        documents, carried = target[segments[inside]], carried[inside]
        carried = _nearest_edges(edge_keys, documents * _KEY + carried, margin) - documents * _KEY
        proposed = np.unique(documents * _KEY + carried)
        # refused: those near a boundary the document has (numpy), then near one just added
        current = np.concatenate(
            [doc * _KEY + np.array(boundaries[doc], dtype=np.int64) for doc in sorted(boundaries)]
        )
        at = np.searchsorted(current, proposed)
        before = current[np.maximum(at - 1, 0)]
        after = current[np.minimum(at, len(current) - 1)]
        near = np.minimum(np.abs(proposed - before), np.abs(after - proposed))
        fresh = {}
        last = -1
        for key in proposed[near > margin].tolist():
            if last >= 0 and key - last <= margin:
                continue  # same document (keys of two documents lie far apart)
            last = key
            doc, point = divmod(key, _KEY)
            insort(boundaries[doc], point)
            fresh.setdefault(doc, []).append(point)
        if not fresh:
            return
        fresh = {doc: np.array(points, dtype=np.int64) for doc, points in fresh.items()}


def _both_ways(forward: list[int], backward: list[int]) -> np.ndarray:
    """``forward[i]`` at ``2 i`` and ``backward[i]`` at ``2 i + 1``: a value of each alignment
    for its two directions (or its two sides) side by side, numbered as the directed segments.

    >>> _both_ways([1, 2], [10, 20]).tolist()
    [1, 10, 2, 20]
    """
    both = np.empty(2 * len(forward), dtype=np.int64)
    both[0::2], both[1::2] = forward, backward
    return both


def _word_edges(spans: _Spans) -> dict[int, np.ndarray]:
    """Per document, the places where shared runs start or end: word edges, known without the
    text."""
    edges: dict[int, list[np.ndarray]] = defaultdict(list)
    for index in range(len(spans)):
        runs = spans.runs[index]
        edges[spans.doc_a[index]].append(runs[:, :2].ravel())
        edges[spans.doc_b[index]].append(runs[:, 2:4].ravel())
    return {doc: np.unique(np.concatenate(found)) for doc, found in edges.items()}


def _nearest_edges(edges: np.ndarray, points: np.ndarray, tolerance: int) -> np.ndarray:
    """``points`` moved to the nearest of ``edges`` within ``tolerance`` (a boundary carried
    through a run lands a few characters off when the copies spell words differently: ``U.S.``
    and ``US``, a dash), the others as they are.

    >>> _nearest_edges(np.array([10, 40]), np.array([37, 25, 12]), 5).tolist()
    [40, 25, 10]
    """
    if not len(edges):
        return points
    at = np.searchsorted(edges, points)
    before = edges[np.maximum(at - 1, 0)]
    after = edges[np.minimum(at, len(edges) - 1)]
    nearest = np.where(np.abs(points - before) <= np.abs(after - points), before, after)
    return np.where(np.abs(nearest - points) <= tolerance, nearest, points)


@dataclass
class _Pieces:
    """The covered pieces of every document: piece ``i`` is ``[start[i], end[i])`` of document
    ``doc[i]``, sorted by document then offset."""

    doc: list[int]
    start: list[int]
    end: list[int]

    def __len__(self) -> int:
        return len(self.doc)

    @classmethod
    def of(cls, spans: _Spans, boundaries: dict[int, list[int]], min_chars: int) -> _Pieces:
        """The gaps between a document's boundaries that a span covers (its middle inside the
        span) are its pieces; slivers merged (``_merged_slivers``)."""
        docs = sorted(boundaries)
        points = [np.array(boundaries[doc], dtype=np.int64) for doc in docs]
        counts = np.array([max(len(p) - 1, 0) for p in points], dtype=np.int64)
        gap_doc = np.repeat(np.array(docs, dtype=np.int64), counts)
        gap_start = np.concatenate([p[:-1] for p in points]) if docs else np.zeros(0, np.int64)
        gap_end = np.concatenate([p[1:] for p in points]) if docs else np.zeros(0, np.int64)
        first_gap = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        local = np.arange(len(gap_doc)) - np.repeat(first_gap, counts)
        keys = gap_doc * (2 * _KEY) + gap_start + gap_end  # twice the middle: integers
        # side 2 i + 0 is alignment i's span in its first document, 2 i + 1 in its second
        side_doc = _both_ways(spans.doc_a, spans.doc_b)
        side_start = _both_ways(spans.a_start, spans.b_start)
        side_end = _both_ways(spans.a_end, spans.b_end)
        low = np.searchsorted(keys, side_doc * (2 * _KEY) + 2 * side_start, side="left")
        high = np.searchsorted(keys, side_doc * (2 * _KEY) + 2 * side_end, side="left")
        sizes = np.maximum(high - low, 0)
        side = np.repeat(np.arange(len(side_doc)), sizes)
        gap = np.repeat(low - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        covered = np.unique(gap)
        sliver = (gap_end - gap_start) < min_chars
        with_slivers = set(gap_doc[covered[sliver[covered]]].tolist())
        # the spans covering each gap, for documents with slivers only (which way they go)
        covering: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        pick = np.isin(gap_doc[gap], list(with_slivers)) if with_slivers else np.zeros(0, bool)
        for side_id, gap_id in zip(side[pick].tolist(), gap[pick].tolist(), strict=True):
            covering[int(gap_doc[gap_id])][int(local[gap_id])].add(side_id)
        doc_list: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        covered_doc = gap_doc[covered]
        bounds = np.flatnonzero(np.r_[True, covered_doc[1:] != covered_doc[:-1], True])
        for low_index, high_index in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=False):
            doc = int(covered_doc[low_index])
            gaps = covered[low_index:high_index]
            if doc in with_slivers:
                merged = _merged_slivers(boundaries[doc], covering[doc], min_chars)
            else:
                merged = list(zip(gap_start[gaps].tolist(), gap_end[gaps].tolist(), strict=True))
            for piece_start, piece_end in merged:
                doc_list.append(doc)
                starts.append(piece_start)
                ends.append(piece_end)
        return cls(doc_list, starts, ends)


def _merged_slivers(
    points: list[int], covering: dict[int, set[int]], min_chars: int
) -> list[tuple[int, int]]:
    """The pieces of the covered gaps (``covering``: gap number into consecutive ``points`` ->
    the spans covering it), slivers shorter than ``min_chars`` merged: slivers in a row make a
    piece if together long enough; else they go with the piece before or after them, the one
    covered by more of the same spans (a sliver at the start of a copied sentence belongs to
    that sentence).

    >>> covering = {0: {1}, 1: {1}, 2: {2}, 3: {2}, 4: {2}}
    >>> _merged_slivers([0, 100, 110, 130, 200, 210], covering, 50)
    [(0, 130), (130, 210)]
    >>> _merged_slivers([0, 100, 110, 130, 200, 210], {0: {1}, 1: {2}, 2: {2}, 3: {2}}, 50)
    [(0, 100), (100, 200)]
    """
    groups: list[list[int]] = []  # runs of contiguous gaps, each split into pieces below
    for gap in sorted(covering):
        if groups and groups[-1][-1] == gap - 1:
            groups[-1].append(gap)
        else:
            groups.append([gap])
    pieces: list[tuple[int, int]] = []
    for group in groups:
        pieces += _group_pieces(points, group, covering, min_chars)
    return pieces


def _group_pieces(
    points: list[int], group: list[int], covering: dict[int, set[int]], min_chars: int
) -> list[tuple[int, int]]:
    """``_merged_slivers`` of one run of contiguous gaps."""
    # runs of slivers and single long gaps, in order: (first gap, last gap, is sliver run)
    parts: list[list[int]] = []
    for gap in group:
        sliver = points[gap + 1] - points[gap] < min_chars
        if sliver and parts and parts[-1][2] and points[gap] - points[parts[-1][0]] < min_chars:
            parts[-1][1] = gap
        else:
            parts.append([gap, gap, int(sliver)])
    # a run of slivers long enough together is a piece
    for part in parts:
        if part[2] and points[part[1] + 1] - points[part[0]] >= min_chars:
            part[2] = 0
    anchors = [index for index, part in enumerate(parts) if not part[2]]
    if not anchors:
        return [(points[group[0]], points[group[-1] + 1])]
    owner = list(range(len(parts)))
    for index, part in enumerate(parts):
        if not part[2]:
            continue
        before = max((a for a in anchors if a < index), default=None)
        after = min((a for a in anchors if a > index), default=None)
        if before is None or after is None:
            owner[index] = after if before is None else before
            continue
        spans = set().union(*(covering[gap] for gap in range(part[0], part[1] + 1)))
        shared_before = len(spans & covering[parts[before][1]])
        shared_after = len(spans & covering[parts[after][0]])
        owner[index] = after if shared_after > shared_before else before
    pieces: dict[int, list[int]] = {}
    for index, part in enumerate(parts):
        start, end = points[part[0]], points[part[1] + 1]
        piece = pieces.setdefault(owner[index], [start, end])
        piece[0], piece[1] = min(piece[0], start), max(piece[1], end)
    return [(start, end) for start, end in (pieces[key] for key in sorted(pieces))]


@dataclass
class _Landings:
    """For pieces inside an alignment, per direction: the piece of the other document that most
    of their shared runs land on, when those runs cover ``link_coverage`` of both pieces and
    hold ``min_link_windows`` word 5-grams. One row per (directed segment, piece)."""

    segment: np.ndarray
    piece: np.ndarray
    match: np.ndarray
    share: np.ndarray  # the smaller of the two pieces' matched shares


def _all_landings(spans: _Spans, pieces: _Pieces, params: ClusterParams) -> _Landings:
    runs = spans.directed_runs
    piece_doc = np.array(pieces.doc, dtype=np.int64)
    piece_start = np.array(pieces.start, dtype=np.int64)
    piece_end = np.array(pieces.end, dtype=np.int64)
    start_keys = (piece_doc * _KEY + piece_start).astype(np.float64)
    end_keys = (piece_doc * _KEY + piece_end).astype(np.float64)
    # runs x source pieces they overlap
    run, piece = _overlaps(
        start_keys, end_keys, runs.source * _KEY + runs.source_start,
        runs.source * _KEY + runs.source_end,
    )  # fmt: skip
    part_start = np.maximum(runs.source_start[run], piece_start[piece])
    part_end = np.minimum(runs.source_end[run], piece_end[piece])
    keep = part_end > part_start
    run, piece, part_start, part_end = run[keep], piece[keep], part_start[keep], part_end[keep]
    length = np.maximum(runs.source_end[run] - runs.source_start[run], 1)
    scale = (runs.target_end[run] - runs.target_start[run]) / length
    mapped_start = runs.target_start[run] + (part_start - runs.source_start[run]) * scale
    mapped_end = runs.target_start[run] + (part_end - runs.source_start[run]) * scale
    # ... x target pieces their copies overlap
    target_base = runs.target[run].astype(np.float64) * _KEY
    part, other = _overlaps(
        start_keys, end_keys, target_base + mapped_start, target_base + mapped_end
    )
    overlap = np.minimum(mapped_end[part], piece_end[other]) - np.maximum(
        mapped_start[part], piece_start[other]
    )
    keep = overlap > 0
    part, other, overlap = part[keep], other[keep], overlap[keep]
    run_of = run[part]
    windows = np.maximum(0.0, runs.words[run_of] * overlap / length[part] - 4)
    # sum per (segment, piece, other)
    segment, source_piece = runs.segment[run_of], piece[part]
    order = np.lexsort((other, source_piece, segment))
    segment, source_piece, other = segment[order], source_piece[order], other[order]
    overlap, windows = overlap[order], windows[order]
    if not len(order):
        empty = np.zeros(0, dtype=np.int64)
        return _Landings(empty, empty, empty, np.zeros(0))
    new = np.r_[
        True,
        (segment[1:] != segment[:-1]) | (source_piece[1:] != source_piece[:-1])
        | (other[1:] != other[:-1]),
    ]  # fmt: skip
    starts = np.flatnonzero(new)
    segment, source_piece, other = segment[starts], source_piece[starts], other[starts]
    matched = np.add.reduceat(overlap, starts)
    windows = np.add.reduceat(windows, starts)
    # per (segment, piece): the other piece with the most matched characters (lowest on ties)
    order = np.lexsort((other, -matched, source_piece, segment))
    segment, source_piece, other = segment[order], source_piece[order], other[order]
    matched, windows = matched[order], windows[order]
    best = np.r_[True, (segment[1:] != segment[:-1]) | (source_piece[1:] != source_piece[:-1])]
    segment, source_piece, other = segment[best], source_piece[best], other[best]
    matched, windows = matched[best], windows[best]
    lengths = piece_end - piece_start
    share = np.minimum(
        matched / np.maximum(lengths[source_piece], 1), matched / np.maximum(lengths[other], 1)
    )
    keep = (windows >= params.min_link_windows - 1e-9) & (share >= params.link_coverage)
    return _Landings(segment[keep], source_piece[keep], other[keep], share[keep])


def _overlaps(
    start_keys: np.ndarray, end_keys: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (interval, piece) where interval ``[low[i], high[i])`` overlaps a piece (pieces:
    sorted, disjoint ``[start_keys, end_keys)``)."""
    first = np.searchsorted(end_keys, low, side="right")
    last = np.searchsorted(start_keys, high, side="left")
    sizes = np.maximum(last - first, 0)
    interval = np.repeat(np.arange(len(low)), sizes)
    piece = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    return interval, piece


def _mutual_links(landings: _Landings, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges between pieces that land on each other through one alignment (a piece whose runs
    drift into a neighbour does not link)."""
    keys = landings.segment * count + landings.piece
    order = np.argsort(keys)
    back_keys = (landings.segment ^ 1) * count + landings.match
    at = np.minimum(np.searchsorted(keys[order], back_keys), max(len(keys) - 1, 0))
    if not len(keys):
        return landings.piece, landings.match
    back = order[at]
    mutual = (keys[back] == back_keys) & (landings.match[back] == landings.piece)
    return landings.piece[mutual], landings.match[mutual]


def _attach_lonely(landings: _Landings, labels: np.ndarray) -> np.ndarray:
    """Pieces alone in their component join the component of the piece they land on best
    (covering most of both). One attachment per lonely piece: it cannot bridge two passages
    (a component reached by k attachments has k edges among at most k + 1 old components,
    of which all but one are lonely pieces)."""
    lonely = (np.bincount(labels)[labels] == 1)[landings.piece]
    piece, match, share = landings.piece[lonely], landings.match[lonely], landings.share[lonely]
    if not len(piece):
        return labels
    order = np.lexsort((match, -share, piece))
    piece, match = piece[order], match[order]
    first = np.r_[True, piece[1:] != piece[:-1]]
    _, representative = np.unique(labels, return_index=True)
    nodes = np.arange(len(labels))
    return component_labels(
        len(labels),
        np.concatenate([piece[first], nodes]),
        np.concatenate([match[first], representative[labels]]),
    )


def _rejoin(pieces: _Pieces, labels: np.ndarray, max_gap: int) -> np.ndarray:
    """Join passages that follow each other directly (at most a sliver of ``max_gap``
    characters apart) in every document carrying them."""
    label_list = labels.tolist()
    docs_of: dict[int, set[int]] = defaultdict(set)
    for piece, label in enumerate(label_list):
        docs_of[label].add(pieces.doc[piece])
    follows: dict[tuple[int, int], set[int]] = defaultdict(set)
    for piece in range(len(pieces) - 1):
        following = piece + 1
        if (
            pieces.doc[following] == pieces.doc[piece]
            and pieces.start[following] - pieces.end[piece] < max_gap
            and label_list[following] != label_list[piece]
        ):
            follows[(label_list[piece], label_list[following])].add(pieces.doc[piece])
    first: list[int] = []
    second: list[int] = []
    for (before, after), docs in sorted(follows.items()):
        if len(docs) >= 2 and docs == docs_of[before] == docs_of[after]:
            first.append(before)
            second.append(after)
    if not first:
        return labels
    joined = component_labels(
        int(labels.max()) + 1, np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
    )
    return joined[labels]


def _clusters(
    doc_keys: list[str], pieces: _Pieces, labels: np.ndarray, exact: _Exact, max_gap: int
) -> list[Cluster]:
    """One cluster per component with pieces in two documents or more; an occurrence per run
    of adjacent pieces (at most a sliver of ``max_gap`` characters apart), from the alignment
    edges snapped into its ends (a document that repeats a passage has two)."""
    runs: dict[int, dict[int, list[list[int]]]] = defaultdict(dict)  # label -> doc -> runs
    for piece, label in enumerate(labels.tolist()):
        doc = pieces.doc[piece]
        doc_runs = runs[label].setdefault(doc, [])
        start, end = pieces.start[piece], pieces.end[piece]
        if doc_runs and start - doc_runs[-1][1] < max_gap:
            doc_runs[-1][1] = end
        else:
            doc_runs.append([start, end])
    clusters: list[Cluster] = []
    for by_doc in runs.values():
        if len(by_doc) < 2:
            continue
        clusters.append(
            Cluster(
                [
                    Occurrence(doc_keys[doc], exact.start(doc, start), exact.end(doc, end))
                    for doc in sorted(by_doc)
                    for start, end in by_doc[doc]
                ]
            )
        )
    clusters.sort(key=lambda c: [(o.doc_key, o.start_char, o.end_char) for o in c.occurrences])
    return clusters


# What a cut leaves at an occurrence's start that is no part of the copied text: the end of the
# sentence before it (``,” "That study ...``). Cuts fall between words (where copying starts
# and stops in some copy), so the start moves over punctuation and space onto the first word,
# keeping an opening quotation mark or parenthesis before it. (Dropping one or two words of
# the next sentence at the end, ``... on Monday." The``, read better but cost silver recall:
# those words are copied too, spotify 0.935 -> 0.926.)
_LEADING = re.compile(r"[^\w“‘\"'(]*+(?:[“‘\"'(](?!\w)[^\w“‘\"'(]*+)*+")


def tidy_edges(clusters: list[Cluster], texts: Mapping[str, str]) -> list[Cluster]:
    """``clusters`` with each occurrence starting at a word, or at the opening quotation mark
    or parenthesis before it, instead of the punctuation a cut left (texts by document key;
    an occurrence of a document not in ``texts``, or of no word, is left as it is).

    >>> text = 'He wrote." "That study played no role in it," it said.'
    >>> [cluster] = tidy_edges([Cluster([Occurrence("a", 8, len(text))] * 2)], {"a": text})
    >>> text[cluster.occurrences[0].start_char : cluster.occurrences[0].end_char]
    '"That study played no role in it," it said.'
    """
    return [
        Cluster(
            [_tidy(occurrence, texts.get(occurrence.doc_key)) for occurrence in cluster.occurrences]
        )
        for cluster in clusters
    ]


def _tidy(occurrence: Occurrence, text: str | None) -> Occurrence:
    if text is None:
        return occurrence
    lead = _LEADING.match(text, occurrence.start_char, occurrence.end_char)
    if lead is None or lead.end() in (occurrence.start_char, occurrence.end_char):
        return occurrence
    return Occurrence(occurrence.doc_key, lead.end(), occurrence.end_char)
