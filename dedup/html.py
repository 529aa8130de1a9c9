"""HTML pages as visible text, with a map from labelled DOM containers to spans of that text.

:func:`parse_html` turns bytes or a string in any encoding into an lxml tree (or raises a
``ValueError`` with a one-line reason); :func:`render` walks the tree once and produces the
page's visible text the way a reader sees it (scripts, styles and hidden elements dropped,
whitespace collapsed, newlines between blocks), together with

* ``chunks``: every emitted piece of text and the boilerplate kind of its innermost labelled
  container (``nav`` -> ``navigation``, ``figcaption`` -> ``caption``, a ``comments``
  container -> ``comments``, ...), so a span of the text can be explained;
* ``containers``: the text span of every labelled container.

>>> page = render(parse_html("<nav>Home News</nav><p>Body <b>text</b>.</p><script>x()</script>"))
>>> page.text
'Home News\\n\\nBody text.'
>>> page.containers
[Container(start_char=0, end_char=9, kind='navigation', tag='nav')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import lxml.html
from lxml import etree

from dedup.encoding import declared_charset, decode_bytes

# Elements whose content a reader never sees as text.
INVISIBLE_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "option",
        "input",
        "textarea",
        "audio",
        "video",
        "source",
        "picture",
        "img",
    }
)
# Blocks separated from their neighbours by a blank line (paragraph-like) or a newline.
PARAGRAPH_TAGS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
    }
)
BLOCK_TAGS = PARAGRAPH_TAGS | frozenset(
    {
        "address",
        "article",
        "aside",
        "body",
        "dd",
        "details",
        "dialog",
        "div",
        "dt",
        "fieldset",
        "figcaption",
        "footer",
        "form",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "section",
        "summary",
        "tr",
        "td",
        "th",
        "caption",
        "legend",
        "center",
        "button",
        "label",
        "menu",
    }
)

# Labels from the element's own tag and ARIA role.
TAG_KINDS = {
    "nav": "navigation",
    "footer": "footer",
    "aside": "promo",
    "figcaption": "caption",
    "figure": "caption",
    "time": "dateline",
    "menu": "navigation",
}
ROLE_KINDS = {
    "navigation": "navigation",
    "menubar": "navigation",
    "menu": "navigation",
    "banner": "navigation",
    "contentinfo": "footer",
    "complementary": "promo",
}
# Labels from the words of class and id attributes (split on non-letters), by precedence.
ATTRIBUTE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "comments",
        frozenset(
            {
                "comment",
                "comments",
                "commentlist",
                "commentary",
                "disqus",
                "discussion",
                "respond",
                "replies",
                "reply",
                "livefyre",
                "coral",
                "vuukle",
            }
        ),
    ),
    (
        "caption",
        frozenset(
            {"caption", "figcaption", "captions", "credit", "credits", "photocredit", "wp-caption"}
        ),
    ),
    (
        "navigation",
        frozenset(
            {
                "nav",
                "navbar",
                "navigation",
                "menu",
                "menubar",
                "breadcrumb",
                "breadcrumbs",
                "pagination",
                "pager",
                "skip",
                "masthead",
                "topbar",
                "toolbar",
            }
        ),
    ),
    ("footer", frozenset({"footer", "copyright", "colophon", "siteinfo"})),
    (
        "promo",
        frozenset(
            {
                "related",
                "share",
                "sharing",
                "social",
                "newsletter",
                "subscribe",
                "subscription",
                "signup",
                "promo",
                "promotion",
                "advert",
                "advertisement",
                "ad",
                "ads",
                "adslot",
                "sponsor",
                "sponsored",
                "recommended",
                "recommendations",
                "popular",
                "trending",
                "outbrain",
                "taboola",
                "widget",
                "sidebar",
                "cookie",
                "cookies",
                "paywall",
                "tags",
            }
        ),
    ),
    ("byline", frozenset({"byline", "author", "authors", "contributor", "bio"})),
    ("dateline", frozenset({"dateline", "timestamp", "pubdate", "published", "updated"})),
)
_ATTRIBUTE_WORD = re.compile(r"[a-z]+")
_WHITESPACE = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Comments and processing instructions dropped at parse time (their tails join the text), the
# way trafilatura parses: it gets this tree and must see the same text.
_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
_INVISIBLE = "\x00invisible"  # marks a skipped element on the stack of open elements
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


@dataclass(frozen=True)
class Container:
    """A labelled DOM element and the span of the rendered text it covers."""

    start_char: int
    end_char: int
    kind: str
    tag: str


@dataclass
class RenderedPage:
    """A page's visible text, the labelled piece each character came from, and containers."""

    text: str
    chunk_starts: list[int] = field(default_factory=list)
    chunk_ends: list[int] = field(default_factory=list)
    chunk_kinds: list[str | None] = field(default_factory=list)
    # Every labelled container in document order (None: it showed no text).
    containers: list[Container | None] = field(default_factory=list)
    chunk_linked: list[bool] = field(default_factory=list)  # chunk is the text of a link
    # Per chunk, the ids (indexes in ``containers``) of its labelled ancestors, outermost first.
    chunk_chains: list[tuple[int, ...]] = field(default_factory=list)

    def ignore_containers(self, ids: set[int]) -> None:
        """Relabel chunks as if the containers ``ids`` had no label (page-wide wrappers whose
        class happens to say ``comments`` or ``sidebar`` must not label everything)."""
        if not ids:
            return
        for index, chain in enumerate(self.chunk_chains):
            kind = None
            for container_id in reversed(chain):
                if container_id not in ids:
                    kind = self.containers[container_id].kind  # type: ignore[union-attr]
                    break
            self.chunk_kinds[index] = kind

    def kinds_in(self, start: int, end: int) -> set[str]:
        """Labels of the containers the characters of ``text[start:end]`` came from."""
        index = max(0, bisect_right(self.chunk_starts, start) - 1)
        kinds: set[str] = set()
        while index < len(self.chunk_starts) and self.chunk_starts[index] < end:
            kind = self.chunk_kinds[index]
            if kind is not None and self.chunk_ends[index] > start:
                kinds.add(kind)
            index += 1
        return kinds

    def link_share(self, start: int, end: int) -> float:
        """Share of the characters of ``text[start:end]`` that are link text."""
        index = max(0, bisect_right(self.chunk_starts, start) - 1)
        linked = total = 0
        while index < len(self.chunk_starts) and self.chunk_starts[index] < end:
            overlap = min(end, self.chunk_ends[index]) - max(start, self.chunk_starts[index])
            if overlap > 0:
                total += overlap
                if self.chunk_linked[index]:
                    linked += overlap
            index += 1
        return linked / total if total else 0.0

    def kind_at(self, position: int) -> str | None:
        """The label of the container the character at ``position`` came from (None: none)."""
        index = bisect_right(self.chunk_starts, position) - 1
        if index >= 0 and position < self.chunk_ends[index]:
            return self.chunk_kinds[index]
        return None


def decode_html(html: str | bytes) -> str:
    """Decode page bytes: a byte order mark, else what the bytes allow, the declared charset a
    hint they can overrule (:func:`dedup.encoding.decode_bytes`).

    >>> decode_html("café".encode("latin-1") + b"<meta charset=latin-1>")[:4]
    'café'
    >>> decode_html(b"<meta charset=iso-8859-1><p>" + "Café".encode("utf-8"))[-4:]
    'Café'
    """
    if isinstance(html, str):
        return html
    return decode_bytes(html, declared_charset(html)).text


def parse_html(html: str | bytes) -> lxml.html.HtmlElement:
    """An lxml tree of the page; ``ValueError`` with a one-line reason if there is none.

    >>> parse_html("<p>Hello</p>").tag
    'html'
    """
    markup = decode_html(html)
    markup = _XML_DECLARATION.sub("", markup, count=1).replace("\x00", "")
    if not markup.strip():
        raise ValueError("empty HTML page")
    try:
        root = lxml.html.document_fromstring(markup, parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise ValueError(f"unparseable HTML ({error})") from None
    if root is None:
        raise ValueError("unparseable HTML (no document element)")
    return root


def element_kind(element: etree._Element) -> str | None:
    """The boilerplate kind an element's own tag, role, class or id suggests, else None.

    >>> element_kind(lxml.html.fromstring('<div class="comment-list">x</div>'))
    'comments'
    >>> element_kind(lxml.html.fromstring('<div class="article-body">x</div>')) is None
    True
    """
    tag = element.tag
    if tag in TAG_KINDS:
        return TAG_KINDS[tag]
    role = element.get("role")
    if role and role.lower() in ROLE_KINDS:
        return ROLE_KINDS[role.lower()]
    class_name, element_id = element.get("class"), element.get("id")
    if not class_name and not element_id:
        return None
    return _attribute_kind(f"{class_name or ''} {element_id or ''}")


@lru_cache(maxsize=4096)
def _attribute_kind(attributes: str) -> str | None:
    """Pages repeat the same class strings thousands of times: judge each once."""
    words = set(_ATTRIBUTE_WORD.findall(attributes.lower()))
    for kind, vocabulary in ATTRIBUTE_WORDS:
        if words & vocabulary:
            return kind
    return None


def _is_hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


class _TextBuilder:
    """Accumulates visible text with HTML whitespace collapsing and block separators."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending_newlines = 0
        self.pending_space = False
        self.at_line_start = True
        self.chunk_starts: list[int] = []
        self.chunk_ends: list[int] = []
        self.chunk_kinds: list[str | None] = []
        self.chunk_linked: list[bool] = []
        self.chunk_chains: list[tuple[int, ...]] = []
        self.link_depth = 0

    def block_break(self, newlines: int) -> None:
        self.pending_newlines = max(self.pending_newlines, newlines)

    def add(self, raw: str, chain: tuple[int, ...], preformatted: bool = False) -> None:
        if not raw:
            return
        if preformatted:
            pieces = [_WHITESPACE.sub(" ", line).strip() for line in raw.split("\n")]
            for index, piece in enumerate(pieces):
                if index:
                    self.block_break(1)
                self._emit(piece, chain)
            return
        collapsed = _WHITESPACE.sub(" ", raw)
        if collapsed[0] == " ":
            self.pending_space = True
        stripped = collapsed.strip()
        if stripped:
            self._emit(stripped, chain)
            if collapsed[-1] == " ":
                self.pending_space = True

    def _emit(self, content: str, chain: tuple[int, ...]) -> None:
        if not content:
            return
        if self.length and self.pending_newlines:
            self._append("\n" * self.pending_newlines)
        elif self.pending_space and not self.at_line_start:
            self._append(" ")
        self.pending_newlines = 0
        self.pending_space = False
        self.chunk_starts.append(self.length)
        self._append(content)
        self.chunk_ends.append(self.length)
        self.chunk_chains.append(chain)
        self.chunk_linked.append(self.link_depth > 0)
        self.at_line_start = False

    def _append(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)
        if piece.endswith("\n"):
            self.at_line_start = True


def render(root: etree._Element) -> RenderedPage:
    """The visible text of a parsed page, its labelled chunks and containers."""
    builder = _TextBuilder()
    containers: list[Container | None] = []
    # Per open element: the chain of labelled ancestors inside it, and (container id, index of
    # its first chunk, kind, tag) if the element is itself a labelled container.
    chains: list[tuple[int, ...]] = [()]
    # (the tag name when it is not; _INVISIBLE for a skipped element).
    opened: list[tuple[int, int, str, str] | str] = []
    preformatted = 0
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions: only their tail shows
            if element.tail:
                builder.add(element.tail, chains[-1], preformatted > 0)
            continue
        if event == "start":
            tag = tag.lower()
            if tag in INVISIBLE_TAGS or _is_hidden(element):
                walker.skip_subtree()
                opened.append(_INVISIBLE)
                chains.append(chains[-1])
                continue
            own_kind = element_kind(element)
            if tag in BLOCK_TAGS:
                builder.block_break(2 if tag in PARAGRAPH_TAGS else 1)
            elif tag == "br":
                builder.block_break(1)
            if tag == "pre":
                preformatted += 1
            elif tag == "a":
                builder.link_depth += 1
            if own_kind is not None:
                container_id = len(containers)
                containers.append(None)
                opened.append((container_id, len(builder.chunk_starts), own_kind, tag))
                chains.append((*chains[-1], container_id))
            else:
                opened.append(tag)
                chains.append(chains[-1])
            if element.text:
                builder.add(element.text, chains[-1], preformatted > 0)
            continue
        # end event
        chains.pop()
        record = opened.pop()
        if record is not _INVISIBLE:
            tag = record if isinstance(record, str) else record[3]
            if tag == "pre":
                preformatted -= 1
            elif tag == "a":
                builder.link_depth -= 1
            if not isinstance(record, str) and len(builder.chunk_starts) > record[1]:
                start = builder.chunk_starts[record[1]]
                containers[record[0]] = Container(start, builder.length, record[2], record[3])
            if tag in BLOCK_TAGS:
                builder.block_break(2 if tag in PARAGRAPH_TAGS else 1)
        if element.tail:
            builder.add(element.tail, chains[-1], preformatted > 0)
    kinds = [
        containers[chain[-1]].kind if chain else None  # type: ignore[union-attr]
        for chain in builder.chunk_chains
    ]
    return RenderedPage(
        "".join(builder.parts),
        builder.chunk_starts,
        builder.chunk_ends,
        kinds,
        containers,
        builder.chunk_linked,
        builder.chunk_chains,
    )
