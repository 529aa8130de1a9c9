"""Metadata from text cues and from HTML tags."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dedup.clean import clean_html, clean_plain_text
from dedup.html import parse_html
from dedup.metadata import html_metadata, parse_date, text_metadata

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed(prefix: str) -> str:
    if not SEEDS.exists():
        pytest.skip("seeds not available")
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("11.10.2016", datetime(2016, 10, 11)),
        ("07/27/2016", datetime(2016, 7, 27)),
        ("27/07/2016", datetime(2016, 7, 27)),
        ("2017/10/13 23:03:39", datetime(2017, 10, 13, 23, 3, 39)),
        ("2019-11-18T07:45:00", datetime(2019, 11, 18, 7, 45)),
        ("November 18, 2019 7:45 am", datetime(2019, 11, 18, 7, 45)),
        ("Posted 3 Jan 2020", datetime(2020, 1, 3)),
        ("Oct. 13, 2017 at 11:03 pm", datetime(2017, 10, 13, 23, 3)),
    ],
)
def test_parse_date_formats(written: str, expected: datetime) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize("written", ["no date here", "31.02.2016", "version 1.2.3", ""])
def test_parse_date_rejects_non_dates(written: str) -> None:
    assert parse_date(written) is None


def test_title_bar_gives_title_outlet_and_date() -> None:
    metadata = clean_plain_text(seed("000")).metadata
    assert metadata.title == "Beijing and Moscow to cooperate on minimizing US missile defense"
    assert metadata.outlet == "DW"
    assert metadata.published_at == datetime(2016, 10, 11)


def test_byline_with_source_and_published() -> None:
    metadata = clean_plain_text(seed("003")).metadata
    assert metadata.title == "China, Russia oppose THAAD"
    assert metadata.author == "Liu Xin"
    assert metadata.outlet == "Global Times"
    # Published wins over Last Updated.
    assert metadata.published_at == datetime(2017, 10, 13, 23, 3, 39)


def test_last_updated_and_title_after_promo() -> None:
    metadata = clean_plain_text(seed("004")).metadata
    assert metadata.published_at == datetime(2016, 7, 27)
    assert metadata.title == "Russia, China Consider Joint Missile Defense"


def test_outlet_from_copyright_line_and_title_after_nav() -> None:
    metadata = clean_plain_text(seed("002")).metadata
    assert metadata.outlet == "The American Interest"
    # "The Best Offense" is a kicker above the headline.
    assert metadata.title == "Russia, China Warn U.S. About Missile Defense"


def test_text_without_cues_has_empty_metadata() -> None:
    metadata = text_metadata("The minister said on Tuesday that the talks would resume soon.")
    assert (metadata.title, metadata.outlet, metadata.author, metadata.published_at) == (
        None,
        None,
        None,
        None,
    )


def test_html_meta_tags() -> None:
    page = """<html><head><title>Talks resume in Geneva - Example News</title>
    <meta property="og:site_name" content="Example News">
    <meta name="author" content="Anna Berg">
    <meta property="article:published_time" content="2024-03-05T09:30:00+01:00">
    </head><body><p>Body.</p></body></html>"""
    metadata = html_metadata(parse_html(page))
    assert metadata.title == "Talks resume in Geneva"
    assert metadata.outlet == "Example News"
    assert metadata.author == "Anna Berg"
    assert metadata.published_at == datetime(2024, 3, 5, 9, 30)


def test_html_json_ld_graph_wins_and_bad_json_is_ignored() -> None:
    page = """<html><head>
    <script type="application/ld+json">{not json</script>
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "ignored"},
      {"@type": "NewsArticle", "headline": "Bridge closed after crash",
       "datePublished": "2023-11-02T06:00:00Z",
       "author": [{"@type": "Person", "name": "Tom Lee"}, {"@type": "Person", "name": "Ana Ruiz"}],
       "publisher": {"@type": "Organization", "name": "Gazette"}}]}</script>
    </head><body><h1>Other heading</h1></body></html>"""
    metadata = html_metadata(parse_html(page))
    assert metadata.title == "Bridge closed after crash"
    assert metadata.author == "Tom Lee, Ana Ruiz"
    assert metadata.outlet == "Gazette"
    assert metadata.published_at == datetime(2023, 11, 2, 6, 0)


def test_html_time_element_and_text_cues() -> None:
    page = """<html><body><h1>Museum reopens</h1><p>By Maria Sanz</p>
    <time datetime="2022-06-01">June 1</time>
    <p>The museum reopened its east wing on Wednesday after two years of repairs.</p></body></html>"""
    metadata = clean_html(page).metadata
    assert metadata.title == "Museum reopens"
    assert metadata.published_at == datetime(2022, 6, 1)
    assert metadata.author == "Maria Sanz"


def test_date_from_the_url_when_the_page_has_none() -> None:
    page = (
        "<html><body><h1>Museum reopens</h1><p>The museum reopened its east wing on Wednesday "
        "after two years of repairs and a long fight over money.</p></body></html>"
    )
    with_url = clean_html(page, url="https://example.com/2021/03/04/museum-reopens.html")
    assert with_url.metadata.published_at == datetime(2021, 3, 4)
    assert clean_html(page).metadata.published_at is None
