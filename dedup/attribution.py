"""Wire attribution: which agencies a document credits, and for which part of its text.

Two kinds of credit matter for provenance:

* *local* credits govern a passage: ``he told AP``, ``reported Bloomberg``, ``according to
  Reuters``, a ``Bloomberg:`` lead-in to a block quote. Their scope is the sentence they sit in
  plus the quotation they close (or the block they introduce), never the whole article;
* *document-wide* credits govern everything: datelines (``WASHINGTON (Reuters) -``), sign-offs
  (``es/jm (AP, AFP)``, ``dpa/AFP``), copyright lines and agency bylines.

>>> text = '"We will work on it together," he told AP. Other news.'
>>> [(a.source, a.phrase, a.cue) for a in find_attributions(text)]
[('Associated Press', 'he told AP', 'told')]
>>> document_wire_credits("Body text.\\n\\nes/jm (AP, AFP)\\n", find_attributions("Body text.\\n\\nes/jm (AP, AFP)\\n"), [])
['Associated Press', 'AFP']
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from functools import cache, lru_cache
from itertools import islice

from dedup.records import Attribution, BoilerplateSpan
from dedup.sources import Source, all_sources

# Agencies and outlets credited as sources (aggregators are credited by no one), from the
# sources table (dedup/data/sources.toml, extensible through $WIRETRACE_SOURCES).
Agency = Source
AGENCIES: tuple[Source, ...] = tuple(s for s in all_sources() if s.kind in ("agency", "outlet"))

DOCUMENT_WIDE_CUES = ("dateline", "signoff", "copyright", "byline")

# What a credit says, by its cue (``credit_kind``):
# - story: the article is the source's story (dateline, byline, copyright line, sign-off);
# - citation: the passage comes from the source (``according to Reuters``, ``Bloomberg
#   reported``, a ``Bloomberg:`` lead-in);
# - interview: someone spoke to the source (``told the BBC``, ``in an interview with CNN``):
#   the words were first said there, which matters for the quote, not for copying;
# - photo: the caption's picture is the source's (``(AP Photo/Evan Vucci)``, ``AFP/Getty
#   Images``).
CREDIT_KINDS = ("story", "citation", "interview", "photo")
_KIND_OF_CUE = {
    "dateline": "story",
    "signoff": "story",
    "copyright": "story",
    "byline": "story",
    "reported": "citation",
    "according_to": "citation",
    "leadin": "citation",
    "told": "interview",
    "photo": "photo",
}


def credit_kind(cue: str) -> str:
    """The kind of credit (``CREDIT_KINDS``) a cue makes.

    >>> credit_kind("dateline"), credit_kind("told"), credit_kind("according_to")
    ('story', 'interview', 'citation')
    """
    return _KIND_OF_CUE.get(cue, "citation")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "\u00a0": " "})


def _fold_name(name: str) -> str:
    """Case-insensitive key of a long alias: ``the``, dots and spacing do not matter."""
    folded = name.translate(_APOSTROPHES).strip().lower()
    folded = re.sub(r"^the\s+", "", folded)
    folded = re.sub(r"[.,;:()\"']", "", folded)
    return re.sub(r"[\s-]+", " ", folded).strip()


@cache
def _alias_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(folded long alias -> name, exact acronym -> name) built from AGENCIES."""
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for agency in AGENCIES:
        for alias in (agency.name, *agency.aliases):
            if len(alias) <= 4 and alias.upper() == alias:
                exact[alias] = agency.name
            else:
                folded[_fold_name(alias)] = agency.name
        for acronym in (*agency.acronyms, *agency.credit_only):
            exact[acronym] = agency.name
    return folded, exact


def canonical_agency(name: str) -> str | None:
    """The canonical name of an agency or credited outlet, or None.

    Long names are matched whatever their case and punctuation; acronyms only as written
    (``ap`` is a word, ``AP`` the agency).

    >>> canonical_agency("the associated press"), canonical_agency("A.P."), canonical_agency("ap")
    ('Associated Press', 'Associated Press', None)
    >>> canonical_agency("Agence France-Presse"), canonical_agency("us")
    ('AFP', None)
    """
    if not name or not name.strip():
        return None
    folded, exact = _alias_tables()
    stripped = name.strip().strip(".,;:()")
    if stripped in exact:
        return exact[stripped]
    dotless = stripped.replace(".", "")
    if "." in stripped and dotless in exact and dotless.isupper():
        return exact[dotless]
    domain = re.fullmatch(
        r"(?:https?://)?(?:www\.|[a-z]{2}\.)?([a-z0-9-]+)\.[a-z.]{2,10}/?", stripped.lower()
    )
    if domain:  # an outlet given as its site: "apnews.com", "www.reuters.com"
        return _DOMAIN_LABELS.get(domain.group(1)) or folded.get(domain.group(1))
    key = _fold_name(stripped)
    key = re.sub(r"\s+(news agency|news service|wire service|agency)$", "", key)
    return folded.get(key) or folded.get(_fold_name(stripped))


# Site labels ("apnews" of apnews.com, "bbc" of bbc.co.uk) of the sources' domains.
_DOMAIN_LABELS = {
    domain.split("/", 1)[0].split(".", 1)[0]: source.name
    for source in AGENCIES
    for domain in source.domains
}


# --- patterns -------------------------------------------------------------------------------


def _alias_regex(include_credit_only: bool) -> str:
    """Alternation of every alias, longest first; long aliases case-insensitive."""
    long_aliases: set[str] = set()
    acronyms: set[str] = set()
    for agency in AGENCIES:
        for alias in (agency.name, *agency.aliases):
            if len(alias) <= 4 and alias.upper() == alias:
                acronyms.add(alias)
            else:
                long_aliases.add(alias)
        acronyms.update(agency.acronyms)
        if include_credit_only:
            acronyms.update(agency.credit_only)
    parts = [
        "(?i:" + re.escape(alias).replace(r"\ ", r"\s+").replace(r"\-", "[-\\s]") + ")"
        for alias in sorted(long_aliases, key=len, reverse=True)
    ]
    parts += [re.escape(acronym) for acronym in sorted(acronyms, key=len, reverse=True)]
    return r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])"


AGENCY = _alias_regex(include_credit_only=False)
AGENCY_IN_CREDIT = _alias_regex(include_credit_only=True)
# Words that may stand between a verb and the agency: "told the state-run Xinhua news agency".
_DESCRIPTOR = r"(?:(?:the|a|state|state-run|state-owned|official|semi-official|news|wire|agency|service|private|independent|[A-Z][a-z]+n)\s+){0,4}"
_AGENCY_TAIL = r"(?:\s+(?:news\s+agency|news\s+service|wire\s+service|agency|news|newswire))?"
# The subject's word: at most _SUBJECT_CHARS characters. Each capital of a run of word
# characters, dots and hyphens is a place to start it, and each start ran over the rest of
# the run (the square of its length on a run of capitals or a keyword chain).
_SUBJECT_CHARS = 60
_SUBJECT = rf"(?:(?:\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I|[Ii]t|officials?|[Aa]\s++spokes(?:man|woman|person))|[A-Z][\w'’.-]{{1,{_SUBJECT_CHARS}}}+)\s++)?"
_LIST_SEP = r"\s*(?:,|/|;|&|\band\b|\+)\s*"
_DASH = r"[-–—]{1,2}"

_TOLD = re.compile(
    _SUBJECT
    + r"\b(?:told|tells|telling|speaking\s+(?:to|with)|said\s+in\s+an\s+interview\s+with|in\s+an\s+interview\s+with|interviewed\s+by)\s+"
    + _DESCRIPTOR
    + f"(?P<agency>{AGENCY})"
    + _AGENCY_TAIL
)
_REPORTED_BEFORE = re.compile(
    r"\b(?:(?:as\s+)?(?:first\s+)?reported\s+by|quoted\s+by|cited\s+by|reported|reports|reporting|wrote|writes)\s+"
    + _DESCRIPTOR
    + f"(?P<agency>{AGENCY})"
    + _AGENCY_TAIL
)
_REPORTED_AFTER = re.compile(
    f"(?:\\b[Tt]he\\s+)?(?P<agency>{AGENCY})"
    + _AGENCY_TAIL
    + r"\s+(?:(?:has|had|first|also|earlier|previously|later)\s+)?(?:reported|reports|said|says|wrote|writes|quoted|cited|learned|has\s+learned)\b"
)
_ACCORDING_TO = re.compile(
    r"\b[Aa]ccording\s+to\s+(?:a\s+report\s+(?:by|from|in)\s+)?"
    + _DESCRIPTOR
    + f"(?P<agency>{AGENCY})"
    + _AGENCY_TAIL
)
# "Bloomberg:" (or "Reuters reports:") closing a paragraph introduces the following block.
_LEADIN = re.compile(
    f"(?:\\b[Tt]he\\s+)?(?P<agency>{AGENCY})"
    + _AGENCY_TAIL
    + r"(?:\s+(?:reports|reported|writes|wrote|notes|has\s+more|has\s+the\s+story))?\s*+:[ \t\u00a0]*+(?=\r?\n|$)"
)
_PAREN_LIST = f"(?:{AGENCY_IN_CREDIT})(?:{_LIST_SEP}(?:{AGENCY_IN_CREDIT}))*"
# "WASHINGTON (Reuters) -", "MOSCOW, Oct 11 (AP) —", "(AFP) -" at the start of a paragraph.
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[^\n()]{0,60}?)\((?P<agency>" + _PAREN_LIST + r")\)\s*" + _DASH
)
# A line that is only a credit: "es/jm (AP, AFP)", "(AP, Reuters)", "dpa/AFP", "-- AP".
_SIGNOFF_LINE = re.compile(
    r"(?m)^[ \t]*+(?:[a-z]{1,4}(?:\s*+/\s*+[a-z]{1,4})+\s*+[,;:]?\s*+)?(?:"
    r"\((?P<paren>" + _PAREN_LIST + r")\)"
    r"|(?P<slashed>(?:" + AGENCY_IN_CREDIT + r")(?:\s*+/\s*+(?:" + AGENCY_IN_CREDIT + r"))+)"
    r"|" + _DASH + r"\s*+(?P<dashed>" + _PAREN_LIST + r")"
    r")[ \t.]*+$"
)
# "... said the minister. (AP)" at the end of a paragraph.
_SIGNOFF_TRAILING = re.compile(
    r"(?<=[.!?\"”])[ \t]*+\((?P<paren>" + _PAREN_LIST + r")\)[ \t]*+$", re.M
)
_COPYRIGHT = re.compile(
    r"(?:\b[Cc]opyright|©|\([cC]\))[ \t]*+(?:©[ \t]*+)?(?:\d{4}(?:\s*+[-–]\s*+\d{4})?[ \t]*+,?[ \t]*+)?(?:by[ \t]++)?"
    + f"(?:[Tt]he[ \t]++)?(?P<agency>{AGENCY_IN_CREDIT})"
)
_BYLINE = re.compile(
    r"(?m)^[ \t]*+(?:By[ \t]++[A-Z][\w.'’ -]{1,60}?[ \t]*+(?:,|\||-|–|—)[ \t]*+(?:[Tt]he[ \t]++)?(?P<agency>"
    + AGENCY
    + r")\b"
    + r"|(?P<agency2>"
    + AGENCY
    + r")[ \t]+(?:[Ww]riters?|[Cc]orrespondents?|[Ss]taff|[Rr]eporters?)\b"
    # "By The Associated Press", or "By JANE DOE" with the agency alone on the next line
    + r"|By[ \t]+(?:[Tt]he[ \t]+)?(?P<agency3>"
    + AGENCY
    + r")[ \t]*$"
    + r"|By[ \t]++[A-Z][\w.'’ -]{1,60}[ \t]*+\r?\n[ \t]*+(?:[Tt]he[ \t]++)?(?P<agency4>"
    + AGENCY
    + r")[ \t]*$)"
)
_CONTRIBUTED = re.compile(
    f"(?:\\b[Tt]he\\s+)?(?P<agency>{AGENCY})"
    + r"(?:\s+(?:writers?|reporters?|correspondents?|staff))?[^.\n]{0,120}?\s++contributed\s++(?:reporting\s++)?to\s++this\s++(?:report|story|article)"
)
# House signatures: Reuters' "(Reporting by ...; Editing by ...)", Bloomberg's contact lines.
_HOUSE_SIGNOFFS = (
    (
        re.compile(
            r"\(?\b(?:Additional\s+)?[Rr]eporting\s+by\s+[^;\n]{3,120};[^\n]{0,200}?\b[Ee]diting\s+by\s+[^)\n]{3,120}\)?"
        ),
        "Reuters",
    ),
    (
        re.compile(
            r"\bTo\s+contact\s+the\s+(?:reporters?|editors?)\s+(?:on|responsible\s+for)\s+this\s+story:"
        ),
        "Bloomberg",
    ),
)

# Photo credits: "(AP Photo/Evan Vucci)", "AFP/Getty Images", "Frank Micelotta/Invision/AP",
# "Photo: Reuters". Each alternative is anchored on a slash, "Photo" or "Getty", with bounded
# runs of non-newline characters: no nested quantifiers.
_PHOTO = re.compile(
    r"\((?P<agency>" + AGENCY_IN_CREDIT + r")[ \t]+Photos?[ \t]?/[^)\n]{1,80}\)"
    r"|(?<=[\w.])[ \t]?/[ \t]?(?P<agency2>" + AGENCY_IN_CREDIT + r")(?=[ \t]?(?:/[ \t]?Getty[ \t]Images|[),;]|[ \t]*$))"
    r"|\b(?P<agency3>" + AGENCY_IN_CREDIT + r")[ \t]?/[ \t]?Getty[ \t]Images\b"
    r"|\b(?:Photo|Picture|Image)s?(?:[ \t]credit)?[ \t]?(?::|by)[ \t]?(?P<agency4>" + AGENCY_IN_CREDIT + r")\b",
    re.M,
)


# A full stop after these does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov",
    "sen", "rep", "st", "jr", "sr", "no", "vs", "etc", "inc", "corp", "co", "ltd", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "pres", "rev", "cmdr",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s|$)")


def _is_sentence_end(text: str, match: re.Match[str] | tuple[int, int]) -> bool:
    """False for the dot of ``U.S.``, ``Lt.`` or an initial; True for a real full stop.
    ``match``: a ``_SENTENCE_END`` match or its (start, end)."""
    start, end = match if isinstance(match, tuple) else match.span()
    if text[start] != ".":
        return True
    word_match = re.search(r"([\w.]+)$", text[max(0, start - 20) : start])
    word = word_match.group(1) if word_match else ""
    if word.lower().rstrip(".") in _ABBREVIATIONS:
        return False
    # initials and dotted acronyms ("J. Smith", "U.S. officials", "the U.N. General Assembly"):
    # a sentence rarely ends on one, so only a line break after it ends the sentence
    if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Z]", word):
        return end >= len(text) or text[end] == "\n"
    return True


def paragraph_bounds(text: str, position: int) -> tuple[int, int]:
    """The line (paragraph) of ``text`` holding ``position``, without its newline."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


def sentence_bounds(
    text: str, start_char: int, end_char: int, scans: _ParagraphScans | None = None
) -> tuple[int, int]:
    """The sentence(s) around ``text[start_char:end_char]``, within its paragraph.

    ``scans``: the paragraph scans of ``text`` made for earlier calls, if any.

    >>> t = "First one. The U.S. said it, Lt. Gen. Smith told AP. Next."
    >>> s, e = sentence_bounds(t, t.index("told"), t.index("AP") + 2); t[s:e]
    'The U.S. said it, Lt. Gen. Smith told AP.'
    """
    scans = scans or _ParagraphScans(text)
    para_start, para_end = paragraph_bounds(text, start_char)
    sentence_start = para_start
    for span in scans.sentence_ends_before(para_start, para_end, start_char):
        if _is_sentence_end(text, span):  # the last one before the phrase
            sentence_start = span[1]
            break
    sentence_end = para_end
    for span in scans.sentence_ends_after(para_start, para_end, end_char):
        if _is_sentence_end(text, span):
            sentence_end = span[1]
            break
    while sentence_start < sentence_end and text[sentence_start].isspace():
        sentence_start += 1
    return sentence_start, sentence_end


_SENTENCE_PUNCTUATION = ".!?…"
_SENTENCE_CLOSERS = "\"”’')]"


class _ParagraphScans:
    """Scans of a text's paragraphs made once for all the credits in them: the scope of a
    credit needs its sentence and the quotations of its paragraph, and scanning the paragraph
    again for each credit cost the square of its length on a text without line breaks.

    ``_SENTENCE_END`` matches of a paragraph: those ``finditer(text, para_start, limit)`` or
    ``finditer(text, position, para_end)`` finds, from the one scan of the whole paragraph.
    The pattern looks at no character before a match, so the scans agree but where one is cut:
    a scan ending at ``limit`` also matches punctuation (and closers) right before ``limit``
    (``$``), and one starting at ``position`` inside a match's punctuation also matches the
    rest of it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._sentence_ends: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._quotations: dict[tuple[int, int], tuple[list, list[int], list[int]]] = {}

    def _paragraph(self, para_start: int, para_end: int) -> tuple[list[int], list[int]]:
        key = (para_start, para_end)
        if key not in self._sentence_ends:
            spans = [m.span() for m in _SENTENCE_END.finditer(self.text, para_start, para_end)]
            self._sentence_ends[key] = ([s for s, _ in spans], [e for _, e in spans])
        return self._sentence_ends[key]

    def sentence_ends_before(
        self, para_start: int, para_end: int, limit: int
    ) -> Iterator[tuple[int, int]]:
        """``finditer(text, para_start, limit)``'s matches, as (start, end), last first."""
        starts, ends = self._paragraph(para_start, para_end)
        whole = bisect_right(ends, limit)  # matches ending by the limit: the same
        resume = ends[whole - 1] if whole else para_start
        # what a scan cut at ``limit`` also matches: punctuation, then closers, up to it
        closers = limit
        while closers > resume and self.text[closers - 1] in _SENTENCE_CLOSERS:
            closers -= 1
        first = closers
        while first > resume and self.text[first - 1] in _SENTENCE_PUNCTUATION:
            first -= 1
        if first < closers:
            yield first, limit
        for index in range(whole - 1, -1, -1):
            yield starts[index], ends[index]

    def sentence_ends_after(
        self, para_start: int, para_end: int, position: int
    ) -> list[tuple[int, int]]:
        """``finditer(text, position, para_end)``'s matches, as (start, end)."""
        starts, ends = self._paragraph(para_start, para_end)
        index = bisect_right(ends, position)  # the first match ending after ``position``
        spans = list(zip(starts[index:], ends[index:], strict=True))
        if spans and spans[0][0] < position:  # ``position`` is inside that match
            start, end = spans.pop(0)
            if self.text[position] in _SENTENCE_PUNCTUATION:
                spans.insert(0, (position, end))
        return spans

    def quotations(self, para_start: int, para_end: int) -> tuple[list, list[int], list[int]]:
        """``dedup.quotes.quotation_spans`` of the paragraph (in order, none overlapping), their
        starts and their ends."""
        from dedup.quotes import quotation_spans  # local import: keeps the modules independent

        key = (para_start, para_end)
        if key not in self._quotations:
            spans = quotation_spans(self.text, para_start, para_end)
            starts = [span.start_char for span in spans]
            self._quotations[key] = (spans, starts, [span.end_char for span in spans])
        return self._quotations[key]


_NAME_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Mayor|Sen|Senator|Gov|Governor|Rep|President|Candidate)\.?|\b[A-Z][a-z]+)[ \t]+$"
)
_NOT_FIRST_NAMES = {
    "The",
    "According",
    "As",
    "While",
    "But",
    "And",
    "Earlier",
    "Separately",
    "Later",
}


def _part_of_a_name(text: str, agency_start: int) -> bool:
    """``Michael Bloomberg said``: the agency's name is a person's surname here."""
    before = text[max(0, agency_start - 30) : agency_start]
    match = _NAME_BEFORE.search(before)
    return match is not None and match.group().split()[0] not in _NOT_FIRST_NAMES


def _in_ranges(position: int, ranges: list[tuple[int, int]] | None) -> bool:
    return ranges is None or any(start <= position < end for start, end in ranges)


def _sources_in(listing: str) -> list[str]:
    """Canonical names of a credit list like ``AP, AFP`` or ``dpa/AFP``, in order."""
    names: list[str] = []
    for part in re.split(_LIST_SEP, listing):
        name = canonical_agency(part)
        if name and name not in names:
            names.append(name)
    return names


def _local_scope(
    text: str, phrase_start: int, phrase_end: int, scans: _ParagraphScans
) -> tuple[int, int]:
    """The sentence of a local credit, widened to the quotation it closes and its continuation.

    ``“A,” he told AP. “B.”``: the credit vouches for A (closed right before it) and for B (the
    same speaker's quotation continued right after the attribution sentence).
    """
    scope_start, scope_end = sentence_bounds(text, phrase_start, phrase_end, scans)
    para_start, para_end = paragraph_bounds(text, phrase_start)
    quotes, starts, ends = scans.quotations(para_start, para_end)
    # The quotations are in order and do not overlap: those ending 80 characters or less before
    # the phrase or holding its start, and those following it, are all that can widen it.
    first = bisect_left(ends, phrase_start - 80)
    for quote in quotes[first : bisect_right(starts, phrase_start)]:
        between = text[quote.end_char : phrase_start]
        closes_right_before = quote.end_char <= phrase_start and len(between) <= 80
        # the quotation must close in the credit's own sentence, not in an earlier one
        if closes_right_before and not re.search(r"[.!?][\s\"”]+[A-Z“\"]", between[2:]):
            scope_start = min(scope_start, quote.start_char - 1)
        if quote.start_char < phrase_start < quote.end_char:
            # a credit inside a quotation ("he said, according to Reuters" is rare) widens to it
            scope_start = min(scope_start, quote.start_char - 1)
    for quote in quotes[bisect_right(starts, phrase_end) :]:
        if quote.start_char - scope_end > 3:
            break  # the next ones start later still
        scope_end = max(scope_end, min(para_end, quote.end_char + 1))
    return max(scope_start, para_start), scope_end


def _leadin_scope(
    text: str, phrase_end: int, max_paragraphs: int = 3, max_chars: int = 2500
) -> tuple[int, int]:
    """The block introduced by a lead-in: the next few non-empty paragraphs."""
    position = phrase_end
    scope_end = phrase_end
    paragraphs = 0
    while paragraphs < max_paragraphs and position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end == -1 else line_end
        if text[position:line_end].strip():
            paragraphs += 1
            scope_end = line_end
            if scope_end - phrase_end > max_chars:
                break
        position = line_end + 1
    return phrase_end, scope_end


_LOCAL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("told", _TOLD),
    ("according_to", _ACCORDING_TO),
    ("reported", _REPORTED_BEFORE),
    ("reported", _REPORTED_AFTER),
)
# When two cues cover the same phrase, the earlier cue in this list wins.
_CUE_PRIORITY = (
    "copyright",
    "dateline",
    "signoff",
    "byline",
    "leadin",
    "told",
    "according_to",
    "reported",
    "photo",
)


def find_attributions(text: str, ranges: list[tuple[int, int]] | None = None) -> list[Attribution]:
    """Every credit of an outside source in ``text`` (phrases inside ``ranges`` only, if given).

    >>> text = "Intro.\\n“A quote of several words,” he added, reported Bloomberg.\\nOther text."
    >>> [(a.source, a.cue, text[a.scope_start:a.scope_end]) for a in find_attributions(text)]
    [('Bloomberg', 'reported', '“A quote of several words,” he added, reported Bloomberg.')]
    """
    # The scan does not depend on ``ranges`` (they only filter), and the same text is
    # scanned twice per document (body, then credit boilerplate): scan once, filter twice.
    return _deduplicate(
        [found for found in _all_attributions(text) if _in_ranges(found.start_char, ranges)]
    )


# Every pattern but the house sign-offs holds an agency alias (AGENCY's aliases are among
# AGENCY_IN_CREDIT's): a text in which no alias occurs needs the house sign-offs only. Two
# thirds of generated news articles name no agency; one search instead of a dozen scans.
_ANY_ALIAS = re.compile(AGENCY_IN_CREDIT)
_WORD = re.compile(r"\w+")
# Characters that case-insensitive matching takes for an ASCII letter but ``str.lower`` does not
# lower to one (dotted and dotless i, long s, Kelvin sign).
_CASE_TRAPS = re.compile("[\u0130\u0131\u017f\u212a]")


@cache
def _alias_words() -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """(the acronyms, as written; the lower-cased words of each long alias)."""
    acronyms: set[str] = set()
    long_aliases: set[frozenset[str]] = set()
    for agency in AGENCIES:
        for alias in (agency.name, *agency.aliases):
            if len(alias) <= 4 and alias.upper() == alias:
                acronyms.add(alias)
            else:
                long_aliases.add(frozenset(_WORD.findall(alias.lower())))
        acronyms.update(agency.acronyms, agency.credit_only)
    return frozenset(acronyms), tuple(long_aliases)


def _may_name_an_agency(text: str) -> bool:
    r"""False only if no alias of ``AGENCY_IN_CREDIT`` occurs in ``text``; cheaper than that
    pattern, which starts with a look-behind and so is tried at every position.

    An alias occurrence is bounded by non-word characters and split by spaces or hyphens, so
    each of its words is a whole ``\w+`` word of the text: an acronym as written, a long
    alias's words in any case (the characters that case-insensitive matching equates with an
    ASCII letter but ``lower`` does not lower to one send the text to the pattern).
    """
    if _CASE_TRAPS.search(text):
        return True
    acronyms, long_aliases = _alias_words()
    words = set(_WORD.findall(text))
    if not acronyms.isdisjoint(words):
        return True
    lowered = {word.lower() for word in words}
    return any(alias <= lowered for alias in long_aliases)


# Words a pattern cannot match without (case as the pattern writes them), and for a lead-in its
# closing colon at a line end: ``in`` checks in C that skip whole scans. The patterns that start
# with an optional part or a look-behind are tried at every position of the text.
_REQUIRED: dict[re.Pattern[str], tuple[str, ...]] = {
    _COPYRIGHT: ("opyright", "©", "(c)", "(C)"),
    _CONTRIBUTED: ("contributed",),
    _TOLD: ("told", "tell", "speaking", "interview"),
    _PHOTO: ("/", "Photo", "photo", "Picture", "Image"),
    _HOUSE_SIGNOFFS[0][0]: ("eporting",),
    _HOUSE_SIGNOFFS[1][0]: ("contact",),
}
_LEADIN_END = re.compile(r":[ \t\u00a0]*(?=\r?\n|$)")
# A line break that a non-blank line follows: matches where ``\n\s*\S`` does, one per run of
# blank lines (its last line break), without running over the rest of the run from each one.
_LINE_AFTER = re.compile(r"\n[^\S\n]*+(?=\S)")


def _finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, or nothing at once when a word it needs is absent."""
    required = _REQUIRED.get(pattern)
    if required is not None and not any(word in text for word in required):
        return iter(())
    if pattern is _LEADIN and _LEADIN_END.search(text) is None:
        return iter(())
    return pattern.finditer(text)


@lru_cache(maxsize=16)
def _all_attributions(text: str) -> tuple[Attribution, ...]:
    """Every credit phrase of ``text``, before range filtering and deduplication."""
    whole = (0, len(text))
    found: list[Attribution] = []
    scans = _ParagraphScans(text)

    def add(
        source: str | None, phrase_start: int, phrase_end: int, cue: str, scope: tuple[int, int]
    ) -> None:
        if source is None:
            return
        phrase = text[phrase_start:phrase_end].strip()
        found.append(Attribution(source, phrase, cue, phrase_start, phrase_end, scope[0], scope[1]))

    def house_signoffs() -> None:
        for pattern, source in _HOUSE_SIGNOFFS:
            for match in _finditer(pattern, text):
                add(source, match.start(), match.end(), "signoff", whole)

    if not _may_name_an_agency(text) or _ANY_ALIAS.search(text) is None:
        house_signoffs()
        return tuple(found)

    for match in _finditer(_COPYRIGHT, text):
        add(canonical_agency(match.group("agency")), match.start(), match.end(), "copyright", whole)
    for match in _finditer(_DATELINE, text):
        place_words = match.group("place").split()
        if len(place_words) > 8 or any(
            not word[0].isupper() and not word[0].isdigit() for word in place_words
        ):
            continue  # "(AP) -" after ordinary running text is not a dateline
        for source in _sources_in(match.group("agency")):
            add(source, match.start("place"), match.end(), "dateline", whole)
    for match in _finditer(_SIGNOFF_LINE, text):
        listing = match.group("paren") or match.group("slashed") or match.group("dashed")
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        for source in _sources_in(listing):
            add(source, start, match.end(), "signoff", whole)
    for match in _finditer(_SIGNOFF_TRAILING, text):
        # A paragraph-final "(AP)" near the end signs off the article; elsewhere its paragraph.
        # (at most one non-blank line after it; looking for a second one only, not all)
        is_last = next(islice(_LINE_AFTER.finditer(text, match.end()), 1, None), None) is None
        para = paragraph_bounds(text, match.start())
        for source in _sources_in(match.group("paren")):
            add(
                source,
                match.start("paren") - 1,
                match.end("paren") + 1,
                "signoff",
                whole if is_last else para,
            )
    for match in _finditer(_BYLINE, text):
        group = next(
            name for name in ("agency", "agency2", "agency3", "agency4") if match.group(name)
        )
        add(canonical_agency(match.group(group)), match.start(group), match.end(), "byline", whole)
    house_signoffs()
    for match in _finditer(_PHOTO, text):
        group = next(
            name for name in ("agency", "agency2", "agency3", "agency4") if match.group(name)
        )
        add(
            canonical_agency(match.group(group)),
            match.start(),
            match.end(),
            "photo",
            paragraph_bounds(text, match.start()),
        )
    for match in _finditer(_CONTRIBUTED, text):
        add(canonical_agency(match.group("agency")), match.start(), match.end(), "byline", whole)
    for match in _finditer(_LEADIN, text):
        if _part_of_a_name(text, match.start("agency")):
            continue
        add(
            canonical_agency(match.group("agency")),
            match.start(),
            match.end(),
            "leadin",
            _leadin_scope(text, match.end()),
        )
    for cue, pattern in _LOCAL_PATTERNS:
        for match in _finditer(pattern, text):
            source = canonical_agency(match.group("agency"))
            if source is None or (
                pattern is _REPORTED_AFTER and _part_of_a_name(text, match.start("agency"))
            ):
                continue
            add(
                source,
                match.start(),
                match.end(),
                cue,
                _local_scope(text, match.start(), match.end(), scans),
            )
    return tuple(found)


def _deduplicate(found: list[Attribution]) -> list[Attribution]:
    """Drop credits whose phrase overlaps a stronger cue's phrase for the same source."""
    order = {id(attribution): index for index, attribution in enumerate(found)}
    ranked = sorted(found, key=lambda a: (_CUE_PRIORITY.index(a.cue), a.start_char))
    kept: list[Attribution] = []
    # the kept phrases of each source, sorted: they never overlap, so the one starting last
    # before a phrase ends is the only one that can overlap it (no pass over all kept ones)
    phrases: dict[str, list[tuple[int, int]]] = {}
    for attribution in ranked:
        spans = phrases.setdefault(attribution.source, [])
        before = bisect_left(spans, (attribution.end_char,)) - 1
        clash = before >= 0 and attribution.start_char < spans[before][1]
        if not clash:
            kept.append(attribution)
            insort(spans, (attribution.start_char, attribution.end_char))
    # equal positions keep the order of the credit list: "(AP, AFP)" stays AP first
    return sorted(kept, key=lambda a: (a.start_char, a.end_char, order[id(a)]))


_CREDIT_BOILERPLATE_KINDS = ("footer", "byline", "dateline", "other")


def document_wire_credits(
    text: str, attributions: list[Attribution], boilerplate: list[BoilerplateSpan]
) -> list[str]:
    """Canonical names the document credits as a whole, in order of appearance.

    Sign-offs, datelines, copyright lines and bylines count, whether they were found in the body
    (``attributions``) or sit in boilerplate spans (footers, bylines, datelines) that the body
    scan skipped. Local credits (``told AP``) do not make a wire credit.

    >>> text = "Body.\\n\\nes/jm (AP, AFP)"
    >>> document_wire_credits(text, [], [BoilerplateSpan(7, len(text), "footer")])
    ['Associated Press', 'AFP']
    """
    spans = [
        (span.start_char, span.end_char)
        for span in boilerplate
        if span.kind in _CREDIT_BOILERPLATE_KINDS
    ]
    candidates = list(attributions)
    if spans:
        candidates += find_attributions(text, spans)
    whole = (0, len(text))
    names: list[str] = []
    for attribution in sorted(candidates, key=lambda a: (a.start_char, a.end_char)):
        document_wide = attribution.cue in DOCUMENT_WIDE_CUES and (
            (attribution.scope_start, attribution.scope_end) == whole
        )
        if document_wide and attribution.source not in names:
            names.append(attribution.source)
    return names
