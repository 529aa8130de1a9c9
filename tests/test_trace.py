"""The trace stage is incremental: what a run stores equals a full rebuild from the same state.

A corpus of short news items sharing passages, quotes and credits is stored in steps (new
documents joining and merging clusters, a document whose text changes, one whose boilerplate
changes); after each step the lineage, quotes and document facts equal those of a fresh
database holding the same documents and alignments, traced once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from dedup.cluster import cluster_alignments
from dedup.records import Alignment, BoilerplateSpan, CleanedDocument, Metadata
from flows import stages
from storage.store import Store

DAY = datetime(2024, 3, 4, 8, 0)

PASSAGES = {
    "port": (
        '"We will reopen the northern port within a week," harbour master Ilse Brandt said, '
        "adding that the cranes damaged in the storm had been repaired overnight."
    ),
    "vote": (
        "The council voted 7 to 2 to raise the water tariff by four percent from July, "
        "the first increase in a decade, Reuters reported."
    ),
    "fire": (
        'Firefighters contained the blaze near the old mill by midnight. "Nobody was hurt '
        'and the houses are safe," fire chief Tomas Varga said.'
    ),
    "bridge": (
        "Engineers found cracks in two pillars of the river bridge, which will stay closed "
        "to lorries until the repairs are done, according to the Riverton Herald."
    ),
    "storm": (
        "The storm tore roofs off three farms east of the town and cut power to 400 homes, "
        "the utility said on Tuesday, promising to restore supply by Friday."
    ),
}
OUTLETS = ["Riverton Herald", "Daily Planet", "Evening Star", "Reuters", None]
NAV = "Home | World | Sport\n"


def _document(index: int, passages: list[str], edited: bool = False) -> tuple[str, str, Metadata]:
    """A news item: a navigation line, an own sentence, the shared passages, an own ending."""
    parts = [NAV, f"Story {index}: residents were told about it on day {index}.\n"]
    for name in passages:
        if edited and name == "storm":
            continue  # the correction drops it
        text = PASSAGES[name]
        if edited:
            text = text.replace("within a week", "in seven days").replace("by midnight", "at 12")
        parts.append(text + "\n")
    # a credit of another passage's source: origin inference weighs it (unless boilerplate)
    credit = " Reuters reported on the storm." if index % 3 == 2 else ""
    parts.append(f"Reporting by desk {index}; more on page {index % 7 + 2}.{credit}\n")
    metadata = Metadata(
        outlet=OUTLETS[index % len(OUTLETS)],
        published_at=DAY + timedelta(hours=index * 3) if index % 4 else None,
    )
    return f"doc-{index:02d}.txt", "".join(parts), metadata


DOCUMENTS: dict[int, list[str]] = {
    0: ["port", "vote"],
    1: ["port"],
    2: ["vote", "fire"],
    3: ["fire", "storm"],  # its storm passage is its own until 9 arrives
    4: ["bridge"],
    5: ["bridge", "port"],
    6: ["fire", "vote"],
    7: ["vote"],
    8: ["port", "bridge"],  # joins port and bridge families in one document
    9: ["fire", "storm"],
    10: ["bridge", "vote", "port"],
    11: ["port"],
}


class Corpus:
    """Documents and alignments as the earlier stages would store them."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[str, Metadata, list[BoilerplateSpan], str]] = {}

    def add(self, index: int, edited: bool = False) -> None:
        uri, text, metadata = _document(index, DOCUMENTS[index], edited)
        spans = [BoilerplateSpan(0, len(NAV), "navigation")]
        self.documents[uri] = (text, metadata, spans, f"{uri}-{edited}")

    def footer(self, index: int) -> None:
        """Mark the document's last line as template boilerplate."""
        uri = f"doc-{index:02d}.txt"
        text, metadata, spans, content_hash = self.documents[uri]
        last = text.rstrip("\n").rindex("\n") + 1
        self.documents[uri] = (
            text,
            metadata,
            [*spans, BoilerplateSpan(last, len(text), "footer")],
            content_hash,
        )

    def alignments(self) -> list[Alignment]:
        """Every shared passage between every two documents holding it (one per pair)."""
        found = []
        uris = sorted(self.documents)
        for position, uri_a in enumerate(uris):
            for uri_b in uris[position + 1 :]:
                for name in PASSAGES:
                    span_a = self.span(uri_a, name)
                    span_b = self.span(uri_b, name)
                    if span_a and span_b:
                        found.append(Alignment(uri_a, *span_a, uri_b, *span_b, 0.95))
        return found

    def span(self, uri: str, name: str) -> tuple[int, int] | None:
        text = self.documents[uri][0]
        # the first ten words locate the passage whether edited or not
        opening = " ".join(PASSAGES[name].split()[:6])
        start = text.find(opening)
        return None if start == -1 else (start, text.index("\n", start))

    def store_into(self, store: Store) -> None:
        """Save new and changed documents and their boilerplate, then the missing alignments."""
        stored = store.known_hashes()
        store.save_documents(
            [
                (uri, content_hash, "txt", CleanedDocument(text, spans[:1], metadata))
                for uri, (text, metadata, spans, content_hash) in self.documents.items()
                if stored.get(uri) != content_hash
            ]
        )
        store.set_boilerplate_many(
            [(uri, spans) for uri, (_, _, spans, _) in self.documents.items()]
        )
        store.save_alignments(sorted(self.documents), self.alignments())


def trace(store: Store) -> stages.LineageResult:
    return stages.trace_lineage(store, store.detection_inputs())


def signature(store: Store) -> dict[str, object]:
    """Everything the trace stores, without ids."""
    rows = store.lineage()
    uri_of = {row.occurrence_id: (row.uri, row.start_char) for row in rows}
    members: dict[int, set] = defaultdict(set)
    for row in rows:
        members[row.cluster_id].add((row.uri, row.start_char, row.end_char))
    quotes = store.quotes()
    quote_at = {quote.quote_id: (quote.uri, quote.start_char) for quote in quotes}
    quote_groups: dict[int, set] = defaultdict(set)
    for quote in quotes:
        if quote.cluster_id is not None:
            quote_groups[quote.cluster_id].add((quote.uri, quote.start_char))
    documents = store.documents()
    return {
        "occurrences": sorted(
            (
                row.uri,
                row.start_char,
                row.end_char,
                row.is_origin,
                row.origin_kind,
                row.origin_uri,
                row.origin_source,
                row.confidence,
                row.evidence,
                uri_of.get(row.parent_occurrence_id),
            )
            for row in rows
        ),  # fmt: skip
        "clusters": sorted(sorted(spans) for spans in members.values()),
        "quotes": sorted(
            (
                q.uri,
                q.start_char,
                q.end_char,
                q.text,
                q.speaker,
                q.edit_kind,
                quote_at.get(q.variant_of),
            )
            for q in quotes
        ),  # fmt: skip
        "quote_groups": sorted(sorted(group) for group in quote_groups.values()),
        "documents": [(d.uri, d.original_share, d.wire_credits) for d in documents],
        "attributions": {d.uri: _attributions(store, d.uri) for d in documents},
    }


def _attributions(store: Store, uri: str) -> list:
    return store.document_attributions([uri])[uri]


def rebuilt(corpus: Corpus, url: str) -> dict[str, object]:
    with Store(url) as fresh:
        corpus.store_into(fresh)
        trace(fresh)
        return signature(fresh)


def test_each_step_equals_a_full_rebuild(db_url: str, another_db_url) -> None:
    corpus = Corpus()
    store = Store(db_url)
    steps = [
        lambda: [corpus.add(i) for i in range(6)],
        lambda: [corpus.add(i) for i in range(6, 10)],  # new documents join the clusters
        lambda: [corpus.add(i) for i in (10, 11)],  # 10 merges port, vote and bridge copies
        lambda: corpus.add(2, edited=True),  # its text changes: its alignments are redone
        lambda: corpus.add(1, edited=True),
        lambda: corpus.footer(5),  # boilerplate changes (a credit): its facts are due again
        lambda: corpus.add(9, edited=True),  # the storm cluster vanishes: 3 is original again
        lambda: None,  # nothing new: nothing changes
    ]
    for number, step in enumerate(steps):
        step()
        corpus.store_into(store)
        result = trace(store)
        assert signature(store) == rebuilt(corpus, another_db_url()), f"step {number}"
        assert result.clusters == len(store.clusters())
    # the corpus exercises what it claims to
    final = signature(store)
    assert len(final["clusters"]) >= 4 and final["quote_groups"]
    assert any(row[9] is not None for row in final["occurrences"])  # some parents
    store.close()


def _traced_archive(corpus: Corpus, store: Store) -> None:
    """Documents 0, 1, 3, 4 and 9 stored and traced: the archive a batch joins."""
    for index in (0, 1, 3, 4, 9):
        corpus.add(index)
    corpus.store_into(store)
    trace(store)


def test_a_batch_rewrites_only_the_clusters_it_touches(db_url: str) -> None:
    corpus = Corpus()
    with Store(db_url) as store:
        _traced_archive(corpus, store)
        before = {row.occurrence_id: row for row in store.lineage()}
        fire_ids = {row.cluster_id for row in before.values() if "blaze" in row.text}
        corpus.add(11)  # a copy of the port passage only
        corpus.store_into(store)
        changes = stages.lineage_changes(
            cluster_alignments(store.load_alignments()),
            store.stored_clusters(),
            store.lineage_due(),
        )
        assert [c.doc_keys for c in changes.changed] == [["doc-00.txt", "doc-01.txt", "doc-11.txt"]]
        trace(store)
        after = {row.occurrence_id: row for row in store.lineage()}
        # the fire cluster was not rewritten: same rows, same ids
        assert {i: r for i, r in after.items() if r.cluster_id in fire_ids} == {
            i: r for i, r in before.items() if r.cluster_id in fire_ids
        }
        assert store.lineage_due() == set()


def test_a_batch_clusters_only_the_documents_it_can_reach(db_url: str, monkeypatch) -> None:
    # Clusters never cross the components of the document graph: a nightly batch that joins
    # the port story clusters the port story's documents again, not the archive's others.
    corpus = Corpus()
    with Store(db_url) as store:
        _traced_archive(corpus, store)
        clusters_before = len(store.clusters())
        corpus.add(11)  # a copy of the port passage only
        corpus.store_into(store)
        clustered: list[list[str]] = []
        real_cluster_table = stages.cluster_table

        def recording(table, *args):
            clustered.append(list(table.doc_keys))
            return real_cluster_table(table, *args)

        monkeypatch.setattr(stages, "cluster_table", recording)
        result = trace(store)
        assert clustered == [["doc-00.txt", "doc-01.txt", "doc-11.txt"]]
        assert result.clusters == len(store.clusters()) == clusters_before


def test_a_changed_document_makes_its_alignment_partners_due(db_url: str) -> None:
    # Its alignments go with its old text, and a lost alignment moves the cuts of the
    # partner's passages: the partners' lineage is traced again with it.
    corpus = Corpus()
    with Store(db_url) as store:
        for index in range(6):
            corpus.add(index)
        corpus.store_into(store)
        trace(store)
        assert store.lineage_due() == set()
        partners = {
            uri
            for row in store.alignments("doc-02.txt")
            for uri in (row.uri_a, row.uri_b)
        } - {"doc-02.txt"}
        assert partners
        corpus.add(2, edited=True)
        corpus.store_into(store)
        assert store.lineage_due() == partners | {"doc-02.txt"}


def test_forked_workers_give_what_one_process_gives(
    db_url: str, another_db_url, monkeypatch
) -> None:
    """Facts, quotes and origins found in two forked processes (small chunks, so that both
    work and results come back from several tasks) equal those found in this process."""
    corpus = Corpus()
    for index in DOCUMENTS:
        corpus.add(index)
    monkeypatch.setattr(stages, "_FACTS_CHUNK", 2)
    monkeypatch.setattr(stages, "_ORIGIN_CHUNK", 1)
    signatures = []
    for workers, url in (("1", db_url), ("2", another_db_url())):
        monkeypatch.setenv(stages.ALIGN_WORKERS_ENV, workers)
        with Store(url) as store:
            corpus.store_into(store)
            trace(store)
            signatures.append(signature(store))
    assert signatures[0] == signatures[1]
    assert len(signatures[0]["clusters"]) >= 4 and signatures[0]["quote_groups"]
