"""Scale benchmark: the real pipeline on generated corpora of 10k and 100k articles.

For each ``--n`` it generates (or reuses) a corpus with ``benchmarks/corpus.py``, runs
``flows.pipeline.run_pipeline`` into a fresh SQLite database in a child process and prints:

- wall and CPU seconds and documents/s per stage (ingest, clean, templates, fingerprint,
  candidates, align, trace; ``store`` is the rest: saving documents, loading inputs, saving
  alignments), and the child's peak memory (``ru_maxrss``);
- quality against the corpus truth: character-level recall/precision of reused text, origin
  and parent accuracy per true occurrence, recall of truly related document pairs by the
  candidate stage;
- with ``--compare``: plain datasketch (MinHash of whole documents + MinHashLSH) and the
  ``text-dedup`` package's MinHash deduplication (its own CLI, run from a separate venv,
  ``--text-dedup-python``) on the same corpus, timed the same way;
- with ``--nightly K``: the last K articles as a nightly batch against the rest already
  stored (time of the batch run), and whether its lineage equals the full run's;
- with two sizes (or results saved by earlier runs in ``--work``): the cost ratio between them
  against ``n log n``.

Example: ``python benchmarks/scale.py --n 10000 --compare --nightly 1000``.
Each measurement runs in its own process, so peak memory is that of the measured step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dedup.coverage import merge_ranges, overlap_chars

HERE = Path(__file__).resolve().parent
STAGES = ("ingest", "clean", "templates", "fingerprint", "candidates", "align", "trace")
DEFAULT_TEXT_DEDUP_PYTHON = "/tmp/tdvenv/bin/python"

Span = tuple[int, int]


# ----------------------------------------------------------------------------------------
# Children: each prints one JSON object on its last line of stdout


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def children_peak_mib() -> float:
    """Peak resident memory of the largest finished child (the forked alignment workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU of this process and of its finished children: alignment runs in forked workers."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def child_pipeline(
    paths: list[str],
    db: str,
    pairs_out: str | None,
    profile: str | None,
    stage_log: str | None = None,
) -> dict:
    """Run the real pipeline with every stage timed (wall and CPU). With ``stage_log``, one line
    per finished stage call is appended there as it ends (a long run can be followed, and a
    killed one still says where its time went)."""
    from flows import pipeline

    names = {id(function): name for name, function in pipeline.STAGE_FUNCTIONS.items()}
    # Per stage: wall s, CPU s (with forked workers), calls, peak MiB of the process when the
    # stage last ended (the peak is a high-water mark: the first stage reaching it holds it).
    timings: dict[str, list[float]] = {
        name: [0.0, 0.0, 0, 0.0] for name in pipeline.STAGE_FUNCTIONS
    }

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        name = names.get(id(function), getattr(function, "__name__", "other"))
        timings.setdefault(name, [0.0, 0.0, 0, 0.0])

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), cpu_seconds()
            try:
                result = function(*args, **kwargs)
            finally:
                entry = timings[name]
                entry[0] += time.perf_counter() - wall
                entry[1] += cpu_seconds() - cpu
                entry[2] += 1
                entry[3] = peak_memory_mib()
                if stage_log and name != "clean":  # clean is called once per document
                    log_stage(stage_log, name, entry)
            if name == "candidates" and pairs_out:
                # Kept for the pair-recall figure; written outside the timed region.
                with open(pairs_out, "w", encoding="utf-8") as handle:
                    for key_a, key_b in result:
                        handle.write(f"{key_a}\t{key_b}\n")
            return result

        return timed

    messages: list[str] = []
    wall, cpu = time.perf_counter(), cpu_seconds()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    summary = pipeline.run_pipeline(paths, db, wrap=wrap, notify=messages.append)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    total_wall, total_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    stage_wall = sum(entry[0] for entry in timings.values())
    stage_cpu = sum(entry[1] for entry in timings.values())
    timings["store"] = [total_wall - stage_wall, total_cpu - stage_cpu, 0, 0.0]
    return {
        "stages": timings,
        "wall": total_wall,
        "cpu": total_cpu,
        "peak_mib": peak_memory_mib(),
        "workers_peak_mib": children_peak_mib(),
        "documents_read": summary.documents_read,
        "documents_new": summary.documents_new,
        "documents_total": summary.documents_total,
        "candidate_pairs": summary.candidate_pairs,
        "alignments_new": summary.alignments_new,
        "clusters": summary.clusters,
        "skipped": len(summary.skipped),
        "messages": messages[:5],
    }


def log_stage(path: str, name: str, entry: list[float]) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(
            f"{time.strftime('%H:%M:%S')} {name} done: wall {entry[0]:.1f} s, cpu {entry[1]:.1f} s, "
            f"peak {entry[3]:.0f} MiB\n"
        )


def read_jsonl_texts(path: Path) -> Iterable[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield record["id"], record["text"]


def child_datasketch(articles: str, pairs_out: str | None, num_perm: int, threshold: float) -> dict:
    """Plain datasketch: MinHash of each whole document's word 5-grams, then MinHashLSH."""
    from datasketch import MinHash, MinHashLSH

    documents = list(read_jsonl_texts(Path(articles)))
    wall, cpu = time.perf_counter(), time.process_time()
    template = MinHash(num_perm=num_perm, seed=1)  # permutations are computed once
    sketches = []
    for key, text in documents:
        words = re.findall(r"\w+", text.lower())
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
        sketch = MinHash(
            num_perm=num_perm, seed=1, permutations=template.permutations, scheme=template.scheme
        )
        sketch.update_batch(list(shingles))
        sketches.append((key, sketch))
    fingerprint = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs: set[tuple[str, str]] = set()
    for key, sketch in sketches:
        for other in lsh.query(sketch):
            pairs.add((min(key, other), max(key, other)))
        lsh.insert(key, sketch)
    candidates = (time.perf_counter() - wall, time.process_time() - cpu)
    if pairs_out:
        with open(pairs_out, "w", encoding="utf-8") as handle:
            for key_a, key_b in sorted(pairs):
                handle.write(f"{key_a}\t{key_b}\n")
    return {
        "fingerprint": fingerprint,
        "candidates": candidates,
        "pairs": len(pairs),
        "peak_mib": peak_memory_mib(),
        "params": {"num_perm": num_perm, "threshold": threshold, "shingle": "word 5-grams"},
    }


def run_child(arguments: list[str], extra_env: dict[str, str] | None = None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    environment = {
        **os.environ,
        **(extra_env or {}),
        "PYTHONPATH": f"{HERE.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    completed = subprocess.run(
        command, capture_output=True, text=True, env=environment, check=False
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        raise SystemExit(f"error: child {arguments[0]} failed:\n{tail}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------
# text-dedup, through its own CLI in its own environment


def run_text_dedup(python: str, articles: Path, work: Path, num_proc: int) -> dict | None:
    """``python -m text_dedup.minhash`` with its documented defaults; None if not installed."""
    if not Path(python).exists():
        return None
    output = work / "text-dedup-out"
    command = [
        python, "-m", "text_dedup.minhash", "--path", "json", "--data_files", str(articles),
        "--split", "train", "--cache_dir", str(work / "text-dedup-cache"), "--output",
        str(output), "--column", "text", "--num_proc", str(num_proc),
    ]  # fmt: skip
    wall = time.perf_counter()
    environment = {**os.environ, "COLUMNS": "200"}
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, env=environment
    )
    total = time.perf_counter() - wall
    log = completed.stdout + completed.stderr
    if completed.returncode != 0:
        return {"error": log.strip().splitlines()[-1] if log.strip() else "failed"}
    (work / "text-dedup.log").write_text(log, encoding="utf-8")
    # rich wraps long log lines: "MinHashing : timer.py:65 15.63s", "Before : minhash.py:308 2000"
    flat = " ".join(log.split())
    timer = {
        name: float(seconds)
        for name, seconds in re.findall(r"INFO (\w+) : (?:\S+\.py:\d+ )?([\d.]+)s\b", flat)
    }
    before = re.search(r"Before : (?:\S+\.py:\d+ )?(\d+)", flat)
    after = re.search(r"After : (?:\S+\.py:\d+ )?(\d+)", flat)
    return {
        "timer": timer,
        "process_wall": total,
        "before": int(before.group(1)) if before else None,
        "after": int(after.group(1)) if after else None,
        "num_proc": num_proc,
    }


# ----------------------------------------------------------------------------------------
# Quality against the truth


def evaluate(truth_path: Path, db: str, pairs_path: Path | None = None) -> dict:
    """Character recall/precision of reused text, origin/parent accuracy, candidate pair recall."""
    from storage.store import Store

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    store = Store(db)
    rows = store.lineage()
    store.close()
    detected: dict[str, list[tuple[int, int, Any]]] = defaultdict(list)
    uri_of_occurrence = {row.occurrence_id: row.uri for row in rows}
    for row in rows:
        detected[row.uri].append((row.start_char, row.end_char, row))
    for spans in detected.values():
        spans.sort(key=lambda item: (item[0], item[1]))
    true_spans: dict[str, list[Span]] = defaultdict(list)
    for passage in truth["passages"]:
        for occurrence in passage["occurrences"]:
            true_spans[occurrence["uri"]].append((occurrence["start_char"], occurrence["end_char"]))
    true_chars = detected_chars = shared_chars = 0
    for uri in set(true_spans) | set(detected):
        truth_merged = merge_ranges(true_spans.get(uri, []))
        found = merge_ranges([(start, end) for start, end, _ in detected.get(uri, [])])
        true_chars += sum(end - start for start, end in truth_merged)
        detected_chars += sum(end - start for start, end in found)
        shared_chars += overlap_chars(truth_merged, found)
    occurrences = found_occurrences = origin_right = 0
    parent_checked = parent_right = 0
    # by characters: of the detected characters overlapping true occurrences, those whose
    # occurrence's cluster has the true origin
    chars_overlapped = chars_right = 0
    judged: list[tuple[float, bool]] = []  # (confidence, origin right) per found occurrence
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # total, found, origin right
    # The same by the shape of the page holding the occurrence (pickup, digest, aggregator, ...)
    # and for passages that are captions, name an interviewer, or came with an agency update.
    shape_of = {doc["uri"]: doc.get("shape", "") for doc in truth["documents"]}
    by_shape: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for passage in truth["passages"]:
        origin = passage["origin"]
        features = [f"+{name}" for name in ("caption", "interview", "update") if passage.get(name)]
        for occurrence in passage["occurrences"]:
            occurrences += 1
            kind = passage["kind"]
            groups = [by_kind[kind]]
            if shape_of.get(occurrence["uri"]):
                groups += [by_shape[shape_of[occurrence["uri"]]], *(by_shape[f] for f in features)]
            for group in groups:
                group[0] += 1
            rows_here = detected.get(occurrence["uri"], [])
            overlapped, right = origin_chars(rows_here, occurrence, origin)
            chars_overlapped += overlapped
            chars_right += right
            row = best_row(rows_here, occurrence)
            if row is None:
                continue
            found_occurrences += 1
            for group in groups:
                group[1] += 1
            judged.append((row.confidence, origin_matches(origin, row)))
            if origin_matches(origin, row):
                origin_right += 1
                for group in groups:
                    group[2] += 1
            parent_checked += 1
            parent_uri = uri_of_occurrence.get(row.parent_occurrence_id)
            if parent_uri == occurrence["parent"]:
                parent_right += 1
    result = {
        "char_recall": shared_chars / true_chars if true_chars else 0.0,
        "char_precision": shared_chars / detected_chars if detected_chars else 0.0,
        "true_chars": true_chars,
        "detected_chars": detected_chars,
        "occurrence_recall": found_occurrences / occurrences if occurrences else 0.0,
        "origin_accuracy": origin_right / found_occurrences if found_occurrences else 0.0,
        "origin_accuracy_chars": chars_right / chars_overlapped if chars_overlapped else 0.0,
        "reliability": reliability_table(judged),
        "parent_accuracy": parent_right / parent_checked if parent_checked else 0.0,
        "by_kind": {kind: list(values) for kind, values in sorted(by_kind.items())},
        "by_shape": {shape: list(values) for shape, values in sorted(by_shape.items())},
        "mixed_rows": mixed_rows(truth, detected),
        "lineage_rows": len(rows),
    }
    if pairs_path is not None and pairs_path.exists():
        result["pair_recall"] = pair_recall(truth, pairs_path)
    result["unrelated_alignments"] = unrelated_alignments(truth, db)
    return result


def mixed_rows(truth: dict, detected: dict[str, list[tuple[int, int, Any]]]) -> dict:
    """Detected occurrences that cover (half or more of) true passages of two or more stories:
    a union of passages (an article quoting two stories, a digest, a newsletter), not a copy of
    one. ``best_row`` accepts such a row for each passage it covers, so recall and occurrence
    figures do not show it. Documents with an exact duplicate are left out: there the whole
    article is one copy."""
    duplicated = {doc["uri"] for doc in truth["documents"] if doc.get("duplicate_of")}
    duplicated |= {doc["duplicate_of"] for doc in truth["documents"] if doc.get("duplicate_of")}
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for passage in truth["passages"]:
        if "story" not in passage:
            continue
        for occurrence in passage["occurrences"]:
            if occurrence["uri"] not in duplicated:
                spans[occurrence["uri"]].append(
                    (occurrence["start_char"], occurrence["end_char"], passage["story"])
                )
    checked = mixed = 0
    for uri, found in detected.items():
        if uri in duplicated:
            continue
        true = spans.get(uri, [])
        for start, end, _ in found:
            checked += 1
            stories = {
                story
                for true_start, true_end, story in true
                if 2 * (min(end, true_end) - max(start, true_start)) >= true_end - true_start
            }
            mixed += len(stories) >= 2
    return {"rows": checked, "mixed": mixed}


def true_pair_codes(truth: dict) -> tuple[dict[str, int], set[int]]:
    """Document numbers, and ``first * n + second`` of every pair sharing a true passage."""
    index: dict[str, int] = {doc["uri"]: number for number, doc in enumerate(truth["documents"])}
    size = len(index)
    codes: set[int] = set()
    for passage in truth["passages"]:
        numbers = sorted({index[o["uri"]] for o in passage["occurrences"]})
        for position, first in enumerate(numbers):
            for second in numbers[position + 1 :]:
                codes.add(first * size + second)
    return index, codes


def unrelated_alignments(truth: dict, db: str) -> dict:
    """Stored alignments between documents that share no true passage (spurious evidence)."""
    from storage.store import Store

    index, codes = true_pair_codes(truth)
    store = Store(db)
    rows = store.alignments()
    store.close()
    unrelated = 0
    for row in rows:
        first, second = sorted((index.get(row.uri_a, -1), index.get(row.uri_b, -1)))
        unrelated += first < 0 or (first * len(index) + second) not in codes
    return {"alignments": len(rows), "unrelated": unrelated}


def best_row(rows: list[tuple[int, int, Any]], occurrence: dict) -> Any:
    """The detected occurrence covering most of a true one (at least half of it), or None."""
    start, end = occurrence["start_char"], occurrence["end_char"]
    starts = [row_start for row_start, _, _ in rows]
    best, best_overlap = None, 0
    # Rows are sorted by start; any row overlapping [start, end) starts before ``end``.
    for row_start, row_end, row in rows[: bisect_left(starts, end)]:
        shared = min(end, row_end) - max(start, row_start)
        if shared > best_overlap:
            best, best_overlap = row, shared
    return best if best_overlap * 2 >= end - start else None


def origin_matches(origin: dict, row: Any) -> bool:
    if origin["kind"] == "external":
        return row.origin_kind == "external" and row.origin_source == origin["source"]
    return row.origin_kind == "document" and row.origin_uri == origin["uri"]


def origin_chars(rows: list[tuple[int, int, Any]], occurrence: dict, origin: dict) -> Span:
    """(characters of detected occurrences overlapping the true ``occurrence``, those of them
    whose cluster has the true ``origin``): origin accuracy weighed by characters, each
    detected occurrence counting for what it covers of the passage."""
    start, end = occurrence["start_char"], occurrence["end_char"]
    starts = [row_start for row_start, _, _ in rows]
    overlapped = right = 0
    for row_start, row_end, row in rows[: bisect_left(starts, end)]:
        shared = min(end, row_end) - max(start, row_start)
        if shared > 0:
            overlapped += shared
            right += shared if origin_matches(origin, row) else 0
    return overlapped, right


# Confidence bins of the reliability tables: ten of equal width, as the expected calibration
# error is usually computed.
CONFIDENCE_BINS = 10


def reliability_table(judged: Iterable[tuple[float, float]], bins: int = CONFIDENCE_BINS) -> dict:
    """Reliability diagram of (confidence, right) pairs (right: a bool, or a share of 0-1):
    per bin of confidence its count, mean confidence and accuracy; the expected calibration
    error (the count-weighted mean of |mean confidence - accuracy| over bins) and the Brier
    score (mean squared difference of confidence and right: low only when the confidence is
    both calibrated and telling right from wrong)."""
    sums = [[0, 0.0, 0.0] for _ in range(bins)]  # count, confidence, right
    squared = 0.0
    for confidence, right in judged:
        cell = sums[min(bins - 1, max(0, int(confidence * bins)))]
        cell[0] += 1
        cell[1] += confidence
        cell[2] += float(right)
        squared += (confidence - float(right)) ** 2
    total = sum(cell[0] for cell in sums)
    rows = [
        {
            "low": index / bins,
            "high": (index + 1) / bins,
            "count": count,
            "confidence": confidence / count if count else None,
            "accuracy": right / count if count else None,
        }
        for index, (count, confidence, right) in enumerate(sums)
    ]
    ece = sum(abs(confidence - right) for count, confidence, right in sums if count) / max(1, total)
    accuracy = sum(cell[2] for cell in sums) / max(1, total)
    mean = sum(cell[1] for cell in sums) / max(1, total)
    brier = squared / max(1, total)
    return {
        "bins": rows, "ece": ece, "brier": brier, "n": total, "accuracy": accuracy,
        "confidence": mean,
    }  # fmt: skip


def print_reliability(table: dict, label: str, indent: str = "  ") -> None:
    """A reliability diagram as text: a row per non-empty bin, with a bar of its accuracy."""
    print(f"{indent}reliability ({label}): expected calibration error {table['ece']:.3f}, Brier "
          f"{table['brier']:.3f} over {table['n']}; mean confidence {table['confidence']:.3f}, "
          f"accuracy {table['accuracy']:.3f}")  # fmt: skip
    print(f"{indent}  {'confidence':<11}{'n':>7}{'mean conf':>11}{'accuracy':>10}  "
          "accuracy (#) against mean confidence (|)")  # fmt: skip
    for row in table["bins"]:
        if not row["count"]:
            continue
        bar = ["."] * 40
        bar[: round(row["accuracy"] * 40)] = "#" * round(row["accuracy"] * 40)
        bar[min(39, int(row["confidence"] * 40))] = "|"
        print(f"{indent}  {row['low']:.1f}-{row['high']:.1f}    {row['count']:>7}"
              f"{row['confidence']:>11.3f}{row['accuracy']:>10.3f}  {''.join(bar)}")  # fmt: skip


def pair_recall(truth: dict, pairs_path: Path) -> dict:
    """Share of document pairs that truly share a passage which the candidate stage proposed."""
    index, true_pairs = true_pair_codes(truth)
    size = len(index)
    proposed = 0
    hit = 0
    with pairs_path.open(encoding="utf-8") as handle:
        for line in handle:
            key_a, key_b = line.rstrip("\n").split("\t")
            if key_a not in index or key_b not in index:
                continue
            proposed += 1
            first, second = sorted((index[key_a], index[key_b]))
            hit += (first * size + second) in true_pairs
    return {
        "true_pairs": len(true_pairs),
        "proposed": proposed,
        "recall": hit / len(true_pairs) if true_pairs else 0.0,
        "precision": hit / proposed if proposed else 0.0,
    }


# ----------------------------------------------------------------------------------------
# Driver


def ensure_corpus(work: Path, count: int, seed: int, plain: bool = False) -> Path:
    # A --plain corpus keeps the folder name of the generator before its shapes of real news
    # (same bytes), so a corpus generated then is reused for --plain only.
    folder = work / (f"corpus-{count}-s{seed}" + ("" if plain else "-shapes"))
    if not (folder / "truth.json").exists():
        sys.path.insert(0, str(HERE))
        import corpus  # benchmarks/corpus.py

        summary = corpus.write_corpus(folder, count, seed=seed, plain=plain)
        print(
            f"corpus: {summary.documents} documents, {summary.passages} reused passages, "
            f"{summary.real_sentences} DUC / {summary.generated_sentences} Markov sentences, "
            f"made in {summary.seconds:.1f} s -> {folder}"
        )
    return folder


def fresh_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def print_pipeline(result: dict, documents: int) -> None:
    print(f"{'stage':<12}{'wall s':>9}{'cpu s':>9}{'docs/s':>10}{'peak MiB':>10}")
    for name in (*STAGES, "store"):
        wall, cpu, _, peak = (*result["stages"].get(name, [0.0, 0.0, 0]), 0.0)[:4]
        rate = documents / wall if wall > 0 else float("inf")
        shown = f"{peak:.0f}" if peak else "-"  # store is the rest of the run, no one peak
        print(f"{name:<12}{wall:>9.2f}{cpu:>9.2f}{rate:>10.0f}{shown:>10}")
    workers = result.get("workers_peak_mib") or 0.0
    print(
        f"{'total':<12}{result['wall']:>9.2f}{result['cpu']:>9.2f}"
        f"{documents / result['wall']:>10.0f}   peak memory {result['peak_mib']:.0f} MiB"
        + (f" (largest alignment worker {workers:.0f} MiB)" if workers else "")
    )
    print(
        f"documents {result['documents_total']} (new {result['documents_new']}, skipped "
        f"{result['skipped']}), candidate pairs {result['candidate_pairs']}, alignments "
        f"{result['alignments_new']}, clusters {result['clusters']}"
    )


def print_quality(quality: dict) -> None:
    print(
        f"reused characters: recall {quality['char_recall']:.3f}, precision "
        f"{quality['char_precision']:.3f} ({quality['true_chars']} true, "
        f"{quality['detected_chars']} detected)"
    )
    print(
        f"true occurrences found {quality['occurrence_recall']:.3f}; of those, origin right "
        f"{quality['origin_accuracy']:.3f}, parent right {quality['parent_accuracy']:.3f}"
    )
    if "origin_accuracy_chars" in quality:
        print(f"origin right by characters {quality['origin_accuracy_chars']:.3f} (detected "
              "characters overlapping true occurrences whose cluster has the true origin)")  # fmt: skip
    if "reliability" in quality:
        print_reliability(quality["reliability"], "found true occurrences", indent="")
    for kind, (total, found, right) in quality["by_kind"].items():
        print(f"  {kind:<10} occurrences {total:>7}  found {found / max(1, total):.3f}  "
              f"origin right {right / max(1, found):.3f}")  # fmt: skip
    if quality.get("by_shape"):
        print("by page shape (+: passages that are captions, name an interviewer, or came with "
              "an agency update):")  # fmt: skip
        for shape, (total, found, right) in quality["by_shape"].items():
            print(f"  {shape:<14} occurrences {total:>7}  found {found / max(1, total):.3f}  "
                  f"origin right {right / max(1, found):.3f}")  # fmt: skip
    if "mixed_rows" in quality:
        mixed = quality["mixed_rows"]
        print(f"detected occurrences covering passages of two or more stories: {mixed['mixed']} "
              f"of {mixed['rows']} ({mixed['mixed'] / max(1, mixed['rows']):.1%})")  # fmt: skip
    if "unrelated_alignments" in quality:
        found = quality["unrelated_alignments"]
        print(
            f"alignments between documents sharing no true passage: {found['unrelated']} of "
            f"{found['alignments']}"
        )
    if "pair_recall" in quality:
        pairs = quality["pair_recall"]
        print(
            f"candidate pairs: recall {pairs['recall']:.3f} of {pairs['true_pairs']} truly "
            f"related pairs, precision {pairs['precision']:.3f} of {pairs['proposed']} proposed"
        )


def pipeline_env(args: argparse.Namespace) -> dict[str, str]:
    """Environment of a pipeline child: alignment workers when asked for (flows.stages)."""
    return {"WIRETRACE_ALIGN_WORKERS": str(args.align_workers)} if args.align_workers else {}


def measure(args: argparse.Namespace, count: int) -> dict:
    work: Path = args.work
    folder = ensure_corpus(work, count, args.seed, args.plain)
    articles, truth = folder / "articles.jsonl", folder / "truth.json"
    results: dict[str, Any] = {
        "n": count,
        "profiled": args.profile,
        "align_workers": args.align_workers,
    }
    print(f"\n=== {count} documents ===")
    if not args.skip_pipeline:
        db = fresh_sqlite(work / f"full-{count}.sqlite")
        pairs = work / f"pairs-{count}.tsv"
        stage_log = work / f"stages-{count}.log"
        stage_log.unlink(missing_ok=True)
        child_args = ["_pipeline", "--db", db, "--pairs-out", str(pairs), str(articles)]
        child_args += ["--stage-log", str(stage_log)]
        if args.profile:
            child_args += ["--profile", str(work / f"profile-{count}.pstats")]
        run = run_child(child_args, pipeline_env(args))
        results["pipeline"] = run
        print_pipeline(run, count)
        quality = evaluate(truth, db, pairs)
        results["quality"] = quality
        print_quality(quality)
        if args.profile:
            print_profile(work / f"profile-{count}.pstats")
    if args.compare:
        results["compare"] = compare(args, articles, truth, count, results.get("pipeline"))
    if args.nightly:
        results["nightly"] = nightly(args, articles, count)
    (work / f"results-{count}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def compare(args: argparse.Namespace, articles: Path, truth: Path, count: int,
            run: dict | None) -> dict:  # fmt: skip
    work: Path = args.work
    pairs = work / f"pairs-datasketch-{count}.tsv"
    sketch = run_child(["_datasketch", "--pairs-out", str(pairs), str(articles)])
    truth_data = json.loads(truth.read_text(encoding="utf-8"))
    sketch["pair_recall"] = pair_recall(truth_data, pairs)
    dedup = run_text_dedup(args.text_dedup_python, articles, work, args.text_dedup_procs)
    print("fingerprint + candidates, same corpus (wall s, cpu s where known):")
    if run is not None:
        stages = run["stages"]
        wall = stages["fingerprint"][0] + stages["candidates"][0]
        cpu = stages["fingerprint"][1] + stages["candidates"][1]
        print(
            f"  wiretrace passage MinHash+LSH   {wall:8.2f} {cpu:8.2f}  {count / wall:8.0f} docs/s"
        )
    ds_wall = sketch["fingerprint"][0] + sketch["candidates"][0]
    ds_cpu = sketch["fingerprint"][1] + sketch["candidates"][1]
    recall = sketch["pair_recall"]
    print(f"  datasketch document MinHashLSH  {ds_wall:8.2f} {ds_cpu:8.2f}  {count / ds_wall:8.0f} "
          f"docs/s  pair recall {recall['recall']:.3f}, {sketch['pairs']} pairs "
          f"(num_perm {sketch['params']['num_perm']}, threshold {sketch['params']['threshold']})")  # fmt: skip
    if dedup is None:
        print(f"  text-dedup: not installed at {args.text_dedup_python} (see benchmarks/README.md)")
    elif "error" in dedup:
        print(f"  text-dedup: failed: {dedup['error']}")
    else:
        timer = dedup["timer"]
        td = timer.get("MinHashing", 0.0) + timer.get("Clustering", 0.0)
        print(f"  text-dedup minhash (MinHashing+Clustering) {td:8.2f}      -    {count / td:8.0f} "
              f"docs/s  (total {timer.get('Total', 0):.2f} s, process {dedup['process_wall']:.2f} s, "
              f"num_proc {dedup['num_proc']}; kept {dedup['after']} of {dedup['before']})")  # fmt: skip
    return {"datasketch": sketch, "text_dedup": dedup}


def stored_lineage(db: str) -> Any:
    """The id-free lineage of the database ``db`` (``storage.compare.lineage_signature``)."""
    from storage.compare import lineage_signature
    from storage.store import Store

    store = Store(db)
    try:
        return lineage_signature(store)
    finally:
        store.close()


def nightly(args: argparse.Namespace, articles: Path, count: int) -> dict:
    """The last K articles as tonight's batch against the rest, stored by an earlier run."""
    work: Path = args.work
    batch_size = args.nightly
    archive, batch = work / f"archive-{count}.jsonl", work / f"batch-{count}.jsonl"
    with articles.open(encoding="utf-8") as source:
        lines = source.readlines()
    archive.write_text("".join(lines[:-batch_size]), encoding="utf-8")
    batch.write_text("".join(lines[-batch_size:]), encoding="utf-8")
    del lines
    db = fresh_sqlite(work / f"nightly-{count}.sqlite")
    stored = run_child(["_pipeline", "--db", db, str(archive)], pipeline_env(args))
    tonight = run_child(["_pipeline", "--db", db, str(batch)], pipeline_env(args))
    print(f"nightly: {batch_size} new articles against {count - batch_size} stored "
          f"(stored by a {stored['wall']:.1f} s run):")  # fmt: skip
    print_pipeline(tonight, batch_size)
    result: dict[str, Any] = {"archive_run": stored, "batch_run": tonight}
    full_db = f"sqlite:///{work / f'full-{count}.sqlite'}"
    if (work / f"full-{count}.sqlite").exists() and not args.skip_pipeline:
        incremental, rebuilt = stored_lineage(db), stored_lineage(full_db)
        same = incremental == rebuilt
        only_incremental, only_rebuilt = incremental.differences(rebuilt)
        print(f"lineage equals the full rebuild: {same} ({only_incremental} occurrences only in "
              f"the incremental run, {only_rebuilt} only in the rebuild; clusters "
              f"{len(incremental.clusters)} vs {len(rebuilt.clusters)})")  # fmt: skip
        result.update(same=same, only_incremental=only_incremental, only_rebuilt=only_rebuilt)
    return result


def print_profile(path: Path, top: int = 25) -> None:
    import pstats

    print(f"profile ({path}), top {top} by cumulative time:")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(top)


def print_growth(work: Path) -> None:
    """Cost from the smallest to the largest measured size, against n log n."""
    results = []
    for path in sorted(work.glob("results-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "pipeline" in data and not data.get("profiled"):
            results.append(data)
    if len(results) < 2:
        return
    results.sort(key=lambda data: data["n"])
    small, large = results[0], results[-1]
    n_small, n_large = small["n"], large["n"]
    expected = (n_large * math.log(n_large)) / (n_small * math.log(n_small))
    print(f"\ngrowth {n_small} -> {n_large} documents (n log n predicts x{expected:.2f}, "
          f"linear x{n_large / n_small:.2f}):")  # fmt: skip
    if (small.get("align_workers") or 0) != (large.get("align_workers") or 0):
        print("  (the two runs used different --align-workers: compare align by wall time)")
    for name in (*STAGES, "store", "total"):
        if name == "total":
            before = (small["pipeline"]["wall"], small["pipeline"]["cpu"])
            after = (large["pipeline"]["wall"], large["pipeline"]["cpu"])
        else:
            before = tuple(small["pipeline"]["stages"].get(name, [0.0, 0.0])[:2])
            after = tuple(large["pipeline"]["stages"].get(name, [0.0, 0.0])[:2])
        ratio = after[0] / before[0] if before[0] > 0 else float("inf")
        cpu_ratio = after[1] / before[1] if before[1] > 0 else float("inf")
        verdict = "within n log n" if ratio <= expected * 1.1 else "grows faster than n log n"
        print(
            f"  {name:<12}{before[0]:>9.2f} s -> {after[0]:>9.2f} s wall  x{ratio:6.2f}"
            f"  (cpu x{cpu_ratio:6.2f})  {verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_pipeline", "_datasketch"):
        return child_main(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/wiretrace-scale"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compare", action="store_true", help="datasketch and text-dedup too")
    parser.add_argument("--nightly", type=int, default=0, metavar="K", help="nightly batch size")
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline run")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument(
        "--plain", action="store_true", help="corpus without the shapes of real news (corpus.py)"
    )
    parser.add_argument("--text-dedup-python", default=DEFAULT_TEXT_DEDUP_PYTHON)
    parser.add_argument("--text-dedup-procs", type=int, default=1)
    parser.add_argument(
        "--align-workers", type=int, default=0, help="WIRETRACE_ALIGN_WORKERS for the pipeline"
    )
    args = parser.parse_args(argv)
    sizes = args.n or [10000]
    if any(size < 2 for size in sizes) or (args.nightly and args.nightly >= min(sizes)):
        parser.error("--n must be at least 2 and larger than --nightly")
    args.work.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        measure(args, size)
    print_growth(args.work)
    return 0


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db")
    parser.add_argument("--pairs-out")
    parser.add_argument("--profile")
    parser.add_argument("--stage-log")
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args(argv)
    if args.mode == "_pipeline":
        result = child_pipeline(args.paths, args.db, args.pairs_out, args.profile, args.stage_log)
    else:
        result = child_datasketch(args.paths[0], args.pairs_out, args.num_perm, args.threshold)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
