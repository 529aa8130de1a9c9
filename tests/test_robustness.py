"""Bad input, unreachable databases and secrets, through the real ``wiretrace`` command.

One bad file costs one file and one clear line; a database that cannot be reached costs one
clear line and exit code 1; a password given in ``--db`` is never shown or stored.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
import tracemalloc
import unicodedata
from pathlib import Path

import benchmark_scripts
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT.parent / "shared" / "seeds"
WIRETRACE = str(Path(sys.executable).with_name("wiretrace"))
PASSWORD = "s3cr3t-Pa55"
TRACEBACK = "Traceback (most recent call last)"

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")


def wiretrace(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
):
    """The real CLI in a subprocess, with a narrow terminal (long lines must not wrap)."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    full_env.pop("WIRETRACE_DB", None)  # each test names its database
    full_env.update(env or {})
    return subprocess.run(
        [WIRETRACE, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


# -- bad input -----------------------------------------------------------------------------------


@needs_seeds
def test_bad_input_battery(tmp_path: Path, db_url: str) -> None:
    battery = benchmark_scripts.load("bad_inputs")
    inputs = tmp_path / "inputs"
    # The "100 MB" file at 3 MB, over a 2 MB limit, and the 3 GB bomb at 60 MB: same paths
    # through the code, fast.
    cases = battery.build_battery(inputs, big_bytes=3_000_000, bomb_bytes=60_000_000)
    missing = str(inputs / battery.MISSING_NAME)
    cases.append(battery.Case(missing, "path that does not exist", "skipped", ("no such file",)))
    outcome = battery.run_battery(inputs, db_url, max_bytes=2_000_000)

    # Good inputs stored exactly, legacy encodings decoded and said so, bad ones skipped with
    # the reason their kind calls for, exit code 0, no traceback (see bad_inputs.check).
    assert battery.check(cases, outcome) == [], outcome.stderr
    # Every bad input named once, on one line of its own, with its reason.
    skip_lines = [line for line in outcome.stderr.splitlines() if line.startswith("skipped ")]
    expected_skips = [case for case in cases if case.expect == "skipped"]
    assert len(skip_lines) == len(expected_skips) == len(outcome.skipped)
    for case in expected_skips:
        assert f"skipped {case.uri}: {outcome.skipped[case.uri]}" in skip_lines


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from flows.ingest import DEFAULT_MAX_BYTES, Skipped, read_inputs

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as stream:  # sparse: 100 MB on paper, instant to make
        stream.truncate(100 * 1024 * 1024)
    tracemalloc.start()
    items = list(read_inputs([str(huge)], max_bytes=DEFAULT_MAX_BYTES))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(items[0], Skipped) and "too large" in items[0].reason
    assert peak < 1_000_000


def test_unsupported_and_missing_paths_on_the_command_line(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    good = tmp_path / "story.txt"
    good.write_text("A short but real article. It has two sentences.", encoding="utf-8")
    result = wiretrace(
        "run", str(tmp_path / "notes.pdf"), str(tmp_path / "nope"), str(good), "--db", db_url, "-q"
    )
    assert result.returncode == 0, result.stderr
    assert TRACEBACK not in result.stderr
    lines = result.stderr.splitlines()
    assert f"skipped {tmp_path / 'notes.pdf'}: unsupported file type '.pdf'" in lines
    assert f"skipped {tmp_path / 'nope'}: no such file or folder" in lines


# -- unreachable databases -------------------------------------------------------------------------

UNREACHABLE = [
    # (url, what the one line must say besides the masked url)
    (f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:1/wiretrace", "refused"),
    (f"postgresql+psycopg://postgres:{PASSWORD}@no-such-host.invalid/wiretrace", "resolve"),
    ("sqlite:////no/such/folder/wiretrace.db", "unable to open"),
    ("not-a-database-url", "not a database URL"),
]


def _assert_one_line_error(result: subprocess.CompletedProcess, url: str, words: str) -> None:
    from storage.store import mask_url

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert TRACEBACK not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:") and mask_url(url) in lines[0] and words in lines[0]
    assert PASSWORD not in result.stderr + result.stdout


@needs_seeds
@pytest.mark.parametrize(("url", "words"), UNREACHABLE)
def test_unreachable_database_is_one_clear_line(url: str, words: str) -> None:
    _assert_one_line_error(wiretrace("run", str(SEEDS), "--db", url, "-q"), url, words)


@pytest.mark.parametrize(
    "command",
    [["report", "--out", "{tmp}/report"], ["show", "001"], ["export", "--format", "prov-json"]],
)
def test_every_database_command_fails_cleanly(command: list[str], tmp_path: Path) -> None:
    url, words = UNREACHABLE[0]
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    # Through $WIRETRACE_DB as a scheduled job would give it, not --db.
    result = wiretrace(*args, env={"WIRETRACE_DB": url})
    _assert_one_line_error(result, url, words)
    assert not (tmp_path / "report").exists() or not any((tmp_path / "report").iterdir())


# -- secrets ---------------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("WIRETRACE_TEST_DB", "")
    return url if url.startswith("postgresql") else None


@needs_seeds
@pytest.mark.postgres
@pytest.mark.skipif(_postgres_url() is None, reason="WIRETRACE_TEST_DB is not a PostgreSQL URL")
@pytest.mark.parametrize("spelling", ["encoded", "question mark"])
def test_password_never_shown_nor_stored(db_url: str, tmp_path: Path, spelling: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    # The test server trusts local connections, so any password gets in: the run succeeds
    # and every output can be searched for it. "%40" is an URL-encoded "@"; a "?" needs no
    # escaping (SQLAlchemy takes the password up to the "@").
    if spelling == "encoded":
        url = make_url(db_url).set(password=PASSWORD + "@x").render_as_string(hide_password=False)
    else:
        user = make_url(db_url).username
        url = db_url.replace(f"//{user}@", f"//{user}:{QUESTION_PASSWORD}@", 1)
        assert make_url(url).password == QUESTION_PASSWORD
    written = url.split("//", 1)[1].split("@", 1)[0].split(":", 1)[1]
    secrets = {PASSWORD, written, *QUESTION_SECRETS}
    outputs = [
        wiretrace("run", str(SEEDS), "--db", url, cwd=tmp_path),
        wiretrace("report", "--db", url, "--out", str(tmp_path / "report"), cwd=tmp_path),
        wiretrace("show", "001", "--db", url, cwd=tmp_path),
        wiretrace("export", "--format", "prov-json", env={"WIRETRACE_DB": url}, cwd=tmp_path),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        for secret in secrets:
            assert secret not in result.stdout + result.stderr
    assert "***" in outputs[0].stdout  # the run names its database, masked
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.suffix == ".html" for path in written)
    for path in written:
        content = path.read_bytes().decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in content, path
    engine = create_engine(db_url)
    with engine.connect() as connection:
        for table in ("runs", "skipped_files"):
            for row in connection.execute(text(f"select * from {table}")):
                dumped = json.dumps([str(value) for value in row])
                for secret in secrets:
                    assert secret not in dumped, table
    engine.dispose()


# -- invariants every stage relies on (hypothesis) ------------------------------------------------
# Normalisation round trips and alignment symmetry are pinned in test_normalize.py and
# test_align.py; here: cleaning never invents text, and every stored offset is exact.

# Real sentences from the seeds, varied with what scraped text throws at a pipeline.
_SEED_SENTENCES = sorted(
    {
        sentence.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        for sentence in path.read_text(encoding="utf-8").replace("\n", " ").split(". ")
        if len(sentence.split()) >= 6
    }
)[:60] or ["The missile shield was deployed in South Korea, the general said"]
NOISE = st.sampled_from(
    [
        "\u00a0",
        "\r\n",
        "\n\n",
        "  ",
        "\u201c",
        "\u201d",
        "\u2014",
        "é",
        "\t",
        "\U0001f600",
        "e\u0301",
    ]
)
sentences = st.sampled_from(_SEED_SENTENCES).map(lambda sentence: sentence + ".")


@st.composite
def scraped_text(draw) -> str:
    parts = draw(
        st.lists(st.one_of(sentences, NOISE, st.text(max_size=12)), min_size=1, max_size=12)
    )
    return "".join(part if index == 0 else " " + part for index, part in enumerate(parts))


@st.composite
def html_page(draw) -> tuple[str, list[str]]:
    """An HTML page and the texts written into it (escaped)."""
    blocks = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["p", "div", "nav", "footer", "li", "span", "h1"]), scraped_text()
            ),
            min_size=1,
            max_size=6,
        )
    )
    body = "".join(f"<{tag}>{html.escape(content)}</{tag}>" for tag, content in blocks)
    broken = draw(st.booleans())  # half the pages lose their closing tags
    page = f"<html><head><title>T</title></head><body>{body}</body></html>"
    if broken:
        page = re.sub(r"</(p|div|li|span)>", "", page)
    return page, [content for _, content in blocks]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scraped_text())
def test_plain_text_cleaning_keeps_the_text_and_only_marks_spans(text: str) -> None:
    from dedup.clean import clean_plain_text

    document = clean_plain_text(text)
    assert document.text == text  # offsets index the file's exact contents
    for span in document.boilerplate:
        assert 0 <= span.start_char <= span.end_char <= len(text)
    assert _is_subsequence(document.clean_text, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_page())
def test_html_cleaning_never_invents_text(page: tuple[str, list[str]]) -> None:
    from dedup.clean import clean_html
    from flows.ingest import make_storable

    markup, contents = page
    # As the pipeline does: ingestion has replaced NULs (which parsers drop, joining words).
    document = clean_html(make_storable(markup)[0])
    for span in document.boilerplate:
        assert 0 <= span.start_char <= span.end_char <= len(document.text)
    assert _is_subsequence(document.clean_text, document.text)

    # The visible text is what was written into the page, in order (the title first); only
    # whitespace may differ (inline elements join, blocks break lines).
    def letters(text: str) -> str:
        return unicodedata.normalize("NFC", "".join(text.split()))

    written = make_storable("T" + "".join(contents))[0]
    assert _is_subsequence(letters(document.text), letters(written))


def _text_minus(text: str, spans: list[tuple[int, int]]) -> str:
    kept, position = [], 0
    for start, end in sorted(spans):
        kept.append(text[position:start])
        position = max(position, end)
    return "".join(kept) + text[position:]


def _is_subsequence(part: str, whole: str) -> bool:
    remaining = iter(whole)
    return all(char in remaining for char in part)


@needs_seeds
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.one_of(sentences, scraped_text()), min_size=2, max_size=8),
        min_size=2,
        max_size=5,
    )
)
def test_every_stored_offset_is_exact(documents: list[list[str]]) -> None:
    from flows.ingest import make_storable
    from flows.pipeline import run_pipeline
    from storage.store import Store

    with tempfile.TemporaryDirectory() as folder:
        for number, parts in enumerate(documents):
            # Shared sentences make reuse; CRLF and NBSP make offsets worth checking.
            Path(folder, f"doc_{number}.txt").write_bytes("\r\n\r\n".join(parts).encode("utf-8"))
        store = Store(f"sqlite:///{folder}/wiretrace.db")
        run_pipeline([folder], store.url, notify=lambda message: None)
        stored = {row.uri: row for row in store.documents()}
        for uri, row in stored.items():  # the file's text; NULs replaced one for one
            assert row.text == make_storable(Path(uri).read_bytes().decode("utf-8"))[0]
            assert 0.0 <= (row.original_share or 0.0) <= 1.0
        spans: dict[str, list[tuple[int, int]]] = {}
        for row in store.boilerplate():
            assert stored[row.uri].text[row.start_char : row.end_char] == row.text
            spans.setdefault(row.uri, []).append((row.start_char, row.end_char))
        for uri, row in stored.items():  # clean_text is text minus the boilerplate spans
            assert row.clean_text == _text_minus(row.text, spans.get(uri, []))
        for row in store.lineage():
            assert stored[row.uri].text[row.start_char : row.end_char] == row.text
            assert 0.0 <= row.confidence <= 1.0
        for row in store.quotes():
            assert stored[row.uri].text[row.start_char : row.end_char] == row.text
        for row in store.alignments():
            assert 0 <= row.a_start < row.a_end <= len(stored[row.uri_a].text)
            assert 0 <= row.b_start < row.b_end <= len(stored[row.uri_b].text)
            assert 0.0 <= row.similarity <= 1.0
        store.close()


def test_template_marking_does_not_depend_on_what_was_marked_before() -> None:
    # A run killed while marking an outlet's template lines, or a later run adding documents,
    # sees some documents already marked: the others must get the spans a single pass gives.
    from dedup.clean import clean_plain_text, template_boilerplate
    from dedup.records import CleanedDocument

    footer = "Example News is an independent newsroom based in Oslo."
    bodies = [sentence + "." for sentence in _SEED_SENTENCES[:3]]  # the fewest that make a template
    docs = [
        (f"https://example.org/{number}", "Example News", clean_plain_text(f"{body}\n{footer}\n"))
        for number, body in enumerate(bodies)
    ]
    at_once = template_boilerplate(docs)
    assert len(at_once) == len(docs)  # the footer is template in every document
    key, outlet, first = docs[0]
    marked = CleanedDocument(first.text, sorted(first.boilerplate + at_once[key]), first.metadata)
    again = template_boilerplate([(key, outlet, marked), *docs[1:]])
    assert {key: again.get(key) for key, _, _ in docs[1:]} == {
        key: at_once[key] for key, _, _ in docs[1:]
    }


@pytest.mark.parametrize(
    "url",
    [
        # An unescaped "@" in the password: SQLAlchemy would take its tail for the host.
        f"postgresql+psycopg://postgres:{PASSWORD}@x@127.0.0.1:1/wiretrace",
        f"postgresql+psycopg://postgres:{PASSWORD}/x@127.0.0.1:1/wiretrace",
        # libpq also takes passwords from the query string.
        f"postgresql+psycopg://postgres@127.0.0.1:1/wiretrace?password={PASSWORD}",
        f"postgresql+psycopg://postgres@127.0.0.1:1/wiretrace?sslmode=require&sslpassword={PASSWORD}",
    ],
)
def test_odd_passwords_are_masked_too(url: str) -> None:
    result = wiretrace("run", str(PROJECT / "README.md"), "--db", url, "-q")
    assert result.returncode == 1 and TRACEBACK not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: database postgresql"), result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert "x@127" not in result.stderr and "***" in result.stderr


# A password SQLAlchemy accepts as it is: everything up to the first "@", "?" included.
QUESTION_PASSWORD = "S3c?r3tB-" + PASSWORD
QUESTION_SECRETS = (QUESTION_PASSWORD, "r3tB-" + PASSWORD, "S3c?r3tB")


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://postgres:{QUESTION_PASSWORD}@127.0.0.1:1/wiretrace",
        f"postgresql+psycopg://postgres:{QUESTION_PASSWORD}@127.0.0.1:1/wiretrace?sslmode=disable",
        f"postgresql+psycopg://postgres:a/b?{PASSWORD}@127.0.0.1:1/wiretrace",
    ],
)
def test_password_with_a_question_mark_is_masked(url: str) -> None:
    from sqlalchemy.engine import make_url

    from storage.store import StorageError, Store, mask_url

    password = make_url(url).password
    assert password and "?" in password  # what SQLAlchemy will send
    shown = mask_url(url)
    assert password not in shown and PASSWORD not in shown
    assert shown.startswith("postgresql+psycopg://postgres:***@127.0.0.1:1/wiretrace"), shown
    assert Store(url).display_url == shown and PASSWORD not in repr(Store(url))
    with pytest.raises(StorageError) as raised:
        Store(url).documents()
    assert PASSWORD not in str(raised.value) and shown in str(raised.value)
    result = wiretrace("run", str(PROJECT / "README.md"), "--db", url, "-q")
    assert result.returncode == 1 and TRACEBACK not in result.stderr
    for secret in (*QUESTION_SECRETS, PASSWORD):
        assert secret not in result.stdout + result.stderr


def test_report_data_source_is_masked_whatever_the_store_says() -> None:
    from reports import ReportData

    class StoreShowingItsUrl:
        display_url = f"postgresql://u:{QUESTION_PASSWORD}@host/db"

        def __getattr__(self, name):
            return lambda *args: []

    source = ReportData.from_store(StoreShowingItsUrl()).source
    assert source == "postgresql://u:***@host/db"


def test_mask_url_hides_what_sqlalchemy_would_send() -> None:
    """Whatever the spelling, the password SQLAlchemy parses is never in the masked form."""
    from sqlalchemy.engine import make_url

    from storage.store import mask_url

    users, hosts = ["postgres", "u_1", ""], ["127.0.0.1:1", "db.example", "[::1]:5432"]
    pieces = ["S3c", "?", "/", ":", "#", "%3F", "&x=", "r3t", "=", " "]
    for user in users:
        for host in hosts:
            for first in pieces:
                for second in pieces:
                    password = f"{first}{PASSWORD}{second}"
                    url = f"postgresql+psycopg://{user}:{password}@{host}/db?sslmode=require"
                    parsed = make_url(url).password
                    shown = mask_url(url)
                    assert PASSWORD not in shown, (url, shown)
                    assert parsed is None or parsed not in shown, (url, shown)


@needs_seeds
def test_page_with_more_text_than_an_article_is_skipped(
    tmp_path: Path, db_url: str, monkeypatch
) -> None:
    # A page's visible text is known only once cleaned: the length limit applies there too
    # (to a page that the estimate before parsing lets through: few elements, spaced text).
    from flows.pipeline import run_pipeline
    from storage.store import Store

    page = tmp_path / "dump.html"
    paragraph = "<p>" + "One sentence of a very long page. " * 70 + "</p>"
    page.write_text("<html><body>" + paragraph * 4 + "</body></html>")
    story = tmp_path / "story.txt"
    story.write_text(next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("WIRETRACE_MAX_CHARS", "8000")
    summary = run_pipeline([str(tmp_path)], db_url, notify=lambda message: None)
    reasons = {item.uri: item.reason for item in summary.skipped}
    assert "too long for an article" in reasons[str(page)]
    assert [row.uri for row in Store(db_url).documents()] == [str(story)]
