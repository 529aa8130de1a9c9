"""How much of a document is covered by reused passages: merged ranges and their overlap.

>>> merge_ranges([(5, 9), (0, 3), (2, 4)])
[(0, 4), (5, 9)]
>>> overlap_chars([(0, 4), (5, 9)], [(3, 6)])
2
>>> subtract_ranges([(0, 10)], [(6, 8), (2, 4), (3, 5)])
[(0, 2), (5, 6), (8, 10)]
>>> original_share(10, [], [(0, 4)])
0.6
"""

from __future__ import annotations

from dedup.records import BoilerplateSpan, content_ranges

Range = tuple[int, int]


def merge_ranges(ranges: list[Range]) -> list[Range]:
    """Sorted, disjoint ranges covering the same characters as ``ranges``."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract_ranges(ranges: list[Range], holes: list[Range]) -> list[Range]:
    """The parts of ``ranges`` outside every one of ``holes`` (which may overlap)."""
    if not holes:
        return ranges
    result: list[Range] = []
    holes = sorted(holes)
    for start, end in ranges:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def overlap_chars(first: list[Range], second: list[Range]) -> int:
    """Characters shared by two sorted lists of disjoint ranges (one linear sweep)."""
    total = index_a = index_b = 0
    while index_a < len(first) and index_b < len(second):
        start = max(first[index_a][0], second[index_b][0])
        end = min(first[index_a][1], second[index_b][1])
        total += max(0, end - start)
        if first[index_a][1] < second[index_b][1]:
            index_a += 1
        else:
            index_b += 1
    return total


def original_share(
    text_length: int, boilerplate: list[BoilerplateSpan], reused: list[Range]
) -> float:
    """Fraction (0..1) of the clean text not covered by any reused passage.

    Reused ranges are offsets into the full text; the parts of them lying in boilerplate do not
    count, so the share is relative to ``clean_text`` as the contract defines it.
    """
    body = content_ranges(text_length, boilerplate)
    body_chars = sum(end - start for start, end in body)
    if body_chars == 0:
        return 0.0
    return round(1.0 - overlap_chars(body, merge_ranges(reused)) / body_chars, 6)
