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
    documents, skipped = _read(tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "latin.txt", missing)
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


def _warc_bytes(pages: dict[str, str]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, html in pages.items():
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()), http_headers=headers)
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

