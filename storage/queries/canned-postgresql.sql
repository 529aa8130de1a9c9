-- wiretrace: the canned queries of `wiretrace serve`, for PostgreSQL (psql).
-- Made by `python -m storage.canned` from storage/canned.py: edit that, not this file.
--
-- Each query reads the contract's views (v_documents, v_lineage, v_clusters, v_quotes).
-- Run one by copying it, or all of them with their parameters set:
--   psql postgresql://postgres@127.0.0.1:5432/test -v agency='...' -v uri='...' -f canned-postgresql.sql
-- (in psql, :'name' is the variable name, quoted as a string literal).

-- Where did this article come from?
-- Every reused passage of one document (give its uri, e.g. seeds/000_09ade5e7dfcab0e4.txt or
-- foxnews.com/7703), in reading order: where the passage started (an agency, another document
-- of the corpus, or unknown), which copy this one was taken from, how sure wiretrace is (0-1)
-- and why.
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
WHERE l.uri = :'uri'
ORDER BY l.start_char, l.end_char;

-- Who copies whom?
-- Outlet to outlet and outlet to agency: for each outlet, where the passages it reused came
-- from (the outlet of the copy it was taken from, else the origin's outlet or agency), counted
-- in passages, documents and characters. An outlet reusing its own text is left out.
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
ORDER BY SUM(characters) DESC, copier, source;

-- Quotes that changed on the way
-- Quotations whose words differ from the origin's wording (spelling, wording, truncated or
-- extended; house-style changes such as quote marks are left out), beside that wording.
SELECT COALESCE(q.speaker, o.speaker) AS speaker, q.edit_kind,
       o.text AS original_wording, q.text AS changed_wording,
       o.uri AS original_uri, q.uri AS uri, q.quote_id, q.cluster_id
FROM v_quotes AS q
JOIN v_quotes AS o ON o.quote_id = q.variant_of
WHERE q.edit_kind IN ('spelling', 'wording', 'truncated', 'extended')
ORDER BY q.cluster_id, q.edit_kind, q.quote_id;

-- Least original outlets this week
-- Outlets by the share of their text (0-1, in characters of clean text) that no other document
-- carries, lowest first, over the 7 days up to the newest publication date stored;
-- reused_characters is the rest.
SELECT COALESCE(outlet, '(unknown outlet)') AS outlet,
       COUNT(*) AS documents,
       ROUND(CAST(SUM(original_share * LENGTH(clean_text)) / SUM(LENGTH(clean_text))
             AS NUMERIC), 3) AS original_share,
       CAST(SUM((1 - original_share) * LENGTH(clean_text)) AS INTEGER) AS reused_characters,
       MIN(published_at) AS first_published, MAX(published_at) AS last_published
FROM v_documents
WHERE original_share IS NOT NULL AND published_at >= (SELECT MAX(published_at) - INTERVAL '7 days' FROM v_documents WHERE published_at <= NOW() AT TIME ZONE 'UTC')
GROUP BY COALESCE(outlet, '(unknown outlet)')
HAVING SUM(LENGTH(clean_text)) > 0
ORDER BY 3, 2 DESC, 1;

-- Passages of one agency
-- The reused passages whose origin is one agency or outside source (give its name: Associated
-- Press, Reuters, AFP, Bloomberg, ...; the origin_source facet of v_clusters lists those
-- found), most widely copied first.
SELECT cluster_id, n_documents, n_outlets, first_published, confidence, text AS passage
FROM v_clusters
WHERE LOWER(origin_source) = LOWER(:'agency')
ORDER BY n_documents DESC, cluster_id;
