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

Original paragraphs are drawn from DUC sentences never used for stories. The pool holds about
80k usable sentences, so at large N the generator falls back to a first-order Markov chain
trained on a third, disjoint part of the pool (real words and word pairs; it never follows one
training sentence for more than 4 words, so no real run long enough to look like reuse recurs). The truth file says how much text came from each source.

Truth (``truth.json``): ``meta`` (counts, seed, parameters), ``passages`` (one per reused
paragraph occurring in at least two documents: ``id``, ``kind`` ``wire``/``outlet``/
``duplicate``, ``origin`` ``{"kind": "external", "source": ...}`` or ``{"kind": "document",
"uri": ...}``, ``occurrences`` ``[{"uri", "start_char", "end_char", "parent", "edits"}]`` with
``parent`` the uri the copy was made from, ``null`` when straight from the origin or the origin
itself), ``documents`` (``uri``, ``outlet``, ``published_at``, ``credits``, ``boilerplate``
spans, ``duplicate_of``). Offsets index the written text exactly: in ``txt`` mode the file's
contents, in ``jsonl`` mode the record's ``text``. In ``txt`` mode a ``uri`` is the file's path
relative to the corpus folder.

Memory stays bounded: documents are written as they are made and a story's truth is flushed
when it leaves a sliding window of open stories.

Run: ``python benchmarks/corpus.py --n 10000 --out /tmp/corpus10k`` (``--format txt`` for a
folder of ``.txt`` files). Writes ``articles.jsonl`` (or ``articles/``) and ``truth.json``.
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
    texts: dict[int, str]  # paragraph index -> the text as it appears in the document
    edits: dict[int, list[str]]


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
    'He said "it works," he told AP.'
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
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
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
            return Story(self.story_count, "wire", origin, agency, agency.name, city,
                         paragraphs, self.clock, occurrences)  # fmt: skip
        outlet = rng.choice(self.outlets)
        story = Story(self.story_count, "outlet", {"kind": "document", "uri": ""}, None,
                      outlet.name, city, paragraphs, self.clock, occurrences)  # fmt: skip
        return story

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
    ) -> Document:
        """Join pieces into the text, recording boilerplate spans and passage occurrences."""
        parts: list[str] = []
        cursor = 0
        boilerplate: list[dict[str, Any]] = []
        title = pieces[1].text if len(pieces) > 1 else ""
        for piece in pieces:
            start, end = cursor, cursor + len(piece.text)
            parts.append(piece.text)
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
        return Document(uri, outlet_name, title, "", published, text, credits, boilerplate)

    def _frame(self, outlet: Outlet, title: str, byline: str, body: list[Piece],
               signoff: str | None) -> list[Piece]:  # fmt: skip
        """The outlet's template around a body: nav, title, byline, promo, sign-off, footer."""
        pieces = [Piece(outlet.nav, "navigation"), Piece(title), Piece(byline, "byline")]
        middle = (len(body) + 1) // 2
        pieces.extend(body[:middle])
        if len(body) > 2:
            pieces.append(Piece(outlet.promo, "promo"))
        pieces.extend(body[middle:])
        if signoff:
            pieces.append(Piece(signoff, "byline"))
        pieces.append(Piece(outlet.footer, "footer"))
        return pieces

    def _byline(self, author: str, published: datetime, agency: Agency | None) -> str:
        stamp = f"{published:%B} {published.day}, {published:%Y} {published:%H:%M} UTC"
        if agency is not None:
            return f"By {author}, {agency.name} | {stamp}"
        return f"By {author} | {stamp}"

    def _agency_document(self, story: Story) -> Document:
        """The agency's own copy of a wire story, stored in the corpus: the origin."""
        agency = story.agency
        assert agency is not None
        uri = self._uri(agency.host, story.published)
        story.origin = {"kind": "document", "uri": uri}
        outlet = Outlet(agency.name, agency.host, agency.host,
                        f"{agency.name} | Top News | World | U.S. | Business | Politics",
                        f"Get {agency.name} alerts on your phone.",
                        f"Copyright 2026 {agency.name}. All rights reserved. This material may "
                        "not be published, broadcast, rewritten or redistributed.",
                        "none", 0.0, 0.0, ("", ""))  # fmt: skip
        body = [Piece(text, story=story, paragraph=index, is_origin=True)
                for index, text in enumerate(story.paragraphs)]  # fmt: skip
        dateline = f"{story.city} ({agency.short}){agency.dash}"
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), story.published,
                             agency), body, None)  # fmt: skip
        pieces.insert(3, Piece(dateline.strip(), "dateline"))
        document = self._assemble(uri, agency.name, story.published, pieces, [agency.name])
        story.copies.append(Copy(uri, story.published, dict(enumerate(story.paragraphs)), {}))
        return document

    def _outlet_story_document(self, story: Story) -> Document:
        """An outlet's own story, which later documents copy: the origin."""
        outlet = next(o for o in self.outlets if o.name == story.source_name)
        uri = self._uri(outlet.host, story.published)
        story.origin = {"kind": "document", "uri": uri}
        body = [Piece(text, story=story, paragraph=index, is_origin=True)
                for index, text in enumerate(story.paragraphs)]  # fmt: skip
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), story.published,
                             None), body, None)  # fmt: skip
        story.copies.append(Copy(uri, story.published, dict(enumerate(story.paragraphs)), {}))
        return self._assemble(uri, outlet.name, story.published, pieces, [])

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
            available = (
                sorted(parent_copy.texts) if parent_copy else list(range(len(story.paragraphs)))
            )
            length = rng.randint(min(2, len(available)), len(available))
            first = 0 if rng.random() < 0.6 else rng.randrange(len(available) - length + 1)
            chosen = available[first : first + length]
            copied = self._copy_paragraphs(outlet, story, chosen, parent_copy)
            if parent_copy is not None and parent_copy.uri == story.origin.get("uri"):
                parent_uri = None  # straight from the origin document
            else:
                parent_uri = parent_copy.uri if parent_copy else None
            for piece in copied:
                piece.parent = parent_uri
            # Outlet stories are always credited in running text (``according to The X``).
            if credited or story.kind == "outlet":
                credits.append(story.source_name)
                self._credit(outlet, story, copied, body, story_index)
            story.copies.append(
                Copy(uri, published, {p.paragraph: p.text for p in copied},
                     {p.paragraph: p.edits for p in copied})
            )  # fmt: skip
            body.extend(copied)
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
        """The copy this pickup copies from: another outlet's copy (a chain) or the origin."""
        earlier = [copy for copy in story.copies if copy.published < published]
        origin_uri = story.origin.get("uri")
        chains = [copy for copy in earlier if copy.uri != origin_uri]
        if chains and self.rng.random() < 0.3:
            return self.rng.choice(chains)
        origin_copy = next((copy for copy in earlier if copy.uri == origin_uri), None)
        return origin_copy

    def _copy_paragraphs(self, outlet: Outlet, story: Story, chosen: list[int],
                         parent: Copy | None) -> list[Piece]:  # fmt: skip
        pieces = []
        for index in chosen:
            text = parent.texts[index] if parent else story.paragraphs[index]
            edits = list(parent.edits.get(index, [])) if parent else []
            if self.rng.random() < outlet.edit_rate:
                text, name = light_edit(text, self.rng)
                if name:
                    edits.append(name)
            pieces.append(Piece(text, story=story, paragraph=index, edits=edits))
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

    def _original_document(self, outlet: Outlet) -> Document:
        """An article nobody copies and that copies nobody."""
        rng = self.rng
        published = self.clock + timedelta(minutes=rng.randint(0, 12 * 60))
        uri = self._uri(outlet.host, published)
        body = [Piece(text) for text in self._paragraphs(self.original_text, rng.randint(3, 7))]
        pieces = self._frame(outlet, self._title(), self._byline(self._author(), published, None),
                             body, None)  # fmt: skip
        return self._assemble(uri, outlet.name, published, pieces, [])

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
                        document.boilerplate, duplicate_of=document.uri)  # fmt: skip

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
            for _ in range(rng.choice((1, 2, 3, 4, 5, 6, 8, 10))):
                roll = rng.random()
                outlet = rng.choice(self.outlets)
                if roll < 0.2:
                    batch.append(self._original_document(outlet))
                    continue
                chosen = [story if rng.random() < 0.75 else rng.choice(self.open_stories)]
                if rng.random() < 0.15 and len(self.open_stories) > 1:
                    other = rng.choice(self.open_stories)
                    if other is not chosen[0]:
                        chosen.append(other)
                batch.append(self._pickup(outlet, chosen))
                if rng.random() < 0.02:
                    batch.append(self._duplicate(batch[-1]))
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
            self.pending_passages.append(
                {
                    "kind": story.kind,
                    "story": story.story_id,
                    "paragraph": index,
                    "origin": dict(story.origin),
                    "occurrences": occurrences,
                }
            )

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
) -> CorpusSummary:
    """Write ``count`` articles and ``truth.json`` into ``out_dir``; same seed, same bytes."""
    if output_format not in ("jsonl", "txt"):
        raise SystemExit(f"error: --format must be jsonl or txt, not {output_format!r}")
    if count < 1:
        raise SystemExit("error: --n must be at least 1")
    started = time.perf_counter()
    pool = pool if pool is not None else load_pool(archive)
    generator = CorpusGenerator(pool, seed=seed, outlets=outlets)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"seed": seed, "documents": count, "format": output_format, "outlets": outlets,
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
    args = parser.parse_args(argv)
    if not args.archive.is_file():
        print(f"error: PAN archive not found: {args.archive}", file=sys.stderr)
        return 2
    summary = write_corpus(args.out, args.n, args.seed, args.format, args.archive, args.outlets)
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
