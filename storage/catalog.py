"""What each view, table and column holds, read from ``storage/SCHEMA.md``.

SCHEMA.md is the one place that describes the schema; ``wiretrace serve`` shows the same words
in Datasette (table descriptions, column tooltips) by reading them from it here, so the two
never drift. The parser knows SCHEMA.md's own layout:

- a section per view or table: ``### `name`: summary`` (or ``### `a` and `b```);
- for a view, a ``| column | holds |`` table whose first cell names one or more columns
  (``| `uri_a`, `a_start`, `a_end` | the span in the first document |``);
- for a table, prose paragraphs (their first one describes the table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SCHEMA_MD = Path(__file__).with_name("SCHEMA.md")

_SECTION = re.compile(r"^###\s+(?P<names>.+?)(?::\s*(?P<summary>.*))?$")
_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


@dataclass
class Described:
    """A view or table: a description, and one per column where SCHEMA.md gives them."""

    name: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)


def plain(markdown: str) -> str:
    """One line of SCHEMA.md's Markdown as plain text (Datasette shows descriptions as text):
    no backticks, emphasis or link targets, whitespace folded.

    >>> plain("the span in `text` (**characters**, see [SCHEMA](SCHEMA.md))")
    'the span in text (characters, see SCHEMA)'
    """
    text = _LINK.sub(r"\1", markdown).replace("`", "").replace("**", "")
    return " ".join(text.split())


def _cells(line: str) -> list[str]:
    # "| a | b |" -> ["a", "b"]; a "|" inside backticks does not occur in SCHEMA.md.
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    in_code = False
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or line.startswith("|"):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _column_rows(lines: list[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for line in lines:
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if len(cells) < 2 or cells[0] in ("column", "") or set(cells[0]) <= {"-", " ", ":"}:
            continue
        for name in _NAME.findall(cells[0]):
            columns[name] = plain(cells[1])
    return columns


def parse_schema(markdown: str) -> dict[str, Described]:
    """Every ``###`` section of SCHEMA.md, by view or table name (a section naming two tables
    describes both)."""
    described: dict[str, Described] = {}
    sections: list[tuple[str, list[str]]] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
    for heading, body in sections:
        match = _SECTION.match(heading)
        if match is None:
            continue
        names = _NAME.findall(match.group("names"))
        summary = plain(match.group("summary") or "")
        paragraphs = [plain(paragraph) for paragraph in _paragraphs(body)]
        columns = _column_rows(body)
        parts = [summary] if summary else []
        if paragraphs:
            parts.append(paragraphs[0])
        description = ". ".join(part.rstrip(".") for part in parts) + "." if parts else ""
        description = description[:1].upper() + description[1:]
        for name in names:
            described[name] = Described(name, description, dict(columns))
    return described


@cache
def schema_catalog() -> dict[str, Described]:
    """SCHEMA.md's descriptions, by view or table name (read once)."""
    return parse_schema(SCHEMA_MD.read_text(encoding="utf-8"))
