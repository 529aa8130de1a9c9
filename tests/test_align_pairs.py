"""Alignment at scale: seeds from the per-document index, the pair loop in processes, compact
tokens. Each fast path is checked against its plain definition."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from dedup.align import DEFAULT_PARAMS, STOPWORDS, AlignParams, find_seeds
from dedup.normalize import normalize_token
from dedup.records import BoilerplateSpan, Metadata
from dedup.tokens import TOKEN_RE, kgram_hashes, tokenize
from flows import stages
from storage.store import StoredDocument

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed_paragraph_documents(count: int, rng: random.Random) -> dict[str, str]:
    """Documents made of paragraphs drawn from the seed articles: they share passages in many
    combinations (reordered, repeated, partial)."""
    paragraphs = [
        paragraph.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if len(paragraph.split()) >= 8
    ]
    return {
        f"doc{number:03d}": "\n\n".join(rng.sample(paragraphs, rng.randint(2, 6)))
        for number in range(count)
    }


def plain_seeds(text_a: str, text_b: str, params: AlignParams) -> list[tuple[int, int]]:
    """The definition of a seed, straight from the words: positions (i, j) where the k words
    starting there are equal, not all function words, and that k-gram occurs at most
    ``max_seed_repeats`` times in each document."""
    k = params.seed_words
    words_a = [normalize_token(m.group()) for m in TOKEN_RE.finditer(text_a)]
    words_b = [normalize_token(m.group()) for m in TOKEN_RE.finditer(text_b)]
    grams_a = [tuple(words_a[i : i + k]) for i in range(len(words_a) - k + 1)]
    grams_b = [tuple(words_b[j : j + k]) for j in range(len(words_b) - k + 1)]
    return sorted(
        (i, j)
        for i, gram in enumerate(grams_a)
        for j, other in enumerate(grams_b)
        if gram == other
        and not all(word in STOPWORDS for word in gram)
        and grams_a.count(gram) <= params.max_seed_repeats
        and grams_b.count(gram) <= params.max_seed_repeats
    )


@pytest.mark.parametrize("max_repeats", [1, 2, 8])
def test_find_seeds_are_the_equal_kgrams(max_repeats: int) -> None:
    rng = random.Random(max_repeats)
    documents = list(seed_paragraph_documents(8, rng).values())
    # A repeated phrase exercises the cartesian product of repeated k-grams on both sides.
    documents[0] += "\n\nmissile defense missile defense missile defense"
    documents[1] += "\n\nmissile defense, as missile defense"
    params = AlignParams(max_seed_repeats=max_repeats)
    checked = 0
    for text_a, text_b in [
        (documents[0], documents[1]),
        *zip(documents, documents[2:], strict=False),
    ]:
        seeds = find_seeds(tokenize(text_a).hashes, tokenize(text_b).hashes, params)
        assert seeds.dtype == np.int64 and seeds.shape[1] == 2
        assert [tuple(seed) for seed in seeds.tolist()] == plain_seeds(text_a, text_b, params)
        checked += len(seeds)
    assert checked > 0


def test_find_seeds_of_short_and_empty_documents() -> None:
    empty = tokenize("").hashes
    one_word = tokenize("missile").hashes
    text = "The missile defense network was expanded."
    assert find_seeds(empty, tokenize(text).hashes, DEFAULT_PARAMS).shape == (0, 2)
    assert find_seeds(one_word, one_word, DEFAULT_PARAMS).shape == (0, 2)
    # Only function-word bigrams in common: no seed.
    assert find_seeds(
        tokenize("of the").hashes, tokenize("one of the").hashes, DEFAULT_PARAMS
    ).shape == (0, 2)
    seeds = find_seeds(tokenize(text).hashes, tokenize(text).hashes, DEFAULT_PARAMS)
    assert seeds.tolist() == [
        [index, index] for index in range(len(kgram_hashes(tokenize(text).hashes, 2)))
    ]


def test_tokens_are_compact_and_words_derive_from_the_text() -> None:
    text = "Officials in Washington said the U.S. missile-defense plan is Russia’s concern."
    tokens = tokenize(text, ranges=[(0, 25), (30, len(text))])
    assert tokens.starts.dtype == np.int32 and tokens.ends.dtype == np.int32
    assert tokens.words == [
        normalize_token(text[s:e]) for s, e in zip(tokens.starts, tokens.ends, strict=True)
    ]
    assert [tokens.word(index) for index in range(len(tokens))] == tokens.words
    assert "text" not in repr(tokens)  # a document's text is not printed with its tokens


def test_align_in_processes_gives_the_same_alignments_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = seed_paragraph_documents(16, random.Random(3))
    tokens = {key: tokenize(text) for key, text in texts.items()}
    keys = sorted(texts)
    pairs = [(a, b) for index, a in enumerate(keys) for b in keys[index + 1 :]]
    single = stages.align_pairs(pairs, texts, tokens, workers=1)
    assert len(single) >= len(pairs) // 4  # many pairs share passages
    monkeypatch.setattr(stages, "_ALIGN_CHUNK", 7)  # many small chunks, out-of-order finishes
    seen: list[int] = []
    parallel = stages.align_pairs(
        pairs, texts, tokens, progress=lambda stage, done, total: seen.append(done), workers=2
    )
    assert parallel == single
    assert seen[-1] == len(pairs) and seen == sorted(seen)


def test_align_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(stages.ALIGN_WORKERS_ENV, "3")
    assert stages.align_workers() == 3
    for unusable in ("0", "-2", "two", ""):
        monkeypatch.setenv(stages.ALIGN_WORKERS_ENV, unusable)
        assert stages.align_workers() >= 1  # the CPUs this process may use
    monkeypatch.delenv(stages.ALIGN_WORKERS_ENV)
    assert stages.align_workers() == len(__import__("os").sched_getaffinity(0))


def test_fingerprint_in_processes_gives_the_same_tokens_and_sketches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = seed_paragraph_documents(30, random.Random(5))
    inputs = [
        StoredDocument(
            number, uri, text, [BoilerplateSpan(0, 20, "navigation")], Metadata(), "", True
        )
        for number, (uri, text) in enumerate(texts.items())
    ]
    single = stages.fingerprint(inputs, workers=1)
    monkeypatch.setattr(stages, "_FINGERPRINT_CHUNK", 4)  # several chunks per worker
    parallel = stages.fingerprint(inputs, workers=2)
    assert list(parallel.tokens) == list(single.tokens) == list(texts)
    for uri, tokens in single.tokens.items():
        other = parallel.tokens[uri]
        assert other.text is texts[uri]  # the parent's string, not a pickled copy
        assert np.array_equal(other.hashes, tokens.hashes)
        assert np.array_equal(other.starts, tokens.starts) and tokens.starts[0] >= 20
        assert np.array_equal(other.ends, tokens.ends)
        assert np.array_equal(parallel.sketches[uri].band_keys, single.sketches[uri].band_keys)
        assert np.array_equal(parallel.sketches[uri].shingles, single.sketches[uri].shingles)


def test_a_caption_one_page_labels_is_aligned_with_the_same_text_in_another_body() -> None:
    # Agencies send captions with their photos: one outlet keeps the caption as a caption
    # (boilerplate to cleaning), another runs it in its body. It is the same copied text.
    caption = (
        "Immigration activists rally outside the Supreme Court as the justices hear arguments "
        "over the plan to ask about citizenship on the 2020 census, in Washington."
    )
    promo = "Sign up for our newsletter to get the best stories delivered to your inbox daily."
    text_a = f"{caption} (AP Photo/J. Scott Applewhite)\n\n{promo}\n\nThe court heard the case."
    text_b = f"WASHINGTON (AP) - {caption} The hearing ran long.\n\n{promo}"
    caption_end = text_a.index("\n\n")
    promo_span = (caption_end + 2, caption_end + 2 + len(promo))
    spans_a = [
        BoilerplateSpan(0, caption_end, "caption"),
        BoilerplateSpan(*promo_span, "promo"),
    ]
    spans_b = [BoilerplateSpan(text_b.index(promo), len(text_b), "promo")]
    inputs = [
        StoredDocument(1, "a", text_a, spans_a, Metadata(), "", True),
        StoredDocument(2, "b", text_b, spans_b, Metadata(), "", True),
    ]
    tokens = stages.fingerprint(inputs, sketch=False, workers=1).tokens
    [alignment] = stages.align_pairs([("a", "b")], {"a": text_a, "b": text_b}, tokens, workers=1)
    assert text_a[alignment.a_start : alignment.a_end].startswith("Immigration activists rally")
    assert "newsletter" not in text_a[alignment.a_start : alignment.a_end]  # promos stay out
