"""Silver measures on real news: are clusters copies of one passage, are origins and quotes right?

Runs the real pipeline (``flows.pipeline.run_pipeline``) on each real-news file (by default
``../shared/data/realnews/*.jsonl``, see the README there) into a fresh SQLite database, reads
the results back through the contract's views (``v_documents``, ``v_lineage``, ``v_clusters``,
``v_quotes``, via ``storage.store.Store``) and prints, per file, measures that need no hand
labels (issues 16 and 17), then a block of targets with pass/fail.

    python benchmarks/realnews.py                         # both dev-set files, temporary databases
    python benchmarks/realnews.py FILE.jsonl ... --json   # the figures as JSON
    python benchmarks/realnews.py --db-dir /tmp/rn-before # keep the databases (<stem>.sqlite)
    python benchmarks/realnews.py --skip-run --db-dir /tmp/rn-before   # measure kept databases

``--skip-run`` measures ``DIR/<stem>.sqlite`` for each file as it is (opening a database
migrates it to this version's schema, so measure a copy of a database you want to keep
untouched). From code: ``measure(db_url)`` returns the figures of one database,
``run_file(path, db_url)`` runs the pipeline, ``targets(figures)`` judges them.

Figures of another version of the code (e.g. "before" a change in the working tree): export it
and put it first on the path, from a folder outside the repository (the current folder would
come first otherwise):

    git archive HEAD | tar -x -C /tmp/head
    cd /tmp && PYTHONPATH=/tmp/head /work/main/.venv/bin/python /work/main/benchmarks/realnews.py

Words are lower-cased ``\\w+`` runs of ``v_documents.text`` (the text every offset points into,
boilerplate included); an n-gram is n consecutive words. Measures (issue 16):

* *pair coherence*: over every pair of occurrences of one cluster (all pairs when a cluster has
  at most 400, else 400 distinct pairs drawn with ``random.Random(SEED)``, reseeded per cluster,
  and weighted back to the cluster's pair count), the share of pairs whose two occurrence texts
  (``v_lineage.text``) share at least two distinct word 5-grams.
* *silver recall*: two documents of different outlets (``v_documents.outlet``) are *related*
  when they share at least 10 distinct word 8-grams, not counting 8-grams found in more than
  20% of the documents. For a related pair (A, B) and each direction, the *positions* of A are
  the word indices where one of the pair's shared 8-grams starts in A (every instance counts);
  a position is *inside* when each of its eight words lies entirely (character span) inside
  the union of A's occurrences whose cluster also has an occurrence in B. Because the test is
  per word, pieces separated only by spaces or punctuation count together. Recall of the
  direction = inside positions / positions; silver recall = mean over related pairs and both
  directions.
* *related pairs found*: share of related pairs whose documents have at least one common cluster.
* *largest cluster*: its share of the documents (``v_clusters.n_documents`` / documents) and its
  own pair coherence (same sampling), to tell a big coherent passage from a chained one.
* median occurrence length (characters); evidence size: total characters of
  ``v_lineage.evidence`` and its longest row; numbers of clusters and occurrences; share of
  occurrences spanning more than 80% of their document's ``text``; median ``original_share``.

Measures (issue 17):

* *attribution accuracy*: a silver labeller written here (regular expressions over each line of
  the text, independent of ``dedup.attribution``) labels a document with an agency when its own
  byline (``By The Associated Press``, ``Lucas Shaw, Bloomberg``, ``Associated Press`` alone on a
  line, ``/ Source: Associated Press``, ``AP June 1, 2018``), dateline (``NEW YORK (Reuters) -``)
  or copyright (``Copyright 2019 The Associated Press``, ``Thomson Reuters. All rights
  reserved``) credits exactly one agency; photo credits (``AP Photo/...``, ``Name/AP``,
  ``AFP/Getty Images``, ``Photo: ..., AP``) and mentions in running text (``Reuters reported``)
  never match. The labelled documents are printed with the phrases matched, for a human to
  check. Judged: every occurrence of a labelled document whose cluster has an occurrence in a
  document of another outlet; right when its origin is the label's agency (``origin_kind``
  ``external``, ``origin_source`` the agency's canonical name) or a document labelled with the
  same agency. Wrong ones are listed.
* *interview origins*: occurrences whose ``origin_source`` is named in the occurrence's document
  only in interview phrases (``told the BBC``, ``in an interview with CNN``, ``said on Fox
  News``, ``speaking to Reuters``, ``told Bloomberg's ...``); a document that does not name the
  source at all is not counted.
* *quote variants*: share of ``v_quotes`` rows with ``edit_kind`` ``wording`` whose text has
  ``rapidfuzz.fuzz.partial_ratio >= 60`` with the text of the quote named by ``variant_of``
  (texts as stored, no preprocessing).
* *speakers*: quotes grouped by their speaker's last word (``Jr.``/``Sr.``/``II``/``III``
  dropped); for the 10 last names with most quotes, the distinct speaker strings ending in that
  name. One speaker per person means one string per last name.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from storage.records import ClusterRow, DocumentRow, LineageRow, QuoteRow
from storage.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "realnews"
SEED = 16
MAX_PAIRS_PER_CLUSTER = 400
COHERENT_SHARED_5GRAMS = 2
RELATED_SHARED_8GRAMS = 10
COMMON_8GRAM_DOC_SHARE = 0.20
WHOLE_DOCUMENT_SHARE = 0.80
TOP_SPEAKERS = 10
VARIANT_RATIO = 60
WORD = re.compile(r"\w+")

# -- reading the views ------------------------------------------------------------------------


@dataclass
class Corpus:
    """What the views hold for one database."""

    documents: dict[str, DocumentRow]
    lineage: list[LineageRow]
    clusters: list[ClusterRow]
    quotes: list[QuoteRow]
    occurrences_by_cluster: dict[int, list[LineageRow]] = field(default_factory=dict)
    occurrences_by_uri: dict[str, list[LineageRow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.lineage:
            self.occurrences_by_cluster.setdefault(row.cluster_id, []).append(row)
            self.occurrences_by_uri.setdefault(row.uri, []).append(row)

    def outlet(self, uri: str) -> str:
        """The document's outlet; its uri's first part when the view has none."""
        document = self.documents[uri]
        return document.outlet or uri.split("/", 1)[0]


def read_corpus(db_url: str) -> Corpus:
    store = Store(db_url)
    try:
        documents = {row.uri: row for row in store.documents()}
        return Corpus(documents, store.lineage(), store.clusters(), store.quotes())
    finally:
        store.close()


# -- words and n-grams ------------------------------------------------------------------------


@dataclass
class Words:
    """A text's lower-cased ``\\w+`` words and their character spans."""

    tokens: list[str]
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str) -> Words:
        matches = list(WORD.finditer(text))
        return cls(
            [m.group(0).lower() for m in matches],
            [m.start() for m in matches],
            [m.end() for m in matches],
        )

    def grams(self, n: int) -> list[tuple[str, ...]]:
        """The n-gram starting at each word index (fewer than n words: none)."""
        return [tuple(self.tokens[i : i + n]) for i in range(len(self.tokens) - n + 1)]


def gram_set(text: str, n: int) -> set[tuple[str, ...]]:
    return set(Words.of(text).grams(n))


# -- pair coherence -----------------------------------------------------------------------------


def sampled_pairs(n: int, seed: int = SEED) -> list[tuple[int, int]]:
    """All index pairs of ``n`` items, or MAX_PAIRS_PER_CLUSTER distinct ones drawn at random."""
    total = n * (n - 1) // 2
    if total <= MAX_PAIRS_PER_CLUSTER:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    rng = random.Random(seed)
    chosen: set[tuple[int, int]] = set()
    while len(chosen) < MAX_PAIRS_PER_CLUSTER:
        i, j = rng.sample(range(n), 2)
        chosen.add((min(i, j), max(i, j)))
    return sorted(chosen)


def cluster_coherence(occurrences: Sequence[LineageRow]) -> tuple[float, int] | None:
    """(share of sampled pairs sharing two 5-grams, the cluster's pair count); None: no pair."""
    n = len(occurrences)
    if n < 2:
        return None
    pairs = sampled_pairs(n)
    grams: dict[int, set[tuple[str, ...]]] = {}
    coherent = 0
    for i, j in pairs:
        for k in (i, j):
            if k not in grams:
                grams[k] = gram_set(occurrences[k].text, 5)
        coherent += len(grams[i] & grams[j]) >= COHERENT_SHARED_5GRAMS
    return coherent / len(pairs), n * (n - 1) // 2


def pair_coherence(corpus: Corpus) -> tuple[float | None, dict[int, float]]:
    """Pair-count-weighted coherence over all clusters, and each cluster's own."""
    per_cluster: dict[int, float] = {}
    weighted = weights = 0.0
    for cluster_id, occurrences in corpus.occurrences_by_cluster.items():
        result = cluster_coherence(occurrences)
        if result is None:
            continue
        share, pair_count = result
        per_cluster[cluster_id] = share
        weighted += share * pair_count
        weights += pair_count
    return (weighted / weights if weights else None), per_cluster


# -- silver recall ------------------------------------------------------------------------------


@dataclass
class Related:
    uri_a: str
    uri_b: str
    shared: set[tuple[str, ...]]


def related_pairs(corpus: Corpus, words: dict[str, Words]) -> list[Related]:
    """Document pairs of different outlets sharing >= 10 8-grams found in <= 20% of documents."""
    grams = {uri: set(w.grams(8)) for uri, w in words.items()}
    frequency: Counter[tuple[str, ...]] = Counter()
    for found in grams.values():
        frequency.update(found)
    limit = COMMON_8GRAM_DOC_SHARE * len(grams)
    kept = {uri: {g for g in found if frequency[g] <= limit} for uri, found in grams.items()}
    holders: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for uri in sorted(kept):
        for gram in kept[uri]:
            holders[gram].append(uri)
    shared_count: Counter[tuple[str, str]] = Counter()
    for uris in holders.values():
        for i, uri_a in enumerate(uris):
            for uri_b in uris[i + 1 :]:
                shared_count[(uri_a, uri_b)] += 1
    related = []
    for (uri_a, uri_b), count in sorted(shared_count.items()):
        if count >= RELATED_SHARED_8GRAMS and corpus.outlet(uri_a) != corpus.outlet(uri_b):
            related.append(Related(uri_a, uri_b, kept[uri_a] & kept[uri_b]))
    return related


def merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of character spans as sorted disjoint spans (touching spans join)."""
    union: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if union and start <= union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], end))
        else:
            union.append((start, end))
    return union


def covered_words(words: Words, union: list[tuple[int, int]]) -> list[bool]:
    """Per word: does its character span lie inside one span of ``union``?"""
    flags = []
    k = 0
    for start, end in zip(words.starts, words.ends, strict=True):
        while k < len(union) and union[k][1] < end:
            k += 1
        flags.append(k < len(union) and union[k][0] <= start and end <= union[k][1])
    return flags


def direction_recall(
    corpus: Corpus, words: Words, uri: str, other: str, shared: set[tuple[str, ...]]
) -> float:
    """Share of ``uri``'s shared 8-gram positions inside its occurrences common with ``other``."""
    other_clusters = {row.cluster_id for row in corpus.occurrences_by_uri.get(other, [])}
    union = merged(
        (row.start_char, row.end_char)
        for row in corpus.occurrences_by_uri.get(uri, [])
        if row.cluster_id in other_clusters
    )
    covered = covered_words(words, union)
    positions = inside = 0
    for i, gram in enumerate(words.grams(8)):
        if gram in shared:
            positions += 1
            inside += all(covered[i : i + 8])
    return inside / positions if positions else 0.0


def recall_figures(corpus: Corpus) -> dict[str, Any]:
    words = {uri: Words.of(document.text) for uri, document in corpus.documents.items()}
    related = related_pairs(corpus, words)
    clusters_of = {
        uri: {row.cluster_id for row in rows} for uri, rows in corpus.occurrences_by_uri.items()
    }
    recalls: list[float] = []
    found = 0
    for pair in related:
        found += bool(clusters_of.get(pair.uri_a, set()) & clusters_of.get(pair.uri_b, set()))
        for uri, other in ((pair.uri_a, pair.uri_b), (pair.uri_b, pair.uri_a)):
            recalls.append(direction_recall(corpus, words[uri], uri, other, pair.shared))
    return {
        "related_pairs": len(related),
        "silver_recall": statistics.fmean(recalls) if recalls else None,
        "related_pairs_found": found / len(related) if related else None,
    }


# -- the silver agency labeller ----------------------------------------------------------------

# Canonical names as the contract writes them (v_lineage.origin_source) -> full-name pattern.
AGENCY_NAMES: dict[str, str] = {
    "Associated Press": r"Associated\s+Press",
    "Reuters": r"(?:Thomson\s+)?Reuters",
    "AFP": r"Agence\s+France[-\s]Presse",
    "Bloomberg": r"Bloomberg(?:\s+News)?",
    "dpa": r"Deutsche\s+Presse[-\s]Agentur",
    "UPI": r"United\s+Press\s+International",
    "Xinhua": r"Xinhua(?:\s+News\s+Agency)?",
}
AGENCY_ACRONYMS: dict[str, str] = {
    "AP": "Associated Press",
    "AFP": "AFP",
    "dpa": "dpa",
    "DPA": "dpa",
    "UPI": "UPI",
}


def _agency_group(prefix: str, acronyms: bool = True) -> str:
    """One named group per agency (``<prefix>_<index in AGENCY_NAMES>``), so that the match
    says which agency it credits; a distinct prefix per use in one pattern."""
    alternatives = []
    for index, (name, pattern) in enumerate(AGENCY_NAMES.items()):
        forms = [pattern]
        if acronyms:
            forms += [re.escape(a) for a, full in AGENCY_ACRONYMS.items() if full == name]
        alternatives.append(f"(?P<{prefix}_{index}>{'|'.join(forms)})")
    return "(?:The\\s+)?(?:" + "|".join(alternatives) + ")"


FULL, ANY, ANY2 = _agency_group("f", acronyms=False), _agency_group("a"), _agency_group("b")
NAMES = r"[A-Z][\w.'’-]*+(?:[ \t]++(?:and[ \t]++)?[A-Z][\w.'’-]*+){0,8}"
# A dateline's place: capitals ("NEW YORK"), then perhaps ", Texas" or ", May 30".
PLACE = r"[A-Z][A-Z .'’-]*+(?:,[ \t]*+[A-Z][\w.'’ -]{0,30}?)?"
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
PHOTO_CREDIT = re.compile(r"\bPhotos?\b|Getty|\bFile\b|\w[ \t]*/[ \t]*\w")
# (kind, pattern, how it must match the stripped line)
CREDIT_LINES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # "Associated Press", "The Associated Press", "By The Associated Press", "By AP"
    ("byline", re.compile(rf"(?:By\s+)?{FULL}|By\s+{ANY}"), "full"),
    # "Paul J. Weber and Geoff Mulvihill, Associated Press", "Lucas Shaw, Bloomberg"
    ("byline", re.compile(rf"(?:By\s+)?{NAMES}\s*[,|–—-]\s*{ANY}"), "full"),
    # "news now ... — By PAUL J. WEBER and GEOFF MULVIHILL - Associated Press"
    ("byline", re.compile(rf"\bBy\s+{NAMES}\s*[,|–—-]\s*{ANY}$"), "search"),
    # "/ AP", "/ Source: Associated Press", "Source: Reuters"
    ("byline", re.compile(rf"/\s*(?:Source:\s*)?{ANY}|Source:\s*{ANY2}"), "full"),
    # "AP June 1, 2018, 10:35 PM"
    ("byline", re.compile(rf"{ANY}\s+{MONTH}\s+\d{{1,2}},\s+\d{{4}}\b.*+"), "full"),
    # "NEW YORK (Reuters) -", "NEW YORK, May 30 (Reuters) -", "AUSTIN, Texas (AP) —"
    ("dateline", re.compile(rf"(?:{PLACE}[ \t]*)?\(\s*{ANY}\s*\)\s*[–—-]"), "match"),
    # "Copyright 2019 The Associated Press", "© 2018 The Associated Press. All Rights Reserved."
    (
        "copyright",
        re.compile(rf"(?:Copyright|©)(?:\s*©)?\s*(?:\d{{4}}\s+)?(?:by\s+)?{ANY}\b"),
        "search",
    ),
    (
        "copyright",
        re.compile(r"(?P<r_1>Thomson\s+Reuters)\.?\s+All\s+rights\s+reserved", re.I),
        "search",
    ),
)


@dataclass
class Credit:
    agency: str
    kind: str
    phrase: str


def agency_credits(text: str) -> list[Credit]:
    """The story credits a reader would see in a document's own lines (photo credits excluded)."""
    names = list(AGENCY_NAMES)
    found: list[Credit] = []
    for raw in text.splitlines():
        line = raw.replace("\u00a0", " ").strip()
        if not line:
            continue
        for kind, pattern, how in CREDIT_LINES:
            if kind == "byline" and PHOTO_CREDIT.search(line) and not line.startswith("/"):
                continue
            if how == "full":
                match = pattern.fullmatch(line)
            elif how == "match":
                match = pattern.match(line)
            else:
                match = pattern.search(line)
            if match is None:
                continue
            groups = [key for key, value in match.groupdict().items() if value is not None]
            if groups:
                agency = names[int(groups[0].rsplit("_", 1)[1])]
                found.append(Credit(agency, kind, match.group(0)[:80]))
                break
    return found


def agency_labels(corpus: Corpus) -> tuple[dict[str, str], dict[str, list[Credit]]]:
    """(uri -> agency for documents crediting exactly one agency, uri -> all credits found)."""
    credits = {uri: agency_credits(document.text) for uri, document in corpus.documents.items()}
    labels = {
        uri: found[0].agency
        for uri, found in credits.items()
        if found and len({credit.agency for credit in found}) == 1
    }
    return labels, {uri: found for uri, found in credits.items() if found}


def origin_text(row: LineageRow) -> str:
    if row.origin_kind == "external":
        return f"external {row.origin_source}"
    if row.origin_kind == "document":
        return f"document {row.origin_uri}"
    return row.origin_kind


def judged_origins(corpus: Corpus, labels: dict[str, str]) -> Iterator[tuple[str, Any, bool]]:
    """(agency label, occurrence row, origin right?) for every occurrence of a labelled document
    whose cluster reaches another outlet: right when the origin is that agency (external) or a
    document labelled with it."""
    for uri, agency in sorted(labels.items()):
        outlet = corpus.outlet(uri)
        for row in corpus.occurrences_by_uri.get(uri, []):
            members = corpus.occurrences_by_cluster[row.cluster_id]
            if all(corpus.outlet(member.uri) == outlet for member in members):
                continue
            correct = (row.origin_kind == "external" and row.origin_source == agency) or (
                row.origin_kind == "document" and labels.get(row.origin_uri or "") == agency
            )
            yield agency, row, correct


def attribution_figures(corpus: Corpus) -> dict[str, Any]:
    labels, credits = agency_labels(corpus)
    judged = right = 0
    wrong: list[dict[str, Any]] = []
    for agency, row, correct in judged_origins(corpus, labels):
        judged += 1
        right += correct
        if not correct:
            wrong.append(
                {
                    "uri": row.uri,
                    "cluster_id": row.cluster_id,
                    "span": [row.start_char, row.end_char],
                    "origin": origin_text(row),
                    "label": agency,
                }
            )
    return {
        "accuracy": right / judged if judged else None,
        "judged": judged,
        "labelled": [
            {
                "uri": uri,
                "agency": labels.get(uri),
                "credits": [f"{c.kind}: {c.phrase}" for c in found],
            }
            for uri, found in sorted(credits.items())
        ],
        "wrong": wrong,
    }


# -- interview origins -------------------------------------------------------------------------

# Other names under which a source is written in running text (beyond its canonical name).
SOURCE_ALIASES: dict[str, tuple[str, ...]] = {
    "Associated Press": ("AP",),
    "BBC": ("BBC News", "British Broadcasting Corporation"),
    "NBC News": ("NBC",),
    "Fox News": ("Fox",),
    "The New York Times": ("NYT",),
    "The Wall Street Journal": ("WSJ",),
    "Russia Today": ("RT",),
}
INTERVIEW_BEFORE = re.compile(
    r"(?:\btold|\btells|\btelling|\binterview(?:ed)?\s+(?:with|to|on|by)|\bspeaking\s+(?:to|with|on)"
    r"|\bspoke\s+(?:to|with|on)|\bsaid\s+(?:on|to)|\bappear(?:ed|ing|s)?\s+on|\btalk(?:ed|ing)\s+"
    r"(?:to|with)|\bconversation\s+with)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
INTERVIEW_AFTER = re.compile(r"^['’]s\s+(?:\w+\s+)?interview", re.IGNORECASE)


def source_pattern(source: str) -> re.Pattern[str]:
    """Mentions of a source: its canonical name (with or without ``The``, a domain's stem as a
    word) and known aliases; short all-capital names match case-sensitively."""
    names = {source, re.sub(r"^The\s+", "", source)}
    if re.fullmatch(r"[\w-]+(?:\.[a-z]{2,})+(?:/.*)?", source):
        names.add(source.split(".", 1)[0])
    names.update(SOURCE_ALIASES.get(source, ()))
    forms = []
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name).replace(r"\ ", r"\s+")
        forms.append(escaped if name.isupper() else f"(?i:{escaped})")
    return re.compile(rf"\b(?:{'|'.join(forms)})\b")


def mentioned_only_in_interviews(text: str, source: str) -> bool:
    mentions = list(source_pattern(source).finditer(text))
    if not mentions:
        return False
    return all(
        INTERVIEW_BEFORE.search(text[max(0, m.start() - 60) : m.start()])
        or INTERVIEW_AFTER.match(text[m.end() : m.end() + 40])
        for m in mentions
    )


def interview_figures(corpus: Corpus) -> dict[str, Any]:
    rows = []
    checked: dict[tuple[str, str], bool] = {}
    for row in corpus.lineage:
        if not row.origin_source:
            continue
        key = (row.uri, row.origin_source)
        if key not in checked:
            checked[key] = mentioned_only_in_interviews(
                corpus.documents[row.uri].text, row.origin_source
            )
        if checked[key]:
            rows.append({"uri": row.uri, "cluster_id": row.cluster_id, "source": row.origin_source})
    return {"count": len(rows), "rows": rows}


# -- quotes ------------------------------------------------------------------------------------

NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def last_name(speaker: str) -> str | None:
    tokens = [t for t in WORD.findall(speaker) if t.lower() not in NAME_SUFFIXES]
    return tokens[-1] if tokens else None


def quote_figures(corpus: Corpus) -> dict[str, Any]:
    text_of = {quote.quote_id: quote.text for quote in corpus.quotes}
    wording = close = 0
    for quote in corpus.quotes:
        if quote.edit_kind != "wording" or quote.variant_of not in text_of:
            continue
        wording += 1
        close += fuzz.partial_ratio(quote.text, text_of[quote.variant_of]) >= VARIANT_RATIO
    by_name: dict[str, Counter[str]] = defaultdict(Counter)
    for quote in corpus.quotes:
        name = last_name(quote.speaker) if quote.speaker else None
        if name:
            by_name[name][quote.speaker or ""] += 1
    top = sorted(by_name.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:TOP_SPEAKERS]
    return {
        "quotes": len(corpus.quotes),
        "wording_variants": wording,
        "wording_close": close,
        "wording_close_share": close / wording if wording else None,
        "speakers": [
            {"last_name": name, "quotes": sum(strings.values()), "strings": dict(strings)}
            for name, strings in top
        ],
        "one_speaker_per_person": all(len(strings) == 1 for _, strings in top),
    }


# -- one database, one file ---------------------------------------------------------------------


def shape_figures(corpus: Corpus, per_cluster: dict[int, float]) -> dict[str, Any]:
    lengths = [row.end_char - row.start_char for row in corpus.lineage]
    whole = sum(
        row.end_char - row.start_char > WHOLE_DOCUMENT_SHARE * len(corpus.documents[row.uri].text)
        for row in corpus.lineage
    )
    evidence = [len(row.evidence or "") for row in corpus.lineage]
    shares = [d.original_share for d in corpus.documents.values() if d.original_share is not None]
    largest = max(corpus.clusters, key=lambda c: (c.n_documents, -c.cluster_id), default=None)
    return {
        "documents": len(corpus.documents),
        "clusters": len(corpus.clusters),
        "occurrences": len(corpus.lineage),
        "largest_cluster": None
        if largest is None
        else {
            "cluster_id": largest.cluster_id,
            "documents": largest.n_documents,
            "share": largest.n_documents / len(corpus.documents),
            "coherence": per_cluster.get(largest.cluster_id),
        },
        "median_occurrence_chars": statistics.median(lengths) if lengths else None,
        "evidence_chars": sum(evidence),
        "evidence_longest": max(evidence, default=0),
        "whole_document_share": whole / len(lengths) if lengths else None,
        "median_original_share": statistics.median(shares) if shares else None,
    }


def measure(db_url: str) -> dict[str, Any]:
    """Every figure of this benchmark for one pipeline database (read through the views)."""
    corpus = read_corpus(db_url)
    coherence, per_cluster = pair_coherence(corpus)
    return {
        "pair_coherence": coherence,
        **recall_figures(corpus),
        **shape_figures(corpus, per_cluster),
        "attribution": attribution_figures(corpus),
        "interview_origins": interview_figures(corpus),
        "quote_variants": quote_figures(corpus),
    }


def run_file(path: Path, db_url: str) -> float:
    """Run the real pipeline on ``path`` into ``db_url``; wall seconds."""
    from flows.pipeline import run_pipeline

    messages: list[str] = []
    started = time.perf_counter()
    run_pipeline([str(path)], db_url, notify=messages.append)
    for message in messages:
        print(f"  pipeline: {message}", file=sys.stderr)
    return time.perf_counter() - started


def measure_file(path: Path, db_dir: Path, skip_run: bool = False) -> dict[str, Any]:
    """Run (unless ``skip_run``) and measure one file; its database is ``db_dir/<stem>.sqlite``."""
    database = db_dir / f"{path.stem}.sqlite"
    db_url = f"sqlite:///{database}"
    seconds = None
    if not skip_run:
        database.unlink(missing_ok=True)
        seconds = run_file(path, db_url)
    elif not database.exists():
        raise SystemExit(f"{database}: no such database (run without --skip-run first)")
    return {"file": str(path), "database": str(database), "run_seconds": seconds, **measure(db_url)}


# -- targets and printing ------------------------------------------------------------------------


def targets(figures: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    """(target, value, passed) for the issue 16 and 17 targets."""

    def at_least(value: float | None, bound: float) -> bool:
        return value is not None and value >= bound

    largest = figures["largest_cluster"] or {"share": 0.0, "coherence": None}
    attribution = figures["attribution"]
    quotes = figures["quote_variants"]
    return [
        (
            "pair coherence >= 0.95",
            figures["pair_coherence"],
            at_least(figures["pair_coherence"], 0.95),
        ),
        (
            "silver recall >= 0.90",
            figures["silver_recall"],
            at_least(figures["silver_recall"], 0.90),
        ),
        (
            "related pairs found >= 0.95",
            figures["related_pairs_found"],
            at_least(figures["related_pairs_found"], 0.95),
        ),
        (
            "largest cluster <= 40% unless coherent >= 0.95",
            f"{largest['share']:.2f} (coherence {_fmt(largest['coherence'])})",
            largest["share"] <= 0.40 or at_least(largest["coherence"], 0.95),
        ),
        (
            "evidence longest row <= 400",
            figures["evidence_longest"],
            figures["evidence_longest"] <= 400,
        ),
        (
            "attribution accuracy >= 0.95",
            attribution["accuracy"],
            at_least(attribution["accuracy"], 0.95),
        ),
        (
            "interview origins == 0",
            figures["interview_origins"]["count"],
            figures["interview_origins"]["count"] == 0,
        ),
        (
            "wording variants partial_ratio>=60 >= 0.90",
            quotes["wording_close_share"],
            at_least(quotes["wording_close_share"], 0.90),
        ),
        (
            "one speaker per person (top 10)",
            quotes["one_speaker_per_person"],
            quotes["one_speaker_per_person"],
        ),
    ]


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def print_file(figures: dict[str, Any]) -> None:
    largest = figures["largest_cluster"] or {}
    attribution = figures["attribution"]
    quotes = figures["quote_variants"]
    run = figures["run_seconds"]
    print(
        f"== {figures['file']}  ({figures['documents']} documents"
        f"{'' if run is None else f', pipeline {run:.1f} s'})"
    )
    rows = [
        ("pair coherence", figures["pair_coherence"]),
        ("silver recall", figures["silver_recall"]),
        (
            "related pairs / found",
            f"{figures['related_pairs']} / {_fmt(figures['related_pairs_found'])}",
        ),
        (
            "largest cluster: docs, share, coherence",
            f"{largest.get('documents')}, {_fmt(largest.get('share'))}, "
            f"{_fmt(largest.get('coherence'))}",
        ),
        ("clusters / occurrences", f"{figures['clusters']} / {figures['occurrences']}"),
        ("occurrences > 80% of document", figures["whole_document_share"]),
        ("median occurrence chars", figures["median_occurrence_chars"]),
        (
            "evidence chars total / longest row",
            f"{figures['evidence_chars']} / {figures['evidence_longest']}",
        ),
        ("median original_share", figures["median_original_share"]),
        (
            "attribution accuracy (judged)",
            f"{_fmt(attribution['accuracy'])} ({attribution['judged']})",
        ),
        ("interview origins", figures["interview_origins"]["count"]),
        (
            "wording variants close (n)",
            f"{_fmt(quotes['wording_close_share'])} ({quotes['wording_variants']})",
        ),
    ]
    for name, value in rows:
        print(f"  {name:<42} {_fmt(value)}")
    print("  agency credits found (label: exactly one agency):")
    for item in attribution["labelled"]:
        label = item["agency"] or "NOT LABELLED (several agencies)"
        print(f"    {item['uri']:<34} {label:<18} {' | '.join(item['credits'][:3])}")
    if attribution["wrong"]:
        print("  wrong origins (uri [span] origin given / label):")
        for item in attribution["wrong"]:
            print(
                f"    {item['uri']} {item['span']} cluster {item['cluster_id']}: "
                f"{item['origin']} / {item['label']}"
            )
    for item in figures["interview_origins"]["rows"]:
        print(f"  interview origin: {item['uri']} cluster {item['cluster_id']}: {item['source']}")
    print("  speakers (last name: quotes; strings):")
    for item in quotes["speakers"]:
        strings = "; ".join(f"{s} ({n})" for s, n in item["strings"].items())
        print(f"    {item['last_name']}: {item['quotes']}; {strings}")


def print_targets(results: list[dict[str, Any]]) -> None:
    print("== targets")
    for figures in results:
        print(f"  {Path(figures['file']).name}")
        for name, value, passed in targets(figures):
            print(f"    {'pass' if passed else 'FAIL'}  {name:<48} {_fmt(value)}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="JSONL files (default: the dev set)")
    parser.add_argument("--db-dir", type=Path, help="keep the databases here (<stem>.sqlite)")
    parser.add_argument("--skip-run", action="store_true", help="measure the databases in --db-dir")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.skip_run and args.db_dir is None:
        parser.error("--skip-run needs --db-dir")
    files = args.files or sorted(DEFAULT_DATA.glob("*.jsonl"))
    if not files:
        parser.error(f"no .jsonl files in {DEFAULT_DATA}")
    with tempfile.TemporaryDirectory(prefix="realnews-") as scratch:
        db_dir = args.db_dir or Path(scratch)
        db_dir.mkdir(parents=True, exist_ok=True)
        results = [measure_file(path, db_dir, args.skip_run) for path in files]
    if args.json:
        json.dump(
            {
                "files": results,
                "targets": {
                    Path(f["file"]).name: [
                        {"target": n, "value": v, "pass": p} for n, v, p in targets(f)
                    ]
                    for f in results
                },
            },
            sys.stdout,
            indent=2,
            default=str,
        )
        print()
        return
    for figures in results:
        print_file(figures)
    print_targets(results)


if __name__ == "__main__":
    main()
