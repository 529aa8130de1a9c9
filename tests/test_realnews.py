"""Real news holds the targets of issues 16 and 17 (benchmarks/realnews.py's silver measures).

Runs the pipeline on the dev set ``../shared/data/realnews/{census,spotify}.jsonl`` (real
articles, read where they lie, never copied into the project) and checks what the benchmark
prints, so that later changes (speed work, the storage split) cannot quietly undo them.
Skipped, saying why, when the dev set is not beside the project.
"""

from __future__ import annotations

import re
from pathlib import Path

import benchmark_scripts
import pytest

from storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT.parent / "shared" / "data" / "realnews"
FILES = ("census", "spotify")

# The target. (0.946 census, 0.934 spotify when captions were read for reuse and pages
# carrying a passage twice got an alignment per copy; 0.882 / 0.886 before.)
SILVER_RECALL_FLOOR = 0.90


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """Where the runs' databases are kept (``<name>.sqlite``)."""
    return tmp_path_factory.mktemp("realnews")


@pytest.fixture(scope="module")
def figures(run_folder) -> dict[str, dict]:
    if not all((DEV_SET / f"{name}.jsonl").exists() for name in FILES):
        pytest.skip(f"the real-news dev set is not at {DEV_SET}")
    benchmark = benchmark_scripts.load("realnews")
    return {name: benchmark.measure_file(DEV_SET / f"{name}.jsonl", run_folder) for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_passages_start_at_a_word_not_at_the_punctuation_a_cut_left(
    figures, run_folder, name
) -> None:
    store = Store(f"sqlite:///{run_folder / f'{name}.sqlite'}")
    try:
        starts = [row.text[:12] for row in store.lineage()]
    finally:
        store.close()
    assert starts
    assert [start for start in starts if not re.match(r"[\w“‘\"'(]", start)] == []


@pytest.mark.parametrize("name", FILES)
def test_clusters_are_copies_of_one_passage(figures, name) -> None:
    found = figures[name]
    assert found["pair_coherence"] >= 0.95
    largest = found["largest_cluster"]
    assert largest["share"] <= 0.40 or largest["coherence"] >= 0.95
    # no passage is a whole document glued to others: most occurrences are paragraphs
    assert found["whole_document_share"] <= 0.05


@pytest.mark.parametrize("name", FILES)
def test_what_is_shared_is_found(figures, name) -> None:
    found = figures[name]
    assert found["related_pairs_found"] >= 0.95
    assert found["silver_recall"] >= SILVER_RECALL_FLOOR


@pytest.mark.parametrize("name", FILES)
def test_evidence_is_readable(figures, name) -> None:
    assert figures[name]["evidence_longest"] <= 400


@pytest.mark.parametrize("name", FILES)
def test_origins_follow_story_credits_not_interviews(figures, name) -> None:
    found = figures[name]
    assert found["attribution"]["judged"] >= 50
    assert found["attribution"]["accuracy"] >= 0.95
    assert found["interview_origins"]["count"] == 0
