"""What a document says about itself: title, outlet, author, publication date, wire credits.

Two sources of cues, both pure functions:

* plain text (scraped pages saved as text): title bars such as
  ``Title | News | DW | 11.10.2016``, bylines such as ``By Liu Xin Source:Global Times
  Published: 2017/10/13 23:03:39``, ``Last Updated: 07/27/2016`` lines, copyright lines;
* HTML: ``<meta>`` tags (Open Graph, Dublin Core, ``article:*``), JSON-LD ``NewsArticle``
  objects, ``<time datetime>`` elements, ``<title>``.

>>> meta = text_metadata("Missiles and more | News | DW | 11.10.2016\\nBody text here.")
>>> meta.title, meta.outlet, meta.published_at.date().isoformat()
('Missiles and more', 'DW', '2016-10-11')
>>> meta = text_metadata("By Liu Xin Source:Global Times Published: 2017/10/13 23:03:39")
>>> meta.author, meta.outlet, meta.published_at.isoformat()
('Liu Xin', 'Global Times', '2017-10-13T23:03:39')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from dedup.records import Metadata

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:(?:[ T,]+|\s+at\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<ampm>[ap]\.?m\.?))?)?"
_MONTH_NAME = r"(?P<month_name>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
DATE_PATTERNS = (
    # 2017/10/13 23:03:39, 2017-10-13T23:03, 2017.10.13
    re.compile(
        r"\b(?P<year>(?:19|20)\d{2})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)" + _TIME,
        re.I,
    ),
    # 11.10.2016 (day first, European) and 07/27/2016 (month first unless impossible)
    re.compile(
        r"\b(?P<first>\d{1,2})(?P<sep>[./-])(?P<second_part>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d{2})\b"
        + _TIME,
        re.I,
    ),
    # October 11, 2016 / Oct. 11 2016
    re.compile(
        _MONTH_NAME + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})\b" + _TIME,
        re.I,
    ),
    # 11 October 2016
    re.compile(
        r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+"
        + _MONTH_NAME
        + r",?\s+(?P<year>(?:19|20)\d{2})\b"
        + _TIME,
        re.I,
    ),
)
PUBLISHED_CUE = re.compile(
    r"\b(?:published|posted|first published|date)\s*(?:on|at)?\s*:?\s*", re.I
)
UPDATED_CUE = re.compile(r"\b(?:last\s+updated|updated|modified)\s*(?:on|at)?\s*:?\s*", re.I)
BYLINE = re.compile(
    r"^\s*(?i:by)\s+(?P<author>[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|de|van|von|da|al|bin|and|&))*)",
    re.MULTILINE,
)
SOURCE_CUE = re.compile(
    r"\b(?i:source)\s*:\s*(?P<outlet>[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*){0,4})"
)
COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?P<holder>[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*){0,5}?)"
    r"(?:\s+(?:LLC|Inc|Ltd|GmbH|Corp|Corporation|Company|Co|plc|S\.A\.|AG)\b\.?|\s+\d{4}|[.,;]|\s+All\b|\s*$)",
    re.I,
)


# ``Headline | Section | Outlet``: tried from the first space of a run only (a later start in
# the run reaches the same bar, and a split match never starts right after the previous one's
# spaces), not from each space, each running over the rest of the run.
TITLE_BAR_SEPARATOR = re.compile(r"(?<!\s)\s++[|•·]\s+")


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and edit)."""
    return frozenset(words.split())


# Section words of title bars, never an outlet's name.
SECTION_WORDS = _word_set(
    "news world politics business sport sports opinion tech technology science health culture "
    "entertainment lifestyle travel video videos home latest breaking local national "
    "international economy europe asia africa americas us uk analysis features blog blogs"
)


def parse_date(value: str) -> datetime | None:
    """The first date (and time, if given) written in ``value``; None if there is none.

    >>> parse_date("Last Updated: 07/27/2016"), parse_date("11.10.2016")
    (datetime.datetime(2016, 7, 27, 0, 0), datetime.datetime(2016, 10, 11, 0, 0))
    >>> parse_date("Oct. 13, 2017 at 11:03 pm")
    datetime.datetime(2017, 10, 13, 23, 3)
    """
    found = find_date(value)
    return found[0] if found else None


def find_date(value: str) -> tuple[datetime, int, int] | None:
    """The earliest date written in ``value``, with its start and end.

    >>> find_date("Updated: 07/27/2016 10:05")
    (datetime.datetime(2016, 7, 27, 10, 5), 9, 25)
    """
    best: tuple[datetime, int, int] | None = None
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(value):
            if best is not None and match.start() >= best[1]:
                break
            parsed = _date_from_match(match)
            if parsed is not None:
                best = (parsed, match.start(), match.end())
                break
    return best


def _date_from_match(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if groups.get("month_name"):
        month = MONTHS.get(groups["month_name"].lower().rstrip("."), 0)
        day = int(groups["day"])
    elif groups.get("first"):
        first, second = int(groups["first"]), int(groups["second_part"])
        # Dots and dashes are written day first; slashes month first unless that is impossible.
        month_first = first <= 12 if groups["sep"] == "/" else second > 12
        month, day = (first, second) if month_first else (second, first)
    else:
        month, day = int(groups["month"]), int(groups["day"])
    hour = int(groups["hour"]) if groups.get("hour") else 0
    minute = int(groups["minute"]) if groups.get("minute") else 0
    second_value = int(groups["second"]) if groups.get("second") else 0
    ampm = (groups.get("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, minute, second_value)
    except ValueError:
        return None


def _cued_date(text: str, cue: re.Pattern[str]) -> datetime | None:
    for match in cue.finditer(text):
        found = find_date(text[match.end() : match.end() + 60])
        if found and found[1] <= 3:
            return found[0]
    return None


def _clean_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip(" .,;:|-–—")


def text_metadata(text: str, head_chars: int = 3000) -> Metadata:
    """Metadata from the cues at the top of a plain-text page (and its copyright line).

    >>> text_metadata(". Last Updated: 07/27/2016\\n\\nRussia, China Consider Joint Missile Defense").published_at
    datetime.datetime(2016, 7, 27, 0, 0)
    """
    metadata = Metadata()
    head = text[:head_chars]
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    _title_bar(lines[:5], metadata)
    byline = BYLINE.search(head)
    if byline:
        author = re.split(
            r"\s+(?:Source|Published|Updated|Posted|Last)\b|\s*[|,;:]", byline.group("author")
        )[0]
        if 1 <= len(author.split()) <= 6:
            metadata.author = metadata.author or _clean_name(author)
    source = SOURCE_CUE.search(head)
    if source and not metadata.outlet:
        outlet = re.split(r"\s+(?:Published|Updated|Posted|Last|By)\b", source.group("outlet"))[0]
        metadata.outlet = _clean_name(outlet)
    if metadata.published_at is None:
        metadata.published_at = _cued_date(head, PUBLISHED_CUE) or _cued_date(head, UPDATED_CUE)
    if not metadata.outlet:
        tail = text[-2000:]
        copyright_line = COPYRIGHT.search(tail)
        if copyright_line:
            holder = _clean_name(copyright_line.group("holder"))
            if holder and len(holder.split()) <= 6:
                metadata.outlet = holder
    if metadata.title is None:
        metadata.title = _first_heading(lines[:8])
    return metadata


def _title_bar(lines: list[str], metadata: Metadata) -> None:
    """``Title | Section | Outlet | date`` bars, as page titles are often saved."""
    for line in lines:
        parts = [part.strip() for part in TITLE_BAR_SEPARATOR.split(line) if part.strip()]
        if len(parts) < 2:
            continue
        title = parts[0]
        rest = parts[1:]
        for part in rest:
            found = find_date(part)
            if found and metadata.published_at is None:
                metadata.published_at = found[0]
        names = [
            part
            for part in rest
            if not find_date(part)
            and part.lower() not in SECTION_WORDS
            and 1 <= len(part.split()) <= 4
        ]
        if names:
            metadata.outlet = names[-1]
        if len(title.split()) >= 2:
            metadata.title = title
        return


def first_heading(text: str, max_lines: int = 8) -> str | None:
    """The first heading-like line (see :func:`headline`) among the first ``max_lines``.

    A kicker (a label of at most three words right above a longer heading, as in
    ``The best offense`` / ``Russia, China Warn U.S. About Missile Defense``) gives way to
    the heading below it.

    >>> first_heading("China, Russia oppose THAAD\\n\\nBy Liu Xin")
    'China, Russia oppose THAAD'
    >>> first_heading("Analysis\\nTalks resume in Geneva after three months\\n\\nBody.")
    'Talks resume in Geneva after three months'
    >>> first_heading("Share on Facebook Share on X\\n12 min ago\\nTalks resume in Geneva\\nBody.")
    'Talks resume in Geneva'
    """
    raw_lines = text.splitlines()
    lines = [line.strip() for line in raw_lines if line.strip()][:max_lines]
    heading = _first_heading(lines)
    if heading is None or len(heading.split()) > 3:
        return heading
    for index, raw in enumerate(raw_lines[:-1]):
        if headline(raw.strip()) == heading:
            following = headline(raw_lines[index + 1].strip())
            if following is not None and len(following.split()) >= 4:
                return following
            break
    return heading


def _first_heading(lines: list[str]) -> str | None:
    """The first of ``lines`` that is a headline, looked for above the body only: a headline
    opens an article, and a heading-like line below a paragraph is a subheading, a related
    link or a caption. A line right below a photo credit is that photo's caption."""
    below_credit = False
    for line in lines:
        found = headline(line)
        if found is not None and not below_credit:
            return found
        if found is None and _is_prose(line):
            return None
        below_credit = len(line) <= HEADLINE_MAX_CHARS and unreadable_title(line) == "credit"
    return None


# --- Titles -------------------------------------------------------------------------------
#
# A title is what a reader sees in a list of documents: it must be a headline, never a page's
# UI label ("Skip to content"), a timestamp ("9 min ago"), a row of share buttons or a photo
# credit, all of which scraped text puts above the headline. The rules are about the shape of
# a line (length, capitals, sentence end, words drawn from a closed vocabulary), not about
# any one site. Each pattern below is linear: anchored, possessive or made of literal words.

# Headlines run from two words ("Talks resume") to about twenty; longer lines are paragraphs.
HEADLINE_MIN_WORDS = 2
HEADLINE_MAX_WORDS = 20
HEADLINE_MAX_CHARS = 200
# Up to this many words, a line of capitalised words only is a name, an outlet or a label
# ("Lucas Shaw", "CBS News", "On The Hill"), not a headline (which has a lower-case verb).
SHORT_LINE_WORDS = 3
# Title case: this share of a line's words (other than short function words) capitalised. A
# title-case line ending in "." or "?" is still a headline; a sentence-case one is body text.
TITLE_CASE_SHARE = 0.8

SMALL_WORDS = _word_set(
    "a an the and or but nor for of in on at to by with from as via vs is are be into over"
)
# Words of page furniture: a line made of these only (and numbers) is a UI label.
UI_WORDS = _word_set(
    "a an the of to in on by for and or here now this all your our you us "
    "advertisement advertising ad ads sponsored supported promoted partner content "
    "caret arrow down up left right toggle caption captions skip main menu navigation nav "
    "close open show more less hide expand collapse search subscribe subscribed unsubscribe "
    "sign log login logout register account profile settings shop store gift "
    "image images photo photos picture pictures gallery slideshow video videos play pause "
    "watch listen audio podcast podcasts edition editions loading cookie cookies accept "
    "newsletter newsletters purchase order reprint reprints licensing permalink go back next "
    "previous prev top view comments comment story stories continued continue reading below "
    "above read full print font size text zoom live updates update donate help feedback "
    "enlarge fullscreen screen mode dark light toggled click tap button link links save saved "
    "bookmark bookmarks reply replies load page pages of related topics topic"
)
# Share buttons and the networks they name; a share row holds at least one action word.
SHARE_WORDS = _word_set(
    "share shares shared tweet retweet email emails e mail facebook twitter google linkedin "
    "linked in pinterest whatsapp reddit messenger print comments comment fb g pin pinit save "
    "tw li wa whats app gplus copy link url sms flipboard tumblr instagram telegram x threads "
    "bluesky mastodon follow "
    "bio post to on this via cancel send story article with us"
)
SHARE_ACTIONS = _word_set("share shares tweet retweet email emails mail print pin pinit send post")
# Words of a timestamp line ("Updated 3:41 PM ET", "9 min ago", "Thursday, May 30, 2019").
TIMESTAMP_WORDS = _word_set(
    "updated update published posted last modified first on at of in the today yesterday "
    "just now ago am pm a p m et pt ct mt utc gmt edt est pdt pst cdt cst mdt mst bst cet "
    "cest ist aest hkt jst t z min mins minute minutes h hr hrs hour hours d day days w "
    "week weeks mo month months s sec secs second seconds st nd rd th read"
    " monday tuesday wednesday thursday friday saturday sunday"
    " mon tue tues wed thu thur thurs fri sat sun"
) | frozenset(MONTHS)
RELATIVE_TIME_WORDS = _word_set("ago now today yesterday")
# Imperatives of page furniture opening a line: "Skip to content", "Subscribe to our ...".
CALL_TO_ACTION = re.compile(
    r"(?i)(?:skip\s++to|go\s++to|sign\s++(?:up|in)|log\s*+in|subscribe|unsubscribe|click|tap\s++here"
    r"|chat\s++with\s++us|follow\s++us|download\s++(?:the|our)|read\s++(?:more|the\s++full|full)"
    r"|continue\s++reading|see\s++(?:more|all)|show\s++(?:more|less)|view\s++(?:comments|gallery|all|more)"
    r"|toggle|share\s++(?:on|this|via|to|with)|you\s++have\s++successfully|to\s++read\s++the\s++full"
    r"|order\s++reprint|purchase\s*+:|(?:this|the)\s++(?:story|article|page)\s++(?:continues|is\s++available))\b"
)
# "Photo: ...", "Image by ...", "Photo illustration: ...", "Screenshot: ...".
CREDIT_CUE = re.compile(
    r"(?i)\W*+(?:(?:photo(?:graph)?|image|picture|pic|screenshot|screengrab|illustration|credit"
    r"|graphic|video|file|top)s?+\s*+){1,2}(?::|by\b|courtesy\b)"
)
# A picture agency after a separator: "Name, AFP/Getty Images", "(AP Photo/Jane Doe)",
# "Name | Getty Images", "Name/Invision/AP".
PICTURE_AGENCY = re.compile(
    r"(?i)[/|(,:]\s*+(?:getty\s++images|getty|ap\s++photo|afp\s++photo|reuters\s++photo|ap|afp"
    r"|reuters|epa(?:-efe)?+|shutterstock|istock(?:photo)?+|alamy|invision|nurphoto|zuma(?:\s++press)?+"
    r"|sipa(?:\s++usa)?+|pool|handout|bloomberg|xinhua|picture\s++alliance|imago|dpa)\b"
)
# Names joined by a slash, as credits write photographer and agency: "Jane Doe/Example".
SLASHED_NAMES = re.compile(r"[^\W\d_]\s*+/\s*+[^\W\d_]")
# Characters of code or markup, never of a headline: "window._x = window._x || [];".
CODE_CHARACTERS = re.compile(r"[{}\[\];=<>@]")
# "Opinion | Headline", "Analysis: Headline": the section kicker in front of a headline.
KICKER = re.compile(r"([^\W\d_]++)\s*+[|:]\s*+(?=\S)")
KICKER_WORDS = SECTION_WORDS | _word_set(
    "opinion analysis exclusive breaking live update watch listen review editorial commentary "
    "perspective explainer interview column letters factcheck"
)


def _words(line: str) -> list[str]:
    """The words of ``line`` in lower case, glued UI words split (``fbShare`` -> ``fb share``,
    ``FacebookEmail`` -> ``facebook email``) and digits apart from letters (``1of`` -> ``1 of``)."""
    words: list[str] = []
    for token in re.findall(r"[^\W_]++", line):
        start = 0
        for index in range(1, len(token)):
            before, here = token[index - 1], token[index]
            if (before.islower() and here.isupper()) or (before.isdigit() != here.isdigit()):
                words.append(token[start:index].lower())
                start = index
        words.append(token[start:].lower())
    return words


def unreadable_title(line: str) -> str | None:
    """Why ``line`` is no title a reader could use, or None if it may be one.

    ``label`` (page furniture: ``Skip to content``, ``A A``, ``Image 1 of 3``), ``timestamp``
    (``9 min ago``, ``Updated 3:41 PM ET``), ``share row`` (``Share on Facebook Share on X``)
    or ``credit`` (``Jane Doe/Getty Images``, ``Photo: Jane Doe``).

    >>> [unreadable_title(line) for line in ("Caret down", "2 hours ago", "Email Print Tweet")]
    ['label', 'timestamp', 'share row']
    >>> unreadable_title("Jane Doe, AFP/Getty Images"), unreadable_title("Talks resume in Geneva")
    ('credit', None)
    """
    words = _words(line)
    if not words:
        return "label"
    if all(word in SHARE_WORDS for word in words) and any(w in SHARE_ACTIONS for w in words):
        return "share row"
    if _is_timestamp(line, words):
        return "timestamp"
    if _is_credit(line, words):
        return "credit"
    if _is_label(line, words):
        return "label"
    return None


def _is_timestamp(line: str, words: list[str]) -> bool:
    """Only date and time words and numbers (``Thursday, May 30, 2019 20:09``, ``9 min ago``),
    or a date with one word more (an agency or a place: ``AP June 1, 2018``)."""
    if not any(word.isdigit() or word in RELATIVE_TIME_WORDS for word in words):
        return False
    leftover = [word for word in words if not word.isdigit() and word not in TIMESTAMP_WORDS]
    return not leftover or (len(leftover) == 1 and find_date(line) is not None)


def _is_credit(line: str, words: list[str]) -> bool:
    if len(words) > 16:
        return False
    if CREDIT_CUE.match(line) or PICTURE_AGENCY.search(line):
        return True
    # "Jane Doe/Example Times": capitalised names around a slash, nothing else.
    return SLASHED_NAMES.search(line) is not None and _all_capitalised(line)


def _is_label(line: str, words: list[str]) -> bool:
    letters = [word for word in words if not word.isdigit()]
    if not letters or all(len(word) == 1 for word in letters):
        return True  # "A   A" (font-size buttons), "•", "1 / 3"
    if CALL_TO_ACTION.match(line):
        return True
    return all(word.isdigit() or word in UI_WORDS for word in words)


def _all_capitalised(line: str) -> bool:
    """Every word (but short function words) starts with a capital or a digit."""
    words = [
        word for word in re.findall(r"[^\W_][\w'’.-]*+", line) if word.lower() not in SMALL_WORDS
    ]
    return bool(words) and all(word[0].isupper() or word[0].isdigit() for word in words)


def _title_case(line: str) -> bool:
    words = [
        word for word in re.findall(r"[^\W\d_][\w'’.-]*+", line) if word.lower() not in SMALL_WORDS
    ]
    if len(words) < 3:
        return False
    capitalised = sum(word[0].isupper() for word in words)
    return capitalised >= TITLE_CASE_SHARE * len(words)


def headline(line: str) -> str | None:
    """``line`` as a headline (its section kicker dropped), or None if it does not look like one.

    A headline has two to twenty words, does not end a sentence (unless written in title case),
    is not a byline, a dated line, a label, a share row or a credit, and is made of words (not
    digits, code or an e-mail address). Up to three words, it has a lower-case word: a line of
    capitalised words that short is a name or an outlet.

    >>> headline("Opinion | Will the Court Survive the Census Case?")
    'Will the Court Survive the Census Case?'
    >>> headline("Lucas Shaw"), headline("The minister said the talks would resume.")
    (None, None)
    """
    line = " ".join(line.split())  # no-break and doubled spaces of scraped text
    if not line or len(line) > 2 * HEADLINE_MAX_CHARS:
        return None  # a paragraph (checked first: the rules below read every word)
    if unreadable_title(line) is not None:
        return None
    kicker = KICKER.match(line)
    if kicker and kicker.group(1).lower() in KICKER_WORDS:
        line = line[kicker.end() :]
    line = _without_site_name(line)
    words = line.split()
    if not HEADLINE_MIN_WORDS <= len(words) <= HEADLINE_MAX_WORDS or len(line) > HEADLINE_MAX_CHARS:
        return None
    if not (line[0].isupper() or line[0].isdigit() or line[0] in OPENING_QUOTES):
        return None  # "/ Source: AP", "• More", "(Jane Doe/AP)", a fragment "a blog post ..."
    if line.endswith(":") or (_ends_sentence(line) and not _title_case(line)):
        return None
    if re.match(r"(?i)by\s", line) or "©" in line or CODE_CHARACTERS.search(line):
        return None
    if re.search(r"(?i)\b(?:updated|published|posted|by)\b", line) and find_date(line):
        return None
    letters = sum(character.isalpha() for character in line)
    if letters <= sum(character.isdigit() for character in line):
        return None  # phone numbers, scores, dates
    if len(words) <= SHORT_LINE_WORDS and _all_capitalised(line):
        return None
    if unreadable_title(line) is not None:
        return None
    return line


OPENING_QUOTES = "\"'‘“«„"
CLOSING_MARKS = "\"'’”»)] "


def _ends_sentence(line: str) -> bool:
    """Ends with a full stop, ``!``, ``?`` or an ellipsis, maybe inside closing quotes."""
    return line.rstrip(CLOSING_MARKS).endswith((".", "!", "?", "…"))


def _is_prose(line: str) -> bool:
    """A paragraph of the body: a sentence of eight words or more, in sentence case, and no
    label (a call to action such as "Tap here to turn on notifications." is one)."""
    return (
        len(line.split()) >= 8
        and _ends_sentence(line)
        and not _title_case(line)
        and (len(line) > HEADLINE_MAX_CHARS or unreadable_title(line) is None)
    )


def _without_site_name(line: str) -> str:
    """``Headline | Outlet`` (or ``| Section | date``) as ``Headline``: the rest of a saved
    page title names the site, never the story."""
    parts = [part.strip() for part in TITLE_BAR_SEPARATOR.split(line)]
    if len(parts) < 2 or len(parts[0].split()) < HEADLINE_MIN_WORDS:
        return line
    for part in parts[1:]:
        names_site = len(part.split()) <= 4 and (
            _all_capitalised(part) or part.lower() in SECTION_WORDS or find_date(part)
        )
        if not names_site:
            return line
    return parts[0]


# Extensions of saved pages and files: not part of a slug's words.
PAGE_EXTENSION = re.compile(
    r"(?i)\.(?:s?html?|php\d?|aspx?|jsp|cgi|txt|text|md|json|jsonl|xml|amp)$"
)
# A trailing identifier glued to a slug: "-idUSKCN1T02", "-12345", "_a1b2c3d4e5".
SLUG_ID = re.compile(r"(?i)[-_.](?:id[a-z]{0,6}\d[^\W_]*+|\d++|[0-9a-f]{8,}+)$")
# A word of a readable slug: letters only, not a hex hash.
SLUG_WORD = re.compile(r"[^\W\d_]{2,}+")


def title_from_uri(uri: str) -> str:
    """A title made of the uri's readable part, for a document with no headline of its own.

    A slug (``spotify-joe-rogan-deal.html``) is written as words (``Spotify joe rogan deal``).
    A bare number says nothing alone, so it comes with what names its source (the path in
    front of it: ``cnn.com/1607`` -> ``cnn.com #1607``), as a reader wants to know where a
    document is from before which of its numbers it is. Otherwise the last part of the uri.

    >>> title_from_uri("https://www.example.com/2019/05/30/spotify-joe-rogan-deal.html")
    'Spotify joe rogan deal'
    >>> title_from_uri("cnn.com/1607"), title_from_uri("/data/seeds/003_b4d19e9f.txt")
    ('cnn.com #1607', '003_b4d19e9f.txt')
    """
    address = re.sub(r"(?i)^[a-z][a-z0-9+.-]*+://", "", uri.strip())
    address = re.split(r"[?#]", address, maxsplit=1)[0]
    segments = [segment for segment in re.split(r"[/\\]", address) if segment]
    if not segments:
        return uri
    host_first = "." in segments[0] and len(segments) > 1 and ":" not in segments[0]
    candidates = segments[1:] if host_first else segments
    for segment in reversed(candidates[-2:]):
        slug = _slug_words(segment)
        if slug:
            return slug
    last = segments[-1]
    number = PAGE_EXTENSION.sub("", last)
    if number.isdigit() and len(segments) > 1:
        source = "/".join(segments[:-1]).removeprefix("www.")
        if len(source) > 40:
            source = segments[0].removeprefix("www.")
        return f"{source} #{number}"
    return last


def _slug_words(segment: str) -> str | None:
    """``spotify-joe-rogan-deal.html`` as ``Spotify joe rogan deal``; None unless the segment
    holds at least two words (a one-word name like ``index`` or ``article`` says nothing)."""
    stem = PAGE_EXTENSION.sub("", segment)
    stem = SLUG_ID.sub("", stem)
    parts = [part for part in re.split(r"[-_+.\s]++", stem) if part]
    if len(parts) < 2 or not all(SLUG_WORD.fullmatch(part) or part.isdigit() for part in parts):
        return None
    words = [part for part in parts if SLUG_WORD.fullmatch(part)]
    if len(words) < 2 or any(_looks_like_hash(word) for word in words):
        return None
    text = " ".join(parts)
    return text[0].upper() + text[1:]


def _looks_like_hash(word: str) -> bool:
    return len(word) >= 8 and all(character in "0123456789abcdefABCDEF" for character in word)


# --- HTML ---------------------------------------------------------------------------------

_META_TITLE = ("og:title", "twitter:title", "dc.title", "title", "headline")
_META_OUTLET = ("og:site_name", "application-name", "twitter:site", "dc.publisher", "publisher")
_META_AUTHOR = (
    "author",
    "article:author",
    "dc.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
)
_META_DATE = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "originalpublicationdate",
)


def html_metadata(root, text: str = "", url: str | None = None) -> Metadata:
    """Metadata from a parsed page (an lxml ``HtmlElement``): meta tags, JSON-LD, ``<time>``.

    ``text`` (the page's visible text) gives the text cues a chance when tags are missing;
    htmldate's quick search is the last resort for the date (it may prune ``root``: call this
    when the tree is no longer needed).
    """
    metas: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (
            element.get("property") or element.get("name") or element.get("itemprop") or ""
        ).lower()
        content = (element.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    linked = _json_ld(root)
    metadata = Metadata()
    metadata.title = _readable_title(
        [metas.get(key) for key in _META_TITLE] + [linked.get("headline"), *_html_titles(root)]
    )
    metadata.outlet = linked.get("publisher") or _first(metas, _META_OUTLET)
    if metadata.outlet and metadata.outlet.startswith("@"):
        metadata.outlet = metadata.outlet[1:]
    author = linked.get("author") or _first(metas, _META_AUTHOR)
    if author and not author.startswith("http") and len(author) < 120:
        metadata.author = _clean_name(author)
    date_value = linked.get("datePublished") or _first(metas, _META_DATE)
    if not date_value:
        for element in root.iter("time"):
            date_value = element.get("datetime") or ""
            if date_value:
                break
    metadata.published_at = _parse_iso(date_value) if date_value else None
    if text and (metadata.published_at is None or metadata.author is None):
        cues = text_metadata(text)
        metadata.published_at = metadata.published_at or cues.published_at
        metadata.author = metadata.author or cues.author
    if metadata.published_at is None:
        metadata.published_at = _htmldate(root, url)
    if metadata.title and metadata.outlet:
        # "Headline | Outlet" titles: keep the headline.
        for separator in (" | ", " - ", " – ", " — ", " :: "):
            head, _, tail = metadata.title.rpartition(separator)
            if head and metadata.outlet.lower() in tail.lower():
                metadata.title = head.strip()
                break
    return metadata


def _htmldate(root, url: str | None) -> datetime | None:
    try:
        from htmldate import find_date

        found = find_date(root, url=url, extensive_search=False, original_date=True)
    except Exception:  # a date guesser must never fail the cleaning of a page
        return None
    return _parse_iso(found) if found else None


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if metas.get(key):
            return metas[key]
    return None


def _html_titles(root) -> Iterator[str]:
    """The page's ``<title>``, then its ``<h1>`` headings, whitespace collapsed."""
    for tag in ("title", "h1"):
        for element in root.iter(tag):
            value = " ".join(element.text_content().split())
            if value:
                yield value


def _readable_title(candidates: Iterable[str | None]) -> str | None:
    """The first candidate a reader can use: not a label, a timestamp, a share row, a photo
    credit or a bare number (a page's ``og:title`` can be any of them)."""
    for candidate in candidates:
        value = " ".join((candidate or "").split())
        if value and not value.isdigit() and unreadable_title(value) is None:
            return value
    return None


def _parse_iso(value: str) -> datetime | None:
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed


def _json_ld(root) -> dict[str, str]:
    """headline, publisher, author, datePublished of the page's first article-like JSON-LD."""
    found: dict[str, str] = {}
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in _ld_items(data):
            for key in ("headline", "datePublished"):
                if isinstance(item.get(key), str) and key not in found:
                    found[key] = item[key]
            for key in ("publisher", "author"):
                name = _ld_name(item.get(key))
                if name and key not in found:
                    found[key] = name
    return found


def _ld_items(data) -> list[dict]:
    items: list[dict] = []
    stack = [data]
    while stack and len(items) < 50:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            if "@graph" in current:
                stack.append(current["@graph"])
            kind = current.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(
                isinstance(k, str) and ("Article" in k or k in ("WebPage", "BlogPosting", "Report"))
                for k in kinds
            ):
                items.append(current)
    return items


def _ld_name(value) -> str | None:
    if isinstance(value, list):
        names = [name for name in (_ld_name(item) for item in value) if name]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None
