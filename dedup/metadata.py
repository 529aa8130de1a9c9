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

# Section words of title bars, never an outlet's name.
def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and edit)."""
    return frozenset(words.split())


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
    """The first heading-like line (short, no sentence end, not a byline or date line).

    A kicker (a label of at most three words right above a longer heading, as in
    ``The Best Offense`` / ``Russia, China Warn U.S. About Missile Defense``) gives way to
    the heading below it.

    >>> first_heading("China, Russia oppose THAAD\\n\\nBy Liu Xin")
    'China, Russia oppose THAAD'
    >>> first_heading("Analysis\\nTalks resume in Geneva after three months\\n\\nBody.")
    'Talks resume in Geneva after three months'
    """
    raw_lines = text.splitlines()
    lines = [line.strip() for line in raw_lines if line.strip()][:max_lines]
    heading = _first_heading(lines)
    if heading is None or len(heading.split()) > 3:
        return heading
    for index, raw in enumerate(raw_lines[:-1]):
        if raw.strip() == heading:
            following = raw_lines[index + 1].strip()
            if len(following.split()) >= 4 and _first_heading([following]) == following:
                return following
            break
    return heading


def _first_heading(lines: list[str]) -> str | None:
    for line in lines:
        words = line.split()
        if not 2 <= len(words) <= 20 or line.endswith((".", "!", "?", ":")):
            continue
        if re.search(r"(?i)\b(updated|published|posted|by)\b\s*:?", line) and find_date(line):
            continue
        if re.match(r"(?i)\s*by\s", line) or "©" in line:
            continue
        return line
    return None


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
    metadata.title = _first(metas, _META_TITLE) or linked.get("headline") or _html_title(root)
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


def _html_title(root) -> str | None:
    for tag in ("title", "h1"):
        for element in root.iter(tag):
            value = " ".join(element.text_content().split())
            if value:
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
