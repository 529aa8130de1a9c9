"""The trace stage alone: ``flows.stages.trace_lineage`` on a copy of a full run's database.

Copies a SQLite database written by ``benchmarks/scale.py`` (``--work DIR``: ``full-N.sqlite``),
deletes its lineage (clusters, occurrences, origins, quotes, attributions) and marks every
document's facts due, as a fresh database is when the trace stage starts; runs the trace, prints
wall and CPU seconds (this process and its forked workers) and peak memory; then compares what
it stored with the original database: ``v_lineage`` (spans, origins, parents, confidence,
evidence), ``v_clusters``, ``v_quotes`` (with variants and groups), documents' ``original_share``
and ``wire_credits``, and attributions, all without ids.

    python benchmarks/trace.py /tmp/trace-s10/full-10000.sqlite
    WIRETRACE_ALIGN_WORKERS=1 python benchmarks/trace.py DB --profile /tmp/trace.pstats

The original must have been traced by the code whose results are expected (a database from
an older version differs where that version's results did).
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import shutil
import sqlite3
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from flows.stages import trace_lineage
from storage.store import Store

LINEAGE_TABLES = ("origin_history", "origins", "occurrences", "clusters", "quotes", "attributions")


def reset_lineage(path: Path) -> None:
    """Delete the lineage and mark every document's facts due (a fresh run's state)."""
    with sqlite3.connect(path) as connection:
        for table in LINEAGE_TABLES:
            connection.execute(f"DELETE FROM {table}")
        connection.execute(
            "UPDATE documents SET original_share = NULL, wire_credits = cleaning_wire_credits"
        )


def snapshot(path: Path) -> dict[str, Any]:
    """What the trace stored, without database ids."""
    store = Store(f"sqlite:///{path}")
    rows = store.lineage()
    span_of = {row.occurrence_id: (row.uri, row.start_char, row.end_char) for row in rows}
    lineage = sorted(
        (row.uri, row.start_char, row.end_char, row.is_origin, row.origin_kind, row.origin_uri,
         row.origin_source, row.confidence, row.evidence, span_of.get(row.parent_occurrence_id))
        for row in rows
    )  # fmt: skip
    clusters = sorted(
        (row.n_documents, row.n_outlets, str(row.first_published), row.origin_kind,
         row.origin_uri, row.origin_source, row.confidence, row.text)
        for row in store.clusters()
    )  # fmt: skip
    quotes = store.quotes()
    quote_span = {q.quote_id: (q.uri, q.start_char, q.end_char) for q in quotes}
    groups: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for q in quotes:
        if q.cluster_id is not None:
            groups[q.cluster_id].append(quote_span[q.quote_id])
    quote_rows = sorted(
        (q.uri, q.start_char, q.end_char, q.text, q.speaker, quote_span.get(q.variant_of),
         q.edit_kind, min(groups[q.cluster_id]) if q.cluster_id is not None else None)
        for q in quotes
    )  # fmt: skip
    documents = sorted((d.uri, d.original_share, d.wire_credits) for d in store.documents())
    store.close()
    with sqlite3.connect(path) as connection:
        attributions = sorted(
            connection.execute(
                "SELECT d.uri, a.source, a.phrase, a.cue, a.start_char, a.end_char, "
                "a.scope_start, a.scope_end FROM attributions AS a "
                "JOIN documents AS d ON d.id = a.document_id"
            ).fetchall()
        )
    return {
        "lineage": lineage,
        "clusters": clusters,
        "quotes": quote_rows,
        "documents": documents,
        "attributions": attributions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="a traced SQLite database (scale.py's)")
    parser.add_argument("--profile", type=Path, help="cProfile the trace into this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / "trace.sqlite"
        shutil.copy(args.database, work)
        reset_lineage(work)
        store = Store(f"sqlite:///{work}")
        cpu, wall = time.process_time(), time.perf_counter()
        if args.profile:
            cProfile.runctx("trace_lineage(store)", globals(), locals(), str(args.profile))
        else:
            trace_lineage(store)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        store.close()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers = children.ru_utime + children.ru_stime
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"trace: wall {wall:.2f} s, CPU {cpu + workers:.2f} s ({cpu:.2f} here + "
            f"{workers:.2f} in workers), peak {peak:.0f} MiB"
        )
        # read from a copy: opening a database migrates it to this version's schema
        original = Path(folder) / "original.sqlite"
        shutil.copy(args.database, original)
        expected, found = snapshot(original), snapshot(work)
    for name, rows in expected.items():
        verdict = "same" if found[name] == rows else "DIFFERENT"
        print(f"{name}: {verdict} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
