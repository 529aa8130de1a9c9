"""Boilerplate cleaning: which spans of a document are not article body, and why.

Nothing is ever deleted: a document keeps its full ``text`` (a text file's contents, an HTML
page's visible text) and gets a list of :class:`BoilerplateSpan` labelled with one of
``navigation, comments, footer, caption, promo, byline, dateline, other``;
``clean_text`` is ``text`` minus those spans.

* :func:`clean_plain_text`: a line classifier for pages saved as text. Each line is judged on
  general cues: is it prose (words, sentence punctuation), a run of names or menu words, a
  comments marker (everything after it, up to the footer, is the comment section), a copyright
  line, a photo credit (``(picture-alliance/AP Photo/...)``) and the caption line after it, a
  promo or push prompt, a byline or date line, an editor's sign-off (``es/jm (AP, AFP)``, whose
  agencies go to ``Metadata.wire_credits``). Short headings inside the body are kept.
* :func:`clean_html`: the page is rendered to its visible text with a map from labelled DOM
  containers (``nav``, ``footer``, ``aside``, ``figure``/``figcaption``, comment, share,
  related-links containers, ...) to spans (:mod:`dedup.html`). trafilatura decides the main
  content; its text is aligned back onto the rendered text. Then wiretrace's own rules fix its
  known leaks and losses: labelled containers inside the kept text are removed (unless they
  wrap most of it: a ``<body class="... replies ...">`` is no comment section), lines the text
  classifier recognises (comment sections, photo credits, bylines, copyright lines, promos,
  date lines) are removed, and plain prose paragraphs it dropped between kept ones come back.
  Everything outside the body becomes spans labelled by their container, else by their
  lines' own cues (menus, link rows of related stories, ...), else ``other``.
* :func:`template_boilerplate`: lines repeated across documents of the same outlet.

>>> doc = clean_plain_text("home news sport weather\\nThe minister said on Tuesday that talks would resume soon.\\n")
>>> [(span.kind, doc.text[span.start_char:span.end_char]) for span in doc.boilerplate]
[('navigation', 'home news sport weather\\n')]
>>> doc.clean_text
'The minister said on Tuesday that talks would resume soon.\\n'
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

import numpy as np
import xxhash

from dedup.coverage import subtract_ranges
from dedup.html import TAG_KINDS, RenderedPage, parse_html, render
from dedup.metadata import (
    TITLE_BAR_SEPARATOR,
    find_date,
    first_heading,
    html_metadata,
    text_metadata,
)
from dedup.records import BoilerplateSpan, CleanedDocument, Metadata, content_ranges

try:  # the agency table lives in dedup.attribution; a small map stands in without it
    from dedup.attribution import canonical_agency as _canonical_agency
except ImportError:  # pragma: no cover - only while attribution.py is missing
    _canonical_agency = None

_LOCAL_AGENCIES = {
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "afp": "AFP",
    "reuters": "Reuters",
    "dpa": "dpa",
    "bloomberg": "Bloomberg",
    "xinhua": "Xinhua",
    "tass": "TASS",
    "kyodo": "Kyodo",
    "efe": "EFE",
    "ansa": "ANSA",
}

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
TOKEN = re.compile(r"\w+")
URL = re.compile(r"(?:https?://|www\.)\S+")
# A sentence end: punctuation after a real word (not the "Lt." of "Lt. General" or "U.S.").
# The word is tried from its first letter only (a later start reaches the same punctuation, so
# it matches only if the first does): tried from every letter, a long run of letters cost the
# square of its length. Possessive: what follows each run cannot start with its characters.
SENTENCE_END = re.compile(
    r"(?:(?<![^\W\d_])[^\W\d_]{3,}+|\d|[\"”’)\]])[.!?…]++[\"'”’)\]]*+(?=\s|$)"
)
TERMINAL = (".", "!", "?", "…", '"', "”", "’", ":", ";")


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and edit)."""
    return frozenset(words.split())


STOPWORDS = _word_set(
    "a an the of to in on at for from by with and or but is are was were be been has have had "
    "will would can could should may might that this these those it its he she they we you i "
    "his her their our as not no said says than then there which who whom what when where how "
    "about after before over into up out if so also more most"
)
MENU_WORDS = _word_set(
    "home news world politics business sport sports tech technology science health opinion "
    "culture entertainment lifestyle travel video videos photos podcasts podcast about contact "
    "login log sign register subscribe search menu more weather blogs blog newsletters archive "
    "masthead submissions advertise customer service privacy policy terms conditions cookies "
    "careers help faq rss sitemap icon features share tweet email print facebook twitter "
    "instagram youtube linkedin whatsapp reddit comments comment next previous prev back top "
    "skip content main close open toggle navigation account profile follow us"
)
COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.I)
COMMENT_MARKER = re.compile(
    r"^(?:(?:show|view|load|hide|read|see|post|leave|add|write|join|display|open|close)\s+"
    r"(?:all\s+|the\s+|a\s+|your\s+|\d+\s+|more\s+)*(?:comments?|reply|replies|discussion|conversation)"
    r"|\d+\s+(?:comments?|replies)|(?:reader\s+|user\s+)?comments?(?:\s*\(\d+\))?|.*\bcomments?\s+powered\s+by\b.*"
    r"|(?:join|start)\s+the\s+(?:discussion|conversation|debate)|leave\s+a\s+(?:reply|comment)"
    r"|discussion|what do you think\??)\W*$",
    re.I,
)
# Photo credits: a trailing parenthesis naming a photographer or picture agency
# (``(picture-alliance/AP Photo/Ahn Young-joon)``), a ``Photo:`` line, an ``AP Photo`` tag.
PHOTO_CREDIT = re.compile(
    r"\((?=[^()]*(?:[^\W\d_]/[^\W\d_]|(?i:photo|foto|picture|image|getty|imago|shutterstock"
    r"|credit|archiv)|\bEPA\b|\b(?i:pool)\b))[^()]{2,120}\)\s*$"
    r"|^(?i:photo|image|picture|photograph|credit|foto|bild|source)s?\s*(?i:credit)?\s*:"
    r"|\b(?:AP|AFP|Reuters|Getty|EPA|Xinhua)\s+Photo\b",
)
SIGNOFF = re.compile(
    r"^[a-z]{1,4}(?:\s*+/\s*+[a-z]{1,4})+\s*+(?:\((?P<credits>[^()]{1,80})\))?\s*+\.?$"
)
CONTRIBUTION = re.compile(
    r"^\(?\s*(?:reporting|writing|editing|additional reporting|compiled|edited)\s+by\b", re.I
)
BYLINE = re.compile(r"^(?i:by)\s+[A-Z]")
DATE_CUE_WORDS = _word_set(
    "last updated update published posted first modified on at am pm gmt utc et est edt cet cest "
    "date time"
)
# An author's bio line: "Eric Song is IGN's deal curator and ...", "Jane Doe is a reporter".
AUTHOR_BIO = re.compile(
    r"^[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}\s+(?:is|was)\s+(?:a|an|the|[A-Z][\w'’]*['’]s)\s"
    r"[^.]{0,80}?\b(?:writer|editor|reporter|correspondent|curator|columnist|journalist"
    r"|contributor|producer|author|critic|blogger)s?\b"
)
# Comment-section chrome: moderation rules.
COMMENT_POLICY = re.compile(
    r"\b(?:comments?|comentários?|kommentare?|commentaires?)\b.*\bmodera\w*|\bmodera\w*.*\bcomments?\b",
    re.I,
)
# Calls to action, at the start of the line or of one of its sentences.
PROMO = re.compile(
    r"(?:^|[.!?]\s++)(?:get\s+the\s+latest|get\s+(?:breaking|our|the)\s+\w+\s+(?:alerts?|news(?:letter)?|updates)"
    r"|sign\s+up|subscribe|follow\s+us|download\s+(?:the|our)|click\s+here|tap\s+here|read\s+more"
    r"|read\s+next|related(?:\s++(?:articles?|stories|content|news|posts?|coverage|topics))?\s*+:?\s*+$"
    r"|recommended|advertisement|sponsored|share\s+(?:this|on|via)|like\s+us\s+on|join\s+our"
    r"|(?:turn\s+on|enable|allow)\s+(?:push\s+)?notifications|more\s+from|don't\s+miss|also\s+read"
    r"|see\s+also|watch:|listen:|you\s+may\s+also\s+like|most\s+(?:read|popular|viewed)"
    r"|also\s+on|like\s+this\s+(?:story|article|post)|chat\s+with\s+us|tell\s+us\s+what\s+you\s+think)\b"
    # ... or anywhere, when addressed to the reader.
    r"|\b(?:(?:our|free|daily|weekly)\s+newsletter|push\s+notifications?|on\s+your\s+browser"
    r"|your\s+inbox|our\s+app|click\s+here|share\s+(?:it|this)\s+with"
    r"|delivered\s+(?:to|through)\s+your\s+(?:door|letterbox|mailbox)"
    # affiliate disclosures
    r"|(?:may|might|could)\s+(?:earn|receive|get)\s+(?:a\s+|an\s+)?(?:small\s+)?(?:affiliate\s+)?"
    r"(?:commission|share\s+of\s+(?:the\s+)?sales?))\b",
    re.I,
)
TIMESTAMP_LINE = re.compile(
    r"^\W*(?:last\s+)?(?:updated|published|posted|modified)\b.*\d{1,2}[:.]\d{2}", re.I
)
SHORT_LINE = re.compile(r"^[ \t]*+(\S[^\n]{0,60}?)[ \t]*+$", re.MULTILINE)
# A menu saved one item per line: this many lines of at most this many words above the body.
MENU_LINE_WORDS = 4
MENU_BLOCK_LINES = 4
# Teasers: prose below a run of this many short lines, once this share of the prose is above.
AFTER_BODY_RUN = 12
AFTER_BODY_SHARE = 0.7
NAME_RUN = "navigation?"  # a name run: navigation unless it sits inside the body
NAV_SEPARATORS = re.compile(r"\s[|•·»›/]\s|\s{3,}")


@dataclass
class _Line:
    """One non-blank line of a text: where it sits and what it looks like."""

    start: int  # first character (indentation included)
    end: int  # end of its content, before the newline
    content: str  # stripped
    words: list[str]
    sentences: int

    @property
    def n_words(self) -> int:
        return len(self.words)

    @property
    def is_prose(self) -> bool:
        """Running text: enough words and at least one sentence end."""
        return self.n_words >= 8 and (self.sentences >= 1 or self.content.endswith(TERMINAL))

    @property
    def is_heading_like(self) -> bool:
        return self.n_words <= 15 and not self.content.endswith((".", "!", "?", ";"))

    @property
    def stopword_share(self) -> float:
        if not self.words:
            return 0.0
        return sum(word.lower() in STOPWORDS for word in self.words) / len(self.words)


@lru_cache(maxsize=4)
def _lines(text: str) -> tuple[_Line, ...]:
    """The non-blank lines of ``text`` (shared, never to be changed by a caller).

    Memoised for the last few texts: cleaning a page saved as text splits it, then its
    template blocks (``document_blocks``) need the same lines; splitting is the costly part
    (two regex scans per line), and the text is the same object, so the lookup is cheap.
    """
    lines: list[_Line] = []
    position = 0
    for raw in text.splitlines(keepends=True):
        content = raw.strip()
        if content:
            end = position + len(raw.rstrip("\r\n"))
            lines.append(
                _Line(
                    position,
                    end,
                    content,
                    WORD.findall(content),
                    len(SENTENCE_END.findall(content)),
                )
            )
        position += len(raw)
    return tuple(lines)


def canonical_agency(name: str) -> str | None:
    """Canonical agency name via :mod:`dedup.attribution`, else a small local map."""
    if _canonical_agency is not None:
        return _canonical_agency(name)
    return _LOCAL_AGENCIES.get(name.strip().strip(".,;:()").lower())


def credited_agencies(line: str) -> list[str]:
    """Agencies named in a credit line such as ``es/jm (AP, AFP)`` or ``dpa/AFP``.

    >>> credited_agencies("es/jm (AP, AFP)")
    ['Associated Press', 'AFP']
    """
    names: list[str] = []
    inside = re.findall(r"\(([^()]*)\)", line) or [line]
    for group in inside:
        for part in re.split(r"[,/;&]|\band\b", group):
            agency = canonical_agency(part.strip())
            if agency and agency not in names:
                names.append(agency)
    return names


def _is_agency_credit(line: _Line) -> bool:
    """A line made only of agency names: ``(AP, AFP)``, ``dpa/AFP``, ``AFP/Reuters``."""
    if line.n_words > 8 or line.sentences > 1 or len(line.content) > 80:
        return False
    parts = [part for part in re.split(r"[(),/;&]|\band\b", line.content) if part.strip()]
    return bool(parts) and all(canonical_agency(part.strip()) for part in parts)


def _is_date_line(line: _Line) -> bool:
    """A line that is a date with at most a few cue words (``. Last Updated: 07/27/2016``)."""
    if line.n_words > 14:
        return False
    if "(@" in line.content:  # the signature of an embedded post: "— Name (@handle) date"
        return False
    if line.n_words <= 8 and TIMESTAMP_LINE.match(line.content):
        return True
    found = find_date(line.content)
    if not found:
        return False
    rest = line.content[: found[1]] + " " + line.content[found[2] :]
    leftover = [word for word in WORD.findall(rest) if word.lower() not in DATE_CUE_WORDS]
    return len(leftover) <= 3


def _is_title_bar(line: _Line) -> bool:
    """``Headline | Section | Outlet | 11.10.2016``: a saved page title."""
    parts = [part.strip() for part in TITLE_BAR_SEPARATOR.split(line.content)]
    if len(parts) < 3 or line.sentences > 1:
        return False
    headline = WORD.findall(parts[0])
    menu_words = sum(word.lower() in MENU_WORDS for word in headline)
    return (
        len(headline) >= 3
        and menu_words < len(headline) / 2
        and all(len(part.split()) <= 4 for part in parts[1:])
    )


def _is_navigation(line: _Line) -> bool:
    """Runs of names or menu words: no sentence, no function words."""
    if line.is_prose or line.n_words < 2:
        return False
    lowered = [word.lower() for word in line.words]
    menu_share = sum(word in MENU_WORDS for word in lowered) / len(lowered)
    if menu_share >= 0.6 and line.n_words >= 2 and not line.content.endswith(TERMINAL):
        return True
    separated = len(NAV_SEPARATORS.findall(line.content))
    return separated >= 2 and line.n_words <= 3 * (separated + 1) and line.sentences == 0


def _is_name_run(line: _Line) -> bool:
    """A run of names with no function word (``mead berger shevtsova garfinkle ...``): a menu
    of authors or sections above or below an article, but a list item inside one."""
    if line.is_prose or line.n_words < 3 or line.stopword_share > 0:
        return False
    if line.content.endswith(TERMINAL) or re.search(r"[,:;]", line.content):
        return False
    if all(word.islower() for word in line.words):
        return True
    return line.n_words >= 6 and all(word[0].isupper() for word in line.words)


def _line_kind(line: _Line) -> str | None:
    """The boilerplate kind a line shows on its own, None for a body candidate."""
    content = line.content
    if line.n_words > 40 and line.is_prose:
        return None  # every cue below is for short lines
    if COPYRIGHT.search(content) and line.n_words <= 40:
        return "footer"
    if line.n_words <= 8 and not line.is_prose and COMMENT_MARKER.match(content):
        return "comments"
    if line.n_words <= 40 and line.sentences <= 1 and PHOTO_CREDIT.search(content):
        return "caption"
    if SIGNOFF.match(content) or _is_agency_credit(line):
        return "byline"
    if CONTRIBUTION.match(content) and line.n_words <= 40:
        return "byline"
    if BYLINE.match(content) and line.n_words <= 25 and line.sentences <= 1:
        return "byline"
    if line.n_words <= 60 and AUTHOR_BIO.match(content):
        return "byline"
    if line.n_words <= 40 and COMMENT_POLICY.search(content):
        return "comments"
    if _is_date_line(line):
        return "dateline"
    if line.n_words <= 40 and line.sentences <= 2 and PROMO.search(content):
        return "promo"
    if _is_title_bar(line):
        return "other"
    if _is_navigation(line):
        return "navigation"
    if _is_name_run(line):
        return NAME_RUN
    return None


# Sentence-final punctuation of a line (optionally closed by a quote or bracket): a line
# ending otherwise may run on into the next one.
LINE_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
# The last word of a line that cannot end a sentence or a heading: an article, preposition,
# conjunction, auxiliary (``Watch the`` / ``video, there is``).
DANGLING_WORDS = STOPWORDS - _word_set("said says it this these those them him her us")
# Cues a fragment of a running sentence can show by accident (``by Shakespeare's ...``
# continuing ``classics that resonate``): a line of a wrapped paragraph that starts in lower
# case is the rest of a sentence, not one of these.
LINE_START_KINDS = frozenset({"byline", "navigation", "dateline", "comments", NAME_RUN})
# A hard-wrapped paragraph is prose when its lines, joined, have this many words.
WRAPPED_PROSE_WORDS = 12


def _continues(text: str, previous: _Line, line: _Line) -> bool:
    """Does ``line`` carry on the sentence of the line right above it (a paragraph wrapped
    at a fixed width, or a page saved as text with a line break per inline element)? The
    previous line has no sentence end and no blank line follows it, and either this line
    starts in lower case or the previous one stops on a comma, a dash or a word that cannot
    end a sentence (``the``, ``of``, ``and``)."""
    if (
        LINE_ENDS_SENTENCE.search(previous.content)
        or text.count("\n", previous.end, line.start) > 1
    ):
        return False
    if _starts_lower(line):
        return True
    if previous.content.endswith((",", "-", "–", "—", "(")):
        return True
    return bool(previous.words) and previous.words[-1].lower() in DANGLING_WORDS


def _starts_lower(line: _Line) -> bool:
    first = line.content.lstrip("\"'“‘([")[:1]
    return first.isalpha() and first.islower()


def _wrapped_paragraphs(text: str, lines: Sequence[_Line]) -> tuple[list[bool], list[bool]]:
    """Per line: is it part of a hard-wrapped paragraph that reads as prose (its lines joined
    have ``WRAPPED_PROSE_WORDS`` words and a sentence end), and does it continue the line
    above (so it does not start a paragraph)?"""
    continued = [False] + [
        _continues(text, previous, line) for previous, line in zip(lines, lines[1:], strict=False)
    ]
    wrapped = [False] * len(lines)
    start = 0
    for index in range(1, len(lines) + 1):
        if index < len(lines) and continued[index]:
            continue
        block = lines[start:index]
        if len(block) > 1:
            words = sum(line.n_words for line in block)
            sentences = sum(line.sentences for line in block)
            ends = block[-1].content.endswith(TERMINAL)
            if words >= WRAPPED_PROSE_WORDS and (sentences or ends):
                wrapped[start:index] = [True] * len(block)
        start = index
    return wrapped, continued


def _resolve_name_run(kind: str | None, outside_body: bool) -> str | None:
    """A name run is navigation outside the article body, a list item inside it."""
    if kind != NAME_RUN:
        return kind
    return "navigation" if outside_body else None


def _opens_comment_section(lines: Sequence[_Line], prose: list[bool], index: int) -> bool:
    """Does the comments marker at ``index`` open the comment section (rather than label a
    comment count or share bar near the top)? Yes if most of the body precedes it, or if a
    commenter's name follows it."""
    prose_chars = [
        len(line.content) if flag else 0 for line, flag in zip(lines, prose, strict=True)
    ]
    before, total = sum(prose_chars[:index]), sum(prose_chars)
    if not before:
        return False
    if before >= 0.5 * total:
        return True
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is None:
        return False
    name = following.content.lstrip("•·*-–— ")
    return (
        1 <= following.n_words <= 4
        and not name.endswith(TERMINAL)
        and not any(word.lower() in MENU_WORDS for word in following.words)
    )


def _mark_comment_section(
    lines: Sequence[_Line], kinds: list[str | None], wrapped: list[bool] | None = None
) -> list[bool]:
    """Label the comment section in place; return which lines are body prose (prose lines,
    and the lines of hard-wrapped prose paragraphs, ``wrapped``).

    A comments marker after the body opens the comment section: commenters and posts up to
    the footer. A marker before any body (a comment count under the title) is one line.
    """
    wrapped = wrapped or [False] * len(lines)
    prose = [
        kind is None and (line.is_prose or in_paragraph)
        for line, kind, in_paragraph in zip(lines, kinds, wrapped, strict=True)
    ]
    for index, kind in enumerate(kinds):
        if kind == "comments" and _opens_comment_section(lines, prose, index):
            for following in range(index + 1, len(lines)):
                if kinds[following] in ("footer", "navigation"):
                    break
                kinds[following] = "comments"
                prose[following] = False
            break
    return prose


def _mark_menu_block(lines: Sequence[_Line], kinds: list[str | None], prose: list[bool]) -> None:
    """Above the first paragraph, a block of short lines is the site's menu (a page saved
    with its navigation: ``Home``, ``World``, ``Business``, ... one per line). Up to two lines
    of three words or more right above the body stay: the headline and its standfirst."""
    first_prose = next((index for index, flag in enumerate(prose) if flag), None)
    if first_prose is None:
        return
    protected = set()
    for index in range(first_prose - 1, max(-1, first_prose - 3), -1):
        if lines[index].n_words < 3:
            break
        protected.add(index)
    block = [
        index
        for index in range(first_prose)
        if index not in protected
        and kinds[index] is None
        and lines[index].n_words <= MENU_LINE_WORDS
        and not lines[index].content.endswith(TERMINAL)
    ]
    if len(block) >= MENU_BLOCK_LINES:
        for index in block:
            kinds[index] = "navigation"


def _mark_after_body(lines: Sequence[_Line], kinds: list[str | None], prose: list[bool]) -> None:
    """Below the article, past a long run of short lines (menus, link lists, share bars), a
    page saved as text goes on with teasers of other stories: prose, but not this article's.
    Only when the article above holds most of the page's prose (else the run is a list inside
    the body)."""
    prose_chars = [
        len(line.content) if flag else 0 for line, flag in zip(lines, prose, strict=True)
    ]
    total = sum(prose_chars)
    run = 0
    seen = 0
    for index, line in enumerate(lines):
        if prose[index]:
            if run >= AFTER_BODY_RUN and seen >= AFTER_BODY_SHARE * total:
                for following in range(index, len(lines)):
                    if kinds[following] is None:
                        kinds[following] = "other"
                        prose[following] = False
                return
            run = 0
            seen += prose_chars[index]
        elif kinds[index] is not None or (
            line.n_words <= 6 and not line.content.endswith(TERMINAL)
        ):
            run += 1


def classify_lines(text: str, sections: bool = True) -> list[tuple[_Line, str | None]]:
    """Every non-blank line of ``text`` with its boilerplate kind (None: body).

    ``sections``: also propagate labels over neighbouring lines (the comment section after a
    marker, the caption line after a photo credit, residue after the last paragraph). HTML
    pages have their DOM for that and use the single-line judgements only.
    """
    lines = _lines(text)
    kinds: list[str | None] = [_line_kind(line) for line in lines]
    wrapped, continued = _wrapped_paragraphs(text, lines)
    for index, kind in enumerate(kinds):
        if kind in LINE_START_KINDS and wrapped[index] and _starts_lower(lines[index]):
            kinds[index] = None  # the rest of a sentence from the line above
    body_lines = [
        index
        for index, line in enumerate(lines)
        if kinds[index] is None and (line.is_prose or wrapped[index])
    ]
    first_body, last_body = (body_lines[0], body_lines[-1]) if body_lines else (0, -1)
    kinds = [
        _resolve_name_run(kind, not first_body <= index <= last_body)
        for index, kind in enumerate(kinds)
    ]
    if not sections:
        return list(zip(lines, kinds, strict=True))
    prose = _mark_comment_section(lines, kinds, wrapped)
    _mark_menu_block(lines, kinds, prose)
    _mark_after_body(lines, kinds, prose)
    # The caption text that follows a photo credit line (``Osan US Air Base in ...``).
    for index, kind in enumerate(kinds[:-1]):
        following = lines[index + 1]
        if (
            kind == "caption"
            and kinds[index + 1] is None
            and following.is_heading_like
            and not following.is_prose
            and not following.content.endswith(TERMINAL)
            and (index + 2 >= len(lines) or kinds[index + 2] != "caption")
        ):
            kinds[index + 1] = "caption"
    # Short non-sentence lines between the last body paragraph and boilerplate below it:
    # widget labels, link rows. (Lists that end an article, with nothing below, stay.)
    last_prose = max((index for index, flag in enumerate(prose) if flag), default=-1)
    last_boilerplate = max((index for index, kind in enumerate(kinds) if kind), default=-1)
    if last_prose >= 0:
        for index in range(last_prose + 1, last_boilerplate):
            line = lines[index]
            if (
                kinds[index] is None
                and not prose[index]
                and line.n_words <= 12
                and not line.content.endswith(TERMINAL)
            ):
                kinds[index] = "other"
    return list(zip(lines, kinds, strict=True))


def _spans_from_lines(text: str, labelled: list[tuple[_Line, str | None]]) -> list[BoilerplateSpan]:
    """Merge labelled lines into spans running to the start of the next line of another kind.

    A span starts at its first line's first character and ends where the next kept (or
    differently labelled) line starts, so removing it leaves the body's own line breaks.
    """
    spans: list[BoilerplateSpan] = []
    current_kind: str | None = None
    current_start = 0
    for line, kind in labelled:
        if kind != current_kind:
            if current_kind is not None:
                spans.append(BoilerplateSpan(current_start, line.start, current_kind))
            current_kind, current_start = kind, line.start
    if current_kind is not None:
        spans.append(BoilerplateSpan(current_start, len(text), current_kind))
    return spans


def _wire_credits(labelled: list[tuple[_Line, str | None]]) -> list[str]:
    credits: list[str] = []
    for line, kind in labelled:
        if kind == "byline" and (SIGNOFF.match(line.content) or _is_agency_credit(line)):
            for agency in credited_agencies(line.content):
                if agency not in credits:
                    credits.append(agency)
    return credits


def clean_plain_text(text: str) -> CleanedDocument:
    """Boilerplate spans and metadata of a page saved as plain text.

    >>> doc = clean_plain_text("Body sentence one is here. And here is another one.\\n\\nes/jm (AP, AFP)\\n")
    >>> [(s.kind, doc.text[s.start_char:s.end_char]) for s in doc.boilerplate], doc.metadata.wire_credits
    ([('byline', 'es/jm (AP, AFP)\\n')], ['Associated Press', 'AFP'])
    """
    if not isinstance(text, str):
        raise ValueError(f"expected text, got {type(text).__name__}")
    labelled = classify_lines(text)
    spans = _spans_from_lines(text, labelled)
    document = CleanedDocument(text, spans, text_metadata(text))
    # The title bar wins; else the first heading of the body (not a promo or menu line).
    if not any(kind == "other" and _is_title_bar(line) for line, kind in labelled):
        document.metadata.title = first_heading(document.clean_text)
    document.metadata.wire_credits = _wire_credits(labelled)
    return document


# --- HTML ---------------------------------------------------------------------------------

# Below this many characters the precision setting's text is suspect (see _main_text).
SHORT_EXTRACTION = 400
# How far after the last kept paragraph the article's continuation is looked for.
CONTINUATION_CHARS = 20000
# Link rows: lines whose text is (almost) all link text, this many in a row.
LINK_ROW_SHARE = 0.9
LINK_ROW_RUN = 2
# Unlabelled spans longer than this stay "other" (judging every line costs time).
REFINE_MAX_LINES = 40
# Labelled containers whose text is removed even when trafilatura keeps it.
FORCED_KINDS = frozenset({"comments", "caption", "navigation", "promo", "footer"})
# Line kinds from the text classifier trusted inside trafilatura's content.
TRUSTED_LINE_KINDS = frozenset({"comments", "caption", "byline", "footer", "promo", "dateline"})


def clean_html(html: str | bytes, url: str | None = None) -> CleanedDocument:
    """The page's visible text, its labelled boilerplate spans and its metadata.

    >>> page = ("<html><body><nav><a>Home</a> <a>World</a></nav><article><h1>Talks resume</h1>"
    ...         "<p>The minister said on Tuesday that the talks would resume in Geneva next week.</p>"
    ...         "<p>Officials from both sides confirmed the date and said a deal was close.</p>"
    ...         "</article><footer>© Example News 2024</footer></body></html>")
    >>> doc = clean_html(page)
    >>> [(s.kind, doc.text[s.start_char:s.end_char].strip()) for s in doc.boilerplate if s.kind != "other"]
    [('navigation', 'Home World'), ('footer', '© Example News 2024')]
    """
    root = parse_html(html)
    page = render(root)
    if not page.text.strip():
        return CleanedDocument(page.text, [], html_metadata(root, page.text, url))
    extracted = _main_text(root, url)
    if extracted:
        content = _align(page.text, extracted)
        wrappers = _wrappers(page, content)
        page.ignore_containers(wrappers)
        content = _merge(page.text, content + _recovered_paragraphs(page, content))
        labelled = _content_lines(page.text, content)
        hints = _trusted_lines(labelled) + _link_rows(page, labelled)
        content = subtract_ranges(content, [(start, end) for start, end, _ in hints])
    else:
        hints = []
        labelled = classify_lines(page.text)
        content = content_ranges(len(page.text), _spans_from_lines(page.text, labelled))
        wrappers = _wrappers(page, content)
        page.ignore_containers(wrappers)
    content = subtract_ranges(content, _forced_container_ranges(page, content, wrappers))
    spans = _label_gaps(page, content, hints)
    metadata = html_metadata(root, page.text, url)  # last: htmldate may prune the tree
    # Sign-offs anywhere on the page count, also those the extractor dropped.
    signoffs = [
        (line, "byline")
        for line in _short_lines(page.text)
        if "(" in line.content or "/" in line.content
    ]
    metadata.wire_credits = _wire_credits(labelled + signoffs)
    return CleanedDocument(page.text, spans, metadata)


def _short_lines(text: str) -> list[_Line]:
    """The short lines of ``text`` (a regex pass: cheap on long pages)."""
    return [
        _Line(match.start(1), match.end(1), match.group(1), WORD.findall(match.group(1)), 0)
        for match in SHORT_LINE.finditer(text)
    ]


def _is_dropped_body(page: RenderedPage, line: _Line, start: int, end: int) -> bool:
    """A plain prose line: not link text, not inside a labelled container, no boilerplate cue."""
    if line.n_words < 12 or not (line.sentences or line.content.endswith(TERMINAL)):
        return False
    if page.kinds_in(start, end) or page.link_share(start, end) > 0.2:
        return False
    if sum(len(url) for url in URL.findall(line.content)) > 0.3 * len(line.content):
        return False  # image and file listings
    return _resolve_name_run(_line_kind(line), False) is None


def _recovered_paragraphs(
    page: RenderedPage, content: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Body paragraphs the main-content decision dropped: plain prose lines between two kept
    ones, and the article's continuation right after the last kept one (extractors often stop
    at an ad slot that splits the body in two containers).

    Never above the first kept paragraph: prose there is mostly standfirsts, photo captions
    and teasers, which the benchmark's annotators (and wiretrace) leave out.
    """
    if not content:
        return []
    first, last = content[0][1], content[-1][0]
    recovered: list[tuple[int, int]] = []
    for line in _lines(page.text[first:last]):
        start, end = line.start + first, line.end + first
        if not _overlap(start, end, content) and _is_dropped_body(page, line, start, end):
            recovered.append((start, end))
    # The continuation: prose lines after the last kept one, allowing a few short lines in
    # between ("Advertisement"), up to the first line that is neither.
    tail = content[-1][1]
    skipped = 0
    for line in _lines(page.text[tail : tail + CONTINUATION_CHARS]):
        start, end = line.start + tail, line.end + tail
        if _is_dropped_body(page, line, start, end):
            recovered.append((start, end))
            skipped = 0
        elif line.n_words <= 3 and skipped < 2 and _line_kind(line) in (None, "promo"):
            skipped += 1
        else:
            break  # a comments marker, a byline, a menu, a footer, a teaser: the body is over
    return recovered


def _content_lines(text: str, content: list[tuple[int, int]]) -> list[tuple[_Line, str | None]]:
    """The single-line judgement of every line that the main-content decision kept."""
    labelled: list[tuple[_Line, str | None]] = []
    for start, end in content:
        for line in _lines(text[start:end]):
            shifted = _Line(
                line.start + start, line.end + start, line.content, line.words, line.sentences
            )
            labelled.append((shifted, _resolve_name_run(_line_kind(shifted), False)))
    # A comment section the extractor took for body (no comment container in the markup);
    # its marker ("Leave a Reply") may be one of the lines the extractor dropped.
    if not labelled:
        return labelled
    markers = _comment_markers(text, labelled[0][0].start, content)
    if markers:
        labelled = sorted(labelled + [(marker, "comments") for marker in markers], key=_line_start)
    lines = [line for line, _ in labelled]
    kinds = [kind for _, kind in labelled]
    _mark_comment_section(lines, kinds)
    return [
        (line, kind)
        for line, kind in zip(lines, kinds, strict=True)
        if _overlap(line.start, line.end, content)
    ]


def _line_start(item: tuple[_Line, str | None]) -> int:
    return item[0].start


def _comment_markers(text: str, start: int, content: list[tuple[int, int]]) -> list[_Line]:
    """Comment markers after ``start`` outside ``content`` (short lines: a cheap pre-check)."""
    markers: list[_Line] = []
    for match in SHORT_LINE.finditer(text, start):
        content_line = match.group(1)
        if COMMENT_MARKER.match(content_line) and not _overlap(
            match.start(1), match.end(1), content
        ):
            markers.append(
                _Line(match.start(1), match.end(1), content_line, WORD.findall(content_line), 0)
            )
    return markers


def _main_text(root, url: str | None) -> str | None:
    """trafilatura's main text of the page, comments excluded.

    Its precision setting without its fallback extractors first (fast, and as good as with
    them on news once wiretrace's own DOM rules have run). When that keeps next to nothing (a
    page it misreads), the full precision setting with its fallbacks; if that is still short,
    the recall setting's text if it finds several times more (a short article stays short).
    """
    text = _trafilatura(root, url, favor_precision=True, fast=True)
    if text is not None and len(text) >= SHORT_EXTRACTION:
        return text
    thorough = _trafilatura(root, url, favor_precision=True)
    if thorough and len(thorough) > len(text or ""):
        text = thorough
    if text is None or len(text) < SHORT_EXTRACTION:
        fuller = _trafilatura(root, url, favor_recall=True)
        if fuller and len(fuller) >= 3 * len(text or ""):
            return fuller
    return text


def _trafilatura(root, url: str | None, **setting: bool) -> str | None:
    import trafilatura

    try:
        return trafilatura.extract(
            root,
            url=url,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
            deduplicate=False,
            **setting,
        )
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None


def _locate(text: str, line: str, cursor: int) -> tuple[int, int] | None:
    """Where an extracted line sits in the rendered text: exact, then word by word."""
    if line.startswith("- "):  # trafilatura's list bullets are not in the page text
        line = line[2:]
    position = text.find(line, cursor)
    if position < 0:
        position = text.find(line)
    if position >= 0:
        return position, position + len(line)
    words = TOKEN.findall(line)
    if not words:
        return None
    pattern = re.compile(r"\W*".join(re.escape(word) for word in words))
    match = pattern.search(text, cursor) or pattern.search(text)
    return match.span() if match else None


def _align(text: str, extracted: str) -> list[tuple[int, int]]:
    """Ranges of ``text`` that carry the extracted lines (in order where possible)."""
    ranges: list[tuple[int, int]] = []
    cursor = 0
    for raw in extracted.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        found = _locate(text, line, cursor)
        if found is None:
            # Lists and tables are rendered with other separators: place piece by piece.
            words = TOKEN.findall(line)
            for first in range(0, len(words), 6):
                piece = " ".join(words[first : first + 6])
                part = _locate(text, piece, cursor)
                if part is not None:
                    ranges.append(part)
                    cursor = max(cursor, part[1])
            continue
        ranges.append(found)
        cursor = max(cursor, found[1])
    return _merge(text, ranges)


def _merge(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted union of ranges; ranges separated only by whitespace are joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _link_rows(
    page: RenderedPage, labelled: list[tuple[_Line, str | None]]
) -> list[tuple[int, int, str]]:
    """Runs of kept lines that are nothing but links (a related-stories list the extractor
    let through): two or more in a row, none of them a sentence."""
    rows: list[tuple[int, int, str]] = []
    run: list[_Line] = []
    for line, kind in labelled:
        if (
            kind is None
            and not line.content.endswith(TERMINAL)
            and page.link_share(line.start, line.end) >= LINK_ROW_SHARE
        ):
            run.append(line)
            continue
        if len(run) >= LINK_ROW_RUN:
            rows.extend((row.start, row.end, "promo") for row in run)
        run = []
    if len(run) >= LINK_ROW_RUN:
        rows.extend((row.start, row.end, "promo") for row in run)
    return rows


def _trusted_lines(labelled: list[tuple[_Line, str | None]]) -> list[tuple[int, int, str]]:
    return [
        (line.start, line.end, kind)
        for line, kind in labelled
        if kind is not None and kind in TRUSTED_LINE_KINDS
    ]


def _overlap(start: int, end: int, ranges: list[tuple[int, int]]) -> int:
    """Characters of ``[start, end)`` covered by ``ranges`` (sorted, disjoint)."""
    index = max(0, bisect_right(ranges, (start, start)) - 1)
    covered = 0
    while index < len(ranges) and ranges[index][0] < end:
        range_start, range_end = ranges[index]
        if range_end > start:
            covered += min(end, range_end) - max(start, range_start)
        index += 1
    return covered


def _wrappers(page: RenderedPage, content: list[tuple[int, int]]) -> set[int]:
    """Labelled containers that hold most of the main content: their label is a false cue
    (``<body class="... replies ...">``, ``<div class="article sidebar-layout">``)."""
    total = sum(end - start for start, end in content)
    return {
        container_id
        for container_id, container in enumerate(page.containers)
        if container is not None
        and container.tag not in TAG_KINDS  # <nav>, <footer>, <figure>... mean what they say
        and _overlap(container.start_char, container.end_char, content) > 0.5 * total
    }


def _forced_container_ranges(
    page: RenderedPage, content: list[tuple[int, int]], wrappers: set[int]
) -> list[tuple[int, int]]:
    """Labelled containers (comments, captions, menus, related links, footers) inside the
    content, except the wrappers that hold most of it."""
    forced: list[tuple[int, int]] = []
    for container_id, container in enumerate(page.containers):
        if container is None or container.kind not in FORCED_KINDS or container_id in wrappers:
            continue
        if _overlap(container.start_char, container.end_char, content):
            forced.append((container.start_char, container.end_char))
    return forced


def _label_gaps(
    page: RenderedPage,
    content: list[tuple[int, int]],
    hints: list[tuple[int, int, str]] | None = None,
) -> list[BoilerplateSpan]:
    """Spans for everything outside ``content``, split by the kind of container it came from.

    A gap's leading whitespace stays (it separates the body lines on either side); when the gap
    has none, its trailing whitespace stays instead.
    """
    text = page.text
    spans: list[BoilerplateSpan] = []
    for gap_start, gap_end in content_ranges(
        len(text), [BoilerplateSpan(s, e, "x") for s, e in content]
    ):
        piece = text[gap_start:gap_end]
        stripped_left = len(piece) - len(piece.lstrip())
        if stripped_left == len(piece):
            continue
        if stripped_left or gap_start == 0:
            start, end = gap_start + stripped_left, gap_end
        else:
            start, end = gap_start, gap_end - (len(piece) - len(piece.rstrip()))
        for span in _split_by_kind(page, start, end):
            spans.extend(_refine_other(page, span) if span.kind == "other" else [span])
    if hints:
        spans = [_hinted(span, hints) for span in spans]
    return spans


def _hinted(span: BoilerplateSpan, hints: list[tuple[int, int, str]]) -> BoilerplateSpan:
    """The kind the text classifier gave the line that covers most of ``span``, if any."""
    for start, end, kind in hints:
        if min(end, span.end_char) - max(start, span.start_char) > span.length / 2:
            return BoilerplateSpan(span.start_char, span.end_char, kind)
    return span


def _refine_other(page: RenderedPage, span: BoilerplateSpan) -> list[BoilerplateSpan]:
    """Give the lines of an unlabelled span a kind from their own cues: the text classifier's
    (bylines, dates, promos, menus), else link rows (short links: a menu; headline-long links:
    related stories)."""
    lines = _lines(page.text[span.start_char : span.end_char])
    if not lines or len(lines) > REFINE_MAX_LINES:
        return [span]
    refined: list[BoilerplateSpan] = []
    run_kind, run_start = None, span.start_char
    for index, line in enumerate(lines):
        start, end = line.start + span.start_char, line.end + span.start_char
        kind = _resolve_name_run(_line_kind(line), True)
        if kind is None and page.link_share(start, end) > 0.6:
            kind = "promo" if line.n_words >= 5 else "navigation"
        if kind is None and index and (line.n_words < 2 or run_kind == "comments"):
            # Counters, bullets, icons belong to whatever surrounds them; after a comments
            # marker come commenters and their posts.
            kind = run_kind
        kind = kind or "other"
        if index == 0:
            run_kind = kind
        elif kind != run_kind:
            refined.append(BoilerplateSpan(run_start, start, run_kind or "other"))
            run_kind, run_start = kind, start
    refined.append(BoilerplateSpan(run_start, span.end_char, run_kind or "other"))
    return refined


def _split_by_kind(page: RenderedPage, start: int, end: int) -> list[BoilerplateSpan]:
    spans: list[BoilerplateSpan] = []
    index = max(0, bisect_right(page.chunk_starts, start) - 1)
    run_kind = page.kind_at(start) or "other"
    run_start = start
    while index < len(page.chunk_starts) and page.chunk_starts[index] < end:
        chunk_start = page.chunk_starts[index]
        kind = page.chunk_kinds[index] or "other"
        if chunk_start > run_start and kind != run_kind:
            spans.append(BoilerplateSpan(run_start, chunk_start, run_kind))
            run_start = chunk_start
        if chunk_start <= run_start or kind != run_kind:
            run_kind = kind
        index += 1
    spans.append(BoilerplateSpan(run_start, end, run_kind))
    return spans


# --- outlet templates ------------------------------------------------------------------------


def outlet_key(doc_key: str, outlet: str | None) -> str | None:
    """The outlet a document's template lines are counted in: its outlet name, else its host."""
    if outlet and outlet.strip():
        return " ".join(outlet.lower().split())
    host = urlparse(doc_key).hostname if "://" in doc_key else None
    return host.removeprefix("www.") if host else None


def _block_key(content: str) -> str:
    return " ".join(TOKEN.findall(content.lower()))


_SENTENCE_BIT = 1


def block_hash(block: str) -> int:
    """A line's block key as a uint64 with the low bit clear (that bit marks sentences in
    ``DocumentBlocks.body_blocks``)."""
    return xxhash.xxh64_intdigest(block.encode("utf-8")) & ~_SENTENCE_BIT


# The kind of a template span, by where its line stands among the body's prose lines.
TEMPLATE_KINDS = ("navigation", "footer", "promo")
# A piece of a body line that becomes a template span if the line's block is marked: the
# line's body-block entry, its kind (an index into ``TEMPLATE_KINDS``) and the characters (the
# line with its newline, less what cleaning already made boilerplate). Known when a document
# is cleaned, so that marking it later needs neither its text nor its lines.
TEMPLATE_PIECE = np.dtype([("entry", "<u8"), ("kind", "u1"), ("start", "<u4"), ("end", "<u4")])


@dataclass
class DocumentBlocks:
    """What template detection needs of a document, without its text (persistable):
    ``blocks``, the distinct block hashes of all its lines, marked or not (what the outlet's
    counts count), and ``body_blocks``, those of its body lines with the low bit set for a
    sentence (what may become template). Sorted uint64 arrays. ``pieces``: the
    ``TEMPLATE_PIECE`` rows of its body lines in text order (``marked_spans``)."""

    outlet_key: str | None
    blocks: np.ndarray
    body_blocks: np.ndarray
    pieces: np.ndarray | None = None


def _is_sentence(line: _Line) -> bool:
    return line.sentences >= 1 or line.content.endswith(TERMINAL)


def _hashed_lines(lines: Sequence[_Line]) -> list[tuple[_Line, int]]:
    """The lines that have words, with their block hash."""
    return [(line, block_hash(block)) for line in lines if (block := _block_key(line.content))]


def _body_lines(
    document: CleanedDocument, hashed: list[tuple[_Line, int]] | None = None
) -> list[tuple[_Line, int]]:
    """Body lines (at least half outside the boilerplate) with their body-block entry;
    ``hashed``: the document's ``_hashed_lines``, when the caller has them already."""
    ranges = document.content_ranges()
    if hashed is None:
        hashed = _hashed_lines(_lines(document.text))
    return [
        (line, block | (_SENTENCE_BIT * _is_sentence(line)))
        for line, block in hashed
        if _overlap(line.start, line.end, ranges) >= (line.end - line.start) / 2
    ]


def document_blocks(doc_key: str, outlet: str | None, document: CleanedDocument) -> DocumentBlocks:
    """The blocks of ``document`` (its boilerplate as cleaning found it, without template
    spans: a line is counted wherever it stands, so that marking is the same whichever
    documents were marked before, or after a run killed half way), and its template pieces.

    ``_lines`` is memoised: right after ``clean_plain_text`` of the same text it costs nothing.
    """
    hashed = _hashed_lines(_lines(document.text))
    body = _body_lines(document, hashed)
    return DocumentBlocks(
        outlet_key(doc_key, outlet),
        np.array(sorted({block for _, block in hashed}), dtype=np.uint64),
        np.array(sorted({entry for _, entry in body}), dtype=np.uint64),
        _template_pieces(document, body),
    )


def block_counts(blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct block hashes of an outlet's documents (``DocumentBlocks.blocks`` of each) and
    in how many documents each is."""
    if not blocks:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(blocks), return_counts=True)


def template_blocks(
    blocks: DocumentBlocks, counts: tuple[np.ndarray, np.ndarray], group_size: int
) -> np.ndarray:
    """The body blocks of a document that are its outlet's template, given the outlet's
    ``block_counts`` and number of documents.

    A line that is not a sentence (a label, a link row) is template once it is in two
    documents of one outlet. A sentence needs three documents and half of the outlet's: two
    stories of one outlet may well quote the same wire sentence or reuse their own background
    paragraph, and that is reuse to report, not template.
    """
    return outlet_template_blocks([blocks.body_blocks], counts, group_size)[0]


def outlet_template_blocks(
    body_blocks: list[np.ndarray], counts: tuple[np.ndarray, np.ndarray], group_size: int
) -> list[np.ndarray]:
    """``template_blocks`` of many documents of one outlet (their ``body_blocks``) at once:
    one lookup of all their blocks in the counts, not one per document.

    >>> counts = (np.array([2, 4], dtype=np.uint64), np.array([5, 1]))
    >>> [m.tolist() for m in outlet_template_blocks([np.array([2, 4], dtype=np.uint64)] * 2,
    ...                                             counts, 5)]
    [[2], [2]]
    """
    if not body_blocks:
        return []
    body = np.concatenate(body_blocks)
    hashes, per_block = counts
    keys = body & ~np.uint64(_SENTENCE_BIT)
    if len(hashes):
        positions = np.minimum(np.searchsorted(hashes, keys), len(hashes) - 1)
        count = np.where(hashes[positions] == keys, per_block[positions], 0)
    else:
        count = np.zeros(len(keys), dtype=np.int64)
    sentence = (body & np.uint64(_SENTENCE_BIT)).astype(bool)
    rejected = (count < 2) | (sentence & ((count < 3) | (count < group_size / 2)))
    owner = np.repeat(np.arange(len(body_blocks)), [len(blocks) for blocks in body_blocks])
    kept_per_document = np.bincount(owner[~rejected], minlength=len(body_blocks))
    return np.split(body[~rejected], np.cumsum(kept_per_document)[:-1])


def template_spans(document: CleanedDocument, marked: np.ndarray) -> list[BoilerplateSpan]:
    """Spans for the body lines of ``document`` whose body-block entry is in ``marked``
    (``template_blocks``); ``document.boilerplate`` is cleaning's, template spans excluded."""
    if not len(marked):
        return []
    return marked_spans(_template_pieces(document, _body_lines(document)), marked)


def marked_spans(pieces: np.ndarray, marked: np.ndarray) -> list[BoilerplateSpan]:
    """The template spans of a document from its ``DocumentBlocks.pieces`` and its marked
    body blocks (``template_blocks``): what ``template_spans`` gives, without the text."""
    if not len(marked) or not len(pieces):
        return []
    chosen = pieces[np.isin(pieces["entry"], marked)]
    return [
        BoilerplateSpan(start, end, TEMPLATE_KINDS[kind])
        for start, end, kind in zip(
            chosen["start"].tolist(), chosen["end"].tolist(), chosen["kind"].tolist(), strict=True
        )
    ]


def _template_pieces(document: CleanedDocument, body: list[tuple[_Line, int]]) -> np.ndarray:
    """The ``TEMPLATE_PIECE`` rows of the body lines ``body`` (``_body_lines``), in order."""
    ranges = document.content_ranges()
    prose_positions = [line.start for line, _ in body if line.is_prose]
    first_prose = prose_positions[0] if prose_positions else 0
    last_prose = prose_positions[-1] if prose_positions else len(document.text)
    pieces: list[tuple[int, int, int, int]] = []
    for line, entry in body:
        long_paragraph = line.n_words >= 40
        if line.start < first_prose:
            kind = 0  # navigation
        elif line.start > last_prose or (line.start == last_prose and not long_paragraph):
            kind = 1  # footer
        else:
            kind = 2  # promo
        end = line.end
        if document.text[end : end + 1] == "\n":
            end += 1
        # Only the part not already boilerplate: spans of one document never overlap.
        for piece_start, piece_end in _intersect(line.start, end, ranges):
            pieces.append((entry, kind, piece_start, piece_end))
    return np.array(pieces, dtype=TEMPLATE_PIECE)


def template_boilerplate(
    docs: list[tuple[str, str | None, CleanedDocument]],
) -> dict[str, list[BoilerplateSpan]]:
    """Extra spans for body lines repeated across documents of the same outlet
    (``template_blocks``); the same line in documents of different outlets is never template.
    ``docs`` are ``(doc_key, outlet, document)`` with cleaning's boilerplate only.

    A nightly run does the same from persisted ``DocumentBlocks`` (``flows.stages``), reading
    only the texts of documents whose template lines changed.

    >>> body = "Talks resume in Geneva next week, the minister said on Tuesday."
    >>> standing = "Example News is an independent newsroom based in Oslo."
    >>> docs = [(f"d{i}", "Example News", clean_plain_text(f"{body} {i}\\n{standing}\\n"))
    ...         for i in range(3)]
    >>> {key: [s.kind for s in spans] for key, spans in template_boilerplate(docs).items()}
    {'d0': ['footer'], 'd1': ['footer'], 'd2': ['footer']}
    >>> template_boilerplate(docs[:2])
    {}
    """
    blocks = {
        doc_key: document_blocks(doc_key, outlet, document) for doc_key, outlet, document in docs
    }
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_key, found in blocks.items():
        if found.outlet_key is not None:
            groups[found.outlet_key].append(doc_key)
    documents = {doc_key: document for doc_key, _, document in docs}
    extra: dict[str, list[BoilerplateSpan]] = {}
    for members in groups.values():
        counts = block_counts([blocks[key].blocks for key in members])
        for doc_key in members:
            marked = template_blocks(blocks[doc_key], counts, len(members))
            spans = template_spans(documents[doc_key], marked)
            if spans:
                extra[doc_key] = spans
    return extra


def _intersect(start: int, end: int, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [
        (max(start, range_start), min(end, range_end))
        for range_start, range_end in ranges
        if range_start < end and start < range_end
    ]


__all__ = [
    "Metadata",
    "classify_lines",
    "clean_html",
    "clean_plain_text",
    "credited_agencies",
    "template_boilerplate",
]
