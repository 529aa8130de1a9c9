"""Original share: the part of the clean text that no reused passage covers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.coverage import merge_ranges, original_share, overlap_chars
from dedup.records import BoilerplateSpan

ranges = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 60)).map(
        lambda pair: (pair[0], pair[0] + pair[1])
    ),
    max_size=12,
)


@given(ranges, ranges)
def test_overlap_counts_the_shared_characters(first: list, second: list) -> None:
    covered_first = {char for start, end in first for char in range(start, end)}
    covered_second = {char for start, end in second for char in range(start, end)}
    assert overlap_chars(merge_ranges(first), merge_ranges(second)) == len(
        covered_first & covered_second
    )


def test_reuse_inside_boilerplate_does_not_lower_the_share() -> None:
    # 100 characters, the first 20 are a navigation line; a "reused" range over the nav line
    # and 30 body characters leaves 50 of the 80 body characters original.
    nav = [BoilerplateSpan(0, 20, "navigation")]
    assert original_share(100, nav, [(0, 50)]) == 50 / 80


def test_overlapping_occurrences_count_once() -> None:
    assert original_share(100, [], [(10, 30), (20, 40), (20, 40)]) == 0.7


def test_document_without_body_has_no_original_share() -> None:
    assert original_share(10, [BoilerplateSpan(0, 10, "footer")], []) == 0.0
