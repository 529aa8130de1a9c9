"""Stored sketches at archive scale: write, load and query the band keys of N documents.

Measures what a nightly run pays for comparing its batch with the archive through the stored
sketches (``document_sketches``) instead of re-tokenising the archive: the size of the stored
keys, the time to read them all back (``Store.iter_band_keys``), and the LSH pairs of a batch
against them (``dedup.candidates.pairs_with_new``), with the shingles of the partners read for
the shared-shingle check. Key arrays are synthesised with the sizes measured on the generated
corpus (1,065 distinct band keys and 306 shingles per article on average, 10k corpus); each
batch document shares keys with a few archive documents, as a reused passage would.

    python benchmarks/sketches.py --n 100000 --batch 1000 --db /tmp/sketches.sqlite

Wall and CPU seconds are printed per step; on a shared machine compare CPU seconds.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedup.candidates import (  # noqa: E402
    DEFAULT_PARAMS,
    MIN_SHARED_SHINGLES,
    pairs_with_new,
    shared_shingle_pairs,
)
from dedup.records import CleanedDocument, Metadata  # noqa: E402
from storage.store import Store  # noqa: E402

KEYS_PER_DOCUMENT = 1065
SHINGLES_PER_DOCUMENT = 306
PARTNERS = 8  # archive documents each batch document shares a passage with


class Timer:
    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        print(f"  {self.label:<44} {wall:8.2f} s wall {cpu:8.2f} s cpu")


def synthetic(rng: np.random.Generator, count: int, size: int, dtype: type) -> list[np.ndarray]:
    sizes = rng.poisson(size, count).clip(1)
    high = np.iinfo(dtype).max
    return [np.unique(rng.integers(0, high, n, dtype=dtype, endpoint=True)) for n in sizes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="archive documents")
    parser.add_argument("--batch", type=int, default=1000, help="nightly batch documents")
    parser.add_argument("--db", default="/tmp/wiretrace-sketches.sqlite")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    store = Store(f"sqlite:///{args.db}")
    rng = np.random.default_rng(args.seed)
    signature = DEFAULT_PARAMS.signature
    uris = [f"archive/{number:07d}" for number in range(args.n)]
    print(f"{args.n} archive documents, batch of {args.batch}:")
    with Timer("store documents and synthetic sketches"):
        for start in range(0, args.n, 5000):
            chunk = uris[start : start + 5000]
            store.save_documents(
                (uri, uri, "text", CleanedDocument(uri, [], Metadata())) for uri in chunk
            )
            keys = synthetic(rng, len(chunk), KEYS_PER_DOCUMENT, np.uint64)
            shingles = synthetic(rng, len(chunk), SHINGLES_PER_DOCUMENT, np.uint32)
            store.save_sketches(signature, zip(chunk, keys, shingles, strict=True))
    size = Path(args.db).stat().st_size + Path(f"{args.db}-wal").stat().st_size
    print(f"  database size {size / 2**20:.0f} MiB")

    # The batch: fresh keys, plus a reused passage's worth of keys of PARTNERS archive
    # documents each (read back from the store, as a real batch would share real keys).
    partners = rng.choice(args.n, (args.batch, PARTNERS))
    wanted = {uris[number] for number in partners.ravel()}
    archive_keys = {
        uri: keys for chunk in store.iter_band_keys(signature) for uri, keys in chunk
        if uri in wanted
    }  # fmt: skip
    archive_shingles = store.sketch_shingles(wanted, signature)
    batch_keys: dict[str, np.ndarray] = {}
    batch_shingles: dict[str, np.ndarray] = {}
    fresh_keys = synthetic(rng, args.batch, KEYS_PER_DOCUMENT, np.uint64)
    fresh_shingles = synthetic(rng, args.batch, SHINGLES_PER_DOCUMENT, np.uint32)
    for number in range(args.batch):
        uri = f"batch/{number:05d}"
        chosen = [uris[p] for p in partners[number]]
        batch_keys[uri] = np.unique(
            np.concatenate([fresh_keys[number], *(archive_keys[u][:40] for u in chosen)])
        )
        batch_shingles[uri] = np.unique(
            np.concatenate([fresh_shingles[number], *(archive_shingles[u][:12] for u in chosen)])
        )

    with Timer("read every stored band key (iter_band_keys)"):
        total = sum(len(keys) for chunk in store.iter_band_keys(signature) for _, keys in chunk)
    print(f"  {total:,} stored keys ({total * 8 / 2**20:.0f} MiB)")
    with Timer("LSH pairs of the batch against the archive"):
        pairs = pairs_with_new(batch_keys, store.iter_band_keys(signature))
    with Timer("partners' shingles + shared-shingle check"):
        shingles = dict(batch_shingles)
        partner_uris = {uri for pair in pairs for uri in pair if uri not in shingles}
        shingles.update(store.sketch_shingles(partner_uris, signature))
        kept = shared_shingle_pairs(pairs, shingles, MIN_SHARED_SHINGLES)
    print(f"  {len(pairs)} LSH pairs, {len(kept)} kept (expected {args.batch * PARTNERS} or "
          f"fewer where partners repeat)")  # fmt: skip
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
