"""Who had a passage first: the origin of a cluster, with a confidence and readable evidence.

Two kinds of witness are weighed:

* the corpus itself: when each copy was published, and which copy holds the others (a copy
  rarely adds to what it copies, it trims);
* what the copies say: credits whose scope covers the passage (``he told AP`` right after the
  quote, a ``Bloomberg:`` lead-in) are strong; document-wide credits (``es/jm (AP, AFP)``) are
  weaker, because an article signed off by two agencies and its own reporter mixes sources.

Each candidate origin (an outside source, or one corpus copy) gathers weighted support: local
credits (1.0 per crediting copy), credits of an outlet whose copy is in the corpus (the same),
story credits (byline, dateline, copyright, sign-off: 0.6, less when a sign-off names several
agencies), citations inside an agency's own story (0.15), credits of the same agency for
neighbouring passages (0.3), interviews (0.1, a tie-breaker), being an agency's own copy
(0.35), being the earliest dated witness (0.15, +0.05 with an hour's lead), holding all the
other copies (0.15). The best
supported candidate is the origin: a credited agency whose own copy is in the corpus gives
``document`` (that copy), one absent from the corpus ``external``; with no support at all the
origin is ``unknown``.

The confidence is the probability that the origin is right, computed from the evidence present
(``OriginSupport``): how many copies credit the origin by a story credit, a citation of the
passage or of other passages, whether it is an agency's own copy, how many copies credit
another source instead, whether the earliest dated copy is the origin's or credits it and by
how many hours it leads, containment, the lead of the origin's score over the runner-up, the
number of copies and of sites. A logistic function of these (``CONFIDENCE_WEIGHTS``) was fitted
on a generated corpus with known origins and is measured on another one
(``benchmarks/calibration.py``, whose reliability tables and calibration error are in
benchmarks/README.md). An earliest date alone is weak evidence there, as in real news: copies
that credit nobody are mostly copies of a story that came from elsewhere.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from dedup.attribution import (
    AGENCIES,
    DOCUMENT_WIDE_CUES,
    canonical_agency,
    credit_kind,
    find_attributions,
)
from dedup.quotes import fold_words
from dedup.records import Attribution, Cluster, DocumentFacts, Occurrence, Origin
from dedup.sources import is_aggregator

# A local credit weighs this much more than a document-wide credit of the same document.
LOCAL_WEIGHT = 1.0
# A story credit (the article is the source's story: byline, dateline, copyright, sign-off) is
# the strongest evidence about the text of an article, near a citation of the passage itself.
WIDE_WEIGHT = 0.6
# An agency credited locally elsewhere in the same document (another passage's "according to
# Reuters"): a hint about the document's story, weaker than a credit of the passage.
ELSEWHERE_WEIGHT = 0.3
# An earlier corpus copy whose outlet the document credits away from the passage ("the
# Prairie Sentinel reported" two paragraphs on): the two share the passage, and one credits
# the other.
OUTLET_ELSEWHERE_WEIGHT = 0.5
# A citation inside an agency's own story (an AP story saying "The New York Times reported"):
# the information came from there, the text is the agency's.
CITED_IN_STORY_WEIGHT = 0.15
# An interview ("he told AP", "in an interview with the BBC"): the speaker is the source of the
# quote, and the outlet only where the words were first said. It never makes an origin of its
# own; it breaks ties between sources credited otherwise.
INTERVIEW_WEIGHT = 0.1
# Evidence text per cluster at most this long (the rest is summarised).
MAX_EVIDENCE_CHARS = 400
# Evidence lists this many copies of each kind of credit, then counts the rest.
MAX_LISTED = 3
# A copy within this fraction of the longest copy's length counts as complete.
COMPLETE_SHARE = 0.97
# Support of a corpus copy from being the earliest dated witness (and leading by an hour or
# more), and from holding all the other copies: weaker than any credit.
DATE_WEIGHT = 0.15
DATE_LEAD_WEIGHT = 0.05
# Support of an agency's own copy (its outlet is an agency): outlets copy agencies, rarely the
# reverse, and a wire copy's timestamp is often that of a later update.
AGENCY_COPY_WEIGHT = 0.35
CONTAINS_WEIGHT = 0.15
# The confidence of an unknown origin: it names no source, so it is never the right one.
# (Known origins: ``calibrated_confidence`` and ``CONFIDENCE_WEIGHTS`` below.)
CONFIDENCE_UNKNOWN = 0.01
# Confidences are kept within these bounds: on the generated corpus, clusters whose fitted
# probability is above 0.99 are right 99% of the time, not more (unmodelled errors: a passage
# cut wrong, an agency's copy missing from its cluster).
CONFIDENCE_FLOOR, CONFIDENCE_CEILING = 0.01, 0.99


@dataclass
class _Witness:
    """What one occurrence of the cluster tells about the origin."""

    index: int
    doc_key: str
    name: str
    published_at: datetime | None
    words: list[str]
    local_credits: list[Attribution] = field(default_factory=list)  # citations, photo credits
    interviews: list[Attribution] = field(default_factory=list)
    wide_credits: list[str] = field(default_factory=list)
    wide_phrases: list[Attribution] = field(default_factory=list)
    elsewhere: list[Attribution] = field(default_factory=list)  # local credits of other passages
    agency: str | None = None  # the agency this document is a copy of (its outlet), if any
    outlet: str | None = None
    aggregator: bool = False  # its outlet gathers other outlets' stories


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _format_date(moment: datetime) -> str:
    if (moment.hour, moment.minute) == (0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=512)
def document_wide_attributions(text: str) -> tuple[Attribution, ...]:
    """Credits of ``text`` as a whole (datelines, sign-offs, ...), boilerplate included: where
    the evidence quotes a wire credit that the body scan skipped."""
    whole = (0, len(text))
    return tuple(
        attribution
        for attribution in find_attributions(text)
        if attribution.cue in DOCUMENT_WIDE_CUES
        and (attribution.scope_start, attribution.scope_end) == whole
    )


def _witnesses(cluster: Cluster, facts: dict[str, DocumentFacts]) -> list[_Witness]:
    witnesses: list[_Witness] = []
    for index, occurrence in enumerate(cluster.occurrences):
        fact = facts.get(occurrence.doc_key)
        if fact is None:
            raise KeyError(
                f"no DocumentFacts for {occurrence.doc_key!r}: every clustered document needs facts"
            )
        witness = _Witness(
            index=index,
            doc_key=occurrence.doc_key,
            name=occurrence.doc_key,
            published_at=_utc(fact.published_at),
            words=fold_words(fact.text[occurrence.start_char : occurrence.end_char]),
            agency=canonical_agency(fact.outlet) if fact.outlet else None,
            outlet=fact.outlet,
            aggregator=is_aggregator(fact.outlet),
        )
        for attribution in fact.attributions:
            overlaps = (
                attribution.scope_start < occurrence.end_char
                and occurrence.start_char < attribution.scope_end
            )
            document_wide = attribution.cue in DOCUMENT_WIDE_CUES and (
                attribution.scope_start == 0 and attribution.scope_end >= len(fact.text)
            )
            if document_wide:
                witness.wide_phrases.append(attribution)
            elif attribution.source == witness.agency:
                continue  # an agency's own copy naming itself is no credit
            elif credit_kind(attribution.cue) == "interview":
                if overlaps:
                    witness.interviews.append(attribution)
            elif overlaps:
                witness.local_credits.append(attribution)
            elif _is_agency(attribution.source) and credit_kind(attribution.cue) == "citation":
                witness.elsewhere.append(attribution)
        witness.wide_credits = [name for name in fact.wire_credits if name != witness.agency]
        if any(
            name not in {a.source for a in witness.wide_phrases} for name in witness.wide_credits
        ):
            # the credit sits in boilerplate (a footer sign-off) that the body scan skipped:
            # find its phrase in the full text so that the evidence can quote it
            wide = fact.wide_attributions
            witness.wide_phrases += [
                attribution
                for attribution in (document_wide_attributions(fact.text) if wide is None else wide)
                if attribution.source in witness.wide_credits
                and attribution not in witness.wide_phrases
            ]
        for attribution in witness.wide_phrases:
            if (
                attribution.source not in witness.wide_credits
                and attribution.source != witness.agency
            ):
                witness.wide_credits.append(attribution.source)
        witnesses.append(witness)
    return witnesses


def _is_agency(source: str) -> bool:
    return any(agency.name == source and agency.kind == "agency" for agency in AGENCIES)


def _source_scores(
    witnesses: list[_Witness],
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(local score, document-wide score, interview score) per credited source, one vote per
    document. A citation counts fully in an outlet's article and little in an agency's own
    story (its text is the agency's); an interview only names where a quote was first said."""
    local: dict[str, float] = {}
    wide: dict[str, float] = {}
    heard: dict[str, float] = {}
    voted: set[str] = set()
    for witness in witnesses:
        if witness.doc_key in voted:
            continue  # a document that carries the passage twice still votes once
        voted.add(witness.doc_key)
        weight = CITED_IN_STORY_WEIGHT if witness.wide_credits else LOCAL_WEIGHT
        for source in dict.fromkeys(credit.source for credit in witness.local_credits):
            # the story's own agency, cited: fully
            weight_here = LOCAL_WEIGHT if source in witness.wide_credits else weight
            local[source] = local.get(source, 0.0) + weight_here
        # a sign-off naming two agencies vouches for each of them less (but still for both)
        for source in witness.wide_credits:
            wide[source] = wide.get(source, 0.0) + WIDE_WEIGHT / len(witness.wide_credits) ** 0.5
        local_here = {credit.source for credit in witness.local_credits}
        for source in dict.fromkeys(
            c.source for c in witness.elsewhere if c.source not in local_here
        ):
            wide[source] = wide.get(source, 0.0) + ELSEWHERE_WEIGHT
        for source in dict.fromkeys(credit.source for credit in witness.interviews):
            heard[source] = heard.get(source, 0.0) + INTERVIEW_WEIGHT
    return local, wide, heard


def _credit_evidence(witnesses: list[_Witness], source: str | None) -> list[str]:
    """Readable credit phrases, the chosen source's first; long lists are summarised."""
    local_parts: list[str] = []
    for witness in witnesses:
        phrases = list(
            dict.fromkeys(
                credit.phrase for credit in witness.local_credits if credit.source == source
            )
        )
        phrases += [
            p for p in dict.fromkeys(c.phrase for c in witness.local_credits) if p not in phrases
        ]
        if phrases:
            local_parts.append(
                f"{witness.name} credits it " + ", ".join(f'"{phrase}"' for phrase in phrases)
            )
    wide_parts = [text for text in map(_describe_wide, witnesses) if text]
    elsewhere_parts: list[str] = []
    for witness in witnesses:
        if witness.local_credits:
            continue
        phrases = list(dict.fromkeys(c.phrase for c in witness.elsewhere if c.source == source))
        if phrases:
            elsewhere_parts.append(
                f'{witness.name} credits {source} for other passages ("{phrases[0]}")'
            )
    interview_parts = [
        f'{witness.name} quotes an interview with {source} ("{credit.phrase}")'
        for witness in witnesses
        for credit in witness.interviews[:1]
        if credit.source == source
    ]
    return [
        *_summarised(local_parts, "more copies credit it"),
        *_summarised(interview_parts, f"more copies quote an interview with {source}"),
        *_summarised(wide_parts, "more copies credit agencies as a whole"),
        *_summarised(elsewhere_parts, f"more copies credit {source} for other passages"),
    ]


def _summarised(parts: list[str], rest: str, shown: int = MAX_LISTED) -> list[str]:
    if len(parts) <= shown + 1:
        return parts
    return [*parts[:shown], f"{len(parts) - shown} {rest}"]


def _describe_wide(witness: _Witness) -> str | None:
    if not witness.wide_credits:
        return None
    by_cue: dict[str, list[str]] = {}
    for attribution in witness.wide_phrases:
        if attribution.source in witness.wide_credits:
            phrases = by_cue.setdefault(attribution.cue, [])
            if attribution.phrase not in phrases:
                phrases.append(attribution.phrase)
    if "signoff" in by_cue:
        phrase = by_cue["signoff"][0]
        return f'{witness.name} signs off "{phrase}"'
    verbs = {"dateline": "has the dateline", "copyright": "carries", "byline": "has the byline"}
    for cue, verb in verbs.items():
        if cue in by_cue:
            return f'{witness.name} {verb} "{by_cue[cue][0]}"'
    return f"{witness.name} credits {', '.join(witness.wide_credits)} as a whole"


def _chronological(witness: _Witness) -> tuple[datetime | None, int, int, int]:
    """Earliest first; same time: the fuller copy, then the shorter key (canonical URLs tend to
    be shorter than their AMP or mobile duplicates)."""
    return (witness.published_at, -len(witness.words), len(witness.doc_key), witness.index)


def _earliest(witnesses: list[_Witness]) -> tuple[_Witness | None, float]:
    """The earliest dated witness (ties: the longest copy) and its lead in hours over the next.
    An aggregator that credits someone else for the passage or its story is passed over (it
    was scraped first, it did not write first), unless only aggregators are dated."""
    dated = sorted(
        (w for w in witnesses if w.published_at is not None),
        key=_chronological,
    )
    writers = [w for w in dated if not (w.aggregator and (w.wide_credits or w.local_credits))]
    if writers:
        dated = writers
    if not dated:
        return None, 0.0
    if len(dated) == 1:
        return dated[0], 0.0
    lead = (dated[1].published_at - dated[0].published_at).total_seconds() / 3600  # type: ignore[operator]
    return dated[0], lead


def _containing(witnesses: list[_Witness]) -> _Witness | None:
    """The one copy clearly longer than every other (the others are parts of it), if any."""
    ranked = sorted(witnesses, key=lambda w: (-len(w.words), w.index))
    if len(ranked) < 2:
        return None
    longest, runner_up = len(ranked[0].words), len(ranked[1].words)
    if runner_up >= COMPLETE_SHARE * longest or longest - runner_up < 3:
        return None
    # big clusters are mostly identical copies: each distinct wording is compared once
    wordings = {tuple(w.words) for w in ranked[1:]}
    others_inside = all(_covered_share(list(words), ranked[0].words) >= 0.9 for words in wordings)
    return ranked[0] if others_inside else None


def _covered_share(shorter: list[str], longer: list[str]) -> float:
    """Share of ``shorter``'s words found, in order, in ``longer`` (cuts anywhere allowed)."""
    if not shorter:
        return 1.0
    # a copy found whole in the longer one (the common case): its one matching block is all
    # of it, as SequenceMatcher would find (words hold no spaces)
    if f" {' '.join(shorter)} " in f" {' '.join(longer)} ":
        return 1.0
    blocks = SequenceMatcher(None, shorter, longer, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / len(shorter)


def infer_origin(cluster: Cluster, facts: dict[str, DocumentFacts]) -> Origin:
    """The probable origin of ``cluster``: a corpus document, an outside source, or unknown.

    >>> from dedup.records import Occurrence
    >>> facts = {
    ...     "a.txt": DocumentFacts("a.txt", "Shared words here.", datetime(2020, 1, 1)),
    ...     "b.txt": DocumentFacts("b.txt", "Shared words here.", datetime(2020, 1, 2)),
    ... }
    >>> origin = infer_origin(Cluster([Occurrence("b.txt", 0, 18), Occurrence("a.txt", 0, 18)]), facts)
    >>> origin.kind, origin.doc_key, origin.origin_index, origin.evidence
    ('document', 'a.txt', 1, 'earliest corpus witness a.txt, 2020-01-01 (1 day before b.txt)')
    """
    return origin_with_support(cluster, facts)[0]


def origin_with_support(
    cluster: Cluster, facts: dict[str, DocumentFacts]
) -> tuple[Origin, OriginSupport | None]:
    """``infer_origin``, with the evidence its confidence was computed from (None for an
    unknown origin): what ``benchmarks/calibration.py`` fits the confidence on."""
    if not cluster.occurrences:
        raise ValueError("cannot infer the origin of an empty cluster")
    witnesses = _witnesses(cluster, facts)
    earliest, lead_hours = _earliest(witnesses)
    origin, support = _decide(
        witnesses, _outlet_credits(witnesses, facts, cluster), earliest, lead_hours
    )
    # who copied whom lives in the rows (parent_occurrence_id), not in a text on every row
    origin.parents = _parents(witnesses, origin, facts, cluster)
    origin.evidence = capped_evidence(origin.evidence)
    origin.confidence = round(min(CONFIDENCE_CEILING, max(CONFIDENCE_FLOOR, origin.confidence)), 3)
    return origin, support


def capped_evidence(evidence: str, limit: int = MAX_EVIDENCE_CHARS) -> str:
    """``evidence`` (reasons joined by ``; ``) cut after its last whole reason that fits in
    ``limit`` characters, with the count of the reasons left out.

    >>> capped_evidence("a credits it; b credits it; c credits it", 30)
    'a credits it; (2 more reasons)'
    """
    if len(evidence) <= limit:
        return evidence
    reasons = evidence.split("; ")
    for keep in range(len(reasons) - 1, 0, -1):
        left = len(reasons) - keep
        text = "; ".join([*reasons[:keep], f"({left} more reason{'s' if left > 1 else ''})"])
        if len(text) <= limit:
            return text
    return reasons[0][: limit - 1] + "…"


def _date_evidence(
    witnesses: list[_Witness], earliest: _Witness | None, lead_hours: float
) -> list[str]:
    if earliest is None or earliest.published_at is None:
        return []
    text = f"earliest corpus witness {earliest.name}, {_format_date(earliest.published_at)}"
    dated = [w for w in witnesses if w.published_at is not None]
    if len(dated) > 1:
        runner_up = sorted(dated, key=_chronological)[1]
        if lead_hours > 0:
            text += f" ({_describe_lead(lead_hours)} before {runner_up.name})"
        else:
            text += f" (same time as {runner_up.name})"
    undated = [w.name for w in witnesses if w.published_at is None]
    if undated:
        text += f"; undated: {', '.join(undated)}"
    return [text]


def _describe_lead(hours: float) -> str:
    if hours >= 48:
        return f"{hours / 24:.0f} days"
    if hours >= 24:
        return "1 day"
    if hours >= 1:
        return f"{hours:.0f} h"
    return "same hour" if hours > 0 else "same time"


@dataclass
class _Hypothesis:
    """One candidate origin: an outside source or a corpus copy, with its weighed support."""

    kind: str  # external | document
    source: str | None = None
    witness: _Witness | None = None
    score: float = 0.0
    strong: bool = False  # some credit governs this very passage
    credited: bool = False  # some credit (of any strength) names it
    reasons: list[str] = field(default_factory=list)
    # documents whose credits point here: story credits, citations of this passage (or of its
    # photo), citations of other passages only (what the confidence counts)
    story_docs: set[str] = field(default_factory=set)
    citing_docs: set[str] = field(default_factory=set)
    elsewhere_docs: set[str] = field(default_factory=set)


def _decide(
    witnesses: list[_Witness],
    outlet_credits: list[tuple[_Witness, _Witness, bool, str]],
    earliest: _Witness | None,
    lead_hours: float,
) -> tuple[Origin, OriginSupport | None]:
    """Weigh credits, dates and containment; the best-supported hypothesis is the origin. With
    it, the evidence its confidence is computed from (None for an unknown origin)."""
    local, wide, heard = _source_scores(witnesses)
    hypotheses: dict[tuple[str, str | int], _Hypothesis] = {}

    def document(witness: _Witness) -> _Hypothesis:
        return hypotheses.setdefault(
            ("document", witness.index), _Hypothesis("document", witness=witness)
        )

    for source in dict.fromkeys([*local, *wide]):
        copies = [w for w in witnesses if w.agency == source]
        if copies:
            copy = min(copies, key=_date_order)
            hypothesis = document(copy)
            hypothesis.reasons.append(f"{copy.name} is {source}'s own copy")
        else:
            hypothesis = hypotheses.setdefault(
                ("external", source), _Hypothesis("external", source=source)
            )
        hypothesis.score += local.get(source, 0.0) + wide.get(source, 0.0)
        hypothesis.score += heard.get(source, 0.0)  # a tie-breaker, never an origin of its own
        hypothesis.strong |= local.get(source, 0.0) >= LOCAL_WEIGHT
        hypothesis.credited = True
        hypothesis.reasons[:0] = _credit_evidence(witnesses, source)
        _note_crediting_documents(hypothesis, witnesses, source)
    # the earliest date, once: asking every copy whether it is earlier was quadratic
    first_date = min(
        (w.published_at for w in witnesses if w.published_at is not None), default=None
    )
    for crediting, credited, strong, phrase in outlet_credits:
        if (
            first_date is not None
            and credited.published_at is not None
            and credited.published_at > first_date
        ):
            continue  # the credited outlet had it from an earlier copy: a parent, not the origin
        hypothesis = document(credited)
        hypothesis.score += LOCAL_WEIGHT if strong else OUTLET_ELSEWHERE_WEIGHT
        hypothesis.strong |= strong
        hypothesis.credited = True
        (hypothesis.citing_docs if strong else hypothesis.elsewhere_docs).add(crediting.doc_key)
        hypothesis.reasons.insert(
            0, f'{crediting.name} credits {credited.name}\'s outlet "{phrase}"'
        )
    for witness in witnesses:
        if witness.agency is not None and _is_agency(witness.agency):
            hypothesis = document(witness)
            hypothesis.score += AGENCY_COPY_WEIGHT
            reason = f"{witness.name} is {witness.agency}'s own copy"
            if reason not in hypothesis.reasons:
                hypothesis.reasons.append(reason)
    date_evidence = _date_evidence(witnesses, earliest, lead_hours)
    if earliest is not None:
        hypothesis = document(earliest)
        hypothesis.score += DATE_WEIGHT + (DATE_LEAD_WEIGHT if lead_hours >= 1 else 0.0)
    contains = _containing(witnesses)
    if contains is not None:
        hypothesis = document(contains)
        hypothesis.score += CONTAINS_WEIGHT
        hypothesis.reasons.append(
            f"{contains.name} holds the fullest copy ({len(contains.words)} words), the others are parts of it"
        )
    if not hypotheses:
        reason = "no dates, no credits, no copy holds the others"
        return Origin("unknown", CONFIDENCE_UNKNOWN, reason), None
    ranked = sorted(
        hypotheses.values(), key=lambda h: (-h.score, h.kind != "external", _tie_order(h))
    )
    best = ranked[0]
    support = _support(best, ranked[1:], witnesses, earliest, lead_hours, contains)
    confidence = calibrated_confidence(support)
    evidence = "; ".join(
        dict.fromkeys([*best.reasons, *date_evidence, *_rival_evidence(ranked[1:])])
    )
    if best.kind == "external":
        return Origin("external", confidence, evidence, source=best.source), support
    assert best.witness is not None
    origin = Origin(
        "document",
        confidence,
        evidence,
        doc_key=best.witness.doc_key,
        origin_index=best.witness.index,
    )
    return origin, support


def _date_order(witness: _Witness) -> tuple[bool, datetime, int]:
    return (
        witness.published_at is None,
        witness.published_at or datetime.max.replace(tzinfo=UTC),
        witness.index,
    )


def _tie_order(hypothesis: _Hypothesis) -> tuple[bool, datetime, int, str]:
    if hypothesis.witness is None:
        return (False, datetime.min.replace(tzinfo=UTC), -1, hypothesis.source or "")
    return (*_date_order(hypothesis.witness), "")


def _rival_evidence(rivals: list[_Hypothesis]) -> list[str]:
    """Credits that point elsewhere are evidence too: a reader should see the conflict."""
    return [reason for rival in rivals if rival.credited for reason in rival.reasons[:1]]


# --- confidence -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginSupport:
    """The evidence an origin's confidence is computed from. Copies are counted by document
    (a document that carries the passage twice counts once)."""

    copies: int  # documents carrying the passage
    outlets: int  # their outlets (copies of unknown outlet count one each)
    story: int  # ... whose story credit (byline, dateline, copyright, sign-off) names the origin
    citation: int  # ... citing the origin for this passage (or its photo)
    elsewhere: int  # ... citing it for other passages only
    rivals: int  # ... crediting another source and not the origin: a conflict
    agency_copy: bool  # the origin is an agency's own copy in the corpus
    earliest: bool  # the earliest dated copy is the origin's own or credits it
    lead_hours: float  # the earliest dated copy's lead over the next one
    contains: bool  # the origin's copy holds all the others
    undated: float  # share of copies without a date
    margin: float  # lead of the origin's score over the runner-up's, as a share of its score

    def features(self) -> dict[str, float]:
        """The values ``CONFIDENCE_WEIGHTS`` weighs, by name: shares of the copies, whether
        each kind of evidence is there at all, and the lead of the earliest copy."""
        share = 1.0 / max(1, self.copies)
        credited = self.story or self.citation or self.elsewhere or self.agency_copy
        return {
            "bias": 1.0,
            "any_story": float(self.story > 0),
            "any_citation": float(self.citation > 0),
            "citation": self.citation * share,
            "any_elsewhere": float(self.elsewhere > 0),
            "elsewhere": self.elsewhere * share,
            "agency_copy": float(self.agency_copy),
            "any_rival": float(self.rivals > 0),
            "rivals": self.rivals * share,
            "earliest": float(self.earliest),
            "lead": math.log1p(min(self.lead_hours, 72.0)) if self.earliest else 0.0,
            # an undated copy may be older than the earliest dated one: it weakens dates only
            "undated": 0.0 if credited else self.undated,
            "no_dates": float(self.undated == 1.0),
            "contains": float(self.contains),
            "margin": self.margin,
            "copies": math.log(max(1, self.copies)),
            # every copy on one site (an AMP or mobile twin, a page republished) and no credit:
            # the site's earliest page is its own origin
            "one_outlet": float(self.outlets == 1 and not credited),
        }


# Logistic weights of the confidence: P(origin right) = 1 / (1 + exp(-sum(weight * feature))).
# Fitted by ``python benchmarks/calibration.py --fit /tmp/calib-A`` on the 5,232 clusters of a
# ``benchmarks/corpus.py`` corpus run through the pipeline (``python benchmarks/scale.py --n 5000
# --seed 11 --work /tmp/calib-A``), each labelled right when its origin is the true origin of
# the passage it overlaps most; measured on seed 7 (see benchmarks/README.md). That corpus
# dates every copy: ``no_dates`` was fitted (same command) on the 18 clusters without any date
# of benchmarks/origin.py's truth corpora, the others held, and ``undated`` is set by hand:
# with a share u of the copies undated, the first copy may be among them, about log(1 - u) on
# the log-odds (-0.7 at u = 0.5).
CONFIDENCE_WEIGHTS: dict[str, float] = {
    "bias": -4.357, "any_story": 4.071, "any_citation": 3.768, "citation": 1.492,
    "any_elsewhere": 2.164, "elsewhere": 2.385, "agency_copy": 4.981, "any_rival": -1.031,
    "rivals": 0.427, "earliest": 0.008, "lead": 0.245, "undated": -1.4, "no_dates": 3.424,
    "contains": -0.046, "margin": 1.089, "copies": 1.202, "one_outlet": 2.801,
}  # fmt: skip


def calibrated_confidence(support: OriginSupport) -> float:
    """Probability that the origin is right given its support (``CONFIDENCE_WEIGHTS``)."""
    features = support.features()
    logit = sum(weight * features[name] for name, weight in CONFIDENCE_WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-logit))


def _note_crediting_documents(
    hypothesis: _Hypothesis, witnesses: list[_Witness], source: str
) -> None:
    for witness in witnesses:
        if source in witness.wide_credits:
            hypothesis.story_docs.add(witness.doc_key)
        citations = [credit for credit in witness.local_credits if credit.source == source]
        if citations:
            hypothesis.citing_docs.add(witness.doc_key)
        elif any(credit.source == source for credit in witness.elsewhere):
            hypothesis.elsewhere_docs.add(witness.doc_key)


def _support(
    best: _Hypothesis,
    rivals: list[_Hypothesis],
    witnesses: list[_Witness],
    earliest: _Witness | None,
    lead_hours: float,
    contains: _Witness | None,
) -> OriginSupport:
    documents = {witness.doc_key for witness in witnesses}
    agreeing = best.story_docs | best.citing_docs
    crediting_rivals = set().union(*(rival.story_docs | rival.citing_docs for rival in rivals))
    runner_up = rivals[0].score if rivals else 0.0
    return OriginSupport(
        copies=len(documents),
        outlets=len({witness.outlet or witness.doc_key for witness in witnesses}),
        story=len(best.story_docs),
        citation=len(best.citing_docs),
        elsewhere=len(best.elsewhere_docs - agreeing),
        rivals=len(crediting_rivals - agreeing),
        agency_copy=best.witness is not None
        and best.witness.agency is not None
        and _is_agency(best.witness.agency),
        earliest=earliest is not None
        and (earliest is best.witness or earliest.doc_key in agreeing),
        lead_hours=max(0.0, lead_hours),
        contains=contains is not None and contains is best.witness,
        undated=sum(w.published_at is None for w in witnesses) / len(witnesses),
        margin=(best.score - runner_up) / best.score if best.score > 0 else 0.0,
    )


# --- derivation -----------------------------------------------------------------------------------

_CREDIT_VERBS = re.compile(
    r"(?:told|reported|reports|according\s+to|wrote|writes|via|cited|quoted|first\s+reported\s+by|reported\s+by|said)",
    re.IGNORECASE,
)
_SHARED_EDITS = 2  # word pairs absent from the origin that two copies share


def _credits_outlet(fact: DocumentFacts, start_char: int, end_char: int, outlet: str) -> str | None:
    """The phrase crediting ``outlet`` (``The Evening Star reported``) in ``text[start:end]``."""
    start_char = max(0, start_char)
    # cheap necessary condition first: the outlet's longest word must be there at all
    longest_word = max(outlet.lower().split(), key=len, default="")
    if longest_word not in _lowered(fact.text)[start_char:end_char]:
        return None
    text = fact.text[start_char:end_char]
    pattern = re.compile(
        r"\b(?:the\s+)?" + re.escape(outlet.strip()).replace(r"\ ", r"\s+") + r"\b", re.IGNORECASE
    )
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 25]
        verb_before = re.search(_CREDIT_VERBS.pattern + r"\s+$", before, re.IGNORECASE)
        verb_after = re.match(
            r"\s*(?:has\s+|first\s+)?" + _CREDIT_VERBS.pattern, after, re.IGNORECASE
        )
        if verb_before or verb_after:
            start = match.start() - (len(verb_before.group()) if verb_before else 0)
            end = match.end() + (verb_after.end() if verb_after else 0)
            return " ".join(text[start:end].split())
    return None


@lru_cache(maxsize=1024)
def _lowered(text: str) -> str:
    return text.lower()


@lru_cache(maxsize=4096)
def _outlet_credit_anywhere(text: str, outlet: str) -> str | None:
    """Cached: big clusters ask the same document about the same outlet once per cluster."""
    return _credits_outlet(DocumentFacts("", text), 0, len(text), outlet)


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _text_words(text: str) -> frozenset[str]:
    """Lower-cased ``\\w+`` words of a text, for ruling outlets out without a regex each."""
    return frozenset(_WORD.findall(text.lower()))


@lru_cache(maxsize=4096)
def _outlet_words(outlet: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(outlet.lower()))


def _window_edge_words(text: str, start_char: int, end_char: int) -> set[str]:
    """Words that are whole only inside ``text[start:end]``: those the window's edges cut."""
    lowered = text[max(0, start_char) : end_char].lower()
    edges = set()
    if first := _WORD.match(lowered):
        edges.add(first.group())
    if last := _last_word(lowered):
        edges.add(last)
    return edges


def _last_word(text: str) -> str | None:
    r"""``re.search(r"\w+$", text)``'s word, found from the end: that search tries every start
    position of the text, each running over the rest of its word."""
    # "$" also matches before a final newline
    end = len(text) - 1 if text.endswith("\n") else len(text)
    found = _WORD.match(text[end - 1 :: -1]) if end else None
    return found.group()[::-1] if found else None


class _OutletIndex:
    """Which witnesses carry each outlet, in witness order, and which outlets a text can
    credit at all: an outlet is credited only where every one of its words is a whole word of
    the text, so each copy checks the outlets its words name instead of every other copy (the
    pairwise loop was quadratic in the cluster's size)."""

    def __init__(self, witnesses: list[_Witness], facts: dict[str, DocumentFacts]) -> None:
        self.holders: dict[str, list[_Witness]] = {}
        for witness in witnesses:
            outlet = facts[witness.doc_key].outlet
            if outlet and len(outlet) > 3:
                self.holders.setdefault(outlet, []).append(witness)
        self.by_word: dict[str, list[str]] = {}
        for outlet in self.holders:
            words = _outlet_words(outlet)
            if words:
                # the rarest-looking word (the longest) is the key; the others are checked after
                self.by_word.setdefault(max(words, key=len), []).append(outlet)
            else:
                self.by_word.setdefault("", []).append(outlet)

    def named_in(self, words: frozenset[str], extra: set[str]) -> list[str]:
        """Outlets all of whose words are in ``words`` or ``extra``, by first holder's index."""
        keys = self.by_word.keys()
        found = {
            outlet
            for word in (*(keys & words), *(keys & extra), "")
            for outlet in self.by_word.get(word, ())
            if all(part in words or part in extra for part in _outlet_words(outlet))
        }
        return sorted(found, key=lambda outlet: self.holders[outlet][0].index)


def _outlet_credits(
    witnesses: list[_Witness], facts: dict[str, DocumentFacts], cluster: Cluster
) -> list[tuple[_Witness, _Witness, bool, str]]:
    """(crediting copy, credited copy, governs this passage?, phrase) for outlet credits.

    A copy that names another corpus document's outlet with a credit verb got it from there;
    near the passage (300 characters) the credit is strong, elsewhere in the text weak. The
    credited copy is the first copy (in cluster order) of the first such outlet. A copy whose
    passage carries a photo credit (a caption) credits no outlet.
    """
    index = _OutletIndex(witnesses, facts)
    credits: list[tuple[_Witness, _Witness, bool, str]] = []
    if not index.holders:
        return credits
    for witness in witnesses:
        if any(credit_kind(credit.cue) == "photo" for credit in witness.local_credits):
            # a caption carries its own credit, the photo's: an outlet credited near it (in
            # the lede under the photo) is the article's source, not the picture's
            continue
        fact = facts[witness.doc_key]
        occurrence = cluster.occurrences[witness.index]
        start, end = occurrence.start_char - 300, occurrence.end_char + 300
        edges = _window_edge_words(fact.text, start, end)
        for outlet in index.named_in(_text_words(fact.text), edges):
            other = index.holders[outlet][0]
            if outlet == fact.outlet or other.agency is not None:
                continue  # agencies are weighed through the attribution table
            near = _credits_outlet(fact, start, end, outlet)
            phrase = near or _outlet_credit_anywhere(fact.text, outlet)
            if phrase:
                credits.append((witness, other, near is not None, phrase))
                break
    return credits


def _parents(
    witnesses: list[_Witness], origin: Origin, facts: dict[str, DocumentFacts], cluster: Cluster
) -> dict[int, int]:
    """Occurrences copied from another copy rather than from the origin.

    A copy's parent is another (earlier) copy when it credits that copy's outlet, or when it
    carries that copy's edits: word pairs the origin's wording does not have.
    """
    parents = _credited_parents(witnesses, origin.origin_index, facts, cluster)
    origin_index = origin.origin_index
    if len(witnesses) < 3:
        return parents
    reference = _reference_wording(witnesses, origin_index)
    # word pairs the origin's wording never has: edits made on the way (inserted or changed
    # words); looking at its whole document keeps neighbouring paragraphs out of them
    reference_pairs = _text_pairs(facts[reference.doc_key].text)
    pairs = {
        w.index: _uncredited_pairs(facts[w.doc_key], cluster.occurrences[w.index], w.words)
        for w in witnesses
    }
    # without the origin's own copy, an edit is a minority feature: the wording most copies
    # share is the source's (the stand-in reference may carry edits of its own)
    support = Counter(pair for witness_pairs in pairs.values() for pair in witness_pairs)
    half = len(witnesses) / 2 if origin_index is None else len(witnesses)
    own_edits = {
        index: {pair for pair in witness_pairs if support[pair] <= half} - reference_pairs
        for index, witness_pairs in pairs.items()
    }
    # who carries each edit: a copy counts the edits it shares with each other copy through
    # these lists instead of intersecting its edits with every other copy's
    carriers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index in sorted(own_edits):
        for pair in own_edits[index]:
            carriers[pair].append(index)
    for witness in witnesses:
        if witness.index in parents or witness.index in (origin_index, reference.index):
            continue
        shared_with: Counter[int] = Counter()
        for pair in own_edits[witness.index]:
            shared_with.update(carriers[pair])
        best: tuple[int, int] | None = None
        for other_index in sorted(shared_with):  # cluster order: ties go to the first copy
            other = witnesses[other_index]
            if (
                other.index in (witness.index, reference.index, origin_index)
                or _later(witness, other) is not True
            ):
                continue
            shared = shared_with[other_index]
            if shared >= _SHARED_EDITS and (best is None or shared > best[0]):
                best = (shared, other.index)
        if best is not None:
            parents[witness.index] = best[1]
    return parents


def _credited_parents(
    witnesses: list[_Witness],
    origin_index: int | None,
    facts: dict[str, DocumentFacts],
    cluster: Cluster,
) -> dict[int, int]:
    """Copies that credit another copy's outlet near the passage: the first such copy (in
    cluster order) not published after them is their parent."""
    index = _OutletIndex(witnesses, facts)
    parents: dict[int, int] = {}
    if not index.holders:
        return parents
    for witness in witnesses:
        if witness.index == origin_index:
            continue
        occurrence = cluster.occurrences[witness.index]
        fact = facts[witness.doc_key]
        start, end = occurrence.start_char - 300, occurrence.end_char + 300
        edges = _window_edge_words(fact.text, start, end)
        found: list[int] = []
        for outlet in index.named_in(_text_words(fact.text), edges):
            holder = next(
                (
                    other.index
                    for other in index.holders[outlet]
                    if other.index not in (witness.index, origin_index)
                    and _later(witness, other) is not False
                ),
                None,
            )
            if holder is not None and _credits_outlet(fact, start, end, outlet):
                found.append(holder)
        if found:
            parents[witness.index] = min(found)
    return parents


def _uncredited_pairs(
    fact: DocumentFacts, occurrence: Occurrence, words: list[str] | None = None
) -> set[tuple[str, str]]:
    """Word pairs of an occurrence with its credit phrases cut out: two copies that both add
    ``, AP reported`` did not copy each other for it. ``words``: the occurrence's
    ``fold_words``, if known (used when there is nothing to cut)."""
    cuts = sorted(
        (max(a.start_char, occurrence.start_char), min(a.end_char, occurrence.end_char))
        for a in fact.attributions
        if a.start_char < occurrence.end_char and occurrence.start_char < a.end_char
    )
    if not cuts and words is not None:
        return _word_pairs(words)
    segments: list[str] = []
    cursor = occurrence.start_char
    for cut_start, cut_end in cuts:
        segments.append(fact.text[cursor:cut_start])
        cursor = max(cursor, cut_end)
    segments.append(fact.text[cursor : occurrence.end_char])
    return set().union(*(_word_pairs(fold_words(segment)) for segment in segments))


def _word_pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


@lru_cache(maxsize=256)
def _text_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Word pairs of a whole text (a reference copy's document: often the same one, an
    agency's copy, for many clusters)."""
    return frozenset(_word_pairs(fold_words(text)))


def _later(witness: _Witness, other: _Witness) -> bool | None:
    """Was ``witness`` published after ``other``? None when either date is unknown."""
    if witness.published_at is None or other.published_at is None:
        return None
    return witness.published_at > other.published_at


def _reference_wording(witnesses: list[_Witness], origin_index: int | None) -> _Witness:
    """The origin's copy, or (external origin) the copy closest to all others, a proxy for it."""
    if origin_index is not None:
        return witnesses[origin_index]
    texts = [" ".join(w.words) for w in witnesses]
    closeness = _summed_ratios(texts)
    return max(witnesses, key=lambda w: (closeness[w.index], len(w.words), -w.index))


def _summed_ratios(texts: list[str]) -> list[float]:
    """``sum(fuzz.ratio(text, other) for other in texts)`` for each text, with the same floats.

    Each distinct wording is compared once with each other (in C, ``cdist``): big clusters are
    mostly identical copies. The sums add the same values in the same order as a loop over
    ``texts`` (``cumsum`` is sequential), so ties and near-ties break as they always did.
    """
    distinct = list(dict.fromkeys(texts))
    position = {text: index for index, text in enumerate(distinct)}
    columns = np.array([position[text] for text in texts], dtype=np.intp)
    ratios = process.cdist(distinct, distinct, scorer=fuzz.ratio, dtype=np.float64)
    row_sums = [float(np.cumsum(ratios[row, columns])[-1]) for row in range(len(distinct))]
    return [row_sums[position[text]] for text in texts]
