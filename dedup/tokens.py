"""Word tokens of the original text, with exact offsets and 64-bit hashes of their normal form.

Every later stage (passage sketches, seeds of the alignment) works on these arrays, so the
offsets of a match are known without any mapping: token ``i`` is ``text[starts[i]:ends[i]]``.

Design choices (measured on the seeds and PAN 2013):

* A word is a run of letters/digits, optionally joined by an apostrophe (``Russia’s``);
  dotted abbreviations and numbers stay one word (``U.S``, ``3.5``), a dot between longer
  words does not join them (``world.The`` in scraped text). Hyphens split words: wire copy writes ``missile-defense`` in one
  outlet and ``missile defense`` in the next, and splitting makes both the same two tokens.
* A token's hash is xxh64 of ``normalize_token`` (lowercase, NFKC, apostrophes folded, dots
  dropped so ``U.S.`` == ``US``). Hashes of a document's vocabulary are cached, since news
  vocabulary is small compared to its token count.

>>> toks = tokenize("The U.S. missile-defense, Russia’s view.")
>>> toks.words
['the', 'us', 'missile', 'defense', "russia's", 'view']
>>> [ "The U.S. missile-defense, Russia’s view."[s:e] for s, e in zip(toks.starts, toks.ends)][1]
'U.S'
>>> len(tokenize("one two three", ranges=[(4, 13)]))
2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import xxhash

from dedup.normalize import normalize_token

# Dotted abbreviations and numbers (`U.S`, `Ph.D`, `3.5`, `1.200.000`) are one token; other
# runs of letters/digits may be joined by apostrophes (straight or curly). A dot between
# longer words (`and.Welcome`, `www.site.com`) separates them: scraped text loses the space
# after a full stop. `_` is not a word character.
TOKEN_RE = re.compile(
    r"(?:[^\W_]{1,2}\.)+[^\W_]{1,2}(?![^\W_])|\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*"
)

_HASH_CACHE: dict[str, int] = {}  # normalised word -> hash
_RAW_HASH_CACHE: dict[str, int] = {}  # token as written -> hash of its normalised form
_HASH_CACHE_LIMIT = 2_000_000
_RAW_HASH_CACHE_LIMIT = 500_000  # about 50 MB at most


@dataclass(slots=True)
class Tokens:
    """Word tokens of one document: original offsets and the hashes of their normalised words.

    Compact on purpose (a 100k-document archive keeps every document's tokens in memory):
    offsets are int32 (texts are far below 2 GiB) and the normalised words are not stored but
    re-derived from ``text``, a reference to the document's own string (no copy).
    """

    starts: np.ndarray  # int32, original start offset of each token
    ends: np.ndarray  # int32, original end offset (exclusive)
    hashes: np.ndarray  # uint64, xxh64 of the normalised word
    text: str = field(default="", repr=False)  # the text the offsets point into

    def __len__(self) -> int:
        return len(self.hashes)

    def char_span(self, first_token: int, last_token: int) -> tuple[int, int]:
        """Original ``(start_char, end_char)`` covering tokens ``first_token..last_token``
        (inclusive)."""
        return int(self.starts[first_token]), int(self.ends[last_token])

    def word(self, index: int) -> str:
        """The normalised form of token ``index`` (what its hash was computed from)."""
        return normalize_token(self.text[self.starts[index] : self.ends[index]])

    @property
    def words(self) -> list[str]:
        """The normalised words of all tokens, computed on each access (not stored)."""
        return [
            normalize_token(self.text[start:end])
            for start, end in zip(self.starts.tolist(), self.ends.tolist(), strict=True)
        ]


def word_hash(word: str) -> int:
    """The uint64 hash of an already normalised word."""
    cached = _HASH_CACHE.get(word)
    if cached is None:
        cached = xxhash.xxh64_intdigest(word.encode("utf-8"))
        if len(_HASH_CACHE) < _HASH_CACHE_LIMIT:
            _HASH_CACHE[word] = cached
    return cached


def tokenize(text: str, ranges: list[tuple[int, int]] | None = None) -> Tokens:
    """Word tokens of ``text``; only those lying wholly inside ``ranges`` when given.

    ``ranges`` are ``(start_char, end_char)`` body ranges (the complement of boilerplate).
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize needs str text, got {type(text).__name__}")
    spans = [(0, len(text))] if ranges is None else sorted(ranges)
    starts: list[int] = []
    ends: list[int] = []
    hashes: list[int] = []
    raw_hashes = _RAW_HASH_CACHE
    for range_start, range_end in spans:
        range_start, range_end = max(0, range_start), min(len(text), range_end)
        if range_end <= range_start:
            continue
        for match in TOKEN_RE.finditer(text, range_start, range_end):
            start, end = match.span()
            starts.append(start)
            ends.append(end)
            token = match.group()
            # One lookup per token for the usual case: the raw token seen before.
            hashed = raw_hashes.get(token)
            if hashed is None:
                hashed = word_hash(normalize_token(token))
                if len(raw_hashes) < _RAW_HASH_CACHE_LIMIT:
                    raw_hashes[token] = hashed
            hashes.append(hashed)
    # int32 halves the offsets' memory; a text past 2 GiB characters (only possible with a
    # raised WIRETRACE_MAX_CHARS) keeps int64.
    offset_type = np.int32 if len(text) < 2**31 else np.int64
    return Tokens(
        starts=np.asarray(starts, dtype=offset_type),
        ends=np.asarray(ends, dtype=offset_type),
        hashes=np.array(hashes, dtype=np.uint64),
        text=text,
    )


# Odd multipliers that make a k-gram hash depend on word order (k up to their count).
KGRAM_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
        0xD6E8FEB86659FD93,
        0xA0761D6478BD642F,
        0xE7037ED1A0B428DB,
        0x8EBC6AF09C88C6E3,
        0x589965CC75374CC3,
    ],
    dtype=np.uint64,
)


def kgram_hashes(hashes: np.ndarray, k: int) -> np.ndarray:
    """uint64 hash of each run of ``k`` consecutive token hashes (alignment seeds, shingles).

    >>> kgram_hashes(np.array([1, 2, 3], dtype=np.uint64), 2).shape
    (2,)
    """
    count = len(hashes) - k + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(k):
        combined += hashes[offset : offset + count] * KGRAM_MULTIPLIERS[offset]
    return combined
