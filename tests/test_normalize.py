"""Normalisation and tokens: folds what wire copy changes, and always maps back exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import fold_char, normalize, normalize_token
from dedup.tokens import tokenize

# Text drawn from the characters that wire copy varies on, plus ordinary letters and digits.
NEWSY_CHARS = st.sampled_from(
    list("abcXYZ US.,;:-'\"019\n\t")
    + ["\u00a0", "\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\ufb01", "é", "ß"]
)
newsy_text = st.lists(NEWSY_CHARS, max_size=60).map("".join)
any_text = st.one_of(newsy_text, st.text(max_size=40))


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_offsets_map_every_normalised_char_to_its_original_char(text: str) -> None:
    normalized = normalize(text)
    offsets = normalized.offsets.tolist()
    assert len(offsets) == len(normalized.text) + 1
    assert offsets[-1] == len(text)
    assert offsets == sorted(offsets), "offsets must never go backwards"
    for index, char in enumerate(normalized.text):
        original = text[offsets[index]]
        assert char in fold_char(original)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_whole_normalised_text_maps_back_to_a_span_that_normalises_the_same(text: str) -> None:
    normalized = normalize(text)
    start, end = normalized.to_original(0, len(normalized.text))
    assert normalize(text[start:end]).text == normalized.text


@settings(max_examples=200, deadline=None)
@given(any_text, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=3))
def test_tokens_are_exact_substrings_inside_the_ranges(text: str, raw_ranges) -> None:
    ranges = [(min(a, b), max(a, b)) for a, b in raw_ranges] or None
    tokens = tokenize(text, ranges)
    assert len(tokens.starts) == len(tokens.ends) == len(tokens.hashes) == len(tokens.words)
    for start, end, word in zip(tokens.starts, tokens.ends, tokens.words, strict=True):
        assert start < end
        assert normalize_token(text[start:end]) == word
        if ranges is not None:
            assert any(lo <= start and end <= hi for lo, hi in ranges)


def test_wire_copy_variants_normalise_to_the_same_text() -> None:
    variants = [
        "“Russian military experts believe that the U.S. hopes to gain” — he said",
        '"Russian military experts believe that the US\u00a0hopes to gain" - he said',
        "\u201cRussian  military experts believe that the U.S.\nhopes to gain\u201d \u2013 he said",
    ]
    assert len({normalize(variant).text for variant in variants}) == 1


def test_acronym_maps_back_with_its_dots() -> None:
    text = "Washington and the U.S. Army"
    normalized = normalize(text)
    position = normalized.text.index("us army")
    start, end = normalized.to_original(position, position + 2)
    assert text[start:end] == "U.S."


def test_sentence_final_dot_is_not_an_acronym() -> None:
    assert normalize("He left. It rained.").text == "he left. it rained."


def test_normalize_token_folds_style_not_spelling() -> None:
    assert normalize_token("U.S") == normalize_token("US") == "us"
    assert normalize_token("Russia’s") == normalize_token("Russia's")
    assert normalize_token("ﬁrst") == "first"
    assert normalize_token("minimise") != normalize_token("minimize")


def test_equal_words_hash_equal_across_styles() -> None:
    curly = tokenize("Russia’s U.S. plans")
    straight = tokenize("russia's US plans")
    assert curly.hashes.tolist() == straight.hashes.tolist()
    assert tokenize("missile-defense").words == tokenize("missile defense").words
