"""Text normalisation that keeps a map back to the original offsets.

Wire copy reaches outlets with cosmetic differences that say nothing about reuse: curly or
straight quotes, non-breaking spaces and whitespace runs, en/em dashes, case, ``U.S.``
versus ``US``, full-width or ligature forms. ``normalize`` folds them all while recording, for
every normalised character, the index of the original character it came from, so that a match
found in normalised text can be reported with exact offsets into the document's ``text``.

Two levels exist because they serve different stages:

* ``normalize_token`` folds one word (the unit of hashing in ``dedup.tokens``): lowercase,
  NFKC, curly apostrophes to ``'``, and dots dropped so ``U.S`` and ``US`` both become ``us``.
* ``normalize`` folds a whole string character by character (quote comparison, the
  similarity score of an alignment, property tests).

>>> n = normalize("The U.S.\\u00a0“Missile”  Defense")
>>> n.text
'the us "missile" defense'
>>> n.to_original(4, 6)
(4, 8)
>>> normalize_token("U.S")
'us'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Characters folded before anything else. Quotes and apostrophes of every style become the
# ASCII ones; dash variants become a hyphen-minus.
_CHAR_FOLDS = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark / curly apostrophe
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",  # prime, sometimes typed for an apostrophe
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',  # guillemets quote like double quotes in wire copy
    "\u00bb": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
}

# Acronyms written with dots (U.S., U.N., E.U.): the dots are dropped so the token equals the
# undotted spelling. Only single letters followed by a dot, at least two in a row.
_ACRONYM_RE = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.){2,}")


@dataclass(frozen=True)
class NormalizedText:
    """A normalised string and, per normalised character, its index in the original text.

    ``offsets`` has ``len(text) + 1`` entries; the last one is the original length so that a
    normalised end index maps to an original end index.
    """

    text: str
    offsets: np.ndarray
    original_length: int
    # Original indices of characters dropped without a trace (acronym dots), so that a span
    # ending in ``us`` maps back to ``U.S.`` with its final dot.
    dropped: frozenset[int] = frozenset()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start_char, end_char)`` of the normalised span ``text[start:end]``.

        The end maps to one past the original character of the last normalised character,
        so collapsed whitespace after the span is not included.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside normalised text of {len(self.text)}")
        if start == end:
            position = int(self.offsets[start])
            return position, position
        original_end = int(self.offsets[end - 1]) + 1
        while original_end in self.dropped:
            original_end += 1
        return int(self.offsets[start]), original_end


def fold_char(char: str) -> str:
    """The normalised form of one character (may be empty or several characters).

    >>> fold_char("\\u2019"), fold_char("\\ufb01"), fold_char("\\u00a0")
    ("'", 'fi', ' ')
    """
    folded = _CHAR_FOLDS.get(char)
    if folded is not None:
        return folded
    if char.isspace():
        return " "
    if char.isascii():
        return char.lower()
    folded = unicodedata.normalize("NFKC", char)
    return "".join(_CHAR_FOLDS.get(c, " " if c.isspace() else c) for c in folded).casefold()


# fold_char of every character seen so far: texts have few distinct characters, so the per
# character work of ``normalize`` is one dictionary lookup.
_FOLD_CACHE: dict[str, str] = {}


def normalize(text: str) -> NormalizedText:
    """Fold quotes, whitespace, dashes, case, dotted acronyms and compatibility forms.

    Whitespace runs collapse to one space and leading/trailing whitespace is dropped.
    Characters are folded through a cache of ``fold_char``; offsets and the whitespace collapse
    are computed with numpy, giving what folding character by character gives.
    """
    dropped = _acronym_dots(text)
    cache = _FOLD_CACHE
    try:
        pieces = [cache[char] for char in text]
    except KeyError:
        for char in set(text) - cache.keys():
            cache[char] = fold_char(char)
        pieces = [cache[char] for char in text]
    for index in dropped:
        pieces[index] = ""
    folded = "".join(pieces)
    if not dropped and text.isascii():  # every ASCII character folds to exactly one
        sources = np.arange(len(text), dtype=np.int64)
    else:
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        sources = np.repeat(np.arange(len(text), dtype=np.int64), lengths)
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    is_space = codes == 32
    if is_space.any():
        # A space is kept when it opens a run of spaces with text before and after the run;
        # it stands at the run's first original whitespace character.
        solid = ~is_space
        opens_run = is_space & np.concatenate(([True], solid[:-1]))
        text_before = np.cumsum(solid) > 0
        text_after = np.cumsum(solid[::-1])[::-1] > 0
        keep = solid | (opens_run & text_before & text_after)
        codes, sources = codes[keep], sources[keep]
    offsets = np.append(sources, len(text)).astype(np.int64)
    return NormalizedText(
        codes.tobytes().decode("utf-32-le"), offsets, len(text), frozenset(dropped)
    )


# fold_char of every ASCII character, as a ``str.translate`` table: each folds to exactly one
# ASCII character, so ASCII text takes ``str.translate``'s fast path.
_ASCII_TABLE = str.maketrans({chr(code): fold_char(chr(code)) for code in range(128)})
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# The dots of a dotted acronym (``U.S.``) stand two apart: text without that has none.
_ACRONYM_HINT = re.compile(r"\..\.", re.DOTALL)


def normalized_text(text: str) -> str:
    """``normalize(text).text`` without the offset map, for callers that only compare texts
    (the similarity of two aligned spans): ASCII stretches folded by ``str.translate``, the
    other characters through the ``fold_char`` cache.

    >>> normalized_text("The U.S.\u00a0“Missile”  Defense ") == normalize("The U.S.\u00a0“Missile”  Defense ").text
    True
    """
    if _ACRONYM_HINT.search(text):
        dropped = _acronym_dots(text)
        if dropped:  # folding is per character: drop the dots first, fold the rest
            text = _without(text, dropped)
    # Whitespace folds to " "; runs collapse to one space and the ends are stripped.
    return " ".join(filter(None, _folded(text).split(" ")))


def _folded(text: str) -> str:
    """``text`` with every character replaced by its ``fold_char``."""
    if text.isascii():
        return text.translate(_ASCII_TABLE)
    cache = _FOLD_CACHE
    pieces: list[str] = []
    position = 0
    for run in _NON_ASCII_RUN.finditer(text):
        pieces.append(text[position : run.start()].translate(_ASCII_TABLE))
        for char in run.group():
            folded = cache.get(char)
            if folded is None:
                folded = cache[char] = fold_char(char)
            pieces.append(folded)
        position = run.end()
    pieces.append(text[position:].translate(_ASCII_TABLE))
    return "".join(pieces)


def _without(text: str, positions: set[int]) -> str:
    """``text`` without the characters at ``positions``."""
    pieces, start = [], 0
    for position in sorted(positions):
        pieces.append(text[start:position])
        start = position + 1
    pieces.append(text[start:])
    return "".join(pieces)


def _acronym_dots(text: str) -> set[int]:
    """Indices of the dots inside dotted acronyms such as ``U.S.``."""
    dots: set[int] = set()
    for match in _ACRONYM_RE.finditer(text):
        dots.update(index for index in range(match.start(), match.end()) if text[index] == ".")
    return dots


@lru_cache(maxsize=200_000)
def normalize_token(token: str) -> str:
    """The normalised form of one word token: the unit that ``dedup.tokens`` hashes.

    >>> [normalize_token(t) for t in ["U.S", "US", "Russia’s", "ﬁrst", "Ｎｅｗｓ"]]
    ['us', 'us', "russia's", 'first', 'news']
    """
    if not token.isascii():
        token = unicodedata.normalize("NFKC", token)
        token = "".join(_CHAR_FOLDS.get(char, char) for char in token)
    if "." in token:
        token = token.replace(".", "")
    return token.casefold()
