"""Who had a passage first: the origin of a cluster, with a confidence and readable evidence.

Two kinds of witness are weighed:

* the corpus itself: when each copy was published, and which copy holds the others (a copy
  rarely adds to what it copies, it trims);
* what the copies say: credits whose scope covers the passage (``he told AP`` right after the
  quote, a ``Bloomberg:`` lead-in) are strong; document-wide credits (``es/jm (AP, AFP)``) are
  weaker, because an article signed off by two agencies and its own reporter mixes sources.

A credit to an agency whose own copy is in the corpus makes that copy the origin (``document``);
a credit to an agency absent from the corpus makes the origin ``external``; without credits the
earliest dated witness is the origin, or the copy holding the others when nothing is dated.

The confidence constants below were calibrated on the truth corpus of ``benchmarks/origin.py``
(see its reliability table): they estimate the probability that the chosen origin is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath

from rapidfuzz import fuzz

from dedup.attribution import DOCUMENT_WIDE_CUES, canonical_agency
from dedup.quotes import fold_words
from dedup.records import Attribution, Cluster, DocumentFacts, Origin

# A local credit weighs this much more than a document-wide credit of the same document.
LOCAL_WEIGHT = 1.0
WIDE_WEIGHT = 0.35
# A copy within this fraction of the longest copy's length counts as complete.
COMPLETE_SHARE = 0.9
# Confidence of each decision (calibrated: see benchmarks/origin.py).
CONFIDENCE_AGENCY_COPY = 0.9
CONFIDENCE_LOCAL_CREDIT = 0.8
CONFIDENCE_WIDE_CREDIT = 0.6
CONFIDENCE_EARLIEST = 0.6
CONFIDENCE_CONTAINS = 0.45
CONFIDENCE_UNKNOWN = 0.2


@dataclass
class _Witness:
    """What one occurrence of the cluster tells about the origin."""

    index: int
    doc_key: str
    name: str
    published_at: datetime | None
    words: list[str]
    local_credits: list[Attribution] = field(default_factory=list)
    wide_credits: list[str] = field(default_factory=list)
    wide_phrases: list[Attribution] = field(default_factory=list)
    agency: str | None = None  # the agency this document is a copy of (its outlet), if any


def short_name(doc_key: str) -> str:
    """A short readable name for a document key (a path or URL).

    >>> short_name("/seeds/000_09ade5e7dfcab0e4.txt"), short_name("https://x.org/news/story-1.html")
    ('000', 'story-1')
    """
    stem = PurePosixPath(doc_key.rstrip("/")).stem or doc_key
    # "000_09ade5e7dfcab0e4": a running number plus a content hash; the number is the name
    match = re.fullmatch(r"(.+?)[_-][0-9a-f]{8,}", stem)
    return match.group(1) if match else stem


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _format_date(moment: datetime) -> str:
    if (moment.hour, moment.minute) == (0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


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
            name=short_name(occurrence.doc_key),
            published_at=_utc(fact.published_at),
            words=fold_words(fact.text[occurrence.start_char : occurrence.end_char]),
            agency=canonical_agency(fact.outlet) if fact.outlet else None,
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
            elif overlaps and attribution.source != witness.agency:
                witness.local_credits.append(attribution)
        witness.wide_credits = [name for name in fact.wire_credits if name != witness.agency]
        for attribution in witness.wide_phrases:
            if (
                attribution.source not in witness.wide_credits
                and attribution.source != witness.agency
            ):
                witness.wide_credits.append(attribution.source)
        witnesses.append(witness)
    return witnesses


def _source_scores(witnesses: list[_Witness]) -> tuple[dict[str, float], dict[str, float]]:
    """(local score, document-wide score) per credited source, one vote per document."""
    local: dict[str, float] = {}
    wide: dict[str, float] = {}
    for witness in witnesses:
        for source in dict.fromkeys(credit.source for credit in witness.local_credits):
            local[source] = local.get(source, 0.0) + LOCAL_WEIGHT
        # a sign-off naming two agencies vouches for each of them only half
        for source in witness.wide_credits:
            wide[source] = wide.get(source, 0.0) + WIDE_WEIGHT / len(witness.wide_credits)
    return local, wide


def _credit_evidence(witnesses: list[_Witness], source: str | None) -> list[str]:
    """Readable credit phrases, the chosen source's first."""
    parts: list[str] = []
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
            parts.append(
                f"{witness.name} credits it " + ", ".join(f'"{phrase}"' for phrase in phrases)
            )
    for witness in witnesses:
        described = _describe_wide(witness)
        if described:
            parts.append(described)
    return parts


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


def _earliest(witnesses: list[_Witness]) -> tuple[_Witness | None, float]:
    """The earliest dated witness (ties: the longest copy) and its lead in hours over the next."""
    dated = sorted(
        (w for w in witnesses if w.published_at is not None),
        key=lambda w: (w.published_at, -len(w.words), w.index),
    )
    if not dated:
        return None, 0.0
    if len(dated) == 1:
        return dated[0], 0.0
    lead = (dated[1].published_at - dated[0].published_at).total_seconds() / 3600  # type: ignore[operator]
    return dated[0], lead


def _containing(witnesses: list[_Witness]) -> _Witness | None:
    """The one copy clearly longer than every other (the others are parts of it), if any."""
    ranked = sorted(witnesses, key=lambda w: (-len(w.words), w.index))
    if len(ranked) < 2 or len(ranked[1].words) >= COMPLETE_SHARE * len(ranked[0].words):
        return None
    longest = " ".join(ranked[0].words)
    others_inside = all(fuzz.partial_ratio(" ".join(w.words), longest) >= 90 for w in ranked[1:])
    return ranked[0] if others_inside else None


def infer_origin(cluster: Cluster, facts: dict[str, DocumentFacts]) -> Origin:
    """The probable origin of ``cluster``: a corpus document, an outside source, or unknown.

    >>> from dedup.records import Occurrence
    >>> facts = {
    ...     "a.txt": DocumentFacts("a.txt", "Shared words here.", datetime(2020, 1, 1)),
    ...     "b.txt": DocumentFacts("b.txt", "Shared words here.", datetime(2020, 1, 2)),
    ... }
    >>> origin = infer_origin(Cluster([Occurrence("b.txt", 0, 18), Occurrence("a.txt", 0, 18)]), facts)
    >>> origin.kind, origin.doc_key, origin.origin_index, origin.evidence
    ('document', 'a.txt', 1, 'earliest corpus witness a, 2020-01-01 (1 day before b)')
    """
    if not cluster.occurrences:
        raise ValueError("cannot infer the origin of an empty cluster")
    witnesses = _witnesses(cluster, facts)
    local, wide = _source_scores(witnesses)
    earliest, lead_hours = _earliest(witnesses)
    origin = _decide(witnesses, local, wide, earliest, lead_hours)
    origin.parents = _parents(witnesses, origin, facts, cluster)
    if origin.parents:
        names = {w.index: w.name for w in witnesses}
        derivations = [
            f"{names[child]} follows {names[parent]}"
            for child, parent in sorted(origin.parents.items())
        ]
        origin.evidence = (
            "; ".join([origin.evidence, *derivations])
            if origin.evidence
            else "; ".join(derivations)
        )
    origin.confidence = round(min(0.99, max(0.01, origin.confidence)), 3)
    return origin


def _date_evidence(
    witnesses: list[_Witness], earliest: _Witness | None, lead_hours: float
) -> list[str]:
    if earliest is None or earliest.published_at is None:
        return []
    text = f"earliest corpus witness {earliest.name}, {_format_date(earliest.published_at)}"
    dated = [w for w in witnesses if w.published_at is not None]
    if len(dated) > 1:
        runner_up = sorted(dated, key=lambda w: (w.published_at, -len(w.words), w.index))[1]
        text += f" ({_describe_lead(lead_hours)} before {runner_up.name})"
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


def _decide(
    witnesses: list[_Witness],
    local: dict[str, float],
    wide: dict[str, float],
    earliest: _Witness | None,
    lead_hours: float,
) -> Origin:
    date_evidence = _date_evidence(witnesses, earliest, lead_hours)
    undated_share = sum(w.published_at is None for w in witnesses) / len(witnesses)
    if local or wide:
        combined = {
            source: local.get(source, 0.0) + wide.get(source, 0.0) for source in {*local, *wide}
        }
        order = list(dict.fromkeys([*local, *wide]))
        source = max(order, key=lambda s: (combined[s], -order.index(s)))
        credit_evidence = _credit_evidence(witnesses, source)
        agency_copies = [w for w in witnesses if w.agency == source]
        if agency_copies:
            copy = min(
                agency_copies,
                key=lambda w: (
                    w.published_at is None,
                    w.published_at or datetime.max.replace(tzinfo=UTC),
                    w.index,
                ),
            )
            evidence = [*credit_evidence, f"{copy.name} is {source}'s own copy", *date_evidence]
            return Origin(
                "document",
                CONFIDENCE_AGENCY_COPY,
                "; ".join(evidence),
                doc_key=copy.doc_key,
                origin_index=copy.index,
            )
        if local:
            rivals = sum(score for s, score in local.items() if s != source)
            confidence = (
                CONFIDENCE_LOCAL_CREDIT
                + 0.05 * (local.get(source, 0.0) - 1)
                - 0.25 * min(1.0, rivals)
            )
            confidence += 0.05 if wide.get(source) else 0.0
            return Origin(
                "external", confidence, "; ".join([*credit_evidence, *date_evidence]), source=source
            )
        crediting = [w for w in witnesses if source in w.wide_credits]
        earliest_credits = earliest is not None and source in earliest.wide_credits
        if earliest_credits or 2 * len(crediting) >= len(witnesses):
            confidence = CONFIDENCE_WIDE_CREDIT + 0.05 * (len(crediting) - 1)
            confidence -= 0.1 * (len(wide) - 1)  # several agencies credited: which one is unclear
            return Origin(
                "external", confidence, "; ".join([*credit_evidence, *date_evidence]), source=source
            )
        # a minority of later copies credits an agency document-wide: the dates decide
        date_evidence = [*credit_evidence, *date_evidence]
    if earliest is not None:
        confidence = (
            CONFIDENCE_EARLIEST
            + (0.1 if lead_hours >= 1 else 0.0)
            + (0.1 if lead_hours >= 12 else 0.0)
        )
        confidence *= 1.0 - 0.5 * undated_share
        contains = _containing(witnesses)
        evidence = list(date_evidence)
        if contains is not None and contains is not earliest:
            confidence -= 0.15
            evidence.append(f"{contains.name} holds the fullest copy ({len(contains.words)} words)")
        return Origin(
            "document",
            confidence,
            "; ".join(evidence),
            doc_key=earliest.doc_key,
            origin_index=earliest.index,
        )
    contains = _containing(witnesses)
    if contains is not None:
        evidence = f"no dates; {contains.name} holds the fullest copy ({len(contains.words)} words), the others are parts of it"
        return Origin(
            "document",
            CONFIDENCE_CONTAINS,
            evidence,
            doc_key=contains.doc_key,
            origin_index=contains.index,
        )
    return Origin("unknown", CONFIDENCE_UNKNOWN, "no dates, no credits, no copy holds the others")


# --- derivation -----------------------------------------------------------------------------------

_CREDIT_VERBS = re.compile(
    r"(?:told|reported|reports|according\s+to|wrote|writes|via|cited|quoted|first\s+reported\s+by|reported\s+by|said)",
    re.IGNORECASE,
)
_SHARED_EDIT_MARGIN = 3.0  # points of fuzz.ratio


def _credits_outlet(fact: DocumentFacts, start_char: int, end_char: int, outlet: str) -> bool:
    """Does the text around an occurrence credit ``outlet`` (``reported The Epoch Times``)?"""
    window = fact.text[max(0, start_char - 300) : end_char + 300]
    pattern = re.compile(
        r"\b(?:the\s+)?" + re.escape(outlet.strip()).replace(r"\ ", r"\s+") + r"\b", re.IGNORECASE
    )
    for match in pattern.finditer(window):
        around = window[max(0, match.start() - 40) : match.end() + 20]
        if _CREDIT_VERBS.search(around):
            return True
    return False


def _parents(
    witnesses: list[_Witness], origin: Origin, facts: dict[str, DocumentFacts], cluster: Cluster
) -> dict[int, int]:
    """Occurrences copied from another copy rather than from the origin.

    A copy's parent is another copy when it credits that copy's outlet, or when it is closer to
    that (earlier) copy than to the origin's wording, i.e. it carries that copy's edits or cuts.
    """
    parents: dict[int, int] = {}
    origin_index = origin.origin_index
    for witness in witnesses:
        if witness.index == origin_index:
            continue
        occurrence = cluster.occurrences[witness.index]
        fact = facts[witness.doc_key]
        for other in witnesses:
            if other.index in (witness.index, origin_index):
                continue
            outlet = facts[other.doc_key].outlet
            if (
                outlet
                and len(outlet) > 3
                and _later(witness, other) is not False
                and _credits_outlet(fact, occurrence.start_char, occurrence.end_char, outlet)
            ):
                parents[witness.index] = other.index
                break
    if len(witnesses) < 3:
        return parents
    reference = _reference_wording(witnesses, origin_index)
    texts = {w.index: " ".join(w.words) for w in witnesses}
    for witness in witnesses:
        if witness.index in parents or witness.index in (origin_index, reference.index):
            continue
        to_reference = fuzz.ratio(texts[witness.index], texts[reference.index])
        best: tuple[float, int] | None = None
        for other in witnesses:
            if (
                other.index in (witness.index, reference.index, origin_index)
                or _later(witness, other) is not True
            ):
                continue
            # the other copy must itself differ from the reference: that difference is the trace
            if fuzz.ratio(texts[other.index], texts[reference.index]) >= 99.5:
                continue
            to_other = fuzz.ratio(texts[witness.index], texts[other.index])
            if to_other >= to_reference + _SHARED_EDIT_MARGIN and (
                best is None or to_other > best[0]
            ):
                best = (to_other, other.index)
        if best is not None:
            parents[witness.index] = best[1]
    return parents


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
    return max(
        witnesses,
        key=lambda w: (
            sum(fuzz.ratio(texts[w.index], text) for text in texts),
            len(w.words),
            -w.index,
        ),
    )
