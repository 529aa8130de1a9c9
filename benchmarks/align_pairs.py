"""Align stage alone: the candidate pairs of a ``scale.py`` run, aligned in one process.

Reads the stored documents of a ``scale.py`` database, tokenises their bodies as the pipeline's
``fingerprint`` stage does, and times ``flows.stages.align_pairs(workers=1)`` on the pairs that
run wrote (``pairs-N.tsv``), or every ``--step``-th of them: CPU seconds and milliseconds per
pair. ``--out FILE`` pickles the alignments, so that two trees can be compared byte for byte
(``cmp``); ``--workers 2`` times the forked pool instead (CPU of the parent and its workers).

Example (after ``python benchmarks/scale.py --n 10000 --work /tmp/s10``)::

    python benchmarks/align_pairs.py --work /tmp/s10 --n 10000 --out /tmp/after.pkl
"""

from __future__ import annotations

import argparse
import pickle
import resource
import time
from pathlib import Path

from dedup.records import content_ranges
from dedup.tokens import tokenize
from flows import stages
from storage.store import Store


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="scale.py's --work folder")
    parser.add_argument("--n", type=int, default=10000, help="corpus size of that run")
    parser.add_argument("--step", type=int, default=1, help="align every step-th pair")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, help="pickle the alignments here")
    args = parser.parse_args()
    store = Store(f"sqlite:///{args.work / f'full-{args.n}.sqlite'}")
    documents = store.detection_inputs()
    texts = {doc.uri: doc.text for doc in documents}
    tokens = {
        doc.uri: tokenize(doc.text, content_ranges(len(doc.text), doc.boilerplate))
        for doc in documents
    }
    lines = (args.work / f"pairs-{args.n}.tsv").read_text(encoding="utf-8").splitlines()
    pairs = [(a, b) for a, b in (line.split("\t") for line in lines)][:: args.step]
    wall, cpu, workers_cpu = time.perf_counter(), time.process_time(), children_cpu()
    alignments = stages.align_pairs(pairs, texts, tokens, workers=args.workers)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    workers_cpu = children_cpu() - workers_cpu
    total = cpu + workers_cpu
    print(
        f"{len(pairs)} pairs, {len(alignments)} alignments, {args.workers} process(es): "
        f"wall {wall:.2f} s, CPU {total:.2f} s (parent {cpu:.2f}, workers {workers_cpu:.2f}), "
        f"{1000 * total / max(1, len(pairs)):.3f} ms CPU per pair"
    )
    if args.out:
        args.out.write_bytes(pickle.dumps(alignments))


if __name__ == "__main__":
    main()
