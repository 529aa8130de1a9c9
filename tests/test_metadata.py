"""Metadata from text cues and from HTML tags."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dedup.clean import clean_html, clean_plain_text
from dedup.html import parse_html
from dedup.metadata import (
    first_heading,
    headline,
    html_metadata,
    parse_date,
    text_metadata,
    title_from_uri,
    unreadable_title,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REALNEWS = SEEDS.parent / "data" / "realnews"


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


# --- Titles: made-up lines of each kind scraped text puts above a headline -----------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("B   B", "label"),
        ("Skip to main content", "label"),
        ("Arrow up", "label"),
        ("Toggle captions", "label"),
        ("Image 2 of 7", "label"),
        ("Photo 3of/9", "label"),
        ("Show more / Show less", "label"),
        ("Continue reading below", "label"),
        ("Sign up for our morning newsletter", "label"),
        ("Example Store", None),  # two capitalised words: no label, but no headline either
        ("12 min ago", "timestamp"),
        ("3h ago", "timestamp"),
        ("Updated 4:05 AM EDT", "timestamp"),
        ("Tuesday, March 3, 2020 18:44", "timestamp"),
        ("Published 9:12 am, Monday, March 2, 2020", "timestamp"),
        ("Reuters March 2, 2020, 6:15 AM", "timestamp"),
        ("twShare fbShare Email", "share row"),
        ("Share on WhatsApp Share on Reddit", "share row"),
        ("PinterestEmail Print", "share row"),
        ("MARIA LOPEZ, AFP/Getty Images", "credit"),
        ("Photo: Tom Baker", "credit"),
        ("Photo illustration: Example Daily; images: Pixabay", "credit"),
        ("Jane Roe/The Daily Example", "credit"),
        ("Rally in the capital (Sam Pike/AP Photo)", "credit"),
        ("Sam Pike | Getty Images", "credit"),
    ],
)
def test_page_furniture_is_recognised_for_what_it_is(line: str, kind: str | None) -> None:
    assert unreadable_title(line) == kind
    assert headline(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Council votes to close two libraries", None),
        ("Talks resume", None),
        ("Storm Leaves Thousands Without Power in Three Counties.", None),
        ("Is the Old Bridge Still Safe Enough?", None),
        (
            "Ferry strike ends after six weeks | Example Gazette",
            "Ferry strike ends after six weeks",
        ),
        ("Analysis: Why the ferry strike lasted so long", "Why the ferry strike lasted so long"),
        ("Share prices fall as ferry strike drags on", None),
        ("Mayor  shares\u00a0photos of flooded streets", "Mayor shares photos of flooded streets"),
    ],
)
def test_headlines_are_kept(line: str, expected: str | None) -> None:
    assert unreadable_title(line) is None
    assert headline(line) == (expected or line)


@pytest.mark.parametrize(
    "line",
    [
        "The mayor said the streets would reopen on Monday after the water receded.",
        'She added that the repairs were "long overdue and badly planned."',
        "Jane Roe",  # a name
        "Example Daily",  # an outlet
        "a report published on Friday. Officials",  # a fragment of a cut sentence
        "/ Source: Example Wire",
        "+1 212 555 0100",
        "window._q = window._q || [];",
        "By Jane Roe and Tom Baker",
        "Posted: 7:37 PM, March 2, 2020",
    ],
)
def test_lines_that_are_no_headline(line: str) -> None:
    assert headline(line) is None


def test_the_headline_under_page_furniture_is_the_title() -> None:
    text = (
        "A   A\n"
        "Share on Facebook Share on X\n"
        "Sponsored content\n"
        "7 min ago\n"
        "Ferry strike ends after six weeks of talks\n"
        "By Jane Roe\n"
        "The ferry strike ended on Tuesday when both sides signed a new contract in the port.\n"
    )
    assert first_heading(text) == "Ferry strike ends after six weeks of talks"
    assert clean_plain_text(text).metadata.title == "Ferry strike ends after six weeks of talks"


def test_no_title_from_below_the_first_paragraph_nor_from_a_caption() -> None:
    below_body = (
        "March 2, 2020\n"
        "The ferry strike ended on Tuesday when both sides signed a new contract in the port.\n"
        "Watch the signing ceremony at the port\n"
    )
    assert first_heading(below_body) is None
    caption = "Tom Baker/Example Wire\nDock workers wave as the first ferry leaves\n"
    assert first_heading(caption) is None


@pytest.mark.parametrize(
    ("uri", "title"),
    [
        (
            "https://www.example.com/2020/03/02/ferry-strike-ends-after-six-weeks.html",
            "Ferry strike ends after six weeks",
        ),
        ("https://news.example.org/world/ferry-strike-ends-idUSKBN20Q1AB", "Ferry strike ends"),
        ("https://example.com/story/ferry-strike-ends/2093847/", "Ferry strike ends"),
        ("example.com/2093847", "example.com #2093847"),
        ("example.com/news/2093847", "example.com/news #2093847"),
        ("/data/inbox/4711.txt", "data/inbox #4711"),
        ("/data/inbox/0a1b2c3d4e5f6a7b.txt", "0a1b2c3d4e5f6a7b.txt"),
        ("export.jsonl#L12", "export.jsonl"),
    ],
)
def test_title_from_uri_is_readable_and_never_a_bare_number(uri: str, title: str) -> None:
    assert title_from_uri(uri) == title
    assert not title_from_uri(uri).strip().isdigit()


def test_the_pipeline_titles_a_document_without_a_headline_by_its_uri() -> None:
    from flows.ingest import RawDocument
    from flows.stages import clean

    body = "The ferry strike ended on Tuesday when both sides signed a new contract.\n"
    raw = RawDocument("example.com/2093847", "text", body)
    assert clean(raw).metadata.title == "example.com #2093847"
    titled = RawDocument("example.com/2093847", "text", body, fields={"title": "Strike ends"})
    assert clean(titled).metadata.title == "Strike ends"


def test_real_news_titles_are_headlines_or_uris() -> None:
    """Every title of the real-news dev set is readable: no label, timestamp, share row,
    credit or bare number, and either a headline or made from the uri."""
    if not REALNEWS.exists():
        pytest.skip(f"the real-news dev set is not at {REALNEWS}")
    import benchmark_scripts

    titled = benchmark_scripts.load("titles").stored_titles((REALNEWS,))
    assert len(titled) > 50
    problems = {item.uri: (item.title, item.problem) for item in titled if item.problem}
    assert problems == {}
    for item in titled:
        assert item.title == title_from_uri(item.uri) or headline(item.title) == item.title
    # Most of the set opens with a headline: the uri stands in for a minority only.
    from_uri = sum(item.title == title_from_uri(item.uri) for item in titled)
    assert from_uri < len(titled) / 2


def test_seed_without_a_headline_keeps_its_file_name() -> None:
    metadata = clean_plain_text(seed("001")).metadata
    assert metadata.title is None  # the body opens straight away: no line to take


def test_html_title_skips_furniture_for_the_first_readable_candidate() -> None:
    page = """<html><head><meta property="og:title" content="Share on Facebook Share on X">
    <title>4711</title></head><body><h1>Skip to content</h1><h1>Ferry strike ends after six
    weeks</h1><p>The strike ended on Tuesday.</p></body></html>"""
    assert html_metadata(parse_html(page)).title == "Ferry strike ends after six weeks"
