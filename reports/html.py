"""The static HTML report: a corpus page, a page per document, a page per reused passage.

Pages are files (CSS inlined, charts as inline SVG) that open from disk without a network. One
script of the report's own, ``wiretrace.js``, makes tables sortable and filterable; every page
works without it. The Content-Security-Policy allows scripts only from files of the report
(``script-src 'self'``: no inline script, no event-handler attributes, nothing remote); Jinja2
autoescaping is on and article text only ever reaches a template pre-escaped
(:mod:`reports.markup`), so a page is safe to open whatever the articles contain. The document
list's data (``documents-data.js``) is JSON written by :func:`json.dumps`, never article HTML.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reports import charts
from reports.coverage import (
    BOILERPLATE,
    CATEGORIES,
    CATEGORY_NAMES,
    ORIGINAL,
    Segment,
    composition,
    document_segments,
)
from reports.data import UNKNOWN_ORIGIN, ReportData, as_utc, document_title, split_credits
from reports.markup import Fold, Mark, Palette, highlighted_text, palette_css, word_diff
from reports.tabular import OCCURRENCE_FIELDS
from storage.records import DocumentRow, LineageRow, QuoteRow

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
SCRIPT_NAME = "wiretrace.js"  # sorting and filtering of tables, from reports/static
DOCUMENTS_DATA_NAME = "documents-data.js"  # every document, for the document list's filter
TOP_PASSAGES = 20  # most reused passages listed on the corpus page
TOP_DOCUMENTS = 30  # most reused documents listed on the corpus page
TIMELINE_ROWS = 12
MATRIX_OUTLETS = 20  # rows of the heat map; the rest are summed in an "other outlets" row
MATRIX_ORIGINS = 12  # columns of the heat map; the rest in an "other origins" column
STACKED_OUTLETS = 25  # outlets with a bar in "where each outlet's text comes from"
STRIP_BOILERPLATE = "#9aa1ab"
PAGE_SIZE = 500  # rows per page of the full document and passage lists
MAX_VARIANT_CARDS = 40  # distinct wordings shown on a passage page; the rest are listed
EXCERPT_CHARS = 220
WRITER_THREADS = 4
PENDING_WRITES = 64
OTHERS_LINKED = 8
CHANGED_QUOTES_SHOWN = 25  # quotations whose wording changed, on the corpus page
CHANGED_QUOTE_KINDS = (
    "wording",
    "truncated",
    "extended",
    "spelling",
)  # most telling first  # other documents linked from each passage of a document page
EVIDENCE_SHOWN = 12  # distinct evidence lines in a passage page's origin box


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["when"] = when
    env.filters["excerpt"] = excerpt
    env.filters["safe_url"] = safe_url
    env.globals["list_page_name"] = list_page_name
    return env


def stylesheet() -> Markup:
    """The report's CSS (our own file, not user text) plus the origin colour classes."""
    css = resources.files("reports").joinpath("static/wiretrace.css").read_text(encoding="utf-8")
    return Markup(css + "\n" + palette_css())


# ---- formatting helpers (also Jinja filters) ----------------------------------------------


def pct(value: float | None) -> str:
    """A share as a whole percentage, ``n/a`` when unknown.

    >>> pct(0.456)
    '46%'
    """
    return "n/a" if value is None else f"{value:.0%}"


def when(moment: datetime | str | None) -> str:
    """A date (and time, when it has one) in UTC, ``undated`` when unknown.

    >>> when(datetime(2016, 10, 11, tzinfo=UTC))
    '2016-10-11'
    """
    moment = as_utc(moment)
    if moment is None:
        return "undated"
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line, at most ``limit`` characters, cut at a word boundary.

    >>> excerpt("a  b\\n c", 10)
    'a b c'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit - 1)
    return flat[: cut if cut > limit // 2 else limit - 1] + "…"


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) and can be put in an href, else None (``javascript:`` etc.).

    >>> safe_url("https://example.com/a?b=1"), safe_url("javascript:alert(1)"), safe_url("a.txt")
    ('https://example.com/a?b=1', None, None)
    """
    if not url:
        return None
    candidate = url.strip()
    lowered = candidate.lower()
    if not lowered.startswith(("http://", "https://")):
        return None
    if any(character.isspace() or ord(character) < 32 for character in candidate):
        return None
    return candidate


def run_summary(run: dict[str, Any]) -> str:
    """One line about a pipeline run (``Store.runs()`` rows; unknown keys are ignored).

    >>> run_summary({"run_id": 3, "status": "completed", "counts": {"documents_new": 5}})
    'run 3, completed; documents new 5'
    """
    head = f"run {run.get('run_id', '?')}"
    if run.get("status"):
        head += f", {run['status']}"
    finished = as_utc(run.get("finished_at") or run.get("started_at"))
    if finished is not None:
        head += f" {when(finished)}"
    started = as_utc(run.get("started_at"))
    if started is not None and as_utc(run.get("finished_at")) is not None:
        head += f" in {(as_utc(run['finished_at']) - started).total_seconds():.1f} s"
    counts = run.get("counts")
    if isinstance(counts, dict) and counts:
        head += "; " + ", ".join(
            f"{str(key).replace('_', ' ')} {value}" for key, value in counts.items()
        )
    versions = run.get("versions")
    if isinstance(versions, dict) and versions.get("wiretrace"):
        head += f"; wiretrace {versions['wiretrace']}"
    return head


# ---- the report -----------------------------------------------------------------------------


@dataclass
class Link:
    """A link to a document page, with what a reader needs to recognise the document."""

    title: str
    href: str
    outlet: str
    published: str


class HtmlReport:
    """Renders every page of one report; one instance per :func:`reports.write_report` call."""

    def __init__(self, data: ReportData, generated_at: datetime | None = None) -> None:
        self.data = data
        self.env = environment()
        self.palette = Palette(data.origin_labels_ranked, UNKNOWN_ORIGIN)
        self.generated = when(generated_at or datetime.now(UTC).replace(microsecond=0))
        self.common = {
            "css": stylesheet(),
            "csp": CSP,
            "generated": self.generated,
            "source": data.source,
            "script": SCRIPT_NAME,
        }
        self._titles = {row.uri: document_title(row) for row in data.documents}
        self._links: dict[tuple[str, str], Link] = {}
        self._segments: dict[int, list[Segment]] = {}

    # -- links --

    def doc_href(self, uri: str, root: str) -> str | None:
        document = self.data.document_by_uri.get(uri)
        return f"{root}docs/{document.document_id}.html" if document is not None else None

    def doc_link(self, uri: str, root: str) -> Link:
        """The link to a document (cached: a document is linked from many pages)."""
        key = (uri, root)
        link = self._links.get(key)
        if link is None:
            link = Link(
                title=self._titles.get(uri, uri),
                href=self.doc_href(uri, root) or "",
                outlet=self.data.outlet_of(uri),
                published=when(self.data.published_at(uri)),
            )
            self._links[key] = link
        return link

    def origin_chip(self, cluster_id: int) -> dict[str, str]:
        label = self.data.origin_label(cluster_id)
        return {"label": label, "css": self.palette.css_class(label)}

    # -- pages --

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**self.common, **context)

    def document_page(self, document: DocumentRow) -> str:
        data = self.data
        root = "../"
        occurrences = data.lineage_by_uri.get(document.uri, [])
        marks = []
        passages = []
        for number, occurrence in enumerate(occurrences, start=1):
            chip = self.origin_chip(occurrence.cluster_id)
            copies = data.lineage_by_cluster.get(occurrence.cluster_id, [])
            # Links for the first few only: a wire passage can sit in thousands of documents.
            # (The contract allows one occurrence per document per cluster.)
            others = [
                self.doc_link(other.uri, root)
                for other in islice(
                    (row for row in copies if row.uri != document.uri), OTHERS_LINKED
                )
            ]
            n_others = max(0, len(copies) - 1)
            title = f"from {chip['label']} · shared by {n_others + 1} documents · passage {occurrence.cluster_id}"
            href = f"{root}clusters/{occurrence.cluster_id}.html"
            marks.append(
                Mark(occurrence.start_char, occurrence.end_char, chip["css"], href, title, number)
            )
            parent = data.occurrence_by_id.get(occurrence.parent_occurrence_id or -1)
            passages.append(
                {
                    "number": number,
                    "cluster_id": occurrence.cluster_id,
                    "href": href,
                    "chip": chip,
                    "row": occurrence,
                    "others": others,
                    "n_others": n_others,
                    "parent": self.doc_link(parent.uri, root) if parent is not None else None,
                    "origin_doc": self._origin_doc(occurrence.cluster_id, root),
                }
            )
        folds = [
            Fold(row.start_char, row.end_char, row.kind)
            for row in data.boilerplate_by_uri.get(document.uri, [])
        ]
        quotes = [
            {
                "row": quote,
                "variant_of": self._quote_source(quote.variant_of, document.uri, root),
            }
            for quote in data.quotes_by_uri.get(document.uri, [])
        ]
        legend_labels = []
        for passage in passages:
            if passage["chip"] not in legend_labels:
                legend_labels.append(passage["chip"])
        numbers = {passage["row"].occurrence_id: passage["number"] for passage in passages}
        boilerplate = data.boilerplate_by_uri.get(document.uri, [])
        return self.render(
            "document.html",
            root=root,
            page_title=self._titles[document.uri],
            doc=document,
            title=self._titles[document.uri],
            credits=split_credits(document.wire_credits),
            url=safe_url(document.uri),
            published=when(document.published_at),
            share_bar=charts.share_bar(document.original_share),
            strip=self._coverage_strip(document, numbers),
            text_length=len(document.text),
            text_html=highlighted_text(document.text, marks, folds),
            passages=passages,
            legend=legend_labels,
            quotes=quotes,
            boilerplate=boilerplate,
            boilerplate_chars=sum(row.end_char - row.start_char for row in boilerplate),
        )

    def _origin_doc(self, cluster_id: int, root: str) -> Link | None:
        kind, uri, _, _ = self.data.origin_of_cluster(cluster_id)
        if kind == "document" and uri:
            return self.doc_link(uri, root)
        return None

    def _quote_source(self, quote_id: int | None, own_uri: str, root: str) -> Link | None:
        source = self.data.quote_by_id.get(quote_id) if quote_id is not None else None
        if source is None or source.uri == own_uri:
            return None
        return self.doc_link(source.uri, root)

    def cluster_page(self, cluster_id: int) -> str:
        data = self.data
        root = "../"
        occurrences = data.lineage_by_cluster.get(cluster_id, [])
        kind, origin_uri, origin_source, confidence = data.origin_of_cluster(cluster_id)
        reference = _reference_occurrence(occurrences)
        evidence = _distinct(
            [row.evidence for row in occurrences if row.is_origin and row.evidence]
            + [row.evidence for row in occurrences if row.evidence]
        )[:EVIDENCE_SHOWN]
        cards, overflow = self._variant_cards(reference, occurrences, root, set(evidence))
        cluster = data.cluster_by_id.get(cluster_id)
        outlets = {data.outlet_of(row.uri) for row in occurrences}
        first = min(
            (data.published_at(row.uri) for row in occurrences if data.published_at(row.uri)),
            default=None,
        )
        return self.render(
            "cluster.html",
            root=root,
            page_title=f"Passage {cluster_id}",
            cluster_id=cluster_id,
            text=data.cluster_text(cluster_id),
            origin_chip=self.origin_chip(cluster_id),
            kind=kind,
            origin_doc=self.doc_link(origin_uri, root)
            if kind == "document" and origin_uri
            else None,
            origin_source=origin_source,
            confidence=confidence,
            evidence=evidence,
            n_documents=cluster.n_documents if cluster else len({row.uri for row in occurrences}),
            n_outlets=cluster.n_outlets if cluster else len(outlets),
            first_published=when(
                cluster.first_published if cluster and cluster.first_published else first
            ),
            cards=cards,
            overflow=overflow,
        )

    def _variant_cards(
        self,
        reference: LineageRow | None,
        occurrences: list[LineageRow],
        root: str,
        evidence_shown: set[str],
    ) -> tuple[list[dict[str, Any]], list[Link]]:
        """One card per distinct wording (identical copies share a card), reference first."""
        if reference is None:
            return [], []
        by_wording: dict[str, list[LineageRow]] = {}
        for row in occurrences:
            by_wording.setdefault(" ".join(row.text.split()), []).append(row)
        reference_key = " ".join(reference.text.split())
        ordered = [reference_key] + [key for key in by_wording if key != reference_key]
        cards = []
        for key in ordered[:MAX_VARIANT_CARDS]:
            rows = by_wording[key]
            if key == reference_key:
                rows = [reference] + [row for row in rows if row is not reference]
            first = rows[0]
            parent = self.data.occurrence_by_id.get(first.parent_occurrence_id or -1)
            diff = None if key == reference_key else word_diff(reference.text, first.text)
            cards.append(
                {
                    "is_reference": key == reference_key,
                    "row": first,
                    "doc": self.doc_link(first.uri, root),
                    "diff": diff,
                    "parent": self.doc_link(parent.uri, root) if parent is not None else None,
                    "identical": [self.doc_link(row.uri, root) for row in rows[1:]],
                    # Evidence already in the origin box is not repeated on every card.
                    "evidence": "" if first.evidence.strip() in evidence_shown else first.evidence,
                }
            )
        overflow = [
            self.doc_link(row.uri, root)
            for key in ordered[MAX_VARIANT_CARDS:]
            for row in by_wording[key]
        ]
        return cards, overflow

    def index_page(self, list_pages: int, passage_pages: int) -> str:
        data = self.data
        root = ""
        ranked = data.ranked_clusters()
        top = [
            {
                "cluster_id": cluster_id,
                "text": data.cluster_text(cluster_id),
                "chip": self.origin_chip(cluster_id),
                "size": data.cluster_size(cluster_id),
                "outlets": len(
                    {data.outlet_of(row.uri) for row in data.lineage_by_cluster.get(cluster_id, [])}
                ),
                "confidence": data.origin_of_cluster(cluster_id)[3],
                "origin_doc": self._origin_doc(cluster_id, root),
            }
            for cluster_id in ranked[:TOP_PASSAGES]
        ]
        shares = [row.original_share for row in data.documents if row.original_share is not None]
        outlets = self._outlet_rows()
        most_reused = sorted(
            data.documents,
            key=lambda row: (
                row.original_share if row.original_share is not None else 2.0,
                row.uri,
            ),
        )[:TOP_DOCUMENTS]
        return self.render(
            "index.html",
            root=root,
            page_title="Provenance report",
            data=data,
            n_occurrences=len(data.lineage),
            median_share=data.median_original_share(),
            top=top,
            n_clusters=len(data.cluster_ids),
            heat_map=self._heat_map(),
            outlets=outlets,
            stacked=self._stacked_bars(outlets),
            n_stacked=min(STACKED_OUTLETS, len(outlets)),
            categories=[
                (CATEGORY_NAMES[category], charts.CATEGORY_COLOURS[category])
                for category in CATEGORIES
            ],
            agencies=self._agency_rows(),
            histogram=charts.share_histogram(shares) if shares else Markup(""),
            timeline=self._timeline(ranked[:TIMELINE_ROWS]),
            documents=[self._document_row(row, root) for row in most_reused],
            list_pages=list_pages,
            passage_pages=passage_pages,
            legend=self.palette.legend(),
            last_run=run_summary(data.runs[-1]) if data.runs else None,
            changed_quotes=self._changed_quotes(root, CHANGED_QUOTES_SHOWN),
            n_changed_quotes=len(changed_quotes(data)),
            csv_fields=OCCURRENCE_FIELDS,
        )

    def _changed_quotes(self, root: str, limit: int) -> list[dict[str, Any]]:
        """Quotations whose words differ from the origin's wording, the variant diffed against it;
        the same changed wording in several documents is one row."""
        groups: dict[tuple[int, str], list[QuoteRow]] = {}
        for quote in changed_quotes(self.data):
            key = (quote.variant_of, " ".join(quote.text.split()))
            groups.setdefault(key, []).append(quote)
        items = []
        for quotes in list(groups.values())[:limit]:
            quote = quotes[0]
            source = self.data.quote_by_id[quote.variant_of]
            items.append(
                {
                    "row": quote,
                    "doc": self.doc_link(quote.uri, root),
                    "n_more": len({other.uri for other in quotes[1:]} - {quote.uri}),
                    "source": self.doc_link(source.uri, root),
                    "diff": word_diff(source.text, quote.text).html,
                }
            )
        return items

    def _document_row(self, document: DocumentRow, root: str) -> dict[str, Any]:
        published = as_utc(document.published_at)
        return {
            "doc": document,
            "title": self._titles[document.uri],
            "href": f"{root}docs/{document.document_id}.html",
            "published": when(document.published_at),
            # Sort keys: ISO dates sort as text; undated last.
            "published_key": published.isoformat() if published else "9999",
            "outlet": self.data.outlet_of(document.uri),
            "passages": len(self.data.lineage_by_uri.get(document.uri, [])),
        }

    def documents_data(self) -> str:
        """``documents-data.js``: every document of the list pages, for the script's filter and
        sort over all pages (``file://`` pages cannot fetch a JSON file, but may load a script).
        Columns: id, title, uri, outlet, published (shown), published (sort key), original
        share, reused passages, credits."""
        rows = sorted(self.data.documents, key=lambda row: (self.data.sort_date(row.uri), row.uri))
        records = []
        for document in rows:
            row = self._document_row(document, "")
            records.append(
                [
                    document.document_id,
                    row["title"],
                    document.uri,
                    row["outlet"],
                    row["published"],
                    row["published_key"],
                    None if document.original_share is None else round(document.original_share, 4),
                    row["passages"],
                    document.wire_credits or "",
                ]
            )
        # ensure_ascii: the file is plain ASCII whatever charset a browser assumes for it.
        payload = json.dumps({"pageSize": PAGE_SIZE, "documents": records}, ensure_ascii=True)
        # Markup characters as JSON escapes: the data stays inert even if pasted into a page.
        for character, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            payload = payload.replace(character, escaped)
        return f"window.wiretraceDocuments = {payload};\n"

    def document_list_page(self, page: int, pages: int) -> str:
        rows = sorted(self.data.documents, key=lambda row: (self.data.sort_date(row.uri), row.uri))
        chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return self.render(
            "documents.html",
            root="",
            page_title=f"Documents, page {page} of {pages}",
            documents=[self._document_row(row, "") for row in chunk],
            page=page,
            pages=pages,
            total=len(rows),
        )

    def passage_list_page(self, page: int, pages: int) -> str:
        ranked = self.data.ranked_clusters()
        chunk = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return self.render(
            "passages.html",
            root="",
            page_title=f"Reused passages, page {page} of {pages}",
            passages=[
                {
                    "cluster_id": cluster_id,
                    "text": self.data.cluster_text(cluster_id),
                    "chip": self.origin_chip(cluster_id),
                    "size": self.data.cluster_size(cluster_id),
                    "confidence": self.data.origin_of_cluster(cluster_id)[3],
                }
                for cluster_id in chunk
            ],
            page=page,
            pages=pages,
            total=len(ranked),
        )

    # -- corpus figures --

    def segments(self, document: DocumentRow) -> list[Segment]:
        """The document's characters by kind (cached: the corpus page and the document's page
        both need them)."""
        cached = self._segments.get(document.document_id)
        if cached is None:
            cached = document_segments(
                document,
                self.data.lineage_by_uri.get(document.uri, []),
                self.data.boilerplate_by_uri.get(document.uri, []),
            )
            self._segments[document.document_id] = cached
        return cached

    def _taken(self) -> tuple[dict[str, Counter[str]], dict[str, dict[str, set[int]]]]:
        """Characters each outlet's documents took from each origin (the copies' characters as
        highlighted: boilerplate and the origin's own copies left out, overlaps counted once),
        and the passages they are in."""
        characters: dict[str, Counter[str]] = defaultdict(Counter)
        passages: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for document in self.data.documents:
            outlet = self.data.outlet_of(document.uri)
            for segment in self.segments(document):
                if segment.occurrence is None or segment.category == ORIGINAL:
                    continue
                origin = self.data.origin_label(segment.occurrence.cluster_id)
                characters[outlet][origin] += segment.length
                passages[outlet][origin].add(segment.occurrence.cluster_id)
        return characters, passages

    def _heat_map(self) -> Markup:
        """Who takes from whom: the outlets that took most (rows) by the origins they took most
        from (columns), in characters; the rest summed in an "others" row and column."""
        characters, passages = self._taken()
        if not characters:
            return Markup("")
        origin_totals: Counter[str] = Counter()
        for per_origin in characters.values():
            origin_totals.update(per_origin)
        outlet_totals = {outlet: sum(per.values()) for outlet, per in characters.items()}
        outlets = sorted(outlet_totals, key=lambda outlet: (-outlet_totals[outlet], outlet))
        origins = sorted(origin_totals, key=lambda origin: (-origin_totals[origin], origin))
        shown_outlets, rest_outlets = _top_and_rest(outlets, MATRIX_OUTLETS)
        shown_origins, rest_origins = _top_and_rest(origins, MATRIX_ORIGINS)
        other_row = f"other outlets ({len(rest_outlets)})" if rest_outlets else None
        other_column = f"other origins ({len(rest_origins)})" if rest_origins else None
        cells: dict[tuple[str, str], charts.HeatCell] = {}
        for outlet in outlets:
            row = outlet if outlet in shown_outlets else other_row
            for origin, count in characters[outlet].items():
                column = origin if origin in shown_origins else other_column
                cell = cells.setdefault((row, column), charts.HeatCell(0, 0))
                cell.characters += count
                cell.passages += len(passages[outlet][origin])
        row_totals = {outlet: outlet_totals[outlet] for outlet in shown_outlets}
        if other_row:
            row_totals[other_row] = sum(outlet_totals[outlet] for outlet in rest_outlets)
        return charts.heat_map(
            charts.HeatMap(
                rows=shown_outlets + ([other_row] if other_row else []),
                columns=shown_origins + ([other_column] if other_column else []),
                cells=cells,
                row_totals=row_totals,
                summed_row=other_row,
                summed_column=other_column,
            )
        )

    def _outlet_rows(self) -> list[dict[str, Any]]:
        """Every outlet (no cut-off: the table scrolls and sorts), with the make-up of its text."""
        by_outlet: dict[str, list[DocumentRow]] = defaultdict(list)
        for row in self.data.documents:
            by_outlet[self.data.outlet_of(row.uri)].append(row)
        copied: Counter[str] = Counter()
        originated: Counter[str] = Counter()
        sources: dict[str, Counter[str]] = defaultdict(Counter)
        for row in self.data.lineage:
            outlet = self.data.outlet_of(row.uri)
            if row.is_origin:
                originated[outlet] += 1
            else:
                copied[outlet] += 1
                sources[outlet][self.data.origin_label(row.cluster_id)] += 1
        rows = []
        for outlet, documents in by_outlet.items():
            shares = [row.original_share for row in documents if row.original_share is not None]
            main = sources[outlet].most_common(1)
            made_of: Counter[str] = Counter()
            for document in documents:
                made_of.update(composition(self.segments(document)))
            total = sum(made_of.values())
            rows.append(
                {
                    "outlet": outlet,
                    "documents": len(documents),
                    "median_share": statistics.median(shares) if shares else None,
                    "copied": copied[outlet],
                    "originated": originated[outlet],
                    "main_source": main[0][0] if main else None,
                    "characters": made_of,
                    "parts": {
                        category: made_of[category] / total if total else None
                        for category in CATEGORIES
                    },
                }
            )
        rows.sort(key=lambda row: (-row["documents"], row["outlet"]))
        return rows

    def _stacked_bars(self, outlet_rows: list[dict[str, Any]]) -> Markup:
        """The biggest outlets' text by kind, least original first."""
        biggest = [row for row in outlet_rows if sum(row["characters"].values())]
        biggest = biggest[:STACKED_OUTLETS]
        biggest.sort(key=lambda row: (row["parts"][ORIGINAL] or 0.0, row["outlet"]))
        return charts.stacked_bars(
            [
                charts.StackedBar(
                    label=row["outlet"],
                    parts=dict(row["characters"]),
                    note=f"{row['documents']} doc{'s' if row['documents'] != 1 else ''}",
                )
                for row in biggest
            ],
            CATEGORY_NAMES,
        )

    def _coverage_strip(self, document: DocumentRow, numbers: dict[int, int]) -> Markup:
        """The document's characters as one bar, runs coloured as the highlights are."""
        parts = []
        for segment in self.segments(document):
            span = f"characters {segment.start_char}–{segment.end_char}"
            if segment.category == BOILERPLATE:
                parts.append(
                    charts.StripPart(
                        segment.start_char,
                        segment.end_char,
                        STRIP_BOILERPLATE,
                        f"{span}: boilerplate (not counted)",
                        thin=True,
                    )
                )
            elif segment.occurrence is None:
                continue  # original text: the strip's white ground
            else:
                occurrence = segment.occurrence
                label = self.data.origin_label(occurrence.cluster_id)
                number = numbers.get(occurrence.occurrence_id)
                what = "first published here" if segment.category == ORIGINAL else f"from {label}"
                parts.append(
                    charts.StripPart(
                        segment.start_char,
                        segment.end_char,
                        self.palette.colour(label),
                        f"{span}: {what} (passage {occurrence.cluster_id})",
                        href=f"#p{number}" if number else None,
                    )
                )
        return charts.coverage_strip(parts, len(document.text))

    def _agency_rows(self) -> list[dict[str, Any]]:
        crediting: Counter[str] = Counter()
        for row in self.data.documents:
            for credit in set(split_credits(row.wire_credits)):
                crediting[credit] += 1
        passages: Counter[str] = Counter()
        copies: Counter[str] = Counter()
        for cluster_id in self.data.cluster_ids:
            kind, _, source, _ = self.data.origin_of_cluster(cluster_id)
            if kind == "external" and source:
                passages[source] += 1
                copies[source] += len(self.data.lineage_by_cluster.get(cluster_id, []))
        return [
            {
                "agency": agency,
                "crediting": crediting[agency],
                "passages": passages[agency],
                "copies": copies[agency],
                "css": self.palette.css_class(agency),
            }
            for agency in sorted(
                self.data.agencies, key=lambda name: (-passages[name], -crediting[name], name)
            )
        ]

    def _timeline(self, cluster_ids: list[int]) -> Markup:
        rows = []
        for cluster_id in cluster_ids:
            moments = [
                (moment, self.data.outlet_of(row.uri))
                for row in self.data.lineage_by_cluster.get(cluster_id, [])
                if (moment := self.data.published_at(row.uri)) is not None
            ]
            if not moments:
                continue
            rows.append(
                charts.TimelineRow(
                    label=excerpt(self.data.cluster_text(cluster_id), 40),
                    href=f"clusters/{cluster_id}.html",
                    colour=_darker(self.palette.colour(self.data.origin_label(cluster_id))),
                    moments=moments,
                )
            )
        return charts.timeline(rows)


def _top_and_rest(names: list[str], limit: int) -> tuple[list[str], list[str]]:
    """The first ``limit`` names and the rest; when only one would be left over, it is shown
    (an "others (1)" row hides a name to save no room).

    >>> _top_and_rest(["a", "b", "c"], 2)
    (['a', 'b', 'c'], [])
    >>> _top_and_rest(["a", "b", "c", "d"], 2)
    (['a', 'b'], ['c', 'd'])
    """
    if len(names) <= limit + 1:
        return list(names), []
    return names[:limit], names[limit:]


def changed_quotes(data: ReportData) -> list[QuoteRow]:
    """Quotations that changed on the way (not identical, not style only), worst change first."""
    rank = {kind: position for position, kind in enumerate(CHANGED_QUOTE_KINDS)}
    changed = [
        quote
        for quote in data.quotes
        if quote.edit_kind in rank
        and quote.variant_of is not None
        and quote.variant_of != quote.quote_id
        and quote.variant_of in data.quote_by_id
    ]
    return sorted(
        changed, key=lambda quote: (rank[quote.edit_kind], quote.cluster_id or 0, quote.quote_id)
    )


def _reference_occurrence(occurrences: list[LineageRow]) -> LineageRow | None:
    """The origin's copy if the corpus holds it, else the earliest (occurrences come sorted)."""
    for row in occurrences:
        if row.is_origin:
            return row
    return occurrences[0] if occurrences else None


def _distinct(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item.strip(), None)
    return [item for item in seen if item]


def _darker(colour: str, factor: float = 0.72) -> str:
    """A darker shade of a ``#rrggbb`` colour, for lines drawn in an origin's colour.

    >>> _darker("#ffffff")
    '#b7b7b7'
    """
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return "#" + "".join(f"{int(channel * factor):02x}" for channel in (red, green, blue))


def pages_needed(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))


def write_html(data: ReportData, out_dir: Path, generated_at: datetime | None = None) -> list[Path]:
    """Write index.html, documents*.html, passages*.html, docs/<id>.html and clusters/<id>.html."""
    report = HtmlReport(data, generated_at)
    docs_dir, clusters_dir = out_dir / "docs", out_dir / "clusters"
    docs_dir.mkdir(parents=True, exist_ok=True)
    clusters_dir.mkdir(parents=True, exist_ok=True)
    list_pages = pages_needed(len(data.documents))
    passage_pages = pages_needed(len(data.cluster_ids))
    pages = [
        (out_dir / SCRIPT_NAME, script),
        (out_dir / DOCUMENTS_DATA_NAME, report.documents_data),
        (out_dir / "index.html", lambda: report.index_page(list_pages, passage_pages)),
        *(
            (
                out_dir / list_page_name("documents", page),
                partial(report.document_list_page, page, list_pages),
            )
            for page in range(1, list_pages + 1)
        ),
        *(
            (
                out_dir / list_page_name("passages", page),
                partial(report.passage_list_page, page, passage_pages),
            )
            for page in range(1, passage_pages + 1)
        ),
        *(
            (docs_dir / f"{row.document_id}.html", partial(report.document_page, row))
            for row in data.documents
        ),
        *(
            (clusters_dir / f"{cid}.html", partial(report.cluster_page, cid))
            for cid in data.cluster_ids
        ),
    ]
    # Creating thousands of small files waits on the file system more than on the CPU: a few
    # writer threads overlap that wait with rendering the next page; at most PENDING_WRITES
    # rendered pages wait in memory. result() re-raises a write error (disk full, permissions).
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as writers:
        pending: deque[Future[int]] = deque()
        for path, render in pages:
            pending.append(writers.submit(path.write_text, render(), encoding="utf-8"))
            while len(pending) > PENDING_WRITES:
                pending.popleft().result()
        for future in pending:
            future.result()
    return [path for path, _ in pages]


def script() -> str:
    """The report's script (our own file from ``reports/static``, no user text)."""
    return resources.files("reports").joinpath(f"static/{SCRIPT_NAME}").read_text(encoding="utf-8")


def list_page_name(stem: str, page: int) -> str:
    """File name of page ``page`` of a paginated list.

    >>> list_page_name("documents", 1), list_page_name("documents", 2)
    ('documents.html', 'documents-2.html')
    """
    return f"{stem}.html" if page == 1 else f"{stem}-{page}.html"
