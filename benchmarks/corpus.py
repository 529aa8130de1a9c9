"""Deterministic news-like corpus with wire reuse, chains, boilerplate and known truth.

The text is real: sentences of the DUC news source documents inside the PAN 2013 training
archive (``../shared/data/pan13-train.tar.gz``, read in place, never copied into the repo).
The corpus imitates how news is reused:

- wire stories by an agency (AP, Reuters, AFP, dpa, Bloomberg); some are stored in the corpus
  as the agency's own copy (then the origin is that document), most are not (origin external);
- outlets (40 by default), each with its own template (navigation line, promo, footer), that
  copy wire paragraphs with credit (``WASHINGTON (AP) -``, ``..., he told AP.``, sign-offs like
  ``ab/cd (AFP, dpa)``) or without, with light edits (curly/straight quotes, ``US``/``U.S.``,
  a typo, a trimmed clause);
- chains: outlet B copies outlet A's copy (A is B's parent, the agency still the origin);
- outlet stories that other outlets copy (origin is the outlet's document);
- exact duplicate documents (the same article under a second address);
- original paragraphs that no other document shares.

And the shapes that real news adds (on by default, ``--plain`` switches them off and writes the
corpus of the plain generator byte for byte; about 14% of the documents, see the README):

- mixed articles: excerpts of two or three stories (often two agencies'), credited or not,
  side by side or with the article's own paragraphs between them;
- digests (``AP News in Brief``): an agency's ledes of about ten stories under their headlines
  and datelines, run by a member outlet or a syndicator;
- aggregator pages (Google News, Yahoo News, MSN): 12-30 ledes, each under the name of the
  agency or outlet whose copy it shows; scraped minutes after the news breaks, never an origin;
- newsletters: an outlet's long page of excerpts of other outlets' copies, each with a heading
  and a ``Read the full story at ...`` line, wrapped in newsletter prompts;
- agency updates: hours later the agency sends a second version (new paragraphs, a sentence
  added to one, sometimes one dropped); copies made after it carry it; when the agency's own
  copy is in the corpus so is the update, the origin of what it added;
- story credits: an outlet or a syndicator runs an agency's story as it came (``By Reuters``,
  ``NEW YORK (AP) — `` opening the first paragraph, ``Copyright 2026 The Associated Press.
  All rights reserved.``); interview phrases in story paragraphs (``..., she told the BBC.``,
  ``said in an interview with CNN``) that name outlets which are no origin; photo captions
  ending with their credit (``(AP Photo/Evan Vucci)``, ``AFP/Getty Images``) whose origin is
  the photo's agency, also when an outlet's own story carries the photo first; some pages show
  the photo again in a gallery below the article, the caption a second time (two occurrences
  of the caption passage in one document).

Original paragraphs are drawn from DUC sentences never used for stories. The pool holds about
80k usable sentences, so at large N the generator falls back to a first-order Markov chain
trained on a third, disjoint part of the pool (real words and word pairs; it never follows one
training sentence for more than 4 words, so no real run long enough to look like reuse recurs). The truth file says how much text came from each source.

Truth (``truth.json``): ``meta`` (counts, seed, parameters), ``passages`` (one per reused
paragraph occurring in at least two documents: ``id``, ``kind`` ``wire``/``outlet``/
``duplicate``, ``origin`` ``{"kind": "external", "source": ...}`` or ``{"kind": "document",
"uri": ...}``, ``occurrences`` ``[{"uri", "start_char", "end_char", "parent", "edits"}]`` with
``parent`` the uri the copy was made from, ``null`` when straight from the origin or the origin
itself; flags ``caption``, ``interview`` (the outlet named) and ``update`` on passages of those
kinds), ``documents`` (``uri``, ``outlet``, ``published_at``, ``credits``, ``boilerplate``
spans, ``duplicate_of``, ``shape``: ``pickup``, ``original``, ``agency``, ``outlet_story``,
``duplicate``, ``mixed``, ``digest``, ``aggregator``, ``newsletter``, ``agency_update``,
``agency_story``). A passage is one story paragraph (or an update's added sentence, or a
caption) and has one occurrence per copy: at most one per document, but for a caption a gallery
page shows twice; a page carrying several passages has one occurrence per passage. An inline dateline (``CITY (AP) — ``) is a ``dateline`` boilerplate
span before the passage, not part of it. Offsets index the written text exactly: in ``txt`` mode
the file's contents, in ``jsonl`` mode the record's ``text``. In ``txt`` mode a ``uri`` is the file's path
relative to the corpus folder.

Memory stays bounded: documents are written as they are made and a story's truth is flushed
when it leaves a sliding window of open stories.

Run: ``python benchmarks/corpus.py --n 10000 --out /tmp/corpus10k`` (``--format txt`` for a
folder of ``.txt`` files, ``--plain`` for pickups only). Writes ``articles.jsonl`` (or
``articles/``) and ``truth.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tarfile
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

DEFAULT_ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan13-train.tar.gz"
SOURCE_PREFIX = "pan13-train/src/"

# Tokens after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "u.s.",
        "u.k.",
        "u.n.",
        "mr.",
        "mrs.",
        "ms.",
        "dr.",
        "st.",
        "jr.",
        "sr.",
        "inc.",
        "co.",
        "corp.",
        "ltd.",
        "no.",
        "gen.",
        "sen.",
        "rep.",
        "gov.",
        "lt.",
        "col.",
        "sgt.",
        "capt.",
        "prof.",
        "vs.",
        "jan.",
        "feb.",
        "aug.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
        "mt.",
        "ft.",
        "e.g.",
        "i.e.",
        "etc.",
    ]
)
SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“]?[A-Z0-9])")
UNWANTED = re.compile(r"https?:|www\.|@|\||\t|\.com\b|©|\[|\]|\{|\}|<|>")
WORD_TOKEN = re.compile(r"\w+")
SHINGLE_WORDS = 8  # two sentences sharing an 8-word run are treated as one (no hidden reuse)


@dataclass(frozen=True)
class Agency:
    name: str  # canonical name, as the contract's origin_source spells it
    short: str  # in datelines and credits: "AP", "Reuters"
    dash: str  # the dateline dash the agency uses
    host: str


AGENCIES = (
    Agency("Associated Press", "AP", " — ", "apnews.com"),
    Agency("Reuters", "Reuters", " - ", "reuters.com"),
    Agency("AFP", "AFP", " - ", "afp.com"),
    Agency("dpa", "dpa", " - ", "dpa-international.com"),
    Agency("Bloomberg", "Bloomberg", " -- ", "bloomberg.com"),
)
AGENCY_WEIGHTS = (0.35, 0.3, 0.18, 0.07, 0.1)
CITIES = (
    "WASHINGTON", "LONDON", "PARIS", "BERLIN", "MOSCOW", "BEIJING", "TOKYO", "NEW YORK",
    "BRUSSELS", "GENEVA", "NAIROBI", "CAIRO", "MEXICO CITY", "SYDNEY", "NEW DELHI", "ROME",
    "MADRID", "SEOUL", "ISTANBUL", "JOHANNESBURG", "CHICAGO", "LOS ANGELES", "OTTAWA", "KYIV",
)  # fmt: skip
FIRST_NAMES = (
    "Anna", "James", "Maria", "David", "Sarah", "Michael", "Laura", "Daniel", "Emma", "Peter",
    "Julia", "Thomas", "Elena", "Robert", "Nina", "Carlos", "Hannah", "Ahmed", "Sofia", "Kenji",
)  # fmt: skip
LAST_NAMES = (
    "Miller", "Schmidt", "Dubois", "Rossi", "Kowalski", "Nguyen", "Okafor", "Larsen", "Moreau",
    "Tanaka", "Garcia", "Petrov", "Hughes", "Weber", "Silva", "Cohen", "Novak", "Brennan",
)  # fmt: skip
OUTLET_PLACES = (
    "Riverton", "Northgate", "Lakeside", "Harbor", "Summit", "Bayview", "Westfield", "Eastbrook",
    "Pinecrest", "Fairmont", "Oakridge", "Clearwater", "Redhill", "Stonebridge", "Maplewood",
    "Silverton", "Brookfield", "Highland", "Kingsport", "Ashford", "Granite", "Cedar Falls",
)  # fmt: skip
OUTLET_NOUNS = (
    "Herald", "Tribune", "Courier", "Gazette", "Observer", "Post", "Chronicle", "Journal",
    "Sentinel", "Times", "Dispatch", "Ledger", "Examiner", "Standard", "Daily", "Monitor",
)  # fmt: skip
SECTIONS = (
    "World", "Politics", "Business", "Tech", "Science", "Health", "Sport", "Culture", "Opinion",
    "Climate", "Local", "Markets", "Video", "Podcasts", "Travel",
)  # fmt: skip
CREDIT_STYLES = ("dateline", "signoff", "told", "byline", "none")

# Shapes of real news (on by default, off with --plain); see the module docstring.
# Outlets named in interview phrases: the speaker talked to them, nobody copied them.
# None of them publishes in the corpus.
INTERVIEW_OUTLETS = (
    "the BBC", "CNN", "The New York Times", "Fox News", "NPR", "Al Jazeera", "Sky News",
    "The Washington Post", "ABC News", "Der Spiegel", "the Financial Times", "Le Monde",
)  # fmt: skip
# Share of the pickups with a photo that also show it in a gallery below the article, its
# caption a second time (real pages: charlotteobserver.com and miamiherald.com in the dev set).
GALLERY_RATE = 0.3
# Photo credits as captions print them; ``{name}`` is the photographer.
PHOTO_CREDITS = {
    "Associated Press": ("(AP Photo/{name})", "(AP Photo/{name}, File)"),
    "Reuters": ("REUTERS/{name}", "Photo: Reuters/{name}"),
    "AFP": ("AFP/Getty Images", "{name}/AFP via Getty Images",
            "(Photo by {name}/AFP via Getty Images)"),
    "dpa": ("Photo: {name}/dpa", "(Photo: {name}/dpa)"),
    "Bloomberg": ("Photographer: {name}/Bloomberg",),
}  # fmt: skip
# Agencies' own forms when an outlet runs their story as is: byline, copyright line.
AGENCY_BYLINES = {
    "Associated Press": ("By {upper}, Associated Press", "Associated Press",
                         "By The Associated Press"),
    "Reuters": ("By Reuters", "By Reuters Staff", "By {name}, Reuters"),
    "AFP": ("By AFP", "Agence France-Presse", "By {name}, AFP"),
    "dpa": ("By dpa", "dpa"),
    "Bloomberg": ("By {name}, Bloomberg", "Bloomberg News"),
}  # fmt: skip
AGENCY_COPYRIGHTS = {
    "Associated Press": "Copyright {year} The Associated Press. All rights reserved. This material "
    "may not be published, broadcast, rewritten or redistributed.",
    "Reuters": "© {year} Thomson Reuters. All rights reserved.",
    "AFP": "© {year} AFP",
    "dpa": "© dpa-infocom, dpa:{stamp}-99-{number}/2",
    "Bloomberg": "©{year} Bloomberg L.P.",
}
DIGEST_TITLES = {
    "Associated Press": "AP News in Brief at {time} EST",
    "Reuters": "Reuters World News Summary",
    "AFP": "AFP news digest, {time} GMT",
    "dpa": "dpa news roundup at {time}",
    "Bloomberg": "Bloomberg Evening Briefing",
}
# Aggregators and syndicators: pages of other outlets' ledes, full agency stories.
SYNDICATORS = (
    ("Yahoo News", "www.yahoo.com/news"),
    ("Google News", "news.google.com"),
    ("MSN", "www.msn.com/en-us/news"),
)
NEWSLETTER_NAMES = ("Morning Briefing", "Evening Edition", "The Daily Brief", "Week in Review",
                    "Politics Today", "World Brief")  # fmt: skip


@dataclass
class Outlet:
    name: str
    slug: str
    host: str
    nav: str
    promo: str
    footer: str
    credit_style: str
    credit_rate: float  # probability that a wire pickup credits the agency
    edit_rate: float  # probability that a copied paragraph gets one light edit
    editors: tuple[str, str]


@dataclass
class Copy:
    """One document's copy of (part of) a story: the texts it carries, for chains to copy."""

    uri: str
    published: datetime
    texts: dict[int, str]  # paragraph index -> the text, in the document's order
    edits: dict[int, list[str]]
    joined: set[int] = field(default_factory=set)  # paragraphs written on the block before
    outlet: str = ""  # who published the copy (an aggregator or newsletter credits it)
    from_publisher: bool = False  # the story's own publisher: its first version or an update


@dataclass
class Story:
    """A wire story or an outlet story whose paragraphs other documents copy."""

    story_id: int
    kind: str  # wire, outlet
    origin: dict[str, str]
    agency: Agency | None
    source_name: str
    city: str
    paragraphs: list[str]
    published: datetime
    occurrences: list[list[dict[str, Any]]]  # per paragraph
    copies: list[Copy] = field(default_factory=list)
    # Shapes (off with --plain). A paragraph whose origin is not the story's: a photo caption
    # credited to another agency, a paragraph first sent in the agency's update.
    paragraph_origins: dict[int, dict[str, str]] = field(default_factory=dict)
    versions: list[Version] = field(default_factory=list)  # empty: one version, in index order
    caption: int | None = None  # the paragraph that is the photo caption
    interviews: dict[int, str] = field(default_factory=dict)  # paragraph -> outlet interviewed
    updated: set[int] = field(default_factory=set)  # paragraphs first sent in an update


@dataclass
class Version:
    """One version of a wire story as its agency sent it (an update adds, changes, drops)."""

    published: datetime
    order: list[int]  # paragraph indices in the order of the text
    joined: set[int]  # paragraphs that continue the block before them (a sentence added)


@dataclass
class Piece:
    """A block of a document being assembled: text and what the truth says about it."""

    text: str
    boilerplate: str | None = None  # kind when the block is boilerplate
    story: Story | None = None
    paragraph: int = -1
    parent: str | None = None
    edits: list[str] = field(default_factory=list)
    is_origin: bool = False
    lead: str = ""  # written before ``text`` in the same block (an inline dateline), no passage
    join: bool = False  # continues the block before it after a space (a sentence an update added)


@dataclass
class Document:
    uri: str
    outlet: str
    title: str
    author: str
    published: datetime
    text: str
    credits: list[str]
    boilerplate: list[dict[str, Any]]
    duplicate_of: str | None = None
    shape: str = "pickup"  # what kind of page it is (truth ``documents[].shape``)


# ----------------------------------------------------------------------------------------
# The sentence pool


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, not breaking after abbreviations like ``U.S.`` or ``Mr.``.

    >>> split_sentences("Mr. Smith went to the U.S. Senate. He spoke.")
    ['Mr. Smith went to the U.S. Senate.', 'He spoke.']
    """
    pieces = SENTENCE_BREAK.split(paragraph.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ends_with_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def _ends_with_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(None, 1)[-1].lower()
    return last in ABBREVIATIONS or bool(re.fullmatch(r"[a-z]\.", last))


def usable_sentence(sentence: str) -> bool:
    """News-like prose: 8..60 words, ends like a sentence, mostly letters, no URLs or markup."""
    words = sentence.split()
    if not 8 <= len(words) <= 60 or not sentence.endswith((".", "!", "?", '."', ".”")):
        return False
    if UNWANTED.search(sentence) or _ends_with_abbreviation(sentence):
        return False
    letters = sum(char.isalpha() or char == " " for char in sentence)
    return letters >= 0.85 * len(sentence)


def read_source_documents(archive: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every DUC source document in the PAN archive, in name order.

    The archive is read in its own order (a gzip stream cannot seek backwards cheaply) and the
    21 MB of sources are sorted afterwards, so the result does not depend on the tar's order.
    """
    texts: dict[str, str] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.startswith(SOURCE_PREFIX):
                handle = tar.extractfile(member)
                if handle is not None:
                    texts[member.name] = handle.read().decode("utf-8", "replace")
    for name in sorted(texts):
        yield name, texts[name]


def load_pool(archive: Path) -> list[list[str]]:
    """Usable sentences per source document, with near-duplicates across the pool removed.

    A sentence is dropped when it shares an 8-word run with a sentence kept before it, so two
    unrelated pool sentences never carry the same passage (which would be unlisted reuse).
    """
    seen_shingles: set[int] = set()
    documents: list[list[str]] = []
    for _, text in read_source_documents(archive):
        kept: list[str] = []
        for line in text.replace("\r", "\n").split("\n"):
            for sentence in split_sentences(" ".join(line.split())):
                if not usable_sentence(sentence):
                    continue
                shingles = _shingles(sentence)
                if any(shingle in seen_shingles for shingle in shingles):
                    continue
                seen_shingles.update(shingles)
                kept.append(sentence)
        if kept:
            documents.append(kept)
    if not documents:
        raise SystemExit(f"error: no DUC source sentences found in {archive}")
    return documents


def _shingles(sentence: str, length: int = SHINGLE_WORDS) -> list[int]:
    """Hashes of the runs of ``length`` lower-cased word tokens (all of them when fewer)."""
    words = WORD_TOKEN.findall(sentence.lower())
    if len(words) < length:
        return [hash(" ".join(words))]
    return [
        hash(" ".join(words[index : index + length])) for index in range(len(words) - length + 1)
    ]


class MarkovText:
    """First-order word Markov chain over real sentences: fresh text once the pool runs out.

    A plain chain copies long runs of a training sentence wherever its words are rare (one
    possible successor), and with hundreds of thousands of generated sentences the same run
    comes out in many documents: reuse the truth does not list. So the chain never follows one
    training sentence for more than ``MAX_RUN`` word tokens (``\\w+``, as detectors count them:
    ``Lake--the`` is two) in a row: it takes another successor, or ends or restarts the sentence.

    That alone does not stop two generated sentences from repeating each other: a chain of rare
    words drawn from several training sentences (``Meadow Lake--the 84-acre manmade, freshwater
    streams to``) comes out again in other documents, which at 100k documents made tens of
    thousands of verbatim runs the truth did not list. So a sentence sharing a run of
    ``UNIQUE_RUN`` word tokens (the aligner's shortest verbatim run) with any sentence generated
    before it is drawn again (up to ``MAX_TRIES`` times; ``repeated`` counts those kept anyway).
    """

    MAX_RUN = 5  # word tokens of one training sentence in a row: below any reuse threshold
    UNIQUE_RUN = 6  # word tokens in a row that no two generated sentences share
    MAX_TRIES = 50

    def __init__(self, sentences: list[str]) -> None:
        # Each successor carries the position of that word in the training text, so the
        # generator knows when it is still copying the same sentence.
        successors: dict[str, list[tuple[str, int]]] = {}
        starts: list[tuple[str, int]] = []
        position = 0
        for sentence in sentences:
            words = sentence.split()
            starts.append((words[0], position))
            for offset, current in enumerate(words):
                following = words[offset + 1] if offset + 1 < len(words) else ""
                successors.setdefault(current, []).append((following, position + offset + 1))
            position += len(words) + 1  # a gap: the next sentence never continues this one
        self.successors = successors
        self.starts = starts
        self.seen_runs: set[int] = set()  # hashes of the UNIQUE_RUN-token runs handed out
        self.redrawn = 0
        self.repeated = 0

    def _too_long(self, run: int, following: str) -> bool:
        return run + _token_count(following) > self.MAX_RUN

    def sentence(self, rng: random.Random, min_words: int = 10, max_words: int = 35) -> str:
        """A new sentence of ``min_words`` to ``max_words`` words that repeats no run of
        ``UNIQUE_RUN`` word tokens of an earlier one."""
        for _ in range(self.MAX_TRIES):
            text = self._draw(rng, min_words, max_words)
            runs = _shingles(text, self.UNIQUE_RUN)
            if self.seen_runs.isdisjoint(runs):
                break
            self.redrawn += 1
        else:
            self.repeated += 1
        self.seen_runs.update(runs)
        return text

    def _draw(self, rng: random.Random, min_words: int, max_words: int) -> str:
        word, last = rng.choice(self.starts)
        words, run = [word], _token_count(word)
        while len(words) < max_words:
            options = self.successors.get(words[-1]) or [("", -1)]
            following, position = rng.choice(options)
            tries = 0
            while position == last + 1 and self._too_long(run, following) and tries < 8:
                following, position = rng.choice(options)
                tries += 1
            if position == last + 1 and self._too_long(run, following):
                following = ""  # only this sentence's path goes on: stop copying it
            if following == "":
                if len(words) >= min_words:
                    break
                following, position = rng.choice(self.starts)
                run = _token_count(following)
            elif position == last + 1:
                run += _token_count(following)
            else:
                # A jump to another sentence copies this word and the next one of it.
                run = _token_count(words[-1]) + _token_count(following)
            last = position
            words.append(following)
        text = " ".join(words)
        if not text.endswith((".", "!", "?")):
            text = text.rstrip(",;:") + "."
        return text[0].upper() + text[1:]


def _token_count(word: str) -> int:
    return len(WORD_TOKEN.findall(word))


class SentenceSource:
    """Unused pool sentences in order, then Markov sentences; counts what it handed out."""

    def __init__(self, documents: list[list[str]], markov: MarkovText, rng: random.Random):
        self.documents = documents
        self.markov = markov
        self.rng = rng
        self.document_index = 0
        self.sentence_index = 0
        self.real = 0
        self.generated = 0

    def run(self, count: int) -> list[str]:
        """``count`` consecutive sentences, from one source document while it lasts."""
        sentences: list[str] = []
        while len(sentences) < count:
            if self.document_index >= len(self.documents):
                sentences.append(self.markov.sentence(self.rng))
                self.generated += 1
                continue
            document = self.documents[self.document_index]
            take = document[self.sentence_index : self.sentence_index + count - len(sentences)]
            sentences.extend(take)
            self.real += len(take)
            self.sentence_index += len(take)
            if self.sentence_index >= len(document):
                self.document_index += 1
                self.sentence_index = 0
        return sentences

    def fresh_run(self, count: int) -> list[str]:
        """Sentences from a source document not used before (a new story starts a new topic)."""
        if self.sentence_index:
            self.document_index += 1
            self.sentence_index = 0
        return self.run(count)


# ----------------------------------------------------------------------------------------
# Light edits, each returning the edited text or None when it does not apply


def edit_quotes(text: str, rng: random.Random) -> str | None:
    if any(char in text for char in "“”‘’"):
        return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))
    if '"' in text or "'" in text:
        return _curl_quotes(text)
    return None


def _curl_quotes(text: str) -> str:
    text = re.sub(r"(\w)'", "\\1’", text)
    text = re.sub(r'(^|[\s(])"', "\\1“", text)
    return text.replace('"', "”").replace("'", "’")


def edit_us(text: str, rng: random.Random) -> str | None:
    if "U.S." in text:
        return text.replace("U.S.", "US")
    if re.search(r"\bUS\b", text):
        return re.sub(r"\bUS\b", "U.S.", text)
    return None


def edit_typo(text: str, rng: random.Random) -> str | None:
    words = [match for match in re.finditer(r"[a-z]{6,}", text)]
    if not words:
        return None
    word = rng.choice(words)
    position = rng.randrange(word.start() + 1, word.end() - 2)
    if text[position] == text[position + 1]:
        return None
    return text[:position] + text[position + 1] + text[position] + text[position + 2 :]


def edit_trim(text: str, rng: random.Random) -> str | None:
    """Drop one clause between commas: ``A, which B, C.`` -> ``A, C.``."""
    clauses = list(re.finditer(r", [^,.;:!?\"“”]{8,90}(?=,)", text))
    if not clauses:
        return None
    clause = rng.choice(clauses)
    if len(clause.group()) > 0.25 * len(text):
        return None  # a light edit: the rest of the paragraph must still be most of it
    return text[: clause.start()] + text[clause.end() :]


EDITS = {"quotes": edit_quotes, "us": edit_us, "typo": edit_typo, "trim": edit_trim}


def light_edit(text: str, rng: random.Random) -> tuple[str, str | None]:
    for name in rng.sample(sorted(EDITS), len(EDITS)):
        edited = EDITS[name](text, rng)
        if edited is not None and edited != text and edited.strip():
            return edited, name
    return text, None


def add_told_credit(text: str, source: str, rng: random.Random) -> str:
    """End the paragraph's last sentence with a credit: ``..., he told AP.``.

    >>> add_told_credit('He said "it works."', "AP", random.Random(1))
    'He said "it works," she told AP.'
    """
    stripped = text.rstrip()
    quote = stripped[-1] if stripped.endswith(('"', "”")) else ""
    core = stripped[: len(stripped) - len(quote)]
    if not core.endswith("."):
        return f"{stripped} {source} reported."
    core = core[:-1]
    if quote:
        who = rng.choice(("he", "she", "a spokesman", "an official"))
        return f"{core},{quote} {who} told {source}."
    phrase = rng.choice((f", {source} reported", f", according to {source}", f", {source} said"))
    return f"{core}{phrase}."


def add_interview(text: str, outlet: str, rng: random.Random) -> str | None:
    """End the paragraph's last sentence with an interview phrase (``..., she told the BBC.``):
    the speaker talked to ``outlet``; nothing was copied from it. None when the paragraph does
    not end with a full stop.

    >>> add_interview("The plant will close next year.", "CNN", random.Random(3))
    'The plant will close next year, she told CNN on Sunday.'
    """
    stripped = text.rstrip()
    quote = stripped[-1] if stripped.endswith(('"', "”")) else ""
    core = stripped[: len(stripped) - len(quote)]
    if not core.endswith("."):
        return None
    who = rng.choice(("he", "she", "the minister", "a spokeswoman", "the official"))
    phrase = rng.choice((f"{who} told {outlet}", f"{who} said in an interview with {outlet}",
                         f"{who} told {outlet} on Sunday"))  # fmt: skip
    if quote:
        return f"{core[:-1]},{quote} {phrase}."
    return f"{core[:-1]}, {phrase}."


def _stamp(published: datetime) -> str:
    return f"{published:%B} {published.day}, {published:%Y} {published:%H:%M} UTC"


def _ago(elapsed: timedelta) -> str:
    minutes = max(1, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} minutes ago"
    hours = minutes // 60
    return "1 hour ago" if hours == 1 else f"{hours} hours ago"


def _agency_outlet(agency: Agency) -> Outlet:
    """The agency's own site as a template (its copies are origins)."""
    return Outlet(agency.name, agency.host, agency.host,
                  f"{agency.name} | Top News | World | U.S. | Business | Politics",
                  f"Get {agency.name} alerts on your phone.",
                  f"Copyright 2026 {agency.name}. All rights reserved. This material may "
                  "not be published, broadcast, rewritten or redistributed.",
                  "none", 0.0, 0.0, ("", ""))  # fmt: skip


def _syndicator(name: str, host: str) -> Outlet:
    """An aggregator or syndicator (Yahoo News, Google News, MSN): never edits what it shows."""
    return Outlet(name, re.sub(r"[^a-z]+", "-", name.lower()), host,
                  f"{name} | Home | For you | U.S. | World | Business | Entertainment | Sports",
                  f"Get the {name} app: personalised news, wherever you are.",
                  f"© 2026 {name}. All rights reserved. Terms | Privacy | Help | Feedback",
                  "none", 0.0, 0.0, ("", ""))  # fmt: skip


def _agency_copyright(agency: Agency, published: datetime, rng: random.Random) -> str:
    """The agency's copyright line at the end of its story as others run it."""
    return AGENCY_COPYRIGHTS[agency.name].format(
        year=published.year, stamp=f"{published:%y%m%d}", number=rng.randint(100000, 999999)
    )


# ----------------------------------------------------------------------------------------
# The generator


class CorpusGenerator:
    """Makes documents and their truth; see the module docstring for what it imitates."""

    def __init__(
        self,
        documents: list[list[str]],
        seed: int = 7,
        outlets: int = 40,
        window: int = 64,
        shapes: bool = True,
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        # The shapes of real news beyond pickups (digests, aggregators, newsletters, mixed
        # articles, agency updates and story credits, captions, interviews). Off: the corpus
        # of the plain generator, byte for byte (no draw from ``rng`` is made for them).
        self.shapes = shapes
        order = list(range(len(documents)))
        self.rng.shuffle(order)
        shuffled = [documents[index] for index in order]
        # Disjoint thirds of the pool: stories, original paragraphs, Markov training.
        # Stories get the largest share: reused text is what the benchmark measures.
        cut_story, cut_original = int(len(shuffled) * 0.45), int(len(shuffled) * 0.8)
        markov = MarkovText([s for doc in shuffled[cut_original:] for s in doc])
        self.story_text = SentenceSource(shuffled[:cut_story], markov, self.rng)
        self.original_text = SentenceSource(shuffled[cut_story:cut_original], markov, self.rng)
        self.markov = markov
        self.outlets = [self._make_outlet(index) for index in range(outlets)]
        self.syndicators = [_syndicator(name, host) for name, host in SYNDICATORS]
        # Those that also run whole stories (Yahoo News, MSN); Google News shows ledes only.
        self.story_syndicators = [s for s in self.syndicators if s.name != "Google News"]
        self.window = window
        self.open_stories: deque[Story] = deque()
        self.story_count = 0
        self.document_count = 0
        self.clock = datetime(2026, 1, 5, 6, 0)
        self.pending_passages: list[dict[str, Any]] = []
        # Passages of the batch being made: released once all its documents are out.
        self.batch_passages: list[dict[str, Any]] = []

    # -- outlets -----------------------------------------------------------------------

    def _make_outlet(self, index: int) -> Outlet:
        rng = self.rng
        place = OUTLET_PLACES[index % len(OUTLET_PLACES)]
        noun = OUTLET_NOUNS[(index * 7 + index // len(OUTLET_PLACES)) % len(OUTLET_NOUNS)]
        name = f"The {place} {noun}" if index % 3 else f"{place} {noun}"
        slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
        host = f"www.{slug.replace('-', '')}.com"
        sections = rng.sample(SECTIONS, rng.randint(5, 8))
        bare = name.removeprefix("The ")
        nav = (
            f"{name} | Home | "
            + " | ".join(sections)
            + rng.choice((" | Subscribe", " | Log in", ""))
        )
        promo = rng.choice(
            (
                f"Sign up for the {bare} morning newsletter and get the day's top stories in your inbox.",
                f"Support independent journalism: subscribe to {name} for just $1 a week.",
                f"Download the {bare} app for breaking news alerts.",
                f"Read more: the best of {name} this week, hand-picked by our editors.",
            )
        )
        footer = (
            f"© 2026 {name}. All rights reserved. "
            + " | ".join(rng.sample(("Privacy Policy", "Terms of Use", "Contact Us", "Advertise",
                                     "About Us", "Careers", "Cookie Settings"), 4))
        )  # fmt: skip
        initials = tuple(
            "".join(rng.choice("abcdefghijklmnoprstvw") for _ in range(2)) for _ in range(2)
        )
        return Outlet(
            name=name,
            slug=slug,
            host=host,
            nav=nav,
            promo=promo,
            footer=footer,
            credit_style=CREDIT_STYLES[index % len(CREDIT_STYLES)],
            credit_rate=rng.uniform(0.3, 0.95),
            edit_rate=rng.uniform(0.1, 0.5),
            editors=(initials[0], initials[1]),
        )

    # -- stories -----------------------------------------------------------------------

    def _new_story(self) -> Story:
        rng = self.rng
        self.story_count += 1
        paragraphs = self._paragraphs(self.story_text, rng.randint(5, 10), fresh=True)
        city = rng.choice(CITIES)
        occurrences: list[list[dict[str, Any]]] = [[] for _ in paragraphs]
        if rng.random() < 0.8:
            agency = rng.choices(AGENCIES, AGENCY_WEIGHTS)[0]
            origin = {"kind": "external", "source": agency.name}
            story = Story(self.story_count, "wire", origin, agency, agency.name, city,
                          paragraphs, self.clock, occurrences)  # fmt: skip
        else:
            outlet = rng.choice(self.outlets)
            story = Story(self.story_count, "outlet", {"kind": "document", "uri": ""}, None,
                          outlet.name, city, paragraphs, self.clock, occurrences)  # fmt: skip
        if self.shapes:
            self._add_interview(story)
            self._add_caption(story)
        return story

    def _add_interview(self, story: Story) -> None:
        """Some stories quote a speaker who talked to another outlet (``..., he told the BBC.``):
        the passage still comes from the story's origin, not from the outlet named."""
        rng = self.rng
        if rng.random() >= 0.15 or len(story.paragraphs) < 2:
            return
        for index in rng.sample(range(1, len(story.paragraphs)), len(story.paragraphs) - 1):
            outlet = rng.choice(INTERVIEW_OUTLETS)
            text = add_interview(story.paragraphs[index], outlet, rng)
            if text is not None:
                story.paragraphs[index] = text
                story.interviews[index] = outlet
                return

    def _add_caption(self, story: Story) -> None:
        """Some stories carry a photo whose caption ends with the photo's credit. An agency's
        story has the agency's photo; an outlet's story a bought one, whose origin is the photo
        agency (the outlet's document is the first to carry it, not its origin)."""
        rng = self.rng
        if rng.random() >= 0.25:
            return
        if story.agency is not None:
            photo = story.agency.name
        else:
            photo = rng.choices(("AFP", "Associated Press", "Reuters"), (0.4, 0.3, 0.3))[0]
        credit = rng.choice(PHOTO_CREDITS[photo]).format(name=self._author())
        index = self._add_paragraph(story, f"{self.story_text.run(1)[0]} {credit}")
        story.caption = index
        if story.agency is None:
            story.paragraph_origins[index] = {"kind": "external", "source": photo}

    def _add_paragraph(self, story: Story, text: str) -> int:
        story.paragraphs.append(text)
        story.occurrences.append([])
        return len(story.paragraphs) - 1

    def _paragraphs(self, source: SentenceSource, count: int, fresh: bool = False) -> list[str]:
        sizes = [self.rng.choice((1, 1, 2, 2, 3)) for _ in range(count)]
        sentences = source.fresh_run(sum(sizes)) if fresh else source.run(sum(sizes))
        paragraphs, cursor = [], 0
        for size in sizes:
            paragraphs.append(" ".join(sentences[cursor : cursor + size]))
            cursor += size
        return paragraphs

    # -- documents ---------------------------------------------------------------------

    def _uri(self, host_or_slug: str, published: datetime) -> str:
        self.document_count += 1
        return f"{host_or_slug}/{published:%Y-%m-%d}/article-{self.document_count:07d}"

    def _title(self) -> str:
        words = self.markov.sentence(self.rng, 6, 11).rstrip(".!?").split()[:11]
        return " ".join(word.capitalize() if len(word) > 3 else word for word in words)

    def _author(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _assemble(
        self,
        uri: str,
        outlet_name: str,
        published: datetime,
        pieces: list[Piece],
        credits: list[str],
        shape: str = "pickup",
    ) -> Document:
        """Join pieces into the text, recording boilerplate spans and passage occurrences."""
        parts: list[str] = []
        cursor = 0
        boilerplate: list[dict[str, Any]] = []
        title = pieces[1].text if len(pieces) > 1 else ""
        for piece in pieces:
            if piece.join and parts:
                parts[-1] = " "  # same block as the piece before
                cursor -= 1
            if piece.lead:
                boilerplate.append({"start_char": cursor, "kind": "dateline",
                                    "end_char": cursor + len(piece.lead.rstrip())})  # fmt: skip
            start = cursor + len(piece.lead)
            end = start + len(piece.text)
            parts.append(piece.lead + piece.text)
            parts.append("\n\n")
            cursor = end + 2
            if piece.boilerplate:
                boilerplate.append(
                    {"start_char": start, "end_char": end, "kind": piece.boilerplate}
                )
            if piece.story is not None:
                piece.story.occurrences[piece.paragraph].append(
                    {
                        "uri": uri,
                        "start_char": start,
                        "end_char": end,
                        "parent": piece.parent,
                        "edits": piece.edits,
                        **({"is_origin": True} if piece.is_origin else {}),
                    }
                )
        text = "".join(parts[:-1]) + "\n"
        return Document(uri, outlet_name, title, "", published, text, credits, boilerplate,
                        shape=shape)  # fmt: skip

    def _frame(self, outlet: Outlet, title: str, byline: str, body: list[Piece],
               signoff: str | None, closing: list[Piece] | None = None,
               items: list[int] | None = None) -> list[Piece]:  # fmt: skip
        """The outlet's template around a body: nav, title, byline, promo, sign-off, footer.
        ``items``: where the items of a page of items (digest, aggregator) start in ``body``;
        the promo goes between two of them."""
        pieces = [Piece(outlet.nav, "navigation"), Piece(title), Piece(byline, "byline")]
        middle = (len(body) + 1) // 2
        if items:
            middle = min(items, key=lambda start: abs(start - middle))
        while middle < len(body) and body[middle].join:
            middle += 1  # the promo never splits a block
        pieces.extend(body[:middle])
        if len(body) > 2:
            pieces.append(Piece(outlet.promo, "promo"))
        pieces.extend(body[middle:])
        if signoff:
            pieces.append(Piece(signoff, "byline"))
        pieces.extend(closing or [])
        pieces.append(Piece(outlet.footer, "footer"))
        return pieces

    def _byline(self, author: str, published: datetime, agency: Agency | None) -> str:
        stamp = _stamp(published)
        if agency is not None:
            return f"By {author}, {agency.name} | {stamp}"
        return f"By {author} | {stamp}"

    def _agency_document(self, story: Story) -> Document:
        """The agency's own copy of a wire story, stored in the corpus: the origin."""
        agency = story.agency
        assert agency is not None
        uri = self._uri(agency.host, story.published)
        story.origin = {"kind": "document", "uri": uri}
        outlet = _agency_outlet(agency)
        body = [Piece(text, story=story, paragraph=index, is_origin=True)
                for index, text in enumerate(story.paragraphs)
                if index != story.caption]  # fmt: skip
        dateline = f"{story.city} ({agency.short}){agency.dash}"
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), story.published,
                             agency), body, None)  # fmt: skip
        pieces.insert(3, Piece(dateline.strip(), "dateline"))
        pieces[3:3] = self._origin_caption(story)
        document = self._assemble(uri, agency.name, story.published, pieces, [agency.name],
                                  "agency")  # fmt: skip
        story.copies.append(Copy(uri, story.published, dict(enumerate(story.paragraphs)), {},
                                 outlet=agency.name, from_publisher=True))  # fmt: skip
        return document

    def _origin_caption(self, story: Story) -> list[Piece]:
        """The caption as the story's first document carries it (the photo came with it)."""
        if story.caption is None:
            return []
        index = story.caption
        return [Piece(story.paragraphs[index], story=story, paragraph=index,
                      is_origin=index not in story.paragraph_origins)]  # fmt: skip

    def _outlet_story_document(self, story: Story) -> Document:
        """An outlet's own story, which later documents copy: the origin."""
        outlet = next(o for o in self.outlets if o.name == story.source_name)
        uri = self._uri(outlet.host, story.published)
        story.origin = {"kind": "document", "uri": uri}
        body = [Piece(text, story=story, paragraph=index, is_origin=True)
                for index, text in enumerate(story.paragraphs)
                if index != story.caption]  # fmt: skip
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), story.published,
                             None), body, None)  # fmt: skip
        pieces[3:3] = self._origin_caption(story)
        story.copies.append(Copy(uri, story.published, dict(enumerate(story.paragraphs)), {},
                                 outlet=outlet.name, from_publisher=True))  # fmt: skip
        return self._assemble(uri, outlet.name, story.published, pieces, [], "outlet_story")

    def _pickup(self, outlet: Outlet, stories: list[Story]) -> Document:
        """An outlet article copying paragraphs of one or two stories, plus its own text."""
        rng = self.rng
        published = self.clock + timedelta(minutes=rng.randint(10, 18 * 60))
        uri = self._uri(outlet.host, published)
        credited = outlet.credit_style != "none" and rng.random() < outlet.credit_rate
        body: list[Piece] = []
        credits: list[str] = []
        for story_index, story in enumerate(stories):
            parent_copy = self._parent_for(story, published)
            available, joined = self._source_order(story, published, parent_copy)
            length = rng.randint(min(2, len(available)), len(available))
            first = 0 if rng.random() < 0.6 else rng.randrange(len(available) - length + 1)
            chosen = available[first : first + length]
            copied = self._copy_paragraphs(outlet.edit_rate, story, chosen, parent_copy)
            self._link(story, copied, parent_copy, available, joined)
            caption = []
            if self.shapes and story_index == 0:
                caption = self._caption_copy(story, parent_copy)
            # Outlet stories are always credited in running text (``according to The X``).
            if credited or story.kind == "outlet":
                credits.append(story.source_name)
                self._credit(outlet, story, copied, body, story_index)
            story.copies.append(
                Copy(uri, published, {p.paragraph: p.text for p in caption + copied},
                     {p.paragraph: p.edits for p in caption + copied},
                     {p.paragraph for p in copied if p.join}, outlet.name)
            )  # fmt: skip
            body[0:0] = caption  # the photo above the article
            body.extend(copied)
            if caption and rng.random() < GALLERY_RATE:
                body.extend(self._gallery(caption[0]))
            if rng.random() < 0.5:
                count = rng.randint(1, 2)
                body.extend(Piece(text) for text in self._paragraphs(self.original_text, count))
        if rng.random() < 0.6:
            count = rng.randint(1, 3)
            body.extend(Piece(text) for text in self._paragraphs(self.original_text, count))
        signoff = self._signoff(outlet, stories) if credited else None
        by_agency = stories[0].agency if credited and outlet.credit_style == "byline" else None
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), published,
                             by_agency), body, signoff)  # fmt: skip
        return self._assemble(uri, outlet.name, published, pieces, sorted(set(credits)))

    def _parent_for(self, story: Story, published: datetime) -> Copy | None:
        """The copy this pickup copies from: another outlet's copy (a chain) or the origin (the
        publisher's latest version by then)."""
        earlier = [copy for copy in story.copies if copy.published < published]
        chains = [copy for copy in earlier if not copy.from_publisher]
        if chains and self.rng.random() < 0.3:
            return self.rng.choice(chains)
        return self._publisher_copy(story, published)

    def _publisher_copy(self, story: Story, published: datetime) -> Copy | None:
        """The latest version its publisher (agency or outlet) had out before ``published``."""
        versions = [c for c in story.copies if c.from_publisher and c.published < published]
        return max(versions, key=lambda copy: copy.published) if versions else None

    def _source_order(self, story: Story, published: datetime,
                      parent: Copy | None) -> tuple[list[int], set[int]]:  # fmt: skip
        """Paragraphs a copy made at ``published`` can take, in text order, and those written
        on the block before them: the parent's, else the agency's version of the time."""
        if parent is not None:
            return [index for index in parent.texts if index != story.caption], parent.joined
        if story.versions:
            current = story.versions[0]
            for version in story.versions:
                if version.published <= published:
                    current = version
            return list(current.order), current.joined
        return [index for index in range(len(story.paragraphs)) if index != story.caption], set()

    def _parent_uri(self, story: Story, index: int, parent: Copy | None) -> str | None:
        """The copy's parent: None when copied straight from the paragraph's origin."""
        if parent is None:
            return None
        origin = story.paragraph_origins.get(index, story.origin)
        return None if parent.uri == origin.get("uri") else parent.uri

    def _link(self, story: Story, pieces: list[Piece], parent: Copy | None, order: list[int],
              joined: set[int]) -> None:  # fmt: skip
        """Set each copied piece's parent, and join a sentence an update added to its block."""
        position = {index: number for number, index in enumerate(order)}
        for number, piece in enumerate(pieces):
            piece.parent = self._parent_uri(story, piece.paragraph, parent)
            piece.join = (
                number > 0
                and piece.paragraph in joined
                and position[piece.paragraph] == position[pieces[number - 1].paragraph] + 1
            )

    def _copy_paragraphs(self, edit_rate: float, story: Story, chosen: list[int],
                         parent: Copy | None) -> list[Piece]:  # fmt: skip
        pieces = []
        for index in chosen:
            text = parent.texts[index] if parent else story.paragraphs[index]
            edits = list(parent.edits.get(index, [])) if parent else []
            if self.rng.random() < edit_rate:
                text, name = light_edit(text, self.rng)
                if name:
                    edits.append(name)
            pieces.append(Piece(text, story=story, paragraph=index, edits=edits))
        return pieces

    def _gallery(self, caption: Piece) -> list[Piece]:
        """A photo gallery below the article that shows the caption again (a second copy of
        the caption passage in one document, as McClatchy and Hearst pages carry it), between
        the gallery's buttons."""
        total = self.rng.randint(2, 6)
        again = Piece(caption.text, story=caption.story, paragraph=caption.paragraph,
                      parent=caption.parent, edits=list(caption.edits))  # fmt: skip
        return [Piece(f"Image 1 of {total}", "navigation"), again, Piece("Close", "navigation")]

    def _caption_copy(self, story: Story, parent: Copy | None) -> list[Piece]:
        """The story's photo caption, verbatim, when the source carries it and the copy keeps it."""
        index = story.caption
        if index is None or (parent is not None and index not in parent.texts):
            return []
        if self.rng.random() >= 0.6:
            return []
        text = parent.texts[index] if parent else story.paragraphs[index]
        return [Piece(text, story=story, paragraph=index,
                      parent=self._parent_uri(story, index, parent))]  # fmt: skip

    def _excerpt(self, edit_rate: float, story: Story, published: datetime, length: int,
                 from_start: bool, parent: Copy | None,
                 avoid: set[int] | None = None) -> list[Piece]:  # fmt: skip
        """A copy of a run of ``length`` paragraphs of ``parent`` (else of the agency's version
        at ``published``), from its first paragraph or from anywhere; a sentence an update added
        to a paragraph comes with it. ``avoid``: paragraphs the document already carries."""
        order, joined = self._source_order(story, published, parent)
        candidates = [index for index in order if not avoid or index not in avoid]
        if not candidates:
            return []
        length = min(length, len(candidates))
        first = 0 if from_start else self.rng.randrange(len(candidates) - length + 1)
        if candidates[first] in joined and first > 0:
            first -= 1  # start with the paragraph the added sentence belongs to
        end = first + length
        while end < len(candidates) and candidates[end] in joined:
            end += 1
        pieces = self._copy_paragraphs(edit_rate, story, candidates[first:end], parent)
        self._link(story, pieces, parent, order, joined)
        return pieces

    def _credit(self, outlet: Outlet, story: Story, copied: list[Piece], body: list[Piece],
                story_index: int) -> None:  # fmt: skip
        """Credit the source in the outlet's style; sign-offs and bylines are added later."""
        style = outlet.credit_style
        if story.agency is None:
            style = "told"  # an outlet is credited in running text
        elif style == "byline" and story_index > 0:
            style = "told"  # the byline names the first agency only
        if style == "dateline" and story_index == 0:
            assert story.agency is not None
            body.append(Piece(f"{story.city} ({story.agency.short}){story.agency.dash}".strip(),
                              "dateline"))  # fmt: skip
        elif style == "dateline" or style == "told":
            short = story.agency.short if story.agency else story.source_name
            piece = copied[0]
            if "credit" in piece.edits:
                return  # copied from a copy that already credits the source
            piece.text = add_told_credit(piece.text, short, self.rng)
            piece.edits = [*piece.edits, "credit"]

    def _signoff(self, outlet: Outlet, stories: list[Story]) -> str | None:
        if outlet.credit_style != "signoff":
            return None
        names = [story.agency.short for story in stories if story.agency]
        if not names:
            return None
        return f"{outlet.editors[0]}/{outlet.editors[1]} ({', '.join(names)})"

    # -- shapes of real news (off with --plain) ------------------------------------------

    def _shape_documents(self, story: Story) -> list[Document]:
        """The event's documents beyond pickups: the agency's update of its new story, an
        aggregator page, a digest of an agency's ledes."""
        rng = self.rng
        documents: list[Document] = []
        if story.kind == "wire" and rng.random() < 0.3:
            update = self._update(story)
            if update is not None:
                documents.append(update)
        if rng.random() < 0.08:
            documents.append(self._aggregator())
        if rng.random() < 0.05:
            digest = self._digest()
            if digest is not None:
                documents.append(digest)
        return documents

    def _shaped_pickup(self, outlet: Outlet, story: Story, roll: float) -> Document:
        """A pickup slot taken by an article quoting two or three stories, or by an agency's
        story run as it came (on the outlet's site or a syndicator's)."""
        rng = self.rng
        if roll < 0.26:
            first = story if rng.random() < 0.75 else rng.choice(self.open_stories)
            drawn = rng.sample(list(self.open_stories), min(3, len(self.open_stories)))
            others = [other for other in drawn if other is not first][: rng.randint(1, 2)]
            if not others:
                return self._pickup(outlet, [first])
            return self._mixed(outlet, [first, *others])
        wire = story if story.agency else None
        if wire is None:  # an outlet's story: the latest wire story instead
            wire = next((other for other in reversed(self.open_stories) if other.agency), None)
        if wire is None:
            return self._pickup(outlet, [story])
        syndicated = rng.random() < 0.3
        host = rng.choice(self.story_syndicators) if syndicated else outlet
        return self._agency_story(host, wire, syndicated)

    def _mixed(self, outlet: Outlet, stories: list[Story]) -> Document:
        """An article quoting excerpts of two or three stories (often two agencies' stories),
        each credited or not, with its own paragraphs between them or none."""
        rng = self.rng
        published = self.clock + timedelta(minutes=rng.randint(30, 18 * 60))
        uri = self._uri(outlet.host, published)
        body: list[Piece] = []
        credits: list[str] = []
        if rng.random() < 0.7:
            body.extend(Piece(text) for text in self._paragraphs(self.original_text, 1))
        used: dict[int, set[int]] = {}
        turns = [*stories, stories[0]] if rng.random() < 0.3 else list(stories)
        for story in turns:
            avoid = used.setdefault(story.story_id, set())
            parent = self._parent_for(story, published)
            pieces = self._excerpt(outlet.edit_rate, story, published, rng.randint(1, 2),
                                   rng.random() < 0.4, parent, avoid)  # fmt: skip
            if not pieces:
                continue
            avoid.update(piece.paragraph for piece in pieces)
            if story.kind == "outlet" or rng.random() < outlet.credit_rate:
                credits.append(story.source_name)
                if "credit" not in pieces[0].edits:
                    short = story.agency.short if story.agency else story.source_name
                    name = short if rng.random() < 0.5 else story.source_name
                    pieces[0].text = add_told_credit(pieces[0].text, name, rng)
                    pieces[0].edits = [*pieces[0].edits, "credit"]
            body.extend(pieces)
            if rng.random() < 0.5:
                count = rng.randint(1, 2)
                body.extend(Piece(text) for text in self._paragraphs(self.original_text, count))
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), published, None),
                             body, None)  # fmt: skip
        return self._assemble(uri, outlet.name, published, pieces, sorted(set(credits)), "mixed")

    def _agency_story(self, host: Outlet, story: Story, syndicated: bool) -> Document:
        """An agency's story run as it came, so the article IS the agency's story: its byline
        (``By Reuters``), dateline (``NEW YORK (AP) —``, ``(Reuters) -``) and copyright line.
        A syndicator (Yahoo News, MSN) runs it within minutes: often the first copy scraped."""
        rng = self.rng
        agency = story.agency
        assert agency is not None
        minutes = rng.randint(1, 30) if syndicated else rng.randint(10, 12 * 60)
        published = self.clock + timedelta(minutes=minutes)
        uri = self._uri(host.host, published)
        parent = self._publisher_copy(story, published)  # straight from the agency
        order, _ = self._source_order(story, published, parent)
        length = len(order) - (rng.randint(0, 2) if len(order) > 4 else 0)  # the end cut off
        pieces = self._excerpt(host.edit_rate * 0.5, story, published, length, True, parent)
        pieces[0].lead = self._dateline(story)
        caption = self._caption_copy(story, parent)
        author = self._author()
        byline = rng.choice(AGENCY_BYLINES[agency.name]).format(name=author, upper=author.upper())
        closing = [Piece(_agency_copyright(agency, published, rng), "footer")]
        if agency.short == "Reuters" and rng.random() < 0.5:
            closing.insert(0, Piece(f"(Reporting by {author}; Editing by {self._author()})",
                                    "byline"))  # fmt: skip
        frame = self._frame(host, self._title(), f"{byline} | {_stamp(published)}",
                            caption + pieces, None, closing)  # fmt: skip
        story.copies.append(
            Copy(uri, published, {p.paragraph: p.text for p in caption + pieces},
                 {p.paragraph: p.edits for p in caption + pieces},
                 {p.paragraph for p in pieces if p.join}, host.name)
        )  # fmt: skip
        return self._assemble(uri, host.name, published, frame, [agency.name], "agency_story")

    def _dateline(self, story: Story) -> str:
        """The agency's dateline that opens its story's first paragraph."""
        agency = story.agency
        assert agency is not None
        if agency.short in ("Reuters", "Bloomberg") and self.rng.random() < 0.4:
            return f"({agency.short}){agency.dash}"  # ``(Reuters) - ``: no city
        return f"{story.city} ({agency.short}){agency.dash}"

    def _update(self, story: Story) -> Document | None:
        """The agency updates its story hours later: new paragraphs, a sentence added to one,
        sometimes one dropped. Copies made after the update carry the new version. When the
        agency's own copy is in the corpus, so is the update (the origin of what it added)."""
        rng = self.rng
        agency = story.agency
        assert agency is not None
        published = story.published + timedelta(minutes=rng.randint(90, 8 * 60))
        first, _ = self._source_order(story, story.published, None)
        order = list(first)
        if len(order) > 4 and rng.random() < 0.3:
            order.pop(rng.randrange(1, len(order)))
        for text in self._paragraphs(self.story_text, rng.randint(1, 2)):
            order.insert(rng.randint(1, len(order)), self._add_paragraph(story, text))
        target = rng.choice([index for index in order if index in first])
        added = self._add_paragraph(story, self.story_text.run(1)[0])
        order.insert(order.index(target) + 1, added)
        new = set(order) - set(first)
        story.updated |= new
        story.versions = [Version(story.published, list(first), set()),
                          Version(published, order, {added})]  # fmt: skip
        if self._publisher_copy(story, published) is None:
            return None  # the agency's copy is not in the corpus; copies take the update anyway
        uri = self._uri(agency.host, published)
        for index in new:
            story.paragraph_origins[index] = {"kind": "document", "uri": uri}
        body = [Piece(story.paragraphs[index], story=story, paragraph=index,
                      is_origin=index in new, join=index == added)
                for index in order]  # fmt: skip
        title = self._title()
        if agency.short == "Reuters":
            title = f"UPDATE 1-{title}"
        byline = self._byline(self._author(), published, agency)
        pieces = self._frame(_agency_outlet(agency), title, byline, body, None)
        pieces.insert(3, Piece(f"{story.city} ({agency.short}){agency.dash}".strip(), "dateline"))
        pieces[3:3] = self._origin_caption(story)
        for piece in pieces[3:4]:
            if piece.story is not None:
                piece.is_origin = False  # the caption came with the first version
        carried = order if story.caption is None else [story.caption, *order]
        story.copies.append(
            Copy(uri, published, {index: story.paragraphs[index] for index in carried}, {},
                 {added}, agency.name, from_publisher=True)
        )  # fmt: skip
        return self._assemble(uri, agency.name, published, pieces, [agency.name],
                              "agency_update")  # fmt: skip

    def _aggregator(self) -> Document:
        """A page of ledes of the latest stories (news.google.com, yahoo.com/news), each under
        its source's name: the agency or outlet whose copy it shows. It is scraped minutes
        after the news breaks, before most copies, but it is never an origin."""
        rng = self.rng
        host = rng.choice(self.syndicators)
        published = self.clock + timedelta(minutes=rng.randint(1, 9))
        uri = self._uri(host.host, published)
        body: list[Piece] = []
        items: list[int] = []
        credits: list[str] = []
        for story in list(reversed(self.open_stories))[: rng.randint(12, 30)]:
            shown = [copy for copy in story.copies
                     if copy.published < published and not copy.from_publisher]  # fmt: skip
            if shown and rng.random() < 0.4:
                parent: Copy | None = rng.choice(shown)
                assert parent is not None
                source, since = parent.outlet, parent.published
            else:
                parent = self._publisher_copy(story, published)
                source, since = story.source_name, story.published
            pieces = self._excerpt(0.0, story, published, 1, True, parent)
            if not pieces:
                continue
            items.append(len(body))
            body.append(Piece(self._title()))
            body.append(Piece(f"{source} · {_ago(published - since)}", "byline"))
            body.extend(pieces)
            credits.append(source)
        pieces = self._frame(host, rng.choice(("Top stories", "Headlines", "Latest news")),
                             f"Updated {_stamp(published)}", body, None, None, items)  # fmt: skip
        return self._assemble(uri, host.name, published, pieces, sorted(set(credits)),
                              "aggregator")  # fmt: skip

    def _digest(self) -> Document | None:
        """An agency's digest (``AP News in Brief``): ledes of about ten of its stories under
        their headlines, run by a member outlet or a syndicator."""
        rng = self.rng
        agency = rng.choices(AGENCIES, AGENCY_WEIGHTS)[0]
        stories = [story for story in reversed(self.open_stories) if story.agency is agency]
        if len(stories) < 4:
            return None
        host = rng.choice(self.story_syndicators if rng.random() < 0.3 else self.outlets)
        published = self.clock + timedelta(minutes=rng.randint(20, 180))
        uri = self._uri(host.host, published)
        body: list[Piece] = []
        items: list[int] = []
        for story in stories[: rng.randint(8, 12)]:
            parent = self._publisher_copy(story, published)
            length = 2 if rng.random() < 0.3 else 1
            pieces = self._excerpt(0.0, story, published, length, True, parent)
            if not pieces:
                continue
            pieces[0].lead = self._dateline(story)
            items.append(len(body))
            body.append(Piece(self._title()))
            body.extend(pieces)
        hour = published.hour % 12 or 12
        time_of_day = f"{hour}:{published:%M} {'a.m.' if published.hour < 12 else 'p.m.'}"
        title = DIGEST_TITLES[agency.name].format(time=time_of_day)
        article = "The " if agency.short == "AP" else ""
        closing = [Piece(_agency_copyright(agency, published, rng), "footer")]
        pieces = self._frame(host, title, f"By {article}{agency.name} | {_stamp(published)}",
                             body, None, closing, items)  # fmt: skip
        return self._assemble(uri, host.name, published, pieces, [agency.name], "digest")

    def _newsletter(self, outlet: Outlet) -> Document | None:
        """An outlet's newsletter: excerpts of several other outlets' (and agencies') copies of
        the day's stories, each with a heading and a link line, wrapped in newsletter prompts."""
        rng = self.rng
        published = self.clock + timedelta(minutes=rng.randint(3 * 60, 12 * 60))
        stories = list(self.open_stories)
        rng.shuffle(stories)
        wanted = rng.randint(6, 14)
        items: list[tuple[Story, Copy]] = []
        for story in stories:
            copies = [copy for copy in story.copies
                      if copy.published < published and copy.outlet != outlet.name]  # fmt: skip
            if copies:
                items.append((story, rng.choice(copies)))
            if len(items) >= wanted:
                break
        if len(items) < 3:
            return None
        name = f"{outlet.name.removeprefix('The ')} {rng.choice(NEWSLETTER_NAMES)}"
        uri = self._uri(outlet.host, published)
        body = [Piece(f"Welcome back. You're reading {name}, the newsletter of {outlet.name}. "
                      "Sign up here to get it in your inbox every day.", "promo")]  # fmt: skip
        starts: list[int] = []
        for number, (story, copy) in enumerate(items):
            starts.append(len(body))
            body.append(Piece(self._title()))
            if rng.random() < 0.4:
                body.extend(Piece(text) for text in self._paragraphs(self.original_text, 1))
            body.extend(self._excerpt(outlet.edit_rate, story, published, rng.randint(1, 3),
                                      rng.random() < 0.7, copy))  # fmt: skip
            body.append(Piece(f"Read the full story at {copy.outlet}.", "promo"))
            if number == len(items) // 2:
                body.append(Piece(f"Advertisement. {name} is supported by our readers and "
                                  "sponsors. Become a member today.", "promo"))  # fmt: skip
        body.append(Piece("Forward this newsletter to a friend. Not a subscriber yet? "
                          "Sign up here.", "promo"))  # fmt: skip
        body.append(Piece(f"You are receiving this email because you subscribed to {name}. "
                          "Unsubscribe | Manage preferences | View in browser",
                          "promo"))  # fmt: skip
        pieces = self._frame(outlet, f"{name}: {self._title()}",
                             self._byline(self._author(), published, None), body, None, None,
                             starts)  # fmt: skip
        credits = sorted({copy.outlet for _, copy in items})
        return self._assemble(uri, outlet.name, published, pieces, credits, "newsletter")

    def _original_document(self, outlet: Outlet) -> Document:
        """An article nobody copies and that copies nobody."""
        rng = self.rng
        published = self.clock + timedelta(minutes=rng.randint(0, 12 * 60))
        uri = self._uri(outlet.host, published)
        body = [Piece(text) for text in self._paragraphs(self.original_text, rng.randint(3, 7))]
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), published, None),
                             body, None)  # fmt: skip
        return self._assemble(uri, outlet.name, published, pieces, [], "original")

    def _duplicate(self, document: Document) -> Document:
        """The same article under a second address (an AMP page, a syndication mirror)."""
        self.document_count += 1
        uri = f"{document.uri}-amp-{self.document_count:07d}"
        for story in self.open_stories:
            for occurrences in story.occurrences:
                for occurrence in list(occurrences):
                    if occurrence["uri"] == document.uri:
                        occurrences.append({**occurrence, "uri": uri, "parent": document.uri})
                        occurrences[-1].pop("is_origin", None)
        covered = sorted(
            (o["start_char"], o["end_char"])
            for story in self.open_stories
            for occurrences in story.occurrences
            for o in occurrences
            if o["uri"] == document.uri
        )
        boilerplate = [(b["start_char"], b["end_char"]) for b in document.boilerplate]
        # Every other body block is now shared with the first copy: one passage each.
        cursor = 0
        for block in document.text.split("\n\n"):
            start, end = cursor, cursor + len(block.rstrip("\n"))
            cursor += len(block) + 2
            if end <= start or (start, end) in covered or (start, end) in boilerplate:
                continue
            if start == 0 or any(start < b_end and b_start < end for b_start, b_end in covered):
                continue
            self.batch_passages.append(
                {
                    "kind": "duplicate",
                    "origin": {"kind": "document", "uri": document.uri},
                    "occurrences": [
                        {"uri": document.uri, "start_char": start, "end_char": end,
                         "parent": None, "edits": [], "is_origin": True},
                        {"uri": uri, "start_char": start, "end_char": end,
                         "parent": document.uri, "edits": []},
                    ],
                }
            )  # fmt: skip
        # Same text; the mirror is published (or crawled) a little later, so the first copy
        # is the origin by date as well (no draw from the generator: other documents stay the same).
        published = document.published + timedelta(minutes=5 + self.document_count * 37 % 86)
        return Document(uri, document.outlet, document.title, document.author,
                        published, document.text, document.credits,
                        document.boilerplate, duplicate_of=document.uri,
                        shape="duplicate")  # fmt: skip

    # -- the event loop ----------------------------------------------------------------

    def documents(self, count: int) -> Iterator[Document]:
        """Yield ``count`` documents; truth passages accumulate in :meth:`flush_passages`."""
        rng = self.rng
        made = 0
        while made < count:
            self.clock += timedelta(minutes=rng.randint(5, 40))
            story = self._new_story()
            batch: list[Document] = []
            if story.kind == "outlet":
                batch.append(self._outlet_story_document(story))
            elif rng.random() < 0.35:
                batch.append(self._agency_document(story))
            self.open_stories.append(story)
            if self.shapes:
                batch.extend(self._shape_documents(story))
            for _ in range(rng.choice((1, 2, 3, 4, 5, 6, 8, 10))):
                roll = rng.random()
                outlet = rng.choice(self.outlets)
                if roll < 0.2:
                    batch.append(self._original_document(outlet))
                    continue
                if self.shapes and roll < 0.31:
                    batch.append(self._shaped_pickup(outlet, story, roll))
                    continue
                chosen = [story if rng.random() < 0.75 else rng.choice(self.open_stories)]
                if rng.random() < 0.15 and len(self.open_stories) > 1:
                    other = rng.choice(self.open_stories)
                    if other is not chosen[0]:
                        chosen.append(other)
                batch.append(self._pickup(outlet, chosen))
                if rng.random() < 0.02:
                    batch.append(self._duplicate(batch[-1]))
            if self.shapes and rng.random() < 0.06:
                newsletter = self._newsletter(rng.choice(self.outlets))
                if newsletter is not None:
                    batch.append(newsletter)
            for document in batch:
                if made >= count:
                    break
                made += 1
                yield document
            # Released once the batch's documents are out (a duplicate comes after its first).
            self.pending_passages.extend(self.batch_passages)
            self.batch_passages = []
            if made >= count:
                break
            while len(self.open_stories) > self.window:
                self._close(self.open_stories.popleft())
        # Documents cut off by ``count`` are never written; the truth writer drops them.
        while self.open_stories:
            self._close(self.open_stories.popleft())

    def _close(self, story: Story) -> None:
        for index, occurrences in enumerate(story.occurrences):
            if len({o["uri"] for o in occurrences}) < 2:
                continue  # found in one document only: nothing in the corpus to find it against
            passage = {
                "kind": story.kind,
                "story": story.story_id,
                "paragraph": index,
                "origin": dict(story.paragraph_origins.get(index, story.origin)),
                "occurrences": occurrences,
            }
            if index == story.caption:
                passage["caption"] = True  # a photo caption; its credit names the origin
            if index in story.interviews:
                passage["interview"] = story.interviews[index]  # named, not an origin
            if index in story.updated:
                passage["update"] = True  # first sent in the agency's update
            self.pending_passages.append(passage)

    def flush_passages(self) -> list[dict[str, Any]]:
        passages, self.pending_passages = self.pending_passages, []
        return passages


# ----------------------------------------------------------------------------------------
# Writing


@dataclass
class CorpusSummary:
    documents: int
    passages: int
    occurrences: int
    real_sentences: int
    generated_sentences: int
    seconds: float
    articles_path: str
    truth_path: str
    redrawn_sentences: int = 0  # Markov sentences drawn again: they repeated an earlier run
    repeated_sentences: int = 0  # ... kept after MAX_TRIES draws (unlisted reuse: should be 0)


class TruthWriter:
    """Streams ``truth.json``: passages as they close, documents collected in a side file."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.side_path = path.with_suffix(".documents.tmp")
        self.handle: IO[str] = path.open("w", encoding="utf-8")
        self.side: IO[str] = self.side_path.open("w", encoding="utf-8")
        self.handle.write('{"meta": ' + json.dumps(meta) + ',\n"passages": [\n')
        self.passages = 0
        self.occurrences = 0
        self.documents = 0
        self.written: set[str] = set()

    def document(self, document: Document, relative_uri: str) -> None:
        record = {
            "uri": relative_uri,
            "outlet": document.outlet,
            "published_at": document.published.isoformat(),
            "credits": document.credits,
            "boilerplate": document.boilerplate,
            "duplicate_of": document.duplicate_of,
            "shape": document.shape,
        }
        self.side.write(("" if self.documents == 0 else ",\n") + json.dumps(record))
        self.documents += 1
        self.written.add(document.uri)

    def passages_out(self, passages: list[dict[str, Any]], uri_of: dict[str, str] | None) -> None:
        for passage in passages:
            # Occurrences in documents cut off by --n were never written.
            occurrences = [o for o in passage["occurrences"] if o["uri"] in self.written]
            if len({o["uri"] for o in occurrences}) < 2:
                continue
            written = {o["uri"] for o in occurrences}
            for occurrence in occurrences:
                if occurrence["parent"] is not None and occurrence["parent"] not in written:
                    occurrence["parent"] = None
                if uri_of is not None:
                    occurrence["uri"] = uri_of[occurrence["uri"]]
                    if occurrence["parent"] is not None:
                        occurrence["parent"] = uri_of[occurrence["parent"]]
            origin = dict(passage["origin"])
            if origin.get("kind") == "document":
                if origin["uri"] not in self.written:
                    continue  # cannot happen: origins are written before their copies
                if uri_of is not None:
                    origin["uri"] = uri_of[origin["uri"]]
            record = {"id": f"p{self.passages:07d}", **passage, "origin": origin,
                      "occurrences": occurrences}  # fmt: skip
            self.handle.write(("" if self.passages == 0 else ",\n") + json.dumps(record))
            self.passages += 1
            self.occurrences += len(occurrences)

    def close(self) -> None:
        self.side.close()
        self.handle.write('\n],\n"documents": [\n')
        with self.side_path.open(encoding="utf-8") as side:
            while chunk := side.read(1 << 20):
                self.handle.write(chunk)
        self.handle.write("\n]}\n")
        self.handle.close()
        self.side_path.unlink()


def write_corpus(
    out_dir: Path,
    count: int,
    seed: int = 7,
    output_format: str = "jsonl",
    archive: Path = DEFAULT_ARCHIVE,
    outlets: int = 40,
    pool: list[list[str]] | None = None,
    plain: bool = False,
) -> CorpusSummary:
    """Write ``count`` articles and ``truth.json`` into ``out_dir``; same seed, same bytes."""
    if output_format not in ("jsonl", "txt"):
        raise SystemExit(f"error: --format must be jsonl or txt, not {output_format!r}")
    if count < 1:
        raise SystemExit("error: --n must be at least 1")
    started = time.perf_counter()
    pool = pool if pool is not None else load_pool(archive)
    generator = CorpusGenerator(pool, seed=seed, outlets=outlets, shapes=not plain)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"seed": seed, "documents": count, "format": output_format, "outlets": outlets,
            "plain": plain,
            "source": "DUC source documents of pan13-train.tar.gz",
            "uri": "file path relative to the corpus folder" if output_format == "txt"
            else "JSONL record id"}  # fmt: skip
    truth = TruthWriter(out_dir / "truth.json", meta)
    uri_of: dict[str, str] | None = {} if output_format == "txt" else None
    if output_format == "jsonl":
        articles_path = out_dir / "articles.jsonl"
        sink: IO[str] | None = articles_path.open("w", encoding="utf-8", newline="")
    else:
        articles_path = out_dir / "articles"
        sink = None
    try:
        for document in generator.documents(count):
            if sink is not None:
                sink.write(json.dumps(_jsonl_record(document), ensure_ascii=False) + "\n")
                truth.document(document, document.uri)
            else:
                assert uri_of is not None
                relative = f"articles/{document.uri}.txt"
                path = out_dir / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("w", encoding="utf-8", newline="") as handle:
                    handle.write(document.text)
                uri_of[document.uri] = relative
                truth.document(document, relative)
            truth.passages_out(generator.flush_passages(), uri_of)
        truth.passages_out(generator.flush_passages(), uri_of)
    finally:
        if sink is not None:
            sink.close()
    truth.close()
    real = generator.story_text.real + generator.original_text.real
    generated = generator.story_text.generated + generator.original_text.generated
    return CorpusSummary(truth.documents, truth.passages, truth.occurrences, real, generated,
                         time.perf_counter() - started, str(articles_path),
                         str(out_dir / "truth.json"), generator.markov.redrawn,
                         generator.markov.repeated)  # fmt: skip


def _jsonl_record(document: Document) -> dict[str, str]:
    return {
        "id": document.uri,
        "url": f"https://{document.uri}",
        "title": document.title,
        "outlet": document.outlet,
        "published_at": document.published.isoformat(),
        "text": document.text,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument(
        "--plain",
        action="store_true",
        help="pickups only: no digests, aggregators, newsletters, mixed articles, agency "
        "updates, agency-run stories, captions or interviews (the corpus of earlier figures)",
    )
    args = parser.parse_args(argv)
    if not args.archive.is_file():
        print(f"error: PAN archive not found: {args.archive}", file=sys.stderr)
        return 2
    summary = write_corpus(args.out, args.n, args.seed, args.format, args.archive, args.outlets,
                           plain=args.plain)  # fmt: skip
    share = summary.real_sentences / max(1, summary.real_sentences + summary.generated_sentences)
    print(
        f"{summary.documents} documents -> {summary.articles_path}\n"
        f"{summary.passages} reused passages, {summary.occurrences} occurrences -> {summary.truth_path}\n"
        f"sentences: {summary.real_sentences} from DUC, {summary.generated_sentences} Markov "
        f"({share:.0%} real; {summary.redrawn_sentences} redrawn, "
        f"{summary.repeated_sentences} kept repeating an earlier run)\n"
        f"{summary.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
