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

import os
import re
import shutil
import stat
import tempfile
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reports.data import ReportData
from reports.html import write_html
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
MARKER_TEXT = "written by wiretrace report; safe to delete with the folder\n"
MANIFEST_HEAD = "# files it wrote, removed by the next report that no longer writes them:\n"
# The names wiretrace gives the files of a report: the only ones it ever removes.
OWN_NAME = re.compile(
    r"(?:docs|clusters)/[0-9]++\.html|(?:documents|passages)(?:-[0-9]++)?+\.html"
    r"|index\.html|report\.md|lineage\.(?:json|csv)|wiretrace\.js|documents-data\.js"
)
SUBFOLDERS = ("docs", "clusters")


def _as_data(store_or_data: Any) -> ReportData:
    if isinstance(store_or_data, ReportData):
        return store_or_data
    return ReportData.from_store(store_or_data)


def write_report(store_or_data: Any, out_dir: Path | str) -> list[Path]:
    """Write the report into ``out_dir`` (created if missing); return the paths written.

    Every file is first written to a temporary folder inside ``out_dir`` and then moved into
    place (a rename), so a write that fails (disk full) leaves the previous report whole.
    Nothing is written through a symbolic link: a ``docs`` or ``clusters`` link is refused,
    a linked file is replaced by the new file, its target left alone. The marker file lists
    the files written; a page the previous report wrote there and this one does not is
    removed, and nothing else ever is.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"report folder {out_dir} is a file; give a folder with --out")
    data = _as_data(store_or_data)
    generated_at = datetime.now(UTC).replace(microsecond=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    _refuse_linked_subfolders(out_dir)
    previous = _files_written_before(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=".wiretrace-report-", dir=out_dir))
    try:
        names = _write_all(data, staging, generated_at)
        _move_into_place(staging, out_dir, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # made here, holds only what was written
    if previous is not None:
        _remove_stale(out_dir, previous - set(names))
    return [out_dir / name for name in names]


def _write_all(data: ReportData, folder: Path, generated_at: datetime) -> list[str]:
    """Every file of the report, written into ``folder``: their relative names, pages first."""
    written = write_html(data, folder, generated_at)
    extras = {
        "report.md": report_markdown(data),
        "lineage.json": dump_json(lineage_json(data, generated_at)),
        "lineage.csv": lineage_csv(data),
    }
    for name, content in extras.items():
        path = folder / name
        # newline="" keeps the CSV's CRLF row ends as RFC 4180 wants them.
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        written.append(path)
    return [path.relative_to(folder).as_posix() for path in written]


def _refuse_linked_subfolders(out_dir: Path) -> None:
    for name in SUBFOLDERS:
        path = out_dir / name
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise ValueError(
                f"report folder {out_dir}: {name} is a symbolic link or a file, and the report "
                "writes only inside its folder: remove it or give another --out"
            )


def _move_into_place(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Rename the staged files over their places (a link there is replaced, not followed);
    the marker, listing them, last."""
    for name in names:
        target = out_dir / name
        if target.is_dir() and not target.is_symlink():
            raise ValueError(f"report folder {out_dir}: {name} is a folder; remove it")
    moved = set()
    for name in SUBFOLDERS:
        if not os.path.lexists(out_dir / name):
            os.rename(staging / name, out_dir / name)  # the whole folder at once
            moved.add(name)
    # Pages before the index that links them.
    for name in sorted(names, key=lambda name: (name == "index.html", name)):
        if name.split("/", 1)[0] not in moved:
            os.replace(staging / name, out_dir / name)
    marker = staging / MARKER
    marker.write_text(MARKER_TEXT + MANIFEST_HEAD + "".join(f"{name}\n" for name in names))
    os.replace(marker, out_dir / MARKER)


def _files_written_before(out_dir: Path) -> set[str] | None:
    """The files the previous report listed in its marker; None when the folder is not one
    wiretrace wrote (or its marker, from an older wiretrace, lists nothing: nothing is removed)."""
    marker = out_dir / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    return {line for line in lines if OWN_NAME.fullmatch(line)}


def _remove_stale(out_dir: Path, names: set[str]) -> None:
    """Remove these files of a previous report: regular files only, reached through real
    folders only (never a link, never outside ``out_dir``)."""
    for name in sorted(names):
        folder, _, _ = name.rpartition("/")
        if folder and (out_dir / folder).is_symlink():
            continue
        path = out_dir / name
        with suppress(FileNotFoundError):
            if stat.S_ISREG(path.lstat().st_mode):
                path.unlink()


def export_prov_json(store_or_data: Any) -> dict[str, Any]:
    """The lineage graph as a W3C PROV-JSON dict (see :mod:`reports.prov`)."""
    return build_prov(_as_data(store_or_data))
