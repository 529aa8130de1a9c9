"""Alignments of an exact duplicate, derived from its original's instead of aligned again.

A duplicate (the same text under a second uri: an AMP page, a re-post) is neither sketched nor
aligned. Its lineage must still show what it carries, so its alignments are derived from the
original's (the texts are equal, so are the offsets):

* every alignment of the original with another document, copied with the duplicate in place
  of the original: the duplicate joins each passage cluster of the original, at the same span;
* the rest of the original's body (body ranges not covered by those passages, at least
  ``min_words`` words) as duplicate <-> original alignments: the duplicate's own text,
  copied whole from the original. Not one whole-body alignment: it would overlap every
  passage of the original and merge all of its clusters (and their origins) into one.

They depend only on the original's alignments and text, so they are the same whether the two
documents came in one run or the duplicate a night later.

>>> from dedup.records import Alignment, BoilerplateSpan
>>> text = "Menu\\n" + "one two three four five six seven eight. " * 3
>>> wire = Alignment("orig", 5, 46, "other", 0, 41, 0.97)
>>> for a in duplicate_alignments("dup", "orig", text, [BoilerplateSpan(0, 5, "navigation")],
...                               [wire]):
...     print(a.doc_a, a.a_start, a.a_end, a.doc_b, a.b_start, a.b_end)
dup 5 46 other 0 41
orig 46 126 dup 46 126
"""

from __future__ import annotations

from dedup.coverage import subtract_ranges
from dedup.records import Alignment, BoilerplateSpan, content_ranges
from dedup.tokens import TOKEN_RE

# A left-over piece of the body shorter than this is a gap between two passages, not text.
MIN_WORDS = 7


def duplicate_alignments(
    duplicate: str,
    original: str,
    text: str,
    boilerplate: list[BoilerplateSpan],
    original_alignments: list[Alignment],
    min_words: int = MIN_WORDS,
) -> list[Alignment]:
    """The duplicate's alignments from the original's (``original_alignments``: alignments of
    ``original`` with documents that are not duplicates, either side first)."""
    copied: list[Alignment] = []
    covered: list[tuple[int, int]] = []
    for alignment in original_alignments:
        own = alignment if alignment.doc_a == original else alignment.swapped()
        if own.doc_a != original or own.doc_b in (original, duplicate):
            continue
        copied.append(
            Alignment(duplicate, own.a_start, own.a_end, own.doc_b, own.b_start, own.b_end,
                      own.similarity, own.blocks)
        )  # fmt: skip
        covered.append((own.a_start, own.a_end))
    rest: list[Alignment] = []
    for start, end in subtract_ranges(content_ranges(len(text), boilerplate), covered):
        words = list(TOKEN_RE.finditer(text, start, end))
        if len(words) >= min_words:
            piece_start, piece_end = words[0].start(), words[-1].end()
            rest.append(
                Alignment(original, piece_start, piece_end, duplicate, piece_start, piece_end, 1.0,
                          (piece_start, piece_end, piece_start, piece_end,
                           len(words)))
            )
    return sorted(copied + rest, key=_order)


def _order(alignment: Alignment) -> tuple[int, int, str, int]:
    return (alignment.a_start, alignment.a_end, alignment.doc_b, alignment.b_start)
