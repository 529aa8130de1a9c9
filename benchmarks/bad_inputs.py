"""The bad-input battery: every kind of broken file, through the real ``wiretrace run``.

Builds, in a temporary folder, the adversarial lines (each in an article: chains of
capitalised words, 10,000 capitalised words, 1 MB without a line break, 10,000 quotation
marks, runs of one character, ...; see ``adversarial_lines``), a binary file, invalid
UTF-8, legacy encodings (cp1252, latin-1, UTF-16 with a byte order mark), an empty file, a 100 MB text, a 1.5 MB text (longer
than any article: refused, since memory grows with a document's length), HTML with no text,
broken HTML, a JSONL file with one bad line among good ones, a WARC file with a truncated
record, a text with no sentence at all, a path that does not exist, decompression bombs (a
5 kB ``.warc.gz`` whose HTTP body says ``Content-Encoding: gzip`` and inflates to 3 GB; a gzip
member holding 1 GB behind a record that declares a few bytes), a page of 60,000 elements, a
second JSONL feed numbered like the first, a folder written by ``wiretrace report``, and a few
good articles made from the seeds. Runs ``wiretrace run`` on them in a subprocess
and prints what happened to each input (stored, or skipped and why, from the run's record in
the database), then checks that the good documents were stored exactly, every bad one cost
one clear line, nothing crashed, and a run over the two bombs alone peaked under 500 MB.

    python benchmarks/bad_inputs.py                 # the full battery (100 MB file, 3 GB bomb)
    python benchmarks/bad_inputs.py --big-mb 3 --max-bytes 2000000 --bomb-mb 200 --keep /tmp/b

Exit status 0 when every check passes, 1 otherwise. ``tests/test_robustness.py`` runs the
same battery with a small "big" file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT.parent / "shared" / "seeds"
TRACEBACK = "Traceback (most recent call last)"
MISSING_NAME = "does-not-exist.txt"
# The target: a run over a decompression bomb stays under this peak memory.
MAX_PEAK_MB = 500
# Runs a command and writes the peak RSS (kB) of it and its descendants to argv[1].
PEAK_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(str(peak))\n"
    "sys.exit(code)\n"
)


@dataclass
class Case:
    """One input of the battery and what must become of it."""

    uri: str  # as the run will name it (file path, JSONL id, WARC target, file:line)
    what: str  # what the input is, for the printout
    expect: str  # "stored" or "skipped"
    reason_words: tuple[str, ...] = ()  # a skip reason must contain one of these
    # For stored text files: the exact text the document must hold.
    text: str | None = None
    # For stored files decoded with repairs: the terminal note must contain one of these.
    said: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one run of the battery did."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    stored: dict[str, str] = field(default_factory=dict)  # uri -> text
    skipped: dict[str, str] = field(default_factory=dict)  # uri -> reason (run record)
    notes: dict[str, str] = field(default_factory=dict)  # uri -> decoding note (stderr)


def seed_texts(seeds: Path = SEEDS) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]
    if len(texts) < 3:
        raise SystemExit(f"bad_inputs: need the seed articles in {seeds}")
    return texts


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.split("\n\n") if len(part.split()) >= 8]


def _warc(pages: list[tuple[str, str]]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, html in pages:
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(html.encode()), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


def _html_page(title: str, body_paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in body_paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>\n{body}</article>"
        "<footer>© 2017 Example News. All rights reserved.</footer></body></html>"
    )


def write_big_text(path: Path, size_bytes: int, paragraph: str) -> None:
    """A plain text of ``size_bytes`` written in chunks (never held in memory whole)."""
    chunk = ((paragraph.strip() + "\n\n") * 64).encode("utf-8")
    with path.open("wb") as stream:
        written = 0
        while written < size_bytes:
            piece = chunk[: size_bytes - written]
            stream.write(piece)
            written += len(piece)


# --- adversarial lines ------------------------------------------------------------------------
# Lines made to find regular expressions that backtrack and scans that grow with the square of
# a line (tag clouds, keyword and country lists, SEO chains, scrapes that lost their line
# breaks). ``adversarial_lines(size)``: each line about ``size`` units long (words, marks,
# sentences; ten characters a unit for runs of one character), 10,000 in the battery.

COUNTRIES = (
    "Andorra", "Argentina", "Oesterreich", "Bahamas", "Barbados", "Belgium", "Bermuda",
    "Bolivia", "Bulgaria", "Chile", "Colombia", "Denmark", "Ecuador", "Finland", "France",
    "Germany", "Britain", "Hungary", "Iceland", "Ireland", "Italia", "Israel", "Luxemburg",
)  # fmt: skip
# News prose with what the text functions look for: a dateline, titles, names, quotations and
# their speakers, agency credits, abbreviations, a date.
PROSE = (
    "MOSCOW, Oct. 11 (Reuters) - Lt. Gen. Viktor Poznikhir said on Tuesday the U.S. shield was a "
    'threat. "We are working on ways to do it," he told AP. "It will damage our interests," Zhou '
    "Shangping, an officer, said, according to Xinhua. The minister's aide, Anna de la Cruz, "
    "said: “Talks resume in Geneva next week.” ‘It is over,’ said Mr. O'Brien-Smith on 13 "
    "October 2017. "
)


def _cycled(words: tuple[str, ...], count: int) -> list[str]:
    return [words[index % len(words)] for index in range(count)]


def adversarial_lines(size: int) -> dict[str, str]:
    """Adversarial lines by name, each about ``size`` units long."""
    chain = _cycled(COUNTRIES, size)
    run = 10 * size  # characters of a run of one character
    return {
        "hyphen chain of capitalised words": "-".join(chain),
        "apostrophe chain of capitalised words": "'".join(chain),
        "curly apostrophe chain": "’".join(chain),
        "hyphen chain, then a speech verb": "-".join(chain) + " said",
        "hyphen chain after a lower-case word": "al-" + "-".join(chain) + " spoke",
        "hyphen chain ending in an initial": "-".join(chain) + "-J. Kelly spoke",
        "capitalised words": " ".join(chain),
        "capitalised words, then a speech verb": " ".join(chain) + " said",
        "capitalised words and commas": ", ".join(chain) + ", the",
        "titles": "Lt. Gen. " * size + "Smith",
        "particle chain (de la de la)": "Juan " + "de la " * size + "Cruz spoke",
        "initials": "A. " * size + "Smith spoke",
        "dotted words": "ab." * size + "abc",
        "prose without a line break": (PROSE * (99 * size // len(PROSE) + 1))[: 99 * size],
        "quotations with speakers": (
            '"We will work on it," he said. “They will not,” Zhou Shangping said. ' * (size // 4)
        ),
        "quotation marks": '"' * size,
        "curly quotation marks": "“" * size,
        "mixed quotation marks": "".join(_cycled(tuple('"“”„«»‟'), size)),
        "quoted words": '"one two three four" ' * (size // 2),
        "nested quotation marks": '“He said „she said «they said "' * (size // 4),
        "unbalanced quotation marks": '"word “word „word ' * (size // 3),
        "single quotation marks": "‘word ’s ‘" * (size // 3),
        "one letter": "a" * run,
        "one capital letter": "A" * run,
        "spaces": "word" + " " * run + "word",
        "tabs and no-break spaces": "word" + "\t\u00a0" * (run // 2) + "word",
        "full stops": "." * run,
        "hyphens": "-" * run,
        "punctuation": "".join(_cycled(tuple(".,;:!?-()[]/|…"), run)),
        "open parentheses": "(" + "a" * run,
        "combining characters": "e" + "\u0301" * run,
        "emoji": "😀👩\u200d👩\u200d👧🇫🇷" * (run // 8),
        "sign-off then spaces": "es/jm" + " " * run + "x",
        "promo then spaces": "Related" + " " * run + "x",
        "dates": "2017/10/13 " * size,
    }


def adversarial_document(line: str) -> str:
    """An article around ``line``: heading, byline, prose, the line, prose, a footer."""
    prose = PROSE.strip()
    return (
        f"Talks resume in Geneva\n\nBy Jane Doe | October 11, 2017\n\n{prose}\n\n{line}\n\n"
        f"{prose}\n\n© 2017 Example News. All rights reserved.\n"
    )


def as_html(text: str) -> str:
    """``text`` as a page, one paragraph a blank-line separated block."""
    import html

    body = "".join(f"<p>{html.escape(part)}</p>\n" for part in text.split("\n\n") if part)
    return f"<!doctype html><html><head><title>Battery</title></head><body><article>{body}</article></body></html>"


@dataclass(frozen=True)
class TextFunction:
    """A text function the pipeline calls on each document: ``prepare`` (not timed) turns a
    document's text into the arguments of ``run`` (timed)."""

    name: str
    run: Callable[..., object]
    prepare: Callable[[str], tuple] = lambda text: (text,)


def text_functions() -> list[TextFunction]:
    """What ``flows.stages`` calls on each document's text, stage by stage."""
    from datetime import datetime

    from dedup.align import align_documents
    from dedup.attribution import document_wire_credits, find_attributions
    from dedup.candidates import document_sketch
    from dedup.clean import clean_html, clean_plain_text, document_blocks
    from dedup.cluster import cluster_alignments
    from dedup.metadata import first_heading, text_metadata, title_from_uri, unreadable_title
    from dedup.normalize import normalize, normalized_text
    from dedup.origin import document_wide_attributions, infer_origin
    from dedup.quote_groups import grouped_quotes
    from dedup.quotes import find_quotes
    from dedup.records import DocumentFacts, content_ranges
    from dedup.tokens import tokenize
    from flows.ingest import bytes_to_document

    def cleaned(text: str) -> tuple:
        document = clean_plain_text(text)
        return text, document, content_ranges(len(text), document.boilerplate)

    def self_aligned(text: str) -> tuple:
        tokens = tokenize(text)
        return align_documents("a", text, tokens, "b", text, tokens), text

    def attributions(text: str, document, ranges) -> object:
        found = find_attributions(text, ranges)
        return document_wire_credits(text, found, document.boilerplate)

    def origins(alignments, text: str) -> object:
        facts = {
            "a": DocumentFacts("a", text, datetime(2017, 10, 11), "Example News"),
            "b": DocumentFacts("b", text, datetime(2017, 10, 12), "Other News"),
        }
        return [infer_origin(cluster, facts) for cluster in cluster_alignments(alignments)]

    return [
        TextFunction("ingest", bytes_to_document, lambda t: ("a.txt", t.encode(), "text")),
        TextFunction("clean text", clean_plain_text),
        TextFunction("clean page", clean_html, lambda t: (as_html(t),)),
        TextFunction(
            "metadata",
            lambda t: (text_metadata(t), first_heading(t), unreadable_title(t), title_from_uri(t)),
        ),
        TextFunction(
            "template blocks",
            lambda document: document_blocks("a", "Example News", document),
            lambda t: (clean_plain_text(t),),
        ),
        TextFunction("tokens", tokenize),
        TextFunction("fingerprint", document_sketch, lambda t: (tokenize(t),)),
        TextFunction("normalise", lambda t: (normalize(t), normalized_text(t))),
        TextFunction(
            "align with itself",
            lambda t, tokens: align_documents("a", t, tokens, "b", t, tokens),
            lambda t: (t, tokenize(t)),
        ),
        TextFunction("attributions", attributions, cleaned),
        TextFunction("document-wide credits", document_wide_attributions),
        TextFunction("quotes", lambda t, document, ranges: find_quotes("a", t, ranges), cleaned),
        TextFunction(
            "quote grouping",
            lambda quotes: grouped_quotes(quotes, {"a": 0, "b": 1}),
            lambda t: (find_quotes("a", t) + find_quotes("b", t),),
        ),
        TextFunction("origin", origins, self_aligned),
    ]


_runs = iter(range(1 << 62))


def best_time(function: TextFunction, text: str, repeats: int = 3) -> float:
    """The best of ``repeats`` timed runs of ``function`` on ``text``, each on a copy made
    distinct (the functions memoise by text)."""
    best = float("inf")
    for _ in range(repeats):
        arguments = function.prepare(f"{text}\n\nRun {next(_runs)}.\n")
        started = time.perf_counter()
        function.run(*arguments)
        best = min(best, time.perf_counter() - started)
    return best


def growth(
    function: TextFunction, line_name: str, size: int, factor: int = 2
) -> tuple[float, float]:
    """(seconds at ``size``, seconds at ``factor`` times ``size``) of ``function`` on the
    document around the adversarial line ``line_name``."""
    small = adversarial_document(adversarial_lines(size)[line_name])
    large = adversarial_document(adversarial_lines(factor * size)[line_name])
    return best_time(function, small), best_time(function, large)


def gzip_of_repeats(piece: bytes, total: int) -> bytes:
    """gzip of ``piece`` repeated to ``total`` bytes, compressed a few MB at a time (the
    inflated data is never held)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = piece * max(1, (4 << 20) // len(piece))
    out = []
    for start in range(0, total, len(block)):
        out.append(compressor.compress(block[: total - start]))
    out.append(compressor.flush())
    return b"".join(out)


def _gzip(data: bytes) -> bytes:
    return gzip_of_repeats(data, len(data))


def _warc_response(url: str, http_headers: str, body: bytes, declared: int | None = None) -> bytes:
    """One WARC response record, uncompressed, its Content-Length ``declared`` (default: true)."""
    block = http_headers.replace("\n", "\r\n").encode() + b"\r\n" + body
    return (
        (
            "WARC/1.0\r\nWARC-Type: response\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            "WARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-123456789012>\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(block) if declared is None else declared}\r\n\r\n"
        ).encode()
        + block
        + b"\r\n\r\n"
    )


def write_http_bomb(path: Path, inflated_bytes: int) -> None:
    """The issue's bomb: a response whose HTTP body (``Content-Encoding: gzip``) inflates to
    ``inflated_bytes`` of page, in a gzipped WARC record: 3 GB from about 5 kB."""
    body = gzip_of_repeats(b"<p>word word word word word word word word</p>\n", inflated_bytes)
    headers = "HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Encoding: gzip\n"
    path.write_bytes(_gzip(_warc_response("https://bomb.example/gzip-body", headers, body)))


def write_lying_member(path: Path, inflated_bytes: int, page: str) -> None:
    """A good record whose gzip member goes on with ``inflated_bytes`` of one endless line."""
    headers = "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n"
    record = _warc_response("https://bomb.example/before-the-bomb", headers, page.encode())
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(record)]
    block = b"A" * (4 << 20)
    for start in range(0, inflated_bytes, len(block)):
        out.append(compressor.compress(block[: inflated_bytes - start]))
    out.append(compressor.flush())
    path.write_bytes(b"".join(out))


def build_battery(
    folder: Path,
    big_bytes: int,
    seeds: Path = SEEDS,
    adversarial_size: int = 100,
    bomb_bytes: int = 3_000_000_000,
) -> list[Case]:
    """Write every input under ``folder`` and return what must become of each: the
    adversarial lines (``adversarial_lines(adversarial_size)``) each in an article, stored
    exactly (none may stall the run), and the decompression bombs (the HTTP body of one
    inflates to ``bomb_bytes``)."""
    texts = seed_texts(seeds)
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def text_file(
        name: str, data: bytes, what: str, expect: str, *words: str, text=None, said=()
    ) -> None:
        (folder / name).write_bytes(data)
        cases.append(Case(str(folder / name), what, expect, words, text, said))

    # Good articles: real seed texts, copied byte for byte.
    for number, text in enumerate(texts[:3]):
        text_file(f"good_{number}.txt", text.encode("utf-8"), "good article", "stored", text=text)

    sample = paragraphs(texts[3])[1]
    accented = "Déjà vu: the “café” owner in Zürich said façades cost €12,000 – naïvely. " + sample
    text_file(
        "binary.txt",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + os.urandom(4000),
        "binary (PNG bytes)",
        "skipped",
        "binary",
    )
    damaged = accented.encode("utf-8").replace(b"caf\xc3\xa9", b"caf\xe9\xff")
    repaired = accented.replace("café", "caf\ufffd\ufffd")  # the two bad bytes, one for one
    text_file(
        "invalid_utf8.txt",
        damaged,
        "UTF-8 with invalid bytes",
        "stored",
        text=repaired,
        said=("invalid UTF-8",),
    )
    text_file(
        "cp1252.txt",
        accented.encode("cp1252"),
        "cp1252 text",
        "stored",
        text=accented,
        said=("cp1252",),
    )
    latin1 = "Ångström, señor, naïve façade; ¿qué pasó? " + sample
    text_file(
        "latin1.txt",
        latin1.encode("latin-1"),
        "latin-1 text",
        "stored",
        text=latin1,
        said=("latin-1", "cp1252"),
    )
    text_file(
        "utf16_bom.txt",
        accented.encode("utf-16"),
        "UTF-16 with BOM",
        "stored",
        text=accented,
        said=("UTF-16",),
    )
    text_file("empty.txt", b"", "empty file", "skipped", "empty")
    text_file(
        "no_sentence.txt",
        b"*** --- 2017/10/13 ### 12,345 ... !!!\n",
        "no sentence, no word",
        "skipped",
        "no words",
        "no article text",
    )

    big = folder / "huge.txt"
    write_big_text(big, big_bytes, sample)
    cases.append(Case(str(big), f"{big_bytes / 1e6:.0f} MB text", "skipped", ("too large",)))

    long_text = folder / "dump.txt"
    write_big_text(long_text, 1_500_000, sample)
    cases.append(Case(str(long_text), "1.5 MB text (a dump)", "skipped", ("too long",)))

    no_text = "<html><head><script>var x = 1;</script><style>p {}</style></head><body><div><img src='a.png'></div></body></html>"
    text_file(
        "no_text.html",
        no_text.encode(),
        "HTML with no text",
        "skipped",
        "no article text",
        "no text",
        "empty",
    )
    html_paragraphs = paragraphs(texts[4])[:4]
    broken = (
        "<html><body><div class='story'><h1>Broken markup <b>test</h1>"
        + "".join(f"<p>{paragraph} <i>unclosed <span>" for paragraph in html_paragraphs)
        + "</div></td></table>< <<>> &bogus; <p"
    )
    text_file("broken.html", broken.encode(), "broken HTML (with text)", "stored")

    feed = folder / "feed.jsonl"
    good_lines = [
        {"id": f"feed-{n}", "text": paragraph, "outlet": "Example Wire"}
        for n, paragraph in enumerate(paragraphs(texts[3])[2:5])
    ]
    lines = [
        json.dumps(good_lines[0]),
        '{"id": "feed-bad", "text": "unterminated',
        *map(json.dumps, good_lines[1:]),
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases += [
        Case(line["id"], "JSONL good line", "stored", text=line["text"]) for line in good_lines
    ]
    cases.append(Case(f"{feed}:2", "JSONL bad line", "skipped", ("invalid JSON",)))
    # A second feed numbered like the first: its records are its own, stored beside the first
    # feed's under a qualified uri, never replacing them.
    other_feed = folder / "feed2.jsonl"
    colliding = [
        {"id": f"feed-{n}", "text": paragraph, "outlet": "Other Wire"}
        for n, paragraph in enumerate(paragraphs(texts[4])[2:4])
    ]
    other_feed.write_text("".join(json.dumps(line) + "\n" for line in colliding), encoding="utf-8")
    cases += [
        Case(
            f"{other_feed}#{line['id']}",
            "JSONL id another feed has",
            "stored",
            text=line["text"],
            said=("another document's",),
        )
        for line in colliding
    ]
    # A folder that wiretrace report wrote: its pages are not articles.
    report = folder / "old-report"
    report.mkdir()
    (report / ".wiretrace-report").write_text("written by wiretrace report\n", encoding="utf-8")
    (report / "index.html").write_text(
        _html_page("wiretrace report", paragraphs(texts[0])[:3]), encoding="utf-8"
    )
    cases.append(Case(str(report), "folder written by wiretrace report", "skipped", ("report",)))

    warc_pages = [
        ("https://example.org/news/one", _html_page("One", paragraphs(texts[0])[:3])),
        ("https://example.org/news/two", _html_page("Two", paragraphs(texts[1])[:3])),
    ]
    data = _warc(warc_pages)
    (folder / "crawl.warc.gz").write_bytes(data[: len(data) - 60])  # cut inside the last record
    cases.append(Case(warc_pages[0][0], "WARC record", "stored"))
    cases.append(Case(warc_pages[1][0], "WARC truncated record", "skipped", ("truncated", "WARC")))
    for number, (name, line) in enumerate(adversarial_lines(adversarial_size).items()):
        article = adversarial_document(line)
        text_file(
            f"adversarial_{number:02}.txt", article.encode("utf-8"), name, "stored", text=article
        )

    write_http_bomb(folder / "bomb.warc.gz", bomb_bytes)
    cases.append(
        Case(
            "https://bomb.example/gzip-body",
            f"gzip bomb ({(folder / 'bomb.warc.gz').stat().st_size / 1e3:.0f} kB -> "
            f"{bomb_bytes / 1e9:.1f} GB)",
            "skipped",
            ("too large once decoded",),
        )
    )
    write_lying_member(
        folder / "member.warc.gz", bomb_bytes // 3, _html_page("Before", paragraphs(texts[2])[:3])
    )
    cases.append(
        Case("https://bomb.example/before-the-bomb", "WARC record before a bomb", "stored")
    )
    cases.append(
        Case(
            str(folder / "member.warc.gz"),
            "gzip member past its record",
            "skipped",
            ("decompression bomb",),
        )
    )
    text_file(
        "elements.html",
        ("<html><body>" + "<p>ab</p>\n" * 60_000 + "</body></html>").encode(),
        "page of 60,000 elements",
        "skipped",
        "too big for an article",
    )
    return cases


def run_battery(
    folder: Path, db_url: str, max_bytes: int | None = None, timeout: float = 300
) -> Outcome:
    """``wiretrace run FOLDER MISSING --db URL`` in a subprocess, and what it stored/skipped."""
    from storage.store import Store

    env = {**os.environ, "WIRETRACE_DB": "", "NO_COLOR": "1", "COLUMNS": "200"}
    if max_bytes is not None:
        env["WIRETRACE_MAX_BYTES"] = str(max_bytes)
    command = [
        wiretrace_command(),
        "run",
        str(folder),
        str(folder / MISSING_NAME),
        "--db",
        db_url,
        "--quiet",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wiretrace-peak-") as scratch:
        peak_file = Path(scratch) / "peak"
        # Through a fresh launcher process: its RUSAGE_CHILDREN is the run's own peak (and its
        # forked workers'), not that of whatever this process ran before.
        result = subprocess.run(
            [sys.executable, "-c", PEAK_LAUNCHER, str(peak_file), *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
    seconds = time.perf_counter() - started
    outcome = Outcome(result.returncode, result.stdout, result.stderr, seconds, peak_kb / 1024)
    store = Store(db_url)
    try:
        outcome.stored = {row.uri: row.text for row in store.documents()}
        runs = store.runs()
        if runs:
            outcome.skipped = {
                row["uri"]: row["reason"] for row in store.skipped(runs[-1]["run_id"])
            }
    finally:
        store.close()
    for line in result.stderr.splitlines():
        match = re.match(r"note: (.*): (.*)$", line)
        if match:
            outcome.notes[match.group(1)] = match.group(2)
    return outcome


def wiretrace_command() -> str:
    beside_python = Path(sys.executable).with_name("wiretrace")
    return (
        str(beside_python) if beside_python.exists() else shutil.which("wiretrace") or "wiretrace"
    )


def check(cases: list[Case], outcome: Outcome) -> list[str]:
    """Everything the battery promises; returns the failures (empty: all good)."""
    failures: list[str] = []
    fail: Callable[[str], None] = failures.append
    if outcome.returncode != 0:
        fail(f"wiretrace run exited {outcome.returncode}")
    if TRACEBACK in outcome.stderr or TRACEBACK in outcome.stdout:
        fail("a traceback was printed")
    stderr_lines = outcome.stderr.splitlines()
    for case in cases:
        if case.expect == "stored":
            if case.uri not in outcome.stored:
                fail(
                    f"{case.uri} ({case.what}) was not stored: {outcome.skipped.get(case.uri, 'no reason recorded')}"
                )
            elif case.text is not None and outcome.stored[case.uri] != case.text:
                fail(f"{case.uri} ({case.what}) was stored with different text")
            elif case.said and not any(w in outcome.notes.get(case.uri, "") for w in case.said):
                fail(f"{case.uri} ({case.what}): no note saying how it was decoded")
            continue
        reason = outcome.skipped.get(case.uri)
        if case.uri in outcome.stored:
            fail(f"{case.uri} ({case.what}) was stored, expected a skip")
        elif reason is None:
            fail(f"{case.uri} ({case.what}) is not in the run's skipped files")
        else:
            if case.reason_words and not any(word in reason for word in case.reason_words):
                fail(
                    f"{case.uri} ({case.what}): reason {reason!r} says none of {case.reason_words}"
                )
            said = [line for line in stderr_lines if case.uri in line and reason in line]
            if len(said) != 1:
                fail(f"{case.uri} ({case.what}): {len(said)} stderr lines name it with its reason")
    return failures


def print_report(cases: list[Case], outcome: Outcome, folder: Path) -> None:
    def short(uri: str) -> str:
        return uri.replace(str(folder) + os.sep, "")

    print(f"{'input':<34} {'what':<26} {'outcome':<8} reason / note")
    for case in cases:
        if case.uri in outcome.stored:
            status, detail = "stored", outcome.notes.get(case.uri, "")
        elif case.uri in outcome.skipped:
            status, detail = "skipped", outcome.skipped[case.uri]
        else:
            status, detail = "MISSING", "neither stored nor recorded as skipped"
        print(f"{short(case.uri):<34} {case.what:<26} {status:<8} {detail}")
    print(
        f"\nexit code {outcome.returncode}, {outcome.seconds:.1f} s, peak child RSS "
        f"{outcome.peak_rss_mb:.0f} MB, traceback: {'yes' if TRACEBACK in outcome.stderr else 'no'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--big-mb", type=float, default=100, help="size of the big text file (MB)")
    parser.add_argument(
        "--max-bytes", type=int, default=None, help="WIRETRACE_MAX_BYTES for the run"
    )
    parser.add_argument(
        "--db", default=None, help="database URL [default: a SQLite file in the folder]"
    )
    parser.add_argument(
        "--bomb-mb", type=float, default=3000, help="what the gzip bomb inflates to (MB)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it")
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument(
        "--adversarial-size",
        type=int,
        default=10_000,
        help="units of each adversarial line (10,000 capitalised words, quotation marks, ...)",
    )
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wiretrace-battery-"))
    try:
        inputs = folder / "inputs"
        if inputs.exists():
            shutil.rmtree(inputs)
        cases = build_battery(
            inputs,
            int(args.big_mb * 1e6),
            args.seeds,
            args.adversarial_size,
            bomb_bytes=int(args.bomb_mb * 1e6),
        )
        cases.append(
            Case(
                str(inputs / MISSING_NAME), "path that does not exist", "skipped", ("no such file",)
            )
        )
        db_url = args.db or f"sqlite:///{folder / 'battery.db'}"
        if db_url.startswith("sqlite:///") and Path(db_url.removeprefix("sqlite:///")).exists():
            Path(db_url.removeprefix("sqlite:///")).unlink()
        outcome = run_battery(inputs, db_url, args.max_bytes)
        print(f"$ wiretrace run {inputs} {inputs / MISSING_NAME} --db {db_url}\n")
        print_report(cases, outcome, inputs)
        failures = check(cases, outcome)
        # The memory target is a run over the bombs: those alone, in a run of their own
        # (the whole battery's peak, reported above, holds 1 MB adversarial articles too).
        bombs = folder / "bombs"
        bombs.mkdir(exist_ok=True)
        for name in ("bomb.warc.gz", "member.warc.gz"):
            shutil.copy(inputs / name, bombs / name)
        bomb_db = f"sqlite:///{folder / 'bombs.db'}"
        bomb_run = run_battery(bombs, bomb_db, args.max_bytes)
        print(f"run over the two bombs alone: peak child RSS {bomb_run.peak_rss_mb:.0f} MB")
        if bomb_run.peak_rss_mb > MAX_PEAK_MB:
            failures.append(
                f"peak memory over the bombs {bomb_run.peak_rss_mb:.0f} MB, over {MAX_PEAK_MB} MB"
            )
        if failures:
            print("\nFAILED:\n  " + "\n  ".join(failures))
            print("\nstderr of the run:\n" + outcome.stderr)
            return 1
        print(
            f"\nall {len(cases)} inputs behaved: good ones stored exactly, bad ones one line each"
        )
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
