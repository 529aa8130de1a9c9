"""Plots as inline SVG, drawn at build time: no JavaScript, no plotting library, no network.

Every label that can come from the corpus goes through :func:`markupsafe.escape`; the SVG is
returned as :class:`markupsafe.Markup` so templates embed it without escaping it twice.

>>> svg = share_histogram([0.05, 0.5, 0.55, 1.0])
>>> svg.startswith("<svg") and "2 documents" in svg
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape

INK = "#1f2328"
MUTED = "#6b7280"
GRID = "#e5e7eb"
BAR = "#2f5d8a"


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
    label_width, right, top, bottom = 260, 48, 8, 28
    start = min(moment for row in dated for moment, _ in row.moments)
    end = max(moment for row in dated for moment, _ in row.moments)
    if end - start < timedelta(hours=1):
        start, end = start - timedelta(minutes=30), end + timedelta(minutes=30)
    span = (end - start).total_seconds()
    plot_width = width - label_width - right
    height = top + len(dated) * row_height + bottom

    def x_of(moment: datetime) -> float:
        return label_width + (moment - start).total_seconds() / span * plot_width

    parts = [_svg_open(width, height, "When the most reused passages spread")]
    for tick in _date_ticks(start, end):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - bottom}" stroke="{GRID}"/>'
        )
        parts.append(
            _text(
                x, height - bottom + 16, _date_label(tick, end - start), anchor="middle", fill=MUTED
            )
        )
    for index, row in enumerate(dated):
        y = top + index * row_height + row_height / 2
        moments = sorted(row.moments)
        x_first, x_last = x_of(moments[0][0]), x_of(moments[-1][0])
        label = row.label if len(row.label) <= 40 else row.label[:39] + "…"
        parts.append(f'<a href="{escape(row.href)}">')
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


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
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
