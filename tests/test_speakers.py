"""Speaker names: cleaning a captured name, one person per document and per document set, and
an incremental run resolving as a full rebuild does."""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from dedup.quotes import find_quotes
from dedup.records import Quote
from dedup.speakers import (
    descriptor_free,
    resolve_speakers,
    same_person_forms,
    speaker_documents_to_reread,
)
from flows.stages import resolved_quotes


@pytest.mark.parametrize(
    ("captured", "name"),
    [
        ("Spotify CEO Daniel Ek", "Daniel Ek"),
        ("Executive Daniel Ek", "Daniel Ek"),
        ("Russia Jon Huntsman", "Jon Huntsman"),
        ("State Mike Pompeo", "Mike Pompeo"),
        ("Homeland Security Kirstjen Nielsen", "Kirstjen Nielsen"),
        ("Texas Attorney General Ken Paxton", "Ken Paxton"),
        ("Commerce Secretary Wilbur L. Ross", "Wilbur L. Ross"),
        ("Trump Russia", "Trump"),
        # names that start or end with a place or a role word stay whole
        ("Jordan Peterson", "Jordan Peterson"),
        ("Georgia Clark", "Georgia Clark"),
        ("Stephen King", "Stephen King"),
        ("Martin Luther King Jr.", "Martin Luther King Jr."),
        ("Karen Hobert Flynn", "Karen Hobert Flynn"),
        ("Viktor Poznikhir", "Viktor Poznikhir"),
    ],
)
def test_descriptors_around_a_name_are_stripped(captured: str, name: str) -> None:
    assert descriptor_free(captured) == name


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            '"We rolled this out wrong and could do better," Spotify CEO Daniel Ek said.',
            "Daniel Ek",
        ),
        ('"We rolled this out wrong and could do better," said Executive Daniel Ek.', "Daniel Ek"),
        (
            '"The talks will go on as planned," U.S. Ambassador to Russia Jon Huntsman said.',
            "Jon Huntsman",
        ),
        ('"The talks will go on as planned," Secretary of State Mike Pompeo said.', "Mike Pompeo"),
        ('"The talks will go on as planned," House Speaker Nancy Pelosi said.', "Nancy Pelosi"),
        ('"The talks will go on as planned," President Trump told reporters.', "Trump"),
        ('"The talks will go on as planned," the Justice Department said.', None),
    ],
)
def test_speakers_are_names_without_titles_roles_and_places(text: str, speaker: str) -> None:
    (quote,) = find_quotes("d", text)
    assert quote.speaker == speaker


def test_a_surname_resolves_to_the_one_person_its_document_names() -> None:
    text = (
        "Dr. Thomas Hofeller, a Republican strategist, died last year.\n"
        '"Without the question the data is unworkable," Hofeller wrote.\n'
        '"It was a terrible mistake to leave it out," Mr. Trump said.\n'
        "President Donald Trump spoke later."
    )
    assert [q.speaker for q in find_quotes("d", text)] == ["Thomas Hofeller", "Donald Trump"]


def test_a_surname_two_people_of_a_document_bear_stays_a_surname() -> None:
    text = (
        "Stephanie Hofeller found the files of her father, Thomas Hofeller.\n"
        '"Without the question the data is unworkable," Hofeller wrote.'
    )
    assert [q.speaker for q in find_quotes("d", text)] == ["Hofeller"]


def test_capitalised_words_that_are_no_given_names_are_not_taken_for_one() -> None:
    text = (
        "The vote was yesterday. Yesterday Smith spoke, and so did Da. Smith voted no.\n"
        '"We will not vote for this bill at all," Smith said.'
    )
    assert [q.speaker for q in find_quotes("d", text)] == ["Smith"]


def test_the_set_resolves_a_surname_only_when_one_person_bears_it() -> None:
    def quote(doc: str, speaker: str) -> Quote:
        return Quote(doc, 0, 5, "words", speaker)

    quotes = [
        quote("a", "Thomas Hofeller"),
        quote("b", "Hofeller"),
        quote("c", "Donald Trump"),
        quote("d", "Melania Trump"),
        quote("e", "Trump"),
        quote("f", "Wilbur Ross"),
        quote("g", "Wilbur L. Ross"),
        quote("h", "Ross"),
        quote("i", "George W. Bush"),
        quote("j", "George H. W. Bush"),
        quote("k", "George Bush"),
    ]
    assert [q.speaker for q in resolve_speakers(quotes)] == [
        "Thomas Hofeller",
        "Thomas Hofeller",
        "Donald Trump",
        "Melania Trump",
        "Trump",
        "Wilbur L. Ross",
        "Wilbur L. Ross",
        "Wilbur L. Ross",
        "George W. Bush",
        "George H. W. Bush",
        "George Bush",
    ]
    resolved = resolve_speakers(quotes)
    assert resolve_speakers(resolved) == resolved  # its answers are final


def test_a_suffix_is_part_of_who_a_name_is() -> None:
    forms = same_person_forms(["Trump", "Donald Trump", "Donald Trump Jr.", "Trump Jr."])
    assert forms == {
        "Trump": "Trump",
        "Donald Trump": "Donald Trump",
        "Donald Trump Jr.": "Donald Trump Jr.",
        "Trump Jr.": "Donald Trump Jr.",
    }


def _best_of_three(call: Callable[[], object]) -> float:
    """The shortest of three timings, without the garbage collector's pauses."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
    finally:
        gc.enable()
    return best


def _grows_linearly(seconds: Callable[[int], float], size: int) -> bool:
    """Doubling the input at most triples the time (tried twice: the CPU is shared)."""
    return any(seconds(2 * size) <= 3 * seconds(size) + 0.003 for _ in range(2))


def test_many_forms_of_one_surname_resolve_in_linear_time() -> None:
    def seconds(count: int) -> float:
        names = [f"Given{i} Smith" for i in range(count)] + ["Smith"]
        names += [f"Given{i} Q. Smith" for i in range(0, count, 2)]
        return _best_of_three(lambda: same_person_forms(names))

    assert _grows_linearly(seconds, 4000)


def test_many_lone_surnames_in_one_text_take_linear_time() -> None:
    """Each lone surname looks for the full names ending with it: in an index of the text's
    capitalised words, not by a scan of the text per surname."""

    def surname(number: int) -> str:
        return "Sur" + "".join("abcdefghij"[int(digit)] for digit in str(number))

    def text(count: int) -> str:
        return "".join(
            f'Anna {surname(i)} came. "We will work on it together," {surname(i)} said.\n'
            for i in range(count)
        )

    quotes = find_quotes("d", text(3))
    assert [quote.speaker for quote in quotes] == [f"Anna {surname(i)}" for i in range(3)]
    assert _grows_linearly(lambda count: _best_of_three(lambda: find_quotes("d", text(count))), 400)


# -- an incremental run resolves as a full rebuild ------------------------------------------

SPEAKERS = [
    "Thomas Hofeller",
    "Stephanie Hofeller",
    "Hofeller",
    "Wilbur Ross",
    "Wilbur L. Ross",
    "Ross",
    "Donald Trump",
    "Donald Trump Jr.",
    "Trump",
    "Trump Jr.",
    "Spotify",
    None,
]


def _documents(generator: random.Random, count: int) -> dict[str, list[Quote]]:
    """Documents' quotes as found in their text: a few speakers each, surnames often alone."""
    return {
        f"doc{number:02d}": [
            Quote(f"doc{number:02d}", 10 * i, 10 * i + 5, f"quote {number} {i}", speaker)
            for i, speaker in enumerate(generator.choices(SPEAKERS, k=generator.randint(1, 3)))
        ]
        for number in range(count)
    }


def test_a_run_on_stored_speakers_resolves_as_a_full_rebuild() -> None:
    """Runs that add documents and change some (their quotes found again, others' kept as
    stored, resolved), each storing what it resolved, give the speakers resolving every
    document's quotes as found gives; documents are read again only when a surname's people
    change."""
    generator = random.Random(17)
    versions = [_documents(generator, 30) for _ in range(3)]  # a document's texts over time
    current: dict[str, int] = {}  # document -> its version now
    stored: list[Quote] = []
    reread_runs = 0
    for _ in range(25):
        changed = set(generator.sample(sorted(versions[0]), generator.randint(1, 4)))
        current.update({doc: generator.randrange(3) for doc in changed})
        as_found = {doc: versions[version][doc] for doc, version in current.items()}
        read_again: list[set[str]] = []

        def quotes_of(uris: set[str], as_found=as_found, read_again=read_again) -> list[Quote]:
            read_again.append(set(uris))
            return [quote for uri in sorted(uris) for quote in as_found[uri]]

        found = [quote for doc in sorted(changed) for quote in as_found[doc]]
        result = resolved_quotes(stored, changed, found, quotes_of)
        rebuild = resolve_speakers([q for doc in sorted(as_found) for q in as_found[doc]])
        assert result.quotes == sorted(rebuild, key=lambda q: (q.doc_key, q.start_char))
        assert all(not (uris & changed) for uris in read_again)
        reread_runs += bool(read_again)
        # the store replaces the quotes of ``result.documents`` with theirs
        stored = [q for q in stored if q.doc_key not in result.documents]
        stored += [q for q in result.quotes if q.doc_key in result.documents]
        assert sorted(stored, key=lambda q: (q.doc_key, q.start_char)) == result.quotes
    assert 0 < reread_runs < 25


def test_a_second_person_of_a_surname_sends_its_stored_documents_to_be_read_again() -> None:
    """ "Hofeller" stored as "Thomas Hofeller" (the only one) must become "Hofeller" again when
    "Stephanie Hofeller" is quoted: only reading the text again tells which stored quotes
    said "Hofeller"."""
    raw = {
        "a": [Quote("a", 0, 5, "one", "Thomas Hofeller")],
        "b": [Quote("b", 0, 5, "two", "Hofeller")],
    }
    stored = resolve_speakers([*raw["a"], *raw["b"]])
    assert [q.speaker for q in stored] == ["Thomas Hofeller", "Thomas Hofeller"]
    new = [Quote("c", 0, 5, "three", "Stephanie Hofeller")]
    assert speaker_documents_to_reread(stored, [], new) == {"a", "b"}
    # unchanged people: nothing to read again, the stored answers stand
    same = [Quote("c", 0, 5, "three", "Thomas Hofeller")]
    assert speaker_documents_to_reread(stored, [], same) == set()
    result = resolved_quotes(
        stored, {"c"}, new, lambda uris: [q for uri in sorted(uris) for q in raw[uri]]
    )
    assert [q.speaker for q in result.quotes] == [
        "Thomas Hofeller",
        "Hofeller",
        "Stephanie Hofeller",
    ]
    assert result.documents == {"a", "b", "c"}


def test_a_lone_surname_stored_is_resolved_when_its_person_is_first_quoted() -> None:
    stored = [Quote("b", 0, 5, "two", "Hofeller")]
    new = [Quote("c", 0, 5, "three", "Thomas Hofeller")]
    result = resolved_quotes(stored, {"c"}, new, lambda uris: pytest.fail("read again"))
    assert [q.speaker for q in result.quotes] == ["Thomas Hofeller", "Thomas Hofeller"]
    assert result.documents == {"b", "c"}
    assert replace(result.quotes[0], speaker="Hofeller") == stored[0]
