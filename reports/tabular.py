"""Machine-readable lineage for scripts: ``lineage.json`` and ``lineage.csv``.

``lineage.csv`` has one row per occurrence of a reused passage, columns in this order:

==================== =====================================================================
column               meaning
==================== =====================================================================
occurrence_id        id of this copy of the passage (``v_lineage.occurrence_id``)
cluster_id           the passage: copies of the same passage share it
document_id, uri     the document holding this copy
title, outlet        the document's title and outlet (empty when unknown)
published_at         the document's publication time, ISO 8601 UTC (empty when undated)
start_char, end_char Python str offsets, end exclusive, into the document's full ``text``
text                 the copy as it appears in the document (``text[start_char:end_char]``)
is_origin            ``true`` when this document is the passage's origin
parent_occurrence_id the copy this one was most probably taken from (empty: from the origin)
origin_kind          ``document`` | ``external`` | ``unknown``
origin_uri           the origin document (when origin_kind is ``document``)
origin_source        canonical agency or outlet name of the origin
origin_label         origin_source, else the origin document's outlet, else ``unknown origin``
confidence           0..1, how sure the origin inference is
evidence             human-readable reasons for the origin
==================== =====================================================================

``lineage.json`` holds ``documents`` (metadata, no text), ``clusters`` (one per passage, with the
ids of its occurrences), ``occurrences`` (the CSV rows, typed) and ``quotes`` (``v_quotes``), plus
``fields`` describing every key. JSON has every text exactly as stored.

A CSV cell that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: a title ``=HYPERLINK(...)``, a passage ``-2+3``) is written
with a ``'`` in front, the OWASP rule against CSV injection, so Excel and LibreOffice show it
as text. Such a ``text`` cell is then ``"'" + text[start_char:end_char]``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from reports.data import ReportData, as_utc, rounded, split_credits

FORMAT_VERSION = 1

OCCURRENCE_FIELDS: dict[str, str] = {
    "occurrence_id": "id of this copy of the passage",
    "cluster_id": "the passage; copies of the same passage share it",
    "document_id": "id of the document holding this copy",
    "uri": "uri of the document holding this copy",
    "title": "the document's title",
    "outlet": "the document's outlet",
    "published_at": "the document's publication time, ISO 8601 UTC, null when undated",
    "start_char": "start of the copy: Python str index into the document's full text",
    "end_char": "end of the copy (exclusive)",
    "text": "the copy as it appears in the document: text[start_char:end_char]",
    "is_origin": "true when this document is the passage's origin",
    "parent_occurrence_id": "the copy this one was most probably taken from; null: from the origin",
    "origin_kind": "document | external | unknown",
    "origin_uri": "the origin document, when origin_kind is document",
    "origin_source": "canonical agency or outlet name of the origin",
    "origin_label": "origin_source, else the origin document's outlet, else 'unknown origin'",
    "confidence": "0..1, how sure the origin inference is",
    "evidence": "human-readable reasons for the origin",
}
DOCUMENT_FIELDS: dict[str, str] = {
    "document_id": "id of the document",
    "uri": "file path, URL or record id of the document (unique)",
    "title": "title",
    "outlet": "outlet that published it",
    "author": "author",
    "published_at": "publication time, ISO 8601 UTC",
    "original_share": "0..1, share of the clean text not covered by any reused passage",
    "wire_credits": "agencies the document itself credits",
    "n_passages": "number of reused passages it holds",
}
QUOTE_FIELDS: dict[str, str] = {
    "quote_id": "id of the quotation",
    "document_id": "id of the document quoting",
    "uri": "uri of the document quoting",
    "start_char": "start of the quotation: Python str index into the document's full text",
    "end_char": "end of the quotation (exclusive)",
    "text": "the quotation as printed",
    "speaker": "who is quoted, when found",
    "cluster_id": "quotations of the same words across documents share it (null: quoted once)",
    "variant_of": "quote_id of the wording closest to the origin",
    "edit_kind": "identical | style | spelling | wording | truncated | extended, against variant_of",
}
CLUSTER_FIELDS: dict[str, str] = {
    "cluster_id": "id of the passage",
    "n_documents": "documents holding it",
    "n_outlets": "outlets holding it",
    "first_published": "earliest publication time among them",
    "origin_kind": "document | external | unknown",
    "origin_uri": "the origin document, when origin_kind is document",
    "origin_source": "canonical agency or outlet name of the origin",
    "origin_label": "origin_source, else the origin document's outlet, else 'unknown origin'",
    "confidence": "0..1",
    "text": "the passage, as the origin (or first) copy has it",
    "occurrence_ids": "its copies, see occurrences",
}


def _iso(moment: datetime | str | None) -> str | None:
    moment = as_utc(moment)
    return moment.isoformat() if moment is not None else None


def occurrence_records(data: ReportData) -> list[dict[str, Any]]:
    """One dict per occurrence, keys in :data:`OCCURRENCE_FIELDS` order, sorted by cluster."""
    records = []
    for row in sorted(data.lineage, key=lambda row: (row.cluster_id, row.occurrence_id)):
        document = data.document_by_uri.get(row.uri)
        records.append(
            {
                "occurrence_id": row.occurrence_id,
                "cluster_id": row.cluster_id,
                "document_id": row.document_id,
                "uri": row.uri,
                "title": document.title if document else None,
                "outlet": document.outlet if document else None,
                "published_at": _iso(document.published_at) if document else None,
                "start_char": row.start_char,
                "end_char": row.end_char,
                "text": row.text,
                "is_origin": bool(row.is_origin),
                "parent_occurrence_id": row.parent_occurrence_id,
                "origin_kind": row.origin_kind,
                "origin_uri": row.origin_uri,
                "origin_source": row.origin_source,
                "origin_label": data.origin_label(row.cluster_id),
                "confidence": rounded(row.confidence, 4),
                "evidence": row.evidence,
            }
        )
    return records


def lineage_json(data: ReportData, generated_at: datetime | None = None) -> dict[str, Any]:
    """The whole lineage as one JSON-serialisable dict (see the module docstring)."""
    documents = [
        {
            "document_id": row.document_id,
            "uri": row.uri,
            "title": row.title,
            "outlet": row.outlet,
            "author": row.author,
            "published_at": _iso(row.published_at),
            "original_share": row.original_share,
            "wire_credits": split_credits(row.wire_credits),
            "n_passages": len(data.lineage_by_uri.get(row.uri, [])),
        }
        for row in sorted(data.documents, key=lambda row: row.document_id)
    ]
    clusters = []
    for cluster_id in data.cluster_ids:
        kind, origin_uri, origin_source, confidence = data.origin_of_cluster(cluster_id)
        occurrences = data.lineage_by_cluster.get(cluster_id, [])
        cluster = data.cluster_by_id.get(cluster_id)
        clusters.append(
            {
                "cluster_id": cluster_id,
                "n_documents": data.cluster_size(cluster_id),
                "n_outlets": cluster.n_outlets
                if cluster
                else len({data.outlet_of(row.uri) for row in occurrences}),
                "first_published": _iso(cluster.first_published) if cluster else None,
                "origin_kind": kind,
                "origin_uri": origin_uri,
                "origin_source": origin_source,
                "origin_label": data.origin_label(cluster_id),
                "confidence": rounded(confidence, 4),
                "text": data.cluster_text(cluster_id),
                "occurrence_ids": sorted(row.occurrence_id for row in occurrences),
            }
        )
    return {
        "format": "wiretrace-lineage",
        "version": FORMAT_VERSION,
        "generated_at": _iso(generated_at),
        "fields": {
            "documents": DOCUMENT_FIELDS,
            "clusters": CLUSTER_FIELDS,
            "occurrences": OCCURRENCE_FIELDS,
            "quotes": QUOTE_FIELDS,
        },
        "documents": documents,
        "clusters": clusters,
        "occurrences": occurrence_records(data),
        "quotes": [
            {name: getattr(quote, name) for name in QUOTE_FIELDS}
            for quote in sorted(data.quotes, key=lambda row: row.quote_id)
        ],
    }


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows and never runs: text that would start a
    formula gets a leading ``'``; numbers, and other text, are kept as they are.

    >>> spreadsheet_cell("=SUM(A1:A9)"), spreadsheet_cell("-2+3"), spreadsheet_cell("@cmd")
    ("'=SUM(A1:A9)", "'-2+3", "'@cmd")
    >>> spreadsheet_cell("Reuters"), spreadsheet_cell(-1), spreadsheet_cell(None)
    ('Reuters', -1, '')
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(fields: list[str], records: list[dict[str, Any]]) -> str:
    """A CSV file (RFC 4180 quoting, CRLF row ends) of ``records``, each cell made safe for a
    spreadsheet (:func:`spreadsheet_cell`): every CSV wiretrace writes goes through here."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: spreadsheet_cell(value) for key, value in record.items()})
    return buffer.getvalue()


def lineage_csv(data: ReportData) -> str:
    """``lineage.csv`` text: header plus one row per occurrence (RFC 4180 quoting)."""
    records = occurrence_records(data)
    for record in records:
        record["is_origin"] = "true" if record["is_origin"] else "false"
    return csv_text(list(OCCURRENCE_FIELDS), records)


def dump_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
