"""Reading articles from disk: `.txt`, HTML, JSONL and WARC files, and folders of them.

Every input either becomes a :class:`RawDocument` or a :class:`Skipped` with a one-line reason;
nothing here raises for a user's bad file, so one bad file costs one file.

URIs follow the contract: the path as given on the command line joined with the file's path
below it, or a JSONL record's ``id``/``url``, or a WARC record's target URI. What a document
*is* does not depend on that spelling: its ``key`` is the file's real path (``file:/abs/a.txt``),
with ``#`` and the record's id for a record of a feed or crawl, so the same file reached as
``in20`` and as ``/abs/in20`` is one document, and record ``1`` of one feed is not record ``1``
of another. :class:`DocumentNames` gives each document its uri: the one it is stored under if
it is stored, else its own unless another document holds it, else a qualified one (the file's
real path, ``feed.jsonl#1``), said in a note. Each document is read at most once per run: a
later input of the same document is skipped, the first one kept. Folders written by
``wiretrace report`` (and pages of one) are not articles: they are skipped.

Text that a database cannot store (NUL characters, lone UTF-16 surrogates) is replaced by
U+FFFD, one character for one, so that offsets into the text stay what they were.

>>> decode_text("Le café de la gare a fermé.".encode("cp1252"))
('Le café de la gare a fermé.', 'not valid UTF-8, decoded as cp1252 (guessed from the bytes)')
>>> Skipped("a\\nb.txt", "empty file").message()
"skipped 'a\\\\nb.txt': empty file"
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from dedup.encoding import charset_of_content_type, declared_charset, decode_bytes

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
WARC_SUFFIXES = (".warc", ".warc.gz")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES

# A news article is a few kB; a 20 MB file is a dump or a mistake (HTML pages with inline
# images and scripts reach a few MB). For JSONL and WARC files the limit applies to each record.
DEFAULT_MAX_BYTES = 20_000_000
# The longest features run to ~100,000 characters; ten times that is a book or a dump. The
# pipeline's memory grows with a document's length (measured on repetitive text: 1 M
# characters 6 s and 0.5 GB, 4 M characters 20 s and 1.5 GB), so longer texts are refused.
DEFAULT_MAX_CHARS = 1_000_000
# Override the two limits (positive integers), e.g. for a scheduled run on odd inputs.
MAX_BYTES_ENV = "WIRETRACE_MAX_BYTES"
MAX_CHARS_ENV = "WIRETRACE_MAX_CHARS"
# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 8192
REPLACEMENT = "\ufffd"
# NUL (PostgreSQL text cannot hold it) and lone surrogates (not encodable as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")
LETTER = re.compile(r"[^\W\d_]")
JSONL_FIELDS = ("title", "outlet", "author", "published_at", "url")
# What ``wiretrace report`` leaves in its folder (``reports.MARKER``) and in every page's head.
REPORT_MARKER = ".wiretrace-report"
REPORT_GENERATOR = re.compile(rb"""<meta\s++name=["']?generator["']?\s++content=["']?wiretrace\b""")


@dataclass
class RawDocument:
    """One article as read: its text (or HTML) and what the container said about it."""

    uri: str
    source_format: str  # text, html
    content: str
    # Metadata the container carries (JSONL fields, WARC headers); wins over what cleaning finds.
    fields: dict[str, str] = field(default_factory=dict)
    note: str | None = None  # e.g. "decoded as cp1252"
    # The record's id within its file (JSONL id/url or line, WARC target); None: a whole file.
    record: str | None = None
    # What the document is, whatever the spelling of its path (see the module's docstring).
    key: str = ""
    # Uris to take, in order, when ``uri`` is another document's.
    alternatives: tuple[str, ...] = ()

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
        return f"skipped {printable(self.uri)}: {printable(self.reason)}"


def printable(value: str) -> str:
    """``value`` itself, or its ``repr`` when it holds a line break or another control char."""
    return repr(value) if CONTROL_CHARS.search(value) else value


def _limit_from_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def max_bytes_from_env(default: int = DEFAULT_MAX_BYTES) -> int:
    """The size limit of one file or record: ``$WIRETRACE_MAX_BYTES`` if a positive integer."""
    return _limit_from_env(MAX_BYTES_ENV, default)


def max_chars_from_env(default: int = DEFAULT_MAX_CHARS) -> int:
    """The length limit of one article's text: ``$WIRETRACE_MAX_CHARS`` if a positive integer."""
    return _limit_from_env(MAX_CHARS_ENV, default)


def too_long(text: str, max_chars: int | None = None) -> str | None:
    """The skip reason for an article text over the length limit, else None.

    Plain text is checked on reading; an HTML page's visible text is known only once cleaned.

    >>> too_long("word " * 10, max_chars=20)
    'text too long for an article (50 characters > 20 limit)'
    """
    limit = max_chars if max_chars is not None else max_chars_from_env()
    if len(text) <= limit:
        return None
    return f"text too long for an article ({len(text):,} characters > {limit:,} limit)"


# Cleaning a page costs memory and time by its elements (measured: 50,000 paragraphs 0.13 GB
# and 8 s, 200,000 paragraphs 0.6 GB and 66 s) and by its text. News pages hold a few thousand
# elements (at most 1,737 in the 181 pages of the AEB benchmark): a page with more than one
# element per this many characters of the longest article is refused before it is parsed.
CHARS_PER_ELEMENT = 20
# The text of a page is estimated before parsing: characters outside tags, comments, scripts
# and styles, spaces not counted (the rendered text keeps one between words). Entities and
# hidden elements make it an overestimate: refused only past twice the length limit (the exact
# length is checked again once the page is cleaned).
ESTIMATE_MARGIN = 2
# Tags of every kind (end tags, comments, stray "<") per element allowed: an element has two.
TAGS_PER_ELEMENT = 4
_RAW_TEXT_END = {name: re.compile(f"</{name}", re.IGNORECASE) for name in ("script", "style")}
_SPACE = re.compile(r"\s++")
_TAG_NAME = re.compile(r"[A-Za-z][\w:-]*+")
_TEXT_SLICE = 1 << 16


def page_too_big(markup: str, max_chars: int | None = None) -> str | None:
    """The skip reason for an HTML page too big to clean as an article, else None: more
    elements than an article page has, or visibly more text than the length limit.

    One pass that stops at the first limit crossed, so a huge page costs no more than a
    legitimate one.

    >>> page_too_big("<p>short</p>" * 3, max_chars=1000) is None
    True
    >>> page_too_big("<p>a</p>" * 60, max_chars=1000)
    'HTML page too big for an article (over 50 elements, limit 1,000 characters / 20)'
    >>> page_too_big("<script>" + "x" * 5000 + "</script><p>" + "word " * 600 + "</p>", 1000)
    'text too long for an article (over 2,000 characters of text in the HTML, limit 1,000)'
    """
    limit = max_chars if max_chars is not None else max_chars_from_env()
    max_elements = max(limit // CHARS_PER_ELEMENT, 1)
    max_text = ESTIMATE_MARGIN * limit
    if len(markup) <= max_text and markup.count("<") <= max_elements:
        return None  # an article page: no need to look closer
    elements = text = position = tags = 0
    end_of_page = len(markup)
    while position < end_of_page:
        tags += 1  # end tags and stray "<" too: each costs a step here and in the parser
        if tags > TAGS_PER_ELEMENT * max_elements:
            return f"HTML page too big for an article (over {tags - 1:,} tags)"
        start = markup.find("<", position)
        stop = end_of_page if start < 0 else start
        text += _text_length(markup, position, stop, max_text - text)
        if text > max_text:
            return (
                f"text too long for an article (over {max_text:,} characters of text in the "
                f"HTML, limit {limit:,})"
            )
        if start < 0:
            break
        if markup.startswith("<!--", start):
            close = markup.find("-->", start + 4)
            position = end_of_page if close < 0 else close + 3
            continue
        name = _TAG_NAME.match(markup, start + 1)
        if name is None and not markup.startswith(("</", "<!", "<?"), start):
            text += 1  # a "<" that opens no tag is text
            position = start + 1
            continue
        close = markup.find(">", start + 1)
        if close < 0:
            break  # a tag left open to the end: no more text
        position = close + 1
        if name is None:
            continue  # an end tag, a declaration
        elements += 1
        if elements > max_elements:
            return (
                f"HTML page too big for an article (over {max_elements:,} elements, limit "
                f"{limit:,} characters / {CHARS_PER_ELEMENT})"
            )
        raw_text_end = _RAW_TEXT_END.get(name.group().lower())
        if raw_text_end is not None:  # a script's or style's content is not text
            found = raw_text_end.search(markup, position)
            position = end_of_page if found is None else found.start()
    return None


def _text_length(markup: str, start: int, stop: int, room: int) -> int:
    """Characters other than spaces in ``markup[start:stop]``, counted a slice at a time until
    past ``room``."""
    counted = 0
    for piece in range(start, stop, _TEXT_SLICE):
        piece_stop = min(stop, piece + _TEXT_SLICE)
        spaces = sum(run.end() - run.start() for run in _SPACE.finditer(markup, piece, piece_stop))
        counted += piece_stop - piece - spaces
        if counted > room:
            break
    return counted


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()


def path_uri(path: Path | str) -> str:
    """A path as a uri a database can store: undecodable file-name bytes become ``\\xNN``."""
    name = str(path)
    if UNSTORABLE.search(name):
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def iter_files(paths: Iterable[str]) -> Iterator[tuple[str, Path] | Skipped]:
    """Yield ``(uri, path)`` for every supported file under ``paths``, in a stable order.

    Inside a folder, unsupported and hidden files (and files in hidden folders) are not inputs;
    a path given by name that cannot be read is reported, and so is a folder that
    ``wiretrace report`` wrote (its pages are not articles), once.
    """
    for given in paths:
        root = Path(given)
        if root.is_dir():
            if (root / REPORT_MARKER).exists():
                yield Skipped(path_uri(given), REPORT_FOLDER)
                continue
            try:
                listed = list(root.rglob("*"))  # one walk: hidden files too (the marker is)
                found = sorted(p for p in listed if p.is_file() and not _is_hidden(p, root))
                reports = sorted({p.parent for p in listed if p.name == REPORT_MARKER})
            except OSError as error:
                yield Skipped(path_uri(given), f"cannot list folder ({error.strerror or error})")
                continue
            for folder in reports:
                yield Skipped(path_uri(Path(given) / folder.relative_to(root)), REPORT_FOLDER)
            for path in found:
                if suffix_of(path) in SUPPORTED_SUFFIXES and not _inside(path, reports):
                    yield path_uri(Path(given) / path.relative_to(root)), path
        elif root.is_file():
            if suffix_of(root) in SUPPORTED_SUFFIXES:
                yield path_uri(given), root
            else:
                yield Skipped(path_uri(given), f"unsupported file type {root.suffix or '(none)'!r}")
        elif root.exists():
            yield Skipped(path_uri(given), "not a regular file or folder")
        else:
            yield Skipped(path_uri(given), "no such file or folder")


REPORT_FOLDER = "a report written by wiretrace report, not articles"


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(folder in path.parents for folder in folders)


def read_inputs(
    paths: Iterable[str],
    max_bytes: int | None = None,
    max_chars: int | None = None,
    names: DocumentNames | None = None,
    jsonl: JsonlFields | None = None,
) -> Iterator[RawDocument | Skipped]:
    """Read every document under ``paths``; bad inputs come out as :class:`Skipped`.

    ``max_bytes`` (default: :func:`max_bytes_from_env`) bounds one file or record: a bigger one
    is refused before it is read, so memory stays bounded whatever the inputs. ``max_chars``
    (default: :func:`max_chars_from_env`) bounds a plain text's length (see :func:`too_long`).
    ``names`` gives each document its uri (default: as if nothing were stored); ``jsonl``
    says where a JSONL record's fields are (default: :data:`JSONL_ALIASES`).
    """
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    char_limit = max_chars if max_chars is not None else max_chars_from_env()
    names = names if names is not None else DocumentNames()
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        uri, path = item
        real = path_uri(os.path.realpath(path))
        for read in _read_guarded(uri, path, limit, jsonl):
            if isinstance(read, RawDocument):
                check = too_long if read.source_format == "text" else page_too_big
                reason = check(read.content, char_limit)
                read = Skipped(read.uri, reason) if reason else read
            if isinstance(read, RawDocument):
                read = names.name(identified(read, uri, real))
            yield read


def identified(document: RawDocument, container: str, real_path: str) -> RawDocument:
    """``document`` with its key and the uris it may take instead of its own, read from the
    file ``container`` (its uri) whose real path is ``real_path``."""
    if document.record is None:
        key, alternatives = f"file:{real_path}", [real_path]
    else:
        key = f"file:{real_path}#{document.record}"
        alternatives = [f"{container}#{document.record}", f"{real_path}#{document.record}"]
    others = tuple(dict.fromkeys(uri for uri in alternatives if uri != document.uri))
    return replace(document, key=key, alternatives=others)


@dataclass
class DocumentNames:
    """Which uri each document of a run gets, given what is stored (``stored``: uri ->
    (key, content hash) of every stored document; the key is None for documents stored before
    keys were, until a run reads them again).

    A stored document keeps its uri, whatever the spelling it is reached by now. A document
    stored without a key is taken to be the one read with its uri when it is a file (as the
    uri meant then), or a record with the same content; ``adopted`` lists those, uri -> key,
    for the store to record. Any other document takes its own uri if no other document holds
    it, else the first free of its alternatives (its real path, ``feed.jsonl#id``), and says so
    in its note: a document never replaces another.
    """

    stored: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    adopted: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._uri_of_key = {key: uri for uri, (key, _) in self.stored.items() if key}
        self._taken = set(self.stored)
        self._seen: dict[str, str] = {}  # key -> uri, of this run's documents

    def name(self, document: RawDocument) -> RawDocument | Skipped:
        first = self._seen.get(document.key)
        if first is not None:
            kept = "" if first == document.uri else f" as {first}"
            return Skipped(document.uri, f"same document as an earlier input (first kept{kept})")
        uri = self._uri_of_key.get(document.key)
        note = document.note
        if uri is None and self._adopts(document):
            uri = document.uri
            self.adopted[uri] = document.key
        elif uri is None:
            uri = self._free_uri(document)
            if uri != document.uri:
                note = _join_notes(note, f"uri {document.uri!r} is another document's")
        self._taken.add(uri)
        self._seen[document.key] = uri
        return replace(document, uri=uri, note=note)

    def _adopts(self, document: RawDocument) -> bool:
        stored = self.stored.get(document.uri)
        if stored is None or stored[0] is not None or document.uri in self.adopted:
            return False
        return document.record is None or stored[1] == document.content_hash

    def _free_uri(self, document: RawDocument) -> str:
        for uri in (document.uri, *document.alternatives):
            if uri not in self._taken:
                return uri
        last = document.alternatives[-1] if document.alternatives else document.uri
        number = 2
        while f"{last}#{number}" in self._taken:
            number += 1
        return f"{last}#{number}"


def _read_guarded(
    uri: str, path: Path, max_bytes: int, jsonl: JsonlFields | None = None
) -> Iterator[RawDocument | Skipped]:
    """:func:`_read_file`, turning any error into one skip: one bad file costs one file."""
    try:
        yield from _read_file(uri, path, max_bytes, jsonl)
    except OSError as error:
        yield Skipped(uri, f"cannot read file ({error.strerror or error})")
    except Exception as error:  # a reader bug on an odd file must not end the whole run
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        yield Skipped(uri, f"unreadable ({type(error).__name__}{': ' + detail if detail else ''})")


def _too_large(size: int, max_bytes: int, what: str = "file") -> str:
    return f"{what} too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)"


def _read_file(
    uri: str, path: Path, max_bytes: int, jsonl: JsonlFields | None = None
) -> Iterator[RawDocument | Skipped]:
    suffix = suffix_of(path)
    if suffix in WARC_SUFFIXES:
        yield from read_warc(uri, path, max_bytes)
        return
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl_file(uri, path, max_bytes, jsonl)
        return
    size = path.stat().st_size
    if size > max_bytes:
        yield Skipped(uri, _too_large(size, max_bytes))
        return
    with path.open("rb") as stream:
        # Bounded even if the file grew since stat().
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield Skipped(uri, _too_large(len(data), max_bytes))
        return
    source_format = "html" if suffix in HTML_SUFFIXES else "text"
    yield bytes_to_document(uri, data, source_format)


def bytes_to_document(
    uri: str, data: bytes, source_format: str, charset: str | None = None
) -> RawDocument | Skipped:
    """Decode one file's bytes, refusing what is empty, binary or has no words. ``charset``:
    what the container declares (a WARC response's ``Content-Type``), a hint."""
    if not data.strip():
        return Skipped(uri, "empty file")
    wide = wide_encoding(data)  # UTF-16/32 is full of NULs, yet text
    if wide is None and looks_binary(data):
        return Skipped(uri, "binary file, not text")
    if source_format == "html" and REPORT_GENERATOR.search(data[:SNIFF_BYTES]):
        return Skipped(uri, "a page of a report written by wiretrace report, not an article")
    if source_format == "html":
        text, note = decode_html(data, charset)
    else:
        text, note = decode_text(data, charset)
    return text_to_document(uri, text, source_format, {}, note)


def text_to_document(
    uri: str, text: str, source_format: str, fields: dict[str, str], note: str | None = None
) -> RawDocument | Skipped:
    """The decoded text as a document, made storable; refused if it holds no word."""
    if not text.strip():
        return Skipped(uri, "no text after decoding")
    text, replaced = make_storable(text)
    if replaced:
        note = _join_notes(note, f"{replaced} NUL or invalid characters replaced by U+FFFD")
    # HTML markup always has letters; whether its visible text does is for cleaning to say.
    if source_format == "text" and not LETTER.search(text):
        return Skipped(uri, "no words in text (only digits, symbols or spaces)")
    safe_fields = {key: make_storable(value)[0] for key, value in fields.items()}
    return RawDocument(uri, source_format, text, fields=safe_fields, note=note)


def make_storable(text: str) -> tuple[str, int]:
    """``text`` with NULs and lone surrogates replaced (same length), and how many were."""
    replaced = len(UNSTORABLE.findall(text))
    return (UNSTORABLE.sub(REPLACEMENT, text), replaced) if replaced else (text, 0)


def _join_notes(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def wide_encoding(data: bytes) -> str | None:
    """``utf-16``/``utf-32`` (with a byte order mark) or ``utf-16-le``/``-be`` (sniffed), else None.

    Without a mark, UTF-16 text of mostly Latin script has a NUL in every other byte.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    head = data[:SNIFF_BYTES]
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode_wide(data: bytes, encoding: str) -> tuple[str, str | None]:
    how = "byte order mark" if encoding in ("utf-16", "utf-32") else "no byte order mark"
    text = data.decode(encoding, "replace")
    bad = text.count(REPLACEMENT)
    note = f"decoded as {encoding.upper()} ({how})"
    return text, (f"{note}, {bad} invalid sequences replaced" if bad else note)


def looks_binary(data: bytes) -> bool:
    """Many NUL bytes or control characters in the first kilobytes mean this is not text.

    Binary formats (images, archives, executables) are full of them; a text or page with a
    stray NUL is still text (the NUL is replaced when stored).

    >>> looks_binary(b"<p>An article</p>" * 100 + bytes(1)), looks_binary(bytes(range(256)))
    (False, True)
    """
    head = data[:SNIFF_BYTES]
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return head.count(0) > len(head) * 0.01 or controls > len(head) * 0.05


def decode_text(
    data: bytes, declared: str | None = None, guess: bool = True
) -> tuple[str, str | None]:
    """The text of ``data`` and a note of how it was decoded (None: plain UTF-8): UTF-16/32
    (byte order mark, or sniffed), else as :func:`dedup.encoding.decode_bytes` decides from the
    bytes, ``declared`` (a charset the container states) a hint they can overrule.

    A UTF-8 file with a few damaged bytes keeps its UTF-8 (the bad bytes replaced): decoding
    it all as cp1252 would garble every accented letter to repair one byte.
    """
    wide = wide_encoding(data)
    if wide is not None:
        return _decode_wide(data, wide)
    decoded = decode_bytes(data, declared, guess)
    return decoded.text, decoded.note


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str | None]:
    """Decode a page: its charset (``http_charset``, else its ``<meta>``) is a hint the bytes
    can overrule (a UTF-8 page declared iso-8859-1 stays UTF-8)."""
    return decode_text(data, declared_charset(data, http_charset))


def read_jsonl_file(
    uri: str, path: Path, max_bytes: int, jsonl: JsonlFields | None = None
) -> Iterator[RawDocument | Skipped]:
    """A JSONL file streamed line by line: the size limit bounds each line, not the file."""
    with path.open("rb") as stream:
        head = stream.read(4)
        stream.seek(0)
        if wide_encoding(head) is not None:  # a UTF-16 feed: small enough to read whole
            size = path.stat().st_size
            if size > max_bytes:
                yield Skipped(uri, _too_large(size, max_bytes))
                return
            text, _ = decode_text(stream.read())
            lines = [line.encode("utf-8", "surrogatepass") for line in text.splitlines()]
            yield from read_jsonl_lines(uri, lines, max_bytes, jsonl)
            return
        yield from read_jsonl_lines(uri, _bounded_lines(stream, max_bytes), max_bytes, jsonl)


def _bounded_lines(stream, max_bytes: int) -> Iterator[bytes]:
    """Lines of a binary stream; a line over ``max_bytes`` is cut there and not kept whole."""
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # drain the rest of the over-long line without keeping it
        yield line


def read_jsonl_lines(
    uri: str, lines: Iterable[bytes], max_bytes: int, jsonl: JsonlFields | None = None
) -> Iterator[RawDocument | Skipped]:
    """One document per line: ``{"id"|"url": ..., "text"|"html": ..., "title", "outlet", ...}``
    or the other keys of :data:`JSONL_ALIASES` (and of ``jsonl``'s ``--field`` mapping)."""
    for line_number, raw_line in enumerate(lines, start=1):
        where = f"{uri}:{line_number}"
        if len(raw_line) > max_bytes:
            yield Skipped(where, _too_large(len(raw_line), max_bytes, "JSONL line"))
            continue
        line, note = decode_text(raw_line, guess=False)  # JSON is UTF-8; cp1252 if not
        line = line.lstrip("\ufeff").rstrip("\r\n")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Skipped(
                where, f"invalid JSON ({error.msg.removesuffix(' at')} at column {error.colno})"
            )
            continue
        if not isinstance(record, dict):
            yield Skipped(where, "JSONL line is not an object")
            continue
        yield _jsonl_record(uri, where, line_number, record, note, jsonl)


def _jsonl_record(
    uri: str,
    where: str,
    line_number: int,
    record: dict,
    note: str | None = None,
    jsonl: JsonlFields | None = None,
) -> RawDocument | Skipped:
    jsonl = jsonl if jsonl is not None else JsonlFields()
    body, source_format = jsonl.text(record), "text"
    if body is None:
        body, source_format = jsonl.value(record, "html"), "html"
    if body is None:
        return Skipped(where, f"record has no text: none of {jsonl.body_keys()} is a string")
    line_uri = f"{uri}#L{line_number}"
    record_uri = jsonl.value(record, "id") or line_uri
    fields: dict[str, str] = {}
    for name in JSONL_FIELDS:
        value = jsonl.value(record, name)
        if value is not None:
            fields[name] = value
    if "published_at" in fields:
        date, date_note = normalised_date(fields["published_at"])
        if date is None:
            del fields["published_at"]
            note = _join_notes(note, date_note)
        else:
            fields["published_at"] = date
    record_uri = make_storable(record_uri)[0]
    document = text_to_document(record_uri, body, source_format, fields, note)
    if isinstance(document, Skipped):
        return Skipped(where, document.reason)
    record = record_uri if record_uri != line_uri else f"L{line_number}"
    return replace(document, record=record)


# The fields a JSONL record's document is made of, and the keys each is read from, first found
# first: wiretrace's own names, then those of common exports (scrapers, RSS converters, news
# APIs, Media Cloud, GDELT). ``--field NAME=PATH`` reads a field from any other key first.
JSONL_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "url", "link"),
    "text": ("text", "content", "body"),
    "html": ("html",),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "site", "domain", "media_name", "publisher"),
    "author": ("author", "byline", "authors", "creator"),
    "published_at": (
        "published_at",
        "date",
        "pubDate",
        "published",
        "publish_date",
        "publishedAt",
        "seendate",
    ),
    "url": ("url", "link"),
}


@dataclass(frozen=True)
class JsonlFields:
    """Where each field of a document is read from in a JSONL record: ``mapped`` (name ->
    dotted path, from ``--field``) first, then the keys of :data:`JSONL_ALIASES`.

    A value is a non-blank string, a number (an id, a Unix time) or a list of strings (authors,
    joined by ", "); anything else (an object, null) counts as absent.

    >>> names = JsonlFields.parse(["outlet=source.domain", "author=people.0.name"])
    >>> record = {"source": {"domain": "bbc.co.uk"}, "people": [{"name": "Ann Lee"}]}
    >>> names.value(record, "outlet"), names.value(record, "author")
    ('bbc.co.uk', 'Ann Lee')
    >>> JsonlFields().value({"source": "Reuters", "byline": ["A", "B"]}, "outlet")
    'Reuters'
    """

    mapped: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, options: Iterable[str]) -> JsonlFields:
        """From ``NAME=FIELD`` options; ``ValueError`` (one line) for a bad one.

        >>> JsonlFields.parse(["outlet"])
        Traceback (most recent call last):
        ...
        ValueError: --field 'outlet': write NAME=FIELD, e.g. --field outlet=source.domain
        """
        mapped: dict[str, str] = {}
        for option in options:
            name, equals, path = (part.strip() for part in option.partition("="))
            if not equals:
                raise ValueError(
                    f"--field {option!r}: write NAME=FIELD, e.g. --field outlet=source.domain"
                )
            if name not in JSONL_ALIASES:
                raise ValueError(
                    f"--field {option!r}: unknown name {name!r} (one of {', '.join(JSONL_ALIASES)})"
                )
            if not path or any(not part for part in path.split(".")):
                raise ValueError(f"--field {option!r}: FIELD must be a key or a dotted path")
            if name in mapped:
                raise ValueError(f"--field {option!r}: {name} is mapped twice")
            mapped[name] = path
        return cls(tuple(mapped.items()))

    def keys(self, name: str) -> tuple[str, ...]:
        """Where ``name`` is looked for, in order."""
        own = tuple(path for mapped, path in self.mapped if mapped == name)
        return own + JSONL_ALIASES[name]

    def body_keys(self) -> str:
        keys = dict.fromkeys((*self.keys("text"), *self.keys("html")))
        return ", ".join(repr(key) for key in keys)

    def value(self, record: dict, name: str) -> str | None:
        """The first usable value of ``name`` in ``record``, as text."""
        for path in self.keys(name):
            found = _usable(_at_path(record, path))
            if found is not None:
                return found
        return None

    def text(self, record: dict) -> str | None:
        """The record's text, as it is (never stripped: offsets point into it)."""
        for path in self.keys("text"):
            found = _at_path(record, path)
            if isinstance(found, str) and found.strip():
                return found
        return None


def _at_path(record: dict, path: str) -> object:
    """``record[path]``, else the value at the dotted ``path`` (list items by number)."""
    if path in record:
        return record[path]
    value: object = record
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _usable(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        joined = ", ".join(item.strip() for item in value if item.strip())
        return joined or None
    return None


def normalised_date(value: str) -> tuple[str | None, str | None]:
    """A record's date as ISO 8601 (an ISO value as it is), and a note when it is not
    understood: ISO 8601 (also GDELT's ``20240101T120000Z``), RFC 822 (RSS ``pubDate``) or
    Unix time in seconds or milliseconds.

    >>> normalised_date("2019-05-31T17:45:53-04:00")
    ('2019-05-31T17:45:53-04:00', None)
    >>> normalised_date("Tue, 10 Jun 2003 04:00:00 GMT")
    ('2003-06-10T04:00:00+00:00', None)
    >>> normalised_date("1559339153")
    ('2019-05-31T21:45:53+00:00', None)
    >>> normalised_date("last Tuesday")
    (None, "date 'last Tuesday' not understood (ISO 8601, RFC 822 or Unix time): left undated")
    """
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    text = value.strip()
    with contextlib.suppress(ValueError):
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return text, None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return parsedate_to_datetime(text).isoformat(), None
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
        seconds = float(text)
        seconds = seconds / 1000 if seconds > 1e11 else seconds  # milliseconds
        return datetime.fromtimestamp(seconds, UTC).isoformat(), None
    shown = text if len(text) <= 40 else text[:37] + "..."
    return None, f"date {shown!r} not understood (ISO 8601, RFC 822 or Unix time): left undated"


# warcio inflates a ``.warc.gz`` a block at a time (one 16 kB block of a gzip member can hold
# 16 MB), and a record's header lines are read whole. A record cannot legitimately hold more
# than its WARC headers declare, plus room for the next record's headers (a few kB in practice):
# beyond that, a gzip member is a bomb (or a line with no end), and the file is given up.
WARC_HEADER_ROOM = 1 << 20
# Compressed bytes warcio inflates at a time (its default, 16 kB, can inflate to 16 MB at once).
WARC_BLOCK = 1 << 12
# Crawled pages compress 5-10 times (gzip of gzipped bodies: not at all). Past the size limit,
# a WARC file that inflates, or whose bodies decode, to more than this many times the bytes it
# took on disk is a decompression bomb: the rest of it is not read.
WARC_INFLATION_RATIO = 100
# Payload bytes read at a time from a WARC record, and the most a decoder may produce per step.
PAYLOAD_BLOCK = 1 << 16
# HTTP content encodings decoded, each never past the size limit; "identity" is no encoding.
ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
GZIP_MAGIC = b"\x1f\x8b"


class InflationLimit(Exception):
    """A WARC file inflates past what its records declare, or past ``WARC_INFLATION_RATIO``
    times its size: the rest of it is not read."""


class RefusedPayload(Exception):
    """A record's payload is not read: past the size limit once decoded, or undecodable."""

    def __init__(self, reason: str, decoded: int = 0) -> None:
        super().__init__(reason)
        self.decoded = decoded  # bytes decoded before it was refused


class _InflationGuard:
    """A WARC file as warcio reads it, refusing more compressed bytes once warcio has inflated
    further than the records declare (``allow_record``) or far more than it read: memory stays
    bounded whatever a gzip member hides. Also keeps the count of decoded payload bytes."""

    def __init__(self, stream: io.BufferedReader, max_bytes: int, file_size: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.reader = None  # warcio's decompressing reader: counts the bytes it inflated
        self.allowed = WARC_HEADER_ROOM
        self.decoded = 0
        self.decoded_budget = max(max_bytes, WARC_INFLATION_RATIO * file_size)

    def allow_record(self, declared_length: int) -> None:
        """The record just parsed may inflate ``declared_length`` bytes, its successor's
        headers ``WARC_HEADER_ROOM`` more."""
        self.allowed = self.reader.num_read + max(declared_length, 0) + WARC_HEADER_ROOM

    def count_decoded(self, size: int) -> None:
        """Count a record's decoded payload (also one refused, up to where it was)."""
        self.decoded += size

    def check_decoded(self) -> None:
        """Before a record's payload is decoded: refuse if the earlier ones used the budget."""
        if self.decoded > self.decoded_budget:
            raise InflationLimit(
                f"its bodies decode to {self.decoded / 1e6:.1f} MB, over "
                f"{WARC_INFLATION_RATIO} times its size"
            )

    def read(self, size: int = -1) -> bytes:
        if self.reader is not None:
            inflated = self.reader.num_read
            if inflated > self.allowed:
                raise InflationLimit(
                    f"{inflated / 1e6:.1f} MB inflated without reaching the record boundary "
                    "its headers declare"
                )
            read = self.stream.tell()
            if inflated > self.max_bytes and inflated > WARC_INFLATION_RATIO * read:
                raise InflationLimit(
                    f"{read / 1e6:.1f} MB inflate to {inflated / 1e6:.1f} MB, over "
                    f"{WARC_INFLATION_RATIO} times"
                )
        return self.stream.read(size)

    def tell(self) -> int:
        return self.stream.tell()


def read_warc(
    uri: str, path: Path, max_bytes: int | None = None
) -> Iterator[RawDocument | Skipped]:
    """HTML and text responses of a WARC file; a truncated file yields what was readable.

    The size limit applies to each record as stored (checked before its payload is read) and
    to its payload once its HTTP content encoding (gzip, deflate, br) is decoded (checked
    while decoding, which stops there); a file that inflates far past its size is a
    decompression bomb, given up (``_InflationGuard``). warcio's multi-line warnings about
    damaged records are kept off the user's terminal: the damage is reported as one skip line.
    """
    from warcio.archiveiterator import WARCIterator

    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    count = 0
    warnings = io.StringIO()
    try:
        with path.open("rb") as stream:
            guard = _InflationGuard(stream, limit, path.stat().st_size)
            # WARCIterator, not ArchiveIterator: the latter reads any text as a legacy ARC file.
            archive = WARCIterator(guard, check_digests=True, block_size=WARC_BLOCK)
            guard.reader = archive.reader
            records = iter(archive)
            while True:
                # Only warcio's own work runs with stderr redirected, never the consumer's.
                with contextlib.redirect_stderr(warnings):
                    record = next(records, None)
                    if record is None:
                        break
                    guard.allow_record(record.length or 0)
                    if record.rec_type not in ("response", "resource"):
                        continue
                    named = record.rec_headers.get_header("WARC-Target-URI")
                    target = path_uri(named or f"{uri}#{count}")
                    read = _warc_record(uri, target, record, limit, guard)
                    if isinstance(read, RawDocument):
                        read = replace(read, record=path_uri(named) if named else str(count))
                    count += 1
                if read is not None:
                    yield read
            # warcio stops quietly at a record cut inside its headers: bytes left after the
            # last whole record are such a record.
            stream.seek(archive.offset)
            if stream.read(64).strip():
                unread = path.stat().st_size - archive.offset
                yield Skipped(
                    uri, f"truncated WARC: {unread} bytes after {count} records are no whole record"
                )
    except InflationLimit as error:
        yield Skipped(
            uri, f"decompression bomb after {count} WARC records ({error}): rest not read"
        )
    except Exception as error:  # warcio fails in many ways on damaged files; all mean the same
        yield Skipped(
            uri, f"truncated or invalid WARC after {count} records ({_warc_error(error)})"
        )


def _warc_error(error: Exception) -> str:
    """warcio's own message where it has one; internal errors mean a damaged header."""
    from warcio.exceptions import ArchiveLoadFailed

    if (
        isinstance(error, ArchiveLoadFailed | EOFError | OSError | zlib.error)
        and str(error).strip()
    ):
        return str(error).strip().splitlines()[0][:200]
    return "damaged record header"


def _warc_record(
    uri: str, target: str, record, max_bytes: int, guard: _InflationGuard
) -> RawDocument | Skipped | None:
    """One response as a document; None for what a crawl holds besides articles (images,
    scripts, redirects), which are no more inputs than a folder's other files."""
    if (record.length or 0) > max_bytes:
        return Skipped(target, _too_large(record.length, max_bytes, f"WARC record (in {uri})"))
    declared_type = ""
    status = None
    if record.http_headers is not None:
        declared_type = record.http_headers.get_header("Content-Type") or ""
        status = record.http_headers.get_statuscode()
    if status and status[0] in "45":  # an error page is not the article it stands for
        return Skipped(target, f"HTTP status {status}, not an article (in {uri})")
    if status and status[0] != "2":
        return None
    content_type = declared_type.lower()
    if content_type and "html" not in content_type and not content_type.startswith("text/"):
        return None
    guard.check_decoded()
    try:
        data = http_payload(record, max_bytes)
    except RefusedPayload as error:
        guard.count_decoded(error.decoded)  # a file of many bombs stops at its budget
        return Skipped(target, f"{error} (in {uri})")
    guard.count_decoded(len(data))
    # Bytes the record announced but the file did not hold, or a payload that does not match
    # its recorded digest: the record was cut short or corrupted.
    if getattr(record.raw_stream, "limit", 0) > 0 or record.digest_checker.passed is False:
        return Skipped(target, f"truncated or corrupt WARC record in {uri}")
    source_format = "html" if "html" in content_type or not content_type else "text"
    return bytes_to_document(target, data, source_format, charset_of_content_type(declared_type))


def http_payload(record, max_bytes: int) -> bytes:
    """A WARC record's HTTP body, de-chunked and decoded (``Content-Encoding`` gzip, deflate,
    br), read a block at a time: ``RefusedPayload`` as soon as it is past ``max_bytes``, having
    inflated no more than that (plus one block)."""
    from warcio.bufferedreaders import ChunkedDataReader

    headers = record.http_headers
    stream = record.raw_stream
    encodings: list[str] = []
    if headers is not None:
        if (headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
            stream = ChunkedDataReader(stream)  # de-chunks only: at most the record's length
        declared = (headers.get_header("Content-Encoding") or "").lower()
        encodings = [name.strip() for name in declared.split(",") if name.strip()]
    chunks: Iterator[bytes] = iter(lambda: stream.read(PAYLOAD_BLOCK), b"")
    # Applied in the order listed: undone in reverse, each one bounded.
    for encoding in reversed(encodings):
        chunks = _decoded(chunks, encoding, max_bytes)
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise RefusedPayload(_too_large_body(encodings, max_bytes), len(body))
    return bytes(body)


def _too_large_body(encodings: list[str], max_bytes: int) -> str:
    how = f" once decoded (Content-Encoding: {', '.join(encodings)})" if encodings else ""
    return f"HTTP body too large{how}: over the {max_bytes / 1e6:.1f} MB limit"


def _decoded(chunks: Iterator[bytes], encoding: str, max_bytes: int) -> Iterator[bytes]:
    """``chunks`` with one content encoding undone; what is not an encoding passes through."""
    if encoding in ZLIB_WBITS:
        return _inflated(chunks, encoding, max_bytes)
    if encoding == "br":
        return _unbrotlied(chunks, max_bytes)
    return chunks  # identity, or one warcio never decoded either (kept as read)


def _inflated(chunks: Iterator[bytes], encoding: str, max_bytes: int) -> Iterator[bytes]:
    """gzip (members one after another) or deflate (zlib-wrapped or raw) undone, never more
    than ``max_bytes`` + 1 bytes in all. A body that is not compressed at all although its
    headers say so (servers do that) passes through unchanged, as warcio and browsers take it."""
    wbits = ZLIB_WBITS[encoding]
    decompressor = zlib.decompressobj(wbits)
    produced = 0
    started = False
    for chunk in chunks:
        pending = chunk
        while pending and produced <= max_bytes:
            try:
                out = decompressor.decompress(pending, max_bytes + 1 - produced)
            except zlib.error:
                if started:
                    raise RefusedPayload(f"HTTP body is damaged {encoding} data") from None
                if encoding == "deflate" and wbits > 0:  # raw deflate, without the zlib header
                    wbits = -zlib.MAX_WBITS
                    decompressor = zlib.decompressobj(wbits)
                    continue
                yield from _passed_through(pending, chunks)
                return
            started = True
            produced += len(out)
            yield out
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                rest = decompressor.unused_data
                if not rest.startswith(GZIP_MAGIC) or encoding == "deflate":
                    return  # what follows the compressed stream is not part of the body
                decompressor = zlib.decompressobj(wbits)
                pending = rest
        if produced > max_bytes:
            return


def _passed_through(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from chunks


def _unbrotlied(chunks: Iterator[bytes], max_bytes: int) -> Iterator[bytes]:
    """Brotli undone, through the ``brotli`` package (1.2 or later: the first whose output can
    be bounded) when installed; without it the body cannot be read."""
    try:
        import brotli
    except ImportError:
        brotli = None
    if brotli is None or not hasattr(brotli.Decompressor, "can_accept_more_data"):
        raise RefusedPayload("HTTP body is Brotli-compressed and brotli>=1.2 is not installed")
    decompressor = brotli.Decompressor()
    produced = 0
    for chunk in chunks:
        pending = chunk
        while produced <= max_bytes:
            try:
                out = decompressor.process(pending, output_buffer_limit=max_bytes + 1 - produced)
            except brotli.error:
                raise RefusedPayload("HTTP body is damaged br data") from None
            produced += len(out)
            yield out
            pending = b""
            if decompressor.can_accept_more_data() or decompressor.is_finished():
                break
        if produced > max_bytes or decompressor.is_finished():
            return
