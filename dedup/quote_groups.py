"""Quote groups: the same quotation across documents, and how each copy differs.

Two quotes are one quotation when their folded wordings (``dedup.quotes.fold_words``) are
equal, or when two wordings that share a phrase of ``_SHINGLE`` words score as the same
(``_same_quotations``). A group is a quotation and its variants, each scored as the same
quotation as the group's reference (the earliest wording): quotes are taken in publication
order, and the earliest not yet grouped gathers the quotes not yet grouped that match it
(``_stars``). Matching is not transitive, so groups are not connected components: two
fragments of one long quotation ("I hadn't thought of that," and "certainly I'll be asking
about it.") both match the long form but not each other, and neither is a variant of the
other. A group needs quotes in two documents or more.

Scoring decides nearly all the cost, and its answer is a function of the two wordings alone:
a :class:`WordingMatches` from an earlier grouping lets a later one score only the pairs it
has not scored before (a nightly batch: the pairs with a new wording), with the same groups
as scoring every pair.

>>> from dedup.records import Quote
>>> a = Quote("a", 0, 30, "The missile shield is a threat to us", "X")
>>> b = Quote("b", 5, 40, "“The missile shield is a threat", "X")
>>> [(g.edit_kinds, g.variant_of) for g in group_quotes([b, a], {"a": 0, "b": 1})]
[(['identical', 'truncated'], [None, 0])]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from dedup.quotes import classify_edit, fold_words
from dedup.records import Quote, QuoteGroup, WordingMatches

__all__ = ["MATCH_SIGNATURE", "QuoteGrouping", "WordingMatches", "group_quotes", "grouped_quotes"]

_SHINGLE = 3  # words of the phrase two wordings must share to be compared
_COMMON_SHINGLE = 200  # a shingle shared by more wordings than this is a phrase, not a quotation
_SAME_RATIO = 85  # fuzz.ratio of two wordings of one quotation
_PART_RATIO = 92  # fuzz.partial_ratio of a shorter wording inside a longer one
_PART_MIN_WORDS = 4  # a shorter wording under this is too short to count as a part
_GRAM = 3  # character q-grams of the exact partial_ratio filter
_WORD_BITS = 21  # bits of a word id in a packed shingle (three to an int64)
# What a WordingMatches' answers depend on: how texts are folded into wordings, which pairs
# are candidates and how they are scored; and what the stored edit kinds depend on
# (``classify_edit``). Change the version with the code of any; answers of another signature
# are unused. v2: acute accents folded as apostrophes (a wording and an edit kind changed).
MATCH_SIGNATURE = (
    f"v2 shingle={_SHINGLE} common={_COMMON_SHINGLE} same={_SAME_RATIO} "
    f"part={_PART_RATIO}/{_PART_MIN_WORDS}"
)


@dataclass
class QuoteGrouping:
    """Groups of a grouping, what it learnt, and how many pairs it scored (the others were
    known)."""

    groups: list[QuoteGroup]
    learnt: WordingMatches
    scored_pairs: int
    known_pairs: int


def group_quotes(quotes: list[Quote], rank: dict[str, int]) -> list[QuoteGroup]:
    """Quotations of the same words across at least two documents.

    The reference of a group is the member from the lowest-ranked document (closest to the
    origin; ties: the longer quotation); every other member points at it with its edit kind.
    ``rank``: document -> its place in publication order (unknown documents last).
    """
    return grouped_quotes(quotes, rank).groups


def grouped_quotes(
    quotes: list[Quote],
    rank: dict[str, int],
    known: WordingMatches | None = None,
    known_edits: Mapping[tuple[str, str], str] | None = None,
) -> QuoteGrouping:
    """``group_quotes``, scoring only the candidate pairs ``known`` (what an earlier grouping
    learnt) cannot answer; ``known_edits``: ``classify_edit`` answers by (reference text,
    variant text), e.g. as stored, used only with a ``known`` of this ``MATCH_SIGNATURE``.
    Same groups with or without them.

    >>> from dedup.records import Quote
    >>> a = Quote("a", 0, 30, "The missile shield is a threat to us")
    >>> b = Quote("b", 5, 40, "The missile shield is a threat")
    >>> first = grouped_quotes([a, b], {"a": 0, "b": 1})
    >>> again = grouped_quotes([a, b], {"a": 0, "b": 1}, first.learnt)
    >>> (first.scored_pairs, again.scored_pairs, again.groups == first.groups)
    (1, 0, True)
    """
    if not quotes:
        return QuoteGrouping([], WordingMatches(signature=MATCH_SIGNATURE), 0, 0)
    if known is None or known.signature != MATCH_SIGNATURE:
        # learnt under other settings (or not said under which): edit kinds stored with them
        # may be answers of another ``classify_edit``
        known, known_edits = None, None
    wording_of_quote, wordings = _distinct_wordings(quotes)
    words = [wording.split() for wording in wordings]
    candidates = _candidate_pairs(words)
    matched_known, unknown = _split_known(wordings, candidates, known or WordingMatches())
    texts_first = [wordings[i] for i in unknown // len(wordings)]
    texts_second = [wordings[i] for i in unknown % len(wordings)]
    scored = unknown[_same_quotations(texts_first, texts_second)]
    matched = np.concatenate([matched_known, scored])
    order = _publication_order(quotes, rank)
    star_of_wording = _stars(wording_of_quote, matched, len(wordings), order, quotes)
    groups = _groups(quotes, star_of_wording, wording_of_quote, order, rank, known_edits or {})
    learnt = WordingMatches(
        set(wordings),
        {(wordings[i], wordings[j]) for i, j in zip(*divmod(matched, len(wordings)), strict=True)},
        MATCH_SIGNATURE,
    )
    return QuoteGrouping(groups, learnt, len(unknown), len(candidates) - len(unknown))


def _distinct_wordings(quotes: list[Quote]) -> tuple[np.ndarray, list[str]]:
    """Each quote's wording number, and the distinct wordings in text order (a pair's number
    ``first * len(wordings) + second`` then names the same two texts in any run)."""
    texts = [" ".join(fold_words(quote.text)) for quote in quotes]
    wordings = sorted(set(texts))
    number = {wording: index for index, wording in enumerate(wordings)}
    return np.array([number[text] for text in texts], dtype=np.int64), wordings


def _candidate_pairs(words: list[list[str]]) -> np.ndarray:
    """The wording pairs worth scoring, as sorted numbers ``first * n + second`` (``first <
    second``): those sharing a shingle of ``_SHINGLE`` words (a wording shorter than that is
    one shingle). A shingle of more than ``_COMMON_SHINGLE`` wordings is a phrase: it pairs
    each of them with its longest wording only (the last in text order among the longest), a
    choice that depends on the set of wordings, not on their quotes' order.

    >>> _candidate_pairs([["a", "b", "c"], ["a", "b", "c", "d"], ["x", "y"]]).tolist()
    [1]
    """
    count = len(words)
    owner, shingle = _shingles(words)
    if len(owner) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((owner, shingle))
    owner, shingle = owner[order], shingle[order]
    # a wording repeating a shingle is one member of it
    distinct = np.r_[True, (shingle[1:] != shingle[:-1]) | (owner[1:] != owner[:-1])]
    owner, shingle = owner[distinct], shingle[distinct]
    starts = np.flatnonzero(np.r_[True, shingle[1:] != shingle[:-1]])
    sizes = np.diff(np.r_[starts, len(shingle)])
    word_counts = np.array([len(wording) for wording in words], dtype=np.int64)
    found: list[np.ndarray] = []
    for size in np.unique(sizes[sizes >= 2]).tolist():
        group_starts = starts[sizes == size]
        members = owner[group_starts[:, None] + np.arange(size)]  # one row per shingle
        if size <= _COMMON_SHINGLE:
            first, second = np.triu_indices(size, 1)
            found.append(members[:, first].ravel() * count + members[:, second].ravel())
        else:
            # members are in wording order: the last of the longest has the largest key
            keys = word_counts[members] * count + members
            longest = members[np.arange(len(members)), np.argmax(keys, axis=1)]
            others = members != longest[:, None]
            low = np.minimum(members, longest[:, None])[others]
            high = np.maximum(members, longest[:, None])[others]
            found.append(low * count + high)
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(found))


def _shingles(words: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``(wording, shingle)`` for each shingle of each wording (repeats included):
    ``_SHINGLE`` word ids packed into an int64 (shorter wordings padded with a word id no
    word has)."""
    vocabulary: dict[str, int] = {}
    flat: list[int] = []
    lengths = np.array([len(wording) for wording in words], dtype=np.int64)
    for wording in words:
        flat.extend(vocabulary.setdefault(word, len(vocabulary)) for word in wording)
        flat.extend([-1] * (_SHINGLE - 1))  # padding: no window of a long wording reaches it
    padding = len(vocabulary)
    if padding >= 1 << _WORD_BITS:
        raise ValueError(f"more than {1 << _WORD_BITS} distinct words in quotes")
    ids = np.array(flat, dtype=np.int64)
    ids[ids < 0] = padding
    padded = lengths + _SHINGLE - 1
    windows = np.maximum(lengths - _SHINGLE + 1, 1)
    return _packed_windows(ids, np.cumsum(padded) - padded, windows, _SHINGLE)


def _packed_windows(
    ids: np.ndarray, offsets: np.ndarray, windows: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each segment of ``ids`` starting at ``offsets``, its first ``windows`` runs of
    ``width`` consecutive ids (ids below ``2**_WORD_BITS``), each packed into an int64, with
    the segment's number: ``(segment, packed)``.

    >>> [a.tolist() for a in _packed_windows(np.array([1, 2, 3, 4]), np.array([0, 2]),
    ...                                       np.array([2, 1]), 2)]
    [[0, 0, 1], [2097154, 4194307, 6291460]]
    """
    segment = np.repeat(np.arange(len(offsets), dtype=np.int64), windows)
    starts = np.arange(int(windows.sum())) - np.repeat(np.cumsum(windows) - windows, windows)
    starts += np.repeat(offsets, windows)
    packed = np.zeros(len(starts), dtype=np.int64)
    for position in range(width):
        packed = (packed << _WORD_BITS) | ids[starts + position]
    return segment, packed


def _split_known(
    wordings: list[str], candidates: np.ndarray, known: WordingMatches
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates whose answer ``known`` holds and that matched, and those to score.

    A pair of wordings both in ``known.wordings`` that is a candidate now was a candidate
    then, and scored, when no wording has gone since (a shingle's wordings only grew: a
    phrase stays a phrase, and its longest wording, if not new, stays its longest); else the
    earlier candidates are worked out from the earlier wordings."""
    count = len(wordings)
    if not known.wordings or count == 0:
        return np.zeros(0, dtype=np.int64), candidates
    number = {wording: index for index, wording in enumerate(wordings)}
    is_old = np.zeros(count, dtype=bool)
    is_old[[number[w] for w in known.wordings if w in number]] = True
    first, second = divmod(candidates, count)
    both_old = is_old[first] & is_old[second]
    if len(known.wordings) > int(is_old.sum()):  # some wordings have gone
        earlier = sorted(known.wordings)
        earlier_pairs = _candidate_pairs([wording.split() for wording in earlier])
        now_number = np.array([number.get(wording, -1) for wording in earlier], dtype=np.int64)
        low, high = divmod(earlier_pairs, len(earlier))
        low, high = now_number[low], now_number[high]
        kept = (low >= 0) & (high >= 0)
        both_old &= np.isin(candidates, low[kept] * count + high[kept])
    matches = [
        number[a] * count + number[b] for a, b in known.matches if a in number and b in number
    ]
    matched = both_old & np.isin(candidates, np.array(matches, dtype=np.int64))
    return candidates[matched], candidates[~both_old]


def _publication_order(quotes: list[Quote], rank: dict[str, int]) -> np.ndarray:
    """Quote indices closest to the origin first: by document rank (unknown documents last),
    the longer quote first, then by document and position."""
    unknown_rank = max(rank.values(), default=0) + 1
    return np.array(
        sorted(
            range(len(quotes)),
            key=lambda index: (
                rank.get(quotes[index].doc_key, unknown_rank),
                -len(quotes[index].text),
                quotes[index].doc_key,
                quotes[index].start_char,
                index,
            ),
        ),
        dtype=np.int64,
    )


def _stars(
    wording_of_quote: np.ndarray,
    matched: np.ndarray,
    count: int,
    order: np.ndarray,
    quotes: list[Quote],
) -> np.ndarray:
    """Each wording's group: the number of its reference wording, or -1 (in no group).

    Wordings are taken by their earliest quote in ``order``; a wording not yet grouped gathers
    the wordings not yet grouped that it matched (``matched``: pair numbers ``first * count +
    second``), when their quotes are in two documents or more; else it stays alone and its
    neighbours stay free for a later reference. A function of the matched pairs and the order
    alone, so what was learnt gives the same groups as scoring afresh.

    >>> from dedup.records import Quote
    >>> quotes = [Quote(d, 0, 1, "x") for d in "abc"]  # wordings 0 - 1 - 2 matched in a chain
    >>> _stars(np.arange(3), np.array([0 * 3 + 1, 1 * 3 + 2]), 3, np.arange(3), quotes).tolist()
    [0, 0, -1]
    """
    first_place = np.full(count, len(order), dtype=np.int64)
    np.minimum.at(first_place, wording_of_quote[order], np.arange(len(order)))
    wording_order = np.argsort(first_place, kind="stable")
    # one document of each wording, and whether its quotes span several
    doc_number: dict[str, int] = {}
    docs = np.array([doc_number.setdefault(q.doc_key, len(doc_number)) for q in quotes])
    some_doc = np.full(count, -1, dtype=np.int64)
    some_doc[wording_of_quote] = docs
    several_docs = np.zeros(count, dtype=bool)
    several_docs[wording_of_quote[docs != some_doc[wording_of_quote]]] = True
    # neighbours of each wording (both directions), as a CSR adjacency
    first, second = divmod(matched, count)
    ends = np.concatenate([first, second])
    neighbours = np.concatenate([second, first])[np.argsort(ends, kind="stable")]
    bounds = np.searchsorted(np.sort(ends), np.arange(count + 1))
    star = np.full(count, -1, dtype=np.int64)
    taken = np.zeros(count, dtype=bool)
    for wording in wording_order.tolist():
        if taken[wording]:
            continue
        taken[wording] = True
        free = neighbours[bounds[wording] : bounds[wording + 1]]
        free = free[~taken[free]]
        members = np.r_[wording, free]
        if several_docs[members].any() or (some_doc[members] != some_doc[wording]).any():
            taken[free] = True
            star[members] = wording
    return star


def _groups(
    quotes: list[Quote],
    star_of_wording: np.ndarray,
    wording_of_quote: np.ndarray,
    order: np.ndarray,
    rank: dict[str, int],
    known_edits: Mapping[tuple[str, str], str],
) -> list[QuoteGroup]:
    """Groups of ``_stars``, members in publication order, each compared with the reference
    (the earliest quote of the reference wording: the longest of the earliest document)."""
    unknown_rank = max(rank.values(), default=0) + 1

    def member_order(index: int) -> tuple[int, str, int, int]:
        quote = quotes[index]
        return (rank.get(quote.doc_key, unknown_rank), quote.doc_key, quote.start_char, index)

    star_of_quote = star_of_wording[wording_of_quote]
    members_of: dict[int, list[int]] = {}
    reference_of: dict[int, int] = {}
    for index in order.tolist():
        star = int(star_of_quote[index])
        if star < 0:
            continue
        members_of.setdefault(star, []).append(index)
        reference_of.setdefault(star, index)  # the first in ``order``
    groups: list[QuoteGroup] = []
    for star, members in members_of.items():
        members.sort(key=member_order)
        reference = members.index(reference_of[star])
        reference_text = quotes[members[reference]].text
        variant_of: list[int | None] = []
        edit_kinds: list[str] = []
        for i, index in enumerate(members):
            if i == reference:
                variant_of.append(None)
                edit_kinds.append("identical")
                continue
            variant_of.append(reference)
            text = quotes[index].text
            kind = known_edits.get((reference_text, text))
            edit_kinds.append(kind if kind is not None else classify_edit(reference_text, text))
        groups.append(QuoteGroup([quotes[index] for index in members], variant_of, edit_kinds))
    groups.sort(
        key=lambda group: (
            rank.get(group.quotes[0].doc_key, unknown_rank),
            group.quotes[0].doc_key,
            group.quotes[0].start_char,
            group.quotes[0].end_char,
        )
    )
    return groups


def _same_quotations(texts_first: list[str], texts_second: list[str]) -> np.ndarray:
    """For each pair ``(texts_first[i], texts_second[i])`` (joined folded words): is it one
    quotation? Near-identical wording (``fuzz.ratio`` at least ``_SAME_RATIO``), or one text of
    ``_PART_MIN_WORDS`` words or more a fuzzy part of the other (``fuzz.partial_ratio`` of the
    shorter in the longer at least ``_PART_RATIO``). A function of the two texts alone, the
    same either way round.

    >>> _same_quotations(["the shield is a threat"] * 2, ["the shield is a threat to us",
    ...                  "nothing alike"]).tolist()
    [True, False]

    ``fuzz.ratio`` runs over all pairs in C; ``fuzz.partial_ratio`` (about 70 µs a pair) only
    on pairs that pass an exact q-gram filter: a window ``W`` of the longer text scoring
    ``_PART_RATIO`` against the shorter text ``S`` (``len(W) <= len(S)``, score
    ``100 * (1 - d / (len(S) + len(W)))`` with ``d`` insertions and deletions) takes
    ``d <= 0.16 * len(S)`` edits, each breaking at most ``_GRAM`` of ``S``'s character q-grams;
    fewer positions of ``S`` whose q-gram the longer text has rule the pair out without
    changing any answer (one more edit absorbs float rounding).
    """
    if len(texts_first) == 0:
        return np.zeros(0, dtype=bool)
    same = (
        process.cpdist(texts_first, texts_second, scorer=fuzz.ratio, score_cutoff=_SAME_RATIO)
        >= _SAME_RATIO
    )
    # the distinct texts, numbered: q-grams are counted once per text
    texts = sorted(set(texts_first) | set(texts_second))
    number = {text: index for index, text in enumerate(texts)}
    first = np.array([number[text] for text in texts_first], dtype=np.intp)
    second = np.array([number[text] for text in texts_second], dtype=np.intp)
    lengths = np.array([len(text) for text in texts])
    word_counts = np.array([len(text.split()) for text in texts])
    # rapidfuzz puts the shorter text first and, at equal lengths, tries both ways round
    a_shorter = lengths[first] <= lengths[second]
    shorter = np.where(a_shorter, first, second)
    longer = np.where(a_shorter, second, first)
    open_pairs = ~same & (word_counts[shorter] >= _PART_MIN_WORDS)
    # q-grams of the texts of open pairs only (rows renumbered): most texts are in none
    used = np.unique(np.concatenate([shorter[open_pairs], longer[open_pairs]]))
    counts, present = _gram_matrices([texts[i] for i in used])
    row_of = np.zeros(len(texts), dtype=np.intp)
    row_of[used] = np.arange(len(used))
    shorter_rows, longer_rows, used_lengths = row_of[shorter], row_of[longer], lengths[used]
    may_be_part = open_pairs & _may_be_part(
        counts, present, used_lengths, shorter_rows, longer_rows, open_pairs
    )
    both_ways = open_pairs & ~may_be_part & (lengths[first] == lengths[second])
    may_be_part |= both_ways & _may_be_part(
        counts, present, used_lengths, longer_rows, shorter_rows, both_ways
    )
    positions = np.flatnonzero(may_be_part)
    if len(positions):
        scores = process.cpdist(
            [texts[i] for i in shorter[positions]],
            [texts[i] for i in longer[positions]],
            scorer=fuzz.partial_ratio,
            score_cutoff=_PART_RATIO,
        )
        same[positions[scores >= _PART_RATIO]] = True
    return same


def _gram_matrices(texts: list[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Per text (row), how often each character q-gram (column) occurs, and whether it does.

    The q-grams of all texts at once: code points (below 2**21, ``_WORD_BITS``) packed three
    to an integer.
    """
    code_points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(
        np.int64
    )
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    # every q-gram: each text's positions that leave room for a whole q-gram
    gram_counts = np.maximum(lengths - _GRAM + 1, 0)
    rows, packed = _packed_windows(code_points, np.cumsum(lengths) - lengths, gram_counts, _GRAM)
    _, columns = np.unique(packed, return_inverse=True)
    shape = (len(texts), int(columns.max()) + 1 if len(columns) else 1)
    counts = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, columns.ravel())), shape=shape
    )  # duplicates are summed
    present = counts.copy()
    present.data[:] = 1
    return counts, present


_FILTER_CHUNK = 50_000  # pairs per sparse product: bounded memory however many pairs


def _may_be_part(
    counts: sparse.csr_matrix,
    present: sparse.csr_matrix,
    lengths: np.ndarray,
    shorter: np.ndarray,
    longer: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:
    """For the pairs ``wanted``: could ``fuzz.partial_ratio(shorter, longer)`` reach
    ``_PART_RATIO``? (False elsewhere.)"""
    result = np.zeros(len(shorter), dtype=bool)
    positions = np.flatnonzero(wanted)
    for start in range(0, len(positions), _FILTER_CHUNK):
        chunk = positions[start : start + _FILTER_CHUNK]
        found = np.asarray(
            counts[shorter[chunk]].multiply(present[longer[chunk]]).sum(axis=1)
        ).ravel()
        total = lengths[shorter[chunk]] - _GRAM + 1
        max_edits = 2 * (100 - _PART_RATIO) / 100 * lengths[shorter[chunk]] + 1
        result[chunk] = (total <= 0) | (found >= total - _GRAM * max_edits)
    return result
