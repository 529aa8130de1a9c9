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
