"""Boilerplate cleaning: seeds, offsets invariants, HTML labelling, bad input, outlet templates."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.clean import clean_html, clean_plain_text, template_boilerplate
from dedup.records import BOILERPLATE_KINDS, CleanedDocument

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
AEB = Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb"
SENTENCE_END = re.compile(r"[a-z0-9\"”’)][.!?][\"”’)]?(?=\s|$)")


def seed(prefix: str) -> str:
    if not SEEDS.exists():
        pytest.skip("seeds not available")
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def kind_at(document: CleanedDocument, needle: str) -> set[str]:
    """Kinds of the spans covering the whole of ``needle`` (empty set: it is body)."""
    start = document.text.index(needle)
    end = start + len(needle)
    return {
        span.kind
        for span in document.boilerplate
        if span.start_char <= start and end <= span.end_char
    }


def assert_invariants(document: CleanedDocument) -> None:
    text = document.text
    previous_end = 0
    for span in sorted(document.boilerplate):
        assert 0 <= span.start_char < span.end_char <= len(text)
        assert span.kind in BOILERPLATE_KINDS
        assert span.start_char >= previous_end, "spans must not overlap"
        previous_end = span.end_char
    rebuilt = "".join(text[start:end] for start, end in document.content_ranges())
    assert document.clean_text == rebuilt
    removed = sum(span.length for span in document.boilerplate)
    assert len(document.clean_text) == len(text) - removed


def multi_sentence_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if len(SENTENCE_END.findall(line)) >= 2]


# --- seeds -----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_invariants_and_every_body_sentence_kept(prefix: str) -> None:
    text = seed(prefix)
    document = clean_plain_text(text)
    assert_invariants(document)
    # The body is everything above a comment section (002 has one; the others none).
    marker = re.search(r"(?im)^\s*show comments\s*$", text)
    body = text[: marker.start()] if marker else text
    lines = multi_sentence_lines(body)
    assert lines, "the seed should have multi-sentence lines"
    for line in lines:
        assert line in document.clean_text, line


def test_american_interest_nav_comments_footer() -> None:
    document = clean_plain_text(seed("002"))
    first_line = document.text.splitlines()[0]
    assert kind_at(document, first_line) == {"navigation"}
    assert kind_at(document, "Features Icon")
    assert kind_at(document, "show comments") == {"comments"}
    # Commenters and their posts belong to the comment section.
    for line in document.text[document.text.index("show comments") :].splitlines():
        if line.strip() and not line.startswith("©"):
            assert kind_at(document, line.strip()) == {"comments"}, line
    copyright_line = next(line for line in document.text.splitlines() if line.startswith("©"))
    assert kind_at(document, copyright_line) == {"footer"}
    assert "show comments" not in document.clean_text
    assert "©" not in document.clean_text


def test_dw_captions_and_signoff_credit() -> None:
    document = clean_plain_text(seed("000"))
    credit_line = next(line for line in document.text.splitlines() if "picture-alliance" in line)
    assert kind_at(document, credit_line) == {"caption"}
    lines = [line for line in document.text.splitlines() if line.strip()]
    caption_text = lines[lines.index(credit_line) + 1]
    assert kind_at(document, caption_text) == {"caption"}
    signoff = lines[-1]
    assert kind_at(document, signoff) == {"byline"}
    assert document.metadata.wire_credits == ["Associated Press", "AFP"]
    # Section headings are kept (a choice: they are short, but part of the article).
    assert "Upending the balance of power" in document.clean_text


def test_disqus_push_prompt_and_last_updated() -> None:
    global_times = clean_plain_text(seed("003"))
    disqus = next(line for line in global_times.text.splitlines() if "Disqus" in line)
    assert kind_at(global_times, disqus) == {"comments"}
    byline = next(line for line in global_times.text.splitlines() if line.startswith("By "))
    assert kind_at(global_times, byline) == {"byline"}
    moscow_times = clean_plain_text(seed("004"))
    lines = [line for line in moscow_times.text.splitlines() if line.strip()]
    assert kind_at(moscow_times, lines[0]) == {"promo"}
    updated = next(line for line in lines if "Last Updated" in line)
    assert kind_at(moscow_times, updated) == {"dateline"}


def test_article_without_boilerplate_is_untouched() -> None:
    document = clean_plain_text(seed("001"))
    assert document.boilerplate == []
    assert document.clean_text == document.text


# --- plain text rules on new text ----------------------------------------------------------

ARTICLE = (
    "Talks resume in Geneva\n\n"
    "The foreign minister said on Tuesday that talks would resume in Geneva next week. "
    "Officials from both delegations confirmed the date.\n\n"
    "Negotiators have met four times this year without agreement. Diplomats said a deal on "
    "prisoner exchanges was close, but that security guarantees remained the main obstacle.\n"
)


def test_comment_count_under_title_does_not_swallow_article() -> None:
    text = "Talks resume in Geneva\n12 Comments\n\n" + ARTICLE.split("\n\n", 1)[1]
    document = clean_plain_text(text)
    assert kind_at(document, "12 Comments") == {"comments"}
    for line in multi_sentence_lines(text):
        assert line in document.clean_text


def test_comment_section_after_article_is_removed() -> None:
    text = (
        ARTICLE
        + "\nLeave a Reply\n\nmarta_k\nThis is the best summary I have read. Thanks for it.\n"
        + "Copyright 2024 Example Media. All rights reserved.\n"
    )
    document = clean_plain_text(text)
    assert kind_at(document, "Leave a Reply") == {"comments"}
    assert kind_at(document, "This is the best summary I have read. Thanks for it.") == {"comments"}
    assert kind_at(document, "Copyright 2024 Example Media. All rights reserved.") == {"footer"}
    assert document.metadata.outlet == "Example Media"


def test_menu_rows_photo_credits_and_contributions() -> None:
    text = (
        "Home | World | Business | Sport | Culture\n"
        + ARTICLE
        + "\nA protester in Geneva (Getty Images/J. Doe)\n"
        + "(Reporting by Anna Berg; Editing by Tom Lee)\n"
        + "dpa/Reuters\n"
    )
    document = clean_plain_text(text)
    assert kind_at(document, "Home | World | Business | Sport | Culture") == {"navigation"}
    assert kind_at(document, "A protester in Geneva (Getty Images/J. Doe)") == {"caption"}
    assert kind_at(document, "(Reporting by Anna Berg; Editing by Tom Lee)") == {"byline"}
    assert kind_at(document, "dpa/Reuters") == {"byline"}
    assert document.metadata.wire_credits == ["dpa", "Reuters"]
    assert_invariants(document)


def test_sentences_mentioning_comments_or_newsletters_stay() -> None:
    text = (
        "In comments carried by state media, the general repeated his warning to Washington.\n"
        "The agency said it would launch a newsletter for investors in the spring of next year.\n"
    )
    document = clean_plain_text(text)
    assert document.boilerplate == []


def test_menu_saved_one_item_per_line_above_the_headline() -> None:
    text = "Home\nWorld\nBusiness\nCulture\nSport\n\n" + ARTICLE
    document = clean_plain_text(text)
    assert kind_at(document, "Home\nWorld\nBusiness\nCulture\nSport") == {"navigation"}
    assert document.clean_text.startswith("Talks resume in Geneva")
    assert document.metadata.title == "Talks resume in Geneva"


def test_teasers_below_a_long_link_block_are_not_the_article() -> None:
    links = "\n".join(f"Section {name}" for name in "ABCDEFGHIJKLMN")
    teaser = "Another story entirely: the harbour authority said the new ferry would run daily."
    text = ARTICLE + "\n" + links + "\n\n" + teaser + "\n"
    document = clean_plain_text(text)
    for line in multi_sentence_lines(ARTICLE):
        assert line in document.clean_text
    assert teaser not in document.clean_text
    # A short list inside the article does not cut it.
    short_list = "\n".join(f"Item {name}" for name in "ABCDE")
    paragraphs = ARTICLE.split("\n\n")
    inside = paragraphs[1] + "\n" + short_list + "\n" + paragraphs[2]
    assert clean_plain_text(inside).clean_text == inside


def test_hard_wrapped_paragraphs_are_body() -> None:
    # A page saved as text with a line break every few words: no line is a sentence on its
    # own, but the lines run on (lower case, or after "the", "of", a comma) into sentences.
    wrapped = (
        "The plays of William Shakespeare form the\n"
        "core of the company's work and its subscription series,\n"
        "featuring works\n"
        "by Shakespeare and by new playwrights who\n"
        "write for the\n"
        "stage today. In recognition of his\n"
        "historic contribution to the\n"
        "theatre, the city\n"
        "named a square after him in\n"
        "June 2008. The festival\n"
        "runs every summer and draws\n"
        "visitors from across the\n"
        "country to its\n"
        "open-air stage.\n"
    )
    text = ARTICLE + "\n" + wrapped + "\nMore from the festival site follows.\n"
    document = clean_plain_text(text)
    for line in wrapped.splitlines():
        assert kind_at(document, line) == set(), line
    # Menu items one per line stay navigation: they start in capitals and run on into nothing.
    menu = "Home\nWorld\nBusiness\nCulture\nSport\n\n"
    assert kind_at(clean_plain_text(menu + text), menu.strip()) == {"navigation"}


def test_name_runs_are_menus_outside_the_body_and_list_items_inside() -> None:
    paragraphs = ARTICLE.split("\n\n")[1:]
    text = (
        "mead berger shevtsova garfinkle michta\n"
        + paragraphs[0]
        + "\n\nhealthy snack bars\nbottled water\nspare batteries for the radio\n\n"
        + paragraphs[1]
    )
    document = clean_plain_text(text)
    assert kind_at(document, "mead berger shevtsova garfinkle michta") == {"navigation"}
    assert "healthy snack bars\nbottled water" in document.clean_text


def test_annotated_article_bodies_lose_almost_nothing() -> None:
    # AEB's ground truth is article text as people annotated it: cleaning it as plain text
    # should find (almost) no boilerplate in it.
    if not (AEB / "ground-truth.json").exists():
        pytest.skip("AEB data not available")
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    total = removed = 0
    for record in truth.values():
        document = clean_plain_text(record["articleBody"])
        total += len(document.text)
        removed += sum(span.length for span in document.boilerplate)
    assert removed / total < 0.01


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,|©/()\n\r\t\u00a0Zé12:")), max_size=300))
def test_plain_text_invariants_on_arbitrary_text(text: str) -> None:
    assert_invariants(clean_plain_text(text))


# --- HTML ------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Talks resume | Example News</title>
<meta property="og:site_name" content="Example News">
<script>var tracking = "never visible";</script><style>p {color: red}</style></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Talks resume in Geneva</h1>
<p>The foreign minister said on Tuesday that talks would resume in Geneva next week, after a
pause of almost three months. Officials from both delegations confirmed the date.</p>
<figure><img src="a.jpg"><figcaption>Delegates arrive in Geneva. Photo: Jane Doe</figcaption></figure>
<p>Negotiators have met four times this year without agreement. Diplomats said a deal on
prisoner exchanges was close, but that security guarantees remained the main obstacle.</p>
<p>The next round is expected to last three days, and both sides said they would bring
larger teams of technical experts than in previous rounds of the negotiations.</p>
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/x">Ceasefire holds in north</a></li>
<li><a href="/y">Minister visits capital</a></li></ul></aside>
<section id="comments"><h3>3 comments</h3>
<div class="comment"><p>jkl_77</p><p>About time they talked again. I hope the negotiators stay
longer this round, because last time they left after a single day of meetings.</p></div>
<div class="comment"><p>marta</p><p>I do not believe anything will change, the positions are far
apart and nobody in either capital wants to be seen giving ground before the elections.</p></div>
</section>
<footer>© 2024 Example News. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_html_labels_nav_aside_figcaption_comments_footer() -> None:
    document = clean_html(PAGE, url="https://example.com/news/talks")
    assert_invariants(document)
    assert "never visible" not in document.text and "color: red" not in document.text
    assert kind_at(document, "Home World Sport") == {"navigation"}
    assert kind_at(document, "Delegates arrive in Geneva. Photo: Jane Doe") == {"caption"}
    assert kind_at(document, "Ceasefire holds in north") == {"promo"}
    assert kind_at(document, "About time they talked again.") == {"comments"}
    assert kind_at(document, "© 2024 Example News. All rights reserved.") == {"footer"}
    for sentence in (
        "Officials from both delegations confirmed the date.",
        "Negotiators have met four times this year without agreement.",
        "larger teams of technical experts than in previous rounds of the negotiations.",
    ):
        assert sentence in " ".join(document.clean_text.split())
    assert "About time" not in document.clean_text
    assert document.metadata.outlet == "Example News"
    assert document.metadata.title == "Talks resume"


def test_html_comments_without_markup_cues_and_misleading_wrapper_classes() -> None:
    # The body's class says "replies" (as some CMS themes do): a cue for every chunk, which
    # must not turn the article into a comment section; the real comments have no class.
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in multi_sentence_lines(ARTICLE))
    page = (
        '<html><body class="theme has-replies"><div class="wrap"><h1>Talks resume</h1>'
        f"{paragraphs}<p>{ARTICLE.splitlines()[2]}</p>"
        "<h3>Leave a Reply</h3><p>marta_k</p>"
        "<p>This is the best summary I have read, thanks for writing it up so quickly.</p>"
        "</div></body></html>"
    )
    document = clean_html(page)
    assert_invariants(document)
    for line in multi_sentence_lines(ARTICLE):
        assert line in document.clean_text
    assert "best summary" not in document.clean_text
    assert kind_at(document, "Leave a Reply") == {"comments"}
    assert kind_at(document, "This is the best summary I have read") == {"comments"}


def test_article_continued_after_an_ad_slot_is_kept_comments_after_it_are_not() -> None:
    first = "".join(f"<p>{line}</p>" for line in multi_sentence_lines(ARTICLE))
    second = (
        "<p>The delegations will meet in the Palais des Nations, where earlier rounds were held. "
        "Security around the building has been tightened since the last meeting in March.</p>"
        "<p>Both governments have said they expect the talks to last at least three days, and "
        "neither has ruled out a further round before the end of the year.</p>"
    )
    page = (
        f"<html><body><main><article><div class='body-part'>{first}</div></article>"
        "<div class='slot'><p>Advertisement</p></div>"
        f"<div class='body-part'>{second}</div>"
        "<h3>Leave a Reply</h3><p>marta_k</p><p>This is the best summary I have read, thanks "
        "for writing it up so quickly and for linking the documents.</p></main></body></html>"
    )
    document = clean_html(page)
    assert_invariants(document)
    flat = " ".join(document.clean_text.split())
    assert "Security around the building has been tightened" in flat
    assert "neither has ruled out a further round" in flat
    assert "best summary" not in flat
    assert kind_at(document, "Leave a Reply") == {"comments"}


def test_unmarked_related_links_inside_the_article_are_removed() -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in multi_sentence_lines(ARTICLE))
    page = (
        f"<html><body><article><h1>Talks resume</h1>{paragraphs}"
        "<ul><li><a href='/a'>Ceasefire holds in the north after a week of talks</a></li>"
        "<li><a href='/b'>Minister visits the capital for the first time in years</a></li>"
        "<li><a href='/c'>Prisoner exchange planned for the spring, officials say</a></li></ul>"
        f"{paragraphs}</article></body></html>"
    )
    document = clean_html(page)
    assert kind_at(document, "Minister visits the capital for the first time in years") == {"promo"}
    assert "Ceasefire holds" not in document.clean_text
    for line in multi_sentence_lines(ARTICLE):
        assert line in document.clean_text


def test_semantic_containers_are_removed_even_when_they_hold_most_of_the_text() -> None:
    document = clean_html("<html><body><nav>Home News Sport</nav><p>Short.</p></body></html>")
    assert kind_at(document, "Home News Sport") == {"navigation"}
    assert document.clean_text.strip() == "Short."


def test_html_signoff_is_a_wire_credit_and_not_body() -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in multi_sentence_lines(ARTICLE))
    document = clean_html(
        f"<html><body><article>{paragraphs}<p>es/jm (AP, AFP)</p></article></body></html>"
    )
    assert document.metadata.wire_credits == ["Associated Press", "AFP"]
    assert "es/jm" not in document.clean_text


def test_html_text_has_block_newlines_and_no_glued_words() -> None:
    document = clean_html("<div>first block</div><div>second <b>bold</b> block</div><p>third</p>")
    assert document.text.splitlines()[0] == "first block"
    assert "second bold block" in document.text
    assert "blocksecond" not in document.text


@pytest.mark.parametrize(
    "markup",
    [
        b"",
        b"   \n ",
        "",
    ],
)
def test_empty_page_is_a_clear_error(markup: bytes | str) -> None:
    with pytest.raises(ValueError, match="empty"):
        clean_html(markup)


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><p>unclosed <b>tags <div>and <table><tr><td>cells",
        "<<<>>> </p></div></body> stray text without any markup at all",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>xml declaration</p></body></html>",
        "<p>null\x00byte</p>",
        "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>",
        b"\xff\xfe<\x00p\x00>\x00h\x00i\x00<\x00/\x00p\x00>\x00",
        b"<p>broken utf-8 \xe9\xff\xfe here</p>",
    ],
)
def test_malformed_html_does_not_crash(markup: str | bytes) -> None:
    try:
        document = clean_html(markup)
    except ValueError as error:
        assert "\n" not in str(error)
        return
    assert_invariants(document)


def test_declared_legacy_encodings_are_decoded() -> None:
    latin = (
        '<html><head><meta charset="iso-8859-1"></head><body><p>Déjà vu à Genève</p></body></html>'
    )
    assert "Déjà vu à Genève" in clean_html(latin.encode("iso-8859-1")).text
    japanese = (
        '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><p>東京の会議</p>'
    )
    assert "東京の会議" in clean_html(japanese.encode("shift_jis")).text
    cyrillic = "<p>Переговоры возобновятся в Женеве на следующей неделе.</p>"
    assert "Переговоры" in clean_html(cyrillic.encode("utf-8")).text


def aeb_pages(count: int) -> list[tuple[bytes, str]]:
    if not (AEB / "ground-truth.json").exists():
        pytest.skip("AEB data not available")
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:: max(1, len(truth) // count)][:count]
    return [
        (
            gzip.decompress((AEB / "html" / f"{page_id}.html.gz").read_bytes()),
            truth[page_id]["articleBody"],
        )
        for page_id in ids
    ]


def test_real_pages_keep_offsets_and_most_of_the_article() -> None:
    for html, article in aeb_pages(4):
        document = clean_html(html)
        assert_invariants(document)
        words = set(re.findall(r"\w+", article))
        kept = set(re.findall(r"\w+", document.clean_text))
        assert len(words & kept) >= 0.8 * len(words)
        assert len(document.clean_text) < len(document.text)


# --- outlet templates -------------------------------------------------------------------------

BODIES = [
    "The council approved the budget on Monday after a long debate about school funding.",
    "Police closed the bridge for six hours after a lorry lost its load on Tuesday morning.",
    "The museum reopened its east wing, which had been closed for repairs since the floods.",
]
STANDING_LINE = "Example Gazette is an independent newsroom funded by its readers."
SHARED_WIRE = (
    "The central bank raised its main interest rate by a quarter point on Thursday, citing "
    "persistent inflation in services and a labour market that remains tighter than expected."
)


def test_template_lines_of_one_outlet_are_marked() -> None:
    docs = [
        (f"gazette/{index}", "Example Gazette", clean_plain_text(f"{body}\n\n{STANDING_LINE}\n"))
        for index, body in enumerate(BODIES)
    ]
    extra = template_boilerplate(docs)
    assert set(extra) == {"gazette/0", "gazette/1", "gazette/2"}
    for doc_key, _, document in docs:
        (span,) = extra[doc_key]
        assert document.text[span.start_char : span.end_char].strip() == STANDING_LINE
        assert span.kind in BOILERPLATE_KINDS


def test_template_spans_never_overlap_existing_boilerplate() -> None:
    docs = [
        (
            f"gazette/{index}",
            "Example Gazette",
            clean_plain_text(f"{body}\n\n{STANDING_LINE}\nes/jm (AP, AFP)\n"),
        )
        for index, body in enumerate(BODIES)
    ]
    extra = template_boilerplate(docs)
    for doc_key, _, document in docs:
        merged = CleanedDocument(
            document.text, document.boilerplate + extra[doc_key], document.metadata
        )
        assert_invariants(merged)
        assert STANDING_LINE not in merged.clean_text


def test_same_passage_across_outlets_is_reuse_not_template() -> None:
    docs = [
        (f"{outlet}/1", outlet, clean_plain_text(f"{body}\n\n{SHARED_WIRE}\n"))
        for outlet, body in zip(("Gazette", "Herald", "Tribune"), BODIES, strict=True)
    ]
    assert template_boilerplate(docs) == {}


def test_long_paragraph_in_two_documents_of_an_outlet_stays() -> None:
    docs = [
        (f"gazette/{index}", "Example Gazette", clean_plain_text(f"{body}\n\n{SHARED_WIRE * 2}\n"))
        for index, body in enumerate(BODIES[:2])
    ]
    assert template_boilerplate(docs) == {}


def test_same_sentence_in_two_stories_of_one_outlet_is_reuse() -> None:
    docs = [
        (f"gazette/{index}", "Example Gazette", clean_plain_text(f"{body}\n\n{SHARED_WIRE}\n"))
        for index, body in enumerate(BODIES[:2])
    ]
    assert template_boilerplate(docs) == {}


def test_outlet_falls_back_to_url_host() -> None:
    label = "Example Gazette newsroom, Oslo"
    docs = [
        (f"https://www.gazette.example/{index}", None, clean_plain_text(f"{body}\n{label}\n"))
        for index, body in enumerate(BODIES[:2])
    ]
    extra = template_boilerplate(docs)
    assert set(extra) == {"https://www.gazette.example/0", "https://www.gazette.example/1"}
    text = docs[0][2].text
    assert [text[s.start_char : s.end_char].strip() for s in extra[docs[0][0]]] == [label]
