"""Alignment: the passages two documents share, whole, with exact offsets, and nothing else."""

from __future__ import annotations

import dataclasses
import itertools
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.align import DEFAULT_PARAMS, _Region, align_documents, merge_digests
from dedup.records import Alignment
from dedup.tokens import tokenize

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# The wire quotes shared by the seeds (issue 2), located by their first and last words.
AP_QUOTES = [
    ("Russian military experts believe", "nuclear-tipped missiles with impunity"),
    ("If one of the gladiators takes up a shield", "missile deployment"),
]
BLOOMBERG_QUOTES = [
    ("We are working together on ways", "the security of our countries"),
    ("The illusion of invulnerability", "to preempt enemy actions"),
]
# Bloomberg's lede, which 001 copies with one inserted word: shared, but not a quote.
BLOOMBERG_LEDE = ("to counter U.S. plans to expand", "missile-defense network")


@cache
def seed_text(prefix: str) -> str:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_bytes().decode("utf-8")


def locate(text: str, first_words: str, last_words: str) -> tuple[int, int]:
    """Span from the first occurrence of ``first_words`` to the end of ``last_words`` after it."""
    start = text.index(first_words)
    return start, text.index(last_words, start) + len(last_words)


def align_texts(key_a: str, text_a: str, key_b: str, text_b: str) -> list[Alignment]:
    return align_documents(key_a, text_a, tokenize(text_a), key_b, text_b, tokenize(text_b))


def align_seeds(prefix_a: str, prefix_b: str) -> list[Alignment]:
    return align_texts(prefix_a, seed_text(prefix_a), prefix_b, seed_text(prefix_b))


def covered_share(span: tuple[int, int], start: int, end: int) -> float:
    return max(0, min(span[1], end) - max(span[0], start)) / (span[1] - span[0])


def alignments_covering(
    alignments: list[Alignment], quote: tuple[str, str], prefix_a: str, prefix_b: str
) -> list[Alignment]:
    """Alignments covering at least 80% of the quote in both documents."""
    span_a = locate(seed_text(prefix_a), *quote)
    span_b = locate(seed_text(prefix_b), *quote)
    return [
        x
        for x in alignments
        if covered_share(span_a, x.a_start, x.a_end) >= 0.8
        and covered_share(span_b, x.b_start, x.b_end) >= 0.8
    ]


@pytest.mark.parametrize("quote", AP_QUOTES)
def test_seeds_ap_quotes_each_found_whole_in_one_alignment(quote) -> None:
    assert len(alignments_covering(align_seeds("000", "001"), quote, "000", "001")) == 1


def test_seeds_bloomberg_quotes_are_two_separate_alignments() -> None:
    alignments = align_seeds("001", "002")
    found = [alignments_covering(alignments, quote, "001", "002") for quote in BLOOMBERG_QUOTES]
    assert [len(hits) for hits in found] == [1, 1]
    assert found[0][0] != found[1][0], "the quotes are separated by 25 words in 001"


def test_seeds_reused_characters_lie_in_shared_quotes() -> None:
    """At least 90% of the characters marked as reused lie in the known shared material."""
    known = {prefix: [] for prefix in ("000", "001", "002", "003", "004")}
    for quote in AP_QUOTES:
        known["000"].append(locate(seed_text("000"), *quote))
        known["001"].append(locate(seed_text("001"), *quote))
    for quote in [*BLOOMBERG_QUOTES, BLOOMBERG_LEDE]:
        known["001"].append(locate(seed_text("001"), *quote))
        known["002"].append(locate(seed_text("002"), *quote))
    marked = {prefix: set() for prefix in known}
    for prefix_a, prefix_b in itertools.combinations(sorted(known), 2):
        for x in align_seeds(prefix_a, prefix_b):
            marked[prefix_a].update(range(x.a_start, x.a_end))
            marked[prefix_b].update(range(x.b_start, x.b_end))
    total = sum(len(chars) for chars in marked.values())
    inside = sum(
        sum(any(start <= char < end for start, end in known[prefix]) for char in chars)
        for prefix, chars in marked.items()
    )
    assert total > 0
    assert inside / total >= 0.9


@pytest.mark.parametrize("unrelated", ["003", "004"])
def test_seeds_unrelated_articles_share_nothing(unrelated: str) -> None:
    for other in ("000", "001", "002", "003", "004"):
        if other != unrelated:
            assert align_seeds(unrelated, other) == []


QUOTE = (
    "If one of the gladiators takes up a shield, it will give him a marked advantage and make "
    "him think that he would be able to win, particularly if he strikes first. What would "
    "another gladiator do? Naturally, he also would pick up a shield and also a longer and "
    "stronger sword."
)
CONTEXT_A = "In his talk at a security forum in Beijing, the general employed an analogy. "
CONTEXT_B = "Officials in Moscow have long opposed the deployment of the shield in Europe. "


@pytest.mark.parametrize(
    "variant",
    [
        QUOTE.replace("stronger", "stornger"),  # typo
        QUOTE.replace("first. What", 'first," he told AP. "What'),  # inserted attribution
        QUOTE.replace("marked advantage and", "marked advantage, analysts say, and"),  # clause
        QUOTE.replace("shield, it", "shield \u2013 it").replace(" ", "\u00a0", 5),  # dash, NBSP
    ],
)
def test_edited_quote_is_still_one_alignment(variant: str) -> None:
    text_a = f"{CONTEXT_A}\u201c{QUOTE}\u201d he said."
    text_b = f'{CONTEXT_B}"{variant}" Poznikhir said.'
    [alignment] = align_texts("a", text_a, "b", text_b)
    quote_a = (text_a.index(QUOTE), text_a.index(QUOTE) + len(QUOTE))
    quote_b = (text_b.index(variant), text_b.index(variant) + len(variant))
    assert covered_share(quote_a, alignment.a_start, alignment.a_end) >= 0.9
    assert covered_share(quote_b, alignment.b_start, alignment.b_end) >= 0.9
    assert 0.8 <= alignment.similarity <= 1.0


def test_sentence_inserted_on_one_side_separates_two_passages() -> None:
    first = "We are working together on ways to minimize possible damage to the security of our countries."
    second = (
        "The illusion of invulnerability and impunity under the guise of missile defense will "
        "encourage Washington to make unilateral steps in dealing with global and regional issues."
    )
    inserted = (
        "He said this at a conference in China, according to a transcript that was posted on the "
        "ministry website and which apparently was deleted later that week."
    )
    text_a = f"{first} {inserted} {second}"
    text_b = f"Poznikhir said: {first} {second} Analysts doubt it."
    alignments = align_texts("a", text_a, "b", text_b)
    assert len(alignments) == 2
    assert all(inserted not in text_a[x.a_start : x.a_end] for x in alignments)


def test_page_carrying_a_passage_twice_gets_an_alignment_per_copy() -> None:
    # A gallery page repeats a wire caption above and below the story: both copies are the
    # agency's text, and each is reported with the one span of the other document it copies.
    caption = (
        "In this June 30, 2013 file photo, the singer performs at the awards show in Los "
        "Angeles. The streaming company says it rolled out its new policy on hateful conduct "
        "in the wrong way and will review how it applies it to other artists."
    )
    story = (
        "The chief executive spoke at a technology conference in California on Wednesday "
        "evening, where he took questions from reporters and analysts for about an hour."
    )
    text_a = f"Image 1 of 3. {caption} Close. {story} More photos: {caption}"
    text_b = f"Photo gallery. {caption} Subscribe for more news from the region today."
    alignments = align_texts("a", text_a, "b", text_b)
    copies = [x for x in alignments if caption[:40] in text_a[x.a_start : x.a_end]]
    assert len(copies) == 2
    assert copies[0].a_start < text_a.index(story) < copies[1].a_start
    in_b = locate(text_b, caption[:20], caption[-20:])
    assert all(covered_share(in_b, x.b_start, x.b_end) >= 0.95 for x in copies)
    swapped = align_texts("b", text_b, "a", text_a)
    assert sorted((x.swapped() for x in swapped), key=repr) == sorted(alignments, key=repr)


def test_a_repeated_name_is_no_second_copy() -> None:
    # Short phrases repeated in one page (a name, a place) are no copy of a passage.
    passage = (
        "We rolled this out wrong and could have done a much better job, the chief executive "
        "said at the Code Conference on Wednesday in Rancho Palos Verdes, California."
    )
    text_a = f"{passage} Later, Rancho Palos Verdes officials spoke. The Code Conference ended."
    text_b = f"Earlier this week: {passage} Shares rose."
    assert len(align_texts("a", text_a, "b", text_b)) == 1


def test_short_common_phrases_are_not_reuse() -> None:
    text_a = (
        "Officials in the United States said on Tuesday that the talks in Geneva had stalled "
        "over sanctions, and the prime minister said on Tuesday he would travel to Brussels."
    )
    text_b = (
        "Farmers across the United States said on Tuesday that the drought had cut yields, "
        "while the agriculture ministry said on Tuesday it would release emergency funds."
    )
    assert align_texts("a", text_a, "b", text_b) == []


WORDS = [
    "missile",
    "shield",
    "Moscow",
    "Beijing",
    "general",
    "said",
    "defense",
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "Russia",
    "China",
]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=14).map(
    lambda words: " ".join(words).capitalize() + "."
)


@st.composite
def document_pair(draw):
    shared = draw(st.lists(sentence, min_size=1, max_size=4))
    own_a = draw(st.lists(sentence, max_size=4))
    own_b = draw(st.lists(sentence, max_size=4))
    text_a = " ".join(draw(st.permutations(shared + own_a)))
    text_b = "\n".join(draw(st.permutations(shared + own_b)))
    return text_a, text_b


@settings(max_examples=150, deadline=None)
@given(document_pair(), st.booleans())
def test_alignment_is_symmetric_and_snapped_to_words(pair, swap_keys: bool) -> None:
    text_a, text_b = pair
    key_a, key_b = ("x", "y") if swap_keys else ("y", "x")
    tokens_a, tokens_b = tokenize(text_a), tokenize(text_b)
    forward = align_documents(key_a, text_a, tokens_a, key_b, text_b, tokens_b)
    backward = align_documents(key_b, text_b, tokens_b, key_a, text_a, tokens_a)
    assert sorted(forward, key=repr) == sorted((x.swapped() for x in backward), key=repr)
    for x in forward:
        assert x.a_start in tokens_a.starts.tolist() and x.a_end in tokens_a.ends.tolist()
        assert x.b_start in tokens_b.starts.tolist() and x.b_end in tokens_b.ends.tolist()
        assert 0.0 <= x.similarity <= 1.0
        assert re.match(r"\w", text_a[x.a_start]) and re.match(r"\w", text_b[x.b_start])


def _digest_pieces(b_order: tuple[int, int]) -> list[tuple[_Region, float]]:
    """Two rewritten passages 30 words apart in a and 600 words apart in b."""
    first = _Region(100, 130, b_order[0], b_order[0] + 30, 100, b_order[0], 20)
    second = _Region(160, 190, b_order[1], b_order[1] + 30, 160, b_order[1], 20)
    return [(first, 0.7), (second, 0.7)]


def test_summary_in_source_order_is_one_passage_swapped_order_is_not() -> None:
    # A summary follows its source: sentences close together in it, in the same order far
    # apart in the source, are one passage; in swapped order they are two.
    [(merged, similarity)] = merge_digests(_digest_pieces((1000, 1630)), DEFAULT_PARAMS)
    assert (merged.a_first, merged.a_end, merged.b_first, merged.b_end) == (100, 190, 1000, 1660)
    assert similarity < 0  # to be rescored on the merged spans
    assert len(merge_digests(_digest_pieces((1630, 1000)), DEFAULT_PARAMS)) == 2
    # Verbatim passages (quotes) never merge this way, in any order.
    verbatim = [(region, 0.95) for region, _ in _digest_pieces((1000, 1630))]
    assert len(merge_digests(verbatim, DEFAULT_PARAMS)) == 2
    # Too far apart in the source, or too far apart in the summary: two passages.
    far = DEFAULT_PARAMS.digest_in_order_words + 100
    assert len(merge_digests(_digest_pieces((1000, 1030 + far)), DEFAULT_PARAMS)) == 2
    loose = dataclasses.replace(DEFAULT_PARAMS, digest_compact_words=20)
    assert len(merge_digests(_digest_pieces((1000, 1630)), loose)) == 2
