"""Direct quotations, speakers, and the classification of a quotation's variants."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz

from dedup.quote_groups import _same_quotations, group_quotes
from dedup.quotes import classify_edit, find_quotes
from dedup.records import EDIT_KINDS, Quote

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def seed(prefix: str) -> tuple[str, str]:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.stem, path.read_text(encoding="utf-8")


def quote_starting(quotes: list[Quote], opening: str) -> Quote:
    (quote,) = [q for q in quotes if q.text.startswith(opening)]
    return quote


def test_offsets_exclude_the_marks_and_point_at_the_words() -> None:
    text = 'Intro.\n“We are ready to talk about it,” she said. And "this is another one" too.'
    quotes = find_quotes("d", text)
    assert [text[q.start_char : q.end_char] for q in quotes] == [q.text for q in quotes]
    assert [q.text for q in quotes] == ["We are ready to talk about it,", "this is another one"]


def test_interrupted_quote_is_two_quotations_of_one_speaker() -> None:
    text = (
        "Lt. Gen. Viktor Poznikhir spoke at the forum.\n"
        "“If one of the gladiators takes up a shield, he wins,” he told AP. "
        "“What would another gladiator do? Pick up a shield.”"
    )
    quotes = find_quotes("d", text)
    assert len(quotes) == 2
    assert {q.speaker for q in quotes} == {"Viktor Poznikhir"}


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            '"It shifts the balance of offensive weapons," said Lt. General Viktor Poznikhir.',
            "Viktor Poznikhir",
        ),
        ('"It shifts the balance of offensive weapons," Poznikhir said.', "Poznikhir"),
        ('"It shifts the balance of offensive weapons," Cai Jun added.', "Cai Jun"),
        ('Zhou said: "It shifts the balance of offensive weapons."', "Zhou"),
        ('"It shifts the balance of offensive weapons," the officer said.', None),
        (
            '"It shifts the balance of offensive weapons," Commerzbank analyst Carsten Fritsch said.',
            "Carsten Fritsch",
        ),
    ],
)
def test_speaker_patterns(text: str, speaker: str | None) -> None:
    (quote,) = find_quotes("d", text)
    assert quote.speaker == speaker


def test_pronoun_resolves_to_last_named_person_by_full_name() -> None:
    text = (
        "Russian Lieutenant General Viktor Poznikhir spoke in Beijing, as did Russia.\n"
        '"We are working together on ways to minimize damage," he said.\n'
        '"The illusion of invulnerability will encourage Washington," Poznikhir added.'
    )
    assert [q.speaker for q in find_quotes("d", text)] == ["Viktor Poznikhir", "Viktor Poznikhir"]


def test_scare_quotes_apostrophes_and_unbalanced_marks() -> None:
    text = (
        'The Pentagon used the term "defense" as a ruse, it’s said, and “rogue states,” too.\n'
        "“Under the pretext of countering ’missile threats,' the system is being developed,” he said.\n"
        "“This quotation is never closed by the writer at all\n"
        'Stray closing mark here” and then "a real quotation of five words" ends.'
    )
    quotes = [q.text for q in find_quotes("d", text)]
    assert quotes == [
        "Under the pretext of countering ’missile threats,' the system is being developed,",
        "This quotation is never closed by the writer at all",
        "a real quotation of five words",
    ]


def test_british_single_quotes_are_quotations_apostrophes_are_not() -> None:
    text = (
        "Sir Keir Starmer, the Labour leader, spoke.\n"
        "‘It’s time we stopped the players’ games and got on with it,’ he said.\n"
        "Nobody’s sure it’ll work, and the ‘rogue states’ agree: ‘this is a long quotation here.’"
    )
    quote, last = find_quotes("d", text)
    assert quote.text == "It’s time we stopped the players’ games and got on with it,"
    assert quote.speaker == "Keir Starmer"
    assert last.text == "this is a long quotation here."


def test_ranges_keep_quotes_out_of_boilerplate() -> None:
    text = '"This is the body quotation here," he said.\n"This is a reader comment quotation here."'
    body = (0, text.index("\n"))
    assert [q.text for q in find_quotes("d", text, [body])] == ["This is the body quotation here,"]


def test_seed_speakers_of_the_shared_quotes() -> None:
    for prefix in ("000", "001"):
        key, text = seed(prefix)
        quotes = find_quotes(key, text)
        for opening in ("Russian military experts believe", "If one of the gladiators"):
            assert "Poznikhir" in (quote_starting(quotes, opening).speaker or "")
    for prefix in ("001", "002"):
        key, text = seed(prefix)
        quotes = find_quotes(key, text)
        for opening in ("We are working together", "The illusion of invulnerability"):
            assert quote_starting(quotes, opening).speaker == "Viktor Poznikhir"
    key, text = seed("000")
    assert quote_starting(find_quotes(key, text), "The US did not provide").speaker == "Cai Jun"


@pytest.mark.parametrize(
    ("reference", "variant", "kind"),
    [
        ("the US hopes to gain", "the US hopes to gain", "identical"),
        ("the U.S. hopes to gain, he said", "the US hopes to gain, he said", "style"),
        ("“it’s a pre-emptive strike — now”", '"It\'s a preemptive strike - now"', "style"),
        ("the defence of our organisation", "the defense of our organization", "style"),
        ("said General Viktor Poznikhir today", "said General Viktro Poznikhir today", "spelling"),
        ("this is what is happening now", "this is what happening now", "wording"),
        ("we will win this war quickly", "we shall win this war quickly", "wording"),
        ("we will win this war quickly", "we will win this war", "truncated"),
        ("we will win this war quickly and soon", "we will win … quickly and soon", "truncated"),
        ("we will win this war", "we will win this war quickly", "extended"),
        ("we will win this war", "surely we will win this war", "extended"),
    ],
)
def test_classify_edit(reference: str, variant: str, kind: str) -> None:
    assert kind in EDIT_KINDS
    assert classify_edit(reference, variant) == kind


def test_seed_ap_quotes_differ_in_style_only() -> None:
    (key_dw, dw), (key_other, other) = seed("000"), seed("001")
    quotes = find_quotes(key_dw, dw) + find_quotes(key_other, other)
    groups = group_quotes(quotes, {key_dw: 0, key_other: 1})
    by_opening = {group.quotes[0].text[:25]: group for group in groups}
    experts = by_opening["Russian military experts "]
    assert [q.doc_key for q in experts.quotes] == [key_dw, key_other]
    assert experts.edit_kinds == ["identical", "style"]  # US vs U.S.
    gladiators = by_opening["What would another gladia"]
    assert gladiators.edit_kinds == ["identical", "style"]


def test_group_quotes_truncated_joins_longer_form_and_reference_is_earliest() -> None:
    full = "The illusion of invulnerability and impunity will encourage Washington to act alone"
    quotes = [
        Quote("late", 0, 10, full + " in dealing with global issues."),
        Quote("early", 0, 10, full),
        Quote("edited", 0, 10, full.replace("encourage", "push")),
        Quote("other", 0, 10, "A completely different quotation about the weather today."),
        Quote("alone", 0, 10, "A quotation that appears in a single document only."),
    ]
    (group,) = group_quotes(quotes, {"early": 0, "late": 1, "edited": 2, "other": 3})
    assert [q.doc_key for q in group.quotes] == ["early", "late", "edited"]
    assert group.variant_of == [None, 0, 0]
    assert group.edit_kinds == ["identical", "extended", "wording"]


def test_fragments_of_one_quotation_are_not_variants_of_each_other() -> None:
    """Two fragments of one long quotation both match the long form but not each other: the
    earliest joins the long form's group, the other is no `wording` variant of it."""
    long_form = "I hadn't thought of that, but certainly I'll be asking about it next week."
    quotes = [
        Quote("first", 0, 10, "I hadn't thought of that,"),
        Quote("second", 0, 10, long_form),
        Quote("third", 0, 10, "certainly I'll be asking about it."),
        Quote("fourth", 0, 10, "certainly I’ll be asking about it."),
    ]
    groups = group_quotes(quotes, {"first": 0, "second": 1, "third": 2, "fourth": 3})
    assert [[q.doc_key for q in group.quotes] for group in groups] == [
        ["first", "second"],
        ["third", "fourth"],
    ]
    assert [group.edit_kinds for group in groups] == [
        ["identical", "extended"],
        ["identical", "style"],
    ]


def test_a_reference_alone_in_its_document_leaves_its_matches_free() -> None:
    """A wording whose matches are all in its own document forms no group, and does not keep
    them from a later reference."""
    long_form = "Our answer is firm: we will defend our citizens and our allies at any cost."
    quotes = [
        Quote("a", 0, 10, long_form),
        Quote("a", 50, 90, "we will defend our citizens and our allies"),
        Quote("b", 0, 10, "we will defend our citizens and our allies, whatever it takes"),
    ]
    assert fuzz.partial_ratio(quotes[2].text.lower(), long_form.lower()) < 92  # no match
    (group,) = group_quotes(quotes, {"a": 0, "b": 1})
    assert [(q.doc_key, q.start_char) for q in group.quotes] == [("a", 50), ("b", 0)]
    assert group.edit_kinds == ["identical", "extended"]


def test_group_needs_two_documents() -> None:
    quote = "We are working together on ways to minimize damage"
    quotes = [Quote("a", 0, 5, quote), Quote("a", 100, 105, quote)]
    assert group_quotes(quotes, {"a": 0}) == []


def test_titled_mentions_found_by_their_words_equal_the_look_behind_pattern() -> None:
    """The titled-mention scan that checks its look-behind per match finds what the pattern
    with the look-behind finds: titles after a word or a dot are not mentions, runs of titles,
    a line break inside a title, names at the very start and end."""
    from itertools import product

    from dedup import quotes

    pieces = ["Mr. ", "Dr.", "President ", "Prime Minister ", "Prime\nMinister ", "Lt. Gen. ",
              "Smith", "O'Neil", "J. ", "x", ".", " ", "\n", "Ana"]  # fmt: skip
    texts = ["".join(combination) for combination in product(pieces, repeat=3)]
    texts += [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]

    def spans(matches) -> list:
        return [(m.span(), m.group("name")) for m in matches]

    found = 0
    for text in texts:
        expected = spans(quotes._TITLED_MENTION.finditer(text))
        assert spans(quotes._assured_matches(quotes._TITLED_PARTS, text)) == expected, text
        found += len(expected)
    assert found > 100


def _naive_same_quotation(text_a: str, text_b: str) -> bool:
    """The definition ``_same_quotations`` computes in bulk, pair by pair, without a filter."""
    if fuzz.ratio(text_a, text_b) >= 85:
        return True
    shorter, longer = sorted((text_a, text_b), key=len)
    return len(shorter.split()) >= 4 and fuzz.partial_ratio(shorter, longer) >= 92


def test_bulk_quotation_match_with_its_q_gram_filter_equals_the_pairwise_definition() -> None:
    """The q-gram filter only skips pairs that cannot match: over random wordings with
    random character edits (near the thresholds), parts of each other, equal lengths and
    characters outside the BMP, every answer equals the plain pairwise one."""
    generator = random.Random(11)
    vocabulary = [
        "the",
        "shield",
        "is",
        "a",
        "threat",
        "to",
        "us",
        "we",
        "will",
        "act",
        "alone",
        "été",
        "naïve",
        "𝔘nicode",
        "北京",
        "data",
    ]
    alphabet = "abcdefghijklmnopqrstuvwxyz éü𝔘北"

    def edited(text: str, edits: int) -> str:
        characters = list(text)
        for _ in range(edits):
            position = generator.randrange(len(characters) + 1)
            if characters and generator.random() < 0.5:
                del characters[min(position, len(characters) - 1)]
            else:
                characters.insert(position, generator.choice(alphabet))
        return "".join(characters)

    texts: list[str] = []
    for _ in range(150):
        base = " ".join(generator.choices(vocabulary, k=generator.randint(1, 30)))
        texts.append(base)
        for _ in range(3):
            variant = edited(base, generator.randint(0, max(1, len(base) // 6)))
            if generator.random() < 0.4:  # a part of it, or it inside more words
                cut = generator.randint(0, len(variant))
                variant = variant[cut:] if generator.random() < 0.5 else variant + " and more"
            texts.append(variant)
    # the filter's worst case: deletions and insertions spread apart (each breaks q-grams of
    # its own), as many as a passing partial_ratio allows, inside a longer text
    letters = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for length in range(60, 400, 7):
        shorter = " ".join("".join(generator.choices(letters, k=6)) for _ in range(length // 7))
        for edits in (int(0.07 * len(shorter)), int(0.08 * len(shorter))):
            characters = list(shorter)
            for position in range(len(characters) - 12 * edits, len(characters), 12)[::-1]:
                characters.insert(position + 6, generator.choice(letters))
                del characters[position]
            texts += [shorter, "some words before " + "".join(characters) + " and after"]
    first = np.array([generator.randrange(len(texts)) for _ in range(6000)])
    second = np.array([generator.randrange(len(texts)) for _ in range(6000)])
    near = np.arange(len(texts) - 1)  # each wording with the next: many near-threshold pairs
    first, second = np.concatenate([first, near]), np.concatenate([second, near + 1])
    expected = [
        _naive_same_quotation(texts[a], texts[b]) for a, b in zip(first, second, strict=True)
    ]
    pairs_first, pairs_second = [texts[a] for a in first], [texts[b] for b in second]
    assert list(_same_quotations(pairs_first, pairs_second)) == expected
    assert 0 < sum(expected) < len(expected)  # both answers occur


def _quote_corpus(generator: random.Random, documents: int) -> list[Quote]:
    """Quotes of ``documents`` documents: variants (edits, cuts, extensions) of a few
    quotations, and filler sharing common phrases with them, in equal-length wordings too."""
    words = [
        "we",
        "will",
        "act",
        "alone",
        "against",
        "the",
        "threat",
        "of",
        "the",
        "missile",
        "shield",
        "in",
        "europe",
        "now",
    ]
    bases = [" ".join(generator.choices(words, k=generator.randint(3, 12))) for _ in range(12)]
    quotes: list[Quote] = []
    for number in range(documents):
        for position in range(generator.randint(0, 4)):
            text = generator.choice(bases).split()
            kind = generator.random()
            if kind < 0.3:  # a word changed
                text[generator.randrange(len(text))] = generator.choice(words)
            elif kind < 0.5:  # cut
                text = text[: max(1, len(text) - generator.randint(1, 3))]
            elif kind < 0.7:  # extended
                text = [*text, *generator.choices(words, k=2)]
            quotes.append(Quote(f"doc{number:03d}", 100 * position, 100 * position + 50,
                                " ".join(text).capitalize() + "."))  # fmt: skip
    return sorted(quotes, key=lambda quote: (quote.doc_key, quote.start_char))


@pytest.mark.parametrize("common", [3, 200])
def test_grouping_with_what_an_earlier_one_learnt_equals_grouping_afresh(
    common: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs that add and remove documents, each handing what it learnt to the next, give the
    groups (and learn what) grouping from nothing gives, while scoring fewer pairs; with
    ``common`` 3 most shingles are phrases, whose longest wording can change or go."""
    from dedup import quote_groups
    from dedup.quote_groups import grouped_quotes

    monkeypatch.setattr(quote_groups, "_COMMON_SHINGLE", common)
    generator = random.Random(5)
    corpus = _quote_corpus(generator, 160)
    documents = sorted({quote.doc_key for quote in corpus})
    rank = {doc: generator.randrange(50) for doc in documents}
    present: set[str] = set(documents[:40])
    learnt = None
    scored_fewer = 0
    for _ in range(8):
        added = generator.sample([d for d in documents if d not in present], 8)
        removed = generator.sample(sorted(present), generator.choice([0, 0, 3]))
        present = (present | set(added)) - set(removed)
        quotes = [quote for quote in corpus if quote.doc_key in present]
        afresh = grouped_quotes(quotes, rank)
        again = grouped_quotes(quotes, rank, learnt)
        assert again.groups == afresh.groups
        assert again.learnt == afresh.learnt
        assert again.scored_pairs + again.known_pairs == afresh.scored_pairs
        scored_fewer += again.scored_pairs < afresh.scored_pairs
        learnt = again.learnt
    assert afresh.groups and scored_fewer >= 6


def test_grouping_uses_what_was_learnt_under_the_same_settings_only() -> None:
    """What is learnt is used: a pair the earlier grouping is said to have matched joins
    groups without being scored (the test above would catch a grouping that ignored it),
    unless it was learnt under other settings."""
    from dedup.quote_groups import MATCH_SIGNATURE, grouped_quotes
    from dedup.records import WordingMatches

    quotes = [
        Quote("a", 0, 9, "We will act alone now"),
        Quote("b", 0, 9, "We will act together later"),
    ]
    assert grouped_quotes(quotes, {}).groups == []
    wordings = {"we will act alone now", "we will act together later"}
    pair = ("we will act alone now", "we will act together later")
    (group,) = grouped_quotes(quotes, {}, WordingMatches(wordings, {pair}, MATCH_SIGNATURE)).groups
    assert [quote.doc_key for quote in group.quotes] == ["a", "b"]
    # answers learnt under other settings are not used
    assert grouped_quotes(quotes, {}, WordingMatches(wordings, {pair}, "v0")).groups == []
