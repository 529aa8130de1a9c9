"""A small news corpus whose provenance is known, built from real text (PAN13 source documents).

Each *story* takes the paragraphs of one news-like PAN13 source document and plays a scenario
of how news travels, with outlets around it writing their own (real, unrelated) paragraphs:

* ``wire_in_corpus``: the agency's own dated copy is in the corpus (dateline ``CITY (AP) -``;
  sometimes its timestamp is a later update); outlets copy it with an inline credit, without
  credit, and one outlet copies another outlet's edited copy (a chain).
* ``wire_absent``: the agency copy is not in the corpus; one outlet credits it inline, one signs
  off ``(AP, AFP)``-style, an uncredited copy is the *earliest* corpus witness.
* ``outlet_chain``: an outlet's own story, copied by a second outlet that credits it by name and
  edits it, and a third copying the second (parent: the second).
* ``late_witness``: two uncredited copies arrive first; the original (earlier) arrives in a
  later run (``stage`` 2).
* ``undated``: nothing is dated and nothing credited; copies trim the original's paragraphs.
* ``silent_wire``: the agency copy is in the corpus, nobody credits it, dates decide.

Everything is deterministic for a given seed. ``build_corpus()`` returns the documents with their
metadata (what a metadata extractor would give) and, per copied paragraph, its spans in every
document, the true origin and the true parent of each copy.

Run ``python -m benchmarks.origin_corpus OUT_DIR`` to write the corpus as ``.txt`` files plus
``truth.json``.
"""

from __future__ import annotations

import json
import random
import re
import sys
import tarfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PAN_ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan13-train.tar.gz"
if not PAN_ARCHIVE.exists():
    PAN_ARCHIVE = Path("/work/shared/data/pan13-train.tar.gz")

SCENARIOS = (
    "wire_in_corpus",
    "wire_absent",
    "outlet_chain",
    "late_witness",
    "undated",
    "silent_wire",
)
# (canonical name, how copies credit it inline, dateline form, sign-off form)
AGENCY_STYLES = (
    ("Associated Press", ("the Associated Press reported", "AP reported"), "AP", "AP"),
    ("Reuters", ("Reuters reported", "according to Reuters"), "Reuters", "Reuters"),
    ("AFP", ("AFP reported", "Agence France-Presse reported"), "AFP", "AFP"),
    ("dpa", ("dpa reported", "the German news agency dpa reported"), "dpa", "dpa"),
)
OUTLETS = (
    "Daily Planet", "Evening Standard Post", "Morning Courier", "Valley Herald", "Harbor Gazette",
    "Northern Ledger", "City Chronicle", "Coastal Tribune", "Prairie Sentinel", "Lakeside Observer",
    "Capital Dispatch", "Riverside Examiner",
)  # fmt: skip
CITIES = ("WASHINGTON", "LONDON", "BERLIN", "MOSCOW", "TOKYO", "NEW YORK", "PARIS", "BRUSSELS")
START = datetime(2016, 10, 3, 6, 0, tzinfo=UTC)
# Noise that makes the truth corpus realistic (and the confidence worth calibrating):
MISSING_DATE = 0.15  # a document's date was not extracted
WIRE_UPDATED = 0.3  # the wire copy's timestamp is a later update, after its copies
WIRE_OUTLET_UNKNOWN = 0.25  # the agency's own copy is not recognised as the agency's
FOREIGN_SIGNOFF = 0.3  # an outlet signs off an agency for its other content


@dataclass
class TruthDocument:
    key: str
    text: str
    outlet: str | None
    published_at: datetime | None
    stage: int = 1  # 2: arrives in a later run


@dataclass
class TruthPassage:
    """One copied paragraph: where it sits in each document, and where it came from."""

    passage_id: str
    scenario: str
    spans: dict[str, tuple[int, int]]
    origin_kind: str  # document | external
    origin_doc: str | None = None
    origin_source: str | None = None
    parents: dict[str, str] = field(default_factory=dict)  # copy -> the copy it came from


@dataclass
class TruthCorpus:
    documents: list[TruthDocument]
    passages: list[TruthPassage]


def news_documents(archive: Path = PAN_ARCHIVE) -> list[list[str]]:
    """Paragraph lists of the news-like PAN13 source documents, in file order.

    News-like: at least five quoted ``said`` attributions and five paragraphs of 200+ characters.
    """
    if not archive.exists():
        raise SystemExit(f"PAN13 archive not found at {archive}: see ../shared/data/README.md")
    documents: list[list[str]] = []
    with tarfile.open(archive) as tar:
        # members in archive order: seeking backwards in a gzip stream re-reads it from the start
        members = [m for m in tar if m.isfile() and "/src/" in m.name and m.name.endswith(".txt")]
        texts: dict[str, str] = {}
        for member in members:
            handle = tar.extractfile(member)
            if handle is not None:
                texts[member.name] = handle.read().decode("utf-8", errors="replace")
        for name in sorted(texts):
            text = texts[name]
            paragraphs = [
                " ".join(line.split())
                for line in text.splitlines()
                if 200 <= len(line.strip()) <= 1200
            ]
            said = len(re.findall(r"\bsaid\b", text))
            quotes = len(re.findall(r"[\"“]", text))
            if said >= 5 and quotes >= 4 and len(paragraphs) >= 5:
                documents.append(paragraphs)
    return documents


class _Writer:
    """Assembles one document from paragraphs, remembering where each copied one landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: dict[str, tuple[int, int]] = {}

    def add(
        self, paragraph: str, passage_id: str | None = None, passage_text: str | None = None
    ) -> None:
        start = self.length
        self.parts.append(paragraph)
        self.length += len(paragraph) + 2  # "\n\n" joins paragraphs
        if passage_id is not None:
            inner = passage_text if passage_text is not None else paragraph
            offset = paragraph.find(inner)
            offset = 0 if offset < 0 else offset
            self.spans[passage_id] = (start + offset, start + offset + len(inner))

    def text(self) -> str:
        return "\n\n".join(self.parts) + "\n"


def _truncate(paragraph: str) -> str:
    """Drop the paragraph's last sentence (what copy desks do to fit space), else its last fifth."""
    cut = [m.end() for m in re.finditer(r"[.!?][\"”]?(?=\s+[A-Z“\"])", paragraph)]
    if cut and cut[-1] > len(paragraph) * 0.4:
        return paragraph[: cut[-1]]
    words = paragraph.split(" ")
    return " ".join(words[: max(5, len(words) * 4 // 5)]).rstrip(",;:") + "."


def _edit(paragraph: str, rng: random.Random) -> str:
    """A copy desk's edits: a changed word and straight quotes made curly."""
    words = paragraph.split(" ")
    candidates = [
        i for i, word in enumerate(words) if word.isalpha() and len(word) > 5 and word.islower()
    ]
    if candidates:
        index = rng.choice(candidates)
        words[index] = {0: "notably", 1: "reportedly", 2: "also"}[index % 3] + " " + words[index]
    edited = " ".join(words)
    return re.sub(r'"([^"]*)"', r"“\1”", edited)


def _credit_inline(paragraph: str, phrase: str) -> str:
    """Attach a credit to the paragraph's first sentence: ``..., Reuters reported.``"""
    match = re.search(r"[.!?](?=\s+[A-Z“\"]|$)", paragraph)
    if match is None or paragraph[match.start() - 1] in '"”':
        return paragraph.rstrip(".") + f", {phrase}."
    return paragraph[: match.start()] + f", {phrase}" + paragraph[match.start() :]


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.stories = news_documents()
        self.filler_pool: list[str] = []
        self.documents: list[TruthDocument] = []
        self.passages: list[TruthPassage] = []

    def filler(self, count: int) -> list[str]:
        """Unrelated real paragraphs, each used once (so they never form clusters of their own)."""
        return [self.filler_pool.pop() for _ in range(min(count, len(self.filler_pool)))]

    def outlet_doc(
        self,
        key: str,
        outlet: str | None,
        published_at: datetime | None,
        copied: list[tuple[str, str]],
        stage: int = 1,
        head: str | None = None,
        tail: str | None = None,
    ) -> dict[str, tuple[int, int]]:
        """A document: own paragraphs around ``copied`` (passage id, copied paragraph text)."""
        writer = _Writer()
        if head:
            writer.add(head)
        own = self.filler(self.rng.randint(2, 4))
        writer.add(own[0] if own else "An introduction.")
        for passage_id, paragraph in copied:
            writer.add(paragraph, passage_id)
            # outlets interleave their own paragraphs with the copied ones
            if len(own) > 1 and self.rng.random() < 0.5:
                writer.add(own.pop())
        for paragraph in own[1:]:
            writer.add(paragraph)
        if tail:
            writer.add(tail)
        self.documents.append(
            TruthDocument(key, writer.text(), outlet, self.lost_date(published_at), stage)
        )
        return writer.spans

    def lost_date(self, published_at: datetime | None) -> datetime | None:
        """Metadata extraction misses a date now and then."""
        return None if self.rng.random() < MISSING_DATE else published_at

    def build(self, n_stories: int) -> TruthCorpus:
        if not 1 <= n_stories <= len(self.stories) * 2 // 3:
            raise SystemExit(f"--stories must be 1..{len(self.stories) * 2 // 3}: {n_stories}")
        # which story plays which scenario depends on the seed
        order = list(range(len(self.stories)))
        self.rng.shuffle(order)
        self.stories = [self.stories[index] for index in order]
        story_docs = self.stories[:n_stories]
        # unrelated real paragraphs: the stories' unused ones and the other news documents
        self.filler_pool = [p for doc in story_docs for p in doc[4:]] + [
            p for doc in self.stories[n_stories:] for p in doc
        ]
        self.rng.shuffle(self.filler_pool)
        for number, paragraphs in enumerate(story_docs):
            scenario = SCENARIOS[number % len(SCENARIOS)]
            getattr(self, "_" + scenario)(number, paragraphs[:4])
        return TruthCorpus(self.documents, self.passages)

    def _times(self, number: int) -> datetime:
        return START + timedelta(days=number, hours=self.rng.randint(0, 10))

    def _agency(self, number: int) -> tuple[str, tuple[str, ...], str, str]:
        return AGENCY_STYLES[(number // len(SCENARIOS)) % len(AGENCY_STYLES)]

    def _passages(
        self, number: int, scenario: str, count: int, **truth: object
    ) -> list[TruthPassage]:
        made = [
            TruthPassage(f"s{number:02d}p{index}", scenario, {}, **truth)  # type: ignore[arg-type]
            for index in range(count)
        ]
        self.passages.extend(made)
        return made

    @staticmethod
    def _record(passages: list[TruthPassage], spans: dict[str, tuple[int, int]], key: str) -> None:
        for passage in passages:
            if passage.passage_id in spans:
                passage.spans[key] = spans[passage.passage_id]

    def _wire_in_corpus(self, number: int, paragraphs: list[str]) -> None:
        name, inline, dateline, _ = self._agency(number)
        t0 = self._times(number)
        base = f"s{number:02d}"
        wire_key = f"{base}_wire.txt"
        passages = self._passages(
            number,
            "wire_in_corpus",
            3,
            origin_kind="document",
            origin_doc=wire_key,
            origin_source=name,
        )
        ids = [p.passage_id for p in passages]
        city = self.rng.choice(CITIES)
        updated = self.rng.random() < 0.3  # the wire's timestamp is a later update
        wire_time = t0 + timedelta(hours=9) if updated else t0
        writer = _Writer()
        for index, paragraph in enumerate(paragraphs[:3]):
            prefix = f"{city} ({dateline}) — " if index == 0 else ""
            writer.add(prefix + paragraph, ids[index], paragraph)
        outlet = None if self.rng.random() < WIRE_OUTLET_UNKNOWN else name
        self.documents.append(TruthDocument(wire_key, writer.text(), outlet, wire_time))
        self._record(passages, writer.spans, wire_key)
        # outlet A credits the agency inline, edits and truncates
        a_key, b_key, c_key = f"{base}_credit.txt", f"{base}_plain.txt", f"{base}_chain.txt"
        phrase = self.rng.choice(inline)
        a_text = [_credit_inline(_edit(_truncate(p), self.rng), phrase) for p in paragraphs[:3]]
        self._record(
            passages,
            self.outlet_doc(
                a_key,
                OUTLETS[number % 12],
                t0 + timedelta(hours=1),
                list(zip(ids, a_text, strict=False)),
            ),
            a_key,
        )
        # outlet B copies the wire verbatim without credit
        self._record(
            passages,
            self.outlet_doc(
                b_key,
                OUTLETS[(number + 1) % 12],
                t0 + timedelta(hours=2),
                list(zip(ids, paragraphs[:3], strict=False)),
            ),
            b_key,
        )
        # outlet C copies A's edited copy (credit removed): parent A
        c_text = [re.sub(rf",\s*{re.escape(phrase)}", "", p) for p in a_text]
        self._record(
            passages,
            self.outlet_doc(
                c_key,
                OUTLETS[(number + 2) % 12],
                t0 + timedelta(hours=6),
                list(zip(ids, c_text, strict=False)),
            ),
            c_key,
        )
        for passage in passages[:3]:
            passage.parents[c_key] = a_key

    def _wire_absent(self, number: int, paragraphs: list[str]) -> None:
        name, inline, _, signoff = self._agency(number)
        other = AGENCY_STYLES[(number + 1) % len(AGENCY_STYLES)][3]
        t0 = self._times(number)
        base = f"s{number:02d}"
        passages = self._passages(
            number, "wire_absent", 3, origin_kind="external", origin_source=name
        )
        ids = [p.passage_id for p in passages]
        phrase = self.rng.choice(inline)
        credited = [
            _credit_inline(p, phrase) if i == 0 else p for i, p in enumerate(paragraphs[:3])
        ]
        keys = (f"{base}_early.txt", f"{base}_credit.txt", f"{base}_signed.txt")
        # the earliest corpus witness does not credit anyone
        self._record(
            passages,
            self.outlet_doc(
                keys[0], OUTLETS[number % 12], t0, list(zip(ids, paragraphs[:3], strict=False))
            ),
            keys[0],
        )
        self._record(
            passages,
            self.outlet_doc(
                keys[1],
                OUTLETS[(number + 3) % 12],
                t0 + timedelta(hours=2),
                list(zip(ids, credited, strict=False)),
            ),
            keys[1],
        )
        if self.rng.random() < 0.3:
            return  # no sign-off copy: only the inline credit of the first paragraph remains
        tail = self.rng.choice(
            (f"({signoff}, {other})", f"{signoff}/{other}", f"ab/cd ({signoff})")
        )
        self._record(
            passages,
            self.outlet_doc(
                keys[2],
                OUTLETS[(number + 5) % 12],
                t0 + timedelta(hours=3),
                list(zip(ids, paragraphs[:3], strict=False)),
                tail=tail,
            ),
            keys[2],
        )

    def _outlet_chain(self, number: int, paragraphs: list[str]) -> None:
        t0 = self._times(number)
        base = f"s{number:02d}"
        first, second, third = (f"{base}_scoop.txt", f"{base}_follow.txt", f"{base}_copy.txt")
        scoop_outlet, follow_outlet = OUTLETS[number % 12], OUTLETS[(number + 4) % 12]
        passages = self._passages(
            number, "outlet_chain", 3, origin_kind="document", origin_doc=first
        )
        ids = [p.passage_id for p in passages]
        self._record(
            passages,
            self.outlet_doc(first, scoop_outlet, t0, list(zip(ids, paragraphs[:3], strict=False))),
            first,
        )
        edited = [_edit(_truncate(p), self.rng) for p in paragraphs[:3]]
        credited = [
            _credit_inline(p, f"the {scoop_outlet} reported") if i == 0 else p
            for i, p in enumerate(edited)
        ]
        tail = "(Reuters)" if self.rng.random() < FOREIGN_SIGNOFF else None
        self._record(
            passages,
            self.outlet_doc(
                second,
                follow_outlet,
                t0 + timedelta(hours=4),
                list(zip(ids, credited, strict=False)),
                tail=tail,
            ),
            second,
        )
        self._record(
            passages,
            self.outlet_doc(
                third,
                OUTLETS[(number + 8) % 12],
                t0 + timedelta(hours=9),
                list(zip(ids, edited, strict=False)),
            ),
            third,
        )
        for passage in passages:
            passage.parents[third] = second

    def _late_witness(self, number: int, paragraphs: list[str]) -> None:
        t0 = self._times(number)
        base = f"s{number:02d}"
        original = f"{base}_original.txt"
        passages = self._passages(
            number, "late_witness", 3, origin_kind="document", origin_doc=original
        )
        ids = [p.passage_id for p in passages]
        # two independent copies of the original: one trimmed, one lightly edited
        for offset, suffix in ((6, "first"), (10, "second")):
            key = f"{base}_{suffix}.txt"
            edit = _truncate if suffix == "first" else (lambda p: _edit(p, self.rng))
            copied = [edit(p) for p in paragraphs[:3]]
            self._record(
                passages,
                self.outlet_doc(
                    key,
                    OUTLETS[(number + offset) % 12],
                    t0 + timedelta(hours=offset),
                    list(zip(ids, copied, strict=False)),
                ),
                key,
            )
        self._record(
            passages,
            self.outlet_doc(
                original,
                OUTLETS[number % 12],
                t0,
                list(zip(ids, paragraphs[:3], strict=False)),
                stage=2,
            ),
            original,
        )

    def _undated(self, number: int, paragraphs: list[str]) -> None:
        base = f"s{number:02d}"
        original = f"{base}_full.txt"
        passages = self._passages(number, "undated", 3, origin_kind="document", origin_doc=original)
        ids = [p.passage_id for p in passages]
        self._record(
            passages,
            self.outlet_doc(original, None, None, list(zip(ids, paragraphs[:3], strict=False))),
            original,
        )
        for suffix in ("cut1", "cut2"):
            key = f"{base}_{suffix}.txt"
            copied = [_truncate(p) for p in paragraphs[:3]]
            self._record(
                passages,
                self.outlet_doc(key, None, None, list(zip(ids, copied, strict=False))),
                key,
            )

    def _silent_wire(self, number: int, paragraphs: list[str]) -> None:
        name, _, dateline, _ = self._agency(number)
        t0 = self._times(number)
        base = f"s{number:02d}"
        wire_key = f"{base}_wire.txt"
        passages = self._passages(
            number,
            "silent_wire",
            3,
            origin_kind="document",
            origin_doc=wire_key,
            origin_source=name,
        )
        ids = [p.passage_id for p in passages]
        writer = _Writer()
        for index, paragraph in enumerate(paragraphs[:3]):
            writer.add(
                (f"{self.rng.choice(CITIES)} ({dateline}) — " if index == 0 else "") + paragraph,
                ids[index],
                paragraph,
            )
        wire_time = t0 + timedelta(hours=9) if self.rng.random() < WIRE_UPDATED else t0
        self.documents.append(TruthDocument(wire_key, writer.text(), name, wire_time))
        self._record(passages, writer.spans, wire_key)
        for offset, suffix in ((1, "a"), (3, "b")):
            key = f"{base}_{suffix}.txt"
            self._record(
                passages,
                self.outlet_doc(
                    key,
                    OUTLETS[(number + offset) % 12],
                    t0 + timedelta(hours=offset),
                    list(zip(ids, paragraphs[:3], strict=False)),
                ),
                key,
            )


def build_corpus(n_stories: int = 24, seed: int = 2016) -> TruthCorpus:
    """The truth corpus: ``n_stories`` stories cycling through SCENARIOS."""
    return _Builder(seed).build(n_stories)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m benchmarks.origin_corpus OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    corpus = build_corpus()
    for document in corpus.documents:
        (out / document.key).write_text(document.text, encoding="utf-8")
    truth = {
        "documents": [
            {
                **asdict(d),
                "text": None,
                "published_at": d.published_at.isoformat() if d.published_at else None,
            }
            for d in corpus.documents
        ],
        "passages": [asdict(p) for p in corpus.passages],
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    print(f"{len(corpus.documents)} documents, {len(corpus.passages)} passages -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
