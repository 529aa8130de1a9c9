"""``wiretrace show DOC``: one document's lineage as plain text for a terminal, and the escaping
of any text that reaches a terminal.

Control characters from article text, file names or ids (ANSI escape sequences, a carriage
return, a line break in a one-line field) are shown escaped (``\\x1b``) before printing, so
a document cannot rewrite the reader's terminal nor forge a line of wiretrace's own output.
"""

from __future__ import annotations

import re

from reports.data import ReportData, document_title, split_credits
from reports.html import excerpt, pct, when

# What a terminal acts on instead of showing: C0 controls, DEL, C1 controls (U+009B is a
# one-character escape sequence), and the bidirectional overrides that reorder what is shown.
# In running text, tab and line feed keep their meaning; in a one-line field nothing does.
_TERMINAL_CONTROLS = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL_IN_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f{_TERMINAL_CONTROLS}]")
_CONTROL_IN_LINE = re.compile(rf"[\x00-\x1f{_TERMINAL_CONTROLS}\u2028\u2029]")
_JSON_RAW_CONTROLS = re.compile(rf"[{_TERMINAL_CONTROLS}\u2028\u2029]")
OTHER_DOCUMENTS_SHOWN = 6


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str | None) -> str:
    """One line of text safe to print to a terminal: control characters (line breaks too)
    shown escaped.

    >>> print(printable("red\\x1b[31m text\\nerror: forged"))
    red\\x1b[31m text\\x0aerror: forged
    """
    return _CONTROL_IN_LINE.sub(_escaped, text or "")


def printable_text(text: str | None) -> str:
    """Running text safe to print to a terminal: lines and tabs kept, other control
    characters shown escaped.

    >>> print(printable_text("one\\x9b2J two\\nthree"))
    one\\x9b2J two
    three
    """
    return _CONTROL_IN_TEXT.sub(_escaped, text or "")


def json_for_terminal(text: str) -> str:
    """JSON text with the characters ``json.dumps`` leaves raw but a terminal acts on (DEL,
    C1, bidirectional overrides, line separators) written as ``\\uXXXX``: the same JSON."""
    return _JSON_RAW_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _bar(share: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled)


def document_lineage_text(data: ReportData, uri: str) -> str:
    """Metadata, original share, and every reused passage with offsets, origin, confidence and
    evidence, plus where else it appears. Raises ``ValueError`` for an unknown ``uri``."""
    document = data.document_by_uri.get(uri)
    if document is None:
        raise ValueError(f"no document {uri!r} in the report data")

    def other(link_uri: str) -> str:
        return (
            f"{printable(excerpt(document_title(data.document_by_uri[link_uri]), 60)) if link_uri in data.document_by_uri else printable(link_uri)}"
            f" ({printable(data.outlet_of(link_uri))}, {when(data.published_at(link_uri))})"
        )

    meta = [printable(document.outlet), printable(document.author), when(document.published_at)]
    credits = split_credits(document.wire_credits)
    lines = [
        printable(document_title(document)),
        printable(document.uri) + f"  (document {document.document_id})",
        " · ".join(part for part in meta if part),
    ]
    if credits:
        lines.append("credits: " + printable(", ".join(credits)))
    if document.original_share is not None:
        lines.append(
            f"original share: {pct(document.original_share)}  {_bar(document.original_share)}"
        )
    boilerplate = data.boilerplate_by_uri.get(uri, [])
    if boilerplate:
        chars = sum(row.end_char - row.start_char for row in boilerplate)
        kinds = sorted({row.kind for row in boilerplate})
        lines.append(
            f"boilerplate removed: {len(boilerplate)} spans, {chars} characters ({', '.join(kinds)})"
        )
    occurrences = data.lineage_by_uri.get(uri, [])
    lines += ["", f"Reused passages ({len(occurrences)})" if occurrences else "No reused passages."]
    for number, row in enumerate(occurrences, start=1):
        kind, origin_uri, _, confidence = data.origin_of_cluster(row.cluster_id)
        label = printable(data.origin_label(row.cluster_id))
        origin = "this document is the origin" if row.is_origin else f"from {label} ({kind})"
        lines.append(
            f"{number}. [{row.start_char}:{row.end_char}] passage {row.cluster_id}: {origin}, "
            f"confidence {pct(confidence)}"
        )
        lines.append(f'   "{printable(excerpt(row.text, 300))}"')
        if kind == "document" and origin_uri and not row.is_origin:
            lines.append(f"   first in: {other(origin_uri)}")
        parent = data.occurrence_by_id.get(row.parent_occurrence_id or -1)
        if parent is not None:
            lines.append(f"   copied from: {other(parent.uri)}")
        if row.evidence:
            lines.append(f"   evidence: {printable(excerpt(row.evidence, 400))}")
        others = [
            item.uri for item in data.lineage_by_cluster.get(row.cluster_id, []) if item.uri != uri
        ]
        if others:
            shown = "; ".join(other(item) for item in others[:OTHER_DOCUMENTS_SHOWN])
            more = (
                f"; and {len(others) - OTHER_DOCUMENTS_SHOWN} more"
                if len(others) > OTHER_DOCUMENTS_SHOWN
                else ""
            )
            lines.append(f"   also in: {shown}{more}")
    quotes = data.quotes_by_uri.get(uri, [])
    if quotes:
        lines += ["", f"Quotations ({len(quotes)})"]
        for quote in quotes:
            details = [part for part in (printable(quote.speaker), quote.edit_kind) if part]
            lines.append(
                f'- [{quote.start_char}:{quote.end_char}] "{printable(excerpt(quote.text, 200))}"'
                + (f" ({', '.join(details)})" if details else "")
            )
    return "\n".join(lines) + "\n"
