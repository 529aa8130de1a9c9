"""Passage MinHash candidates: short shared quotes inside long articles pair their documents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from dedup import candidates
from dedup.candidates import (
    CandidateIndex,
    CandidateParams,
    candidate_pairs,
    shingle_hashes,
    sketch_passages,
    to_datasketch,
)
from dedup.tokens import tokenize
from flows import stages
from flows.stages import FileSlices

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed_texts() -> dict[str, str]:
    return {
        path.name[:3]: path.read_bytes().decode("utf-8") for path in sorted(SEEDS.glob("*.txt"))
    }


def test_sketches_equal_datasketch_minhash_of_the_window() -> None:
    tokens = tokenize(seed_texts()["000"])
    params = CandidateParams()
    sketches = sketch_passages(tokens, params)
    shingles = shingle_hashes(tokens.hashes, params.shingle_words)
    for window in (0, len(sketches) - 1):
        first = int(sketches.first_tokens[window])
        last_shingle = int(sketches.last_tokens[window]) - params.shingle_words + 1
        reference = MinHash(
            num_perm=params.num_perm, seed=params.seed, scheme="affine64", hashfunc=int
        )
        reference.update_batch(shingles[first:last_shingle].tolist())
        assert np.array_equal(reference.hashvalues, sketches.hashvalues[window])
        assert to_datasketch(sketches, window).jaccard(reference) == 1.0


def test_windows_cover_the_whole_document() -> None:
    tokens = tokenize(seed_texts()["001"])
    sketches = sketch_passages(tokens)
    assert sketches.first_tokens[0] == 0
    assert sketches.last_tokens[-1] == len(tokens)
    assert all(
        nxt < end
        for nxt, end in zip(sketches.first_tokens[1:], sketches.last_tokens[:-1], strict=True)
    ), "windows must overlap so that no passage falls between two of them"


def test_seed_pairs_sharing_wire_quotes_are_candidates() -> None:
    tokens = {key: tokenize(text) for key, text in seed_texts().items()}
    pairs = candidate_pairs(tokens, {})
    assert ("000", "001") in pairs
    assert ("001", "002") in pairs
    assert ("000", "003") not in pairs


def test_short_quote_inside_long_unrelated_articles_is_found() -> None:
    texts = seed_texts()
    quote = (
        "We are working together on ways to minimize possible damage to the security of our "
        "countries, he said."
    )
    long_a = texts["003"] + "\n" + quote + "\n" + texts["000"]
    long_b = texts["004"] + "\n" + quote + "\n" + texts["002"][:1500]
    index = CandidateIndex()
    index.add("a", sketch_passages(tokenize(long_a)))
    assert index.query(sketch_passages(tokenize(long_b))) == {"a"}


def test_incremental_index_pairs_new_documents_only() -> None:
    tokens = {key: tokenize(text) for key, text in seed_texts().items()}
    old = {key: tokens[key] for key in ("000", "002", "003")}
    new = {key: tokens[key] for key in ("001", "004")}
    pairs = candidate_pairs(new, old)
    assert all(a < b and (a in new or b in new) for a, b in pairs)
    assert {("000", "001"), ("001", "002")} <= pairs


def test_index_rejects_foreign_sketches_and_duplicates() -> None:
    tokens = tokenize(seed_texts()["000"])
    index = CandidateIndex()
    index.add("a", sketch_passages(tokens))
    with pytest.raises(ValueError, match="already"):
        index.add("a", sketch_passages(tokens))
    other = CandidateParams(num_perm=32, bands=16)
    with pytest.raises(ValueError, match="parameters"):
        index.query(sketch_passages(tokens, other))


def test_tiny_documents_have_no_sketch_and_match_nothing() -> None:
    index = CandidateIndex()
    index.add("a", sketch_passages(tokenize("Breaking news.")))
    assert index.query(sketch_passages(tokenize("Breaking news."))) == set()


@pytest.mark.parametrize(("max_group", "loop_pairs"), [(2, 0), (256, 0), (256, 10**6)])
def test_shared_shingle_counts_equal_pair_by_pair_counts(
    monkeypatch: pytest.MonkeyPatch, max_group: int, loop_pairs: int
) -> None:
    # Few distinct values, so that many documents share some (groups larger than max_group go
    # through the pair-by-pair lookups), small steps, so that the work is cut in several, and
    # the plain loop over the pairs when they are few.
    monkeypatch.setattr(candidates, "_MAX_SHINGLE_GROUP", max_group)
    monkeypatch.setattr(candidates, "_LOOP_PAIRS", loop_pairs)
    monkeypatch.setattr(candidates, "_STEP_ENTRIES", 50)
    rng = np.random.default_rng(5)
    shingles = [
        np.unique(rng.choice(np.array([7, 2**31 + 5, *range(100, 160)], dtype=np.uint32), size))
        for size in rng.integers(0, 40, 60)
    ]
    left = rng.integers(0, 60, 500)
    right = (left + rng.integers(1, 60, 500)) % 60  # never a document with itself
    expected = [
        len(np.intersect1d(shingles[a], shingles[b])) for a, b in zip(left, right, strict=True)
    ]
    assert expected.count(0) < 400 and max(expected) > 5
    counts = candidates.shared_shingle_counts(left, right, shingles)
    assert counts.tolist() == expected


def test_slices_prefilter_and_index_give_the_same_pairs() -> None:
    # Documents drawing keys from a small pool share buckets; one key is held by more
    # documents than max_bucket_docs and must pair nobody, whichever way the pairs are made.
    params = CandidateParams(max_bucket_docs=20)
    rng = np.random.default_rng(11)
    pool = rng.integers(0, 2**64, 400, dtype=np.uint64, endpoint=False)
    crowded = np.uint64(12345)
    keys = {
        f"doc{number:02d}": np.unique(
            np.concatenate([rng.choice(pool, 6), [crowded] if number < 30 else []])
        ).astype(np.uint64)
        for number in range(60)
    }
    new = {key for key in keys if key.endswith(("3", "7"))}
    index = CandidateIndex(params)
    for key, values in keys.items():
        index.add_keys(key, values)
    expected = index.pairs(among=new)
    # Pool keys are each held by far fewer than 20 documents: the pairs are those sharing one.
    assert expected == {
        (a, b)
        for a in keys
        for b in keys
        if a < b
        and (a in new or b in new)
        and len(np.intersect1d(keys[a], keys[b])) > 0
        and not np.array_equal(np.intersect1d(keys[a], keys[b]), [crowded])
    }
    archive = [
        [(key, values) for key, values in keys.items() if key not in new][i::3] for i in range(3)
    ]
    prefiltered = candidates.pairs_with_new({key: keys[key] for key in new}, archive, params)
    assert prefiltered == expected
    for slices in (1, 3, 8):
        chunks = [list(keys.items())[:25], list(keys.items())[25:]]
        sliced = candidates.pairs_in_slices(chunks, new, params, slices)
        assert sliced.as_set() == expected
        # the pipeline's way: parts on disk, paired in forked processes
        with FileSlices() as buffer, pytest.MonkeyPatch.context() as patch:
            patch.setenv("WIRETRACE_ALIGN_WORKERS", "2")
            on_disk = candidates.pairs_in_slices(
                iter(chunks), new, params, slices, buffer, stages._forked_parts
            )
        assert on_disk.as_set() == expected
