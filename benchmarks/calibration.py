"""Is the origin confidence a probability? Reliability and origin accuracy on a generated corpus.

Reads a run of ``benchmarks/scale.py`` (a ``benchmarks/corpus.py`` corpus with its
``truth.json``, and the SQLite database the pipeline stored it in), rebuilds the trace's inputs
from the database exactly as a later run would (``dedup.cluster.cluster_table`` of the stored
alignments, ``flows.stages.stored_facts`` of the stored documents and attributions), infers
every cluster's origin with the code of this tree (``dedup.origin.origin_with_support``) and
prints:

* origin accuracy against the truth, by true occurrence and by characters
  (``benchmarks/scale.py``'s ``evaluate``: an occurrence is right when the detected occurrence
  covering most of it has the true origin; by characters, each detected occurrence counts for
  the characters it covers of true occurrences);
* reliability diagrams (bins of confidence: count, mean confidence, accuracy) and the expected
  calibration error (ECE), per cluster (the unit a confidence is given to: a cluster is right
  when its origin is the true origin of the passage whose occurrences it overlaps most) and per
  found true occurrence;
* how the confidence values spread (distinct values, the most common one);
* how many stored origins differ from the recomputed ones (a database stored by other code).

``--fit`` fits ``dedup.origin.CONFIDENCE_WEIGHTS`` (a logistic regression of "right" on
``OriginSupport.features()`` per cluster, by Newton's method with a small L2 penalty) and prints
them to be pasted there. Fit on one seed and measure on another, so that the figure is not
measured on the data it was fitted on:

    python benchmarks/scale.py --n 5000 --seed 11 --work /tmp/calib-A   # fitting corpus
    python benchmarks/scale.py --n 5000 --seed 7 --work /tmp/calib-B    # held-out corpus
    python benchmarks/calibration.py --fit /tmp/calib-A
    python benchmarks/calibration.py /tmp/calib-B

A run folder holds ``full-N.sqlite`` and ``corpus-N-sSEED[-shapes]/truth.json``; ``--db`` and
``--truth`` name them instead. ``--png FILE`` also draws the diagram, when matplotlib is
installed. ``--realnews DB ...`` prints the reliability of the stored confidences of real-news
databases (``python benchmarks/realnews.py --db-dir DIR`` keeps them) against that script's
silver labels (agency stories by their own byline, dateline or copyright; a small sample of
the easier cases).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import (  # noqa: E402  (benchmarks/scale.py, beside this file)
    best_row,
    origin_chars,
    origin_matches,
    print_reliability,
    reliability_table,
)

from dedup.origin import CONFIDENCE_WEIGHTS, OriginSupport, origin_with_support  # noqa: E402
from dedup.records import Cluster, Origin  # noqa: E402

# L2 penalty of the fit (on every weight but the bias): enough to keep the weights of rare
# features finite, too small to move the frequent ones.
L2_PENALTY = 1.0


@dataclass
class Row:
    """A recomputed lineage row, with the fields ``benchmarks/scale.py`` scores."""

    cluster: int
    origin_kind: str
    origin_uri: str | None
    origin_source: str | None
    confidence: float


@dataclass
class Judged:
    cluster: Cluster
    origin: Origin
    support: OriginSupport | None
    right: bool | None  # None: the cluster overlaps no true passage


def run_paths(folder: Path) -> tuple[Path, str]:
    """(truth.json, database url) of a ``benchmarks/scale.py`` run folder."""
    databases = sorted(folder.glob("full-*.sqlite"))
    truths = sorted(folder.glob("corpus-*/truth.json"))
    if len(databases) != 1 or len(truths) != 1:
        raise SystemExit(
            f"{folder}: expected one full-N.sqlite and one corpus-*/truth.json (a run of "
            f"benchmarks/scale.py --work {folder}), found {len(databases)} and {len(truths)}; "
            "name them with --db and --truth"
        )
    return truths[0], f"sqlite:///{databases[0]}"


def recomputed_origins(db: str) -> tuple[list[tuple[Cluster, Origin, OriginSupport | None]], int]:
    """Every cluster of the stored alignments with its origin by this tree's code, and how many
    stored clusters have another origin or confidence than the recomputed one."""
    from dedup.cluster import cluster_table
    from flows.stages import stored_facts
    from storage.store import Store

    store = Store(db)
    try:
        clusters = cluster_table(store.alignment_table())
        documents = store.detection_inputs()
        facts = stored_facts(documents, store.document_attributions(d.uri for d in documents))
        stored = stored_origins(store.lineage())
    finally:
        store.close()
    inferred = []
    differ = 0
    for cluster in clusters:
        origin, support = origin_with_support(cluster, facts)
        inferred.append((cluster, origin, support))
        members = frozenset((o.doc_key, o.start_char, o.end_char) for o in cluster.occurrences)
        found = (origin.kind, origin.doc_key, origin.source, origin.confidence)
        differ += stored.get(members) != found
    return inferred, differ


def stored_origins(rows: list[Any]) -> dict[frozenset, tuple]:
    members: dict[int, set] = defaultdict(set)
    origin_of: dict[int, tuple] = {}
    for row in rows:
        members[row.cluster_id].add((row.uri, row.start_char, row.end_char))
        origin_of[row.cluster_id] = (
            row.origin_kind,
            row.origin_uri,
            row.origin_source,
            row.confidence,
        )
    return {frozenset(spans): origin_of[cluster_id] for cluster_id, spans in members.items()}


def true_spans(truth: dict) -> dict[str, list[tuple[int, int, int]]]:
    """uri -> (start, end, passage index) of the true occurrences in it."""
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for number, passage in enumerate(truth["passages"]):
        for occurrence in passage["occurrences"]:
            spans[occurrence["uri"]].append(
                (occurrence["start_char"], occurrence["end_char"], number)
            )
    return spans


def cluster_right(cluster: Cluster, row: Row, truth: dict, spans: dict) -> bool | None:
    """Is the origin the true origin of the passage the cluster overlaps most (in characters,
    summed over its occurrences)? None when it overlaps none."""
    overlap: Counter[int] = Counter()
    for occurrence in cluster.occurrences:
        for start, end, number in spans.get(occurrence.doc_key, ()):
            shared = min(end, occurrence.end_char) - max(start, occurrence.start_char)
            if shared > 0:
                overlap[number] += shared
    if not overlap:
        return None
    passage = truth["passages"][overlap.most_common(1)[0][0]]
    return origin_matches(passage["origin"], row)


def judge(truth: dict, inferred: list[tuple[Cluster, Origin, OriginSupport | None]]) -> dict:
    """Per-cluster judgements and the occurrence scores of ``benchmarks/scale.py``."""
    detected: dict[str, list[tuple[int, int, Row]]] = defaultdict(list)
    judged: list[Judged] = []
    spans = true_spans(truth)
    for number, (cluster, origin, support) in enumerate(inferred):
        row = Row(number, origin.kind, origin.doc_key, origin.source, origin.confidence)
        for occurrence in cluster.occurrences:
            detected[occurrence.doc_key].append((occurrence.start_char, occurrence.end_char, row))
        judged.append(Judged(cluster, origin, support, cluster_right(cluster, row, truth, spans)))
    for rows in detected.values():
        rows.sort(key=lambda item: (item[0], item[1]))
    occurrences = found = right = chars_overlapped = chars_right = 0
    by_occurrence: list[tuple[float, bool]] = []
    for passage in truth["passages"]:
        for occurrence in passage["occurrences"]:
            occurrences += 1
            rows = detected.get(occurrence["uri"], [])
            overlapped, matching = origin_chars(rows, occurrence, passage["origin"])
            chars_overlapped += overlapped
            chars_right += matching
            row = best_row(rows, occurrence)
            if row is not None:
                found += 1
                matches = origin_matches(passage["origin"], row)
                right += matches
                by_occurrence.append((row.confidence, matches))
    return {
        "judged": judged,
        "occurrences": occurrences,
        "found": found,
        "accuracy_occurrences": right / max(1, found),
        "accuracy_chars": chars_right / max(1, chars_overlapped),
        "by_occurrence": reliability_table(by_occurrence),
        "by_cluster": reliability_table(
            (j.origin.confidence, j.right) for j in judged if j.right is not None
        ),
    }


FEATURES = tuple(CONFIDENCE_WEIGHTS)
# Weights the generated corpus cannot inform, because it dates every copy: ``undated`` is set by
# hand (see dedup/origin.py), ``no_dates`` is fitted on the truth corpora of benchmarks/origin.py
# (whose "undated" scenario dates nothing), the other weights held.
HAND_SET = ("undated",)
FITTED_ON_TRUTH_CORPORA = ("no_dates",)


def design(
    supports: list[OriginSupport | None], rights: list[bool | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (columns in ``FEATURES`` order) and labels of the clusters with a known
    origin and a truth to judge it by."""
    usable = [
        (support, right)
        for support, right in zip(supports, rights, strict=True)
        if support is not None and right is not None
    ]
    matrix = np.array([[support.features()[name] for name in FEATURES] for support, _ in usable])
    labels = np.array([float(right) for _, right in usable])
    return matrix.reshape(-1, len(FEATURES)), labels


def fit_logistic(
    matrix: np.ndarray,
    labels: np.ndarray,
    offset: np.ndarray | None = None,
    penalty: float = L2_PENALTY,
    free_first: bool = True,
) -> np.ndarray:
    """Weights of an L2-penalised logistic regression of ``labels`` on ``matrix`` (plus a fixed
    ``offset`` of the log-odds), by Newton's method; ``free_first``: the first column (the
    bias) is not penalised."""
    weights = np.zeros(matrix.shape[1])
    offset = np.zeros(len(labels)) if offset is None else offset
    ridge = np.full(matrix.shape[1], penalty)
    if free_first:
        ridge[0] = 0.0
    for _ in range(100):
        predicted = 1.0 / (1.0 + np.exp(-(matrix @ weights + offset)))
        gradient = matrix.T @ (predicted - labels) + ridge * weights
        curvature = (matrix * (predicted * (1 - predicted))[:, None]).T @ matrix + np.diag(ridge)
        step = np.linalg.solve(curvature + 1e-9 * np.eye(len(weights)), gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


def fit_weights(judged: list[Judged]) -> dict[str, float]:
    """``CONFIDENCE_WEIGHTS`` fitted on ``judged`` (the generated corpus), then on the truth
    corpora of benchmarks/origin.py for the weights the generated corpus cannot inform."""
    matrix, labels = design([j.support for j in judged], [j.right for j in judged])
    free = [
        i for i, name in enumerate(FEATURES) if name not in (*HAND_SET, *FITTED_ON_TRUTH_CORPORA)
    ]
    weights = dict(CONFIDENCE_WEIGHTS)
    for index, weight in zip(free, fit_logistic(matrix[:, free], labels), strict=True):
        weights[FEATURES[index]] = float(weight)
    fitted = 1.0 / (1.0 + np.exp(-(matrix @ np.array([weights[name] for name in FEATURES]))))
    table = reliability_table(zip(np.clip(fitted, 0.01, 0.99), labels, strict=True))
    print(f"\nstage 1: {len(free)} weights fitted on {len(labels)} clusters of the generated corpus "
          f"(ECE on them {table['ece']:.3f})")  # fmt: skip
    matrix, labels = design(*truth_corpora_supports())
    held = [i for i, name in enumerate(FEATURES) if name not in FITTED_ON_TRUTH_CORPORA]
    offset = matrix[:, held] @ np.array([weights[FEATURES[i]] for i in held])
    rows = matrix[:, [FEATURES.index(name) for name in FITTED_ON_TRUTH_CORPORA]].any(axis=1)
    stage_two = fit_logistic(
        matrix[rows][:, [FEATURES.index(name) for name in FITTED_ON_TRUTH_CORPORA]],
        labels[rows],
        offset[rows],
        free_first=False,
    )
    for name, weight in zip(FITTED_ON_TRUTH_CORPORA, stage_two, strict=True):
        weights[name] = float(weight)
    print(f"stage 2: {', '.join(FITTED_ON_TRUTH_CORPORA)} fitted on the {int(rows.sum())} clusters "
          f"of benchmarks/origin.py's truth corpora where it is not 0, the others held")  # fmt: skip
    return weights


def truth_corpora_supports() -> tuple[list[OriginSupport | None], list[bool | None]]:
    """Supports and rightness of the detected clusters of benchmarks/origin.py's truth corpora
    (its default seeds and size)."""
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.origin import (
        detected_clusters,
        document_facts,
        is_correct,
        match_passage,
    )
    from benchmarks.origin_corpus import build_corpus

    supports: list[OriginSupport | None] = []
    rights: list[bool | None] = []
    for seed in TRUTH_CORPUS_SEEDS:
        corpus = build_corpus(TRUTH_CORPUS_STORIES, seed)
        facts = document_facts(corpus.documents)
        for cluster in detected_clusters(corpus.documents):
            passage = match_passage(cluster, corpus.passages)
            origin, support = origin_with_support(cluster, facts)
            supports.append(support)
            rights.append(None if passage is None else is_correct(origin, passage))
    return supports, rights


# benchmarks/origin.py's defaults
TRUTH_CORPUS_SEEDS = (2016, 2017, 2018, 2019)
TRUTH_CORPUS_STORIES = 36


def silver_reliability(db_urls: list[str]) -> dict:
    """Reliability on real news by ``benchmarks/realnews.py``'s silver labels: each occurrence
    judged by its attribution accuracy (a document whose own byline, dateline or copyright
    credits one agency; the occurrence's cluster reaches another outlet) with its confidence."""
    import realnews  # benchmarks/realnews.py, beside this file

    judged: list[tuple[float, bool]] = []
    for url in db_urls:
        corpus = realnews.read_corpus(url)
        labels, _ = realnews.agency_labels(corpus)
        for _, row, right in realnews.judged_origins(corpus, labels):
            judged.append((row.confidence, right))
    return reliability_table(judged)


def print_spread(judged: list[Judged]) -> None:
    values = Counter(j.origin.confidence for j in judged)
    value, count = values.most_common(1)[0]
    kinds = Counter(j.origin.kind for j in judged)
    print(
        f"confidence values: {len(values)} distinct over {len(judged)} clusters; the most "
        f"common, {value}, for {count} ({count / len(judged):.1%}); origin kinds "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
    )


def draw_png(tables: dict[str, dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"--png {path}: matplotlib is not installed, the text tables above are the diagram")
        return
    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    for label, table in tables.items():
        rows = [row for row in table["bins"] if row["count"]]
        axis.plot(
            [row["confidence"] for row in rows],
            [row["accuracy"] for row in rows],
            marker="o",
            label=f"{label} (ECE {table['ece']:.3f})",
        )
    axis.set_xlabel("mean confidence")
    axis.set_ylabel("accuracy")
    axis.legend()
    figure.savefig(path, dpi=100)
    print(f"reliability diagram: {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, nargs="?", help="a benchmarks/scale.py --work folder")
    parser.add_argument("--db", help="database url (instead of the run folder's)")
    parser.add_argument("--truth", type=Path, help="truth.json (instead of the run folder's)")
    parser.add_argument("--fit", action="store_true", help="fit and print CONFIDENCE_WEIGHTS")
    parser.add_argument("--png", type=Path, help="draw the reliability diagram (matplotlib)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--realnews",
        nargs="+",
        metavar="DB",
        help="also (or only) the silver reliability of databases of benchmarks/realnews.py",
    )
    args = parser.parse_args(argv)
    if args.realnews:
        table = silver_reliability(
            [db if "://" in db else f"sqlite:///{db}" for db in args.realnews]
        )
        print_reliability(table, "real news, silver labels of benchmarks/realnews.py", indent="")
        if args.run is None and not args.db:
            return 0
    if args.run is None and not (args.db and args.truth):
        parser.error("give a run folder, or --db and --truth")
    truth_path, db = run_paths(args.run) if args.run else (args.truth, args.db)
    truth_path, db = args.truth or truth_path, args.db or db
    started = time.perf_counter()
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    inferred, differ = recomputed_origins(db)
    scores = judge(truth, inferred)
    judged: list[Judged] = scores["judged"]
    print(f"{truth_path}: {len(truth['documents'])} documents, {len(truth['passages'])} true "
          f"passages; {db}: {len(judged)} clusters, origins recomputed by this tree "
          f"({differ} differ from the stored ones)")  # fmt: skip
    unmatched = sum(j.right is None for j in judged)
    print(f"true occurrences found {scores['found']} of {scores['occurrences']}; clusters "
          f"overlapping no true passage: {unmatched}")  # fmt: skip
    print(f"origin accuracy: by occurrences {scores['accuracy_occurrences']:.3f}, by characters "
          f"{scores['accuracy_chars']:.3f}")  # fmt: skip
    print_spread(judged)
    print_reliability(scores["by_cluster"], "per cluster")
    print_reliability(scores["by_occurrence"], "per found true occurrence")
    if args.fit:
        weights = fit_weights(judged)
        print("CONFIDENCE_WEIGHTS for dedup/origin.py:\n{")
        for name, weight in weights.items():
            print(f'    "{name}": {weight:.3f},')
        print("}")
    if args.png:
        draw_png({"per cluster": scores["by_cluster"], "per occurrence": scores["by_occurrence"]},
                 args.png)  # fmt: skip
    if args.json:
        figures = {key: value for key, value in scores.items() if key != "judged"}
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
