"""Document identity: what a document is does not depend on how its path was spelled, a record
id belongs to its feed, and wiretrace's own reports are not articles (issue 18, item 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from flows.ingest import RawDocument, Skipped, read_inputs
from flows.pipeline import run_pipeline
from storage.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")


def _run(paths: list[str], db_url: str, notes: list[str] | None = None):
    return run_pipeline(paths, db_url, notify=(notes if notes is not None else []).append)


def _stored(db_url: str) -> dict[str, str]:
    with Store(db_url) as store:
        return {row.uri: row.text for row in store.documents()}


def _seed_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


@needs_seeds
def test_same_files_by_another_spelling_are_the_same_documents(
    tmp_path: Path, db_url: str, monkeypatch
) -> None:
    # Measured before: "in20" then its absolute path doubled documents (20 -> 40) and
    # clusters (4 -> 13).
    _seed_folder(tmp_path / "in20")
    (tmp_path / "link").symlink_to(tmp_path / "in20")
    monkeypatch.chdir(tmp_path)
    first = _run(["in20"], db_url)
    stored = _stored(db_url)
    assert first.documents_new == len(stored) == 5
    assert all(uri.startswith("in20/") for uri in stored)
    for spelling in (str(tmp_path / "in20"), "./in20/../in20", "link", str(tmp_path / "link")):
        again = _run([spelling], db_url)
        assert (again.documents_new, again.documents_total) == (0, 5), spelling
        assert again.clusters == first.clusters and again.skipped == []
    assert _stored(db_url) == stored  # same uris, same texts

    # The same file twice in one run is read once.
    messages: list[str] = []
    both = _run(
        ["in20", str(tmp_path / "in20" / sorted(stored)[0].split("/")[-1])], db_url, messages
    )
    assert both.documents_new == 0 and len(both.skipped) == 1
    assert "same document as an earlier input" in both.skipped[0].reason


def _feed(path: Path, texts: list[str]) -> Path:
    lines = [json.dumps({"id": number, "text": body}) for number, body in enumerate(texts, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


FIRST_FEED = [
    "The council voted on Monday to close the old bridge for repairs over the summer.",
    "Farmers in the valley said the late frost had ruined most of the apricot harvest.",
    "The museum will open a new wing dedicated to maritime history next spring.",
]
FIRST_URIS = {str(number): body for number, body in enumerate(FIRST_FEED, 1)}
SECOND_FEED = [
    "A storm knocked out power to thousands of homes along the coast overnight.",
    "The city library extended its opening hours to ten o'clock on weekdays.",
    "Researchers reported a new species of frog in the cloud forests of the north.",
]


def test_a_second_feed_numbered_like_the_first_adds_documents(tmp_path: Path, db_url: str) -> None:
    # Measured before: the second feed replaced the first feed's articles ("3 new, 3 stored").
    first = _feed(tmp_path / "monday.jsonl", FIRST_FEED)
    second = _feed(tmp_path / "tuesday.jsonl", SECOND_FEED)
    _run([str(first)], db_url)
    notes: list[str] = []
    summary = _run([str(second)], db_url, notes)
    assert (summary.documents_new, summary.documents_total) == (3, 6)
    stored = _stored(db_url)
    assert {uri: stored[uri] for uri in FIRST_URIS} == FIRST_URIS
    qualified = {f"{second}#{number}": body for number, body in enumerate(SECOND_FEED, 1)}
    assert {uri: stored[uri] for uri in qualified} == qualified
    # Said, not silent: each renamed record has a note naming the uri it could not take.
    assert sum("is another document's" in note for note in notes) == 3

    # Each feed read again (by another spelling too) changes nothing; a record edited in its
    # own feed replaces its own earlier version only.
    again = _run([str(first), str(tmp_path / "." / second.name)], db_url)
    assert (again.documents_new, again.documents_total) == (0, 6)
    edited = (
        SECOND_FEED[:1]
        + ["The city library will close on Sundays from next month."]
        + SECOND_FEED[2:]
    )
    _feed(second, edited)
    changed = _run([str(second)], db_url)
    assert (changed.documents_new, changed.documents_total) == (1, 6)
    assert _stored(db_url)[f"{second}#2"] == edited[1] and _stored(db_url)["2"] == FIRST_FEED[1]


def test_two_feeds_with_the_same_ids_in_one_run_are_both_read(tmp_path: Path) -> None:
    first = _feed(tmp_path / "a.jsonl", FIRST_FEED)
    second = _feed(tmp_path / "b.jsonl", SECOND_FEED)
    items = list(read_inputs([str(first), str(second)]))
    assert [item.uri for item in items if isinstance(item, RawDocument)] == [
        "1", "2", "3", f"{second}#1", f"{second}#2", f"{second}#3",
    ]  # fmt: skip
    assert not [item for item in items if isinstance(item, Skipped)]


@needs_seeds
def test_a_report_folder_among_the_inputs_is_not_ingested(tmp_path: Path, db_url: str) -> None:
    # Measured before: a report inside an input folder had its pages ingested as articles.
    from flows.ingest import REPORT_MARKER
    from reports import MARKER, write_report

    assert MARKER == REPORT_MARKER  # the marker the ingester looks for is the one written
    inbox = _seed_folder(tmp_path / "inbox")
    _run([str(inbox)], db_url)
    with Store(db_url) as store:
        written = write_report(store, inbox / "report")
    assert len([path for path in written if path.suffix == ".html"]) > 5
    # A page of it copied elsewhere is recognised by its generator tag.
    (inbox / "saved").mkdir()
    shutil.copy(inbox / "report" / "index.html", inbox / "saved" / "page.html")
    summary = _run([str(inbox)], db_url)
    assert (summary.documents_new, summary.documents_total) == (0, 5)
    reasons = {item.uri: item.reason for item in summary.skipped}
    assert set(reasons) == {str(inbox / "report"), str(inbox / "saved" / "page.html")}
    assert "report" in reasons[str(inbox / "report")]
    # The report folder given by name is refused the same way, in one line.
    direct = list(read_inputs([str(inbox / "report")]))
    assert len(direct) == 1 and isinstance(direct[0], Skipped) and "report" in direct[0].reason


def _forget_source_keys(db_url: str) -> None:
    """Make every stored document one stored before migration 0010 (no source key)."""
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE documents SET source_key = NULL"))
    engine.dispose()


def test_migration_keeps_documents_and_the_next_run_recognises_them(
    tmp_path: Path, db_url: str, monkeypatch
) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(FIRST_FEED[0], encoding="utf-8")
    feed = _feed(tmp_path / "monday.jsonl", FIRST_FEED)
    monkeypatch.chdir(tmp_path)
    _run(["inbox", str(feed)], db_url)
    stored = _stored(db_url)
    # Back to the schema before source keys, and up again: rows kept, keys unknown.
    engine = create_engine(db_url)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        columns = connection.execute(text("SELECT * FROM documents")).keys()
        assert "source_key" not in columns
    engine.dispose()
    assert _stored(db_url) == stored  # Store upgrades to head on first use
    with Store(db_url) as store:
        assert {key for key, _ in store.document_sources().values()} == {None}

    # The same inputs, spelled as before: recognised, nothing new, and their keys recorded.
    again = _run(["inbox", str(feed)], db_url)
    assert (again.documents_new, again.documents_total) == (0, 4)
    with Store(db_url) as store:
        assert None not in {key for key, _ in store.document_sources().values()}
    # From now on another spelling is the same file too.
    assert _run([str(folder)], db_url).documents_new == 0

    # A stored record whose key is unknown is not replaced by another feed's record that
    # has its id and other words: that one is stored beside it.
    _forget_source_keys(db_url)
    other = _feed(tmp_path / "tuesday.jsonl", SECOND_FEED)
    summary = _run([str(other)], db_url)
    assert (summary.documents_new, summary.documents_total) == (3, 7)
    assert {uri: _stored(db_url)[uri] for uri in FIRST_URIS} == FIRST_URIS
