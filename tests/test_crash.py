"""A run killed with SIGKILL at any point, then run again, ends with a clean run's lineage.

A real ``wiretrace run`` subprocess works on a corpus big enough to take a few seconds (the
seeds, news sources of the PAN 2013 corpus, and articles stitched from their paragraphs so
that passages are reused); it is killed as soon as the database shows it storing documents,
marking templates and aligning, or tracing the lineage (once also killing the re-run), and
then run again to completion. Every contract view must then hold exactly the rows of one clean run: no
duplicate, nothing missing, no half-written document.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tarfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
SEEDS = SHARED / "seeds"
PAN = SHARED / "data" / "pan13-train.tar.gz"
WIRETRACE = str(Path(sys.executable).with_name("wiretrace"))
TRACEBACK = "Traceback (most recent call last)"
# Where runs are killed: as soon as the run has reached this stage, as seen from the database
# (see run_stage). A sequence kills the run and then its re-run(s) too.
STAGES = ("starting", "storing documents", "templates and alignment", "tracing lineage", "done")
KILL_PLAN: tuple[tuple[int, ...], ...] = ((2,), (3,), (1, 2))
POLL_SECONDS = 0.02

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SEEDS.is_dir() and PAN.is_file()), reason="needs seeds and PAN data"),
]

Snapshot = dict[str, list[tuple]]


# -- corpus ----------------------------------------------------------------------------------------


def pan_sources(count: int) -> list[tuple[str, str]]:
    """The first ``count`` PAN source documents (DUC-2006 news) of 1-8 kB: (name, text)."""
    found: list[tuple[str, str]] = []
    with tarfile.open(PAN) as archive:
        for member in archive:
            if not (member.isfile() and "/src/" in member.name and member.name.endswith(".txt")):
                continue
            if not 1000 <= member.size <= 8000:
                continue
            stream = archive.extractfile(member)
            assert stream is not None
            found.append((Path(member.name).name, stream.read().decode("utf-8")))
            if len(found) == count:
                break
    return found


def build_corpus(folder: Path, n_sources: int = 24, n_stitched: int = 12) -> Path:
    """Seeds, PAN sources, and articles that reuse their paragraphs (fixed random seed)."""
    folder.mkdir(parents=True, exist_ok=True)
    originals = [
        (path.name, path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))
    ]
    originals += pan_sources(n_sources)
    for name, content in originals:
        (folder / name).write_text(content, encoding="utf-8")
    pools = [[p for p in content.split("\n\n") if len(p.split()) >= 12] for _, content in originals]
    pools = [pool for pool in pools if pool]
    chooser = random.Random(8)
    for number in range(n_stitched):
        picked: list[str] = []
        for pool in chooser.sample(pools, 3):
            picked.extend(chooser.sample(pool, min(2, len(pool))))
        chooser.shuffle(picked)
        body = "\n\n".join(picked)
        (folder / f"stitched_{number:02d}.txt").write_text(
            f"Stitched report {number}\n\n{body}\n", encoding="utf-8"
        )
    return folder


# -- lineage snapshot --------------------------------------------------------------------------------


def lineage_snapshot(url: str) -> Snapshot:
    """Every contract view as a sorted list of rows, with database ids replaced by what they
    name (a cluster by its occurrences, an occurrence or quote by its uri and span), so that two
    databases holding the same lineage compare equal whatever ids they handed out. Lists, not
    sets: a duplicated row shows."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:

            def rows(view: str) -> list[dict]:
                return [
                    dict(row._mapping) for row in connection.execute(text(f"select * from {view}"))
                ]

            documents, boilerplate = rows("v_documents"), rows("v_boilerplate")
            alignments, lineage = rows("v_alignments"), rows("v_lineage")
            clusters, quotes = rows("v_clusters"), rows("v_quotes")
    finally:
        engine.dispose()

    occurrence_key = {
        row["occurrence_id"]: (row["uri"], row["start_char"], row["end_char"]) for row in lineage
    }
    members: dict[int, list[tuple]] = defaultdict(list)
    for row in lineage:
        members[row["cluster_id"]].append(occurrence_key[row["occurrence_id"]])
    cluster_key = {cluster_id: tuple(sorted(spans)) for cluster_id, spans in members.items()}
    quote_key = {
        row["quote_id"]: (row["uri"], row["start_char"], row["end_char"]) for row in quotes
    }
    quote_members: dict[int, list[tuple]] = defaultdict(list)
    for row in quotes:
        if row["cluster_id"] is not None:
            quote_members[row["cluster_id"]].append(quote_key[row["quote_id"]])

    def stable(row: dict, drop: tuple[str, ...], **replace) -> tuple:
        values = []
        for name, value in row.items():
            if name in drop:
                continue
            if name in replace:
                value = replace[name](value)
            elif isinstance(value, float):
                value = round(value, 6)
            values.append((name, value))
        return tuple(values)

    def quote_group(cluster_id):
        return None if cluster_id is None else tuple(sorted(quote_members[cluster_id]))

    snapshot = {
        "v_documents": [stable(row, ("document_id",)) for row in documents],
        "v_boilerplate": [stable(row, ("document_id",)) for row in boilerplate],
        "v_alignments": [stable(_by_uri(row), ("alignment_id",)) for row in alignments],
        "v_lineage": [
            stable(
                row,
                ("occurrence_id", "document_id"),
                cluster_id=cluster_key.get,
                parent_occurrence_id=lambda parent: occurrence_key.get(parent, parent),
            )
            for row in lineage
        ],
        "v_clusters": [
            stable(row, (), cluster_id=lambda cid: cluster_key.get(cid, ("empty", cid)))
            for row in clusters
        ],
        "v_quotes": [
            stable(
                row,
                ("quote_id", "document_id"),
                cluster_id=quote_group,
                variant_of=lambda v: quote_key.get(v, v),
            )
            for row in quotes
        ],
    }
    return {view: sorted(view_rows, key=repr) for view, view_rows in snapshot.items()}


def _by_uri(alignment: dict) -> dict:
    """An alignment row with its sides in uri order: the view orders them by document id,
    which depends on the order documents arrived in, not on what they say."""
    side_a = (alignment["uri_a"], alignment["a_start"], alignment["a_end"])
    side_b = (alignment["uri_b"], alignment["b_start"], alignment["b_end"])
    first, second = sorted([side_a, side_b])
    names = ("uri_a", "a_start", "a_end", "uri_b", "b_start", "b_end")
    return {**alignment, **dict(zip(names, (*first, *second), strict=True))}


def describe_difference(expected: Snapshot, found: Snapshot) -> str:
    """Per view: how many rows are missing and extra, and one example of each."""
    lines = []
    for view in expected:
        missing = _minus(expected[view], found[view])
        extra = _minus(found[view], expected[view])
        if missing or extra:
            lines.append(f"{view}: {len(missing)} missing, {len(extra)} extra")
            for label, sample in (("missing", missing), ("extra", extra)):
                if sample:
                    lines.append(f"  {label}: {str(sample[0])[:300]}")
    return "\n".join(lines)


def _minus(first: list[tuple], second: list[tuple]) -> list[tuple]:
    remaining = list(second)
    out = []
    for row in first:
        if row in remaining:
            remaining.remove(row)
        else:
            out.append(row)
    return out


def store_counts(url: str) -> dict[str, int] | None:
    """Rows per table and pending documents; None before the schema exists."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                table: connection.execute(text(f"select count(*) from {table}")).scalar()
                for table in ("documents", "alignments", "occurrences")
            }
            counts["pending"] = connection.execute(
                text("select count(*) from documents where pending")
            ).scalar()
            return counts
    except Exception:  # no schema yet, or the migration holds the lock
        return None
    finally:
        engine.dispose()


def run_stage(counts: dict[str, int] | None, n_documents: int) -> int:
    """How far a run on ``n_documents`` inputs has got, as an index into STAGES."""
    if not counts or counts["documents"] == 0:
        return 0
    if counts["documents"] < n_documents:
        return 1
    if counts["pending"] > 0 or counts["alignments"] == 0:
        return 2
    return 3 if counts["occurrences"] == 0 else 4


def kill_at_stage(process: subprocess.Popen, url: str, stage: int, n_documents: int) -> str:
    """SIGKILL ``process`` as soon as the database shows ``stage`` (or later); what it left."""
    while process.poll() is None:
        if run_stage(store_counts(url), n_documents) >= stage:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(POLL_SECONDS)
    process.communicate(timeout=30)
    counts = store_counts(url)
    how = "killed" if process.returncode == -signal.SIGKILL else f"exited {process.returncode}"
    return f"{how} at {STAGES[run_stage(counts, n_documents)]!r} {counts}"


def assert_consistent(url: str) -> None:
    """No half-written document: clean text is text minus boilerplate, nothing left pending."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            documents = {
                row.uri: row for row in connection.execute(text("select * from v_documents"))
            }
            spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for row in connection.execute(
                text("select uri, start_char, end_char from v_boilerplate")
            ):
                spans[row.uri].append((row.start_char, row.end_char))
            pending = connection.execute(
                text("select count(*) from documents where pending")
            ).scalar()
    finally:
        engine.dispose()
    assert pending == 0
    for uri, document in documents.items():
        kept, position = [], 0
        for start, end in sorted(spans[uri]):
            kept.append(document.text[position:start])
            position = max(position, end)
        kept.append(document.text[position:])
        assert document.clean_text == "".join(kept), uri


# -- the test ----------------------------------------------------------------------------------------


def start_run(paths: list[Path] | list[str], url: str) -> subprocess.Popen:
    """``wiretrace run PATH... --db URL`` in the background."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("WIRETRACE_DB", None)
    return subprocess.Popen(
        [WIRETRACE, "run", *map(str, paths), "--db", url, "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    assert TRACEBACK not in stderr
    return stdout, stderr


def database_factory(folder: Path, postgres_database: str | None) -> Iterator:
    """Yields a factory of empty databases: SQLite files in ``folder``, or fresh schemas of the
    session's PostgreSQL database when WIRETRACE_TEST_DB points at a server (conftest.py)."""
    # pytest puts tests/ on sys.path (rootdir-less conftest), so the module is "conftest".
    from conftest import _fresh_postgres_schema

    made: list[Iterator[str]] = []

    def make(name: str) -> str:
        if postgres_database is None:
            return f"sqlite:///{folder / f'{name}.db'}"
        generator = _fresh_postgres_schema(postgres_database)
        made.append(generator)
        return next(generator)

    yield make
    for generator in made:
        generator.close()


@pytest.fixture
def fresh_db(tmp_path: Path, _postgres_test_database: str | None) -> Iterator:
    yield from database_factory(tmp_path, _postgres_test_database)


def test_killed_runs_recover_to_the_clean_lineage(tmp_path: Path, fresh_db) -> None:
    corpus = build_corpus(tmp_path / "corpus")
    n_documents = len(list(corpus.iterdir()))
    clean_url = fresh_db("clean")
    finish(start_run([corpus], clean_url))
    expected = lineage_snapshot(clean_url)
    assert expected["v_lineage"], "the corpus must produce reused passages"

    report = []
    for number, stages in enumerate(KILL_PLAN):
        url = fresh_db(f"killed_{number}")
        for stage in stages:
            left = kill_at_stage(start_run([corpus], url), url, stage, n_documents)
            report.append(f"aimed at {STAGES[stage]!r}: {left}")
        finish(start_run([corpus], url))
        found = lineage_snapshot(url)
        assert found == expected, f"{report[-1]}, then re-run:\n" + describe_difference(
            expected, found
        )
        assert_consistent(url)
    print("\n".join(report))
    # The kills must have hit runs in progress at different stages, or the test proved little.
    hit = {line.split("at ", 2)[2].split("'")[1] for line in report if ": killed" in line}
    assert len(hit) >= 2, report
