"""Markdown for tickets and the Prefect UI: ``report.md``, the run summary, the summary table.

Article text is flattened to one line and escaped (Markdown punctuation backslashed, ``<``/``>``/
``&`` as entities), so pasting ``report.md`` into a tracker cannot inject links, HTML or tables.

>>> md_inline("a | <b>*x*</b>")
'a \\\\| &lt;b&gt;\\\\*x\\\\*&lt;/b&gt;'
"""

from __future__ import annotations

import re

from reports.data import ReportData, document_title, rounded
from reports.html import changed_quotes, excerpt, pct, when

SUMMARY_CLUSTERS = 10
REPORT_CLUSTERS = 25
REPORT_DOCUMENTS = 50
REPORT_QUOTES = 25

# Text never starts a line (we always write a prefix first), so only the characters that act
# mid-line need escaping: emphasis, code, links, table cells, strikethrough, backslash.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")


def md_inline(text: str | None, limit: int | None = None) -> str:
    """One line of text, safe inside a Markdown paragraph or table cell."""
    if not text:
        return ""
    flat = excerpt(text, limit) if limit else " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)


def _origin_cell(data: ReportData, cluster_id: int) -> str:
    kind, uri, _, confidence = data.origin_of_cluster(cluster_id)
    label = md_inline(data.origin_label(cluster_id))
    if kind == "document" and uri:
        label += f" ({md_inline(uri, 60)})"
    return f"{label}, {pct(confidence)}"


def summary_table(data: ReportData, limit: int = SUMMARY_CLUSTERS) -> list[dict[str, object]]:
    """The most reused passages as plain rows (a Prefect table artifact)."""
    rows = []
    for cluster_id in data.ranked_clusters()[:limit]:
        kind, uri, source, confidence = data.origin_of_cluster(cluster_id)
        rows.append(
            {
                "passage": cluster_id,
                "documents": data.cluster_size(cluster_id),
                "origin": data.origin_label(cluster_id),
                "origin_kind": kind,
                "origin_document": uri or "",
                "confidence": rounded(confidence, 2),
                "text": excerpt(data.cluster_text(cluster_id), 160),
            }
        )
    return rows


def _summary_head(data: ReportData) -> list[str]:
    return [
        "# wiretrace: provenance summary",
        "",
        f"- **{len(data.documents)}** documents from **{len(data.outlets)}** outlets",
        f"- **{len(data.cluster_ids)}** reused passages, **{len(data.lineage)}** copies of them",
        f"- median original share: **{pct(data.median_original_share())}**",
        f"- agencies credited or traced: {md_inline(', '.join(data.agencies)) or 'none'}",
        "",
    ]


def summary_markdown(data: ReportData, limit: int = SUMMARY_CLUSTERS) -> str:
    """A short summary: counts, median original share, the most reused passages."""
    lines = _summary_head(data)
    ranked = data.ranked_clusters()[:limit]
    if not ranked:
        lines.append("No passage is shared between documents.")
        return "\n".join(lines) + "\n"
    lines += [
        "## Most reused passages",
        "",
        "| # | docs | origin, confidence | passage |",
        "| ---: | ---: | --- | --- |",
    ]
    for cluster_id in ranked:
        lines.append(
            f"| {cluster_id} | {data.cluster_size(cluster_id)} | {_origin_cell(data, cluster_id)} "
            f"| {md_inline(data.cluster_text(cluster_id), 140)} |"
        )
    return "\n".join(lines) + "\n"


def _title(data: ReportData, uri: str) -> str:
    document = data.document_by_uri.get(uri)
    return document_title(document) if document is not None else uri


def report_markdown(data: ReportData) -> str:
    """``report.md``: the summary, more passages with where they appear, and the documents."""
    lines = _summary_head(data)
    ranked = data.ranked_clusters()[:REPORT_CLUSTERS]
    lines += (
        ["## Most reused passages", ""]
        if ranked
        else ["No passage is shared between documents.", ""]
    )
    for cluster_id in ranked:
        occurrences = data.lineage_by_cluster.get(cluster_id, [])
        lines.append(f"### Passage {cluster_id}: {_origin_cell(data, cluster_id)}")
        lines.append("")
        lines.append(f"> {md_inline(data.cluster_text(cluster_id), 400)}")
        lines.append("")
        for row in occurrences:
            document = data.document_by_uri.get(row.uri)
            title = md_inline(document_title(document), 80) if document else md_inline(row.uri)
            marker = " **(origin)**" if row.is_origin else ""
            lines.append(
                f"- {title}, {md_inline(data.outlet_of(row.uri))}, {when(data.published_at(row.uri))}, "
                f"chars {row.start_char}–{row.end_char}{marker}"
            )
        evidence = next((row.evidence for row in occurrences if row.evidence), "")
        if evidence:
            lines.append(f"- evidence: {md_inline(evidence, 300)}")
        lines.append("")
    changed = changed_quotes(data)
    if changed:
        lines += ["## Quotes that changed on the way", ""]
        lines += [
            "| quotation as printed | change | in | wording closest to the origin |",
            "| --- | --- | --- | --- |",
        ]
        for quote in changed[:REPORT_QUOTES]:
            source = data.quote_by_id[quote.variant_of]
            lines.append(
                f"| {md_inline(quote.text, 200)} | {md_inline(quote.edit_kind)} "
                f"| {md_inline(_title(data, quote.uri), 60)} | {md_inline(source.text, 200)} |"
            )
        if len(changed) > REPORT_QUOTES:
            lines += ["", f"{len(changed) - REPORT_QUOTES} more in lineage.json (quotes)."]
        lines.append("")
    documents = sorted(
        data.documents,
        key=lambda row: (row.original_share if row.original_share is not None else 2.0, row.uri),
    )
    lines += [
        "## Documents with the least original text",
        "",
        "| document | outlet | published | original | credits |",
        "| --- | --- | --- | ---: | --- |",
    ]
    for row in documents[:REPORT_DOCUMENTS]:
        lines.append(
            f"| {md_inline(document_title(row), 80)} | {md_inline(row.outlet)} | {when(row.published_at)} "
            f"| {pct(row.original_share)} | {md_inline(row.wire_credits)} |"
        )
    if len(documents) > REPORT_DOCUMENTS:
        lines.append("")
        lines.append(
            f"{len(documents) - REPORT_DOCUMENTS} more documents: see index.html or lineage.json."
        )
    lines += [
        "",
        "Origins are inferences (confidence and evidence shown), not facts. "
        "Offsets are Python string indexes into each document's full text; "
        "lineage.csv and lineage.json hold every copy.",
    ]
    return "\n".join(lines) + "\n"
