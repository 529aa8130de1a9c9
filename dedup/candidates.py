"""Candidate document pairs from MinHash sketches of overlapping passages.

Why passages and not documents: a 30-word quote inside two 800-word articles gives a document
Jaccard near 0.03, invisible to any document-level LSH; inside one passage window of each
article it gives a Jaccard of 0.3-0.6. So every document is cut into overlapping windows of
word shingles and each window gets its own MinHash; two documents are a candidate pair when
any of their windows share an LSH bucket.

Scheme (numbers are ``CandidateParams`` defaults; see the PAN benchmark, ``benchmarks/pan.py``):

* shingles are word 4-grams of normalised tokens: 3-grams collide on stock phrases across
  unrelated news (``the united states``, ``said on tuesday``), 5-grams lose short quotes
  with one edit. A shingle hash combines the token hashes (order-sensitive, uint64).
* windows hold 2 * 16 shingles with a stride of 16 (about 35 words): a quote of 12-16
  words lies wholly in one window of each document, giving a Jaccard of at least ~0.2.
* MinHash with 128 permutations, computed with numpy exactly as datasketch's ``affine64``
  scheme does (MurmurHash3 finaliser, then ``a * h + b`` mod 2^64 with datasketch's
  permutations for the seed): ``to_datasketch`` turns any window back into a
  ``datasketch.LeanMinHash``, and a test checks the values are identical.
* LSH banding as datasketch's ``MinHashLSH`` with ``params=(64, 2)``: 64 bands of 2 rows.
  Detection probability ``1 - (1 - J^2)^64`` is 0.47 at J = 0.1, 0.93 at 0.2, 1.0 at 0.3,
  while unrelated passages share almost no 4-grams (J ~ 0) and stay apart. False candidates
  cost only alignment time; missed ones lose reuse, so the banding favours recall.
* Measured on a 300-pair-per-sub-corpus sample of PAN 2013 (index of the sources, each
  suspicious document as a query; true pairs found of 300 per sub-corpus, candidates per
  query): 4-grams, 64 perm/32 bands: 02 300, 03 197, 04 183, 5.0 per query;
  4-grams, 128/64 (chosen): 02 300, 03 241, 04 222, 7.8 per query;
  3-grams, 64/32: 02 300, 03 257, 04 240, 33.6 per query;
  2-grams, 64/32: 03 295, 04 293, but 519 per query (a quarter of the index).
  3-grams would find more heavily rewritten copies, at four times the candidates; at 100k
  documents stock 3-grams of news would dominate, so 4-grams with more bands were chosen.
* the index keeps band keys in sorted numpy arrays (12 bytes per window and band), can be
  persisted with ``PassageSketches`` arrays, and is incremental: ``add`` old documents, then
  ``query`` with new ones (and add them in turn).

>>> from dedup.tokens import tokenize
>>> quote = "the illusion of invulnerability and impunity under the guise of missile defense"
>>> a = tokenize("Officials spoke at length on Tuesday. " + quote + " he added, in Beijing.")
>>> b = tokenize("In other news, " + quote + " the general said, reported Bloomberg.")
>>> index = CandidateIndex()
>>> index.add("a", sketch_passages(a))
>>> sorted(index.query(sketch_passages(b)))
['a']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from dedup.tokens import KGRAM_MULTIPLIERS, Tokens, kgram_hashes

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
# MurmurHash3 fmix64 constants, as datasketch's _fmix for width 64.
_FMIX_M1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)


@dataclass(frozen=True)
class CandidateParams:
    shingle_words: int = 4
    stride_shingles: int = 16  # a window spans two strides of shingles
    num_perm: int = 128
    bands: int = 64
    rows: int = 2
    seed: int = 1
    # Buckets holding more documents than this are stock text (boilerplate that escaped
    # cleaning, agency sign-offs) and would pair everything with everything.
    max_bucket_docs: int = 1000

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands*rows ({self.bands}*{self.rows}) exceeds num_perm {self.num_perm}"
            )
        if not 1 <= self.shingle_words <= len(KGRAM_MULTIPLIERS):
            raise ValueError(f"shingle_words must be 1..{len(KGRAM_MULTIPLIERS)}")

    @property
    def signature(self) -> str:
        """What stored band keys and shingles were made with: a change means re-sketching.
        (``max_bucket_docs`` only filters at query time, so it is not part of it.) The suffix
        ``t2`` is the text sketched: since captions are read for reuse
        (``dedup.records.detection_ranges``), sketches made without them are made again."""
        return (
            f"w{self.shingle_words}s{self.stride_shingles}p{self.num_perm}"
            f"b{self.bands}r{self.rows}seed{self.seed}t2"
        )


DEFAULT_PARAMS = CandidateParams()


@dataclass
class PassageSketches:
    """MinHash signatures of a document's passage windows (all numpy, persistable)."""

    hashvalues: np.ndarray  # (n_windows, num_perm) uint64
    first_tokens: np.ndarray  # (n_windows,) token index where each window starts
    last_tokens: np.ndarray  # (n_windows,) token index where each window ends (exclusive)
    band_keys: np.ndarray  # (n_windows, bands) uint64
    params: CandidateParams = field(default=DEFAULT_PARAMS)

    def __len__(self) -> int:
        return len(self.first_tokens)


@dataclass
class DocumentSketch:
    """What the candidate stage keeps of a document (persisted, so that a later run compares
    new documents with the archive without re-tokenising it).

    ``band_keys``: the document's distinct LSH band keys (sorted uint64), about 1,000 for a
    300-word article. ``shingles``: its distinct word-shingle hashes cut to their low 32 bits
    (sorted uint32), for the shared-shingle check after the LSH; 32 bits halve the storage and
    two unrelated 300-shingle documents share a truncated hash by chance with probability
    about 300 * 300 / 2^32 = 2e-5, far below the ``min_shared`` of that check.
    """

    band_keys: np.ndarray
    shingles: np.ndarray


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, element-wise (wrapping uint64 arithmetic)."""
    values = values ^ (values >> _SHIFT)
    values = values * _FMIX_M1
    values = values ^ (values >> _SHIFT)
    values = values * _FMIX_M2
    return values ^ (values >> _SHIFT)


def shingle_hashes(hashes: np.ndarray, shingle_words: int) -> np.ndarray:
    """uint64 hash of every run of ``shingle_words`` consecutive token hashes."""
    return fmix64(kgram_hashes(hashes, shingle_words))


_PERMUTATIONS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine64`` permutation parameters ``(a, b)`` for ``num_perm`` and ``seed``."""
    key = (num_perm, seed)
    if key not in _PERMUTATIONS:
        from datasketch import MinHash

        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine64").permutations
        _PERMUTATIONS[key] = (np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64))
    return _PERMUTATIONS[key]


def sketch_passages(tokens: Tokens, params: CandidateParams = DEFAULT_PARAMS) -> PassageSketches:
    """MinHash signatures and LSH band keys of the overlapping passage windows of ``tokens``."""
    shingles = shingle_hashes(tokens.hashes, params.shingle_words)
    if len(shingles) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return PassageSketches(
            np.zeros((0, params.num_perm), dtype=np.uint64),
            empty,
            empty,
            np.zeros((0, params.bands), dtype=np.uint64),
            params,
        )
    a, b = permutations(params.num_perm, params.seed)
    # datasketch affine64: fmix the 64-bit input hash, then a*h + b mod 2^64, then min.
    permuted = fmix64(shingles)[:, None] * a[None, :] + b[None, :]
    stride = params.stride_shingles
    block_starts = np.arange(0, len(shingles), stride)
    block_mins = np.minimum.reduceat(permuted, block_starts, axis=0)
    if len(block_mins) == 1:
        hashvalues = block_mins
        first_shingles = np.array([0])
        last_shingles = np.array([len(shingles)])
    else:
        # Window w = blocks w and w+1: two strides of shingles, overlapping its neighbours by half.
        hashvalues = np.minimum(block_mins[:-1], block_mins[1:])
        first_shingles = block_starts[:-1]
        last_shingles = np.minimum(block_starts[:-1] + 2 * stride, len(shingles))
    first_tokens = first_shingles.astype(np.int64)
    last_tokens = (last_shingles + params.shingle_words - 1).astype(np.int64)
    return PassageSketches(
        hashvalues, first_tokens, last_tokens, band_keys(hashvalues, params), params
    )


def document_sketch(tokens: Tokens, params: CandidateParams = DEFAULT_PARAMS) -> DocumentSketch:
    """Distinct band keys and truncated shingle hashes of ``tokens`` (see ``DocumentSketch``)."""
    keys = sorted_distinct(sketch_passages(tokens, params).band_keys.ravel())
    shingles = shingle_hashes(tokens.hashes, params.shingle_words)
    return DocumentSketch(keys, sorted_distinct(shingles.astype(np.uint32)))


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for a 1-d array, by a sort and a mask: numpy 2's hashing
    ``unique`` took five times as long on a document's thousand keys (a fifth of sketching)
    and fifteen times as long on 15M pair codes (16.0 against 1.1 s CPU)."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def band_keys(hashvalues: np.ndarray, params: CandidateParams = DEFAULT_PARAMS) -> np.ndarray:
    """One uint64 key per window and band: a hash of the band's ``rows`` MinHash values and
    the band index (so equal values in different bands never collide)."""
    n_windows = hashvalues.shape[0]
    keys = np.zeros((n_windows, params.bands), dtype=np.uint64)
    band_ids = np.arange(params.bands, dtype=np.uint64) * KGRAM_MULTIPLIERS[-1]
    for row in range(params.rows):
        columns = hashvalues[:, row : params.bands * params.rows : params.rows]
        keys = keys * KGRAM_MULTIPLIERS[row] + columns
    return fmix64(keys + band_ids[None, :])


def to_datasketch(sketches: PassageSketches, window: int):
    """The window's signature as a ``datasketch.LeanMinHash`` (same values, same scheme)."""
    from datasketch import LeanMinHash, MinHash

    params = sketches.params
    minhash = MinHash(
        num_perm=params.num_perm,
        seed=params.seed,
        scheme="affine64",
        hashvalues=sketches.hashvalues[window],
    )
    return LeanMinHash(minhash)


@dataclass
class DocumentPairs:
    """Distinct document pairs as numbers into ``names``: ``first[i] < second[i]``.

    Numbers, not key tuples, while there are millions of them (the LSH pairs of 100k
    documents): only the pairs kept after the shared-shingle check become tuples.
    """

    names: list[str]
    first: np.ndarray  # int64
    second: np.ndarray  # int64

    @classmethod
    def from_codes(cls, names: list[str], codes: list[np.ndarray]) -> DocumentPairs:
        """From ``low * len(names) + high`` codes (repeats allowed)."""
        unique = sorted_distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
        n_names = max(1, len(names))
        return cls(names, unique // n_names, unique % n_names)

    def __len__(self) -> int:
        return len(self.first)

    def documents(self) -> list[str]:
        """Names of the documents in at least one pair."""
        return [self.names[number] for number in np.union1d(self.first, self.second).tolist()]

    def as_set(self) -> set[tuple[str, str]]:
        return set(self.tuples())

    def tuples(self, keep: np.ndarray | None = None) -> list[tuple[str, str]]:
        """The pairs (those where ``keep`` is true) as sorted ``(a, b)`` key tuples, ``a < b``."""
        first, second = self.first, self.second
        if keep is not None:
            first, second = first[keep], second[keep]
        names = self.names
        found = []
        for low, high in zip(first.tolist(), second.tolist(), strict=True):
            key_a, key_b = names[low], names[high]
            found.append((key_a, key_b) if key_a < key_b else (key_b, key_a))
        return sorted(found)

    def sharing(self, shingles: dict[str, np.ndarray], min_shared: int) -> list[tuple[str, str]]:
        """The pairs whose documents share at least ``min_shared`` shingles, as ``tuples``
        (see ``shared_shingle_pairs``; a document missing from ``shingles`` shares none)."""
        if not len(self):
            return []
        empty = np.zeros(0, dtype=np.uint32)
        numbered = [shingles.get(name, empty) for name in self.names]
        counts = shared_shingle_counts(self.first, self.second, numbered)
        return self.tuples(counts >= min_shared)


def bucket_pair_codes(
    keys: np.ndarray, docs: np.ndarray, is_wanted: np.ndarray, max_bucket_docs: int
) -> list[np.ndarray]:
    """``low * n_docs + high`` of the document pairs of every bucket among ``keys`` (``docs``
    their document numbers, ``n_docs = len(is_wanted)``) with 2..``max_bucket_docs`` entries
    and at least one wanted document."""
    if len(keys) < 2:
        return []
    # Any order within a bucket gives the same pairs (low, high), so no stable sort needed.
    order = np.argsort(keys)
    keys, docs = keys[order], docs[order]
    boundaries = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], boundaries))
    counts = np.diff(np.concatenate((starts, [len(keys)])))
    wanted = (counts >= 2) & (counts <= max_bucket_docs)
    starts, counts = starts[wanted], counts[wanted]
    n_docs = len(is_wanted)
    codes = []
    for size in sorted_distinct(counts).tolist():
        members = docs[starts[counts == size][:, None] + np.arange(size)[None, :]]
        first, second = np.triu_indices(size, 1)
        left = members[:, first].ravel().astype(np.int64)
        right = members[:, second].ravel().astype(np.int64)
        keep = (is_wanted[left] | is_wanted[right]) & (left != right)
        low = np.minimum(left[keep], right[keep])
        high = np.maximum(left[keep], right[keep])
        codes.append(sorted_distinct(low * n_docs + high))
    return codes


class CandidateIndex:
    """LSH index of passage sketches; documents sharing any band bucket are candidates.

    Incremental: ``add`` appends (amortised; arrays are merged lazily on the next query).
    """

    def __init__(self, params: CandidateParams = DEFAULT_PARAMS) -> None:
        self.params = params
        self._doc_keys: list[str] = []
        self._doc_ids: dict[str, int] = {}
        self._pending_keys: list[np.ndarray] = []
        self._pending_docs: list[np.ndarray] = []
        self._keys = np.zeros(0, dtype=np.uint64)
        self._docs = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self._doc_keys)

    def __contains__(self, doc_key: object) -> bool:
        return doc_key in self._doc_ids

    def add(self, doc_key: str, sketches: PassageSketches) -> None:
        if sketches.params != self.params:
            raise ValueError(f"sketches of {doc_key!r} were made with other parameters")
        self.add_keys(doc_key, sorted_distinct(sketches.band_keys.ravel()))

    def add_keys(self, doc_key: str, keys: np.ndarray) -> None:
        """Index a document by its distinct band keys (``DocumentSketch.band_keys``, made with
        this index's parameters)."""
        if doc_key in self._doc_ids:
            raise ValueError(f"document {doc_key!r} is already in the index")
        doc_id = len(self._doc_keys)
        self._doc_ids[doc_key] = doc_id
        self._doc_keys.append(doc_key)
        self._pending_keys.append(keys)
        self._pending_docs.append(np.full(len(keys), doc_id, dtype=np.int32))

    def add_entries(self, doc_keys: list[str], keys: np.ndarray, owners: np.ndarray) -> None:
        """Index many documents at once: ``keys[i]`` belongs to ``doc_keys[owners[i]]``
        (distinct per document). Documents without any entry are not indexed."""
        present = sorted_distinct(owners)
        ids = np.full(len(doc_keys), -1, dtype=np.int32)
        for local in present.tolist():
            doc_key = doc_keys[local]
            if doc_key in self._doc_ids:
                raise ValueError(f"document {doc_key!r} is already in the index")
            ids[local] = len(self._doc_keys)
            self._doc_ids[doc_key] = ids[local]
            self._doc_keys.append(doc_key)
        if len(keys):
            self._pending_keys.append(keys)
            self._pending_docs.append(ids[owners])

    def _consolidate(self) -> None:
        if not self._pending_keys:
            return
        keys = np.concatenate([self._keys, *self._pending_keys])
        docs = np.concatenate([self._docs, *self._pending_docs])
        order = np.argsort(keys, kind="stable")
        self._keys, self._docs = keys[order], docs[order]
        self._pending_keys, self._pending_docs = [], []

    def pairs(self, among: set[str] | None = None) -> set[tuple[str, str]]:
        """Pairs ``(a, b)``, ``a < b``, of indexed documents sharing a band bucket, at least one
        of them in ``among`` (all documents when None); see ``numbered_pairs``."""
        return self.numbered_pairs(among).as_set()

    def numbered_pairs(self, among: set[str] | None = None) -> DocumentPairs:
        """The pairs of ``pairs`` as numbers into the index's document keys.

        One pass over the buckets instead of one query per document: every bucket with
        2..``max_bucket_docs`` documents yields its pairs, grouped by bucket size so that numpy
        builds them without a Python loop per bucket. The bucket limit counts every indexed
        document, so the pairs do not depend on the order the documents were added in. Keys
        are taken in slices of the key space, so only one slice is ever sorted at a time
        (sorting the whole index at once needed about three copies of it).
        """
        n_docs = len(self._doc_keys)
        is_wanted = np.zeros(n_docs, dtype=bool)
        if among is None:
            is_wanted[:] = True
        else:
            is_wanted[[self._doc_ids[key] for key in among if key in self._doc_ids]] = True
        # Per-document arrays are joined into blocks first (same content, far fewer arrays to
        # slice), and kept that way: a later ``query`` consolidates them as before.
        self._pending_keys = _blocks(self._pending_keys)
        self._pending_docs = _blocks(self._pending_docs)
        key_parts = [self._keys, *self._pending_keys]
        doc_parts = [self._docs, *self._pending_docs]
        total = sum(len(part) for part in key_parts)
        slices = max(1, min(64, total // 2_000_000))
        codes: list[np.ndarray] = []
        for part in range(slices):
            keys, docs = _key_slice(key_parts, doc_parts, part, slices)
            codes.extend(bucket_pair_codes(keys, docs, is_wanted, self.params.max_bucket_docs))
        return DocumentPairs.from_codes(list(self._doc_keys), codes)

    def query(self, sketches: PassageSketches) -> set[str]:
        """Keys of indexed documents sharing at least one band bucket with ``sketches``."""
        if sketches.params != self.params:
            raise ValueError("query sketches were made with other parameters")
        self._consolidate()
        query_keys = sorted_distinct(sketches.band_keys.ravel())
        lefts = np.searchsorted(self._keys, query_keys, side="left")
        rights = np.searchsorted(self._keys, query_keys, side="right")
        counts = rights - lefts
        keep = (counts > 0) & (counts <= self.params.max_bucket_docs)
        if not keep.any():
            return set()
        lefts, counts = lefts[keep], counts[keep]
        # Expand every [left, right) run into positions without a Python loop.
        run_offsets = np.repeat(lefts - np.cumsum(counts) + counts, counts)
        positions = run_offsets + np.arange(counts.sum())
        doc_ids = sorted_distinct(self._docs[positions])
        return {self._doc_keys[doc_id] for doc_id in doc_ids}


def candidate_pairs(
    new: dict[str, Tokens],
    old: dict[str, Tokens],
    params: CandidateParams = DEFAULT_PARAMS,
    min_shared: int = 0,
) -> set[tuple[str, str]]:
    """Pairs ``(a, b)``, ``a < b``, of documents whose passages may share text, at least one
    of them in ``new``. Old documents are not paired with each other (already done). With
    ``min_shared``, only pairs sharing that many shingles (``shared_shingle_pairs``).

    All documents go into one index, then one pass over its buckets yields the pairs: querying
    document by document re-sorted the whole index on every query (quadratic: 99 s of CPU at
    10k documents, under 2 s this way).
    """
    sketches = {key: document_sketch(toks, params) for key, toks in [*old.items(), *new.items()]}
    new_keys = {key: sketches[key].band_keys for key in new}
    old_keys = [(key, sketches[key].band_keys) for key in sorted(old) if key not in new]
    pairs = pairs_with_new(new_keys, [old_keys], params)
    if not min_shared:
        return pairs
    shingles = {key: sketch.shingles for key, sketch in sketches.items()}
    return set(shared_shingle_pairs(pairs, shingles, min_shared))


# Pairs from the LSH are kept when their documents share at least this many distinct word
# 4-gram shingles (of body tokens). Why 3: the aligner keeps a passage only with a verbatim run
# of at least 6 words (``dedup.align.AlignParams.min_run_words``), and 6 words in a row are 3
# 4-grams, so a pair sharing fewer can only align through scattered rewrite seeds. Measured on
# the generated 10k corpus (``benchmarks/scale.py --n 10000``: 37,583 LSH pairs, 22,956 truly
# related pairs, LSH recall 0.9974, precision 0.609), pairs kept / recall / precision:
#   m=2 28,803 / 0.9974 / 0.795;  m=3 24,916 / 0.9973 / 0.919;  m=4 23,633 / 0.9973 / 0.969;
#   m=5 23,177 / 0.9971 / 0.988;  m=8 22,872 / 0.9951 / 0.999.
# At 100k (a sample of its 3.15M LSH pairs, 7% related) m=3 keeps 706k and m=4 382k, both
# every truly related pair of the sample. m=4 would cut more but can drop a pair whose only
# shared text is one 6-word run the aligner would report; 3 drops none of those. The check
# costs a few microseconds per pair (sorted-array lookup).
MIN_SHARED_SHINGLES = 3

# Bits of a band key used to address the prefilter bitmap (2^25 bytes = 32 MiB); with the
# ~1M distinct keys of a 1,000-document batch about 3% of the archive's keys pass it by chance
# and are then checked exactly.
_BITMAP_BITS = 25


def pairs_with_new(
    new: dict[str, np.ndarray],
    old_chunks: Iterable[Iterable[tuple[str, np.ndarray]]],
    params: CandidateParams = DEFAULT_PARAMS,
) -> set[tuple[str, str]]:
    """The pairs of ``numbered_pairs_with_new`` as ``(a, b)`` key tuples, ``a < b``."""
    return numbered_pairs_with_new(new, old_chunks, params).as_set()


def numbered_pairs_with_new(
    new: dict[str, np.ndarray],
    old_chunks: Iterable[Iterable[tuple[str, np.ndarray]]],
    params: CandidateParams = DEFAULT_PARAMS,
) -> DocumentPairs:
    """Pairs of documents sharing an LSH bucket, at least one of them in ``new``,
    from distinct band keys per document: ``new`` documents' keys, and the archive's as chunks
    of ``(doc_key, keys)`` (read from storage a chunk at a time).

    Only archive entries whose key some new document also has can pair with a new document, so
    each chunk is cut to those (a bitmap on the key's top bits, then an exact sorted lookup)
    before anything is sorted, and archive documents without such a key are left out: a nightly batch against 100k stored documents sorts the
    batch's keys and the few archive keys that hit them, not the archive's 100M keys. Bucket
    sizes still count every document holding the key, so the pairs are those of one index
    holding everything (``CandidateIndex.pairs(among=new)``).
    """
    index = CandidateIndex(params)
    for doc_key in sorted(new):
        index.add_keys(doc_key, new[doc_key])
    if not new:
        return DocumentPairs([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    wanted = sorted_distinct(np.concatenate([new[key] for key in new]))
    shift = np.uint64(64 - _BITMAP_BITS)
    bitmap = np.zeros(1 << _BITMAP_BITS, dtype=bool)
    bitmap[wanted >> shift] = True
    for chunk in old_chunks:
        members = [(doc_key, keys) for doc_key, keys in chunk if doc_key not in new]
        if not members:
            continue
        # One pass over the whole chunk's keys: a per-document loop cost more than the check.
        keys = np.concatenate([member_keys for _, member_keys in members])
        hits = np.flatnonzero(bitmap[keys >> shift])
        # Owners of the hits only (a few percent of the keys), from the members' key offsets.
        ends = np.cumsum([len(member_keys) for _, member_keys in members])
        owners = np.searchsorted(ends, hits, side="right").astype(np.int32)
        keys = keys[hits]
        if len(keys):
            positions = np.minimum(np.searchsorted(wanted, keys), len(wanted) - 1)
            exact = wanted[positions] == keys
            keys, owners = keys[exact], owners[exact]
        index.add_entries([doc_key for doc_key, _ in members], keys, owners)
    return index.numbered_pairs(set(new))


class SliceBuffer(Protocol):
    """Where ``pairs_in_slices`` parks each slice's ``(keys, docs)`` between its one read of
    all keys and the slices' pairing: memory (``MemorySlices``) or, to hold one slice at a
    time, files (``flows.stages.FileSlices``)."""

    def append(self, part: int, keys: np.ndarray, docs: np.ndarray) -> None: ...

    def arrays(self, part: int) -> tuple[np.ndarray, np.ndarray]:
        """Everything appended to ``part``, in order, then forgotten."""
        ...


class MemorySlices:
    """A ``SliceBuffer`` in memory (every key held at once).

    >>> buffer = MemorySlices()
    >>> buffer.append(1, np.array([5, 7], dtype=np.uint64), np.array([0, 0], dtype=np.int32))
    >>> buffer.append(1, np.array([9], dtype=np.uint64), np.array([1], dtype=np.int32))
    >>> [array.tolist() for array in buffer.arrays(1)], buffer.arrays(0)[0].tolist()
    ([[5, 7, 9], [0, 0, 1]], [])
    """

    def __init__(self) -> None:
        self.parts: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}

    def append(self, part: int, keys: np.ndarray, docs: np.ndarray) -> None:
        key_parts, doc_parts = self.parts.setdefault(part, ([], []))
        key_parts.append(keys)
        doc_parts.append(docs)

    def arrays(self, part: int) -> tuple[np.ndarray, np.ndarray]:
        key_parts, doc_parts = self.parts.pop(part, ([], []))
        if not key_parts:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
        return np.concatenate(key_parts), np.concatenate(doc_parts)


# ``map_parts(pair_part, count)``: ``[pair_part(part) for part in range(count)]``, in any
# way that keeps the order (``flows.stages`` runs the parts in forked processes).
PartMap = Callable[[Callable[[int], list[np.ndarray]], int], list[list[np.ndarray]]]


def _in_order(pair_part: Callable[[int], list[np.ndarray]], count: int) -> list[list[np.ndarray]]:
    return [pair_part(part) for part in range(count)]


def pairs_in_slices(
    chunks: Iterable[Iterable[tuple[str, np.ndarray]]],
    among: set[str],
    params: CandidateParams = DEFAULT_PARAMS,
    slices: int = 1,
    buffer: SliceBuffer | None = None,
    map_parts: PartMap = _in_order,
) -> DocumentPairs:
    """Pairs of documents sharing an LSH bucket, at least one of them in ``among``, among all
    documents ``chunks`` yields as chunks of ``(doc_key, distinct band keys)``: the pairs of
    one ``CandidateIndex`` holding them all.

    For a run with many new documents (a first run: all of them), where ``pairs_with_new``'s
    prefilter would keep nearly every key. The keys are read once and split into ``slices``
    parts of the key space (rounded up to a power of two; a key's low bits select its part)
    kept in ``buffer`` (default: memory); each part is then sorted and paired on its own
    (through ``map_parts``), so that only one part is ever sorted: 100k documents hold 106M
    keys (850 MB), and an index of all of them needed several copies at once. One read,
    whatever the number of parts: the cost grows with the keys, not with keys times parts.
    """
    slices = 1 << max(0, slices - 1).bit_length()
    buffer = buffer if buffer is not None else MemorySlices()
    names = _split_keys(chunks, slices, buffer)
    numbers = {name: number for number, name in enumerate(names)}
    is_wanted = np.zeros(len(names), dtype=bool)
    is_wanted[[numbers[key] for key in among if key in numbers]] = True

    def pair_part(part: int) -> list[np.ndarray]:
        keys, docs = buffer.arrays(part)
        return bucket_pair_codes(keys, docs, is_wanted, params.max_bucket_docs)

    codes = [code for part_codes in map_parts(pair_part, slices) for code in part_codes]
    return DocumentPairs.from_codes(names, codes)


def _split_keys(
    chunks: Iterable[Iterable[tuple[str, np.ndarray]]], slices: int, buffer: SliceBuffer
) -> list[str]:
    """Read ``chunks`` once into ``buffer``'s ``slices`` parts (``slices`` a power of two);
    the document keys in reading order (a document's number is its index)."""
    mask = np.uint64(slices - 1)
    names: list[str] = []
    numbers: dict[str, int] = {}
    for chunk in chunks:
        members = list(chunk)
        if not members:
            continue
        owners = np.empty(len(members), dtype=np.int32)
        for position, (doc_key, _) in enumerate(members):
            number = numbers.get(doc_key)
            if number is None:
                number = numbers[doc_key] = len(names)
                names.append(doc_key)
            owners[position] = number
        keys = np.concatenate([member_keys for _, member_keys in members])
        docs = np.repeat(owners, [len(member_keys) for _, member_keys in members])
        if slices == 1:
            buffer.append(0, keys, docs)
            continue
        # a stable sort by part keeps each part's keys in reading order
        part_of = (keys & mask).astype(np.intp)
        order = np.argsort(part_of, kind="stable")
        bounds = np.searchsorted(part_of[order], np.arange(slices + 1))
        for part in range(slices):
            chosen = order[bounds[part] : bounds[part + 1]]
            if len(chosen):
                buffer.append(part, keys[chosen], docs[chosen])
    return names


def shared_shingles(first: np.ndarray, second: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values have in common."""
    if len(first) > len(second):
        first, second = second, first
    if not len(first):
        return 0
    positions = np.minimum(np.searchsorted(second, first), len(second) - 1)
    return int(np.count_nonzero(second[positions] == first))


def shared_shingle_pairs(
    pairs: Iterable[tuple[str, str]], shingles: dict[str, np.ndarray], min_shared: int
) -> list[tuple[str, str]]:
    """The ``pairs`` whose documents share at least ``min_shared`` shingles (sorted).

    Why: 64 bands of 2 rows make a bucket hit of two passages sharing one or two 4-grams
    (stock phrases: ``the prime minister said``), and at 100k documents those false pairs
    dominate (3.15M LSH pairs, 7% of them truly related). A reused passage of the aligner's
    minimum length shares far more than that. See ``MIN_SHARED_SHINGLES`` for the measurement.
    The counting is vectorised (``shared_shingle_counts``): a Python loop over the pairs cost
    6-28 us a pair, over a minute for the millions of LSH pairs of 100k documents.
    """
    pairs = list(pairs)
    if not pairs:
        return []
    names = sorted({uri for pair in pairs for uri in pair})
    ids = {name: number for number, name in enumerate(names)}
    left = np.fromiter((ids[key_a] for key_a, _ in pairs), dtype=np.int64, count=len(pairs))
    right = np.fromiter((ids[key_b] for _, key_b in pairs), dtype=np.int64, count=len(pairs))
    counts = shared_shingle_counts(left, right, [shingles[name] for name in names])
    return sorted(
        pair for pair, count in zip(pairs, counts.tolist(), strict=True) if count >= min_shared
    )


# A shingle held by more documents than this (stock phrases) is counted pair by pair instead of
# by enumerating its documents' pairs, which grows with the square of their number.
_MAX_SHINGLE_GROUP = 256
# Up to this many pairs, ``shared_shingle_counts`` loops over them (``shared_shingles``, about
# 10 us a pair): sorting every value of their documents costs more (a nightly batch of 1,000
# against 100k: 72k LSH pairs among 40k documents, 12M values, 4.3 s CPU).
_LOOP_PAIRS = 100_000
# Entries handled per numpy step of ``shared_shingle_counts``: bounds its working memory to a
# few hundred MB whatever the number of pairs.
_STEP_ENTRIES = 8_000_000


def shared_shingle_counts(
    left: np.ndarray, right: np.ndarray, shingles: list[np.ndarray]
) -> np.ndarray:
    """How many values ``shingles[left[i]]`` and ``shingles[right[i]]`` share, for every i
    (``left[i] != right[i]``; each array distinct values below 2^32).

    Without a loop per pair: the documents' values are sorted into groups of documents holding
    the same value (most values belong to one document only and drop out); every group yields
    its document pairs, and each one that is among the asked pairs counts one for it. Values
    held by more than ``_MAX_SHINGLE_GROUP`` documents are few but would yield millions of
    pairs: for those, each asked pair looks its shorter side's values up in the other's.
    Cost grows with the shared values, not with the number of pairs times their shingles.
    """
    n_docs = len(shingles)
    low = np.minimum(left, right).astype(np.int64)
    high = np.maximum(left, right).astype(np.int64)
    codes, inverse = np.unique(low * n_docs + high, return_inverse=True)
    counts = np.zeros(len(codes), dtype=np.int64)
    if not len(codes):
        return counts[inverse]
    if len(codes) <= _LOOP_PAIRS:
        for number, (first, second) in enumerate(
            zip((codes // n_docs).tolist(), (codes % n_docs).tolist(), strict=True)
        ):
            counts[number] = shared_shingles(shingles[first], shingles[second])
        return counts[inverse]
    involved = np.zeros(n_docs, dtype=bool)
    involved[low] = involved[high] = True
    documents = np.flatnonzero(involved)
    sizes = np.array([len(shingles[d]) for d in documents.tolist()], dtype=np.int64)
    if not sizes.sum():
        return counts[inverse]
    entries = _shared_entries(documents, sizes, shingles)
    values = entries >> np.uint64(32)
    starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    del values
    group_sizes = np.diff(np.concatenate((starts, [len(entries)])))
    owners = (entries & np.uint64(0xFFFFFFFF)).astype(np.int64)
    shared = group_sizes >= 2  # all of them: see _shared_entries
    small = shared & (group_sizes <= _MAX_SHINGLE_GROUP)
    # The groups' pairs are gathered up to a step's worth, then sorted, and each asked pair
    # counts its occurrences there (two searches per asked pair in ascending order: far
    # cheaper than one random search per group pair, most of which were not asked for).
    found: list[np.ndarray] = []
    held = 0
    for size in sorted_distinct(group_sizes[small]).tolist():
        group_starts = starts[small & (group_sizes == size)]
        first, second = np.triu_indices(size, 1)
        per_step = max(1, _STEP_ENTRIES // len(first))
        for offset in range(0, len(group_starts), per_step):
            members = owners[group_starts[offset : offset + per_step, None] + np.arange(size)]
            # Documents ascend within a group, so first < second in every pair made here.
            found.append(members[:, first].ravel() * n_docs + members[:, second].ravel())
            held += len(found[-1])
            if held >= _STEP_ENTRIES:
                counts += _occurrences(codes, found)
                found, held = [], 0
    counts += _occurrences(codes, found)
    large = shared & ~small
    if large.any():
        chosen = np.repeat(large, group_sizes)
        counts += _probe_counts(codes // n_docs, codes % n_docs, entries[chosen], n_docs)
    return counts[inverse]


def _occurrences(codes: np.ndarray, found: list[np.ndarray]) -> np.ndarray:
    """How many times each of the sorted ``codes`` occurs in ``found``."""
    if not found:
        return np.zeros(len(codes), dtype=np.int64)
    ordered = np.sort(np.concatenate(found))
    return np.searchsorted(ordered, codes, "right") - np.searchsorted(ordered, codes, "left")


def _shared_entries(
    documents: np.ndarray, sizes: np.ndarray, shingles: list[np.ndarray]
) -> np.ndarray:
    """``value << 32 | document`` of every value of the ``documents`` that another of them also
    holds, sorted: groups of one value, their documents ascending. Built a block of documents
    at a time into one array (100k documents hold 29M values), singletons then dropped."""
    entries = np.empty(int(sizes.sum()), dtype=np.uint64)
    ends = np.cumsum(sizes)
    block = 10_000
    for first in range(0, len(documents), block):
        numbers = documents[first : first + block]
        start = int(ends[first] - sizes[first])
        values = np.concatenate([shingles[d] for d in numbers.tolist()]).astype(np.uint64)
        values <<= np.uint64(32)
        values |= np.repeat(numbers, sizes[first : first + block]).astype(np.uint64)
        entries[start : start + len(values)] = values
    entries.sort()
    values = entries >> np.uint64(32)
    repeats = values[1:] == values[:-1]
    del values
    shared = np.zeros(len(entries), dtype=bool)
    shared[1:] = repeats
    shared[:-1] |= repeats
    return entries[shared]


def _probe_counts(
    low: np.ndarray, high: np.ndarray, entries: np.ndarray, n_docs: int
) -> np.ndarray:
    """Shared values of each pair ``(low[i], high[i])`` among ``entries`` (``value << 32 |
    document``): each pair looks the values of its side with fewer of them up in the other's."""
    owners = (entries & np.uint64(0xFFFFFFFF)).astype(np.int64)
    # document << 32 | value, sorted: each document's values in one ascending run.
    by_owner = (owners.astype(np.uint64) << np.uint64(32)) | (entries >> np.uint64(32))
    order = np.argsort(by_owner)
    by_owner = by_owner[order]
    values = by_owner & np.uint64(0xFFFFFFFF)
    lengths = np.bincount(owners, minlength=n_docs)
    starts = np.cumsum(lengths) - lengths
    swap = lengths[low] > lengths[high]
    probe = np.where(swap, high, low)
    table = np.where(swap, low, high)
    counts = np.zeros(len(low), dtype=np.int64)
    todo = np.flatnonzero(lengths[probe] > 0)
    todo = todo[np.argsort(table[todo], kind="stable")]
    probe_lengths = lengths[probe[todo]]
    ends = np.cumsum(probe_lengths)
    first = 0
    while first < len(todo):
        base = ends[first] - probe_lengths[first]
        last = max(first + 1, int(np.searchsorted(ends, base + _STEP_ENTRIES, "right")))
        step = todo[first:last]
        step_lengths = probe_lengths[first:last]
        owner_of = np.repeat(np.arange(len(step)), step_lengths)
        offsets = np.arange(len(owner_of)) - np.repeat(
            np.cumsum(step_lengths) - step_lengths, step_lengths
        )
        positions = np.repeat(starts[probe[step]], step_lengths) + offsets
        queries = (table[step][owner_of].astype(np.uint64) << np.uint64(32)) | values[positions]
        found = np.minimum(np.searchsorted(by_owner, queries), len(by_owner) - 1)
        hits = by_owner[found] == queries
        counts[step] = np.bincount(owner_of[hits], minlength=len(step))
        first = last
    return counts


def _blocks(arrays: list[np.ndarray], block_size: int = 1_000_000) -> list[np.ndarray]:
    """``arrays`` joined into consecutive blocks of about ``block_size`` entries."""
    blocks: list[np.ndarray] = []
    group: list[np.ndarray] = []
    size = 0
    for array in arrays:
        group.append(array)
        size += len(array)
        if size >= block_size:
            blocks.append(np.concatenate(group))
            group, size = [], 0
    if group:
        blocks.append(np.concatenate(group))
    return blocks


def _key_slice(
    key_parts: list[np.ndarray], doc_parts: list[np.ndarray], part: int, slices: int
) -> tuple[np.ndarray, np.ndarray]:
    """The (key, document) entries whose key falls in slice ``part`` of ``slices``."""
    if slices == 1:
        return np.concatenate(key_parts), np.concatenate(doc_parts)
    keys, docs = [], []
    for part_keys, part_docs in zip(key_parts, doc_parts, strict=True):
        chosen = part_keys % np.uint64(slices) == np.uint64(part)
        keys.append(part_keys[chosen])
        docs.append(part_docs[chosen])
    return np.concatenate(keys), np.concatenate(docs)
