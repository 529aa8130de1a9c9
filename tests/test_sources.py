"""The sources table: one canonical name per source, kinds, and users' additions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dedup.attribution import canonical_agency, find_attributions
from dedup.sources import (
    SourcesError,
    is_aggregator,
    outlet_name,
    parse_sources,
    source_kind,
    source_of_outlet,
)

ROOT = Path(__file__).resolve().parents[1]


def test_an_outlet_and_its_site_are_one_source() -> None:
    assert outlet_name("cnn.com") == outlet_name("https://www.cnn.com/") == "CNN"
    assert canonical_agency("cnn.com") == canonical_agency("CNN") == "CNN"
    assert outlet_name("bbc.co.uk") == "BBC"
    assert outlet_name("smalltown.example") == "smalltown.example"


def test_agencies_outlets_and_aggregators_are_told_apart() -> None:
    assert [source_kind(name) for name in ("Associated Press", "Reuters", "dpa")] == ["agency"] * 3
    assert [source_kind(name) for name in ("The New York Times", "BBC", "CNN")] == ["outlet"] * 3
    assert is_aggregator("news.google.com") and is_aggregator("yahoo.com/news")
    assert not is_aggregator("yahoo.com/sports") or source_of_outlet("yahoo.com/sports") is None
    assert not is_aggregator("reuters.com")


def test_a_bad_table_is_named_with_its_reason() -> None:
    with pytest.raises(SourcesError, match="extra.toml: source 'X' has kind 'wire'"):
        parse_sources('[[source]]\nname = "X"\nkind = "wire"', "extra.toml")
    with pytest.raises(SourcesError, match="extra.toml: not valid TOML"):
        parse_sources("[[source]\nname =", "extra.toml")


def _run(code: str, table: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "WIRETRACE_SOURCES": str(table)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=ROOT
    )


def test_users_extend_the_table_through_the_environment(tmp_path) -> None:
    table = tmp_path / "sources.toml"
    table.write_text(
        '[[source]]\nname = "Prairie Wire"\nkind = "agency"\n'
        'aliases = ["Prairie Wire Service"]\nacronyms = ["PWS"]\ndomains = ["prairiewire.example"]\n',
        encoding="utf-8",
    )
    code = (
        "from dedup.attribution import find_attributions, canonical_agency\n"
        "print([a.source for a in find_attributions('The plant closed, PWS reported.')])\n"
        "print(canonical_agency('prairiewire.example'))"
    )
    result = _run(code, table)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['Prairie Wire']", "Prairie Wire"]
    # without the table the acronym means nothing
    assert find_attributions("The plant closed, PWS reported.") == []


def test_a_broken_user_table_is_one_line_from_the_command_line(tmp_path) -> None:
    table = tmp_path / "broken.toml"
    table.write_text('[[source]]\nname = "X"\nkind = "wire"\n', encoding="utf-8")
    code = "import sys; from flows.cli import app; sys.argv = ['wiretrace', 'show', 'x']; app()"
    result = _run(code, table)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {table}: source 'X' has kind 'wire', not one of ('agency', 'outlet', 'aggregator')"
    ]
