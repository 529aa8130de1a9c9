"""The fingerprint and candidate stages alone at scale: a full run, then a nightly batch.

Stores the corpus's article texts in a fresh SQLite database (with a cheap stand-in for
cleaning and templates: body paragraphs of 8 words or more that no more than 3 articles of
the same outlet repeat; on the 10k corpus this gives 37,905 LSH pairs where the pipeline's
cleaning gives 37,583), then runs the pipeline's own code for the two stages:

1. full run: every document pending; ``flows.pipeline.fingerprint_pending`` (tokenise, sketch
   and store in batches) and ``flows.stages.find_candidates`` (key-space slices read back from
   the store, then the shared-shingle check);
2. nightly: all but the last ``--nightly`` documents marked aligned, the candidate stage again
   for the batch (prefilter path); its pairs must be the full run's pairs that involve the
   batch.

    python benchmarks/candidate_stages.py --n 100000 --nightly 1000 --db /tmp/cand-100k.sqlite

Wall and CPU seconds (this process and its forked workers), resident memory after each step
and the high-water mark so far are printed per step; on a shared machine compare CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedup.records import CleanedDocument, Metadata  # noqa: E402
from flows.pipeline import STAGE_FUNCTIONS, fingerprint_pending  # noqa: E402
from flows.stages import find_candidates  # noqa: E402
from storage.store import Store  # noqa: E402

CORPUS = "/tmp/s100/corpus-100000-s7/articles.jsonl"


def resident() -> str:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"rss {pages * 4096 / 2**20:6.0f} MiB, peak {peak:6.0f} MiB"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Timer:
    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *_exc: object) -> None:
        wall, cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu
        print(f"  {self.label:<34} {wall:8.2f} s wall {cpu:8.2f} s cpu  {resident()}", flush=True)


def body_texts(path: str, count: int) -> dict[str, tuple[str, str]]:
    """uri -> (outlet, body text) of the first ``count`` articles (see the module docstring)."""
    articles = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            articles.append((article["id"], article.get("outlet", ""), article["text"]))
            if len(articles) >= count:
                break
    repeats = Counter(
        (outlet, paragraph) for _, outlet, text in articles for paragraph in set(text.split("\n\n"))
    )
    bodies = {}
    for uri, outlet, text in articles:
        kept = [
            paragraph
            for paragraph in text.split("\n\n")
            if len(paragraph.split()) >= 8
            and " | " not in paragraph
            and repeats[outlet, paragraph] <= 3
        ]
        bodies[uri] = (outlet, "\n\n".join(kept))
    return bodies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=CORPUS, help="articles.jsonl of benchmarks/corpus.py")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--nightly", type=int, default=1000, help="batch size (0: no nightly)")
    parser.add_argument("--db", default="/tmp/wiretrace-candidate-stages.sqlite")
    parser.add_argument("--pairs-out", help="write the full run's pairs here (TSV)")
    parser.add_argument(
        "--nightly-again",
        action="store_true",
        help="only the nightly step again, on --db as a finished run left it (its batch still "
        "pending), checked against the full run's pairs in --pairs-out",
    )
    args = parser.parse_args(argv)
    if args.nightly_again:
        store = Store(f"sqlite:///{args.db}")
        pairs = [
            (a, b)
            for a, b in (line.split("\t") for line in Path(args.pairs_out).read_text().splitlines())
        ]
        return nightly(store, set(store.pending_uris()), pairs)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    base = Path(f"{args.db}.base-{args.n}")  # the stored documents, before any stage ran
    if base.exists():
        for suffix in ("", "-wal"):
            if Path(f"{base}{suffix}").exists():
                shutil.copyfile(f"{base}{suffix}", f"{args.db}{suffix}")
        store = Store(f"sqlite:///{args.db}")
        print(f"{args.n} documents of {base}:")
    else:
        store = Store(f"sqlite:///{args.db}")
        print(f"{args.n} documents of {args.corpus}:")
        with Timer("read and strip texts"):
            bodies = body_texts(args.corpus, args.n)
        with Timer("store documents"):
            items = [
                (uri, uri, "text", CleanedDocument(text, [], Metadata(outlet=outlet)))
                for uri, (outlet, text) in bodies.items()
            ]
            for start in range(0, len(items), 5000):
                store.save_documents(items[start : start + 5000])
            del items, bodies
        store.engine.dispose()  # closes SQLite's connections: the WAL is checkpointed
        for suffix in ("", "-wal"):
            if Path(f"{args.db}{suffix}").exists():
                shutil.copyfile(f"{args.db}{suffix}", f"{base}{suffix}")
    pending = set(store.pending_uris())
    print(f"full run, {len(pending)} pending:")
    with Timer("fingerprint (tokens, sketches)"):
        texts, tokens = fingerprint_pending(store, STAGE_FUNCTIONS, pending)
    print(f"  {sum(len(t) for t in tokens.values()):,} tokens kept for the alignment")
    with Timer("candidates"):
        pairs = find_candidates(store, pending)
    print(f"  {len(pairs):,} candidate pairs")
    if args.pairs_out:
        Path(args.pairs_out).write_text("".join(f"{a}\t{b}\n" for a, b in pairs))
    del texts, tokens
    if not args.nightly:
        return 0
    uris = sorted(pending)
    store.save_alignments(uris[: -args.nightly], [])
    return nightly(store, set(uris[-args.nightly :]), pairs)


def nightly(store: Store, batch: set[str], full_pairs: list[tuple[str, str]]) -> int:
    """The candidate stage for the pending ``batch``; 0 if its pairs are the full run's pairs
    that involve the batch."""
    print(f"nightly, {len(batch)} pending against {store.document_count() - len(batch)} stored:")
    with Timer("candidates"):
        found = find_candidates(store, batch)
    expected = [pair for pair in full_pairs if pair[0] in batch or pair[1] in batch]
    same = "the full run's pairs of the batch" if found == expected else "DIFFERENT"
    print(f"  {len(found):,} candidate pairs ({same})")
    return 0 if found == expected else 1


if __name__ == "__main__":
    raise SystemExit(main())
