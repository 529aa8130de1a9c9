"""Which characters of a document are original, and which came from where.

One document's characters are split into segments: boilerplate, original text, or a reused
passage (coloured by its origin, as the page's highlights are). Where passages overlap, the
shortest one covering a character wins, as in :func:`reports.markup.highlighted_text`. The
per-outlet composition (original / agency / another document / unknown origin) sums those
segments over an outlet's documents. Grouping only: nothing here detects anything.

>>> from storage.records import DocumentRow, LineageRow
>>> doc = DocumentRow(1, "a.txt", "A", "Daily", None, None, "0123456789", "0123456789", 0.6, None)
>>> copy = LineageRow(1, 7, 1, "a.txt", 2, 6, "2345", False, None, "external", None, "Reuters", 0.9, "")
>>> [(s.start_char, s.end_char, s.category) for s in document_segments(doc, [copy], [])]
[(0, 2, 'original'), (2, 6, 'agency'), (6, 10, 'original')]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dedup.sources import source_kind
from storage.records import BoilerplateRow, DocumentRow, LineageRow

ORIGINAL = "original"
AGENCY = "agency"
OTHER_DOCUMENT = "other document"
UNKNOWN = "unknown origin"
BOILERPLATE = "boilerplate"
# The order the parts of a stacked bar are drawn in, and their names in legends.
CATEGORIES = (ORIGINAL, AGENCY, OTHER_DOCUMENT, UNKNOWN)
CATEGORY_NAMES = {
    ORIGINAL: "original",
    AGENCY: "from an agency",
    OTHER_DOCUMENT: "from another outlet's document",
    UNKNOWN: "shared, origin unknown",
}


@dataclass(frozen=True)
class Segment:
    """A run of characters ``[start_char, end_char)`` of one kind; ``occurrence`` is the
    reused passage covering it (None for original text and boilerplate)."""

    start_char: int
    end_char: int
    category: str
    occurrence: LineageRow | None = None

    @property
    def length(self) -> int:
        return self.end_char - self.start_char


def occurrence_category(row: LineageRow) -> str:
    """What a copy of a passage is to the document holding it.

    The origin's own copy is original text; a passage traced outside the corpus is an agency's
    unless the sources table says the source is an outlet (The New York Times, CNN), which
    counts as another outlet's document, as a corpus origin does.

    >>> row = LineageRow(1, 1, 1, "a", 0, 1, "x", False, None, "external", None, "AFP", 0.9, "")
    >>> occurrence_category(row)
    'agency'
    """
    if row.is_origin or (row.origin_kind == "document" and row.origin_uri == row.uri):
        return ORIGINAL
    if row.origin_kind == "external":
        if source_kind(row.origin_source) in ("outlet", "aggregator"):
            return OTHER_DOCUMENT
        return AGENCY
    if row.origin_kind == "document":
        return OTHER_DOCUMENT
    return UNKNOWN


def document_segments(
    document: DocumentRow, occurrences: list[LineageRow], boilerplate: list[BoilerplateRow]
) -> list[Segment]:
    """The document's ``text`` as consecutive segments covering ``0..len(text)``.

    Boilerplate wins over passages (it is not article text); among passages the shortest
    covering a character wins. Adjacent segments of the same passage or kind are merged.
    """
    length = len(document.text)
    marks = [
        row for row in occurrences if 0 <= row.start_char < row.end_char and row.start_char < length
    ]
    folds = [
        (max(0, row.start_char), min(length, row.end_char))
        for row in boilerplate
        if row.start_char < row.end_char
    ]
    bounds = {0, length}
    for row in marks:
        bounds.update((row.start_char, min(length, row.end_char)))
    for start, end in folds:
        bounds.update((start, end))
    points = sorted(point for point in bounds if 0 <= point <= length)
    segments: list[Segment] = []
    for start, end in zip(points, points[1:], strict=False):
        if start >= end:
            continue
        if any(fold_start <= start and end <= fold_end for fold_start, fold_end in folds):
            piece = Segment(start, end, BOILERPLATE)
        else:
            covering = [row for row in marks if row.start_char <= start and end <= row.end_char]
            if covering:
                best = min(
                    covering, key=lambda row: (row.end_char - row.start_char, row.cluster_id)
                )
                piece = Segment(start, end, occurrence_category(best), best)
            else:
                piece = Segment(start, end, ORIGINAL)
        previous = segments[-1] if segments else None
        if (
            previous is not None
            and previous.category == piece.category
            and previous.occurrence is piece.occurrence
        ):
            segments[-1] = Segment(previous.start_char, end, piece.category, piece.occurrence)
        else:
            segments.append(piece)
    return segments


def composition(segments: list[Segment]) -> Counter[str]:
    """Characters of article text (boilerplate left out) in each category.

    >>> composition([Segment(0, 4, ORIGINAL), Segment(4, 6, BOILERPLATE), Segment(6, 9, AGENCY)])
    Counter({'original': 4, 'agency': 3})
    """
    counts: Counter[str] = Counter()
    for segment in segments:
        if segment.category != BOILERPLATE:
            counts[segment.category] += segment.length
    return counts
