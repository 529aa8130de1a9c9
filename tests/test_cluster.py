"""Clusters: one passage each, carried through copies, deterministic.

The texts are made of sentences of random words (seeded), aligned by the real aligner, so that
the shared runs clustering reads are the ones the pipeline stores.
"""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.align import align_documents
from dedup.cluster import cluster_alignments
from dedup.records import Alignment, Cluster
from dedup.tokens import tokenize

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
VOCABULARY = [f"w{index}" for index in range(3000)]


def spans(clusters):
    return [[(o.doc_key, o.start_char, o.end_char) for o in c.occurrences] for c in clusters]


def story(rng: random.Random, sentences: int = 6) -> str:
    return " ".join(
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(12, 20))).capitalize() + "."
        for _ in range(sentences)
    )


def align_all(texts: dict[str, str]) -> list[Alignment]:
    tokens = {key: tokenize(text) for key, text in texts.items()}
    return [
        alignment
        for a, b in combinations(sorted(texts), 2)
        for alignment in align_documents(a, texts[a], tokens[a], b, texts[b], tokens[b])
    ]


def holders(clusters: list[Cluster], texts: dict[str, str], passage: str) -> list[set[str]]:
    """Per cluster, the documents whose occurrence is (mostly) ``passage``: it holds the
    passage's text, give or take a word at each end."""
    found = []
    for cluster in clusters:
        docs = set()
        for o in cluster.occurrences:
            start = texts[o.doc_key].find(passage[10:-10], o.start_char)
            length = o.end_char - o.start_char
            if (
                start >= 0
                and start + len(passage) - 20 <= o.end_char
                and length < 1.1 * len(passage)
            ):
                docs.add(o.doc_key)
        if docs:
            found.append(docs)
    return found


def test_an_article_of_two_stories_carries_two_passages_and_so_does_its_copy() -> None:
    rng = random.Random(1)
    first, second = story(rng), story(rng)
    texts = {
        "both": f"{first}\n\n{second}",
        "copy-of-both": f"Own intro here.\n\n{first}\n\n{second}\n\nOwn footer.",
        "first": f"{story(rng, 2)}\n\n{first}",
        "second": f"{second}\n\n{story(rng, 2)}",
    }
    clusters = cluster_alignments(align_all(texts))
    assert len(clusters) == 2
    assert holders(clusters, texts, first) == [{"both", "copy-of-both", "first"}]
    assert holders(clusters, texts, second) == [{"both", "copy-of-both", "second"}]


def test_a_digest_of_ten_ledes_gives_ten_passages() -> None:
    rng = random.Random(2)
    ledes = [story(rng, 2) for _ in range(10)]
    digest = "\n\n".join(f"Story {index}. {lede}" for index, lede in enumerate(ledes))
    # the digest is syndicated whole: its copy aligns with it end to end
    texts = {"digest": digest, "digest-repost": f"News in brief\n\n{digest}\n\nMore news"}
    for index, lede in enumerate(ledes):
        texts[f"article-{index}"] = f"{lede}\n\n{story(rng, 5)}"
    clusters = cluster_alignments(align_all(texts))
    assert len(clusters) == 10
    for index, lede in enumerate(ledes):
        assert holders(clusters, texts, lede) == [{"digest", "digest-repost", f"article-{index}"}]


def test_shared_passage_through_a_middle_document_is_one_cluster() -> None:
    clusters = cluster_alignments(
        [Alignment("a", 0, 100, "b", 50, 150, 1.0), Alignment("b", 55, 150, "c", 10, 105, 0.95)]
    )
    assert len(clusters) == 1
    assert [o.doc_key for o in clusters[0].occurrences] == ["a", "b", "c"]


def test_different_passages_touching_by_a_word_stay_apart() -> None:
    clusters = cluster_alignments(
        [Alignment("a", 0, 200, "b", 0, 200, 1.0), Alignment("a", 195, 400, "c", 0, 205, 1.0)]
    )
    assert len(clusters) == 2


def test_a_long_span_sharing_little_text_links_nothing() -> None:
    """A digest merge or summary: one span far longer than what it shares (no runs stored)
    neither joins the passages inside it nor makes a passage of its own."""
    clusters = cluster_alignments(
        [
            Alignment("a", 0, 300, "b", 0, 300, 1.0),
            Alignment("a", 1000, 1300, "c", 0, 300, 1.0),
            Alignment("a", 0, 1300, "d", 0, 400, 0.3),
        ]
    )
    assert spans(clusters) == [[("a", 0, 300), ("b", 0, 300)], [("a", 1000, 1300), ("c", 0, 300)]]


def test_self_alignments_are_ignored() -> None:
    assert cluster_alignments([Alignment("a", 0, 50, "a", 100, 150, 1.0)]) == []


def test_alignments_of_an_older_version_without_runs_still_cluster() -> None:
    rng = random.Random(3)
    passage = story(rng, 3)
    texts = {"a": f"{story(rng, 2)} {passage}", "b": f"{passage} {story(rng, 2)}"}
    with_runs = align_all(texts)
    without = [
        Alignment(x.doc_a, x.a_start, x.a_end, x.doc_b, x.b_start, x.b_end, x.similarity)
        for x in with_runs
    ]
    assert spans(cluster_alignments(without)) == spans(cluster_alignments(with_runs))


# -- properties over generated corpora -------------------------------------------------------

corpus_layouts = st.lists(
    st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True), min_size=2, max_size=6
)


@settings(max_examples=20, deadline=None)
@given(corpus_layouts, st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_every_occurrence_of_a_cluster_is_a_copy_of_one_passage(layouts, seed, rng) -> None:
    """Documents made of shared passages (by number) and text of their own: every occurrence
    of a cluster is (mostly) one and the same passage; any two occurrences are joined by a
    chain of alignments that each cover the passage in both documents; the clusters do not
    depend on the order or direction of the alignments."""
    words = random.Random(seed)
    pool = [story(words, 3) for _ in range(6)]
    texts: dict[str, str] = {}
    where: dict[str, list[tuple[int, int, int]]] = {}  # doc -> (passage, start, end)
    for number, layout in enumerate(layouts):
        parts, places, offset = [], [], 0
        for passage in layout:
            own = story(words, 1) + "\n\n"
            parts += [own, pool[passage] + "\n\n"]
            places.append((passage, offset + len(own), offset + len(own) + len(pool[passage])))
            offset += len(own) + len(pool[passage]) + 2
        texts[f"d{number}"] = "".join(parts)
        where[f"d{number}"] = places
    alignments = align_all(texts)
    clusters = cluster_alignments(alignments)

    def passage_of(doc: str, start: int, end: int) -> int | None:
        for passage, low, high in where[doc]:
            if min(end, high) - max(start, low) >= 0.8 * (end - start):
                return passage
        return None

    for cluster in clusters:
        passages = {passage_of(o.doc_key, o.start_char, o.end_char) for o in cluster.occurrences}
        assert len(passages) == 1 and None not in passages
        # a chain of alignments covering the passage joins every two occurrences
        reach = {cluster.occurrences[0].doc_key}
        by_doc = {o.doc_key: o for o in cluster.occurrences}
        grown = True
        while grown:
            grown = False
            for x in alignments:
                for near, far, near_span, far_span in (
                    (x.doc_a, x.doc_b, (x.a_start, x.a_end), (x.b_start, x.b_end)),
                    (x.doc_b, x.doc_a, (x.b_start, x.b_end), (x.a_start, x.a_end)),
                ):
                    if near in reach and far in by_doc and far not in reach:
                        here, there = by_doc[near], by_doc[far]
                        if _covers(near_span, here) and _covers(far_span, there):
                            reach.add(far)
                            grown = True
        assert reach == set(by_doc)
    shuffled = [x.swapped() if rng.random() < 0.5 else x for x in alignments]
    rng.shuffle(shuffled)
    assert spans(cluster_alignments(shuffled)) == spans(clusters)


def _covers(span: tuple[int, int], occurrence) -> bool:
    overlap = min(span[1], occurrence.end_char) - max(span[0], occurrence.start_char)
    return overlap >= 0.5 * (occurrence.end_char - occurrence.start_char)


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
