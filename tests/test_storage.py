"""Storage: migrations, the contract's views, and the Store's write/read semantics.

Runs on SQLite by default and on PostgreSQL with
``WIRETRACE_TEST_DB=postgresql+psycopg://postgres@127.0.0.1:5432/test`` (fresh database per test,
see conftest.py). Texts are the real seed articles; offsets are found in them, not hard-coded.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from dedup.records import (
    Alignment,
    Attribution,
    BoilerplateSpan,
    CleanedDocument,
    Cluster,
    Metadata,
    Occurrence,
    Origin,
    Quote,
    QuoteGroup,
)
from storage.models import Base
from storage.store import StorageError, Store, mask_url

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# The contract's views and columns, in order (../shared/CONTRACT.md). Pinned here on purpose.
CONTRACT_VIEWS = {
    "v_documents": [
        "document_id", "uri", "title", "outlet", "author", "published_at", "text",
        "clean_text", "original_share", "wire_credits",
    ],
    "v_boilerplate": ["document_id", "uri", "start_char", "end_char", "kind", "text"],
    "v_alignments": [
        "alignment_id", "uri_a", "a_start", "a_end", "uri_b", "b_start", "b_end", "similarity",
    ],
    "v_lineage": [
        "occurrence_id", "cluster_id", "document_id", "uri", "start_char", "end_char", "text",
        "is_origin", "parent_occurrence_id", "origin_kind", "origin_uri", "origin_source",
        "confidence", "evidence",
    ],
    "v_clusters": [
        "cluster_id", "n_documents", "n_outlets", "first_published", "origin_kind", "origin_uri",
        "origin_source", "confidence", "text",
    ],
    "v_quotes": [
        "quote_id", "document_id", "uri", "start_char", "end_char", "text", "speaker",
        "cluster_id", "variant_of", "edit_kind",
    ],
    "v_credits": [
        "credit_id", "document_id", "uri", "start_char", "end_char", "phrase", "source", "kind",
        "cue", "scope_start", "scope_end",
    ],
}  # fmt: skip

# Passages shared by seed articles: the spine issue's AP quote (000, 001) and Bloomberg quote
# (001, 002), and a phrase all three use.
AP_PASSAGE = "Russian military experts believe"
BLOOMBERG_PASSAGE = "We are working together"
SHARED_PHRASE = "missile defense"


def seed(prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return f"seeds/{path.name}", path.read_text(encoding="utf-8")


def span_of(text_: str, opening: str, length: int = 120) -> tuple[int, int]:
    """From the first occurrence of ``opening`` to the end of its line (at most ``length``)."""
    start = text_.index(opening)
    line_end = text_.find("\n", start)
    end = min(start + length, len(text_) if line_end < 0 else line_end)
    return start, end


def cleaned(text_: str, outlet: str | None, published: datetime | None) -> CleanedDocument:
    first_line_end = text_.index("\n")
    return CleanedDocument(
        text_,
        [BoilerplateSpan(0, first_line_end, "navigation")],
        Metadata(title=text_[:first_line_end][:60], outlet=outlet, published_at=published),
    )


@pytest.fixture
def store(db_url: str):
    with Store(db_url) as opened:
        yield opened


@pytest.fixture
def corpus(store: Store) -> dict[str, str]:
    """Three seed articles saved; returns uri -> text."""
    texts = {}
    day = datetime(2016, 10, 11, 9, 0)
    for offset, (prefix, outlet) in enumerate([("000", "DW"), ("001", None), ("002", None)]):
        uri, body = seed(prefix)
        store.save_document(
            uri, f"hash-{prefix}", "txt", cleaned(body, outlet, day + timedelta(hours=offset))
        )
        texts[uri] = body
    return texts


def passage_cluster(corpus: dict[str, str], uris: list[str], opening: str) -> Cluster:
    return Cluster([Occurrence(uri, *span_of(corpus[uri], opening)) for uri in uris])


def ap_cluster(corpus: dict[str, str], uris: list[str]) -> Cluster:
    return passage_cluster(corpus, uris, AP_PASSAGE)


def document_origin(index: int, uri: str, parents: dict[int, int] | None = None) -> Origin:
    return Origin(
        "document", 0.8, "earliest publication", doc_key=uri, origin_index=index,
        parents=parents or {},
    )  # fmt: skip


def table_snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key."""
    with store.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def write_lineage(store: Store, corpus: dict[str, str], run_id: int | None = None) -> None:
    uris = sorted(corpus)
    quote_texts = [(uri, *span_of(corpus[uri], AP_PASSAGE, length=60)) for uri in uris[:2]]
    quotes = [
        Quote(uri, start, end, corpus[uri][start:end], "an expert")
        for uri, start, end in quote_texts
    ]
    store.replace_lineage(
        clusters=[ap_cluster(corpus, uris[:2])],
        origins=[document_origin(0, uris[0])],
        quotes=quotes,
        quote_groups=[QuoteGroup(quotes, [None, 0], ["identical", "style"])],
        original_share={uris[0]: 0.9, uris[1]: 0.75},
        wire_credits={uris[1]: ["Associated Press"]},
        attributions={
            uris[1]: [
                Attribution("Associated Press", "AP", "byline", 0, 2, 0, len(corpus[uris[1]]))
            ]
        },
        run_id=run_id,
    )


# -- schema -----------------------------------------------------------------------------------


def test_every_view_answers_select_star_with_the_contract_columns(store, corpus) -> None:
    run_id = store.begin_run({}, {})
    write_lineage(store, corpus, run_id)
    uris = sorted(corpus)
    store.save_alignments(uris, [Alignment(uris[0], 0, 5, uris[1], 0, 5, 1.0)])
    with store.engine.connect() as connection:
        for view, columns in CONTRACT_VIEWS.items():
            result = connection.execute(text(f"SELECT * FROM {view}"))
            assert list(result.keys()) == columns, view
            assert result.fetchall(), f"{view} is empty"


def test_credits_are_read_back_with_their_kind(store, corpus) -> None:
    write_lineage(store, corpus, store.begin_run({}, {}))
    uris = sorted(corpus)
    [credit] = store.credits(uris[1])
    assert (credit.uri, credit.source, credit.cue, credit.kind) == (
        uris[1],
        "Associated Press",
        "byline",
        "story",
    )
    assert (credit.phrase, credit.start_char, credit.end_char) == ("AP", 0, 2)
    assert store.credits(uris[0]) == [] and len(store.credits()) == 1


def test_migrations_of_this_version_go_down_and_up_again_keeping_the_lineage(store, corpus) -> None:
    """Down to 0007 (before alignment runs, occurrences unique by span, credit kinds and
    source keys) and up again: each step rebuilds tables that views read, on SQLite too."""
    from alembic import command

    from storage.migrate import alembic_config

    write_lineage(store, corpus, store.begin_run({}, {}))
    uris = sorted(corpus)
    store.save_alignments(uris, [Alignment(uris[0], 0, 5, uris[1], 0, 5, 1.0, (0, 5, 0, 5, 1))])
    before = [(row.uri, row.start_char, row.end_char) for row in store.lineage()]
    with store.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        assert connection.execute(text("SELECT COUNT(*) FROM v_alignments")).scalar() == 1
        command.upgrade(config, "head")
    assert [(row.uri, row.start_char, row.end_char) for row in store.lineage()] == before
    assert len(store.alignments()) == 1 and store.credits() != []


def test_migration_is_idempotent_and_survives_concurrent_first_use(db_url: str) -> None:
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            with Store(db_url) as opened:
                opened.known_hashes()
        except BaseException as error:  # reported below, threads swallow exceptions
            errors.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(db_url) as again:  # already at head: no-op
        assert again.documents() == []
    engine = create_engine(db_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM wiretrace_alembic_version"))
        assert len(versions.fetchall()) == 1
    engine.dispose()


# -- documents --------------------------------------------------------------------------------


def test_document_round_trip(store: Store) -> None:
    uri, body = seed("000")
    # An aware datetime comes back as the same instant in naive UTC, on every backend.
    published = datetime(2016, 10, 11, 14, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    doc = cleaned(body, "DW", published)
    doc.metadata.wire_credits = ["Associated Press", "AFP"]
    document_id = store.save_document(uri, "h1", "txt", doc)

    row = store.document(uri)
    assert row is not None and row.document_id == document_id
    assert row.text == body and row.clean_text == doc.clean_text
    assert row.published_at == datetime(2016, 10, 11, 12, 30, 5, 123456)
    assert row.wire_credits == "Associated Press,AFP"
    [span] = store.boilerplate(uri)
    assert span.text == body[span.start_char : span.end_char] and span.kind == "navigation"

    [stored] = store.detection_inputs()
    assert stored.text == body and stored.pending and stored.content_hash == "h1"
    assert stored.boilerplate == doc.boilerplate
    assert stored.metadata.wire_credits == ["Associated Press", "AFP"]
    assert store.known_hashes() == {uri: "h1"}


def test_save_document_same_hash_is_a_no_op_and_new_hash_drops_stale_alignments(
    store: Store, corpus: dict[str, str]
) -> None:
    uris = sorted(corpus)
    store.save_alignments(uris, [Alignment(uris[0], 0, 10, uris[1], 5, 15, 0.9)])
    before = table_snapshot(store)
    store.save_document(
        uris[0], "hash-000", "txt", cleaned("ignored\nbecause same hash", None, None)
    )
    assert table_snapshot(store) == before

    new_text = corpus[uris[0]] + "\nA correction was appended."
    store.save_document(uris[0], "hash-000-v2", "txt", cleaned(new_text, "DW", None))
    assert store.alignments() == []
    assert store.document(uris[0]).text == new_text
    pending = {doc.uri: doc.pending for doc in store.detection_inputs()}
    assert pending == {uris[0]: True, uris[1]: False, uris[2]: False}


def test_set_boilerplate_reports_changes_and_resets_alignment(store, corpus) -> None:
    uris = sorted(corpus)
    store.save_alignments(uris, [Alignment(uris[0], 0, 10, uris[1], 5, 15, 0.9)])
    current = store.detection_inputs()[0].boilerplate
    assert store.set_boilerplate(uris[0], current) is False
    assert store.alignments() != []

    body = corpus[uris[0]]
    footer_start = body.rindex("\n")
    assert store.set_boilerplate(
        uris[0], [*current, BoilerplateSpan(footer_start, len(body), "footer")]
    )
    row = store.document(uris[0])
    assert row.clean_text == body[current[0].end_char : footer_start]
    assert store.alignments() == []
    assert store.detection_inputs()[0].pending


def test_alignments_are_canonical_and_never_duplicated(store, corpus) -> None:
    uris = sorted(corpus)
    forward = Alignment(uris[0], 10, 40, uris[1], 100, 130, 0.95)
    store.save_alignments([uris[0]], [forward, forward.swapped()])
    store.save_alignments([uris[1]], [forward.swapped()])
    [row] = store.alignments(uris[1])
    assert (row.uri_a, row.a_start, row.uri_b, row.b_start) == (uris[0], 10, uris[1], 100)
    assert store.load_alignments() == [forward]
    assert store.alignments(uris[2]) == []
    assert [doc.pending for doc in store.detection_inputs()] == [False, False, True]


def test_unknown_document_is_a_clear_error(store: Store) -> None:
    with pytest.raises(StorageError, match="unknown document 'nowhere.txt'"):
        store.save_alignments(["nowhere.txt"], [])


# -- lineage ----------------------------------------------------------------------------------


def test_lineage_rows_carry_passage_text_origin_and_parents(store, corpus) -> None:
    uris = sorted(corpus)
    cluster = passage_cluster(corpus, uris, SHARED_PHRASE)
    store.replace_lineage(
        [cluster], [document_origin(0, uris[0], parents={2: 1})], [], [], {}, {}, {}
    )
    rows = store.lineage()
    assert [row.uri for row in rows] == uris
    for row in rows:
        assert row.text == corpus[row.uri][row.start_char : row.end_char]
        assert row.text.startswith(SHARED_PHRASE)
        assert row.origin_kind == "document" and row.origin_uri == uris[0]
    assert [row.is_origin for row in rows] == [True, False, False]
    assert all(isinstance(row.is_origin, bool) for row in rows)
    assert [row.parent_occurrence_id for row in rows] == [None, None, rows[1].occurrence_id]
    assert store.lineage(uris[2]) == [rows[2]]

    [summary] = store.clusters()
    assert summary.n_documents == 3
    # DW plus two documents of unknown outlet, each counted as its own outlet.
    assert summary.n_outlets == 3
    assert summary.first_published == datetime(2016, 10, 11, 9, 0)
    assert summary.text == rows[0].text  # the origin's wording


def test_replace_lineage_twice_leaves_identical_rows(store, corpus) -> None:
    run_id = store.begin_run({}, {})
    write_lineage(store, corpus, run_id)
    first = table_snapshot(store)
    write_lineage(store, corpus, run_id)
    assert table_snapshot(store) == first
    quotes = store.quotes()
    assert len(quotes) == 2 and quotes[0].cluster_id == quotes[1].cluster_id is not None
    assert quotes[1].variant_of == quotes[0].quote_id and quotes[1].edit_kind == "style"
    assert all(q.text == corpus[q.uri][q.start_char : q.end_char] for q in quotes)
    uris = sorted(corpus)
    assert store.document(uris[1]).wire_credits == "Associated Press"
    assert store.document(uris[0]).original_share == pytest.approx(0.9)


def test_cluster_id_is_stable_when_a_document_joins(store, corpus) -> None:
    uris = sorted(corpus)
    first = passage_cluster(corpus, uris[:2], SHARED_PHRASE)
    store.replace_lineage([first], [document_origin(0, uris[0])], [], [], {}, {}, {})
    before = {row.uri: row for row in store.lineage()}
    cluster_id = before[uris[0]].cluster_id

    # 002 joins; the passage also grows by a character in 000; a new cluster comes first.
    bloomberg = passage_cluster(corpus, uris[1:], BLOOMBERG_PASSAGE)
    joined = passage_cluster(corpus, uris, SHARED_PHRASE)
    start, end = joined.occurrences[0].start_char, joined.occurrences[0].end_char
    joined.occurrences[0] = Occurrence(uris[0], start, end + 1)
    bloomberg_origin = Origin("external", 0.6, "credited to Bloomberg", source="Bloomberg")
    store.replace_lineage(
        [bloomberg, joined], [bloomberg_origin, document_origin(0, uris[0])], [], [], {}, {}, {}
    )
    after = store.lineage()
    shared_rows = {row.uri: row for row in after if row.text.startswith(SHARED_PHRASE)}
    assert {row.cluster_id for row in shared_rows.values()} == {cluster_id}
    assert sorted(shared_rows) == uris
    # The unchanged occurrence keeps its id; the widened one is a new row.
    assert shared_rows[uris[1]].occurrence_id == before[uris[1]].occurrence_id
    assert shared_rows[uris[0]].end_char == end + 1
    other_ids = {row.cluster_id for row in after if row.cluster_id != cluster_id}
    assert len(other_ids) == 1 and len(store.clusters()) == 2

    # The Bloomberg cluster vanishes: deleted with its occurrences and origin.
    store.replace_lineage([joined], [document_origin(0, uris[0])], [], [], {}, {}, {})
    assert [row.cluster_id for row in store.clusters()] == [cluster_id]
    assert {row.cluster_id for row in store.lineage()} == {cluster_id}


def test_origin_change_is_recorded_in_history(store, corpus) -> None:
    uris = sorted(corpus)
    cluster = ap_cluster(corpus, uris[:2])
    first_run = store.begin_run({}, {})
    store.replace_lineage([cluster], [document_origin(0, uris[0])], [], [], {}, {}, {}, first_run)
    second_run = store.begin_run({}, {})
    external = Origin("external", 0.7, "credited: AP", source="Associated Press")
    store.replace_lineage([cluster], [external], [], [], {}, {}, {}, second_run)
    store.replace_lineage([cluster], [external], [], [], {}, {}, {}, second_run)  # no change

    [cluster_row] = store.clusters()
    assert (cluster_row.origin_kind, cluster_row.origin_source) == ("external", "Associated Press")
    assert cluster_row.origin_uri is None
    history = store.origin_history(cluster_row.cluster_id)
    assert [(h["old_kind"], h["new_kind"]) for h in history] == [
        (None, "document"),
        ("document", "external"),
    ]
    assert history[1]["old_uri"] == uris[0] and history[1]["new_source"] == "Associated Press"
    assert history[1]["run_id"] == second_run
    lineage = store.lineage()
    assert all(row.is_origin is False for row in lineage)
    # No origin copy: the cluster shows its longest copy.
    assert cluster_row.text == max((row.text for row in lineage), key=len)


def test_a_document_may_carry_a_passage_twice_but_not_the_same_span_twice(store, corpus) -> None:
    uris = sorted(corpus)
    twice = Cluster(
        [Occurrence(uris[0], 0, 5), Occurrence(uris[0], 10, 15), Occurrence(uris[1], 0, 5)]
    )
    store.replace_lineage([twice], [Origin("unknown", 0.0, "")], [], [], {}, {}, {})
    rows = store.lineage()
    assert sorted((row.uri, row.start_char) for row in rows) == [
        (uris[0], 0),
        (uris[0], 10),
        (uris[1], 0),
    ]
    assert len({row.cluster_id for row in rows}) == 1
    assert store.clusters()[0].n_documents == 2
    same_span = Cluster([Occurrence(uris[0], 0, 5), Occurrence(uris[0], 0, 5)])
    with pytest.raises(StorageError, match="twice"):
        store.replace_lineage([same_span], [Origin("unknown", 0.0, "")], [], [], {}, {}, {})


# -- lookups, runs, errors --------------------------------------------------------------------


def test_document_lookup_by_uri_id_suffix_and_basename(store, corpus) -> None:
    uris = sorted(corpus)
    row = store.document(uris[1])
    assert store.document(row.document_id) == row
    assert store.document(str(row.document_id)) == row
    assert store.document(uris[1].split("/")[-1]) == row
    assert store.document(Path(uris[1]).stem) == row
    assert store.document(Path(uris[1]).stem[:5]) == row  # unique basename prefix
    assert store.document("001") == row  # a canonical id is never written with leading zeros
    assert store.document("missing.txt") is None
    with pytest.raises(StorageError, match="matches 3 documents"):
        store.document(".txt")


def test_runs_and_skipped_files(store: Store) -> None:
    run_id = store.begin_run({"threshold": 0.8}, {"wiretrace": "0.1.0"})
    store.record_skipped(run_id, "broken.warc", "not a WARC file")
    store.finish_run(run_id, {"documents": 5, "clusters": 2})
    [run] = store.runs()
    assert run["run_id"] == run_id and run["status"] == "completed"
    assert run["parameters"] == {"threshold": 0.8} and run["counts"]["clusters"] == 2
    assert run["finished_at"] >= run["started_at"]
    assert store.skipped(run_id) == [
        {"run_id": run_id, "uri": "broken.warc", "reason": "not a WARC file"}
    ]
    with pytest.raises(StorageError, match="unknown run"):
        store.finish_run(run_id + 100, {})


def test_passwords_never_leak() -> None:
    url = "postgresql+psycopg://reader:s3cretpw@127.0.0.1:1/news"
    store = Store(url)
    assert "s3cretpw" not in store.display_url and "s3cretpw" not in repr(store)
    assert store.url == url
    with pytest.raises(StorageError) as raised:
        store.known_hashes()
    message = str(raised.value)
    assert "s3cretpw" not in message and "reader:***@127.0.0.1" in message
    assert "\n" not in message
    assert mask_url("garbage://u:pw@host") == "garbage://u:***@host"


def test_bad_url_is_a_one_line_error() -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        Store("wiretrace.db").documents()
    with pytest.raises(StorageError, match="nosuchdb"):
        Store("nosuchdb://x:pw@host/db").documents()


def test_default_url_comes_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WIRETRACE_DB", f"sqlite:///{tmp_path / 'env.db'}")
    assert Store().url.endswith("env.db")
    monkeypatch.delenv("WIRETRACE_DB")
    assert Store().url == "sqlite:///wiretrace.db"


def test_datetimes_round_trip_naive_utc(store: Store) -> None:
    moment = datetime(2020, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)
    store.save_document(
        "a.txt", "h", "txt", CleanedDocument("Body.", [], Metadata(published_at=moment))
    )
    assert store.detection_inputs()[0].metadata.published_at == moment.replace(tzinfo=None)


def test_save_documents_in_bulk_matches_one_by_one(store, corpus) -> None:
    uris = sorted(corpus)
    store.save_alignments(uris, [Alignment(uris[1], 0, 10, uris[2], 5, 15, 0.9)])
    _, extra = seed("003")
    changed = corpus[uris[2]] + "\nUpdated."
    ids = store.save_documents(
        [
            (uris[0], "hash-000", "txt", cleaned(corpus[uris[0]], "DW", None)),  # unchanged
            ("seeds/new.txt", "n1", "txt", cleaned(extra, None, None)),
            (uris[2], "hash-002-v2", "txt", cleaned(changed, None, None)),
            ("seeds/new.txt", "n2", "txt", cleaned(extra + "!", None, None)),  # last one wins
        ]
    )
    assert ids[1] == ids[3] and len(set(ids)) == 3
    assert store.known_hashes()["seeds/new.txt"] == "n2"
    assert store.document("seeds/new.txt").text == extra + "!"
    assert store.document(uris[2]).text == changed
    assert store.alignments() == []  # touched the changed document
    assert [span.text for span in store.boilerplate(uris[2])] == [changed[: changed.index("\n")]]
    pending = {doc.uri: doc.pending for doc in store.detection_inputs()}
    assert pending == {uris[0]: False, uris[1]: False, uris[2]: True, "seeds/new.txt": True}


def test_nul_characters_keep_offsets(store: Store) -> None:
    body = "Intro\x00line.\nBody with \x00 inside."
    doc = CleanedDocument(body, [BoilerplateSpan(0, 12, "navigation")], Metadata())
    store.save_document("nul.txt", "h", "txt", doc)
    row = store.document("nul.txt")
    assert len(row.text) == len(body) and row.text == body.replace("\x00", "\ufffd")
    assert store.boilerplate("nul.txt")[0].text == row.text[:12]


def test_wording_matches_round_trip_and_update_in_place(store, corpus, monkeypatch) -> None:
    """What a quote grouping learnt is stored with the lineage, replaced (not added to) by
    the next, dropped whole when learnt under other settings, and two wordings whose keys
    collide are kept by neither (scored again) without an error."""
    from dedup.records import WordingMatches
    from storage import store as store_module

    first = WordingMatches({"a b c", "a b c d", "x y"}, {("a b c", "a b c d")}, "v1")
    store.replace_lineage([], [], [], [], {}, {}, {}, wording_matches=first)
    assert store.wording_matches() == first
    second = WordingMatches({"a b c", "x y", "x y z"}, {("x y", "x y z")}, "v1")
    store.replace_lineage([], [], [], [], {}, {}, {}, wording_matches=second)
    assert store.wording_matches() == second
    store.replace_lineage([], [], [], [], {}, {}, {})  # None leaves it
    assert store.wording_matches() == second
    other = WordingMatches({"a b c", "x y"}, set(), "v2")
    store.replace_lineage([], [], [], [], {}, {}, {}, wording_matches=other)
    assert store.wording_matches() == other

    real_key = store_module.wording_key
    monkeypatch.setattr(
        store_module, "wording_key", lambda w: 7 if w.startswith("x") else real_key(w)
    )
    store.replace_lineage([], [], [], [], {}, {}, {}, wording_matches=second)
    assert store.wording_matches() == WordingMatches({"a b c"}, set(), "v1")


def test_stored_quote_edits_are_the_groups_edit_kinds(store, corpus) -> None:
    write_lineage(store, corpus, store.begin_run({}, {}))
    by_id = {quote.quote_id: quote for quote in store.quotes()}
    expected = {
        (by_id[quote.variant_of].text, quote.text): quote.edit_kind
        for quote in by_id.values()
        if quote.variant_of is not None
    }
    assert expected and store.stored_quote_edits() == expected
