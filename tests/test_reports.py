"""Reports render what storage returns: HTML pages, report.md, lineage.json/csv, PROV-JSON.

The rows are built by hand from the real seed articles, with the wire passages issue 2 describes
(two Associated Press quotes shared by 000 and 001, two Bloomberg quotes shared by 001 and 002),
located with ``str.find`` so that ``text[start_char:end_char]`` is the passage, as the contract
says. A hostile document carries script, event-handler and ``javascript:`` payloads.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import re
import resource
import shutil
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports import (
    ReportData,
    document_lineage_text,
    export_prov_json,
    summary_markdown,
    summary_table,
    write_report,
)
from reports.markup import Fold, Mark, highlighted_text, word_diff
from reports.tabular import OCCURRENCE_FIELDS
from storage.records import BoilerplateRow, ClusterRow, DocumentRow, LineageRow, QuoteRow

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():  # a clone next to the shared folder, or the main checkout
    SEEDS = Path("/work/shared/seeds")

HOSTILE_TEXT = (
    "Breaking <script>document.title='PWNED'</script> news.\n"
    "Officials said <img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> nothing.\n"
    'Read more at javascript:alert(document.domain) or <a href="javascript:alert(1)">here</a>.\n'
    "The illusion of invulnerability and impunity under the guise of missile defense will "
    "encourage Washington <b onmouseover=alert(1)>to make</b> unilateral steps.\n"
)
HOSTILE_OUTLET = "<i>Evil</i> & Co [home](javascript:alert(1))"


def _seed(name_prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{name_prefix}_*.txt"))
    return str(path), path.read_text(encoding="utf-8")


def _span(text: str, start_words: str, end_words: str) -> tuple[int, int]:
    start = text.index(start_words)
    end = text.index(end_words, start) + len(end_words)
    return start, end


class _Rows:
    """Builds consistent view rows: ids, texts, occurrences, clusters."""

    def __init__(self) -> None:
        self.documents: list[DocumentRow] = []
        self.lineage: list[LineageRow] = []
        self.clusters: list[ClusterRow] = []
        self.boilerplate: list[BoilerplateRow] = []
        self.quotes: list[QuoteRow] = []

    def document(
        self, uri, text, title, outlet, published, credits=None, share=None
    ) -> DocumentRow:
        row = DocumentRow(
            len(self.documents) + 1, uri, title, outlet, None, published, text, text, share, credits
        )
        self.documents.append(row)
        return row

    def strip(self, document: DocumentRow, start: int, end: int, kind: str) -> None:
        self.boilerplate.append(
            BoilerplateRow(
                document.document_id, document.uri, start, end, kind, document.text[start:end]
            )
        )

    def cluster(
        self,
        copies,
        origin_kind,
        origin_uri,
        origin_source,
        confidence,
        evidence,
        origin_index=None,
    ):
        """``copies``: [(document, start, end)], first = earliest; ``origin_index`` marks the origin copy."""
        cluster_id = len(self.clusters) + 1
        ids = []
        for index, (document, start, end) in enumerate(copies):
            occurrence_id = len(self.lineage) + 1
            parent = (
                ids[origin_index] if origin_index is not None and index != origin_index else None
            )
            self.lineage.append(
                LineageRow(
                    occurrence_id,
                    cluster_id,
                    document.document_id,
                    document.uri,
                    start,
                    end,
                    document.text[start:end],
                    index == origin_index,
                    parent,
                    origin_kind,
                    origin_uri,
                    origin_source,
                    confidence,
                    evidence,
                )
            )
            ids.append(occurrence_id)
        dates = [document.published_at for document, _, _ in copies if document.published_at]
        first_document, first_start, first_end = copies[origin_index or 0]
        self.clusters.append(
            ClusterRow(
                cluster_id,
                len(copies),
                len({document.outlet for document, _, _ in copies}),
                min(dates) if dates else None,
                origin_kind,
                origin_uri,
                origin_source,
                confidence,
                first_document.text[first_start:first_end],
            )
        )
        return ids

    def data(self) -> ReportData:
        self._fill_clean_text()
        return ReportData(
            documents=self.documents,
            boilerplate=self.boilerplate,
            lineage=self.lineage,
            clusters=self.clusters,
            quotes=self.quotes,
            runs=[{"run_id": 1, "documents": len(self.documents), "clusters": len(self.clusters)}],
            source="sqlite:///test.db",
        )

    def _fill_clean_text(self) -> None:
        for document in self.documents:
            spans = sorted(
                (row.start_char, row.end_char)
                for row in self.boilerplate
                if row.uri == document.uri
            )
            kept, cursor = [], 0
            for start, end in spans:
                kept.append(document.text[cursor:start])
                cursor = max(cursor, end)
            kept.append(document.text[cursor:])
            document.clean_text = "".join(kept)
            covered = sum(
                row.end_char - row.start_char for row in self.lineage if row.uri == document.uri
            )
            document.original_share = max(0.0, 1 - covered / max(1, len(document.clean_text)))


def seed_rows(hostile: bool = True) -> _Rows:
    rows = _Rows()
    uri0, text0 = _seed("000")
    uri1, text1 = _seed("001")
    uri2, text2 = _seed("002")
    uri3, text3 = _seed("003")
    uri4, text4 = _seed("004")
    dw = rows.document(
        uri0,
        text0,
        text0.splitlines()[0],
        "DW",
        datetime(2016, 10, 11, 9, 30, tzinfo=UTC),
        "Associated Press,AFP",
    )
    epoch = rows.document(
        uri1,
        text1,
        None,
        None,
        datetime(2016, 10, 12, 4, 0, tzinfo=UTC),
        "Associated Press,Bloomberg,Reuters",
    )
    ai = rows.document(
        uri2,
        text2,
        "Russia, China Warn U.S. About Missile Defense",
        "The American Interest",
        datetime(2016, 10, 12, 15, 0, tzinfo=UTC),
        "Bloomberg",
    )
    rows.document(
        uri3,
        text3,
        "China, Russia oppose THAAD",
        "Global Times",
        datetime(2017, 10, 13, 23, 3, tzinfo=UTC),
    )
    rows.document(uri4, text4, "Russia, China Consider Joint Missile Defense", None, None)

    rows.strip(ai, 0, text2.index("\n") + 1, "navigation")
    comments = text2.index("  • Angel Martin")
    footer = text2.index("© The American Interest")
    rows.strip(ai, comments, footer, "comments")
    rows.strip(ai, footer, len(text2), "footer")
    rows.strip(dw, text0.index("es/jm (AP, AFP)"), len(text0), "byline")

    ap_evidence = "001 says 'reported The Associated Press'; 000 signs off '(AP, AFP)'; no corpus copy is earlier"
    experts = "Russian military experts believe", "with impunity"
    gladiators = "If one of the gladiators", "particularly if he strikes first"
    rows.cluster(
        [(dw, *_span(text0, *experts)), (epoch, *_span(text1, *experts))],
        "external",
        None,
        "Associated Press",
        0.86,
        ap_evidence,
    )
    rows.cluster(
        [(dw, *_span(text0, *gladiators)), (epoch, *_span(text1, *gladiators))],
        "external",
        None,
        "Associated Press",
        0.83,
        ap_evidence,
    )
    working = "We are working together", "security of our countries"
    rows.cluster(
        [(epoch, *_span(text1, *working)), (ai, *_span(text2, *working))],
        "external",
        None,
        "Bloomberg",
        0.74,
        "both credit Bloomberg ('reported Bloomberg', 'Bloomberg:')",
    )
    illusion = "The illusion of invulnerability", "to preempt enemy actions"
    # Up to the punctuation after the quote: 001 has a comma, 002 a full stop.
    start1, end1 = _span(text1, *illusion)
    start2, end2 = _span(text2, *illusion)
    copies = [(epoch, start1, end1 + 1), (ai, start2, end2 + 1)]
    if hostile:
        evil = rows.document(
            "javascript:alert(document.domain)",
            HOSTILE_TEXT,
            "<script>alert('title')</script>",
            HOSTILE_OUTLET,
            datetime(2016, 10, 13, tzinfo=UTC),
        )
        copies.append(
            (evil, *_span(HOSTILE_TEXT, "The illusion of invulnerability", "unilateral steps"))
        )
        rows.strip(evil, 0, HOSTILE_TEXT.index("\n") + 1, "promo")
    rows.cluster(
        copies,
        "document",
        uri1,
        None,
        0.61,
        "001 published 11 h before 002; 002 contains 001's wording",
        origin_index=0,
    )

    quote_001 = _span(text1, "We are working together", "security of our countries")
    quote_002 = _span(text2, "We are working together", "security of our countries")
    rows.quotes.append(
        QuoteRow(
            1,
            epoch.document_id,
            uri1,
            *quote_001,
            text1[slice(*quote_001)],
            "Viktor Poznikhir",
            1,
            None,
            "identical",
        )
    )
    rows.quotes.append(
        QuoteRow(
            2,
            ai.document_id,
            uri2,
            *quote_002,
            text2[slice(*quote_002)],
            "Viktor Poznikhir",
            1,
            1,
            "identical",
        )
    )
    # The hostile page quotes the first half of 001's second Bloomberg quotation.
    quote_003 = (start1, end1)
    rows.quotes.append(
        QuoteRow(
            3,
            epoch.document_id,
            uri1,
            *quote_003,
            text1[slice(*quote_003)],
            "Viktor Poznikhir",
            2,
            None,
            "identical",
        )
    )
    if hostile:
        cut = _span(HOSTILE_TEXT, "The illusion of invulnerability", "encourage Washington")
        rows.quotes.append(
            QuoteRow(
                4,
                evil.document_id,
                evil.uri,
                *cut,
                HOSTILE_TEXT[slice(*cut)],
                None,
                2,
                3,
                "truncated",
            )
        )
    return rows


@pytest.fixture(scope="module")
def data() -> ReportData:
    return seed_rows().data()


@pytest.fixture(scope="module")
def report(tmp_path_factory, data) -> Path:
    out = tmp_path_factory.mktemp("report")
    write_report(data, out)
    return out


# ---- HTML helpers ---------------------------------------------------------------------------


class _TextOf(HTMLParser):
    """Collects the visible text inside ``div.text`` (skipping fold labels and reference numbers),
    the text of each reuse link by href, and every tag's attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside div.text when > 0
        self.skip = 0
        self.text: list[str] = []
        self.reuse: dict[str, list[str]] = {}
        self.current_reuse: str | None = None
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "summary" or "ref" in classes:
                self.skip += 1
            if tag == "a" and "reuse" in classes:
                self.current_reuse = attributes["href"]
                self.reuse.setdefault(self.current_reuse, []).append("")
        elif tag == "div" and "text" in classes:
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "div":
            self.depth -= 1
        if tag in ("summary", "a") and self.skip:
            self.skip -= 1
        elif tag == "a":
            self.current_reuse = None

    def handle_data(self, chunk):
        if self.depth and not self.skip:
            self.text.append(chunk)
            if self.current_reuse:
                self.reuse[self.current_reuse][-1] += chunk


def parse_page(path: Path) -> _TextOf:
    parser = _TextOf()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ---- the report folder ------------------------------------------------------------------------


def test_write_report_writes_every_page_and_file(tmp_path, data):
    written = write_report(data, tmp_path / "out")
    names = {path.relative_to(tmp_path / "out").as_posix() for path in written}
    assert {
        "index.html",
        "report.md",
        "lineage.json",
        "lineage.csv",
        "documents.html",
        "passages.html",
    } <= names
    assert {f"docs/{row.document_id}.html" for row in data.documents} <= names
    assert {f"clusters/{row.cluster_id}.html" for row in data.clusters} <= names
    assert all(path.is_file() and path.stat().st_size > 0 for path in written)


def test_document_page_shows_the_whole_text_with_each_passage_highlighted(report, data):
    for document in data.documents:
        page = parse_page(report / "docs" / f"{document.document_id}.html")
        # Every character of the text is on the page, in order (boilerplate inside <details>).
        assert "".join(page.text) == document.text
        for occurrence in data.lineage_by_uri.get(document.uri, []):
            href = f"../clusters/{occurrence.cluster_id}.html"
            assert occurrence.text in "".join(page.reuse[href])


def test_document_page_links_each_passage_to_the_other_documents(report, data):
    epoch = data.document_by_id[2]
    html = (report / "docs" / "2.html").read_text(encoding="utf-8")
    for occurrence in data.lineage_by_uri[epoch.uri]:
        others = {
            row.document_id
            for row in data.lineage_by_cluster[occurrence.cluster_id]
            if row.uri != epoch.uri
        }
        item = html[
            html.index(
                f'id="p{[row.occurrence_id for row in data.lineage_by_uri[epoch.uri]].index(occurrence.occurrence_id) + 1}"'
            ) :
        ]
        item = item[: item.index("</li>")]
        assert {
            int(number) for number in re.findall(r'href="\.\./docs/(\d+)\.html"', item)
        } == others
        assert f'href="../clusters/{occurrence.cluster_id}.html"' in item


def test_boilerplate_is_folded_not_dropped(report, data):
    ai = data.document_by_id[3]
    page = parse_page(report / "docs" / "3.html")
    details = [
        attrs
        for tag, attrs in page.tags
        if tag == "details" and "bp" in (attrs.get("class") or "").split()
    ]
    assert len(details) == 3  # navigation, comments, footer: none open by default
    assert all("open" not in attrs for attrs in details)
    html = (report / "docs" / "3.html").read_text(encoding="utf-8")
    assert "navigation removed" in html and "comments removed" in html
    assert "".join(page.text) == ai.text


def test_colours_follow_the_origin(report, data):
    page = parse_page(report / "docs" / "2.html")
    classes = {
        attrs["href"]: attrs["class"].split()[1]
        for tag, attrs in page.tags
        if tag == "a" and "reuse" in (attrs.get("class") or "")
    }
    ap = {classes["../clusters/1.html"], classes["../clusters/2.html"]}
    assert len(ap) == 1  # both Associated Press passages share a colour
    assert classes["../clusters/3.html"] not in ap  # Bloomberg has another


def test_cluster_page_marks_word_differences_and_shows_evidence(report, data):
    html = (report / "clusters" / "1.html").read_text(encoding="utf-8")
    assert html.count('class="card') == 2
    assert '<span class="style" title="was: US">U.S.</span>' in html
    assert "reported The Associated Press" in html  # evidence, escaped quotes are fine
    html4 = (report / "clusters" / "4.html").read_text(encoding="utf-8")
    assert html4.count('class="card') == 3  # origin + two variants
    assert "card reference" in html4
    assert "<del>,</del><ins>.</ins>" in html4  # 002 ends the quote with a full stop


def heat_cells(html: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(copying outlet, origin) -> (characters, passages) of the corpus page's heat map."""
    svg = html[html.index('class="chart heatmap"') :]
    svg = svg[: svg.index("</svg>")]
    return {
        (unescape(row), unescape(column)): (int(characters), int(passages))
        for row, column, characters, passages in re.findall(
            r'<rect class="cell"[^>]*data-row="([^"]*)" data-column="([^"]*)" '
            r'data-characters="(\d+)" data-passages="(\d+)"',
            svg,
        )
    }


def taken_by_hand(data: ReportData) -> dict[tuple[str, str], tuple[int, int]]:
    """What each outlet's copies took from each origin, summed from the lineage rows (none of
    the seed rows' copies overlap each other or boilerplate)."""
    characters: dict[tuple[str, str], int] = {}
    passages: dict[tuple[str, str], set[int]] = {}
    for row in data.lineage:
        if row.is_origin:
            continue
        key = (data.outlet_of(row.uri), data.origin_label(row.cluster_id))
        characters[key] = characters.get(key, 0) + row.end_char - row.start_char
        passages.setdefault(key, set()).add(row.cluster_id)
    return {key: (characters[key], len(passages[key])) for key in characters}


def test_corpus_page_counts_and_matrix(report, data):
    html = (report / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<b>6</b><span>documents</span>", html)
    assert re.search(r"<b>4</b><span>reused passages</span>", html)
    cells = heat_cells(html)
    assert cells == taken_by_hand(data)
    # DW carries both Associated Press quotations: their characters, two passages.
    ap = [row for row in data.lineage if row.uri == data.document_by_id[1].uri]
    assert cells[("DW", "Associated Press")] == (sum(r.end_char - r.start_char for r in ap), 2)
    assert "<svg" in html and "Distribution of original share" in html
    assert "When the most reused passages spread" in html
    changed = html[html.index("Quotes that changed on the way") :]
    changed = changed[: changed.index("</table>")]
    assert changed.count("<tr><td") == 1 and ">truncated<" in changed
    assert "encourage Washington<del> to make unilateral steps" in changed


def test_corpus_page_stays_small_for_many_documents(tmp_path):
    rows = _Rows()
    base_uri, base_text = _seed("001")
    documents = [
        rows.document(
            f"{base_uri}#{number}",
            base_text,
            f"Copy {number}",
            f"Outlet {number % 97}",
            datetime(2016, 10, 12, tzinfo=UTC),
        )
        for number in range(1200)
    ]
    start, end = _span(base_text, "We are working together", "security of our countries")
    for first in range(0, 1200, 3):
        rows.cluster(
            [(document, start, end) for document in documents[first : first + 3]],
            "unknown",
            None,
            None,
            0.3,
            "",
        )
    out = tmp_path / "big"
    rows_data = rows.data()
    write_report(rows_data, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('href="docs/') <= 60
    assert len(index.encode()) < 150_000
    # Every outlet is in the outlet table (it scrolls and sorts), none left out.
    outlet_table = index[index.index('id="outlet-table"') :]
    outlet_table = outlet_table[: outlet_table.index("</table>")]
    listed = set(re.findall(r"<tr><td>(Outlet \d+)</td>", outlet_table))
    assert listed == {f"Outlet {number}" for number in range(97)}
    assert "more outlets" not in index
    # The heat map: the 20 outlets that took most, the other 77 summed in one row.
    cells = heat_cells(index)
    rows = {row for row, _ in cells}
    assert len(rows) == 21 and "other outlets (77)" in rows
    total = sum(row.end_char - row.start_char for row in rows_data.lineage)
    assert sum(characters for characters, _ in cells.values()) == total
    assert (out / "documents-3.html").exists() and not (out / "documents-4.html").exists()


OWN_SCRIPT = re.compile(
    r'<script src="(?:\.\./)?(?:wiretrace|documents-data)\.js" defer></script>', re.I
)


def test_nothing_from_a_document_reaches_the_page_unescaped(report):
    for path in report.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        # The only scripts are the report's own files, which the CSP allows ('self'), and no
        # inline script, which it forbids.
        assert "<script" not in OWN_SCRIPT.sub("", html).lower(), path
        script_src = re.search(r"script-src ([^;]*);", unescape(html))
        assert script_src is not None and script_src.group(1) == "'self'", path
        assert "<img" not in html.lower(), path
        assert not re.search(r"<[^>]+\son\w+\s*=", html), path  # no event-handler attributes
        assert 'href="javascript:' not in html.lower(), path
        assert "<i>Evil</i>" not in html, path
        assert "Content-Security-Policy" in html and "default-src 'none'" in unescape(html), path
    evil = (report / "docs" / "6.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in evil
    assert "javascript:alert(document.domain)" in evil  # shown as text, not linked


def made_up_lineage() -> _Rows:
    """Alpha's 100-character document: 20 characters from Reuters, 30 from Beta's document
    (which had them first), the last 10 boilerplate; Gamma has 15 characters from dpa inside
    25 of unknown origin (overlapping passages: the shorter wins)."""
    rows = _Rows()
    beta_text = "b" * 10 + "The shared thirty characters!." + "b" * 20
    alpha_text = "R" * 20 + "a" * 10 + beta_text[10:40] + "a" * 30 + "footer    "
    gamma_text = "g" * 5 + "u" * 5 + "D" * 15 + "u" * 5 + "g" * 20
    alpha = rows.document("alpha/1.txt", alpha_text, "Alpha one", "Alpha", None)
    beta = rows.document("beta/1.txt", beta_text, "Beta one", "Beta", None)
    gamma = rows.document("gamma/1.txt", gamma_text, "Gamma one", "Gamma", None)
    rows.strip(alpha, 90, 100, "footer")
    rows.cluster([(alpha, 0, 20)], "external", None, "Reuters", 0.9, "credits Reuters")
    rows.cluster(
        [(beta, 10, 40), (alpha, 30, 60)], "document", beta.uri, None, 0.8, "", origin_index=0
    )
    rows.cluster([(gamma, 5, 30)], "unknown", None, None, 0.2, "")
    rows.cluster([(gamma, 10, 25)], "external", None, "dpa", 0.7, "")
    return rows


def stacked_parts(html: str) -> dict[tuple[str, str], int]:
    svg = html[html.index('class="chart stacked"') :]
    svg = svg[: svg.index("</svg>")]
    return {
        (unescape(outlet), category): int(characters)
        for outlet, category, characters in re.findall(
            r'<rect class="part"[^>]*data-outlet="([^"]*)" data-category="([^"]*)" '
            r'data-characters="(\d+)"',
            svg,
        )
    }


def test_outlet_make_up_and_who_takes_from_whom_count_characters_once(tmp_path):
    rows = made_up_lineage()
    out = tmp_path / "made-up"
    write_report(rows.data(), out)
    index = (out / "index.html").read_text(encoding="utf-8")
    parts = stacked_parts(index)
    # Alpha: 90 characters of article text (10 are boilerplate).
    assert {key: value for key, value in parts.items() if key[0] == "Alpha"} == {
        ("Alpha", "original"): 40,
        ("Alpha", "agency"): 20,
        ("Alpha", "other document"): 30,
    }
    # Beta's passage is its own (Alpha took it from Beta): all original.
    assert parts[("Beta", "original")] == 60 and ("Beta", "other document") not in parts
    # Gamma: dpa's 15 characters inside 25 of unknown origin: 15 + 10, not 15 + 25.
    assert parts[("Gamma", "agency")] == 15 and parts[("Gamma", "unknown origin")] == 10
    assert parts[("Gamma", "original")] == 25
    assert re.search(r"<title>Alpha: 22% from an agency \(20 of 90 characters\)</title>", index)
    cells = heat_cells(index)
    assert cells == {
        ("Alpha", "Reuters"): (20, 1),
        ("Alpha", "Beta"): (30, 1),
        ("Gamma", "dpa"): (15, 1),
        ("Gamma", "unknown origin"): (10, 1),
    }
    # The outlet table gives the same figures as shares.
    table = index[index.index('id="outlet-table"') :]
    alpha_row = re.search(r"<tr><td>Alpha</td>(.*?)</tr>", table).group(1)
    shares = re.findall(r'data-sort="([0-9.]+)">(\d+)%</td>', alpha_row)
    assert [share for _, share in shares[1:5]] == ["44", "22", "33", "0"]


def test_document_page_has_a_coverage_strip_coloured_as_its_highlights(tmp_path):
    rows = made_up_lineage()
    data = rows.data()
    out = tmp_path / "made-up"
    write_report(data, out)
    alpha = (out / "docs" / "1.html").read_text(encoding="utf-8")
    strip = alpha[alpha.index('<svg xmlns="http://www.w3.org/2000/svg" class="strip"') :]
    strip = strip[: strip.index("</svg>")]
    runs = re.findall(r'fill="(#[0-9a-f]{6})" data-start="(\d+)" data-end="(\d+)"', strip)
    spans = [(int(start), int(end)) for _, start, end in runs]
    assert spans == [(0, 20), (30, 60), (90, 100)]  # Reuters, Beta's passage, the footer
    highlights = dict(re.findall(r'<a class="reuse (o\d|ox|ou)" href="\.\./clusters/(\d)', alpha))
    palette_css = dict(re.findall(r"\.(o\d|ox|ou)\{background:(#[0-9a-f]{6})\}", alpha))
    by_cluster = {cluster: palette_css[css] for css, cluster in highlights.items()}
    assert runs[0][0] == by_cluster["1"] and runs[1][0] == by_cluster["2"]
    assert 'href="#p1"' in strip and 'href="#p2"' in strip  # runs link to their passage
    assert "boilerplate" in strip
    # A document sharing nothing has no strip.
    rows.document("delta/1.txt", "Nothing shared here.", "Delta", "Delta", None)
    write_report(rows.data(), out)
    assert 'class="strip"' not in (out / "docs" / "4.html").read_text(encoding="utf-8")


def test_long_outlet_names_are_shortened_in_charts_and_kept_whole_in_tooltips(tmp_path):
    rows = made_up_lineage()
    long_name = "The Extraordinarily Long-Named Metropolitan Evening Chronicle and Courier"
    for document in rows.documents:
        if document.outlet == "Alpha":
            document.outlet = long_name
    out = tmp_path / "long"
    write_report(rows.data(), out)
    index = (out / "index.html").read_text(encoding="utf-8")
    for chart in ("heatmap", "stacked"):
        svg = index[index.index(f'class="chart {chart}"') :]
        svg = svg[: svg.index("</svg>")]
        labels = [unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
        assert long_name not in labels, chart
        assert any(label.endswith("…") and long_name.startswith(label[:-1]) for label in labels)
        assert f"<title>{long_name}</title>" in svg, chart


def test_document_list_data_holds_every_document_as_inert_json(report, data):
    script = (report / "documents-data.js").read_text(encoding="ascii")
    prefix = "window.wiretraceDocuments = "
    assert script.startswith(prefix) and script.rstrip().endswith(";")
    payload = json.loads(script[len(prefix) :].rstrip().rstrip(";"))
    records = {record[0]: record for record in payload["documents"]}
    assert set(records) == {row.document_id for row in data.documents}
    hostile = records[6]
    assert hostile[1] == "<script>alert('title')</script>" and hostile[3] == HOSTILE_OUTLET
    assert "<" not in script  # every markup character is a JSON \u escape
    assert records[1][6] == round(data.document_by_id[1].original_share, 4)


def test_only_http_urls_become_links(tmp_path):
    rows = _Rows()
    rows.document("https://news.example.com/a?x=1&y=2", "Some text.", "A", "Example", None)
    rows.document("javascript:alert(1)", "Other text.", "B", "Example", None)
    rows.document("data:text/html,<b>x</b>", "More text.", "C", "Example", None)
    write_report(rows.data(), tmp_path)
    assert (
        'href="https://news.example.com/a?x=1&amp;y=2"'
        in (tmp_path / "docs" / "1.html").read_text()
    )
    for number in (2, 3):
        html = (tmp_path / "docs" / f"{number}.html").read_text()
        assert not re.search(r'href="(javascript|data):', html)


# ---- Markdown, JSON, CSV, terminal -------------------------------------------------------------


def test_lineage_csv_round_trips_offsets(report, data):
    with (report / "lineage.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert list(records[0]) == list(OCCURRENCE_FIELDS)
    assert len(records) == len(data.lineage)
    for record in records:
        text = data.document_by_uri[record["uri"]].text
        assert text[int(record["start_char"]) : int(record["end_char"])] == record["text"]
    origins = [record for record in records if record["is_origin"] == "true"]
    assert [record["uri"] for record in origins] == [data.document_by_id[2].uri]


FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def test_lineage_csv_cells_never_start_a_formula(tmp_path):
    """Titles, outlets, uris, passages and evidence that a spreadsheet would run are written
    with a leading ``'`` (OWASP); lineage.json keeps them exactly."""
    rows = _Rows()
    texts = [
        f"{formula} opens the article. It goes on about the harbour.\n" for formula in FORMULAS
    ]
    documents = [
        rows.document(formula, text, formula, formula, None)
        for formula, text in zip(FORMULAS, texts, strict=True)
    ]
    rows.cluster(
        [(document, 0, len(FORMULAS[index])) for index, document in enumerate(documents)],
        "external",
        None,
        "=cmd|' /C calc'!A0",
        0.5,
        "@evidence",
    )
    data = rows.data()
    write_report(data, tmp_path / "out")
    with (tmp_path / "out" / "lineage.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == len(FORMULAS)
    for record in records:
        for name, cell in record.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    by_uri = {record["uri"]: record for record in records}
    for formula in FORMULAS:
        record = by_uri["'" + formula]
        assert record["title"] == record["outlet"] == record["text"] == "'" + formula
        assert record["origin_source"] == "'=cmd|' /C calc'!A0"
        assert record["evidence"] == "'@evidence"
        assert record["start_char"] == "0" and record["confidence"] == "0.5"
    payload = json.loads((tmp_path / "out" / "lineage.json").read_text(encoding="utf-8"))
    assert sorted(row["text"] for row in payload["occurrences"]) == sorted(FORMULAS)


def test_lineage_json_is_documented_and_consistent(report, data):
    payload = json.loads((report / "lineage.json").read_text(encoding="utf-8"))
    for section in ("documents", "clusters", "occurrences", "quotes"):
        assert payload[section], section
        for record in payload[section]:
            assert set(record) == set(payload["fields"][section]), section
    by_id = {record["occurrence_id"]: record for record in payload["occurrences"]}
    for cluster in payload["clusters"]:
        assert {by_id[number]["cluster_id"] for number in cluster["occurrence_ids"]} == {
            cluster["cluster_id"]
        }
    assert payload["documents"][1]["wire_credits"] == ["Associated Press", "Bloomberg", "Reuters"]


def test_report_md_escapes_article_text(report):
    text = (report / "report.md").read_text(encoding="utf-8")
    assert "<script" not in text and "<i>" not in text
    assert "&lt;i&gt;Evil&lt;/i&gt;" in text
    assert "## Quotes that changed on the way" in text and "| truncated |" in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no Markdown link survives
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            assert len(re.findall(r"(?<!\\)\|", line)) in (5, 6), (
                line
            )  # 4 or 5 columns, no stray pipes


def test_summary_markdown_and_table(data):
    table = summary_table(data)
    assert [row["documents"] for row in table] == sorted(
        (row["documents"] for row in table), reverse=True
    )
    assert table[0]["passage"] == 4 and table[0]["documents"] == 3
    assert {"Associated Press", "Bloomberg"} <= {row["origin"] for row in table}
    markdown = summary_markdown(data)
    assert "**6** documents" in markdown and "**4** reused passages" in markdown
    assert summary_markdown(ReportData()).endswith("No passage is shared between documents.\n")


def test_document_lineage_text(data):
    epoch = data.document_by_id[2]
    text = document_lineage_text(data, epoch.uri)
    assert "Reused passages (4)" in text
    for occurrence in data.lineage_by_uri[epoch.uri]:
        assert f"[{occurrence.start_char}:{occurrence.end_char}]" in text
    assert "from Associated Press (external)" in text and "this document is the origin" in text
    assert "evidence: 001 says" in text
    assert "also in: Beijing and Moscow" in text
    with pytest.raises(ValueError, match="no document"):
        document_lineage_text(data, "missing.txt")


def test_document_lineage_text_neutralises_terminal_escapes():
    rows = _Rows()
    rows.document("x.txt", "Hello \x1b[2J\x1b[31mworld", "T\x1b]0;pwned\x07", "O", None)
    text = document_lineage_text(rows.data(), "x.txt")
    assert "\x1b" not in text and "\x07" not in text


# ---- PROV-JSON -------------------------------------------------------------------------------


def test_prov_json_deserialises_with_the_prov_package(data):
    prov_model = pytest.importorskip("prov.model")
    payload = export_prov_json(data)
    document = prov_model.ProvDocument.deserialize(content=json.dumps(payload), format="json")
    records = list(document.get_records())
    derivations = [record for record in records if isinstance(record, prov_model.ProvDerivation)]
    kinds = [
        str(record.get_asserted_types() and next(iter(record.get_asserted_types())) or "")
        for record in derivations
    ]
    quoted = sum(1 for row in data.lineage if row.parent_occurrence_id is not None) + sum(
        1 for row in data.quotes if row.variant_of is not None
    )
    assert kinds.count("prov:Quotation") == quoted
    external_copies = sum(1 for row in data.lineage if row.origin_kind == "external")
    document_copies = sum(
        1 for row in data.lineage if row.origin_kind == "document" and not row.is_origin
    )
    assert kinds.count("prov:PrimarySource") == external_copies + document_copies
    agents = {str(record.label) for record in records if isinstance(record, prov_model.ProvAgent)}
    assert {"Associated Press", "Bloomberg", "DW", HOSTILE_OUTLET} <= agents
    attributions = [record for record in records if isinstance(record, prov_model.ProvAttribution)]
    assert len(attributions) >= len([row for row in data.documents if row.outlet])
    # The round trip is lossless: serialising again gives an equal document.
    again = prov_model.ProvDocument.deserialize(
        content=document.serialize(format="json"), format="json"
    )
    assert again == document


# ---- units -----------------------------------------------------------------------------------


def test_overlapping_marks_colour_by_the_shorter_passage():
    text = "one two three four five"
    marks = [Mark(0, 13, "o0", "a.html", "A", 1), Mark(4, 18, "o1", "b.html", "B", 2)]
    html = str(highlighted_text(text, marks, [Fold(19, 23, "footer")]))
    assert '<a class="reuse o0" href="a.html" title="A">one </a>' in html
    assert 'title="A (+1 overlapping)">two three</a>' in html
    assert '<a class="reuse o1" href="b.html" title="B"> four</a>' in html
    assert html.index('href="#p1"') < html.index('href="#p2"')
    assert '<details class="bp"><summary>footer removed (4 characters)</summary>' in html


def test_word_diff_marks_style_and_wording():
    diff = word_diff(
        "“Quote,” said the U.S. official.", '"Quote," said the US official on Tuesday.'
    )
    html = str(diff.html)
    assert '<span class="style" title="was: “">&#34;</span>' in html
    assert '<span class="style" title="was: U.S.">US</span>' in html
    assert "<ins> on Tuesday</ins>" in html
    assert diff.reference_words == 5 and diff.same_words == 5 and diff.variant_words == 7


def test_write_report_removes_stale_pages_only_in_its_own_folder(tmp_path, data):
    out = tmp_path / "out"
    write_report(data, out)
    smaller = seed_rows(hostile=False).data()
    write_report(smaller, out)
    assert not (out / "docs" / "6.html").exists()
    stranger = tmp_path / "mine"
    (stranger / "docs").mkdir(parents=True)
    (stranger / "docs" / "99.html").write_text("keep me")
    write_report(smaller, stranger)
    assert (stranger / "docs" / "99.html").read_text() == "keep me"


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def test_write_report_never_deletes_what_it_did_not_write(tmp_path, data):
    out = tmp_path / "out"
    write_report(data, out)  # a folder wiretrace made: its marker is there
    (out / "docs" / "99.html").write_text("my own notes, not a report page")
    (out / "documents-7.html").write_text("mine too")
    smaller = seed_rows(hostile=False).data()
    write_report(smaller, out)
    assert not (out / "docs" / "6.html").exists()  # a page the first report wrote: stale
    assert (out / "docs" / "99.html").read_text() == "my own notes, not a report page"
    assert (out / "documents-7.html").read_text() == "mine too"
    assert not [path for path in out.iterdir() if path.name.startswith(".wiretrace-report-")]


def test_write_report_never_writes_nor_deletes_through_links(tmp_path, data):
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("1.html", "6.html", "999.html", "precious.html"):
        (outside / name).write_text(f"not the report's {name}")
    before = _folder_bytes(outside)
    out = tmp_path / "out"
    write_report(data, out)
    # A linked file is replaced by the new page; its target is left alone.
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(outside / "precious.html")
    (out / "docs" / "1.html").unlink()
    (out / "docs" / "1.html").symlink_to(outside / "1.html")
    # A stale page that is now a link: not followed, not removed.
    (out / "docs" / "6.html").unlink()
    (out / "docs" / "6.html").symlink_to(outside / "6.html")
    write_report(seed_rows(hostile=False).data(), out)
    assert not (out / "index.html").is_symlink() and "<html" in (out / "index.html").read_text()
    assert not (out / "docs" / "1.html").is_symlink()
    assert _folder_bytes(outside) == before
    # A linked docs folder: refused, nothing written or removed through it.
    shutil.rmtree(out / "docs")
    (out / "docs").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="docs is a symbolic link"):
        write_report(data, out)
    assert _folder_bytes(outside) == before and sorted(os.listdir(outside)) == sorted(before)


def _write_report_with_file_size_limit(data, out: Path, limit: int) -> None:
    """In a forked child: files may not grow past ``limit`` bytes (a disk that fills up)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        write_report(data, out)
    except OSError:
        os._exit(3)
    os._exit(0)


def test_a_write_that_fails_midway_leaves_the_previous_report_whole(tmp_path, data):
    out = tmp_path / "out"
    write_report(data, out)
    before = _folder_bytes(out)
    largest = max(len(content) for content in before.values())
    child = multiprocessing.get_context("fork").Process(
        target=_write_report_with_file_size_limit, args=(data, out, largest // 2)
    )
    child.start()
    child.join(60)
    assert child.exitcode == 3, "the write must fail (file too large)"
    assert _folder_bytes(out) == before
    assert not [path for path in out.iterdir() if path.name.startswith(".wiretrace-report-")]


def test_write_report_bad_folder_and_empty_data(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        write_report(ReportData(), target)
    written = write_report(ReportData(), tmp_path / "empty")
    assert (tmp_path / "empty" / "index.html") in written
    assert "No passage is shared" in (tmp_path / "empty" / "index.html").read_text()


def test_from_store_reads_every_view(data):
    class FakeStore:
        display_url = "sqlite:///fake.db"

        def documents(self):
            return data.documents

        def boilerplate(self, uri=None):
            return data.boilerplate

        def alignments(self, uri=None):
            return []

        def lineage(self, uri=None):
            return data.lineage

        def clusters(self):
            return data.clusters

        def quotes(self, uri=None):
            return data.quotes

        def runs(self):
            return data.runs

    loaded = ReportData.from_store(FakeStore())
    assert loaded.documents == data.documents and loaded.lineage == data.lineage
    assert loaded.source == "sqlite:///fake.db"
    assert export_prov_json(FakeStore()) == export_prov_json(data)


def test_word_diff_shows_a_rewritten_stretch_as_one_change():
    # 000 follows the quote with a subheading and a paragraph; 001 with other sentences.
    _, text0 = _seed("000")
    _, text1 = _seed("001")
    reference = text0[
        slice(*_span(text0, "Russian military experts believe", "to any retaliation"))
    ]
    variant = text1[
        slice(*_span(text1, "Russian military experts believe", "to describe the situation"))
    ]
    html = str(word_diff(reference, variant).html)
    # Stray shared words ("the", "of") do not cut the rewrite into a word-by-word zigzag.
    assert html.count("<del>") == 1 and html.count("<ins>") == 1, html
    assert html.startswith("Russian military experts believe that the ")


def test_report_from_a_real_store(tmp_path):
    """The pipeline's own rows (SQLite) render: every copy highlighted, every page written."""
    from flows.pipeline import run_pipeline
    from storage.store import Store

    url = f"sqlite:///{tmp_path / 'seeds.db'}"
    run_pipeline([str(SEEDS)], url, notify=lambda *_: None)
    store = Store(url)
    data = ReportData.from_store(store)
    assert data.documents and data.source == store.display_url
    out = tmp_path / "report"
    written = write_report(store, out)
    assert {f"docs/{row.document_id}.html" for row in data.documents} <= {
        path.relative_to(out).as_posix() for path in written
    }
    for document in data.documents:
        page = parse_page(out / "docs" / f"{document.document_id}.html")
        assert "".join(page.text) == document.text
        for occurrence in data.lineage_by_uri.get(document.uri, []):
            assert occurrence.text in "".join(
                page.reuse[f"../clusters/{occurrence.cluster_id}.html"]
            )
    assert "Last pipeline run: run 1" in (out / "index.html").read_text(encoding="utf-8")
    prov_model = pytest.importorskip("prov.model")
    prov_document = prov_model.ProvDocument.deserialize(
        content=json.dumps(export_prov_json(store)), format="json"
    )
    entities = {
        str(record.identifier) for record in prov_document.get_records(prov_model.ProvEntity)
    }
    assert {f"wt:copy-{row.occurrence_id}" for row in data.lineage} <= entities


def test_imperfect_rows_still_render(tmp_path):
    """Rows a half-finished store might return: unknown confidence, offsets past the end, a
    copy in a document the store did not list, dates as strings, an empty text."""
    text = "Short text about a summit."
    rows = [
        DocumentRow(1, "a.txt", None, None, None, "2016-10-11T09:00:00", text, text, None, None),
        DocumentRow(2, "b.txt", "", "Outlet", None, None, "", "", 1.0, ""),
    ]
    lineage = [
        LineageRow(
            1, 7, 1, "a.txt", 6, 400, text[6:], False, None, "unknown", None, None, None, ""
        ),
        LineageRow(
            2,
            7,
            9,
            "gone.txt",
            0,
            20,
            "Short text about a s",
            False,
            1,
            "document",
            "gone.txt",
            None,
            0.5,
            "",
        ),
    ]
    data = ReportData(documents=rows, lineage=lineage)
    written = write_report(data, tmp_path)
    assert (tmp_path / "clusters" / "7.html") in written
    page = parse_page(tmp_path / "docs" / "1.html")
    assert "".join(page.text) == text
    assert "".join(page.reuse["../clusters/7.html"]) == text[6:]
    json.dumps(export_prov_json(data))
    assert "[6:400]" in document_lineage_text(data, "a.txt")
    assert summary_table(data)[0]["confidence"] is None


class _TagBalance(HTMLParser):
    """Fails on a closing tag that does not match the innermost open one."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}  # SVG shapes here are self-closed or closed

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass  # <line .../> in SVG

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def test_every_page_is_well_nested(report):
    for path in report.rglob("*.html"):
        checker = _TagBalance()
        checker.feed(path.read_text(encoding="utf-8"))
        assert not checker.errors and not checker.stack, (path, checker.errors[:3], checker.stack)
