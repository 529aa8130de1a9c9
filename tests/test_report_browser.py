"""The report in a real browser: headless Chromium (Debian's ``chromium`` package).

- a document whose text, title and outlet hold ``<script>``, ``<img onerror=...>`` and
  ``javascript:`` payloads shows them as text and runs nothing (checked in the DOM Chromium
  built, after load);
- the document page shows its reused passages highlighted (pixels of the origin colours in a
  screenshot), and a page without reused passages shows none.

Skipped when /usr/bin/chromium is missing (``apt-get install -y chromium``).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import zlib
from html import unescape
from pathlib import Path

import pytest

from reports import write_report
from reports.html import CSP
from reports.markup import PALETTE

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)


def _chromium(tmp_path: Path, *arguments: str) -> str:
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(tmp_path: Path, page: Path) -> str:
    return _chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())


def screenshot(
    tmp_path: Path, page: Path, width: int = 1280, height: int = 1400
) -> tuple[int, int, bytes]:
    png = tmp_path / f"{page.stem}.png"
    _chromium(
        tmp_path,
        f"--window-size={width},{height}",
        "--hide-scrollbars",
        f"--screenshot={png}",
        page.as_uri(),
    )
    return decode_png(png.read_bytes())


def decode_png(blob: bytes) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", None
    while position < len(blob):
        (length,) = struct.unpack(">I", blob[position : position + 4])
        kind = blob[position + 4 : position + 8]
        body = blob[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 4 if colour_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    rgb = bytearray()
    for row in range(height):
        offset = row * (stride + 1)
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        for index in range(stride):
            left = line[index - channels] if index >= channels else 0
            up = previous[index]
            up_left = previous[index - channels] if index >= channels else 0
            if kind == 1:
                line[index] = (line[index] + left) & 0xFF
            elif kind == 2:
                line[index] = (line[index] + up) & 0xFF
            elif kind == 3:
                line[index] = (line[index] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - up_left
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
                predictor = (left, up, up_left)[distances.index(min(distances))]
                line[index] = (line[index] + predictor) & 0xFF
        previous = line
        if channels == 3:
            rgb += line
        else:
            rgb += bytes(
                value for pixel in range(width) for value in line[pixel * 4 : pixel * 4 + 3]
            )
    return width, height, bytes(rgb)


def count_colour(rgb: bytes, colour: str) -> int:
    target = bytes.fromhex(colour.lstrip("#"))
    return sum(1 for index in range(0, len(rgb), 3) if rgb[index : index + 3] == target)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    try:  # tests/ on sys.path (pytest's default rootdir-relative import)
        from test_reports import seed_rows
    except ImportError:  # tests/ as a package
        from tests.test_reports import seed_rows

    out = tmp_path_factory.mktemp("browser-report")
    write_report(seed_rows().data(), out)
    return out


def test_the_dom_check_would_see_a_script_run(tmp_path):
    """Control: without escaping, the same payload does change the DOM, so the check can fail."""
    page = tmp_path / "unsafe.html"
    page.write_text(
        "<!doctype html><title>safe</title><body>"
        "<script>document.title='PWNED'</script>"
        "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"></body>"
    )
    dom = dump_dom(tmp_path, page)
    assert "<title>PWNED</title>" in dom
    assert 'data-pwned="1"' in dom


def test_hostile_document_shows_its_text_and_runs_nothing(tmp_path, report):
    dom = dump_dom(tmp_path, report / "docs" / "6.html")
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert title == "&lt;script&gt;alert('title')&lt;/script&gt; · wiretrace"
    assert "data-pwned" not in dom.replace("'data-pwned'", "")  # only as text inside the article
    own = re.sub(r'<script src="\.\./wiretrace\.js" defer=""></script>', "", dom)
    assert "<script" not in own and "<img" not in dom and "<b " not in dom
    assert not re.search(r'<a\b[^>]*href="\s*javascript:', dom, re.I)
    # The payloads are on the page as text the reader can see.
    assert "Breaking &lt;script&gt;document.title='PWNED'&lt;/script&gt; news." in dom
    assert "&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt;" in dom
    assert "javascript:alert(document.domain)" in dom
    assert "&lt;i&gt;Evil&lt;/i&gt; &amp; Co" in dom


def test_every_page_type_loads_without_running_anything(tmp_path, report):
    for page in (report / "index.html", report / "clusters" / "4.html", report / "passages.html"):
        dom = dump_dom(tmp_path, page)
        # The report's own script files are the only scripts.
        own = re.sub(
            r'<script src="(?:\.\./)?(?:wiretrace|documents-data)\.js" defer=""></script>', "", dom
        )
        assert "<script" not in own and "PWNED</title>" not in dom, page
        if page.name != "passages.html":
            assert "&lt;i&gt;Evil&lt;/i&gt;" in dom, page  # the hostile outlet is listed, as text


def test_document_page_shows_highlighted_passages(tmp_path, report):
    _, _, rgb = screenshot(tmp_path, report / "docs" / "2.html")
    colours = {colour: count_colour(rgb, colour) for colour in PALETTE[:3]}
    # Three origins on this page (two Associated Press passages, one Bloomberg, one from a
    # corpus document), each highlighting whole lines of text.
    assert all(count > 5_000 for count in colours.values()), colours
    _, _, plain = screenshot(tmp_path, report / "docs" / "4.html")
    assert sum(count_colour(plain, colour) for colour in PALETTE) == 0


# ---- the script: sorting and filtering under the page's CSP ---------------------------------


def chromium_log(tmp_path: Path, page: str) -> tuple[str, list[str]]:
    """The DOM after load, and the console lines (CSP violations and script errors land there)."""
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,2000",
        "--virtual-time-budget=3000",
        "--dump-dom",
        page,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def body_rows(dom: str, table_id: str) -> list[str]:
    table = dom[dom.index(f'id="{table_id}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def visible_rows(dom: str, table_id: str) -> list[str]:
    table = dom[dom.index(f'id="{table_id}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r'<tr(?! class="hidden")[^>]*>(.*?)</tr>', body, re.S)


def test_the_console_check_would_see_a_csp_violation(tmp_path):
    """Control: an inline script under the report's CSP is refused, and the console says so."""
    page = tmp_path / "inline.html"
    page.write_text(
        '<!doctype html><meta http-equiv="Content-Security-Policy" content="'
        + CSP.replace('"', "&quot;")
        + '"><title>t</title><script>document.title="ran"</script>'
    )
    dom, console = chromium_log(tmp_path, page.as_uri())
    assert "<title>t</title>" in dom
    assert any("Content Security Policy" in line for line in console)


def test_script_runs_under_the_csp_and_sorts_the_outlet_table(tmp_path, report):
    dom, console = chromium_log(tmp_path, (report / "index.html").as_uri() + "#sort=1-desc")
    assert not console, console  # no CSP violation, no script error
    assert re.search(r'<html[^>]*class="js"', dom)
    assert re.search(r'id="outlet-table"[^>]*data-enhanced="sort filter"', dom)
    counts = [
        int(re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)[0])
        for row in body_rows(dom, "outlet-table")
    ]
    assert counts == sorted(counts, reverse=True) and counts[0] == 2  # unknown outlet: 2 docs
    assert 'aria-sort="descending"' in dom
    # Every other sortable table got its sort buttons too.
    assert dom.count('class="sort"') >= 4 * 3


def test_filter_and_outlet_menu_search_every_page_of_the_document_list(tmp_path, monkeypatch):
    try:
        from test_reports import seed_rows
    except ImportError:
        from tests.test_reports import seed_rows
    import reports.html

    monkeypatch.setattr(reports.html, "PAGE_SIZE", 2)  # three pages for six documents
    out = tmp_path / "paged"
    write_report(seed_rows().data(), out)
    assert (out / "documents-3.html").exists()
    page3 = (out / "documents-3.html").as_uri()
    dom, console = chromium_log(tmp_path, page3)
    assert not console, console
    assert 'data-enhanced="sort filter all-documents"' in dom
    assert len(body_rows(dom, "documents")) == 2  # unfiltered: the page's own rows
    # DW's only document is on page 1, found from page 3.
    dom, _ = chromium_log(tmp_path, page3 + "#outlet=DW")
    rows = body_rows(dom, "documents")
    assert len(rows) == 1 and 'href="docs/1.html"' in rows[0]
    assert re.search(r'<nav class="pager" hidden', dom)  # pages mean nothing while filtering
    # Words filter every page (title, address, outlet, credits), all words must match.
    dom, _ = chromium_log(tmp_path, page3 + "#q=bloomberg%20reuters")
    rows = body_rows(dom, "documents")
    assert len(rows) == 1 and 'href="docs/2.html"' in rows[0]  # the only one crediting both
    # Sorting by original share runs over every document; the hostile title stays text.
    dom, _ = chromium_log(tmp_path, page3 + "#sort=3-asc")
    shares = [
        int(share)
        for row in body_rows(dom, "documents")
        for share in re.findall(r'class="num">(\d+)%</td>', row)[:1]
    ]
    assert len(shares) == 2 and shares == sorted(shares)
    dom, _ = chromium_log(tmp_path, page3 + "#q=alert")
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in dom and "<script>alert" not in dom


def test_in_page_filter_hides_rows_without_the_words(tmp_path, report):
    dom, console = chromium_log(tmp_path, (report / "index.html").as_uri() + "#q=american")
    assert not console, console
    rows = visible_rows(dom, "outlet-table")
    assert len(rows) == 1 and "The American Interest" in rows[0]
    assert re.search(r'<span class="count">1 of 5 rows</span>', dom)


# ---- charts: no label outside its chart ---------------------------------------------------------

MEASURE = """<script>
var problems = [];
document.querySelectorAll("svg.chart").forEach(function (svg, index) {
  var box = svg.getBoundingClientRect();
  svg.querySelectorAll("text").forEach(function (text) {
    var r = text.getBoundingClientRect();
    if (r.width === 0) return;
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 ||
        r.bottom > box.bottom + 0.5) {
      problems.push(svg.getAttribute("aria-label") + ": " + text.textContent);
    }
  });
});
document.body.setAttribute("data-measured", document.querySelectorAll("svg.chart").length);
document.body.setAttribute("data-overflow", JSON.stringify(problems));
</script>"""


def measured_overflow(tmp_path: Path, index: Path) -> tuple[int, list[str]]:
    """The charts of ``index`` in a copy of the page without its CSP plus a measuring script:
    how many charts, and the labels that stick out of their chart."""
    html = index.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace("</body>", MEASURE + "</body>")
    page = index.with_name("measure.html")
    page.write_text(html, encoding="utf-8")
    dom = dump_dom(tmp_path, page)
    count = int(re.search(r'data-measured="(\d+)"', dom).group(1))
    overflow = re.search(r'data-overflow="([^"]*)"', dom).group(1)
    return count, json.loads(unescape(overflow))


def test_the_overflow_check_would_see_a_label_cut_off(tmp_path):
    """Control: a label running past the right edge of its chart is reported."""
    page = tmp_path / "index.html"
    page.write_text(
        '<!doctype html><body><svg class="chart" width="100" height="40" viewBox="0 0 100 40" '
        'aria-label="c"><text x="60" y="20">far too long a label</text></svg></body>'
    )
    count, overflow = measured_overflow(tmp_path, page)
    assert count == 1 and overflow == ["c: far too long a label"]


def test_no_chart_label_sticks_out_of_its_chart(tmp_path, report):
    try:
        from test_reports import made_up_lineage
    except ImportError:
        from tests.test_reports import made_up_lineage
    count, overflow = measured_overflow(tmp_path, report / "index.html")
    assert count == 4 and overflow == [], overflow  # heat map, bars, histogram, timeline
    # Long and wide names, in every chart that shows names.
    rows = made_up_lineage()
    names = [
        "The Extraordinarily Long-Named Metropolitan Evening Chronicle and Courier",
        "WWW.MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM.COM",
        "東京新聞東京新聞東京新聞東京新聞東京新聞東京新聞",
    ]
    for document, name in zip(rows.documents, names, strict=True):
        document.outlet = name
    out = tmp_path / "long-names"
    write_report(rows.data(), out)
    count, overflow = measured_overflow(tmp_path, out / "index.html")
    assert count == 3 and overflow == [], overflow  # no dates: no timeline
