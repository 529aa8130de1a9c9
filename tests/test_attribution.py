"""Wire attribution: the agency table, the crediting cues, and the text each credit governs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup.attribution import AGENCIES, canonical_agency, document_wire_credits, find_attributions
from dedup.records import BoilerplateSpan

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def credits(text: str) -> list[tuple[str, str]]:
    return [(a.source, a.cue) for a in find_attributions(text)]


def scope_of(text: str, source: str) -> str:
    (attribution,) = [a for a in find_attributions(text) if a.source == source]
    return text[attribution.scope_start : attribution.scope_end]


def test_table_has_twenty_agencies_with_distinct_names() -> None:
    agencies = [agency for agency in AGENCIES if agency.kind == "agency"]
    assert len(agencies) >= 20
    assert len({agency.name for agency in AGENCIES}) == len(AGENCIES)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("AP", "Associated Press"),
        ("the Associated Press", "Associated Press"),
        ("A.P.", "Associated Press"),
        ("Agence France-Presse", "AFP"),
        ("agence france presse", "AFP"),
        ("Deutsche Presse-Agentur", "dpa"),
        ("ITAR-TASS", "TASS"),
        ("Xinhua News Agency", "Xinhua"),
        ("Press Trust of India", "PTI"),
        ("The Canadian Press", "Canadian Press"),
        ("AP News", "Associated Press"),
        ("apnews.com", "Associated Press"),
        ("https://www.reuters.com/", "Reuters"),
        ("example.com", None),
        ("ap", None),
        ("us", None),
        ("US", None),
        ("", None),
        ("Pentagon", None),
    ],
)
def test_canonical_agency(name: str, canonical: str | None) -> None:
    assert canonical_agency(name) == canonical


@pytest.mark.parametrize(
    ("sentence", "source", "cue"),
    [
        ('"We will respond to this in kind," he told AP.', "Associated Press", "told"),
        (
            "The minister told The Associated Press that talks would resume.",
            "Associated Press",
            "told",
        ),
        ("The talks collapsed, Bloomberg reported on Monday.", "Bloomberg", "reported"),
        ("The talks collapsed, reported Bloomberg.", "Bloomberg", "reported"),
        ("According to Reuters, the talks collapsed.", "Reuters", "according_to"),
        ("He told the state-run Xinhua news agency that it was over.", "Xinhua", "told"),
        ("Interfax news agency reported the launch.", "Interfax", "reported"),
        ("Earlier Bloomberg reported that the talks collapsed.", "Bloomberg", "reported"),
    ],
)
def test_local_cues(sentence: str, source: str, cue: str) -> None:
    text = f"An unrelated first sentence here.\n{sentence}\nAnother paragraph follows here."
    (attribution,) = find_attributions(text)
    assert (attribution.source, attribution.cue) == (source, cue)
    # a local credit governs its own sentence, not the neighbouring paragraphs
    assert text[attribution.scope_start : attribution.scope_end] == sentence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WASHINGTON (Reuters) - The talks collapsed.\nMore text.", [("Reuters", "dateline")]),
        ("MOSCOW, Oct 11 (AP) — The talks collapsed.", [("Associated Press", "dateline")]),
        ("(AFP) - The talks collapsed.", [("AFP", "dateline")]),
        ("ST. JOSEPH, Mich. (AP) — Health officials said.", [("Associated Press", "dateline")]),
        (
            "The talks collapsed.\n\nes/jm (AP, AFP)\n",
            [("Associated Press", "signoff"), ("AFP", "signoff")],
        ),
        ("The talks collapsed.\n\ndpa/AFP", [("dpa", "signoff"), ("AFP", "signoff")]),
        (
            "The talks collapsed.\n(AP, Reuters)",
            [("Associated Press", "signoff"), ("Reuters", "signoff")],
        ),
        ("The talks collapsed. (PA)", [("PA Media", "signoff")]),
        (
            "The talks collapsed.\nCopyright 2016 The Associated Press. All rights reserved.",
            [("Associated Press", "copyright")],
        ),
        ("By JOHN SMITH, Associated Press\nThe talks collapsed.", [("Associated Press", "byline")]),
        ("The talks collapsed.\nReuters contributed to this report.", [("Reuters", "byline")]),
        ("By The Associated Press\nThe talks collapsed.", [("Associated Press", "byline")]),
        ("By JANE DOE\nAssociated Press\nThe talks collapsed.", [("Associated Press", "byline")]),
        (
            "The talks collapsed.\nAssociated Press writers Jane Doe in Paris and Li Wei in Beijing contributed to this report.",
            [("Associated Press", "byline")],
        ),
        (
            "The talks collapsed.\n(Reporting by Jane Doe in London; Editing by John Smith)",
            [("Reuters", "signoff")],
        ),
        (
            "The talks collapsed.\nTo contact the reporter on this story: Jane Doe in London at jdoe@example.net",
            [("Bloomberg", "signoff")],
        ),
    ],
)
def test_document_wide_cues_scope_the_whole_text(
    text: str, expected: list[tuple[str, str]]
) -> None:
    attributions = find_attributions(text)
    assert [(a.source, a.cue) for a in attributions] == expected
    assert all((a.scope_start, a.scope_end) == (0, len(text)) for a in attributions)


@pytest.mark.parametrize(
    "text",
    [
        "Südkorea Raketen (picture-alliance/AP Photo/Ahn Young-joon)",
        "He moved to Harrisburg, PA in 2010 and told us about it.",
        "They will tell us what the ap score means.",
        "The US and the EU agreed (AP Photo) to talk.",
        "The press association of the town met on Monday.",
        "The talks went on for hours and then stopped (AP) - no deal.",
        "He reported the matter to the police.",
        "Michael Bloomberg said he would spend heavily on the race.",
        "Mayor Bloomberg reported a surplus.",
    ],
)
def test_no_false_credits(text: str) -> None:
    assert find_attributions(text) == []


def test_ranges_limit_where_phrases_are_looked_for() -> None:
    text = "Body says it, he told AP.\nFooter: Copyright 2020 Reuters"
    body_only = find_attributions(text, [(0, text.index("\n"))])
    assert [a.source for a in body_only] == ["Associated Press"]


def test_dw_signoff_gives_wire_credits_in_order() -> None:
    text = seed("000")
    attributions = find_attributions(text)
    assert document_wire_credits(text, attributions, []) == ["Associated Press", "AFP"]
    # the photo credit "(picture-alliance/AP Photo/...)" is not a credit of the text
    assert {a.cue for a in attributions} == {"signoff"}


def test_signoff_in_boilerplate_still_counts() -> None:
    text = seed("000")
    signoff = text.rindex("es/jm")
    boilerplate = [BoilerplateSpan(signoff, len(text), "footer")]
    body = find_attributions(text, [(0, signoff)])
    assert body == []
    assert document_wire_credits(text, body, boilerplate) == ["Associated Press", "AFP"]


def test_local_credits_are_not_wire_credits() -> None:
    text = seed("001")
    attributions = find_attributions(text)
    assert {a.source for a in attributions} == {"Associated Press", "Bloomberg", "Reuters"}
    assert document_wire_credits(text, attributions, []) == []


def test_told_ap_governs_the_quote_it_closes_and_its_continuation() -> None:
    text = seed("001")
    told = next(a for a in find_attributions(text) if a.phrase == "he told AP")
    scope = text[told.scope_start : told.scope_end]
    assert "If one of the gladiators takes up a shield" in scope
    assert "What would another gladiator do?" in scope
    assert "used an analogy of two gladiators" not in scope  # the sentence before is not its


def test_reported_bloomberg_covers_its_quote_only() -> None:
    text = seed("001")
    scope = scope_of(text, "Bloomberg")
    assert scope.startswith("“The illusion of invulnerability")
    assert scope.endswith("reported Bloomberg.")


def test_reported_reuters_in_september_is_not_the_whole_article() -> None:
    text = seed("001")
    scope = scope_of(text, "Reuters")
    assert "John Kerry" in scope and "do whatever is necessary" in scope
    assert len(scope) < len(text) / 5


def test_bloomberg_leadin_covers_the_following_block() -> None:
    text = seed("002")
    (leadin,) = find_attributions(text)
    assert (leadin.source, leadin.cue, leadin.phrase) == ("Bloomberg", "leadin", "Bloomberg:")
    scope = text[leadin.scope_start : leadin.scope_end]
    assert "We are working together on ways to minimize" in scope
    assert "The illusion of invulnerability" in scope
    assert "show comments" not in scope
    assert leadin.scope_start >= leadin.end_char


def test_alias_prefilter_changes_no_result(monkeypatch) -> None:
    """Texts naming no agency skip all alias patterns; results equal the full scan's."""
    import re

    import dedup.attribution as attribution

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    texts += [
        "The mayor spoke.\n(Reporting by Jane Roe; Editing by John Doe)",
        "To contact the reporter on this story: Jane Roe in Oslo at jroe@example.com",
        "Nothing credited here, said the press officer of the agency.",
        "He told reporters so.\nes/jm (AP, AFP)",
        "Meanwhile, apnews and afp-like words (ap) are not credits.",
    ]
    scanned = [attribution._all_attributions(text) for text in texts]
    assert any(found and all(a.cue == "signoff" for a in found) for found in scanned[-5:-3])
    monkeypatch.setattr(attribution, "_ANY_ALIAS", re.compile(""))  # always "found": full scan
    attribution._all_attributions.cache_clear()
    assert [attribution._all_attributions(text) for text in texts] == scanned
    attribution._all_attributions.cache_clear()


def test_agency_prefilter_never_misses_an_alias() -> None:
    """``_may_name_an_agency`` is False only for texts in which the alias pattern finds
    nothing: aliases in any case, split by line breaks or hyphens, dotted, glued to other words
    (no alias then), and characters that case-insensitive matching takes for ASCII letters."""
    from itertools import product

    from dedup import attribution

    pieces = ["Associated", "PRESS", " ", "\n", "-", "AP", "ap", "L.P.", "Bloomberg", "xReuters",
              "ſputnik", "Kyodo", "France", "Presse", "(", "dpa", "news"]  # fmt: skip
    texts = ["".join(combination) for combination in product(pieces, repeat=3)]
    named = [text for text in texts if attribution._ANY_ALIAS.search(text)]
    assert all(attribution._may_name_an_agency(text) for text in named)
    assert len(named) > 500
    assert not attribution._may_name_an_agency("xReuters apnews Presse, APstyle")
