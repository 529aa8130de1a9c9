"""PAN 2013 text alignment benchmark: plagdet of wiretrace's reuse detection.

Runs the PAN 2013 training corpus (``../shared/data/pan13-train.tar.gz``, read straight from
the tar, nothing extracted or committed) through the normal detection path, plain text ->
``dedup.clean.clean_plain_text`` body ranges -> ``tokenize`` -> ``sketch_passages`` /
``CandidateIndex`` -> ``align_documents`` (default ``AlignParams``), and scores the
alignments with PAN's measures (Potthast et al., 2010, as in the official PAN 13 evaluator):

* precision / recall: macro-averaged character-level over detections / cases, counting the
  suspicious and the source side; a detection only "detects" a case when it overlaps it in both
  documents;
* granularity: detections per detected case; plagdet = F1 / log2(1 + granularity).

Detection is done on exactly the pairs PAN lists (``pairs`` file); the candidate stage is
scored separately: how many true pairs (with at least one case) an index of all sources returns
for their suspicious document, and how many no-reuse pairs (01) it returns.

Usage::

    python benchmarks/pan.py                 # whole corpus
    python benchmarks/pan.py --sample 100    # 100 pairs per sub-corpus, quick
    python benchmarks/pan.py --sample 100 --jobs 2
    python benchmarks/pan.py --sample 200 --param merge_gap_words=15   # tuning
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dedup.align import DEFAULT_PARAMS, AlignParams, align_documents
from dedup.candidates import CandidateIndex, sketch_passages
from dedup.tokens import Tokens, tokenize

DEFAULT_TAR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pan13-train.tar.gz"
SUBCORPORA = {
    "01": "no-plagiarism",
    "02": "no-obfuscation",
    "03": "random-obfuscation",
    "04": "translation-obfuscation",
    "05": "summary-obfuscation",
}


@dataclass(frozen=True)
class Span:
    """A case or detection: character ranges in the suspicious and in the source document."""

    susp: str
    src: str
    susp_start: int
    susp_end: int
    src_start: int
    src_end: int


@dataclass
class Corpus:
    documents: dict[str, str] = field(default_factory=dict)  # "susp/name" or "src/name" -> text
    pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # sub-corpus -> pairs
    cases: dict[tuple[str, str], list[Span]] = field(default_factory=dict)


def read_corpus(tar_path: Path, sample: int | None, seed: int) -> Corpus:
    """Pairs, cases and the texts of the documents they need, read from the tar."""
    corpus = Corpus()
    xml_members: dict[str, dict[tuple[str, str], bytes]] = defaultdict(dict)
    texts: dict[str, bytes] = {}
    # One sequential pass: random access into a .tar.gz re-decompresses from the start.
    with tarfile.open(tar_path, "r:gz") as tar:
        for member in tar:
            parts = member.name.split("/")
            if not member.isfile() or len(parts) != 3:
                continue
            folder, name = parts[1], parts[2]
            if folder in ("susp", "src") and name.endswith(".txt"):
                texts[f"{folder}/{name}"] = tar.extractfile(member).read()
            elif name.endswith(".xml") and folder[:2] in SUBCORPORA:
                susp, src = name[: -len(".xml")].split("-source-")
                pair = (susp + ".txt", "source-" + src + ".txt")
                xml_members[folder[:2]][pair] = tar.extractfile(member).read()
    rng = random.Random(seed)
    for sub, members in sorted(xml_members.items()):
        pairs = sorted(members)
        if sample is not None and sample < len(pairs):
            pairs = sorted(rng.sample(pairs, sample))
        corpus.pairs[sub] = pairs
        for pair in pairs:
            corpus.cases[pair] = parse_cases(members[pair], pair)
    needed = {f"susp/{s}" for p in corpus.pairs.values() for s, _ in p}
    needed |= {f"src/{s}" for p in corpus.pairs.values() for _, s in p}
    for name in sorted(needed):
        # Offsets are into the decoded UTF-8 text with no newline translation.
        corpus.documents[name] = texts[name].decode("utf-8")
    return corpus


def parse_cases(xml_bytes: bytes, pair: tuple[str, str]) -> list[Span]:
    cases = []
    for feature in ET.fromstring(xml_bytes).iter("feature"):
        if feature.get("name") != "plagiarism":
            continue
        this_offset, this_length = int(feature.get("this_offset")), int(feature.get("this_length"))
        src_offset, src_length = (
            int(feature.get("source_offset")),
            int(feature.get("source_length")),
        )
        cases.append(
            Span(
                pair[0],
                pair[1],
                this_offset,
                this_offset + this_length,
                src_offset,
                src_offset + src_length,
            )
        )
    return cases


# ---------------------------------------------------------------------------------------------
# PAN measures


def _overlap(start_a: int, end_a: int, start_b: int, end_b: int) -> int:
    return max(0, min(end_a, end_b) - max(start_a, start_b))


def _detects(detection: Span, case: Span) -> bool:
    return (
        detection.susp == case.susp
        and detection.src == case.src
        and _overlap(detection.susp_start, detection.susp_end, case.susp_start, case.susp_end) > 0
        and _overlap(detection.src_start, detection.src_end, case.src_start, case.src_end) > 0
    )


def _covered(target: tuple[int, int], others: list[tuple[int, int]]) -> int:
    """Characters of ``target`` covered by the union of ``others``."""
    clipped = sorted(
        (max(start, target[0]), min(end, target[1]))
        for start, end in others
        if min(end, target[1]) > max(start, target[0])
    )
    total, cursor = 0, target[0]
    for start, end in clipped:
        start = max(start, cursor)
        if end > start:
            total += end - start
            cursor = end
    return total


def _macro_share(targets: list[Span], others: list[Span]) -> float:
    """Mean over ``targets`` of the share of its characters covered by ``others`` detecting it."""
    by_pair: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for other in others:
        by_pair[(other.susp, other.src)].append(other)
    total = 0.0
    for target in targets:
        hits = [o for o in by_pair[(target.susp, target.src)] if _detects(o, target)]
        covered = _covered(
            (target.susp_start, target.susp_end), [(o.susp_start, o.susp_end) for o in hits]
        )
        covered += _covered(
            (target.src_start, target.src_end), [(o.src_start, o.src_end) for o in hits]
        )
        length = (target.susp_end - target.susp_start) + (target.src_end - target.src_start)
        total += covered / length if length else 0.0
    return total / len(targets)


def plagdet(cases: list[Span], detections: list[Span]) -> dict[str, float]:
    """Precision, recall, granularity and plagdet as the official PAN 13 evaluator defines them."""
    if not cases and not detections:
        precision, recall = 1.0, 1.0
    elif not cases:
        precision, recall = 0.0, 1.0
    elif not detections:
        precision, recall = 1.0, 0.0
    else:
        recall = _macro_share(cases, detections)
        precision = _macro_share(detections, cases)
    by_pair: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for detection in detections:
        by_pair[(detection.susp, detection.src)].append(detection)
    detected_counts = [
        n for case in cases if (n := sum(_detects(d, case) for d in by_pair[(case.susp, case.src)]))
    ]
    granularity = sum(detected_counts) / len(detected_counts) if detected_counts else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "plagdet": f1 / math.log2(1 + granularity),
        "precision": precision,
        "recall": recall,
        "granularity": granularity,
        "cases": len(cases),
        "detections": len(detections),
    }


# ---------------------------------------------------------------------------------------------
# Running the detector

_WORKER_DOCS: dict[str, str] = {}
_WORKER_TOKENS: dict[str, Tokens] = {}
_WORKER_PARAMS: list[AlignParams] = [DEFAULT_PARAMS]


def _tokens(name: str) -> Tokens:
    if name not in _WORKER_TOKENS:
        _WORKER_TOKENS[name] = document_tokens(_WORKER_DOCS[name])
    return _WORKER_TOKENS[name]


try:
    from dedup.clean import clean_plain_text as _clean_plain_text

    INGEST_PATH = "dedup.clean.clean_plain_text body ranges -> dedup.tokens.tokenize"
except ImportError:  # the cleaner is another module's; the benchmark runs without it
    _clean_plain_text = None
    INGEST_PATH = "dedup.tokens.tokenize over the whole text (no dedup.clean)"


_USE_CLEANER = [True]


def document_tokens(text: str) -> Tokens:
    """Tokens through the normal ingest path: body ranges of ``clean_plain_text`` if present."""
    if _clean_plain_text is None or not _USE_CLEANER[0]:
        return tokenize(text)
    return tokenize(text, _clean_plain_text(text).content_ranges())


def _init_worker(documents: dict[str, str], params: AlignParams = DEFAULT_PARAMS) -> None:
    _WORKER_PARAMS[0] = params
    _WORKER_DOCS.clear()
    _WORKER_DOCS.update(documents)
    _WORKER_TOKENS.clear()


def _align_pairs(pairs: list[tuple[str, str]]) -> list[Span]:
    detections = []
    for susp, src in pairs:
        key_a, key_b = f"susp/{susp}", f"src/{src}"
        text_a, text_b = _WORKER_DOCS[key_a], _WORKER_DOCS[key_b]
        for found in align_documents(
            key_a, text_a, _tokens(key_a), key_b, text_b, _tokens(key_b), _WORKER_PARAMS[0]
        ):
            detections.append(
                Span(susp, src, found.a_start, found.a_end, found.b_start, found.b_end)
            )
    return detections


def run_alignment(corpus: Corpus, jobs: int, params: AlignParams = DEFAULT_PARAMS) -> list[Span]:
    # Grouping pairs by suspicious document lets a worker tokenize each document once.
    all_pairs = sorted({pair for pairs in corpus.pairs.values() for pair in pairs})
    if jobs <= 1:
        _init_worker(corpus.documents, params)
        return _align_pairs(all_pairs)
    chunks = [all_pairs[index::jobs] for index in range(jobs)]
    with ProcessPoolExecutor(
        jobs, initializer=_init_worker, initargs=(corpus.documents, params)
    ) as pool:
        return [span for part in pool.map(_align_pairs, chunks) for span in part]


def candidate_recall(corpus: Corpus) -> dict[str, tuple[int, int]]:
    """Per sub-corpus, (pairs the candidate index returns, pairs): sources indexed, suspicious
    documents as queries."""
    _init_worker(corpus.documents)
    index = CandidateIndex()
    sources = sorted({src for pairs in corpus.pairs.values() for _, src in pairs})
    for src in sources:
        index.add(src, sketch_passages(_tokens(f"src/{src}")))
    found_by_susp = {
        susp: index.query(sketch_passages(_tokens(f"susp/{susp}")))
        for susp in sorted({susp for pairs in corpus.pairs.values() for susp, _ in pairs})
    }
    return {
        sub: (sum(src in found_by_susp[susp] for susp, src in pairs), len(pairs))
        for sub, pairs in corpus.pairs.items()
    }


def parse_params(overrides: list[str]) -> AlignParams:
    """``AlignParams`` with ``NAME=VALUE`` overrides (values cast to the default's type)."""
    fields = {f.name: f for f in dataclasses.fields(AlignParams)}
    changes = {}
    for override in overrides:
        name, _, value = override.partition("=")
        if name not in fields:
            raise ValueError(f"unknown alignment parameter {name!r} (known: {', '.join(fields)})")
        changes[name] = type(getattr(DEFAULT_PARAMS, name))(value)
    return dataclasses.replace(DEFAULT_PARAMS, **changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tar", type=Path, default=DEFAULT_TAR, help="pan13-train.tar.gz")
    parser.add_argument("--sample", type=int, default=None, help="pairs per sub-corpus")
    parser.add_argument("--seed", type=int, default=13, help="sampling seed")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for alignment")
    parser.add_argument("--no-candidates", action="store_true", help="skip the candidate stage")
    parser.add_argument(
        "--no-clean", action="store_true", help="tokenize whole texts, skip clean_plain_text"
    )
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="AlignParams override"
    )
    args = parser.parse_args(argv)
    try:
        params = parse_params(args.param)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not args.tar.is_file():
        print(f"error: PAN tar not found: {args.tar}", file=sys.stderr)
        return 2

    if args.no_clean:
        _USE_CLEANER[0] = False
    corpus = read_corpus(args.tar, args.sample, args.seed)
    n_pairs = sum(len(p) for p in corpus.pairs.values())
    print(
        f"PAN 2013 train: {n_pairs} pairs, {len(corpus.documents)} documents, sample={args.sample}"
    )
    print(f"alignment parameters: {params}")
    print(f"ingest: {INGEST_PATH if _USE_CLEANER[0] else 'dedup.tokens.tokenize (--no-clean)'}")

    started = time.perf_counter()
    detections = run_alignment(corpus, args.jobs, params)
    align_seconds = time.perf_counter() - started

    rows = []
    all_cases: list[Span] = []
    by_pair: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for detection in detections:
        by_pair[(detection.susp, detection.src)].append(detection)
    for sub, pairs in sorted(corpus.pairs.items()):
        cases = [case for pair in pairs for case in corpus.cases[pair]]
        found = [d for pair in pairs for d in by_pair[pair]]
        all_cases.extend(cases)
        rows.append((f"{sub} {SUBCORPORA[sub]}", plagdet(cases, found), len(pairs), found, pairs))
    print(
        f"{'sub-corpus':30} {'plagdet':>8} {'prec':>6} {'recall':>6} {'gran':>6} {'cases':>6} {'dets':>6}"
    )
    for name, scores, _, _, _ in [*rows, ("all", plagdet(all_cases, detections), n_pairs, [], [])]:
        print(
            f"{name:30} {scores['plagdet']:8.4f} {scores['precision']:6.3f} {scores['recall']:6.3f}"
            f" {scores['granularity']:6.3f} {scores['cases']:6d} {scores['detections']:6d}"
        )
    for name, _, count, found, _pairs in rows:
        if name.startswith("01"):
            false_pairs = len({(d.susp, d.src) for d in found})
            print(
                f"01 falsely aligned pairs: {false_pairs} of {count} ({100 * false_pairs / count:.2f} per 100)"
            )
    print(
        f"alignment: {align_seconds:.1f} s for {len(corpus.documents)} documents"
        f" ({len(corpus.documents) / align_seconds:.1f} documents/s, tokenizing included, jobs={args.jobs})"
    )

    if not args.no_candidates:
        started = time.perf_counter()
        recall = candidate_recall(corpus)
        seconds = time.perf_counter() - started
        true_found = sum(found for sub, (found, _) in recall.items() if sub != "01")
        true_total = sum(total for sub, (_, total) in recall.items() if sub != "01")
        parts = ", ".join(
            f"{sub}: {found}/{total}" for sub, (found, total) in sorted(recall.items())
        )
        print(f"candidates (index of all sources, query each suspicious document): {parts}")
        print(
            f"candidate recall on true pairs: {true_found}/{true_total} = {true_found / true_total:.3f};"
            f" {seconds:.1f} s ({len(corpus.documents) / seconds:.1f} documents/s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
