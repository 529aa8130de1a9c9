"""Clusters: transitive, one occurrence per document, deterministic."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.align import align_documents
from dedup.cluster import cluster_alignments
from dedup.records import Alignment
from dedup.tokens import tokenize

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def spans(clusters):
    return [[(o.doc_key, o.start_char, o.end_char) for o in c.occurrences] for c in clusters]


def test_shared_passage_through_a_middle_document_is_one_cluster() -> None:
    clusters = cluster_alignments(
        [Alignment("a", 0, 100, "b", 50, 150, 1.0), Alignment("b", 55, 150, "c", 10, 105, 0.95)]
    )
    assert spans(clusters) == [[("a", 0, 100), ("b", 50, 150), ("c", 10, 105)]]


def test_one_occurrence_per_document_is_the_union_of_its_spans() -> None:
    clusters = cluster_alignments(
        [
            Alignment("a", 0, 100, "b", 0, 100, 1.0),
            Alignment("a", 10, 120, "c", 0, 110, 1.0),
            Alignment("b", 5, 100, "c", 5, 110, 1.0),
        ]
    )
    [cluster] = clusters
    assert len(cluster.doc_keys) == len(set(cluster.doc_keys)) == 3
    assert spans(clusters)[0][0] == ("a", 0, 120)


def test_different_passages_touching_by_a_word_stay_apart() -> None:
    clusters = cluster_alignments(
        [Alignment("a", 0, 200, "b", 0, 200, 1.0), Alignment("a", 195, 400, "c", 0, 205, 1.0)]
    )
    assert len(clusters) == 2


def test_self_alignments_are_ignored() -> None:
    assert cluster_alignments([Alignment("a", 0, 50, "a", 100, 150, 1.0)]) == []


interval = st.tuples(st.sampled_from("abcde"), st.integers(0, 300), st.integers(10, 120))
alignment = (
    st.tuples(interval, interval)
    .filter(lambda pair: pair[0][0] != pair[1][0])
    .map(
        lambda pair: Alignment(
            pair[0][0],
            pair[0][1],
            pair[0][1] + pair[0][2],
            pair[1][0],
            pair[1][1],
            pair[1][1] + pair[1][2],
            1.0,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(st.lists(alignment, max_size=12), st.randoms())
def test_clusters_are_deterministic_and_cover_every_alignment(alignments, rng) -> None:
    clusters = cluster_alignments(alignments)
    shuffled = list(alignments)
    rng.shuffle(shuffled)
    swapped = [x.swapped() if rng.random() < 0.5 else x for x in shuffled]
    assert spans(cluster_alignments(swapped)) == spans(clusters)
    for cluster in clusters:
        assert len(set(cluster.doc_keys)) == len(cluster.doc_keys) >= 2
    for x in alignments:
        # Both ends of every alignment are inside occurrences of one and the same cluster.
        homes = [
            index
            for index, cluster in enumerate(clusters)
            for o in cluster.occurrences
            if o.doc_key == x.doc_a and o.start_char <= x.a_start and x.a_end <= o.end_char
        ]
        others = [
            index
            for index, cluster in enumerate(clusters)
            for o in cluster.occurrences
            if o.doc_key == x.doc_b and o.start_char <= x.b_start and x.b_end <= o.end_char
        ]
        assert set(homes) & set(others)


def test_seed_quotes_cluster_with_one_occurrence_in_each_document() -> None:
    texts = {p.name[:3]: p.read_bytes().decode("utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    tokens = {key: tokenize(text) for key, text in texts.items()}
    alignments = [
        x
        for a, b in [("000", "001"), ("001", "002")]
        for x in align_documents(a, texts[a], tokens[a], b, texts[b], tokens[b])
    ]
    clusters = cluster_alignments(alignments)
    for quote_start, docs in [
        ("Russian military experts believe", {"000", "001"}),
        ("If one of the gladiators", {"000", "001"}),
        ("We are working together", {"001", "002"}),
        ("The illusion of invulnerability", {"001", "002"}),
    ]:
        holding = [
            c
            for c in clusters
            if all(
                any(
                    o.doc_key == doc and texts[doc].find(quote_start, o.start_char) == o.start_char
                    for o in c.occurrences
                )
                for doc in docs
            )
        ]
        assert len(holding) == 1, quote_start


def _naive_clusters(alignments: list[Alignment], min_overlap: float = 0.5) -> list:
    """The definition: intervals joined by their alignments and by overlapping (at least half
    the shorter) any other interval of their document; a component's union span per document."""
    intervals = sorted(
        {(a.doc_a, a.a_start, a.a_end) for a in alignments if a.doc_a != a.doc_b}
        | {(a.doc_b, a.b_start, a.b_end) for a in alignments if a.doc_a != a.doc_b}
    )
    parent = {interval: interval for interval in intervals}

    def root(interval):
        while parent[interval] != interval:
            interval = parent[interval]
        return interval

    def join(one, other):
        parent[root(one)] = root(other)

    for a in alignments:
        if a.doc_a != a.doc_b:
            join((a.doc_a, a.a_start, a.a_end), (a.doc_b, a.b_start, a.b_end))
    for one in intervals:
        for other in intervals:
            if one[0] == other[0]:
                overlap = min(one[2], other[2]) - max(one[1], other[1])
                shorter = min(one[2] - one[1], other[2] - other[1])
                if shorter > 0 and overlap >= min_overlap * shorter:
                    join(one, other)
    members: dict = {}
    for interval in intervals:
        doc, start, end = interval
        spans_of = members.setdefault(root(interval), {})
        old = spans_of.get(doc, (start, end))
        spans_of[doc] = (min(start, old[0]), max(end, old[1]))
    return sorted(
        [(doc, *span) for doc, span in sorted(spans_of.items())]
        for spans_of in members.values()
        if len(spans_of) >= 2
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcd"),
            st.integers(0, 60),
            st.integers(0, 40),
            st.sampled_from("abcd"),
            st.integers(0, 60),
            st.integers(0, 40),
        ),
        max_size=40,
    )  # fmt: skip
)
def test_clusters_equal_the_definition_on_dense_overlaps(rows) -> None:
    """Many intervals of few documents, nested, touching, empty and repeated: the vectorised
    clustering gives the definition's clusters."""
    alignments = [
        Alignment(doc_a, start_a, start_a + length_a, doc_b, start_b, start_b + length_b, 1.0)
        for doc_a, start_a, length_a, doc_b, start_b, length_b in rows
    ]
    assert spans(cluster_alignments(alignments)) == _naive_clusters(alignments)
