"""Reading articles from disk: `.txt`, HTML, JSONL and WARC files, and folders of them.

Every input either becomes a :class:`RawDocument` or a :class:`Skipped` with a one-line reason;
nothing here raises for a user's bad file, so one bad file costs one file.

URIs follow the contract: the path as given on the command line joined with the file's path
below it, or a JSONL record's ``id``/``url``, or a WARC record's target URI.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
WARC_SUFFIXES = (".warc", ".warc.gz")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES

# A news article is a few kB; a 50 MB "article" is a dump or a mistake, and aligning it would
# dominate the run.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Legacy encodings tried, in order, when a text file is not UTF-8. cp1252 is the usual culprit
# on news sites; latin-1 never fails, so it is the last resort.
LEGACY_ENCODINGS = ("cp1252", "latin-1")


@dataclass
class RawDocument:
    """One article as read: its text (or HTML) and what the container said about it."""

    uri: str
    source_format: str  # text, html
    content: str
    # Metadata the container carries (JSONL fields, WARC headers); wins over what cleaning finds.
    fields: dict[str, str] = field(default_factory=dict)
    note: str | None = None  # e.g. "decoded as cp1252"

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256(self.source_format.encode())
        digest.update(self.content.encode("utf-8", "surrogatepass"))
        for key in sorted(self.fields):
            digest.update(f"\0{key}={self.fields[key]}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


@dataclass
class Skipped:
    """An input that could not be read, and why (one line, for the user and the run record)."""

    uri: str
    reason: str

    def message(self) -> str:
        return f"skipped {self.uri}: {self.reason}"


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()


def iter_files(paths: Iterable[str]) -> Iterator[tuple[str, Path] | Skipped]:
    """Yield ``(uri, path)`` for every supported file under ``paths``, in a stable order."""
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                if suffix_of(path) in SUPPORTED_SUFFIXES and not path.name.startswith("."):
                    yield str(Path(given) / path.relative_to(root)), path
        elif root.is_file():
            if suffix_of(root) in SUPPORTED_SUFFIXES:
                yield given, root
            else:
                yield Skipped(given, f"unsupported file type {root.suffix or '(none)'!r}")
        else:
            yield Skipped(given, "no such file or folder")


def read_inputs(
    paths: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | Skipped]:
    """Read every document under ``paths``; bad inputs come out as :class:`Skipped`."""
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        uri, path = item
        try:
            size = path.stat().st_size
        except OSError as error:
            yield Skipped(uri, f"cannot read file ({error.strerror or error})")
            continue
        if size > max_bytes:
            yield Skipped(uri, f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB limit)")
            continue
        try:
            yield from _read_file(uri, path)
        except OSError as error:
            yield Skipped(uri, f"cannot read file ({error.strerror or error})")


def _read_file(uri: str, path: Path) -> Iterator[RawDocument | Skipped]:
    suffix = suffix_of(path)
    if suffix in WARC_SUFFIXES:
        yield from read_warc(uri, path)
        return
    data = path.read_bytes()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(uri, data)
        return
    source_format = "html" if suffix in HTML_SUFFIXES else "text"
    yield bytes_to_document(uri, data, source_format)


def bytes_to_document(uri: str, data: bytes, source_format: str) -> RawDocument | Skipped:
    """Decode one file's bytes, refusing what is empty or binary."""
    if not data.strip():
        return Skipped(uri, "empty file")
    if looks_binary(data):
        return Skipped(uri, "binary file, not text")
    if source_format == "html":
        text, note = decode_html(data)
    else:
        text, note = decode_text(data)
    if not text.strip():
        return Skipped(uri, "no text after decoding")
    return RawDocument(uri, source_format, text, note=note)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first kilobytes mean this is not text."""
    head = data[:8192]
    if b"\0" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls > len(head) * 0.05


def decode_text(data: bytes) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM, or UTF-16 with BOM), else a legacy encoding, said so."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "decoded as UTF-16"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in LEGACY_ENCODINGS:
        try:
            return data.decode(encoding), f"not valid UTF-8, decoded as {encoding}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def decode_html(data: bytes) -> tuple[str, str | None]:
    """Decode HTML by its declared charset, falling back like :func:`decode_text`."""
    from bs4.dammit import UnicodeDammit  # local: bs4 is only needed for HTML input

    dammit = UnicodeDammit(data, is_html=True)
    if dammit.unicode_markup is not None:
        encoding = (dammit.original_encoding or "utf-8").lower()
        note = None if encoding in ("utf-8", "ascii") else f"decoded as {encoding}"
        return dammit.unicode_markup, note
    return decode_text(data)


def read_jsonl(uri: str, data: bytes) -> Iterator[RawDocument | Skipped]:
    """One document per line: ``{"id"|"url": ..., "text"|"html": ..., "title", "outlet", ...}``."""
    text, _ = decode_text(data)
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{uri}:{line_number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Skipped(where, f"invalid JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(record, dict):
            yield Skipped(where, "JSONL line is not an object")
            continue
        body = record.get("text")
        source_format = "text"
        if not isinstance(body, str) and isinstance(record.get("html"), str):
            body, source_format = record["html"], "html"
        if not isinstance(body, str) or not body.strip():
            yield Skipped(where, "record has no 'text' (or 'html') string")
            continue
        record_uri = record.get("id") or record.get("url") or f"{uri}#L{line_number}"
        fields = {
            key: str(record[key])
            for key in ("title", "outlet", "author", "published_at", "url")
            if record.get(key) not in (None, "")
        }
        yield RawDocument(str(record_uri), source_format, body, fields=fields)


def read_warc(uri: str, path: Path) -> Iterator[RawDocument | Skipped]:
    """HTML and text responses of a WARC file; a truncated file yields what was readable."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    count = 0
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests=True):
                if record.rec_type not in ("response", "resource"):
                    continue
                target = record.rec_headers.get_header("WARC-Target-URI") or f"{uri}#{count}"
                content_type = ""
                if record.http_headers is not None:
                    content_type = record.http_headers.get_header("Content-Type") or ""
                data = record.content_stream().read()
                count += 1
                # Bytes the record announced but the file did not hold, or a payload that does
                # not match its recorded digest: the record was cut short or corrupted.
                if getattr(record.raw_stream, "limit", 0) > 0 or record.digest_checker.passed is False:
                    yield Skipped(target, f"truncated or corrupt WARC record in {uri}")
                    continue
                if "html" in content_type or not content_type:
                    yield bytes_to_document(target, data, "html")
                elif content_type.startswith("text/"):
                    yield bytes_to_document(target, data, "text")
    except (ArchiveLoadFailed, EOFError, gzip.BadGzipFile, OSError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        yield Skipped(uri, f"truncated or invalid WARC after {count} records ({reason})")
