"""Local alignment of two documents: the passages they share, with offsets in both.

Method (seed, chain, extend, merge, validate, score):

1. Seeds are exact matches of word bigrams (``seed_words``) between the two documents'
   normalised token hashes. Bigrams made only of function words (``of the``) and bigrams
   repeated more than ``max_seed_repeats`` times in one document are no seeds.
2. Seeds are chained, in order along both documents, into regions: a seed joins a region when
   the gap since its end is at most ``max_gap_words`` in *both* documents and the diagonal
   has drifted by at most ``max_drift_words``. Small gaps absorb a typo, a changed word or a
   short attribution inside a quote (``,” he told AP. “`` versus ``," Poznikhir said. "``).
3. Edges grow word by word over exact or fuzzy matches (rapidfuzz Indel similarity of the
   words >= ``word_similarity``, a typo'd edge word), then by 4-word chunks whose word sets
   are alike (a rewritten edge).
4. Regions that re-match words a stronger region already matched elsewhere (a repeated
   title, a story a page carries twice) are set aside as repeats, then regions are merged when they are close in both documents, in
   either order (rewrites reorder sentences): unconditionally when the gap is at most
   ``merge_gap_words`` (19) on both sides, and up to ``rewrite_gap_words`` when the two gaps
   share content words (Dice >= ``rewrite_gap_dice``, function words left out). A sentence
   of 20+ words present in one document only is a one-sided gap: it separates two passages.
5. A region is kept only with enough exact evidence: at least ``min_words`` distinct content
   words under its seeds (counted in both documents, so a phrase repeated in each does not
   add up), plus either a verbatim run of ``min_run_words`` or ``min_scattered_words``
   content words. ``the United States said on Tuesday`` chained to a second ``said on
   Tuesday``, or ``so-called rogue states`` + ``North Korea, Russia and China``, fail this.
6. Edges move out to the sentence boundary when at most ``snap_words`` remain before it,
   never across a quotation mark (a quote ends there and ``he added`` is the outlet's own).
7. Spans come from token offsets, so they are snapped to word boundaries of the original
   texts; ``similarity`` is rapidfuzz's normalised Indel similarity of the normalised spans.
   Regions whose spans are alike neither by characters nor by word sets (``min_similarity``)
   are dropped.
8. Reported passages that are rewritten (similarity < ``verbatim_similarity``) and follow
   each other in one document while lying up to ``digest_gap_words`` apart in the other are
   one passage (a summary or digest of a longer text); in the same order in both documents
   (a summary follows its source), up to ``digest_compact_words`` apart in the one and
   ``digest_in_order_words`` in the other. Verbatim ones never merge this way.
   The result is made one-to-one (``drop_conflicts``).
9. Repeats are merged and validated like the other regions; one at least
   ``repeat_similarity`` alike and ``repeat_min_words`` long that pairs text no alignment
   pairs yet, in one of the two
   documents, is reported too (``add_repeats``): a page that carries a wire story twice has
   two copies of it, and each gets its alignment.

Symmetry: the pair is always processed in a canonical order (by key, then text) and the
result swapped back, so ``align(a, b) == [x.swapped() for x in align(b, a)]`` exactly.

Measurements behind the parameters (``python benchmarks/pan.py --sample 200 --param ...``,
PAN 2013 training corpus, 200 pairs per sub-corpus; ``all`` plagdet):

* trigram seeds, chained only in order: all 0.65 (03 random obfuscation 0.51: reordered
  and rewritten text breaks the chains); merging in either order and across alike gaps
  raised 03 to 0.88 on bigram seeds; bigram seeds beat trigrams (03 +0.05) once pure
  function-word bigrams are excluded.
* evidence counted in distinct content words cut falsely aligned no-reuse pairs (01) from
  1.5 to 0.5 per 100 on the whole sub-corpus (repeated `heart disease heart disease`).
* sentence snapping (+0.6 overall), chunk extension and fuzzy word extension recover edges.
* one-sided gaps up to 19 words merge (15: all 0.864, 19: 0.877); seeds repeated up to 8
  times (4: translation 04 -0.012); digest merging up to 300 words (0: all 0.879, 100:
  0.891, 300: 0.902; summary 05 0.18 -> 0.34, granularity 2.0 -> 1.3).
* sentence-pair seeds on shared content-word stems (``sentence_dice`` <= 1 enables them):
  translation (04) +0.03 but verbatim/random precision -0.02/-0.01, overall unchanged, and
  on the seeds they align topical headlines of unrelated articles; off by default.

>>> from dedup.tokens import tokenize
>>> a = "Intro. “We are working together on ways to minimize possible damage to the security of our countries,” he said."
>>> b = 'He said: "We are working together on ways to minimise possible damage to the security of our countries."'
>>> [x] = align_documents("a", a, tokenize(a), "b", b, tokenize(b))
>>> a[x.a_start:x.a_end]
'We are working together on ways to minimize possible damage to the security of our countries'
>>> round(x.similarity, 2)
0.99
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import Indel

from dedup.normalize import normalize_token, normalized_text
from dedup.records import Alignment
from dedup.tokens import Tokens, kgram_hashes, word_hash

# Function words: shared by any two English texts, so they are no evidence that two gaps are
# the same rewritten text (measured: with them, topical paragraphs of unrelated news reach
# the same gap Dice as PAN's obfuscated copies).
_STOPWORD_TEXT = """a about after again against all also am an and any are as at be because been before
    being between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would
    you your yours said says say told"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_STOPWORD_HASHES = np.array(sorted(word_hash(word) for word in STOPWORDS), dtype=np.uint64)


def _stopword_mask(hashes: np.ndarray) -> np.ndarray:
    """Which of ``hashes`` are function words (``np.isin`` by binary search: isin compares the
    whole array once per function word, and this runs several times per pair)."""
    found = np.minimum(np.searchsorted(_STOPWORD_HASHES, hashes), len(_STOPWORD_HASHES) - 1)
    return _STOPWORD_HASHES[found] == hashes


@dataclass(frozen=True)
class AlignParams:
    seed_words: int = 2  # k of the exact k-gram seeds
    max_seed_repeats: int = 8  # a k-gram seen more often in one document is no seed (4: 04 -0.012)
    max_gap_words: int = 10  # words skipped between chained seeds, in each document
    max_drift_words: int = 6  # change of diagonal allowed between chained seeds
    # Regions merge when the gap between them is at most this long in both documents (an
    # attribution or clause inserted in a quote, a deleted phrase); a sentence of 20+ words
    # present on one side only separates two passages. (PAN, 200 pairs per sub-corpus:
    # 15 -> all 0.864, 19 -> 0.877, 20 -> 0.881.)
    merge_gap_words: int = 19
    # Longer gaps (up to rewrite_gap_words) merge when they are alike on both sides, i.e. a
    # rewritten stretch rather than an insertion: Dice of their word sets.
    rewrite_gap_words: int = 60
    rewrite_gap_dice: float = 0.25
    # Reported passages that are rewritten (similarity < verbatim_similarity) and contiguous
    # in one document merge across up to digest_gap_words in the other (0: never).
    digest_gap_words: int = 300  # (PAN sample: 0 -> all 0.879, 100 -> 0.891, 300 -> 0.902)
    # ... and when they are in the same order in both documents (a summary follows its
    # source), up to digest_compact_words apart in the one and digest_in_order_words in the
    # other (PAN, two samples of 200 pairs per sub-corpus: all +0.006 / +0.011, summary 05
    # +0.10 / +0.17, random edits 03 -0.005 / -0.003).
    digest_compact_words: int = 38
    digest_in_order_words: int = 900
    verbatim_similarity: float = 0.9
    chunk_words: int = 4  # edge extension by chunks of words ...
    chunk_dice: float = 0.5  # ... whose word sets are this alike
    min_words: int = 7  # content words (not function words) a passage must match exactly
    # ... and contain at least this many words in a row verbatim: `so-called rogue states`
    # and `North Korea, Russia and China` chained together are topic, not copy.
    min_run_words: int = 6
    # A rewrite keeps no long verbatim run but many scattered seeds: this many content words.
    min_scattered_words: int = 8
    # Paraphrase seeds: sentence pairs sharing this many content-word stems, with this Dice
    # (a translated or reworded sentence keeps its nouns but few word pairs in a row).
    sentence_min_shared: int = 4
    sentence_dice: float = 2.0  # > 1 disables (see module docstring for the measurement)
    # Edges move out to the sentence boundary over at most this many words (0: never).
    snap_words: int = 12
    snap_dice: float = 0.1  # content-word Dice of the two remainders (when both non-empty)
    extend_words: int = 4  # edge words tried by the fuzzy extension
    word_similarity: float = 0.75  # Indel similarity for two words to count as the same
    min_similarity: float = 0.5  # drop regions less alike than this (characters or words)
    # A second copy of a passage in one document (a page carrying a story or caption twice) is
    # reported as its own alignment when it is verbatim and a passage, not a title or a stock
    # line: at least this alike and this long (> 1: never; see ``add_repeats``). Real news
    # (benchmarks/realnews.py, captions read too): silver recall census 0.882 -> 0.936,
    # spotify 0.886 -> 0.935; PAN 2013 all 0.8879 -> 0.8872 (02: a source page repeating
    # its text). At 0.8 and any length: PAN all 0.8750, census pair coherence 0.970; at 40
    # words: spotify recall 0.917.
    repeat_similarity: float = 0.95
    repeat_min_words: int = 30


DEFAULT_PARAMS = AlignParams()


@dataclass
class _Region:
    """A chain of seeds: token ranges ``[a_first, a_end)`` and ``[b_first, b_end)``."""

    a_first: int
    a_end: int
    b_first: int
    b_end: int
    last_a: int  # last seed's start in a (chaining stays monotone)
    last_b: int
    covered: int  # content words of a covered by seeds (evidence, unlike gaps)
    run: int = 0  # words in the current run of consecutive seeds
    longest_run: int = 0  # longest run of words matching verbatim in a row
    paraphrase: int = 0  # content stems shared by sentence-pair seeds (not exact seeds)

    @property
    def diagonal(self) -> int:
        return self.last_a - self.last_b

    def absorb(self, other: _Region) -> None:
        """Grow to cover ``other`` too, its evidence added (one passage found in pieces)."""
        self.a_first = min(self.a_first, other.a_first)
        self.b_first = min(self.b_first, other.b_first)
        self.a_end = max(self.a_end, other.a_end)
        self.b_end = max(self.b_end, other.b_end)
        self.covered += other.covered
        self.longest_run = max(self.longest_run, other.longest_run)
        self.paraphrase += other.paraphrase


def align_documents(
    key_a: str,
    text_a: str,
    tokens_a: Tokens,
    key_b: str,
    text_b: str,
    tokens_b: Tokens,
    params: AlignParams | None = None,
) -> list[Alignment]:
    """The passages ``text_a`` and ``text_b`` share, as alignments sorted by position in a."""
    params = params or DEFAULT_PARAMS
    if (key_a, text_a) > (key_b, text_b):
        swapped = _align_ordered(key_b, text_b, tokens_b, key_a, text_a, tokens_a, params)
        return sorted(
            (alignment.swapped() for alignment in swapped),
            key=lambda x: (x.a_start, x.a_end, x.b_start, x.b_end),
        )
    return _align_ordered(key_a, text_a, tokens_a, key_b, text_b, tokens_b, params)


def locality_order(pairs: Sequence[tuple[str, str]]) -> list[int]:
    """Indices of ``pairs`` in an order that keeps each document's pairs close together, for
    aligning them with few rebuilds of the per-document index cache (``_document_index``).

    Documents are ranked breadth first over the graph of pairs (the copies of one story get
    neighbouring ranks), and pairs sorted by the ranks of their documents. Sorted by key, a
    document's partners in other outlets lie far apart: on the 10k corpus's 23,926 pairs, two
    processes of 256 cached documents each rebuild 0.56 indexes per pair in this order, 1.18
    in key order.
    """
    neighbours: dict[str, list[str]] = {}
    for key_a, key_b in pairs:
        neighbours.setdefault(key_a, []).append(key_b)
        neighbours.setdefault(key_b, []).append(key_a)
    rank: dict[str, int] = {}
    for start in neighbours:  # in order of first appearance: deterministic
        if start in rank:
            continue
        rank[start] = len(rank)
        queue = deque([start])
        while queue:
            for other in neighbours[queue.popleft()]:
                if other not in rank:
                    rank[other] = len(rank)
                    queue.append(other)
    ranks = [
        (rank_a, rank_b) if rank_a < rank_b else (rank_b, rank_a)
        for rank_a, rank_b in ((rank[key_a], rank[key_b]) for key_a, key_b in pairs)
    ]
    return sorted(range(len(pairs)), key=ranks.__getitem__)


def _align_ordered(
    key_a: str,
    text_a: str,
    tokens_a: Tokens,
    key_b: str,
    text_b: str,
    tokens_b: Tokens,
    params: AlignParams,
) -> list[Alignment]:
    document_a, document_b = _document_index(tokens_a.hashes), _document_index(tokens_b.hashes)
    seeds = _find_seeds(document_a, document_b, params)
    content_a, content_b = document_a.content, document_b.content
    lists_a, lists_b = _token_lists(document_a, tokens_a), _token_lists(document_b, tokens_b)
    regions = _chain_seeds(seeds, lists_a.content, params)
    # Extend before merging so that gaps are measured between the real edges of the pieces,
    # and again after, for the merged edges.
    for region in regions:
        _extend(region, lists_a, lists_b, params)
        _extend_chunks(region, lists_a.hashes, lists_b.hashes, params)
    if params.sentence_dice <= 1.0:
        regions.extend(sentence_regions(text_a, tokens_a, text_b, tokens_b, params))
    regions, repeats = split_repeats(regions)
    regions = merge_regions(regions, document_a, document_b, params)
    bounds: list[tuple[np.ndarray, np.ndarray]] = []  # sentence ids, computed when needed

    def validated(candidates: list[_Region]) -> list[tuple[_Region, float]]:
        """The regions with enough evidence, their edges grown and snapped, with their
        similarity."""
        kept: list[tuple[_Region, float]] = []
        for region in candidates:
            if not _enough_evidence(region.covered, region, params):
                continue  # too little exact evidence: stock phrases chained by chance
            # `covered` summed over merged pieces counts a repeated phrase each time it
            # matched; recount distinct content words, in both documents, under its seeds.
            covered = _distinct_covered(seeds, region, content_a, content_b, params.seed_words)
            if not _enough_evidence(covered + region.paraphrase, region, params):
                continue
            _extend(region, lists_a, lists_b, params)
            _extend_chunks(region, lists_a.hashes, lists_b.hashes, params)
            if params.snap_words > 0:
                if not bounds:
                    bounds.append(
                        (
                            _sentence_ids(document_a, text_a, tokens_a),
                            _sentence_ids(document_b, text_b, tokens_b),
                        )
                    )
                _snap_to_sentences(
                    region,
                    (text_a, tokens_a, bounds[0][0], content_a),
                    (text_b, tokens_b, bounds[0][1], content_b),
                    params,
                )
            a_start, a_end = tokens_a.char_span(region.a_first, region.a_end - 1)
            b_start, b_end = tokens_b.char_span(region.b_first, region.b_end - 1)
            similarity = span_similarity(text_a[a_start:a_end], text_b[b_start:b_end])
            # A rewrite that reorders sentences has a low character similarity although it
            # shares most words: keep the region when either measure says the spans are alike.
            if similarity < params.min_similarity and (
                _list_dice(
                    lists_a.hashes[region.a_first : region.a_end],
                    lists_b.hashes[region.b_first : region.b_end],
                )
                < params.min_similarity
            ):
                continue
            kept.append((region, similarity))
        return kept

    def as_alignments(kept: list[tuple[_Region, float]]) -> list[Alignment]:
        alignments: list[Alignment] = []
        for region, similarity in kept:
            a_start, a_end = tokens_a.char_span(region.a_first, region.a_end - 1)
            b_start, b_end = tokens_b.char_span(region.b_first, region.b_end - 1)
            if similarity < 0:  # merged digest: score the whole spans
                similarity = span_similarity(text_a[a_start:a_end], text_b[b_start:b_end])
            blocks = shared_runs(tokens_a, region.a_first, region.a_end, tokens_b,
                                 region.b_first, region.b_end)  # fmt: skip
            alignments.append(
                Alignment(key_a, a_start, a_end, key_b, b_start, b_end, similarity, blocks)
            )
        return alignments

    kept = validated(regions)
    if params.digest_gap_words > 0:
        kept = merge_digests(kept, params)
    alignments = drop_conflicts(as_alignments(kept))
    if repeats and params.repeat_similarity <= 1.0:
        copies = [
            (region, similarity)
            for region, similarity in validated(merge_copies(repeats, params))
            if similarity >= params.repeat_similarity
            and min(region.a_end - region.a_first, region.b_end - region.b_first)
            >= params.repeat_min_words
        ]
        alignments = add_repeats(alignments, as_alignments(copies))
    alignments.sort(key=lambda x: (x.a_start, x.a_end, x.b_start, x.b_end))
    return alignments


# A shared run of fewer words is chance (``of the``, a name), not copied text.
MIN_RUN_WORDS = 3
# Longer runs are stored in pieces of this many words (see ``shared_runs``).
MAX_RUN_WORDS = 20


def shared_runs(
    tokens_a: Tokens,
    a_first: int,
    a_end: int,
    tokens_b: Tokens,
    b_first: int,
    b_end: int,
    min_words: int = MIN_RUN_WORDS,
    max_words: int = MAX_RUN_WORDS,
) -> tuple[int, ...]:
    """The runs of at least ``min_words`` words that tokens ``[a_first, a_end)`` of a and
    ``[b_first, b_end)`` of b share in order (a longest common subsequence of their normalised
    words, rapidfuzz's Indel opcodes), as flat ``(a_start, a_end, b_start, b_end, words)``
    quintuples (character offsets, word count); runs longer than ``max_words`` in pieces.

    >>> from dedup.tokens import tokenize
    >>> a, b = "one two three four five six", "one two three X four five six"
    >>> shared_runs(tokenize(a), 0, 6, tokenize(b), 0, 7)
    (0, 13, 0, 13, 3, 14, 27, 16, 29, 3)
    """
    words_a = tokens_a.hashes[a_first:a_end].tolist()
    words_b = tokens_b.hashes[b_first:b_end].tolist()
    runs: list[int] = []
    for tag, low_a, high_a, low_b, _ in Indel.opcodes(words_a, words_b):
        length = high_a - low_a
        if tag != "equal" or length < min_words:
            continue
        # long runs in even pieces: offsets inside a piece are interpolated, and two copies'
        # spacing and punctuation drift apart over a long run (40 characters over 250 words)
        pieces = -(-length // max_words)
        cuts = [low_a + length * number // pieces for number in range(pieces + 1)]
        for first, end in zip(cuts, cuts[1:], strict=False):
            start_a, end_a = tokens_a.char_span(a_first + first, a_first + end - 1)
            offset = low_b - low_a
            start_b, end_b = tokens_b.char_span(
                b_first + first + offset, b_first + end - 1 + offset
            )
            runs += [start_a, end_a, start_b, end_b, end - first]
    return tuple(runs)


def merge_digests(
    kept: list[tuple[_Region, float]], params: AlignParams
) -> list[tuple[_Region, float]]:
    """Merge reported passages that are rewritten (similarity below ``verbatim_similarity``)
    and follow each other in one document while lying apart in the other: a summary or digest
    of a longer text is one passage of each. In the same order in both documents they may lie
    further apart (``digest_compact_words``, ``digest_in_order_words``) than in swapped order
    (``merge_gap_words``, ``digest_gap_words``). Verbatim passages (quotes) never merge this way,
    so two quotes adjacent in one article and apart in the other stay two passages. Merged
    regions get similarity -1 (to be recomputed on the merged spans)."""
    merged = True
    while merged:
        merged = False
        kept.sort(key=lambda item: (item[0].a_first, item[0].b_first))
        for index in range(len(kept) - 1):
            (first, first_similarity), (second, second_similarity) = kept[index], kept[index + 1]
            if max(first_similarity, second_similarity) >= params.verbatim_similarity:
                continue
            gap_a = len(_between(first.a_first, first.a_end, second.a_first, second.a_end))
            gap_b = len(_between(first.b_first, first.b_end, second.b_first, second.b_end))
            # A summary keeps the order of what it summarises: passages in the same order in
            # both documents merge across longer gaps than passages whose order is swapped.
            if first.b_first <= second.b_first:
                compact, spread = params.digest_compact_words, params.digest_in_order_words
            else:
                compact, spread = params.merge_gap_words, params.digest_gap_words
            if min(gap_a, gap_b) > compact or max(gap_a, gap_b) > spread:
                continue
            first.a_first = min(first.a_first, second.a_first)
            first.b_first = min(first.b_first, second.b_first)
            first.a_end = max(first.a_end, second.a_end)
            first.b_end = max(first.b_end, second.b_end)
            kept[index] = (first, -1.0)
            del kept[index + 1]
            merged = True
            break
    return kept


def _enough_evidence(covered: int, region: _Region, params: AlignParams) -> bool:
    if covered < params.min_words:
        return False
    return region.longest_run >= params.min_run_words or covered >= params.min_scattered_words


def _distinct_covered(
    seeds: np.ndarray, region: _Region, content_a: np.ndarray, content_b: np.ndarray, k: int
) -> int:
    """Content words covered by the seeds inside the region: distinct positions, the smaller
    count of the two documents."""
    # Seeds are sorted by position in a: those inside the region's a range are one slice.
    low, high = np.searchsorted(seeds[:, 0], (region.a_first, region.a_end))
    boxed = seeds[low:high]
    boxed = boxed[(boxed[:, 1] >= region.b_first) & (boxed[:, 1] < region.b_end)]
    if len(boxed) == 0:
        return 0
    return min(
        _covered_content(boxed[:, 0], content_a, k), _covered_content(boxed[:, 1], content_b, k)
    )


def _covered_content(starts: np.ndarray, content: np.ndarray, k: int) -> int:
    """Content words among the positions covered by k-grams starting at ``starts``."""
    covered = np.zeros(len(content) + k, dtype=bool)  # room for a k-gram past the end
    for offset in range(k):
        covered[starts + offset] = True
    return int(np.count_nonzero(covered[: len(content)] & content))


def span_similarity(span_a: str, span_b: str) -> float:
    """Normalised Indel similarity (0..1) of the normalised forms of two spans."""
    return float(Indel.normalized_similarity(normalized_text(span_a), normalized_text(span_b)))


def find_seeds(hashes_a: np.ndarray, hashes_b: np.ndarray, params: AlignParams) -> np.ndarray:
    """``(n, 2)`` array of token positions ``(i, j)`` whose k-grams are equal, sorted.

    k-grams made of function words only (`one of the`, `in the`) are no evidence, and a k-gram
    seen more than ``max_seed_repeats`` times in either document is no seed. Each document's
    usable k-grams are indexed once (:func:`_seed_index`, cached) and reused for every pair it
    is in; a pair costs one intersection of two sorted arrays.
    """
    return _find_seeds(_document_index(hashes_a), _document_index(hashes_b), params)


def _find_seeds(
    document_a: _DocumentIndex, document_b: _DocumentIndex, params: AlignParams
) -> np.ndarray:
    index_a = _seed_index(document_a, params.seed_words, params.max_seed_repeats)
    index_b = _seed_index(document_b, params.seed_words, params.max_seed_repeats)
    # Both gram arrays are sorted and distinct: look a's up in b's.
    found = np.searchsorted(index_b.grams, index_a.grams)
    found[found == len(index_b.grams)] = 0
    shared = index_b.grams[found] == index_a.grams if len(index_b.grams) else found < 0
    in_a = np.flatnonzero(shared)
    in_b = found[in_a]
    if len(in_a) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    first_a, count_a = index_a.first[in_a], index_a.count[in_a]
    first_b, count_b = index_b.first[in_b], index_b.count[in_b]
    if count_a.max() == 1 and count_b.max() == 1:  # the usual case: each gram once per side
        positions_a, positions_b = index_a.order[first_a], index_b.order[first_b]
        # Each position of a occurs once: sorting by it alone gives the (i, j) order.
        by_a = np.argsort(positions_a)
        return np.column_stack((positions_a[by_a], positions_b[by_a]))
    else:  # every occurrence in a with every occurrence in b
        per_gram = count_a * count_b
        gram = np.repeat(np.arange(len(per_gram)), per_gram)
        within = np.arange(len(gram)) - np.repeat(np.cumsum(per_gram) - per_gram, per_gram)
        positions_a = index_a.order[first_a[gram] + within // count_b[gram]]
        positions_b = index_b.order[first_b[gram] + within % count_b[gram]]
    seeds = np.column_stack((positions_a, positions_b)).astype(np.int64, copy=False)
    return seeds[np.lexsort((seeds[:, 1], seeds[:, 0]))]


@dataclass(frozen=True)
class _SeedIndex:
    """One document's usable seed k-grams: distinct values (sorted), and for each, where its
    positions start in ``order`` (positions sorted by k-gram, ascending within one) and how
    many there are."""

    grams: np.ndarray  # uint64, sorted distinct usable k-grams
    first: np.ndarray  # int64, index into ``order`` of each gram's first position
    count: np.ndarray  # int64, occurrences of each gram
    order: np.ndarray  # int64, token positions sorted by their k-gram (stable)


@dataclass(slots=True)
class _DocumentIndex:
    """What the aligner derives from one document's tokens whatever its partner: built once per
    document and reused for every pair it is in (:func:`_document_index`)."""

    hashes: np.ndarray  # the array it was built from (kept alive: its id is the cache key)
    content: np.ndarray  # bool per token: not a function word
    seeds: dict[tuple[int, int], _SeedIndex] = field(default_factory=dict)  # (k, max repeats)
    # Sentence id per token, with the (text, starts) it was computed from (identity checked).
    sentence_ids: np.ndarray | None = None
    sentence_source: tuple[str, np.ndarray] | None = None
    lists: _TokenLists | None = None  # built from the Tokens whose starts it holds


@dataclass(slots=True)
class _TokenLists:
    """A document's token hashes and offsets as lists (indexing a list is much cheaper than
    reading a numpy scalar), and the text the offsets point into."""

    hashes: list[int]
    content: list[bool]  # not a function word
    starts: list[int]
    ends: list[int]
    text: str
    source: np.ndarray  # the ``Tokens.starts`` they were made from (identity checked)

    def word(self, index: int) -> str:
        """``Tokens.word(index)``."""
        return normalize_token(self.text[self.starts[index] : self.ends[index]])


# Per-document indexes, most recently used last. Candidate pairs come sorted, so one document
# meets many partners in a row; a small cache serves them all. Entries hold the hashes array
# they were built from, so an id is never reused while its entry lives (arrays are not
# modified in place after tokenisation).
_DOCUMENT_CACHE: dict[int, _DocumentIndex] = {}
_DOCUMENT_CACHE_SIZE = 256


def _document_index(hashes: np.ndarray) -> _DocumentIndex:
    key = id(hashes)
    cached = _DOCUMENT_CACHE.pop(key, None)
    if cached is None or cached.hashes is not hashes:
        cached = _DocumentIndex(hashes, ~_stopword_mask(hashes))
    _DOCUMENT_CACHE[key] = cached  # (re)inserted last: most recently used
    if len(_DOCUMENT_CACHE) > _DOCUMENT_CACHE_SIZE:
        del _DOCUMENT_CACHE[next(iter(_DOCUMENT_CACHE))]
    return cached


def _seed_index(document: _DocumentIndex, k: int, max_repeats: int) -> _SeedIndex:
    index = document.seeds.get((k, max_repeats))
    if index is None:
        index = document.seeds[k, max_repeats] = _build_seed_index(
            document.hashes, ~document.content, k, max_repeats
        )
    return index


def _token_lists(document: _DocumentIndex, tokens: Tokens) -> _TokenLists:
    """The document's ``_TokenLists``, made once per document."""
    lists = document.lists
    if lists is None or lists.source is not tokens.starts or lists.text is not tokens.text:
        lists = document.lists = _TokenLists(
            document.hashes.tolist(),
            document.content.tolist(),
            tokens.starts.tolist(),
            tokens.ends.tolist(),
            tokens.text,
            tokens.starts,
        )
    return lists


def _sentence_ids(document: _DocumentIndex, text: str, tokens: Tokens) -> np.ndarray:
    """``sentence_ids(text, tokens)``, computed once per document."""
    source = document.sentence_source
    if (
        document.sentence_ids is None
        or source is None
        or not (source[0] is text and source[1] is tokens.starts)
    ):
        document.sentence_ids = sentence_ids(text, tokens)
        document.sentence_source = (text, tokens.starts)
    return document.sentence_ids


def _build_seed_index(hashes: np.ndarray, stop: np.ndarray, k: int, max_repeats: int) -> _SeedIndex:
    grams = kgram_hashes(hashes, k)
    order = np.argsort(grams, kind="stable")
    ordered = grams[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    if len(ordered) == 0:
        starts = np.zeros(0, dtype=np.int64)
    counts = np.diff(np.append(starts, len(ordered)))
    distinct = ordered[starts]
    # Function-word-only grams and grams repeated too often are no seeds. A gram value that is
    # function-only anywhere in this document is dropped, as a set difference would.
    function_only = _function_only(stop, k)[order]
    if len(starts):
        function_only = np.logical_or.reduceat(function_only, starts)
    usable = (counts <= max_repeats) & ~function_only
    return _SeedIndex(
        grams=distinct[usable],
        first=starts[usable].astype(np.int64),
        count=counts[usable].astype(np.int64),
        order=order.astype(np.int64, copy=False),
    )


def _function_only(stop: np.ndarray, k: int) -> np.ndarray:
    """Mask of the k-grams whose words are all function words (``stop``: per word)."""
    count = len(stop) - k + 1
    if count <= 0:
        return np.zeros(0, dtype=bool)
    mask = stop[:count].copy()
    for offset in range(1, k):
        mask &= stop[offset : offset + count]
    return mask


def chain_seeds(seeds: np.ndarray, content_a: np.ndarray, params: AlignParams) -> list[_Region]:
    """Chain seeds (sorted by position in a) into regions, monotone in both documents.

    Each seed joins the cheapest region it may extend (gaps plus change of diagonal; the first
    of equally cheap ones), else opens a region. Shortcut, same result: a seed right after the
    previous one on the same diagonal, at most k words further (a copied passage yields long
    stretches of them), extends that seed's region at no cost; unless another region lies on
    that diagonal, nothing else can be as cheap, so a whole stretch joins it in one step.
    """
    # A list: indexing and summing slices of it is much cheaper than numpy's per seed.
    return _chain_seeds(seeds, content_a.tolist(), params)


def _chain_seeds(seeds: np.ndarray, content: list[bool], params: AlignParams) -> list[_Region]:
    k = params.seed_words
    if len(seeds) == 0:
        return []
    # Stretches: runs of seeds each 1..k words after the one before it on the same diagonal.
    steps = np.diff(seeds, axis=0)
    step_a = steps[:, 0]
    follows = (step_a == steps[:, 1]) & (step_a >= 1) & (step_a <= k)
    stretch_starts = np.flatnonzero(~follows).tolist()
    positions = seeds.tolist()
    adjacent = (step_a == 1).tolist()  # per seed after the first: in a row with the one before
    chain = _Chain(k, params.max_gap_words, params.max_drift_words, content)
    firsts = [0, *(start + 1 for start in stretch_starts)]
    lasts = [*stretch_starts, len(positions) - 1]
    for first, last in zip(firsts, lasts, strict=True):
        i, j = positions[first]
        region = chain.add(i, j)
        if last == first:
            continue
        diagonal = i - j
        if len(chain.active) > 1 and any(
            other is not region and other.last_a - other.last_b == diagonal
            for other in chain.active
        ):
            for seed_i, seed_j in positions[first + 1 : last + 1]:
                chain.add(seed_i, seed_j)
            continue
        # Every seed of the stretch joins ``region`` (cost 0, invariants a_end = last_a + k and
        # b_end = last_b + k): what they add is the words from its end to the last one's end.
        last_i, last_j = positions[last]
        region.covered += sum(content[i + k : last_i + k])
        run, longest = region.run, region.longest_run
        for in_row in adjacent[first:last]:
            run = run + 1 if in_row else k
            if run > longest:
                longest = run
        region.run, region.longest_run = run, longest
        region.last_a, region.last_b = last_i, last_j
        region.a_end, region.b_end = last_i + k, last_j + k
        chain.expire(last_i)  # what the stretch's seeds would have expired one by one
    return sorted(chain.finished + chain.active, key=lambda r: (r.a_first, r.b_first))


class _Chain:
    """Regions being chained (``active``, in order of creation: the first of equally cheap ones
    wins) and those that can grow no more (``finished``)."""

    def __init__(self, k: int, max_gap: int, max_drift: int, content: list[bool]) -> None:
        self.k, self.max_gap, self.max_drift, self.content = k, max_gap, max_drift, content
        self.active: list[_Region] = []
        self.finished: list[_Region] = []
        self.current_i = -1
        # At most the smallest a_end of the active regions (ends only grow): until i passes it
        # by max_gap, no region can expire and none is looked at.
        self.lowest_end = 0

    def expire(self, i: int) -> None:
        """Seeds come in order of i: a region ending more than max_gap before i can never grow
        again (nothing expires between seeds of the same i)."""
        if i == self.current_i:
            return
        self.current_i = i
        max_gap = self.max_gap
        if not self.active or i - self.lowest_end <= max_gap:
            return
        active = self.active
        if any(i - region.a_end > max_gap for region in active):
            self.finished.extend(region for region in active if i - region.a_end > max_gap)
            active = self.active = [region for region in active if i - region.a_end <= max_gap]
        self.lowest_end = min((region.a_end for region in active), default=0)

    def add(self, i: int, j: int) -> _Region:
        """Chain seed ``(i, j)``; returns the region it joined or opened."""
        self.expire(i)
        k, max_gap, max_drift = self.k, self.max_gap, self.max_drift
        best: _Region | None = None
        best_cost = 0
        diagonal = i - j
        for region in self.active:
            if i <= region.last_a or j <= region.last_b:
                continue
            gap_b = j - region.b_end
            if gap_b > max_gap:
                continue
            drift = abs(diagonal - (region.last_a - region.last_b))
            if drift > max_drift:
                continue
            gap_a = i - region.a_end
            cost = drift + (gap_a if gap_a > 0 else 0) + (gap_b if gap_b > 0 else 0)
            if best is None or cost < best_cost:
                best, best_cost = region, cost
                if cost == 0:  # none can be cheaper, and the first of equals wins
                    break
        if best is None:
            covered = sum(self.content[i : i + k])
            best = _Region(i, i + k, j, j + k, i, j, covered, k, k)
            if not self.active or i + k < self.lowest_end:
                self.lowest_end = i + k
            self.active.append(best)
            return best
        best.covered += sum(self.content[max(i, best.a_end) : i + k])
        consecutive = i == best.last_a + 1 and j == best.last_b + 1
        best.run = best.run + 1 if consecutive else k
        if best.run > best.longest_run:
            best.longest_run = best.run
        if i + k > best.a_end:
            best.a_end = i + k
        if j + k > best.b_end:
            best.b_end = j + k
        best.last_a, best.last_b = i, j
        return best


_SENTENCE_END = re.compile(r"[.!?]|\n")


def sentences(text: str, tokens: Tokens) -> list[tuple[int, int]]:
    """Token ranges ``[first, end)`` of the sentences (or lines) of ``text``."""
    starts = tokens.starts
    if len(starts) == 0:
        return []
    ends = _sentence_last_tokens(text, tokens)
    firsts = [0, *(ends[:-1] + 1).tolist()]
    return list(zip(firsts, (ends + 1).tolist(), strict=True))


def _sentence_last_tokens(text: str, tokens: Tokens) -> np.ndarray:
    """Indices of the tokens that end a sentence (a sentence end or a line break lies between
    them and the next token), and of the last token."""
    starts, ends = tokens.starts, tokens.ends
    # Every sentence-end character between the first token and the last, found in one scan;
    # the gap after token i holds one when the count before its end and before the next
    # token's start differ.
    marks = np.fromiter(
        (match.start() for match in _SENTENCE_END.finditer(text, int(ends[0]), int(starts[-1]))),
        dtype=np.int64,
    )
    gap_has_mark = np.searchsorted(marks, starts[1:]) > np.searchsorted(marks, ends[:-1])
    return np.append(np.flatnonzero(gap_has_mark), len(starts) - 1)


def sentence_ids(text: str, tokens: Tokens) -> np.ndarray:
    """Per token, the index of the sentence (or line) it belongs to."""
    if len(tokens) == 0:
        return np.zeros(0, dtype=np.int64)
    ids = np.zeros(len(tokens), dtype=np.int64)
    ids[_sentence_last_tokens(text, tokens)[:-1] + 1] = 1
    return np.cumsum(ids)


_QUOTE_MARKS = re.compile('["\u201c\u201d\u201e\u00ab\u00bb]')


def _snap_to_sentences(
    region: _Region,
    side_a: tuple[str, Tokens, np.ndarray],
    side_b: tuple[str, Tokens, np.ndarray],
    params: AlignParams,
) -> None:
    """Move edges out to the sentence boundary when only a few words remain before it and
    those words are alike on both sides (or one side is already at the boundary): a copied
    sentence whose first or last words were rewritten is one passage. Never across a quotation
    mark: a quote ends there, and what follows (`he added`, `he told AP`) is the outlet's own."""
    text_a, tokens_a, ids_a, content_a = side_a
    text_b, tokens_b, ids_b, content_b = side_b
    # Start edges: words between the sentence start and the region start.
    rest_a = int(region.a_first - np.searchsorted(ids_a, ids_a[region.a_first]))
    rest_b = int(region.b_first - np.searchsorted(ids_b, ids_b[region.b_first]))
    if _snappable(
        (tokens_a.hashes, content_a, region.a_first - rest_a, region.a_first),
        (tokens_b.hashes, content_b, region.b_first - rest_b, region.b_first),
        params,
    ) and not (
        _QUOTE_MARKS.search(
            text_a, tokens_a.starts[region.a_first - rest_a], tokens_a.starts[region.a_first]
        )
        or _QUOTE_MARKS.search(
            text_b, tokens_b.starts[region.b_first - rest_b], tokens_b.starts[region.b_first]
        )
    ):
        region.a_first -= rest_a
        region.b_first -= rest_b
    last_a, last_b = region.a_end - 1, region.b_end - 1
    rest_a = int(np.searchsorted(ids_a, ids_a[last_a], side="right") - 1 - last_a)
    rest_b = int(np.searchsorted(ids_b, ids_b[last_b], side="right") - 1 - last_b)
    if _snappable(
        (tokens_a.hashes, content_a, region.a_end, region.a_end + rest_a),
        (tokens_b.hashes, content_b, region.b_end, region.b_end + rest_b),
        params,
    ) and not (
        _QUOTE_MARKS.search(text_a, tokens_a.ends[last_a], tokens_a.ends[last_a + rest_a])
        or _QUOTE_MARKS.search(text_b, tokens_b.ends[last_b], tokens_b.ends[last_b + rest_b])
    ):
        region.a_end += rest_a
        region.b_end += rest_b


_Stretch = tuple[np.ndarray, np.ndarray, int, int]  # hashes, content mask, [first, end)


def _snappable(rest_a: _Stretch, rest_b: _Stretch, params: AlignParams) -> bool:
    length_a, length_b = max(0, rest_a[3] - rest_a[2]), max(0, rest_b[3] - rest_b[2])
    if max(length_a, length_b) > params.snap_words:
        return False
    if length_a == 0 or length_b == 0:
        return True
    return _stretch_content_dice(rest_a, rest_b) >= params.snap_dice


def _stretch_content_dice(stretch_a: _Stretch, stretch_b: _Stretch) -> float:
    """``content_dice`` of two stretches of tokens, from the documents' content masks."""
    hashes_a, content_a, first_a, end_a = stretch_a
    hashes_b, content_b, first_b, end_b = stretch_b
    return dice(
        hashes_a[first_a:end_a][content_a[first_a:end_a]],
        hashes_b[first_b:end_b][content_b[first_b:end_b]],
    )


def _sentence_stems(tokens: Tokens, bounds: list[tuple[int, int]]) -> list[set[str]]:
    """Per sentence, the 5-letter prefixes of its content words (a crude stemmer that maps
    `defense`/`defended`, `missiles`/`missile` together)."""
    words = tokens.words  # computed on access: once for all sentences
    return [
        {word[:5] for word in words[first:end] if len(word) > 2 and word not in STOPWORDS}
        for first, end in bounds
    ]


def sentence_regions(
    text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens, params: AlignParams
) -> list[_Region]:
    """Regions from sentence pairs that share most of their content-word stems."""
    bounds_a, bounds_b = sentences(text_a, tokens_a), sentences(text_b, tokens_b)
    stems_a, stems_b = _sentence_stems(tokens_a, bounds_a), _sentence_stems(tokens_b, bounds_b)
    holders: dict[str, list[int]] = {}
    for index, stems in enumerate(stems_b):
        for stem in stems:
            holders.setdefault(stem, []).append(index)
    regions: list[_Region] = []
    for index_a, stems in enumerate(stems_a):
        shared: dict[int, int] = {}
        for stem in stems:
            for index_b in holders.get(stem, ()):
                shared[index_b] = shared.get(index_b, 0) + 1
        for index_b, count in shared.items():
            if count < params.sentence_min_shared:
                continue
            if 2 * count / (len(stems) + len(stems_b[index_b])) < params.sentence_dice:
                continue
            (a_first, a_end), (b_first, b_end) = bounds_a[index_a], bounds_b[index_b]
            regions.append(
                _Region(a_first, a_end, b_first, b_end, a_first, b_first, count, paraphrase=count)
            )
    return regions


def split_repeats(regions: list[_Region]) -> tuple[list[_Region], list[_Region]]:
    """Split off the regions that re-match words a stronger region already matched elsewhere.

    A sentence repeated in one document (a title, a standfirst, a story a page carries twice)
    matches the other document twice; the copy lying mostly inside a stronger region on one
    side only is a repeat. Regions overlapping a stronger one on both sides are consistent
    with it and kept (merged later). Returns (kept, repeats).
    """
    ranked = sorted(regions, key=lambda r: (-r.covered, r.a_first, r.b_first))
    kept: list[_Region] = []
    repeats: list[_Region] = []
    for region in ranked:
        length_a, length_b = region.a_end - region.a_first, region.b_end - region.b_first
        repeat = False
        for other in kept:
            inside_a = min(region.a_end, other.a_end) - max(region.a_first, other.a_first)
            inside_b = min(region.b_end, other.b_end) - max(region.b_first, other.b_first)
            if (inside_a > length_a / 2) != (inside_b > length_b / 2):
                repeat = True
                break
        (repeats if repeat else kept).append(region)
    return kept, repeats


def merge_copies(repeats: list[_Region], params: AlignParams) -> list[_Region]:
    """Merge repeats that are pieces of one copy: in order and on nearly the same diagonal
    (``max_drift_words``), at most ``merge_gap_words`` apart in both documents.

    Unlike ``merge_regions``, regions on different diagonals never merge: the repeats of a
    caption a gallery page carries six times all lie close together, and merging them across
    diagonals would make one region of all the copies, alike to nothing.
    """
    ranked = sorted(repeats, key=lambda r: (r.a_first - r.b_first, r.a_first, r.b_first))
    merged: list[_Region] = []
    for region in ranked:
        diagonal = region.a_first - region.b_first
        for previous in reversed(merged[-8:]):
            if (
                abs(previous.a_first - previous.b_first - diagonal) <= params.max_drift_words
                and region.a_first - previous.a_end <= params.merge_gap_words
                and region.b_first - previous.b_end <= params.merge_gap_words
                and region.a_end > previous.a_first
            ):
                previous.absorb(region)
                break
        else:
            merged.append(region)
    return merged


def add_repeats(
    alignments: list[Alignment], copies: list[Alignment], max_overlap: float = 0.5
) -> list[Alignment]:
    """``alignments`` plus the ``copies`` that pair text of one document no alignment pairs
    yet with text of the other that one already does: a second copy, in one document, of a
    passage the other carries once (a page that repeats a story, a lede repeated as a
    summary). Longest first; a copy is kept when, in at least one document, it overlaps no
    kept alignment by more than ``max_overlap`` of its length, so that each stretch of text
    is still paired once on the side where it is new.
    """
    kept = list(alignments)
    ranked = sorted(
        copies, key=lambda x: (-(x.a_end - x.a_start + x.b_end - x.b_start), x.a_start, x.b_start)
    )
    for copy in ranked:
        length_a, length_b = copy.a_end - copy.a_start, copy.b_end - copy.b_start
        overlap_a = max(
            (min(copy.a_end, x.a_end) - max(copy.a_start, x.a_start) for x in kept), default=0
        )
        overlap_b = max(
            (min(copy.b_end, x.b_end) - max(copy.b_start, x.b_start) for x in kept), default=0
        )
        if overlap_a <= max_overlap * length_a or overlap_b <= max_overlap * length_b:
            kept.append(copy)
    return kept


def merge_regions(
    regions: list[_Region],
    document_a: _DocumentIndex,
    document_b: _DocumentIndex,
    params: AlignParams,
) -> list[_Region]:
    """Merge regions that are one passage (see ``_mergeable``) until nothing changes."""
    merged = True
    while merged:
        merged = False
        regions.sort(key=lambda r: (r.a_first, r.b_first))
        result: list[_Region] = []
        for region in regions:
            for previous in reversed(result[-8:]):
                if _mergeable(previous, region, document_a, document_b, params):
                    previous.absorb(region)
                    merged = True
                    break
            else:
                result.append(region)
        regions = result
    return regions


def _between(first_start: int, first_end: int, second_start: int, second_end: int) -> range:
    """Token positions between two token ranges, in either order (empty when they overlap)."""
    if second_start >= first_end:
        return range(first_end, second_start)
    if first_start >= second_end:
        return range(second_end, first_start)
    return range(0)


def dice(hashes_a: np.ndarray, hashes_b: np.ndarray) -> float:
    """Dice coefficient of the two sets of word hashes (0 when either is empty)."""
    set_a, set_b = set(hashes_a.tolist()), set(hashes_b.tolist())
    if not set_a or not set_b:
        return 0.0
    return 2 * len(set_a & set_b) / (len(set_a) + len(set_b))


def _list_dice(hashes_a: list[int], hashes_b: list[int]) -> float:
    """``dice`` of two lists of word hashes."""
    set_a, set_b = set(hashes_a), set(hashes_b)
    if not set_a or not set_b:
        return 0.0
    return 2 * len(set_a & set_b) / (len(set_a) + len(set_b))


def content_dice(hashes_a: np.ndarray, hashes_b: np.ndarray) -> float:
    """Dice of the two sets of words, function words left out."""
    return dice(
        hashes_a[~_stopword_mask(hashes_a)],
        hashes_b[~_stopword_mask(hashes_b)],
    )


def _mergeable(
    first: _Region,
    second: _Region,
    document_a: _DocumentIndex,
    document_b: _DocumentIndex,
    params: AlignParams,
) -> bool:
    """Whether two regions are one passage: close in *both* documents, in either order (a
    rewrite may reorder sentences), and what lies between them is alike on both sides, not a
    sentence present in one document only."""
    gap_a = _between(first.a_first, first.a_end, second.a_first, second.a_end)
    gap_b = _between(first.b_first, first.b_end, second.b_first, second.b_end)
    longest = max(len(gap_a), len(gap_b))
    if longest <= params.merge_gap_words:
        return True
    if longest > params.rewrite_gap_words:
        return False
    return (
        _stretch_content_dice(
            (document_a.hashes, document_a.content, gap_a.start, gap_a.stop),
            (document_b.hashes, document_b.content, gap_b.start, gap_b.stop),
        )
        >= params.rewrite_gap_dice
    )


def drop_conflicts(alignments: list[Alignment], max_overlap: float = 0.5) -> list[Alignment]:
    """Keep alignments one-to-one: a span of one document maps to one place in the other.

    Longest first; an alignment overlapping a kept one by more than ``max_overlap`` of its own
    length in either document is a repeat (a title or sentence occurring twice) and dropped.
    """
    ranked = sorted(
        alignments,
        key=lambda x: (-(x.a_end - x.a_start + x.b_end - x.b_start), x.a_start, x.b_start),
    )
    kept: list[Alignment] = []
    for candidate in ranked:
        length_a, length_b = (
            candidate.a_end - candidate.a_start,
            candidate.b_end - candidate.b_start,
        )
        if all(
            min(candidate.a_end, other.a_end) - max(candidate.a_start, other.a_start)
            <= max_overlap * length_a
            and min(candidate.b_end, other.b_end) - max(candidate.b_start, other.b_start)
            <= max_overlap * length_b
            for other in kept
        ):
            kept.append(candidate)
    return kept


def _extend_chunks(
    region: _Region, hashes_a: list[int], hashes_b: list[int], params: AlignParams
) -> None:
    """Grow the region by whole chunks of words while the chunks on both sides share most of
    their words (a rewritten edge sentence), recovering edges that have no exact seed."""
    size = params.chunk_words
    while region.a_first > 0 and region.b_first > 0:
        chunk_a = hashes_a[max(0, region.a_first - size) : region.a_first]
        chunk_b = hashes_b[max(0, region.b_first - size) : region.b_first]
        if _list_dice(chunk_a, chunk_b) < params.chunk_dice:
            break
        region.a_first -= len(chunk_a)
        region.b_first -= len(chunk_b)
    while region.a_end < len(hashes_a) and region.b_end < len(hashes_b):
        chunk_a = hashes_a[region.a_end : region.a_end + size]
        chunk_b = hashes_b[region.b_end : region.b_end + size]
        if _list_dice(chunk_a, chunk_b) < params.chunk_dice:
            break
        region.a_end += len(chunk_a)
        region.b_end += len(chunk_b)


def _words_match(
    lists_a: _TokenLists, i: int, lists_b: _TokenLists, j: int, threshold: float
) -> bool:
    if lists_a.hashes[i] == lists_b.hashes[j]:
        return True
    word_a, word_b = lists_a.word(i), lists_b.word(j)
    if min(len(word_a), len(word_b)) < 4:
        return False
    return Indel.normalized_similarity(word_a, word_b) >= threshold


def _extend(
    region: _Region, lists_a: _TokenLists, lists_b: _TokenLists, params: AlignParams
) -> None:
    """Grow the region's edges over words that match exactly or fuzzily (a typo'd edge word);
    stop at the first word that does not match, so attributions (`he said`) stay out."""
    n_a, n_b = len(lists_a.hashes), len(lists_b.hashes)
    for direction in (-1, 1):
        for _ in range(params.extend_words):
            i, j = (
                (region.a_first - 1, region.b_first - 1)
                if direction < 0
                else (region.a_end, region.b_end)
            )
            if not (0 <= i < n_a and 0 <= j < n_b):
                break
            if not _words_match(lists_a, i, lists_b, j, params.word_similarity):
                break
            if direction < 0:
                region.a_first, region.b_first = i, j
            else:
                region.a_end, region.b_end = i + 1, j + 1
