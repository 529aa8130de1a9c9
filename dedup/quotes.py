"""Direct quotations, their speakers, and how the same quotation changed across documents.

>>> text = 'Lt. Gen. Viktor Poznikhir spoke. "We are working on ways to do it," he said.'
>>> [(q.text, q.speaker) for q in find_quotes("doc", text)]
[('We are working on ways to do it,', 'Viktor Poznikhir')]
>>> classify_edit("the U.S. hopes to gain", "the US hopes to gain")
'style'
>>> classify_edit("the US hopes to gain it", "the US hopes to gain")
'truncated'
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz.distance import Levenshtein

from dedup.records import EDIT_KINDS, Quote
from dedup.speakers import descriptor_free, same_person_forms

__all__ = [
    "EDIT_KINDS",
    "classify_edit",
    "find_quotes",
    "fold_words",
    "quotation_spans",
]

_OPENERS = "“„«‟"
_CLOSERS = "”»"
_QUOTE_MARKS = '"“”„«»‟'
_OPENING_CONTEXT = " \t([{—–-/\u00a0"

_SPEECH_VERBS = (
    r"(?:said|says|added|adds|told|tells|explained|explains|noted|notes|stated|states|continued|"
    r"argued|argues|warned|warns|wrote|writes|asked|asks|insisted|insists|stressed|stresses|"
    r"emphasi[sz]ed|declared|remarked|recalled|replied|observed|claimed|claims|acknowledged|"
    r"admitted|announced|cautioned|conceded|concluded|commented|suggested|maintained|contended|"
    r"urged|tweeted|posted|predicted|vowed|complained|countered|responded)"
)
_TITLE_WORD = (
    r"(?:Lt\.|Lieut\.|Lieutenant|Gen\.|General|Maj\.|Major|Col\.|Colonel|Capt\.|Captain|Sgt\.|"
    r"Sergeant|Adm\.|Admiral|Rear|Vice|Marshal|Brig\.|Brigadier|Cmdr\.|Commander|Mr\.|Mrs\.|Ms\.|"
    r"Dr\.|Prof\.|Professor|President|Prime[^\S\n]+Minister|Minister|"
    r"Chancellor|Secretary(?:[^\S\n]+of[^\S\n]+State)?|Sen\.|Senator|Rep\.|Representative|Gov\.|Governor|"
    r"Mayor|Judge|Justice|Ambassador|Spokesman|Spokeswoman|Chairman|Chairwoman|Chief|King|Queen|"
    r"Prince|Pope|Rev\.|Father|Sheikh|Sir|Dame|Lord|Lady|Premier|Director)"
)
# Linear time on any text (Python's ``re`` backtracks): a quantifier is possessive (``*+``,
# ``++``) wherever what follows it cannot start with a character it takes, so giving
# characters back could never lead to a match and the matches are those of the greedy form.
_SPACE = r"[^\S\n]++"  # spacing inside a name: never a line break
_TITLES = rf"(?:{_TITLE_WORD}{_SPACE})+"
# A name word takes its whole chain of hyphen or apostrophe joined parts (``Al-Assad``,
# ``O'Brien-Smith``): what follows a name (a space, a comma, the pattern's end) cannot start
# with a letter or a joiner, so a shorter word never matched. Written ``[A-Z]?[^\W\d_]+``
# after the joiner (the same words: the capital is a letter), the engine tried both readings
# of each capital, 2^n ways to fail on a chain of n capitalised parts (``Argentina-Bahamas-``).
# At most _JOINED_PARTS parts: every capital of a chain is a place to start a name, and each
# start ran over the rest of the chain (the square of its length on a keyword or country
# list); no name has more parts.
_JOINED_PARTS = 6
_NAME_PARTS = rf"[^\W\d_]*+(?:['’-][^\W\d_]++){{0,{_JOINED_PARTS - 1}}}+"
_NAME_WORD = rf"[A-Z]{_NAME_PARTS}"
# A name's first word, look-behind after its capital (``[A-Z](?<![\w.].)`` is
# ``(?<![\w.])[A-Z]``): a pattern starting with a character class lets the regex engine skip
# to the capitals instead of trying every position of the text.
_NAME_START = rf"[A-Z](?<![\w.].)(?:{_NAME_PARTS}|\.)"
_PARTICLES = ("de", "van", "von", "al", "bin", "da", "del", "la", "le", "der")
_NAME = rf"{_NAME_START}(?:{_SPACE}(?:(?:{'|'.join(_PARTICLES)}){_SPACE})?(?:{_NAME_WORD}|[A-Z]\.)){{0,3}}"
_PRONOUN = r"(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)"
# Capitalised words that start sentences or name things, not people.
_NOT_NAMES = {
    "The", "This", "That", "These", "Those", "It", "He", "She", "They", "We", "I", "But", "And",
    "A", "An", "In", "On", "At", "As", "If", "When", "While", "Then", "So", "Also", "However",
    "After", "Before", "His", "Her", "Their", "Our", "Its", "There", "Here", "What", "Why", "How",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}  # fmt: skip

_SPEAKER_AFTER_INVERTED = re.compile(
    rf"^[\s,.?!—–-]*+{_SPEECH_VERBS}\s++(?:{_TITLES})?(?P<name>{_NAME})"
)
# "...," Commerzbank analyst Carsten Fritsch said: up to three descriptive words before the name
_SPEAKER_AFTER = re.compile(
    rf"^[\s,.?!—–-]*(?:[\w.’'&-]+{_SPACE}){{0,3}}?(?:{_TITLES})?(?P<name>{_NAME}|{_PRONOUN})\s++(?:(?:also|later|then|further|again|has|had)\s++)?{_SPEECH_VERBS}\b"
)
_SPEAKER_BEFORE = re.compile(
    rf"(?:{_TITLES})?(?P<name>{_NAME}|{_PRONOUN})\s++(?:(?:also|later|then|further|again|has|had)\s++)?{_SPEECH_VERBS}\b[^“”\"\n.]{{0,80}}?[:,]\s*+$"
)
_TITLED_MENTION = re.compile(rf"(?<![\w.]){_TITLES}(?P<name>{_NAME})")
_SUBJECT_MENTION = re.compile(
    rf"(?P<name>{_NAME})\s++(?:(?:also|later|then|has|had)\s++)?{_SPEECH_VERBS}\b"
)
_INVERTED_MENTION = re.compile(rf"\b{_SPEECH_VERBS}\s++(?:{_TITLES})?(?P<name>{_NAME})")
_APPOSITION_MENTION = re.compile(rf"(?P<name>{_NAME}),{_SPACE}(?:a|an|the|who)\b")
# The titled mention as (assertion, the rest): the rest starts with the titles' words, which
# the regex engine skips to, while a pattern starting with a look-behind is tried at every
# position; ``_assured_matches`` checks the assertion at each match (same matches, 10k corpus
# texts: 1.16 -> 0.25 s; the inverted mention's speech verbs start too often to gain).
_TITLED_PARTS = (
    re.compile(r"(?<![\w.])"),
    re.compile(rf"{_TITLE_WORD}{_SPACE}(?:{_TITLE_WORD}{_SPACE})*(?P<name>{_NAME})"),
)


def _assured_matches(
    parts: tuple[re.Pattern[str], re.Pattern[str]], text: str
) -> Iterator[re.Match[str]]:
    """``re.compile(assertion + rest).finditer(text)``'s matches, as matches of the rest: the
    leftmost match of the rest where the assertion holds (a look-behind or ``\b`` sees the
    text before ``pos``), then on from its end. The rest never matches empty text."""
    assertion, rest = parts
    position = 0
    while found := rest.search(text, position):
        if assertion.match(text, found.start()):
            yield found
            position = found.end()
        else:
            position = found.start() + 1


_LEADING_TITLE = re.compile(rf"^{_TITLES}")
# Words that make a capitalised phrase an institution or a place, not a person.
_INSTITUTION_WORDS = {
    "Department", "Ministry", "Committee", "Council", "Agency", "Times", "News", "Press",
    "University", "Party", "Union", "Office", "House", "Army", "Force", "Forces", "Staff",
    "Government", "Commission", "Assembly", "Academy", "Institute", "Center", "Centre", "Bank",
    "Company", "Group", "Post", "Journal", "Korea", "States", "Kingdom", "Nations", "Sea",
}  # fmt: skip


def _clean_name(name: str) -> str | None:
    """Strip titles, roles, places and sentence words from a captured name
    (``dedup.speakers.descriptor_free``); None if nothing person-like is left.

    >>> _clean_name("Spotify CEO Daniel Ek"), _clean_name("The Justice Department")
    ('Daniel Ek', None)
    """
    name = _LEADING_TITLE.sub("", name.strip()).strip()
    words = _without_sentence_words(name.split())
    words = _without_sentence_words(descriptor_free(" ".join(words)).split())
    if not words or any(word in _INSTITUTION_WORDS for word in words):
        return None
    if any(word[:1].islower() and word not in _PARTICLES for word in words):
        return None
    if words[-1].endswith(("'s", "’s")) or not any(len(word) >= 2 for word in words):
        return None
    return " ".join(words)


def _without_sentence_words(words: list[str]) -> list[str]:
    while words and words[0] in _NOT_NAMES:
        words = words[1:]
    return words


def _is_pronoun(name: str) -> bool:
    return re.fullmatch(_PRONOUN, name) is not None


_QUOTE_MARK = re.compile(f"[{re.escape(_QUOTE_MARKS)}]")


def _mark_roles(text: str, start: int, end: int) -> list[tuple[int, str, str]]:
    """(position, mark, role) for each double quotation mark in ``text[start:end]``."""
    marks: list[tuple[int, str, str]] = []
    for found in _QUOTE_MARK.finditer(text, start, end):  # not a Python loop over every char
        position, mark = found.start(), found.group()
        if mark in _OPENERS:
            role = "open"
        elif mark in _CLOSERS:
            role = "close"
        else:
            before = text[position - 1] if position > start else " "
            after = text[position + 1] if position + 1 < end else " "
            opens = before in _OPENING_CONTEXT and not after.isspace()
            closes = not before.isspace() and (after.isspace() or not after.isalnum())
            role = "open" if opens and not closes else "close" if closes and not opens else "either"
        marks.append((position, mark, role))
    return marks


def _paragraph_quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inner (start, end) of each quotation in one paragraph, marks excluded.

    A quotation left open at the paragraph end runs to it (the multi-paragraph convention);
    a stray closing mark is ignored.
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    opener = ""
    for position, mark, role in _mark_roles(text, start, end):
        if open_at is None:
            if role in ("open", "either"):
                open_at, opener = position, mark
            continue
        german_close = opener == "„" and mark == "“"
        if role in ("close", "either") or german_close:
            spans.append((open_at + 1, position))
            open_at = None
        else:
            open_at, opener = position, mark  # the earlier opener was unbalanced: drop it
    if open_at is not None:
        spans.append((open_at + 1, end))
    return spans


_SINGLE_CLOSE = re.compile(r"(?<=\S)’(?![^\W\d_])")
_SINGLE_OPEN = re.compile(r"(?<!\S)‘")


def _single_quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """British-style ‘quotations’ in a paragraph without double marks.

    ‘ opens at a word start; the quotation closes at the next ’ not followed by a letter (so
    ``it’s`` and ``don’t`` are apostrophes). An unclosed opener is not a quotation.
    """
    spans: list[tuple[int, int]] = []
    position = start
    while True:
        opener = text.find("‘", position, end)
        if opener == -1:
            return spans
        if opener > start and not (
            text[opener - 1].isspace() or text[opener - 1] in _OPENING_CONTEXT
        ):
            position = opener + 1
            continue
        next_opener = _SINGLE_OPEN.search(text, opener + 1, end)
        limit = next_opener.start() if next_opener else end  # never run into the next quotation
        closers = list(_SINGLE_CLOSE.finditer(text, opener + 1, limit))
        if not closers:
            return spans
        # "the players’ games" is a possessive: prefer a ’ that ends a clause ("…with it,’")
        closer = next(
            (
                candidate
                for candidate in closers
                if text[candidate.start() - 1] in ",.?!;:—–-"
                or candidate.end() == end
                or text[candidate.end()] in ",.?!;:)"
            ),
            closers[0],
        )
        spans.append((opener + 1, closer.start()))
        position = closer.end()


@dataclass(frozen=True)
class QuotationSpan:
    """Where a quotation sits (marks excluded), without its speaker."""

    start_char: int
    end_char: int


def quotation_spans(text: str, start: int, end: int) -> list[QuotationSpan]:
    """Quotations of any length in one paragraph ``text[start:end]``; cheap (no speakers).

    >>> [(q.start_char, q.end_char) for q in quotation_spans('He said "yes" twice.', 0, 20)]
    [(9, 12)]
    """
    return [QuotationSpan(*_trimmed(text, *span)) for span in _quote_spans(text, start, end)]


def _quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if _QUOTE_MARK.search(text, start, end):
        return _paragraph_quote_spans(text, start, end)
    return _single_quote_spans(text, start, end)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraphs(text: str, ranges: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    """Lines of ``text`` (restricted to ``ranges``) as (start, end) pairs."""
    bounds = ranges if ranges is not None else [(0, len(text))]
    paragraphs: list[tuple[int, int]] = []
    for range_start, range_end in bounds:
        position = range_start
        while position < range_end:
            line_end = text.find("\n", position, range_end)
            line_end = range_end if line_end == -1 else line_end
            if text[position:line_end].strip():
                paragraphs.append((position, line_end))
            position = line_end + 1
    return paragraphs


# A word of a name before a surname in running text: a capitalised word or an initial, or
# a title (``Dr.``, which cleaning strips), each ending at most in one dot.
_TEXT_NAME_WORD = re.compile(r"[A-Z][^\W\d_]*+(?:['’-][^\W\d_]++)*+\.?")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]++(?![\w'’-])")
_CAPITALISED_WORD = re.compile(r"[A-Z][^\W\d_]*+(?:['’-][^\W\d_]++)*+")
_NOT_BEFORE_A_WORD = frozenset("'’.-")
_NOT_AFTER_A_WORD = frozenset("'’-")


class _NameMemory:
    """Person names mentioned so far, to resolve ``he said`` and expand ``Poznikhir said``.

    ``mentions`` is kept sorted (position, name); longer names are also filed under their
    first and last word, by length, so that expanding a surname looks at the few lengths of
    the names it ends or starts, not at every mention (a text with thousands of quotations
    and speakers asked every mention for each of them).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._in_text_cache: dict[str, list[tuple[int, str]]] = {}
        self._lower_words: set[str] | None = None
        self._capitalised: dict[str, list[int]] | None = None
        self.mentions: list[tuple[int, str]] = []
        # word -> length of a longer name holding it first or last -> its sorted mentions
        self._by_word: dict[str, dict[int, list[tuple[int, str]]]] = {}
        for matches in (
            _assured_matches(_TITLED_PARTS, text),
            _SUBJECT_MENTION.finditer(text),
            _INVERTED_MENTION.finditer(text),
            _APPOSITION_MENTION.finditer(text),
        ):
            for match in matches:
                name = _clean_name(match.group("name"))
                if name and not _is_pronoun(name):
                    self.mentions.append((match.start("name"), name))
        self.mentions.sort()
        for mention in self.mentions:
            self._file(mention)

    def _file(self, mention: tuple[int, str]) -> None:
        words = mention[1].split()
        if len(words) > 1:
            for word in {words[0], words[-1]}:
                by_length = self._by_word.setdefault(word, {})
                insort(by_length.setdefault(len(mention[1]), []), mention)

    def add(self, position: int, name: str) -> None:
        insort(self.mentions, (position, name))
        self._file((position, name))

    def speaker_name(self, name: str, before: int) -> str:
        """A lone given name or surname (``Zhou``, ``Hofeller``) as the one person the document
        names so. Full names holding it are looked for in turn among the mentions before
        ``before`` (names in a speech or title context, holding it first or last), the
        mentions after it, then the names ending with it in the text (``Dr. Thomas Hofeller``)
        before and after it; the first place with any decides. Several people there
        (``Stephanie Hofeller``, ``Thomas Hofeller``): ``name`` as it is. Forms of one person
        (``Wilbur Ross``, ``Wilbur L. Ross``): the longest."""
        if " " in name:
            return name
        if name not in self._in_text_cache:
            self._in_text_cache[name] = self._in_text(name)
        mentions = [m for by_length in self._by_word.get(name, {}).values() for m in by_length]
        for found in (mentions, self._in_text_cache[name]):
            for candidates in (
                [full for position, full in found if position < before],
                [full for _, full in found],
            ):
                if candidates:
                    return same_person_forms([name, *candidates])[name]
        return name

    def _in_text(self, surname: str) -> list[tuple[int, str]]:
        """Full names ending with ``surname`` anywhere in the text: the capitalised words right
        before it on its line (at most three), cleaned as a speaker is; a word the text also
        writes in lower case (``Yesterday``/``yesterday``) is no given name."""
        if not surname[:1].isupper() or surname.isupper():
            return []  # not a surname: ``ACLU``
        found: list[tuple[int, str]] = []
        for start in self._capitalised_words().get(surname, []):
            line = self.text[max(0, start - 80) : start].rsplit("\n", 1)[-1]
            if not line.endswith(" "):
                continue
            words: list[str] = []
            for token in reversed(line.split()):
                if len(words) == 3 or not _TEXT_NAME_WORD.fullmatch(token):
                    break
                if token.rstrip(".") in self._lower_words_of_text():
                    break
                if token.endswith(".") and len(token) > 2 and not _LEADING_TITLE.match(token + " "):
                    break  # a sentence's last word (``agreed with Da. Lü``), not an initial
                words.insert(0, token)
            name = _clean_name(" ".join([*words, surname])) if words else None
            if name and " " in name and name.split()[-1] == surname:
                found.append((start - len(" ".join(words)) - 1, name))
        return found

    def _capitalised_words(self) -> dict[str, list[int]]:
        """Where each whole capitalised word of the text starts (one scan, for any surname)."""
        if self._capitalised is None:
            text, self._capitalised = self.text, {}
            for match in _CAPITALISED_WORD.finditer(text):
                start, end = match.span()
                before = text[start - 1] if start else " "
                after = text[end] if end < len(text) else " "
                if before.isalnum() or before in _NOT_BEFORE_A_WORD or before == "_":
                    continue
                if after.isalnum() or after in _NOT_AFTER_A_WORD or after == "_":
                    continue
                self._capitalised.setdefault(match.group(), []).append(start)
        return self._capitalised

    def _lower_words_of_text(self) -> set[str]:
        if self._lower_words is None:
            self._lower_words = {word.capitalize() for word in _LOWER_WORD.findall(self.text)}
        return self._lower_words

    def full_name(self, name: str, before: int) -> str:
        """The longest earlier name whose first or last word is ``name`` (a lone surname);
        of names as long, the last in ``mentions``."""
        if " " in name:
            return name
        for length in sorted(self._by_word.get(name, {}), reverse=True):
            if length < len(name):
                break
            mentions = self._by_word[name][length]
            earlier = bisect_left(mentions, (before,))
            if earlier:
                return mentions[earlier - 1][1]
        return name

    def last_person(self, before: int) -> str | None:
        """The most recent person mentioned before ``before``, by full name.

        A lone capitalised word that never appeared as part of a longer name (``Russia said``)
        is more likely a place or an institution than the person ``he`` refers to.
        """
        for index in range(bisect_left(self.mentions, (before,)) - 1, -1, -1):
            position, name = self.mentions[index]
            full = self.full_name(name, position + 1)
            if " " in full:
                return full
        return None


def _speaker(
    text: str, para_start: int, open_mark: int, close_mark: int | None, para_end: int
) -> tuple[str | None, int]:
    """(raw speaker, position of the speaker) from the attribution after or before the quote."""
    if close_mark is not None:
        after = text[close_mark + 1 : min(para_end, close_mark + 160)]
        for pattern in (_SPEAKER_AFTER_INVERTED, _SPEAKER_AFTER):
            match = pattern.match(after)
            if match:
                return match.group("name"), close_mark + 1 + match.start("name")
    before = text[max(para_start, open_mark - 160) : open_mark]
    match = _SPEAKER_BEFORE.search(before)
    if match:
        return match.group("name"), open_mark - len(before) + match.start("name")
    return None, open_mark


def find_quotes(
    doc_key: str, text: str, ranges: list[tuple[int, int]] | None = None, min_words: int = 4
) -> list[Quote]:
    """Direct quotations of ``text`` (inside ``ranges`` if given), with their speakers.

    Offsets exclude the quotation marks. Quotations of fewer than ``min_words`` words are scare
    quotes (``the term "defense"``) and are skipped. A quotation interrupted by its attribution
    (``"A," he said. "B."``) gives two quotations with the same speaker.

    >>> text = 'Zhou Shangping, an officer, spoke. "It will damage our interests," Zhou said. "Withdraw it now, please."'
    >>> [(q.text, q.speaker) for q in find_quotes("d", text)]
    [('It will damage our interests,', 'Zhou Shangping'), ('Withdraw it now, please.', 'Zhou Shangping')]
    """
    memory = _NameMemory(text)
    quotes: list[Quote] = []
    for para_start, para_end in _paragraphs(text, ranges):
        previous_speaker: str | None = None
        previous_end = para_start
        for inner_start, inner_end in _quote_spans(text, para_start, para_end):
            open_mark = inner_start - 1
            close_mark = inner_end if inner_end < para_end else None
            start_char, end_char = _trimmed(text, inner_start, inner_end)
            quoted = text[start_char:end_char]
            if (
                sum(1 for word in quoted.split() if any(char.isalnum() for char in word))
                < min_words
            ):
                continue
            raw, position = _speaker(text, para_start, open_mark, close_mark, para_end)
            speaker = _resolve(raw, position, memory)
            if speaker is None and previous_speaker and open_mark - previous_end <= 120:
                speaker = previous_speaker  # "A," Zhou said. "B." continues the same speaker
            if speaker and raw and not _is_pronoun(raw):
                memory.add(position, speaker)
            quotes.append(Quote(doc_key, start_char, end_char, quoted, speaker))
            previous_speaker = speaker
            previous_end = inner_end
    return quotes


def _resolve(raw: str | None, position: int, memory: _NameMemory) -> str | None:
    if raw is None:
        return None
    if _is_pronoun(raw):
        return memory.last_person(position) if raw.lower() in ("he", "she") else None
    name = _clean_name(raw)
    return memory.speaker_name(name, position) if name else None


# --- comparing wordings -----------------------------------------------------------------------

_FOLD_TABLE = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‟": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " ",
    }
)  # fmt: skip
_ELLIPSIS = "\u2026"
_WORD_OR_ELLIPSIS = re.compile(r"\.\.\.|\u2026|[^\W_]+(?:'[^\W_]+)*")


def fold_words(text: str, keep_ellipses: bool = False) -> list[str]:
    """Words of ``text`` with the differences of house style folded away.

    >>> fold_words("The U.S. won’t — ever")
    ['the', 'us', "won't", 'ever']
    >>> fold_words("the Court´s case")
    ['the', "court's", 'case']
    """
    # marks folded before NFKC too: it turns the acute accent used as an apostrophe
    # (``Court´s``) into a space and a combining accent, splitting the word
    folded = unicodedata.normalize("NFKC", text.translate(_FOLD_TABLE)).translate(_FOLD_TABLE)
    if _DOTTED_PAIR.search(folded):  # the acronym pattern starts with \b: tried everywhere
        folded = _DOTTED.sub(lambda match: match.group().replace(".", ""), folded)
    if folded.isascii():
        # one lower() for the text, not one per word: the same words in ASCII (elsewhere a
        # lower-cased letter may not stay a letter: "İ" becomes "i" and a combining dot)
        tokens = _WORD_OR_ELLIPSIS.findall(folded.lower())
        if keep_ellipses:
            return [_ELLIPSIS if token == "..." else token for token in tokens]
        return [token for token in tokens if token != "..."]
    words = [
        _ELLIPSIS if token in ("...", _ELLIPSIS) else token.lower()
        for token in _WORD_OR_ELLIPSIS.findall(folded)
    ]
    return words if keep_ellipses else [word for word in words if word != _ELLIPSIS]


_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # U.S., U.N.
_DOTTED_PAIR = re.compile(r"[A-Za-z]\.[A-Za-z]\.")  # what _DOTTED needs


_US_SPELLING = (
    (re.compile(r"(?<=\w{3})our(s?)$"), r"or\1"),
    (re.compile(r"(?<=\w{2})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{2})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3})tre(s?)$"), r"ter\1"),
    (re.compile(r"^(def|off|lic|pret)ence(s?)$"), r"\1ense\2"),
    (re.compile(r"(?<=\w{3})ll(ed|ing|er)$"), r"l\1"),
    (re.compile(r"(?<=\w{3})ogue$"), "og"),
)


def _american(word: str) -> str:
    for pattern, replacement in _US_SPELLING:
        word = pattern.sub(replacement, word)
    return word


def _same_in_house_style(word_a: str, word_b: str) -> bool:
    """``defence``/``defense``, ``organise``/``organize``: spelling conventions, not edits."""
    return word_a == word_b or _american(word_a) == _american(word_b)


def _is_typo(word_a: str, word_b: str) -> bool:
    """A small character-level edit of one word (``Viktor``/``Viktro``), not another word."""
    if min(len(word_a), len(word_b)) < 3:
        return False
    return Levenshtein.normalized_similarity(word_a, word_b) >= 0.6 or (
        sorted(word_a) == sorted(word_b)
    )


def classify_edit(reference: str, variant: str) -> str:
    """How ``variant`` differs from ``reference``: one of EDIT_KINDS.

    >>> classify_edit("“It is over,” he", '"It is over," he')
    'style'
    >>> classify_edit("General Viktor spoke", "General Viktro spoke")
    'spelling'
    >>> classify_edit("we will win this war", "we shall win this war")
    'wording'
    >>> classify_edit("we will win", "we will win this war")
    'extended'
    """
    if reference == variant:
        return "identical"
    reference_words = fold_words(reference, keep_ellipses=True)
    variant_words = fold_words(variant, keep_ellipses=True)
    plain_reference = [word for word in reference_words if word != _ELLIPSIS]
    plain_variant = [word for word in variant_words if word != _ELLIPSIS]
    if "".join(plain_reference) == "".join(plain_variant):
        return "style"  # marks, case, spacing, hyphenation, U.S./US
    if len(plain_reference) == len(plain_variant) and all(
        map(_same_in_house_style, plain_reference, plain_variant)
    ):
        return "style"
    kinds = _edit_kinds(reference_words, variant_words)
    if "wording" in kinds or {"truncated", "extended"} <= kinds:
        return "wording"
    for kind in ("truncated", "extended", "spelling"):
        if kind in kinds:
            return kind
    return "style"


def _edit_kinds(reference_words: list[str], variant_words: list[str]) -> set[str]:
    """The kinds of the word-level edits turning ``reference_words`` into ``variant_words``."""
    reference = [word for word in reference_words if word != _ELLIPSIS]
    variant_ellipses: set[int] = set()
    variant: list[str] = []
    for word in variant_words:
        if word == _ELLIPSIS:
            variant_ellipses.add(len(variant))  # an elision mark before variant[len(variant)]
        else:
            variant.append(word)
    kinds: set[str] = set()
    opcodes = SequenceMatcher(None, reference, variant, autojunk=False).get_opcodes()
    for tag, ref_start, ref_end, var_start, var_end in opcodes:
        if tag == "equal":
            continue
        at_start = ref_start == 0 and var_start == 0
        at_end = ref_end == len(reference) and var_end == len(variant)
        if tag == "delete":
            elided = var_start in variant_ellipses
            kinds.add("truncated" if at_start or at_end or elided else "wording")
        elif tag == "insert":
            kinds.add("extended" if at_start or at_end else "wording")
        else:
            kinds.add(
                _replacement_kind(
                    reference[ref_start:ref_end], variant[var_start:var_end], at_start, at_end
                )
            )
    return kinds


def _replacement_kind(old: list[str], new: list[str], at_start: bool, at_end: bool) -> str:
    if "".join(old) == "".join(new):
        return "style"
    if len(old) == len(new):
        if all(map(_same_in_house_style, old, new)):
            return "style"
        if all(_same_in_house_style(a, b) or _is_typo(a, b) for a, b in zip(old, new, strict=True)):
            return "spelling"
    if at_end and len(new) < len(old) and "".join(old).startswith("".join(new)):
        return "truncated"  # cut in the middle of a word
    if at_start and len(new) < len(old) and "".join(old).endswith("".join(new)):
        return "truncated"
    return "wording"
