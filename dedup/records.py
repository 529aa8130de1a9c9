"""Records that the detection stages pass to each other.

Every offset is a Python string index, end exclusive, into the document's ``text`` (the
coordinate system of the public contract): ``text[start_char:end_char]`` is always the passage.
Documents are named by ``doc_key`` (their ``uri``) so that ``dedup`` never needs a database id.

>>> span = BoilerplateSpan(0, 5, "navigation")
>>> span.length
5
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

BOILERPLATE_KINDS = (
    "navigation",
    "comments",
    "footer",
    "caption",
    "promo",
    "byline",
    "dateline",
    "other",
)
ORIGIN_KINDS = ("document", "external", "unknown")
EDIT_KINDS = ("identical", "style", "spelling", "wording", "truncated", "extended")


@dataclass(frozen=True, order=True)
class BoilerplateSpan:
    """A span of ``text`` that is not article body, with the reason it was removed."""

    start_char: int
    end_char: int
    kind: str

    @property
    def length(self) -> int:
        return self.end_char - self.start_char


@dataclass
class Metadata:
    """What a document says about itself."""

    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    # Canonical agency names credited by the document as a whole (sign-offs, bylines, datelines).
    wire_credits: list[str] = field(default_factory=list)


@dataclass
class CleanedDocument:
    """A document's full text, its boilerplate spans and its metadata.

    >>> doc = CleanedDocument("Menu\\nBody text.", [BoilerplateSpan(0, 5, "navigation")], Metadata())
    >>> doc.clean_text
    'Body text.'
    >>> doc.content_ranges()
    [(5, 15)]
    """

    text: str
    boilerplate: list[BoilerplateSpan]
    metadata: Metadata

    def content_ranges(self) -> list[tuple[int, int]]:
        """The ranges of ``text`` that are article body (the complement of the boilerplate)."""
        return content_ranges(len(self.text), self.boilerplate)

    @property
    def clean_text(self) -> str:
        return "".join(self.text[start:end] for start, end in self.content_ranges())


def content_ranges(text_length: int, boilerplate: list[BoilerplateSpan]) -> list[tuple[int, int]]:
    """Complement of the (possibly overlapping) boilerplate spans within ``[0, text_length)``.

    >>> content_ranges(10, [BoilerplateSpan(2, 4, "other"), BoilerplateSpan(3, 6, "other")])
    [(0, 2), (6, 10)]
    """
    ranges: list[tuple[int, int]] = []
    cursor = 0
    for span in sorted(boilerplate):
        if span.start_char > cursor:
            ranges.append((cursor, span.start_char))
        cursor = max(cursor, span.end_char)
    if cursor < text_length:
        ranges.append((cursor, text_length))
    return ranges


# Boilerplate whose text is still searched for reuse. A photo caption is not the article's own
# text, but agencies send captions with their photos and outlets copy them, as captions or into
# the body: the caption one page labels is body text on another, and the same copied text.
DETECTED_BOILERPLATE = frozenset({"caption"})


def detection_ranges(
    text_length: int, boilerplate: list[BoilerplateSpan]
) -> list[tuple[int, int]]:
    """The ranges reuse detection reads: the content plus boilerplate of the kinds in
    ``DETECTED_BOILERPLATE`` (captions).

    >>> detection_ranges(10, [BoilerplateSpan(2, 4, "caption"), BoilerplateSpan(6, 8, "promo")])
    [(0, 6), (8, 10)]
    """
    return content_ranges(
        text_length, [span for span in boilerplate if span.kind not in DETECTED_BOILERPLATE]
    )


@dataclass(frozen=True)
class Alignment:
    """A pair of spans, one in each of two documents, that carry the same passage.

    ``blocks``: the runs of words the two spans share verbatim (after normalisation), flat as
    ``(a_start, a_end, b_start, b_end, words)`` quintuples in order; what clustering carries pieces
    through. Empty when unknown (an alignment stored by an older version).
    """

    doc_a: str
    a_start: int
    a_end: int
    doc_b: str
    b_start: int
    b_end: int
    similarity: float  # 0..1, character-level similarity of the normalised spans
    blocks: tuple[int, ...] = ()

    def swapped(self) -> Alignment:
        """The same alignment seen from b.

        >>> Alignment("a", 0, 9, "b", 5, 14, 1.0, (0, 9, 5, 14, 2)).swapped().blocks
        (5, 14, 0, 9, 2)
        """
        blocks = self.blocks
        swapped_blocks = tuple(
            value
            for index in range(0, len(blocks), 5)
            for value in (
                blocks[index + 2], blocks[index + 3], blocks[index], blocks[index + 1],
                blocks[index + 4],
            )
        )
        return Alignment(
            self.doc_b,
            self.b_start,
            self.b_end,
            self.doc_a,
            self.a_start,
            self.a_end,
            self.similarity,
            swapped_blocks,
        )


@dataclass
class AlignmentTable:
    """Many alignments as parallel integer arrays (what clustering reads): documents are
    numbers into ``doc_keys``, which is sorted, so that number order is key order."""

    doc_keys: list[str]
    doc_a: np.ndarray
    a_start: np.ndarray
    a_end: np.ndarray
    doc_b: np.ndarray
    b_start: np.ndarray
    b_end: np.ndarray
    similarity: np.ndarray | None = None  # float; None: all 1.0
    # per alignment, its shared runs as an int array of (a_start, a_end, b_start, b_end, words) rows
    # (empty: unknown); None: unknown for all
    blocks: list[np.ndarray] | None = None

    def similarity_or_one(self) -> np.ndarray:
        if self.similarity is None:
            return np.ones(len(self.doc_a), dtype=np.float64)
        return self.similarity

    @classmethod
    def of(cls, alignments: list[Alignment]) -> AlignmentTable:
        """
        >>> AlignmentTable.of([Alignment("b", 0, 5, "a", 2, 7, 1.0)]).doc_a.tolist()
        [1]
        """
        keys = sorted({a.doc_a for a in alignments} | {a.doc_b for a in alignments})
        number = {key: index for index, key in enumerate(keys)}

        def column(values: list[int]) -> np.ndarray:
            return np.array(values, dtype=np.int64)

        return cls(
            keys,
            column([number[a.doc_a] for a in alignments]),
            column([a.a_start for a in alignments]),
            column([a.a_end for a in alignments]),
            column([number[a.doc_b] for a in alignments]),
            column([a.b_start for a in alignments]),
            column([a.b_end for a in alignments]),
            np.array([a.similarity for a in alignments], dtype=np.float64),
            [np.array(a.blocks, dtype=np.int64).reshape(-1, 5) for a in alignments],
        )


@dataclass
class Occurrence:
    """One document's copy of a reused passage."""

    doc_key: str
    start_char: int
    end_char: int


@dataclass
class Cluster:
    """Occurrences of the same passage across documents (two or more documents; a document
    that repeats the passage has an occurrence per copy)."""

    occurrences: list[Occurrence]

    @property
    def doc_keys(self) -> list[str]:
        """The documents carrying the passage, each once, in occurrence order."""
        return list(dict.fromkeys(occurrence.doc_key for occurrence in self.occurrences))


@dataclass(frozen=True)
class Attribution:
    """A phrase of a document that credits an outside source, and the text it governs.

    ``start_char``/``end_char`` locate the crediting phrase itself (``he told AP``);
    ``scope_start``/``scope_end`` the text it vouches for (the quote it closes, the sentence,
    or the whole document for sign-offs and datelines).
    """

    source: str  # canonical agency or outlet name, e.g. "Associated Press"
    phrase: str
    cue: str  # told, reported, according_to, dateline, signoff, copyright, leadin, byline
    start_char: int
    end_char: int
    scope_start: int
    scope_end: int


@dataclass
class DocumentFacts:
    """What the origin and quote stages know about a document of the corpus."""

    doc_key: str
    text: str
    published_at: datetime | None = None
    outlet: str | None = None
    wire_credits: list[str] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    # Document-wide credits anywhere in ``text``, boilerplate included
    # (``dedup.origin.document_wide_attributions``), when found with the other facts; None:
    # origin inference scans the text for them when it needs them.
    wide_attributions: tuple[Attribution, ...] | None = None


@dataclass
class Origin:
    """The probable origin of a cluster, with a confidence and readable evidence.

    ``origin_index`` is the index in ``cluster.occurrences`` of the origin copy (kind
    ``document``), else None. ``parents`` maps an occurrence index to the index of the
    occurrence it was most probably copied from (absent: straight from the origin).
    """

    kind: str  # one of ORIGIN_KINDS
    confidence: float
    evidence: str
    doc_key: str | None = None
    source: str | None = None
    origin_index: int | None = None
    parents: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Quote:
    """A direct quotation inside a document; offsets exclude the quotation marks."""

    doc_key: str
    start_char: int
    end_char: int
    text: str
    speaker: str | None = None


@dataclass
class QuoteGroup:
    """Quotations of the same words across documents.

    ``variant_of[i]`` is the index of the wording member ``i`` is compared with (the origin's),
    or None for that reference itself; ``edit_kinds[i]`` one of EDIT_KINDS.
    """

    quotes: list[Quote]
    variant_of: list[int | None]
    edit_kinds: list[str]


@dataclass
class WordingMatches:
    """What a quote grouping learnt, for the next one (``dedup.quote_groups``): every distinct
    wording it compared (folded words joined by spaces) and the compared pairs it found to be
    one quotation, ``(smaller, larger)`` wording."""

    wordings: set[str] = field(default_factory=set)
    matches: set[tuple[str, str]] = field(default_factory=set)
    # how the pairs were chosen and scored (``dedup.quote_groups.MATCH_SIGNATURE``): answers
    # given under other settings are not used
    signature: str = ""
