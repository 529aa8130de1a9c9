"""The report in a real browser: headless Chromium (Debian's ``chromium`` package).

- a document whose text, title and outlet hold ``<script>``, ``<img onerror=...>`` and
  ``javascript:`` payloads shows them as text and runs nothing (checked in the DOM Chromium
  built, after load);
- the document page shows its reused passages highlighted (pixels of the origin colours in a
  screenshot), and a page without reused passages shows none.

Skipped when /usr/bin/chromium is missing (``apt-get install -y chromium``).
"""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from reports import write_report
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
    assert "<script" not in dom and "<img" not in dom and "<b " not in dom
    assert not re.search(r'<a\b[^>]*href="\s*javascript:', dom, re.I)
    # The payloads are on the page as text the reader can see.
    assert "Breaking &lt;script&gt;document.title='PWNED'&lt;/script&gt; news." in dom
    assert "&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt;" in dom
    assert "javascript:alert(document.domain)" in dom
    assert "&lt;i&gt;Evil&lt;/i&gt; &amp; Co" in dom


def test_every_page_type_loads_without_running_anything(tmp_path, report):
    for page in (report / "index.html", report / "clusters" / "4.html", report / "passages.html"):
        dom = dump_dom(tmp_path, page)
        assert "<script" not in dom and "PWNED</title>" not in dom, page
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
