"""Ingestion: every input becomes a document or a one-line skip reason, never an exception."""

from __future__ import annotations

import io
import json
from pathlib import Path

from flows.ingest import RawDocument, Skipped, read_inputs


def _read(*paths: Path) -> tuple[list[RawDocument], list[Skipped]]:
    items = list(read_inputs([str(path) for path in paths]))
    return (
        [item for item in items if isinstance(item, RawDocument)],
        [item for item in items if isinstance(item, Skipped)],
    )


def test_text_file_keeps_exact_contents(tmp_path: Path) -> None:
    # The contract's offsets index the file's exact contents: no newline translation.
    content = "Title\r\nBody with “curly” quotes\u00a0and NBSP.\r\n"
    path = tmp_path / "a.txt"
    path.write_bytes(content.encode("utf-8"))
    documents, skipped = _read(path)
    assert skipped == []
    assert documents[0].content == content
    assert documents[0].uri == str(path)


def test_folder_uris_join_given_path(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("Some text here.", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    documents, skipped = _read(tmp_path)
    assert [doc.uri for doc in documents] == [str(tmp_path / "sub" / "b.txt")]
    assert skipped == []  # unsupported files inside a folder are simply not inputs


def test_bad_inputs_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "latin.txt").write_bytes("Café au lait, señor.".encode("cp1252"))
    missing = tmp_path / "missing.txt"
    documents, skipped = _read(
        tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "latin.txt", missing
    )
    reasons = {Path(item.uri).name: item.reason for item in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert reasons["missing.txt"] == "no such file or folder"
    assert [doc.content for doc in documents] == ["Café au lait, señor."]
    assert "cp1252" in (documents[0].note or "")
    for item in skipped:
        assert "\n" not in item.message() and item.uri in item.message()


def test_too_large_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    items = list(read_inputs([str(path)], max_bytes=100))
    assert isinstance(items[0], Skipped) and "too large" in items[0].reason


def test_jsonl_bad_line_costs_one_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "doc-1", "text": "First article text.", "outlet": "Wire"}),
        "{not json",
        json.dumps({"url": "https://example.org/2", "text": "Second article text."}),
        json.dumps({"id": "doc-3"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    documents, skipped = _read(path)
    assert [doc.uri for doc in documents] == ["doc-1", "https://example.org/2"]
    assert documents[0].fields["outlet"] == "Wire"
    assert [item.uri for item in skipped] == [f"{path}:2", f"{path}:4"]
    assert "invalid JSON" in skipped[0].reason


def _warc_bytes(pages: dict[str, str], gzip: bool = True) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    for url, html in pages.items():
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(html.encode()), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


def test_warc_records_and_truncation(tmp_path: Path) -> None:
    pages = {
        "https://example.org/a": "<html><body><p>Alpha story text.</p></body></html>",
        "https://example.org/b": "<html><body><p>Beta story text.</p></body></html>",
    }
    data = _warc_bytes(pages)
    whole = tmp_path / "crawl.warc.gz"
    whole.write_bytes(data)
    documents, skipped = _read(whole)
    assert [doc.uri for doc in documents] == list(pages)
    assert all(doc.source_format == "html" for doc in documents)

    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 40])
    documents, skipped = _read(cut)
    assert [doc.uri for doc in documents] == ["https://example.org/a"]
    assert len(skipped) == 1 and "WARC" in skipped[0].reason


def test_content_hash_changes_with_content() -> None:
    first = RawDocument("u", "text", "one")
    assert first.content_hash == RawDocument("u", "text", "one").content_hash
    assert first.content_hash != RawDocument("u", "text", "two").content_hash
    assert first.content_hash != RawDocument("u", "html", "one").content_hash


def test_utf16_with_and_without_bom_is_decoded_and_said(tmp_path: Path) -> None:
    text = "Zoë said: “This is UTF-16 text from a Windows tool.”"
    (tmp_path / "le.txt").write_bytes(text.encode("utf-16"))  # BOM + little endian
    (tmp_path / "be.txt").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    (tmp_path / "nobom.txt").write_bytes(text.encode("utf-16-le"))
    documents, skipped = _read(tmp_path)
    assert skipped == []
    assert [doc.content for doc in documents] == [text, text, text]
    notes = {Path(doc.uri).name: doc.note or "" for doc in documents}
    assert "UTF-16" in notes["le.txt"] and "byte order mark" in notes["le.txt"]
    assert "UTF-16-LE" in notes["nobom.txt"] and "no byte order mark" in notes["nobom.txt"]


def test_damaged_utf8_keeps_its_accents(tmp_path: Path) -> None:
    # One stray byte in a UTF-8 file must not turn every "é" into "Ã©" (cp1252 mojibake).
    good = "Le café “Zoë” est fermé — dit-il. " * 20
    path = tmp_path / "damaged.txt"
    path.write_bytes(good.encode() + b"\xff" + b"Fin.")
    documents, skipped = _read(path)
    assert documents[0].content == good + "\ufffd" + "Fin."
    assert "1 invalid UTF-8" in (documents[0].note or "")


def test_legacy_encoding_text_is_decoded_not_garbled(tmp_path: Path) -> None:
    text = "Déjà vu: “smart quotes” – and a euro sign €."
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    documents, _ = _read(path)
    assert documents[0].content == text and "cp1252" in (documents[0].note or "")


def test_unstorable_characters_are_replaced_in_place(tmp_path: Path) -> None:
    # PostgreSQL text cannot hold NUL, no database can hold a lone surrogate: replace them one
    # for one so that offsets into the text stay valid.
    late_nul = tmp_path / "late_nul.txt"
    late_nul.write_bytes(b"words " * 2000 + b"\x00 end of text.")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "s", "text": "A \ud800 lone surrogate and a \u0000 NUL."}) + "\n"
    )
    documents, skipped = _read(late_nul, feed)
    assert skipped == []
    assert documents[0].content == "words " * 2000 + "\ufffd end of text."
    assert documents[1].content == "A \ufffd lone surrogate and a \ufffd NUL."
    for document in documents:
        assert "replaced" in (document.note or "")
        document.content.encode("utf-8")  # storable: no lone surrogate left


def test_undecodable_file_name_gets_a_storable_uri(tmp_path: Path) -> None:
    import os

    with open(os.fsencode(tmp_path) + b"/caf\xe9.txt", "wb") as stream:
        stream.write(b"A story with a Latin-1 file name.")
    documents, skipped = _read(tmp_path)
    assert skipped == []
    assert documents[0].uri.endswith("caf\\xe9.txt")
    documents[0].uri.encode("utf-8")


def test_same_uri_twice_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("Some article text.", encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "x", "text": "First version."})
        + "\n"
        + json.dumps({"id": "x", "text": "Second version."})
        + "\n",
        encoding="utf-8",
    )
    # The folder and a file inside it given again: the same uri.
    documents, skipped = _read(folder, folder / "a.txt", feed)
    assert [doc.uri for doc in documents] == [str(folder / "a.txt"), "x"]
    assert documents[1].content == "First version."
    assert sorted(item.uri for item in skipped) == sorted([str(folder / "a.txt"), "x"])
    assert all("earlier input" in item.reason for item in skipped)


def test_text_without_words_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "symbols.txt"
    path.write_text("*** --- 2017-03-04 ... ### 12,345 !!!\n", encoding="utf-8")
    documents, skipped = _read(path)
    assert documents == [] and "no words" in skipped[0].reason


def test_special_and_hidden_files(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("Hidden folder text.", encoding="utf-8")
    (tmp_path / "real.txt").write_text("Visible article text.", encoding="utf-8")
    documents, skipped = _read(tmp_path / "pipe.txt", tmp_path)
    assert skipped == [Skipped(str(tmp_path / "pipe.txt"), "not a regular file or folder")]
    assert [doc.uri for doc in documents] == [str(tmp_path / "real.txt")]


def test_max_bytes_from_environment(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    monkeypatch.setenv("WIRETRACE_MAX_BYTES", "1000")
    items = list(read_inputs([str(path)]))
    assert isinstance(items[0], Skipped) and "too large" in items[0].reason
    monkeypatch.setenv("WIRETRACE_MAX_BYTES", "not a number")
    assert isinstance(next(read_inputs([str(path)])), RawDocument)


def test_jsonl_limit_bounds_each_line_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    long_line = json.dumps({"id": "long", "text": "word " * 5000})
    short = [json.dumps({"id": f"doc-{n}", "text": f"Article number {n}."}) for n in range(30)]
    path.write_text("\n".join([short[0], long_line, *short[1:]]) + "\n", encoding="utf-8")
    documents, skipped = _read_with_limit(path, max_bytes=2000)
    assert [doc.uri for doc in documents] == [f"doc-{n}" for n in range(30)]
    assert [item.uri for item in skipped] == [f"{path}:2"]
    assert "too large" in skipped[0].reason


def _read_with_limit(path: Path, max_bytes: int) -> tuple[list[RawDocument], list[Skipped]]:
    items = list(read_inputs([str(path)], max_bytes=max_bytes))
    return (
        [item for item in items if isinstance(item, RawDocument)],
        [item for item in items if isinstance(item, Skipped)],
    )


def test_warc_error_pages_big_records_and_garbage(tmp_path: Path, capfd) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    pages = [
        ("https://example.org/ok", "200 OK", "<p>A fine article body.</p>"),
        ("https://example.org/missing", "404 Not Found", "<p>Page not found.</p>"),
        ("https://example.org/moved", "301 Moved Permanently", ""),
        ("https://example.org/huge", "200 OK", "<p>" + "word " * 2000 + "</p>"),
    ]
    for url, status, html in pages:
        headers = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(html.encode()), http_headers=headers
        )
        writer.write_record(record)
    crawl = tmp_path / "crawl.warc"
    crawl.write_bytes(buffer.getvalue())
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"this is not a WARC file at all\n" * 10)
    documents, skipped = _read_with_limit(crawl, max_bytes=5000)
    assert [doc.uri for doc in documents] == ["https://example.org/ok"]
    reasons = {item.uri: item.reason for item in skipped}
    assert "404" in reasons["https://example.org/missing"]
    assert "too large" in reasons["https://example.org/huge"]
    assert "https://example.org/moved" not in reasons  # a redirect is not an article: no noise
    documents, skipped = _read(garbage)
    assert documents == [] and "invalid WARC" in skipped[0].reason
    assert capfd.readouterr().err == ""  # warcio's multi-line warnings stay off the terminal


def test_skip_messages_are_one_line_even_for_odd_names() -> None:
    message = Skipped("a\nb.txt", "empty file").message()
    assert "\n" not in message and "a\\nb.txt" in message


def test_text_longer_than_an_article_is_refused(tmp_path: Path, monkeypatch) -> None:
    # Quotation and attribution finding grow faster than linearly with length: a dump posing
    # as an article must cost one line, not stall the run.
    (tmp_path / "dump.txt").write_text("A sentence of a dump. " * 2000, encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    lines = [{"id": "long", "text": "word " * 3000}, {"id": "short", "text": "A short article."}]
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("WIRETRACE_MAX_CHARS", "10000")
    documents, skipped = _read(tmp_path)
    assert [doc.uri for doc in documents] == ["short"]
    reasons = {item.uri: item.reason for item in skipped}
    assert set(reasons) == {str(tmp_path / "dump.txt"), "long"}
    assert all("too long for an article" in reason for reason in reasons.values())


def test_a_stray_nul_does_not_make_a_page_binary(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<html><body>" + b"<p>Article text.</p>" * 50 + b"\0</body></html>")
    documents, skipped = _read(page)
    assert skipped == [] and "\0" not in documents[0].content
    assert "replaced" in (documents[0].note or "")


def test_warc_cut_inside_a_record_header_is_reported(tmp_path: Path) -> None:
    # warcio stops quietly when a record is cut inside its WARC headers: the lost record must
    # still cost a line, not vanish.
    whole = {f"https://example.org/{n}": f"<p>Story number {n} body text.</p>" for n in range(2)}
    lost = {"https://example.org/lost": "<p>The record cut short.</p>"}
    for gzipped, kept_bytes in ((False, 60), (True, 12)):
        path = tmp_path / ("cut.warc.gz" if gzipped else "cut.warc")
        cut_record = _warc_bytes(lost, gzip=gzipped)[:kept_bytes]
        path.write_bytes(_warc_bytes(whole, gzip=gzipped) + cut_record)
        documents, skipped = _read(path)
        assert [doc.uri for doc in documents] == list(whole)
        assert len(skipped) == 1 and skipped[0].reason.startswith("truncated"), skipped


def test_jsonl_line_in_a_legacy_encoding_says_so(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    line = '{"id": "café", "text": "Le café est fermé."}\n'
    feed.write_bytes(line.encode("cp1252"))
    documents, skipped = _read(feed)
    assert skipped == [] and documents[0].content == "Le café est fermé."
    assert "cp1252" in (documents[0].note or "")


# -- limits on what is inflated (WARC gzip members, HTTP content encodings) and per page -------


def _gzip(data: bytes) -> bytes:
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _encoded_warc(responses: list[tuple[str, list[tuple[str, str]], bytes]]) -> bytes:
    """A ``.warc.gz`` of HTTP responses ``(url, extra headers, body as sent)``."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, extra, body in responses:
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), *extra], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


def _peak_traced(function) -> tuple[object, int]:
    """``function()`` and the peak of Python memory it allocated (bytes)."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_http_gzip_bomb_in_a_warc_stops_at_the_limit_not_after_inflating(tmp_path: Path) -> None:
    # 40 MB of page inflate from a kB: the limit (1 MB here) must bound what is inflated, not
    # what is read from disk, and the page before it is still read.
    page = b"<html><body><p>An article about the talks in Geneva.</p></body></html>"
    inflated = b"<html><body>" + b"<p>word word word word word word</p>\n" * 1_000_000
    crawl = tmp_path / "bomb.warc.gz"
    crawl.write_bytes(
        _encoded_warc(
            [
                ("https://example.org/fine", [("Content-Encoding", "gzip")], _gzip(page)),
                ("https://example.org/bomb", [("Content-Encoding", "gzip")], _gzip(inflated)),
                ("https://example.org/after", [("Content-Encoding", "gzip")], _gzip(page)),
            ]
        )
    )
    assert crawl.stat().st_size < 10_000
    (documents, skipped), peak = _peak_traced(lambda: _read_with_limit(crawl, 1_000_000))
    assert [doc.uri for doc in documents] == ["https://example.org/fine"]
    assert documents[0].content == page.decode()
    assert [item.uri for item in skipped] == ["https://example.org/bomb", str(crawl)]
    assert "too large once decoded" in skipped[0].reason and "gzip" in skipped[0].reason
    assert str(crawl) in skipped[0].reason  # the file it came from is named
    # The bomb inflated more than a hundred times the file's size: what follows is not read.
    assert "decompression bomb after 2 WARC records" in skipped[1].reason
    assert peak < 8_000_000, f"{peak / 1e6:.0f} MB held to refuse a 1 MB limit"


def test_every_http_content_encoding_is_decoded_within_the_limit(tmp_path: Path) -> None:
    import zlib

    page = "<html><body><p>Le café de la gare a fermé mardi.</p></body></html>"
    body = page.encode()
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    chunked = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:20], body[20:])
    )
    responses = [
        ("https://example.org/gzip", [("Content-Encoding", "gzip")], _gzip(body)),
        ("https://example.org/two-members", [("Content-Encoding", "gzip")], _gzip(body[:30]) + _gzip(body[30:])),
        ("https://example.org/deflate", [("Content-Encoding", "deflate")], zlib.compress(body)),
        ("https://example.org/raw-deflate", [("Content-Encoding", "deflate")], raw_deflate.compress(body) + raw_deflate.flush()),
        ("https://example.org/twice", [("Content-Encoding", "gzip, gzip")], _gzip(_gzip(body))),
        ("https://example.org/chunked", [("Transfer-Encoding", "chunked")], chunked + b"0\r\n\r\n"),
        ("https://example.org/says-gzip-is-plain", [("Content-Encoding", "gzip")], body),
        ("https://example.org/identity", [("Content-Encoding", "identity")], body),
    ]  # fmt: skip
    crawl = tmp_path / "encodings.warc.gz"
    crawl.write_bytes(_encoded_warc(responses))
    documents, skipped = _read(crawl)
    assert skipped == []
    assert {doc.uri: doc.content for doc in documents} == {url: page for url, _, _ in responses}


def test_nested_gzip_bomb_is_refused_at_the_limit_of_the_outer_layer(tmp_path: Path) -> None:
    # "Content-Encoding: gzip, gzip": each layer is bounded, not only the last one.
    inflated = b"<p>" + b"a" * 30_000_000 + b"</p>"
    crawl = tmp_path / "twice.warc.gz"
    crawl.write_bytes(
        _encoded_warc(
            [
                (
                    "https://example.org/t",
                    [("Content-Encoding", "gzip, gzip")],
                    _gzip(_gzip(inflated)),
                )
            ]
        )
    )
    (documents, skipped), peak = _peak_traced(lambda: _read_with_limit(crawl, 1_000_000))
    assert documents == [] and "too large once decoded" in skipped[0].reason
    assert peak < 8_000_000


def test_warc_member_inflating_past_its_declared_length_is_given_up(tmp_path: Path) -> None:
    # A record that declares a few bytes, in a gzip member holding 60 MB with no line break:
    # warcio would read it as one header line, whole, and quote it in its error.
    body = b"<html><body><p>A short story.</p></body></html>"
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    record = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/s\r\n"
        b"WARC-Date: 2024-01-01T00:00:00Z\r\n"
        b"WARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-123456789012>\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {len(block)}\r\n\r\n".encode()
        + block
        + b"\r\n\r\n"
    )
    crawl = tmp_path / "lying.warc.gz"
    crawl.write_bytes(_gzip(record + b"A" * 60_000_000))
    (documents, skipped), peak = _peak_traced(lambda: _read(crawl))
    assert [doc.uri for doc in documents] == ["https://example.org/s"]
    assert len(skipped) == 1 and skipped[0].uri == str(crawl)
    assert skipped[0].reason.startswith("decompression bomb") and len(skipped[0].reason) < 300
    assert peak < 40_000_000, f"{peak / 1e6:.0f} MB held"


def test_warc_whose_bodies_decode_far_past_its_size_stops(tmp_path: Path) -> None:
    # Many records each under the limit, from a file a thousand times smaller than they are.
    records = [
        (f"https://example.org/{n}", [("Content-Encoding", "gzip")], _gzip(b"<p>" + b"ab " * 300_000 + b"</p>"))
        for n in range(12)
    ]  # fmt: skip
    crawl = tmp_path / "many.warc.gz"
    crawl.write_bytes(_encoded_warc(records))
    documents, skipped = _read_with_limit(crawl, 1_000_000)
    assert len(documents) < len(records)
    assert skipped[-1].uri == str(crawl) and "decompression bomb" in skipped[-1].reason
    assert "100 times its size" in skipped[-1].reason


def test_brotli_body_is_decoded_within_the_limit_or_refused_in_one_line(
    tmp_path: Path, monkeypatch
) -> None:
    import sys

    page = b"<html><body><p>A story sent compressed with Brotli.</p></body></html>"
    try:
        import brotli
    except ImportError:
        brotli = None
    if brotli is not None and hasattr(brotli.Decompressor, "can_accept_more_data"):
        bomb = brotli.compress(b"<p>" + b"a" * 50_000_000 + b"</p>")
        crawl = tmp_path / "br.warc.gz"
        crawl.write_bytes(
            _encoded_warc(
                [
                    (
                        "https://example.org/fine",
                        [("Content-Encoding", "br")],
                        brotli.compress(page),
                    ),
                    ("https://example.org/bomb", [("Content-Encoding", "br")], bomb),
                ]
            )
        )
        (documents, skipped), peak = _peak_traced(lambda: _read_with_limit(crawl, 1_000_000))
        assert [doc.content for doc in documents] == [page.decode()]
        assert "too large once decoded" in skipped[0].reason and "br" in skipped[0].reason
        assert peak < 8_000_000
    # Without the brotli package a Brotli body cannot be read: one line says so.
    monkeypatch.setitem(sys.modules, "brotli", None)
    crawl = tmp_path / "br-without.warc.gz"
    crawl.write_bytes(
        _encoded_warc([("https://example.org/b", [("Content-Encoding", "br")], b"\x1b\x00")])
    )
    documents, skipped = _read(crawl)
    assert documents == [] and "Brotli" in skipped[0].reason and "brotli" in skipped[0].reason


def test_html_page_too_big_to_clean_is_refused_before_parsing(tmp_path: Path, monkeypatch) -> None:
    # Cleaning costs memory by elements and text: 200,000 paragraphs took 0.6 GB. With the
    # length limit at 10,000 characters a page may hold 500 elements and 20,000 characters.
    monkeypatch.setenv("WIRETRACE_MAX_CHARS", "10000")
    (tmp_path / "many.html").write_text("<html><body>" + "<p>ab</p>" * 600 + "</body></html>")
    (tmp_path / "long.html").write_text("<p>" + "word " * 6000 + "</p>")
    scripted = "<html><head><script>" + "var a = 1;" * 5000 + "</script></head><body><p>Story.</p>"
    (tmp_path / "scripted.html").write_text(scripted)  # scripts and styles are not text
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "big-page", "html": "<div>x</div>" * 600}) + "\n")
    documents, skipped = _read(tmp_path)
    assert [Path(doc.uri).name for doc in documents] == ["scripted.html"]
    reasons = {Path(item.uri).name: item.reason for item in skipped}
    assert "over 500 elements" in reasons["many.html"]
    assert "text too long" in reasons["long.html"]
    assert "over 500 elements" in reasons["big-page"]


# -- encodings decided from the bytes when the declaration is wrong --------------------------


def _page(body: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>T</title></head><body><p>{body}</p></body></html>"


def test_utf8_page_declared_latin1_stays_utf8_and_says_so(tmp_path: Path) -> None:
    # Measured before: "Le café" became "Le cafÃ©" (the declaration was trusted).
    body = "Le café de la gare a fermé mardi, déjà la troisième fois."
    (tmp_path / "page.html").write_bytes(_page(body, "iso-8859-1").encode("utf-8"))
    documents, _ = _read(tmp_path / "page.html")
    assert body in documents[0].content and "Ã" not in documents[0].content
    assert "declared iso-8859-1, but the bytes are UTF-8" in (documents[0].note or "")


def test_cp1252_page_declared_utf8_is_read_as_cp1252(tmp_path: Path) -> None:
    # Measured before: decoded as cp775 (or cp1257), turning “quotes” and accents to junk.
    bodies = [
        "Déjà vu: “smart quotes” – and a euro sign €.",
        "Le café de la gare a fermé – “vraiment”. Déjà vu à Zürich, 20 €.",
        "Die Bundesregierung hat am Dienstag beschlossen, dass die Gespräche fortgesetzt werden.",
        "El gobierno anunció el martes que las conversaciones continuarán en Ginebra.",
        "Il governo ha annunciato martedì che i negoziati proseguiranno, più o meno.",
    ]
    for number, body in enumerate(bodies):
        path = tmp_path / f"page{number}.html"
        path.write_bytes(_page(body, "utf-8").encode("cp1252"))
        documents, _ = _read(path)
        assert body in documents[0].content, documents[0].note
        assert "declared utf-8, but the bytes are not UTF-8: decoded as cp1252" in (
            documents[0].note or ""
        )


def test_pages_in_other_scripts_declared_utf8_are_guessed_from_the_bytes(tmp_path: Path) -> None:
    bodies = {
        "cp1251": "Москва — столица России. Президент заявил сегодня, что переговоры продолжатся.",
        "cp1253": "Η κυβέρνηση ανακοίνωσε την Τρίτη ότι οι συνομιλίες θα συνεχιστούν.",
        "shift_jis": "東京は日本の首都です。今日の天気は晴れです。政府は発表した。",
        "cp1254": "Hükümet salı günü görüşmelerin Cenevre'de devam edeceğini açıkladı.",
        "cp1250": "Vláda v úterý oznámila, že jednání budou pokračovat v Ženevě.",
    }
    for encoding, body in bodies.items():
        path = tmp_path / f"{encoding}.html"
        path.write_bytes(_page(body, "utf-8").encode(encoding))
        documents, _ = _read(path)
        assert body in documents[0].content, (encoding, documents[0].note)
        assert "guessed from the bytes" in (documents[0].note or "")


def test_a_right_declaration_is_followed(tmp_path: Path) -> None:
    body = "Příliš žluťoučký kůň úpěl ďábelské ódy."  # iso-8859-2 reads as junk in cp1252
    (tmp_path / "cz.html").write_bytes(_page(body, "iso-8859-2").encode("iso-8859-2"))
    documents, _ = _read(tmp_path / "cz.html")
    assert body in documents[0].content
    assert documents[0].note == "decoded as iso8859-2 (declared iso-8859-2)"


def test_warc_http_charset_is_a_hint_the_bytes_can_overrule(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    russian = "Москва — столица России. Президент заявил сегодня, что переговоры продолжатся."
    french = "Le café de la gare a fermé mardi, déjà la troisième fois."
    responses = [
        # The header is right, the page's own meta wrong: the header wins (as in browsers).
        ("https://example.org/ru", "text/html; charset=windows-1251", _page(russian, "utf-8").encode("cp1251")),
        # The header is wrong: the bytes are UTF-8.
        ("https://example.org/fr", "text/html; charset=ISO-8859-1", _page(french, None).encode("utf-8")),
    ]  # fmt: skip
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, content_type, body in responses:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(buffer.getvalue())
    documents, skipped = _read(crawl)
    assert skipped == []
    ru, fr = documents
    assert russian in ru.content and "declared windows-1251" in (ru.note or "")
    assert french in fr.content and "declared ISO-8859-1, but the bytes are UTF-8" in (
        fr.note or ""
    )


def test_plain_text_in_a_legacy_script_is_not_read_as_cp1252(tmp_path: Path) -> None:
    # No declaration at all: cp1252 was the only fallback, turning Cyrillic into "Ìîñêâà".
    text = "Москва — столица России. Президент заявил сегодня, что переговоры продолжатся.\n"
    (tmp_path / "ru.txt").write_bytes(text.encode("cp1251"))
    documents, _ = _read(tmp_path / "ru.txt")
    assert documents[0].content == text and "cp1251" in (documents[0].note or "")


# -- JSONL field names: aliases of common exports, and --field ---------------------------------


def _feed(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_jsonl_records_of_common_exports_keep_their_date_and_outlet(tmp_path: Path) -> None:
    """Scraper, RSS, news-API and GDELT style keys mean what wiretrace's own keys mean."""
    feed = _feed(
        tmp_path,
        {
            "link": "https://news.example/a",
            "content": "The council met on Monday.",
            "source": "Example News",
            "date": "2024-03-05T10:00:00Z",
            "headline": "Council meets",
            "byline": ["Ann Lee", "Bo Chen"],
        },
        {
            "url": "https://rss.example/b",
            "body": "A second story, from a feed.",
            "pubDate": "Tue, 05 Mar 2024 09:30:00 GMT",
            "site": "rss.example",
        },
        {"url": "https://gdelt.example/c", "text": "A third one.", "seendate": "20240305T081500Z"},
    )
    documents, skipped = _read(feed)
    assert skipped == []
    first, second, third = documents
    assert first.uri == "https://news.example/a" and first.content == "The council met on Monday."
    assert first.fields == {
        "title": "Council meets",
        "outlet": "Example News",
        "author": "Ann Lee, Bo Chen",
        "published_at": "2024-03-05T10:00:00Z",
        "url": "https://news.example/a",
    }
    assert second.fields["published_at"] == "2024-03-05T09:30:00+00:00"
    assert second.fields["outlet"] == "rss.example" and second.content.startswith("A second")
    assert third.fields["published_at"] == "20240305T081500Z"


def test_jsonl_own_keys_win_over_aliases_and_records_read_as_before(tmp_path: Path) -> None:
    """A record in wiretrace's own keys is read exactly as before (same uri, fields, hash)."""
    own = {
        "id": "doc-1",
        "url": "https://a.example/1",
        "text": "Own text.",
        "content": "Not this.",
        "outlet": "Own",
        "source": "Not this either",
        "published_at": "2019-05-31T17:45:53-04:00",
        "date": "1999-01-01",
    }
    [document], _ = _read(_feed(tmp_path, own))
    assert document.uri == "doc-1" and document.content == "Own text."
    assert document.fields == {
        "outlet": "Own",
        "published_at": "2019-05-31T17:45:53-04:00",
        "url": "https://a.example/1",
    }


def test_a_date_not_understood_is_said_and_left_out(tmp_path: Path) -> None:
    [document], _ = _read(_feed(tmp_path, {"id": "x", "text": "Words.", "date": "last Tuesday"}))
    assert "published_at" not in document.fields
    assert "date 'last Tuesday' not understood" in (document.note or "")


def test_field_option_maps_any_key_and_dotted_paths(tmp_path: Path) -> None:
    from flows.ingest import JsonlFields

    feed = _feed(
        tmp_path,
        {
            "guid": 7703,
            "article": {"body": "Nested text.", "headline": "Nested"},
            "source": {"domain": "foxnews.com", "name": "Fox News"},
            "people": [{"name": "Ann Lee"}],
            "ts": 1709631000,
        },
    )
    jsonl = JsonlFields.parse(
        [
            "id=guid",
            "text=article.body",
            "title=article.headline",
            "outlet=source.domain",
            "author=people.0.name",
            "published_at=ts",
        ]
    )
    [document] = list(read_inputs([str(feed)], jsonl=jsonl))
    assert isinstance(document, RawDocument), document
    assert document.uri == "7703" and document.content == "Nested text."
    assert document.fields == {
        "title": "Nested",
        "outlet": "foxnews.com",
        "author": "Ann Lee",
        "published_at": "2024-03-05T09:30:00+00:00",
    }
    # Without the mapping the record has no text: said in one line naming the keys tried.
    [skipped] = list(read_inputs([str(feed)]))
    assert isinstance(skipped, Skipped)
    assert (
        skipped.reason
        == "record has no text: none of 'text', 'content', 'body', 'html' is a string"
    )


def test_bad_field_options_are_one_line_errors() -> None:
    import pytest

    from flows.ingest import JsonlFields

    for option, message in [
        ("outlet", "write NAME=FIELD"),
        ("place=source", "unknown name 'place'"),
        ("outlet=", "FIELD must be a key or a dotted path"),
        ("outlet=source..domain", "FIELD must be a key or a dotted path"),
    ]:
        with pytest.raises(ValueError, match=message) as raised:
            JsonlFields.parse([option])
        assert "\n" not in str(raised.value) and repr(option) in str(raised.value)
    with pytest.raises(ValueError, match="mapped twice"):
        JsonlFields.parse(["outlet=a", "outlet=b"])
