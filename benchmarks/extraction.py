"""Article extraction benchmark (AEB): wiretrace's cleaning vs trafilatura on the same pages.

Scores each extractor with the benchmark's metric: per page, precision and recall of ``\\w+``
token 4-gram shingles (counts normalised per page so long pages weigh no more), averaged over
pages; F1 of the two means. Also prints pages/s of each extractor over the same pages in the
same run (pages are decompressed before timing; each extractor gets the same bytes; the
extractors run interleaved page by page and are timed in CPU seconds of this process).
For reference it also scores all of the page's visible text, and wiretrace's plain-text
classifier alone on that text (the page as if saved as text).

    python benchmarks/extraction.py                  # all pages
    python benchmarks/extraction.py --half even      # pages 0, 2, 4, ... of the sorted ids
    python benchmarks/extraction.py --half odd --worst 5

``--half`` splits the pages by the parity of their rank in the sorted ids, to check that a
change helps on pages it was not looked at with.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb"
TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN_RE.findall(text or "")
    grams = (tuple(tokens[i : i + size]) for i in range(0, max(1, len(tokens) - size + 1)))
    return Counter(gram for gram in grams if gram)


def page_scores(truth: str, predicted: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page, as the benchmark computes them."""
    true_counts, pred_counts = shingles(truth), shingles(predicted)
    tp = fp = fn = 0.0
    for key in true_counts.keys() | pred_counts.keys():
        true_count, pred_count = true_counts.get(key, 0), pred_counts.get(key, 0)
        tp += min(true_count, pred_count)
        fp += max(0, pred_count - true_count)
        fn += max(0, true_count - pred_count)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def summary(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precisions = [precision_score(*s) for s in scores if s[0] + s[1] > 0]
    recalls = [recall_score(*s) for s in scores if s[0] + s[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_pages(data: Path, half: str, limit: int | None) -> list[tuple[str, bytes, str, str]]:
    """(id, html bytes, url, true article body) for the selected pages."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if half == "even":
        ids = ids[0::2]
    elif half == "odd":
        ids = ids[1::2]
    if limit:
        ids = ids[:limit]
    pages = []
    for page_id in ids:
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(
            (page_id, html, truth[page_id].get("url") or "", truth[page_id]["articleBody"])
        )
    return pages


def extractors() -> dict[str, Callable[[bytes, str], str]]:
    import trafilatura

    from dedup.clean import clean_html, clean_plain_text
    from dedup.html import parse_html, render

    def wiretrace(html: bytes, url: str) -> str:
        try:
            return clean_html(html, url=url).clean_text
        except ValueError:
            return ""

    def trafilatura_default(html: bytes, url: str) -> str:
        return trafilatura.extract(html, url=url) or ""

    def trafilatura_best(html: bytes, url: str) -> str:
        return (
            trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""
        )

    def page_text(html: bytes, url: str) -> str:
        return render(parse_html(html)).text

    def plain_on_page_text(html: bytes, url: str) -> str:
        # The plain-text classifier alone, on the page saved as text (as if scraped).
        return clean_plain_text(render(parse_html(html)).text).clean_text

    return {
        "wiretrace clean_html": wiretrace,
        "trafilatura default": trafilatura_default,
        "trafilatura precision": trafilatura_best,
        "all page text": page_text,
        "wiretrace plain on text": plain_on_page_text,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the AEB data")
    parser.add_argument("--half", choices=("all", "even", "odd"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--only", default=None, help="run only extractors whose name has this")
    parser.add_argument("--worst", type=int, default=0, help="list wiretrace's N worst pages")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"error: no AEB data at {args.data} (ground-truth.json missing)", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    pages = load_pages(args.data, args.half, args.limit)
    print(f"AEB pages: {len(pages)} ({args.half})")
    print(f"{'extractor':<24} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8} (CPU)")
    chosen = {
        name: extract
        for name, extract in extractors().items()
        if not args.only or args.only in name
    }
    # Interleaved, page by page, and timed in CPU seconds of this process: the machine is
    # shared, and wall-clock time of one extractor after another drifts with others' load.
    outputs: dict[str, list[str]] = {name: [] for name in chosen}
    cpu_seconds: dict[str, float] = dict.fromkeys(chosen, 0.0)
    for _, html, url, _ in pages:
        for name, extract in chosen.items():
            started = time.process_time()
            outputs[name].append(extract(html, url))
            cpu_seconds[name] += time.process_time() - started
    per_page: dict[str, list[tuple[float, float, float]]] = {}
    speeds: dict[str, float] = {}
    for name in chosen:
        scores = [page_scores(page[3], out) for page, out in zip(pages, outputs[name], strict=True)]
        per_page[name] = scores
        speeds[name] = len(pages) / cpu_seconds[name] if cpu_seconds[name] else float("inf")
        precision, recall, f1 = summary(scores)
        print(f"{name:<24} {precision:9.4f} {recall:7.4f} {f1:6.4f} {speeds[name]:8.1f}")
    ours = "wiretrace clean_html"
    if ours in speeds:
        for other in ("trafilatura default", "trafilatura precision"):
            if other in speeds:
                print(f"CPU time ratio wiretrace / {other}: {speeds[other] / speeds[ours]:.2f}x")
    if args.worst and ours in per_page:
        ranked = sorted(
            zip(pages, per_page[ours], strict=True),
            key=lambda item: min(precision_score(*item[1]), recall_score(*item[1])),
        )
        for page, score in ranked[: args.worst]:
            print(
                f"  {page[0][:12]} P={precision_score(*score):.3f} "
                f"R={recall_score(*score):.3f} {page[2]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
