"""wiretrace reports: render what storage returns (HTML, Markdown, JSON, CSV, PROV-JSON).

Every function takes a :class:`ReportData` (the rows of the contract's views) or a
``storage.store.Store`` to read one from; nothing here detects anything.

- :func:`write_report` writes the static report folder (``index.html``, ``docs/<id>.html``,
  ``clusters/<id>.html``, ``documents*.html``, ``passages*.html``, ``report.md``,
  ``lineage.json``, ``lineage.csv``) and returns the files written.
- :func:`export_prov_json` returns the lineage graph as a W3C PROV-JSON dict.
- :func:`summary_markdown` / :func:`summary_table`: what a Prefect run publishes as artifacts.
- :func:`document_lineage_text`: ``wiretrace show DOC``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reports.data import ReportData
from reports.html import list_page_name, write_html
from reports.markdown import report_markdown, summary_markdown, summary_table
from reports.prov import build_prov
from reports.tabular import dump_json, lineage_csv, lineage_json
from reports.terminal import document_lineage_text

__all__ = [
    "ReportData",
    "document_lineage_text",
    "export_prov_json",
    "summary_markdown",
    "summary_table",
    "write_report",
]

MARKER = ".wiretrace-report"


def _as_data(store_or_data: Any) -> ReportData:
    if isinstance(store_or_data, ReportData):
        return store_or_data
    return ReportData.from_store(store_or_data)


def write_report(store_or_data: Any, out_dir: Path | str) -> list[Path]:
    """Write the report into ``out_dir`` (created if missing); return the paths written.

    Pages of documents or passages that a previous report wrote into the same folder and that no
    longer exist are removed (only in a folder wiretrace made, recognised by its marker file).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"report folder {out_dir} is a file; give a folder with --out")
    data = _as_data(store_or_data)
    generated_at = datetime.now(UTC).replace(microsecond=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = (out_dir / MARKER).exists()
    written = write_html(data, out_dir, generated_at)
    extras = {
        "report.md": report_markdown(data),
        "lineage.json": dump_json(lineage_json(data, generated_at)),
        "lineage.csv": lineage_csv(data),
    }
    for name, content in extras.items():
        path = out_dir / name
        # newline="" keeps the CSV's CRLF row ends as RFC 4180 wants them.
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        written.append(path)
    (out_dir / MARKER).write_text("written by wiretrace report; safe to delete with the folder\n")
    if ours:
        _remove_stale(out_dir, written)
    return written


def _remove_stale(out_dir: Path, written: list[Path]) -> None:
    keep = {path.resolve() for path in written}
    candidates = list((out_dir / "docs").glob("*.html")) + list(
        (out_dir / "clusters").glob("*.html")
    )
    for stem in ("documents", "passages"):
        candidates += [
            path
            for path in out_dir.glob(f"{stem}-*.html")
            if path.name != list_page_name(stem, 1) and path.stem.removeprefix(f"{stem}-").isdigit()
        ]
    for path in candidates:
        if path.resolve() not in keep:
            path.unlink(missing_ok=True)


def export_prov_json(store_or_data: Any) -> dict[str, Any]:
    """The lineage graph as a W3C PROV-JSON dict (see :mod:`reports.prov`)."""
    return build_prov(_as_data(store_or_data))
