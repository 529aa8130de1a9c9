"""The questions a newsroom asks of the lineage, as SQL over the contract's views.

One place for them: ``wiretrace serve`` offers them in Datasette as canned queries (a form
for each parameter), and ``storage/queries/canned-postgresql.sql`` holds the same queries for
psql, made from this module (``python -m storage.canned > storage/queries/canned-postgresql.sql``;
a test checks the file is up to date). They read the views only (the contract), never
wiretrace's own tables, except the full-text index ``passages_fts`` (SQLite, migration 0011).
A view that joins several tables is looked up in a scalar subquery, not a ``LEFT JOIN``:
SQLite cannot flatten such a view on the right of a left join and would compute all of it
(0.8 s instead of 0.35 s for "who copies whom" on 10,000 articles).

Parameters are named ``:name`` (Datasette and SQLAlchemy bind them; the psql file spells
them ``:'name'``). Every query is plain SQL that SQLite and PostgreSQL both run, except where a
query gives a ``postgresql`` text of its own (date arithmetic differs) or is ``sqlite_only``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

POSTGRESQL_FILE = Path(__file__).with_name("queries") / "canned-postgresql.sql"


@dataclass(frozen=True)
class CannedQuery:
    """One question: its name in URLs, its title and description, and its SQL."""

    name: str
    title: str
    description: str
    sql: str
    postgresql: str | None = None  # the PostgreSQL text, where it differs
    sqlite_only: bool = False  # reads SQLite's full-text index

    @property
    def parameters(self) -> list[str]:
        """Its ``:name`` parameters, in order of first use."""
        found: list[str] = []
        for name in re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", self.sql):
            if name not in found:
                found.append(name)
        return found

    def sql_for(self, dialect: str) -> str:
        """The text to run on ``dialect`` (``sqlite`` or ``postgresql``)."""
        if dialect == "postgresql":
            if self.sqlite_only:
                raise ValueError(f"canned query {self.name} needs SQLite's full-text index")
            return (self.postgresql or self.sql).strip()
        return self.sql.strip()


WHERE_FROM = CannedQuery(
    name="where_from",
    title="Where did this article come from?",
    description="Every reused passage of one document (give its uri, e.g. "
    "seeds/000_09ade5e7dfcab0e4.txt or foxnews.com/7703), in reading order: where the passage "
    "started (an agency, another document of the corpus, or unknown), which copy this one was "
    "taken from, how sure wiretrace is (0-1) and why.",
    sql="""
SELECT l.start_char, l.end_char, l.text AS passage, l.origin_kind,
       COALESCE(l.origin_source, l.origin_uri, 'unknown') AS origin,
       CASE
         WHEN l.is_origin THEN '(this document is the origin)'
         ELSE COALESCE(
           (SELECT p.uri FROM v_lineage AS p WHERE p.occurrence_id = l.parent_occurrence_id),
           l.origin_uri, l.origin_source)
       END AS copied_from,
       l.confidence, l.evidence, l.cluster_id
FROM v_lineage AS l
WHERE l.uri = :uri
ORDER BY l.start_char, l.end_char
""",
)

WHO_COPIES_WHOM = CannedQuery(
    name="who_copies_whom",
    title="Who copies whom?",
    description="Outlet to outlet and outlet to agency: for each outlet, where the passages it "
    "reused came from (the outlet of the copy it was taken from, else the origin's outlet or "
    "agency), counted in passages, documents and characters. An outlet reusing its own text "
    "is left out.",
    sql="""
WITH copies AS (
  SELECT COALESCE(d.outlet, '(unknown outlet)') AS copier,
         CASE
           WHEN l.parent_occurrence_id IS NOT NULL THEN COALESCE(
             (SELECT pd.outlet FROM v_lineage AS p
              JOIN v_documents AS pd ON pd.document_id = p.document_id
              WHERE p.occurrence_id = l.parent_occurrence_id), '(unknown outlet)')
           WHEN l.origin_kind = 'document' THEN COALESCE(
             (SELECT od.outlet FROM v_documents AS od WHERE od.uri = l.origin_uri),
             '(unknown outlet)')
           WHEN l.origin_kind = 'external' THEN COALESCE(l.origin_source, '(unknown)')
           ELSE '(unknown)'
         END AS source,
         CASE
           WHEN l.parent_occurrence_id IS NOT NULL OR l.origin_kind = 'document' THEN 'outlet'
           WHEN l.origin_kind = 'external' THEN 'agency'
           ELSE 'unknown'
         END AS source_kind,
         l.cluster_id, l.document_id, l.end_char - l.start_char AS characters
  FROM v_lineage AS l
  JOIN v_documents AS d ON d.document_id = l.document_id
  WHERE NOT l.is_origin
)
SELECT copier, source, source_kind,
       COUNT(DISTINCT cluster_id) AS passages,
       COUNT(DISTINCT document_id) AS documents,
       SUM(characters) AS characters
FROM copies
WHERE copier <> source
GROUP BY copier, source, source_kind
ORDER BY SUM(characters) DESC, copier, source
""",
)

CHANGED_QUOTES = CannedQuery(
    name="changed_quotes",
    title="Quotes that changed on the way",
    description="Quotations whose words differ from the origin's wording (spelling, wording, "
    "truncated or extended; house-style changes such as quote marks are left out), beside "
    "that wording.",
    sql="""
SELECT COALESCE(q.speaker, o.speaker) AS speaker, q.edit_kind,
       o.text AS original_wording, q.text AS changed_wording,
       o.uri AS original_uri, q.uri AS uri, q.quote_id, q.cluster_id
FROM v_quotes AS q
JOIN v_quotes AS o ON o.quote_id = q.variant_of
WHERE q.edit_kind IN ('spelling', 'wording', 'truncated', 'extended')
ORDER BY q.cluster_id, q.edit_kind, q.quote_id
""",
)

# The week: the 7 days up to the newest publication date stored (today's, for a database a
# nightly run keeps up to date; dates in the future, a scraper's mistake, are not counted).
_LEAST_ORIGINAL = """
SELECT COALESCE(outlet, '(unknown outlet)') AS outlet,
       COUNT(*) AS documents,
       ROUND(CAST(SUM(original_share * LENGTH(clean_text)) / SUM(LENGTH(clean_text))
             AS NUMERIC), 3) AS original_share,
       CAST(SUM((1 - original_share) * LENGTH(clean_text)) AS INTEGER) AS reused_characters,
       MIN(published_at) AS first_published, MAX(published_at) AS last_published
FROM v_documents
WHERE original_share IS NOT NULL AND published_at >= {week_start}
GROUP BY COALESCE(outlet, '(unknown outlet)')
HAVING SUM(LENGTH(clean_text)) > 0
ORDER BY 3, 2 DESC, 1
"""

LEAST_ORIGINAL = CannedQuery(
    name="least_original_outlets",
    title="Least original outlets this week",
    description="Outlets by the share of their text (0-1, in characters of clean text) that "
    "no other document carries, lowest first, over the 7 days up to the newest publication "
    "date stored; reused_characters is the rest.",
    sql=_LEAST_ORIGINAL.format(
        week_start="(SELECT DATETIME(MAX(published_at), '-7 days') FROM v_documents "
        "WHERE published_at <= DATETIME('now'))"
    ),
    postgresql=_LEAST_ORIGINAL.format(
        week_start="(SELECT MAX(published_at) - INTERVAL '7 days' FROM v_documents "
        "WHERE published_at <= NOW() AT TIME ZONE 'UTC')"
    ),
)

AGENCY_PASSAGES = CannedQuery(
    name="agency_passages",
    title="Passages of one agency",
    description="The reused passages whose origin is one agency or outside source (give its "
    "name: Associated Press, Reuters, AFP, Bloomberg, ...; the origin_source facet of "
    "v_clusters lists those found), most widely copied first.",
    sql="""
SELECT cluster_id, n_documents, n_outlets, first_published, confidence, text AS passage
FROM v_clusters
WHERE LOWER(origin_source) = LOWER(:agency)
ORDER BY n_documents DESC, cluster_id
""",
)

FIND_PASSAGE = CannedQuery(
    name="find_passage",
    title="Find a passage by its words",
    description="The reused passages holding these words in this order (a phrase: paste a "
    "sentence or a few words of it; case and accents are ignored), with their origin and "
    "how widely they were copied.",
    sql="""
SELECT c.cluster_id, c.n_documents, c.n_outlets, c.origin_kind,
       COALESCE(c.origin_source, c.origin_uri, 'unknown') AS origin, c.confidence,
       c.text AS passage
FROM v_clusters AS c
WHERE c.cluster_id IN (
  SELECT l.cluster_id FROM v_lineage AS l
  WHERE l.occurrence_id IN (
    SELECT rowid FROM passages_fts
    WHERE passages_fts MATCH '"' || REPLACE(:words, '"', '""') || '"'))
ORDER BY c.n_documents DESC, c.cluster_id
""",
    sqlite_only=True,
)

CANNED_QUERIES: tuple[CannedQuery, ...] = (
    WHERE_FROM,
    WHO_COPIES_WHOM,
    CHANGED_QUOTES,
    LEAST_ORIGINAL,
    AGENCY_PASSAGES,
    FIND_PASSAGE,
)


def psql_text(sql: str) -> str:
    """``sql`` with its ``:name`` parameters spelled as psql variables (``:'name'``)."""
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r":'\1'", sql)


def postgresql_script() -> str:
    """The text of ``storage/queries/canned-postgresql.sql``."""
    parameters = sorted(
        {name for q in CANNED_QUERIES if not q.sqlite_only for name in q.parameters}
    )
    lines = [
        "-- wiretrace: the canned queries of `wiretrace serve`, for PostgreSQL (psql).",
        "-- Made by `python -m storage.canned` from storage/canned.py: edit that, not this file.",
        "--",
        "-- Each query reads the contract's views (v_documents, v_lineage, v_clusters, v_quotes).",
        "-- Run one by copying it, or all of them with their parameters set:",
        "--   psql postgresql://postgres@127.0.0.1:5432/test "
        + " ".join(f"-v {name}='...'" for name in parameters)
        + " -f canned-postgresql.sql",
        "-- (in psql, :'name' is the variable name, quoted as a string literal).",
    ]
    for query in CANNED_QUERIES:
        if query.sqlite_only:
            continue
        lines += ["", f"-- {query.title}", *_comment(query.description)]
        lines.append(psql_text(query.sql_for("postgresql")) + ";")
    return "\n".join(lines) + "\n"


def _comment(text: str, width: int = 96) -> list[str]:
    lines, current = [], "--"
    for word in text.split():
        if len(current) + 1 + len(word) > width:
            lines.append(current)
            current = "--"
        current += " " + word
    return [*lines, current]


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(postgresql_script())
