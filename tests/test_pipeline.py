"""The whole pipeline on the seeds, through the plain orchestration (no Prefect server).

These are the spine's acceptance checks: the wire quotes shared by the seed articles are found
as clusters with exact offsets, the views answer, and a second run changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from flows.pipeline import run_pipeline
from storage.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
VIEWS = ("v_documents", "v_boilerplate", "v_alignments", "v_lineage", "v_clusters", "v_quotes")

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")


def _seed(prefix: str) -> str:
    return str(next(SEEDS.glob(f"{prefix}_*.txt")))


def _span_of(text: str, first_words: str, last_words: str) -> tuple[int, int]:
    """Locate a quotation by its first and last words, tolerant of quote styles and US/U.S."""
    start = text.index(first_words)
    end = text.index(last_words, start) + len(last_words)
    return start, end


@pytest.fixture(scope="module")
def seeded(module_db_url: str):
    url = module_db_url
    messages: list[str] = []
    summary = run_pipeline([str(SEEDS)], url, notify=messages.append)
    return url, summary, messages


def _coverage(store: Store, uri: str, span: tuple[int, int]) -> dict[int, float]:
    """For each cluster with an occurrence in ``uri``, the fraction of ``span`` it covers."""
    covered: dict[int, float] = {}
    for row in store.lineage(uri):
        overlap = min(row.end_char, span[1]) - max(row.start_char, span[0])
        if overlap > 0:
            covered[row.cluster_id] = covered.get(row.cluster_id, 0) + overlap / (span[1] - span[0])
    return covered


SHARED_QUOTES = [
    # (documents, first words, last words) of passages the seeds share; "US"/"U.S." differs.
    (("000", "001"), "Russian military experts believe", "with impunity"),
    (("000", "001"), "If one of the gladiators", "missile deployment"),
    (("001", "002"), "We are working together", "security of our countries"),
    (("001", "002"), "The illusion of invulnerability", "preempt enemy actions"),
]


@pytest.mark.parametrize(("documents", "first_words", "last_words"), SHARED_QUOTES)
def test_shared_wire_quotes_are_one_cluster_each(seeded, documents, first_words, last_words):
    url, _, _ = seeded
    store = Store(url)
    clusters_per_document = []
    for prefix in documents:
        uri = _seed(prefix)
        document = store.document(uri)
        span = _span_of(document.text, first_words, last_words)
        coverage = _coverage(store, uri, span)
        best_cluster, best_share = max(
            coverage.items(), key=lambda item: item[1], default=(None, 0)
        )
        assert best_share >= 0.8, f"{prefix}: quote {first_words!r} covered {best_share:.0%}"
        clusters_per_document.append(best_cluster)
    assert clusters_per_document[0] == clusters_per_document[1]


def test_offsets_index_the_stored_text(seeded):
    url, _, _ = seeded
    store = Store(url)
    documents = {row.uri: row for row in store.documents()}
    for row in store.lineage():
        assert documents[row.uri].text[row.start_char : row.end_char] == row.text
    for row in store.boilerplate():
        assert documents[row.uri].text[row.start_char : row.end_char] == row.text
    for row in store.alignments():
        for uri, start, end in (
            (row.uri_a, row.a_start, row.a_end),
            (row.uri_b, row.b_start, row.b_end),
        ):
            assert 0 <= start < end <= len(documents[uri].text)


def test_file_text_is_stored_exactly(seeded):
    url, _, _ = seeded
    for row in Store(url).documents():
        assert Path(row.uri).read_text(encoding="utf-8") == row.text


def test_every_view_answers(seeded):
    url, _, _ = seeded
    engine = create_engine(url)
    with engine.connect() as connection:
        for view in VIEWS:
            result = connection.execute(text(f"select * from {view}"))
            assert result.keys(), view
            rows = result.fetchall()
            if view != "v_boilerplate":
                assert rows, f"{view} is empty on the seeds"
    engine.dispose()


def test_reused_characters_lie_in_shared_material(seeded):
    # At least 90% of the characters marked as reused must lie in material another copy of the
    # passage carries too: words inside a word 4-gram that another occurrence also has.
    url, _, _ = seeded
    store = Store(url)

    def words(passage: str) -> list[tuple[str, int]]:
        folded = passage.lower().replace("u.s.", "us ")
        return [(match.group(), len(match.group())) for match in re.finditer(r"\w+", folded)]

    def grams(tokens: list[tuple[str, int]]) -> set[tuple[str, ...]]:
        return {tuple(word for word, _ in tokens[i : i + 4]) for i in range(len(tokens) - 3)}

    by_cluster: dict[int, list[str]] = {}
    for row in store.lineage():
        by_cluster.setdefault(row.cluster_id, []).append(row.text)
    shared_chars = total_chars = 0
    for passages in by_cluster.values():
        assert len(passages) >= 2
        for index, passage in enumerate(passages):
            tokens = words(passage)
            others = set().union(*(grams(words(p)) for j, p in enumerate(passages) if j != index))
            in_shared = [False] * len(tokens)
            for i in range(len(tokens) - 3):
                if tuple(word for word, _ in tokens[i : i + 4]) in others:
                    in_shared[i : i + 4] = [True] * 4
            shared_chars += sum(
                size for (_, size), shared in zip(tokens, in_shared, strict=True) if shared
            )
            total_chars += sum(size for _, size in tokens)
    assert total_chars and shared_chars / total_chars >= 0.9, shared_chars / total_chars


def test_second_run_changes_nothing(seeded):
    url, first, _ = seeded
    engine = create_engine(url)

    def snapshot() -> dict[str, list[tuple]]:
        with engine.connect() as connection:
            return {
                view: sorted(
                    map(tuple, connection.execute(text(f"select * from {view}"))), key=repr
                )
                for view in VIEWS
            }

    before = snapshot()
    second = run_pipeline([str(SEEDS)], url, notify=lambda message: None)
    assert second.documents_new == 0 and second.alignments_new == 0
    assert snapshot() == before
    assert first.documents_new == 5
    engine.dispose()


def test_run_records_are_kept(seeded):
    url, summary, _ = seeded
    runs = Store(url).runs()
    assert any(run["status"] == "completed" for run in runs)
    assert summary.clusters >= 4


def test_a_killed_runs_record_is_marked_interrupted(tmp_path: Path) -> None:
    # A run killed mid-way leaves its record 'running'; the next run, holding the run lock,
    # knows no live run can own it and marks it 'interrupted'.
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    killed = Store(url).begin_run({"paths": ["x"]}, {})
    story = tmp_path / "story.txt"
    story.write_text("A short story of one sentence about the harbour.\n", encoding="utf-8")
    current = run_pipeline([str(story)], url, notify=lambda message: None)
    status = {run["run_id"]: run["status"] for run in Store(url).runs()}
    assert status == {killed: "interrupted", current.run_id: "completed"}
