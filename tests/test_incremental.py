"""Incremental runs: a nightly batch gives the lineage of a full rebuild, the archive is not
re-sketched, exact duplicates are recorded once, templates follow the outlet's counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import benchmark_scripts
import numpy as np
import pytest

from dedup.candidates import DEFAULT_PARAMS
from dedup.records import Alignment, BoilerplateSpan, CleanedDocument, Metadata
from flows import stages
from flows.pipeline import STAGE_FUNCTIONS, run_pipeline
from storage.compare import lineage_signature
from storage.store import Store

ROOT = Path(__file__).resolve().parents[1]


corpus_module = benchmark_scripts.load("corpus")
needs_archive = pytest.mark.skipif(
    not corpus_module.DEFAULT_ARCHIVE.is_file(), reason="PAN archive not found next to the repo"
)
BATCH = 40


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, dict]:
    """200 generated articles: all of them, the archive (all but the last BATCH), the batch."""
    folder = tmp_path_factory.mktemp("corpus")
    corpus_module.write_corpus(folder, 200, seed=11)
    lines = (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    archive, batch = folder / "archive.jsonl", folder / "batch.jsonl"
    archive.write_text("".join(lines[:-BATCH]), encoding="utf-8")
    batch.write_text("".join(lines[-BATCH:]), encoding="utf-8")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return folder / "articles.jsonl", archive, batch, truth


@pytest.fixture
def store(db_url: str):
    with Store(db_url) as opened:
        yield opened


def recording_wrap(calls: list[tuple[str, tuple, dict]]) -> Callable[..., Any]:
    names = {id(function): name for name, function in STAGE_FUNCTIONS.items()}

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append((names[id(function)], args, kwargs))
            return function(*args, **kwargs)

        return recorded

    return wrap


@needs_archive
def test_nightly_batch_gives_the_lineage_of_a_full_rebuild(
    generated, tmp_path: Path, db_url: str
) -> None:
    articles, archive, batch, truth = generated
    full = Store(f"sqlite:///{tmp_path / 'full.db'}")
    run_pipeline([str(articles)], full.url, notify=lambda _: None)
    nightly = Store(db_url)
    run_pipeline([str(archive)], nightly.url, notify=lambda _: None)
    boilerplate_before = {(row.uri, row.start_char, row.end_char) for row in nightly.boilerplate()}
    calls: list[tuple[str, tuple, dict]] = []
    run_pipeline([str(batch)], nightly.url, wrap=recording_wrap(calls), notify=lambda _: None)

    rebuilt = lineage_signature(full)
    assert rebuilt.occurrences, "the corpus has reuse to find"
    assert lineage_signature(nightly) == rebuilt
    assert nightly.boilerplate() == full.boilerplate()
    # Exact duplicates: recorded once each, the same in both, and the ones the truth made.
    expected = {
        (doc["uri"], doc["duplicate_of"]) for doc in truth["documents"] if doc.get("duplicate_of")
    }
    assert expected, "the generated corpus holds duplicates"
    assert set(full.duplicates()) == set(nightly.duplicates()) == expected
    assert len(full.duplicates()) == len(expected)

    # The archive was not re-sketched: only the batch, and stored documents whose boilerplate
    # the batch changed (their template lines crossed a threshold), were fingerprinted.
    batch_uris = {json.loads(line)["id"] for line in batch.read_text().splitlines()}
    changed = {
        uri
        for uri, *_ in {(r.uri, r.start_char, r.end_char) for r in nightly.boilerplate()}
        ^ boilerplate_before
    }
    sketched = {
        doc.uri
        for name, args, kwargs in calls
        if name == "fingerprint" and kwargs.get("sketch", True)
        for doc in args[0]
    }
    assert sketched
    assert sketched <= batch_uris | changed
    assert len(sketched - batch_uris) < 10


def test_duplicate_is_recorded_once_and_carries_the_originals_passages(store: Store) -> None:
    text = "Menu | Home\n" + " ".join(f"word{i}" for i in range(60)) + ".\n"
    spans = [BoilerplateSpan(0, 12, "navigation")]
    other = "Intro line of another story here.\n" + text[12:60] + "\n"
    for uri, body in (("a.txt", text), ("c.txt", other)):
        store.save_document(uri, f"hash-{uri}", "text", CleanedDocument(body, spans[:1] if
                            uri == "a.txt" else [], Metadata()))  # fmt: skip
    store.save_document("b.txt", "hash-b", "text", CleanedDocument(text, spans, Metadata()))
    # A second run over the same duplicate records nothing new.
    store.save_document("b.txt", "hash-b", "text", CleanedDocument(text, spans, Metadata()))
    assert store.duplicates() == [("b.txt", "a.txt")]
    assert store.pending_uris() == ["a.txt", "c.txt"]
    assert "b.txt" not in store.unsketched_uris(DEFAULT_PARAMS.signature)

    shared = Alignment("a.txt", 12, 60, "c.txt", 34, 82, 1.0)
    store.save_alignments(["a.txt", "c.txt"], [shared])
    rows = {(r.uri_a, r.a_start, r.a_end, r.uri_b, r.b_start, r.b_end) for r in store.alignments()}
    # The passage a shares with c, copied to b at the same offsets; the rest of the body
    # (after the shared passage) as b <-> a.
    assert ("b.txt", 12, 60, "c.txt", 34, 82) in rows or ("c.txt", 34, 82, "b.txt", 12, 60) in rows
    rest = {row for row in rows if {row[0], row[3]} == {"a.txt", "b.txt"}}
    assert rest and all(row[1] >= 60 and row[1:3] == row[4:6] for row in rest)

    # When the original changes, its duplicate is a document of its own again.
    edited = text.replace("word5 ", "word5b ")
    store.save_document("a.txt", "hash-a2", "text", CleanedDocument(edited, [], Metadata()))
    assert store.duplicates() == []
    assert "b.txt" in store.pending_uris()


def test_sketches_are_stored_and_params_change_means_resketch(store: Store) -> None:
    store.save_document("a.txt", "h", "text", CleanedDocument("one two three", [], Metadata()))
    signature = DEFAULT_PARAMS.signature
    assert store.unsketched_uris(signature) == ["a.txt"]
    keys = np.array([3, 1 << 63, 7], dtype=np.uint64)
    store.save_sketches(signature, [("a.txt", keys, np.array([5, 9], dtype=np.uint32))])
    assert store.unsketched_uris(signature) == []
    assert store.unsketched_uris("other-params") == ["a.txt"]
    [[(uri, loaded)]] = list(store.iter_band_keys(signature))
    assert uri == "a.txt" and np.array_equal(loaded, keys)
    assert np.array_equal(store.sketch_shingles(["a.txt"], signature)["a.txt"], [5, 9])
    # New boilerplate changes the body: the sketch goes.
    store.set_boilerplate("a.txt", [BoilerplateSpan(0, 3, "other")])
    assert store.unsketched_uris(signature) == ["a.txt"]


def _outlet_document(uri: str, lines: list[str]) -> CleanedDocument:
    return CleanedDocument("\n".join(lines) + "\n", [], Metadata(outlet="Example News"))


def test_template_spans_follow_the_outlet_counts_and_are_removed(store: Store) -> None:
    """A sentence in 3 of 4 documents of an outlet is template; once the outlet has 8
    documents it is in fewer than half of them, so it is body again (as a rebuild says)."""
    standing = "Example News is an independent newsroom based in Oslo, it said today."
    first = [
        (f"d{i}.txt", [f"Story number {i} begins with its own long opening sentence here.",
                       standing if i < 3 else "A different closing line for this story."])
        for i in range(4)
    ]  # fmt: skip
    for uri, lines in first:
        store.save_document(uri, f"h-{uri}", "text", _outlet_document(uri, lines))
    assert stages.apply_templates(store) == 3
    marked = {row.uri for row in store.boilerplate()}
    assert marked == {"d0.txt", "d1.txt", "d2.txt"}
    assert store.detection_inputs(["d0.txt"])[0].template_spans

    for i in range(4, 8):
        uri = f"d{i}.txt"
        lines = [f"Story number {i} begins with its own long opening sentence here."]
        store.save_document(uri, f"h-{uri}", "text", _outlet_document(uri, lines))
    assert stages.apply_templates(store) == 3
    assert store.boilerplate() == []
    assert {"d0.txt", "d1.txt", "d2.txt"} <= set(store.pending_uris())
    assert stages.apply_templates(store) == 0


# An AP story that one outlet runs under the agency's dateline and another copies uncredited.
_STORY = (
    "The foreign minister said on Monday that talks between the two delegations would resume "
    "next week in the capital after a pause of several months.\n\n"
    "Officials on both sides have agreed on an agenda for the first day of meetings, which will "
    "cover prisoner exchanges, grain shipments and the safety of the nuclear power plant.\n"
)


def _article(uri: str, outlet: str, day: int, lines: list[str]) -> str:
    record = {
        "id": uri,
        "outlet": outlet,
        "published_at": f"2026-03-0{day}T10:00:00",
        "text": "\n\n".join(lines) + "\n",
    }
    return json.dumps(record) + "\n"


def documents_signature(store: Store) -> set[tuple[str, float | None, str | None]]:
    return {(row.uri, row.original_share, row.wire_credits) for row in store.documents()}


def test_credit_of_a_dateline_that_became_template_goes_as_in_a_rebuild(
    tmp_path: Path, db_url: str
) -> None:
    """A document credits AP in a dateline line of its body; a later document of the same outlet
    carries the same line, which makes it template boilerplate in both. A rebuild then finds no
    AP credit in the first document; the nightly run must drop the one its first run found."""
    dateline = "KYIV (AP) —"
    archive = _article(
        "news.example/a", "Example News", 1, ["Talks to resume in Kyiv", dateline, _STORY]
    ) + _article(
        "daily.example/c", "Other Daily", 2,
        ["Talks resume next week", "A local view of the talks opens this report.", _STORY],
    )  # fmt: skip
    batch = _article(
        "news.example/b", "Example News", 3,
        ["Grain deal under review", dateline,
         "Ministers will review the grain deal at a separate meeting later this month."],
    )  # fmt: skip
    (tmp_path / "archive.jsonl").write_text(archive, encoding="utf-8")
    (tmp_path / "batch.jsonl").write_text(batch, encoding="utf-8")
    (tmp_path / "all.jsonl").write_text(archive + batch, encoding="utf-8")

    nightly = Store(db_url)
    run_pipeline([str(tmp_path / "archive.jsonl")], nightly.url, notify=lambda _: None)
    first_night = {row.uri: row.wire_credits for row in nightly.documents()}
    assert first_night["news.example/a"] == "Associated Press", "the dateline is body at first"
    run_pipeline([str(tmp_path / "batch.jsonl")], nightly.url, notify=lambda _: None)
    full = Store(f"sqlite:///{tmp_path / 'full.db'}")
    run_pipeline([str(tmp_path / "all.jsonl")], full.url, notify=lambda _: None)

    assert any(row.uri == "news.example/a" for row in full.boilerplate()), "dateline is template"
    assert {row.uri: row.wire_credits for row in full.documents()}["news.example/a"] is None
    assert lineage_signature(nightly) == lineage_signature(full)
    assert documents_signature(nightly) == documents_signature(full)
