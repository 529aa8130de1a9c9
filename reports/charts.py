"""Plots as inline SVG, drawn at build time: no JavaScript, no plotting library, no network.

Why hand-written SVG and not matplotlib: every mark here is a link or carries a ``<title>``
tooltip naming the outlet, the origin and the exact count (matplotlib's SVG has neither links
nor per-mark tooltips without post-processing); a report draws one coverage strip per document
(thousands of pages: a few hundred bytes and microseconds each here, tens of kilobytes and
milliseconds each with a figure per page); and the charts are rectangles, lines and labels,
which need no layout engine once labels are measured. Labels are measured with
:func:`text_width` (a conservative estimate of the rendered width) and shortened with
:func:`fit_label` to the room they have, the full text kept in a ``<title>``: nothing is cut off
at the edge of a chart (``tests/test_report_browser.py`` measures them in Chromium).

Every label that can come from the corpus goes through :func:`markupsafe.escape`; the SVG is
returned as :class:`markupsafe.Markup` so templates embed it without escaping it twice.

>>> svg = share_histogram([0.05, 0.5, 0.55, 1.0])
>>> svg.startswith("<svg") and "2 documents" in svg
True
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape

INK = "#1f2328"
MUTED = "#6b7280"
GRID = "#e5e7eb"
BAR = "#2f5d8a"
FONT_SIZE = 12
# Colours of the parts of a document's text (stacked bars, their legend): original text dark,
# an agency's in the amber of the share bar, another outlet's in orange, unknown origin grey.
CATEGORY_COLOURS = {
    "original": BAR,
    "agency": "#f3c86b",
    "other document": "#e07b39",
    "unknown origin": "#b8bec6",
}


@dataclass
class TimelineRow:
    """One passage's spread: where its row links, its label, and when each copy appeared."""

    label: str
    href: str
    colour: str
    moments: list[tuple[datetime, str]]  # (published_at, outlet) of each dated occurrence


def share_histogram(shares: list[float], width: int = 560, height: int = 200) -> Markup:
    """Histogram of original share in ten 10% bins (100% falls in the last bin)."""
    counts = [0] * 10
    for share in shares:
        counts[min(9, max(0, int(share * 10)))] += 1
    left, right, bottom, top = 36, 24, 34, 14
    plot_width, plot_height = width - left - right, height - bottom - top
    tallest = max(counts) or 1
    bar_width = plot_width / 10
    parts = [_svg_open(width, height, "Distribution of original share across documents")]
    for tick in _nice_ticks(tallest):
        y = top + plot_height - tick / tallest * plot_height
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y + 4, str(tick), anchor="end", fill=MUTED))
    for index, count in enumerate(counts):
        bar_height = count / tallest * plot_height
        x = left + index * bar_width
        y = top + plot_height - bar_height
        noun = "document" if count == 1 else "documents"
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_width - 4:.1f}" '
            f'height="{bar_height:.1f}" fill="{BAR}"><title>{count} {noun} with '
            f"{index * 10}-{index * 10 + 10}% original text</title></rect>"
        )
        if count:
            parts.append(_text(x + bar_width / 2, y - 3, str(count), anchor="middle", fill=INK))
    for index in range(0, 11, 2):
        x = left + index * bar_width
        parts.append(_text(x, height - bottom + 16, f"{index * 10}%", anchor="middle", fill=MUTED))
    parts.append(
        _text(
            left + plot_width / 2,
            height - 4,
            "share of the text that is original",
            anchor="middle",
            fill=MUTED,
        )
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline(rows: list[TimelineRow], width: int = 760, row_height: int = 26) -> Markup:
    """One line per passage from its first to its last dated copy, a dot per copy."""
    dated = [row for row in rows if row.moments]
    if not dated:
        return Markup("")
    label_width, top, bottom = 260, 8, 28
    start = min(moment for row in dated for moment, _ in row.moments)
    end = max(moment for row in dated for moment, _ in row.moments)
    if end - start < timedelta(hours=1):
        start, end = start - timedelta(minutes=30), end + timedelta(minutes=30)
    span = (end - start).total_seconds()
    ticks = _date_ticks(start, end)
    # Room right of the last tick for half its (centred) label.
    right = max(24, text_width(_date_label(ticks[-1], end - start)) / 2 + 6)
    plot_width = width - label_width - right
    height = top + len(dated) * row_height + bottom

    def x_of(moment: datetime) -> float:
        return label_width + (moment - start).total_seconds() / span * plot_width

    parts = [_svg_open(width, height, "When the most reused passages spread")]
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - bottom}" stroke="{GRID}"/>'
        )
        label = _date_label(tick, end - start)
        parts.append(_text(x, height - bottom + 16, label, anchor="middle", fill=MUTED))
    for index, row in enumerate(dated):
        y = top + index * row_height + row_height / 2
        moments = sorted(row.moments)
        x_first, x_last = x_of(moments[0][0]), x_of(moments[-1][0])
        label = fit_label(row.label, label_width - 16)
        parts.append(f'<a href="{escape(row.href)}"><title>{escape(row.label)}</title>')
        parts.append(_text(label_width - 10, y + 4, label, anchor="end", fill=INK))
        parts.append("</a>")
        parts.append(
            f'<line x1="{x_first:.1f}" x2="{max(x_last, x_first + 1):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{row.colour}" stroke-width="6" stroke-linecap="round"/>'
        )
        for moment, outlet in moments:
            parts.append(
                f'<circle cx="{x_of(moment):.1f}" cy="{y:.1f}" r="4" fill="{INK}">'
                f"<title>{escape(outlet)}, {moment:%Y-%m-%d %H:%M} UTC</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def share_bar(share: float | None, width: int = 220) -> Markup:
    """A small bar: the original part dark, the reused part light."""
    if share is None:
        return Markup("")
    original = max(0.0, min(1.0, share)) * width
    return Markup(
        f'<svg class="sharebar" width="{width}" height="12" viewBox="0 0 {width} 12" role="img" '
        f'aria-label="{share:.0%} original"><rect width="{width}" height="12" fill="#f3c86b"/>'
        f'<rect width="{original:.1f}" height="12" fill="{BAR}"/></svg>'
    )


@dataclass
class HeatCell:
    """What one copying outlet (row) took from one origin (column)."""

    characters: int
    passages: int


@dataclass
class HeatMap:
    """Rows: copying outlets; columns: origins (agencies, outlets); cells keyed (row, column).

    ``rows`` and ``columns`` are in display order; an ``others`` row or column, when present,
    is the last and sums what the top ones leave out."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], HeatCell]
    row_totals: dict[str, int]
    title: str = "Who takes from whom"
    summed_row: str | None = None  # the "others" row's name, if there is one
    summed_column: str | None = None  # the "others" column's name, if there is one


def heat_map(matrix: HeatMap, cell: int = 34, max_label: int = 200) -> Markup:
    """A matrix of squares, darker the more characters a row's outlet took from a column's
    origin; each square says the count and has a tooltip with characters and passages."""
    if not matrix.rows or not matrix.columns:
        return Markup("")
    row_labels = {row: fit_label(row, max_label) for row in matrix.rows}
    column_labels = {column: fit_label(column, max_label) for column in matrix.columns}
    label_width = max(text_width(label) for label in row_labels.values()) + 12
    column_extent = max(text_width(label) for label in column_labels.values())
    slant = math.sqrt(0.5)  # column labels run up at 45 degrees
    left = label_width
    top = column_extent * slant + FONT_SIZE + 10
    totals_width = max(text_width(_compact(total)) for total in matrix.row_totals.values()) + 16
    right = max(totals_width, column_extent * slant - cell / 2 + 8)
    width = math.ceil(left + len(matrix.columns) * cell + right)
    height = math.ceil(top + len(matrix.rows) * cell + 8)
    summed = {matrix.summed_row, matrix.summed_column} - {None}
    # The scale is set by single outlets and origins: the sums of many would wash them out.
    # The "others" squares are grey, on the same scale, capped at its darkest.
    biggest = (
        max(
            (
                value.characters
                for (row, column), value in matrix.cells.items()
                if row not in summed and column not in summed
            ),
            default=0,
        )
        or max((value.characters for value in matrix.cells.values()), default=0)
        or 1
    )
    parts = [_svg_open(width, height, matrix.title, css_class="chart heatmap")]
    for index, column in enumerate(matrix.columns):
        x = left + index * cell + cell / 2
        y = top - 6
        parts.append(
            f'<g><title>{escape(column)}</title><text transform="translate({x:.1f},{y:.1f}) '
            f'rotate(-45)" fill="{INK}">{escape(column_labels[column])}</text></g>'
        )
    for row_index, row in enumerate(matrix.rows):
        y = top + row_index * cell
        parts.append(
            f"<g><title>{escape(row)}</title>"
            + _text(left - 8, y + cell / 2 + 4, row_labels[row], anchor="end")
            + "</g>"
        )
        for column_index, column in enumerate(matrix.columns):
            value = matrix.cells.get((row, column))
            x = left + column_index * cell
            if value is None or not value.characters:
                parts.append(
                    f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell - 2}" '
                    f'height="{cell - 2}" fill="#f6f7f9"/>'
                )
                continue
            # Square-root scale: a few big wire stories would otherwise wash out the rest.
            strength = min(1.0, math.sqrt(value.characters / biggest))
            grey = row in summed or column in summed
            passages = "passage" if value.passages == 1 else "passages"
            parts.append(
                f'<rect class="cell" x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{_shade(strength, grey)}" data-row="{escape(row)}" '
                f'data-column="{escape(column)}" data-characters="{value.characters}" '
                f'data-passages="{value.passages}"><title>{escape(row)} took '
                f"{value.characters:,} characters ({value.passages} {passages}) from "
                f"{escape(column)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                f'font-size="10" fill="{"#fff" if strength > 0.55 else INK}" '
                f'pointer-events="none">{_compact(value.characters)}</text>'
            )
        total = matrix.row_totals.get(row, 0)
        parts.append(
            _text(
                left + len(matrix.columns) * cell + 8,
                y + cell / 2 + 4,
                _compact(total),
                fill=MUTED,
            )
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass
class StackedBar:
    """One outlet's text split into parts: characters per category, in ``CATEGORY_COLOURS``."""

    label: str
    parts: dict[str, int]
    note: str = ""  # shown right of the bar, e.g. "12 documents"


def stacked_bars(
    bars: list[StackedBar],
    names: dict[str, str],
    width: int = 760,
    row_height: int = 24,
    title: str = "Where each outlet's text comes from",
) -> Markup:
    """One 100% bar per outlet, split into the shares of each category of text."""
    bars = [bar for bar in bars if sum(bar.parts.values()) > 0]
    if not bars:
        return Markup("")
    label_width = min(220, max(text_width(bar.label) for bar in bars)) + 12
    note_width = max(text_width(bar.note) for bar in bars) + 12
    top, bottom = 6, 22
    plot_width = width - label_width - note_width
    height = top + len(bars) * row_height + bottom
    parts = [_svg_open(width, height, title, css_class="chart stacked")]
    for index, bar in enumerate(bars):
        y = top + index * row_height
        total = sum(bar.parts.values())
        parts.append(
            f"<g><title>{escape(bar.label)}</title>"
            + _text(
                label_width - 8,
                y + row_height / 2 + 4,
                fit_label(bar.label, label_width - 12),
                anchor="end",
            )
            + "</g>"
        )
        x = float(label_width)
        for category, colour in CATEGORY_COLOURS.items():
            characters = bar.parts.get(category, 0)
            if not characters:
                continue
            share = characters / total
            bar_width = share * plot_width
            parts.append(
                f'<rect class="part" x="{x:.1f}" y="{y + 3}" width="{bar_width:.1f}" '
                f'height="{row_height - 6}" fill="{colour}" data-outlet="{escape(bar.label)}" '
                f'data-category="{category}" data-characters="{characters}">'
                f"<title>{escape(bar.label)}: {share:.0%} {escape(names.get(category, category))} "
                f"({characters:,} of {total:,} characters)</title></rect>"
            )
            label = f"{share:.0%}"
            if text_width(label, 11) + 6 < bar_width:
                dark = category in ("original",)
                parts.append(
                    f'<text x="{x + bar_width / 2:.1f}" y="{y + row_height / 2 + 4:.1f}" '
                    f'text-anchor="middle" font-size="11" fill="{"#fff" if dark else INK}" '
                    f'pointer-events="none">{label}</text>'
                )
            x += bar_width
        if bar.note:
            parts.append(
                _text(width - note_width + 8, y + row_height / 2 + 4, bar.note, fill=MUTED)
            )
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + fraction * plot_width
        anchor = "start" if fraction == 0 else "end" if fraction == 1 else "middle"
        parts.append(_text(x, height - 6, f"{fraction:.0%}", anchor=anchor, fill=MUTED))
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass
class StripPart:
    """A run of a document's characters in the coverage strip."""

    start_char: int
    end_char: int
    colour: str
    label: str  # the tooltip
    href: str | None = None
    thin: bool = False  # boilerplate: drawn as a thin line, it is not article text


def coverage_strip(parts: list[StripPart], length: int, width: int = 1000) -> Markup:
    """The document as one bar, left to right from its first character to its last, each run
    coloured as the page highlights it; it stretches to the width of its box (no text in it)."""
    if length <= 0:
        return Markup("")
    height = 18
    scale = width / length
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="strip" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="Where the reused passages sit in '
        f'the text"><rect width="{width}" height="{height}" fill="#fff" stroke="{GRID}"/>'
    ]
    for part in parts:
        x = part.start_char * scale
        # At least a hairline, so a short passage in a long text still shows.
        part_width = max(0.8, (part.end_char - part.start_char) * scale)
        y, part_height = (height / 2 - 1.5, 3) if part.thin else (0, height)
        rect = (
            f'<rect x="{x:.2f}" y="{y}" width="{part_width:.2f}" height="{part_height}" '
            f'fill="{part.colour}" data-start="{part.start_char}" data-end="{part.end_char}">'
            f"<title>{escape(part.label)}</title></rect>"
        )
        out.append(f'<a href="{escape(part.href)}">{rect}</a>' if part.href else rect)
    out.append("</svg>")
    return Markup("".join(out))


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of ``text``'s width in pixels in a sans-serif font of ``size``
    pixels: wide enough for Arial, DejaVu Sans and the system fonts browsers pick.

    >>> text_width("Reuters") < text_width("WWWWWWW")
    True
    >>> text_width("東京") == 2 * 12.0
    True
    """
    total = 0.0
    for character in text:
        if unicodedata.east_asian_width(character) in ("W", "F"):
            total += 1.0
        elif unicodedata.combining(character):
            continue
        elif character in "il.,:;'|!Ijtf()[] ":
            total += 0.36
        elif character in "MWmw@%":
            total += 0.98
        elif character.isupper() or character.isdigit() or character in "&#?_":
            total += 0.72
        else:
            total += 0.62
    return total * size


def fit_label(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    """``text`` on one line, shortened with an ellipsis to at most ``max_width`` pixels.

    >>> fit_label("Associated Press", 500)
    'Associated Press'
    >>> fit_label("The Washington Post Company", 80)
    'The Washi…'
    """
    flat = " ".join(text.split())
    if text_width(flat, size) <= max_width:
        return flat
    ellipsis = text_width("…", size)
    used, kept = 0.0, []
    for character in flat:
        step = text_width(character, size)
        if used + step + ellipsis > max_width:
            break
        kept.append(character)
        used += step
    return "".join(kept).rstrip() + "…"


def _compact(number: int) -> str:
    """A count in at most four characters.

    >>> _compact(950), _compact(12_345), _compact(2_500_000)
    ('950', '12k', '2.5M')
    """
    if number < 1000:
        return str(number)
    if number < 10_000:
        return f"{number / 1000:.1f}k"
    if number < 1_000_000:
        return f"{number // 1000}k"
    return f"{number / 1_000_000:.1f}M"


def _shade(strength: float, grey: bool = False) -> str:
    """From a pale wash (0) to the report's dark blue (1), or to a dark grey.

    >>> _shade(1.0), _shade(1.0, grey=True)
    ('#1d3f66', '#4b5563')
    """
    strength = max(0.0, min(1.0, strength))
    low = (0xF0, 0xF1, 0xF3) if grey else (0xE8, 0xF0, 0xF8)
    high = (0x4B, 0x55, 0x63) if grey else (0x1D, 0x3F, 0x66)
    return "#" + "".join(
        f"{round(a + (b - a) * (0.12 + 0.88 * strength)):02x}"
        for a, b in zip(low, high, strict=True)
    )


def _svg_open(width: int, height: int, title: str, css_class: str = "chart") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="system-ui, sans-serif" font-size="12"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, content: str, anchor: str = "start", fill: str = INK) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'


def _nice_ticks(maximum: int) -> list[int]:
    """Up to ~5 round tick values from 0 to ``maximum``.

    >>> _nice_ticks(7)
    [0, 2, 4, 6]
    """
    step = 1
    while maximum / step > 5:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if maximum / step <= 5:
                break
    return list(range(0, maximum + 1, step))


def _date_ticks(start: datetime, end: datetime, count: int = 5) -> list[datetime]:
    step = (end - start) / count
    return [start + step * index for index in range(count + 1)]


def _date_label(moment: datetime, span: timedelta) -> str:
    if span > timedelta(days=3 * 365):
        return f"{moment:%Y}"
    if span > timedelta(days=60):
        return f"{moment:%b %Y}"
    if span > timedelta(days=2):
        return f"{moment:%d %b}"
    return f"{moment:%d %b %H:%M}"
