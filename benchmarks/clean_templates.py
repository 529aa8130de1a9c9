"""Time the pipeline's first stages on a corpus: ingest, clean (with the saves), templates.

Runs ``flows.pipeline.run_pipeline`` and stops it when fingerprinting would begin, so that the
clean and template stages can be measured at 100k documents without the later stages. Prints
one JSON line: per stage ``[wall s, CPU s]`` (CPU of this process and its finished children,
the cleaning workers), and the peak memory. Run it again with more inputs on the same
database for a nightly batch (already stored documents are not cleaned again):

    python benchmarks/clean_templates.py archive.jsonl --db sqlite:////tmp/n.sqlite
    python benchmarks/clean_templates.py archive.jsonl batch.jsonl --db sqlite:////tmp/n.sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import resource
import time
from collections.abc import Callable
from typing import Any

from flows.pipeline import run_pipeline


class _Stop(Exception):
    """Raised in place of fingerprinting: the measured stages are over."""


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db", required=True)
    parser.add_argument("--profile", help="write a cProfile of the run here")
    args = parser.parse_args()
    marks: dict[str, tuple[float, float]] = {}

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        name = function.__name__

        def timed(*call_args: Any, **kwargs: Any) -> Any:
            if name == "fingerprint":
                raise _Stop
            marks.setdefault(f"{name} start", (time.perf_counter(), cpu_seconds()))
            try:
                return function(*call_args, **kwargs)
            finally:
                marks[f"{name} end"] = (time.perf_counter(), cpu_seconds())

        return timed

    profiler = cProfile.Profile() if args.profile else None
    start = (time.perf_counter(), cpu_seconds())
    if profiler:
        profiler.enable()
    with contextlib.suppress(_Stop):  # the run is marked failed: it stopped half way
        run_pipeline(args.paths, args.db, wrap=wrap, notify=lambda _: None)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    ingested, templates, done = (
        marks["ingest end"],
        marks["apply_templates start"],
        marks["apply_templates end"],
    )
    spans = {
        "ingest": (start, ingested),
        "clean": (ingested, templates),
        "templates": (templates, done),
    }
    result: dict[str, Any] = {
        name: [round(end[0] - begin[0], 2), round(end[1] - begin[1], 2)]
        for name, (begin, end) in spans.items()
    }
    result["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
