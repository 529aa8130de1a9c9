"""The pipeline's stages as plain functions: each wires ``dedup`` to ``storage`` for one step.

The Prefect flow (:mod:`flows.pipeline`) wraps them as tasks; the CLI can call them directly.
They hold no detection logic of their own.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from dedup.align import align_documents, locality_order
from dedup.attribution import document_wire_credits, find_attributions
from dedup.candidates import (
    DEFAULT_PARAMS,
    MIN_SHARED_SHINGLES,
    CandidateParams,
    DocumentSketch,
    document_sketch,
    numbered_pairs_with_new,
    pairs_in_slices,
)
from dedup.clean import (
    block_counts,
    clean_html,
    clean_plain_text,
    document_blocks,
    marked_spans,
    outlet_template_blocks,
    template_spans,
)
from dedup.cluster import cluster_table, reached, tidy_edges
from dedup.coverage import original_share
from dedup.metadata import title_from_uri
from dedup.origin import document_wide_attributions, infer_origin
from dedup.quote_groups import grouped_quotes
from dedup.quotes import find_quotes
from dedup.records import (
    Alignment,
    Attribution,
    CleanedDocument,
    Cluster,
    DocumentFacts,
    Origin,
    Quote,
    content_ranges,
    detection_ranges,
)
from dedup.speakers import resolve_speakers, speaker_documents_to_reread
from dedup.tokens import Tokens, tokenize
from flows.budget import OverBudget, Overrun, budgeted_map, document_budget
from flows.forked import forked_call, forked_map, forked_ranges
from flows.ingest import (
    DocumentNames,
    JsonlFields,
    RawDocument,
    Skipped,
    read_inputs,
    too_long,
)
from storage.store import Store, StoredDocument, TemplateBlocksRow

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class IngestResult:
    documents: list[RawDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: int = 0  # documents read and found stored as they are
    # Documents stored before source keys were, read again unchanged: uri -> key to record.
    adopted: dict[str, str] = field(default_factory=dict)


@dataclass
class LineageResult:
    clusters: int = 0
    origins: dict[str, int] = field(default_factory=dict)  # origin kind -> clusters
    quotes: int = 0
    # Documents whose attributions and quotes took longer than the time budget (flows.budget).
    over_budget: list[Overrun] = field(default_factory=list)


def ingest(
    paths: Iterable[str],
    stored: dict[str, tuple[str | None, str]],
    jsonl: JsonlFields | None = None,
) -> IngestResult:
    """Read inputs, keeping only documents that are new or changed since the last run.

    ``stored``: uri -> (source key, content hash) of the stored documents
    (``Store.document_sources``): a document stored under another spelling of its path keeps
    its uri, and one whose uri another document holds gets a uri of its own
    (``flows.ingest.DocumentNames``). ``jsonl``: where JSONL records keep their fields
    (``--field``; default: the usual keys)."""
    result = IngestResult()
    names = DocumentNames(stored)
    for item in read_inputs(paths, names=names, jsonl=jsonl):
        if isinstance(item, Skipped):
            result.skipped.append(item)
        elif item.uri not in stored or stored[item.uri][1] != item.content_hash:
            result.documents.append(item)
        else:
            result.unchanged += 1
    result.adopted = dict(names.adopted)
    return result


def clean(raw: RawDocument) -> CleanedDocument:
    """Boilerplate spans and metadata for one document; container fields win over guesses."""
    if raw.source_format == "html":
        document = clean_html(raw.content, url=raw.fields.get("url"))
    else:
        document = clean_plain_text(raw.content)
    metadata = document.metadata
    for name in ("title", "outlet", "author"):
        if raw.fields.get(name):
            setattr(metadata, name, raw.fields[name])
    if raw.fields.get("published_at"):
        parsed = parse_datetime(raw.fields["published_at"])
        if parsed is not None:
            metadata.published_at = parsed
    metadata.title = metadata.title or title_from_uri(raw.uri)  # never no title, nor "1607"
    if not document.clean_text.strip():
        raise ValueError("no article text left after removing boilerplate")
    # Plain text is length-checked on reading; a page's visible text is known only now.
    if raw.source_format == "html" and (reason := too_long(document.text)):
        raise ValueError(reason)
    return document


@dataclass
class CleanResult:
    """One raw document cleaned (``document``, and ``blocks``, its template blocks as the
    store keeps them, counted in its outlet by ``apply_templates``), or ``error``: why it is
    skipped (one line)."""

    uri: str
    document: CleanedDocument | None = None
    blocks: TemplateBlocksRow | None = None
    error: str | None = None
    overrun: Overrun | None = None  # set (with ``error``) when cleaning took over its budget


def clean_documents(raws: list[RawDocument], workers: int | None = None) -> list[CleanResult]:
    """``clean`` for each raw document, with its template blocks, in input order; a document
    that fails, or takes longer than the time budget (``flows.budget``), costs that document
    only. In ``workers`` forked processes (default: as many as ``align_pairs`` uses) when there
    are enough documents to pay for them."""
    return budgeted_map(_clean_range, raws, len(raws), _CLEAN_CHUNK, workers or align_workers())


def _clean_range(raws: list[RawDocument], start: int, end: int) -> list[CleanResult]:
    return [_clean_one(raw) for raw in raws[start:end]]


def _clean_one(raw: RawDocument) -> CleanResult:
    try:
        with document_budget():
            document = clean(raw)
            # Blocks from the lines cleaning split (dedup.clean memoises them): no second
            # split, and no text read back by the template stage.
            blocks = document_blocks(raw.uri, document.metadata.outlet, document)
    except OverBudget as over:
        overrun = Overrun(raw.uri, "clean", over.seconds, "not stored")
        return CleanResult(raw.uri, error=overrun.reason, overrun=overrun)
    except Exception as error:  # one bad document costs one document
        return CleanResult(raw.uri, error=one_line(error))
    row = TemplateBlocksRow(
        raw.uri,
        blocks.outlet_key or "",
        blocks.blocks,
        blocks.body_blocks,
        _NO_MARKS,
        blocks.pieces,
        marked=False,
    )
    return CleanResult(raw.uri, document, row)


def one_line(error: BaseException) -> str:
    """The first line of an error's message (its type's name if it has none)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


_NO_MARKS = np.zeros(0, dtype=np.uint64)
# Documents per task sent to a cleaning worker: about 0.1 s of work, so that the pool's
# bookkeeping and the pickled results are small next to it, and the two workers stay even.
_CLEAN_CHUNK = 100


def parse_datetime(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed


def apply_templates(store: Store) -> int:
    """Mark lines that repeat across an outlet's documents as template boilerplate; returns
    how many documents' boilerplate changed (they are pending again).

    Incremental: each document's line blocks are stored once, with the document when it is
    cleaned (``clean_documents``; ``dedup.clean.document_blocks``), not yet counted. The
    outlets of uncounted documents are re-counted from the stored blocks, and only documents
    whose set of template lines changed (new ones with template lines, and older ones whose
    lines crossed a threshold as the outlet grew) get new template spans, from their stored
    pieces (``dedup.clean.marked_spans``): no text is split again. Template spans are
    recomputed, not only added, so the result is the one a full rebuild gives. Documents
    stored without blocks (by ``Store.save_document``, or by an earlier version) are read and
    split here.
    """
    legacy = {doc.uri: doc for doc in store.detection_inputs(store.uris_without_template_blocks())}
    fresh: dict[str, TemplateBlocksRow] = {}
    for doc in legacy.values():
        blocks = document_blocks(doc.uri, doc.metadata.outlet, _as_cleaned(doc))
        fresh[doc.uri] = TemplateBlocksRow(
            doc.uri, blocks.outlet_key or "", blocks.blocks, blocks.body_blocks, _NO_MARKS,
            blocks.pieces,
        )  # fmt: skip
    unmarked = store.unmarked_templates()
    if not fresh and not unmarked:
        return 0
    # Uncounted documents without an outlet are counted nowhere: their marks stay empty.
    marks: dict[str, np.ndarray] = {uri: _NO_MARKS for uri, key in unmarked.items() if not key}
    outlets = ({row.outlet_key for row in fresh.values()} | set(unmarked.values())) - {""}
    groups: dict[str, list[TemplateBlocksRow]] = defaultdict(list)
    for row in [*store.template_blocks(outlets), *fresh.values()]:
        if row.outlet_key:
            groups[row.outlet_key].append(row)
    respan: dict[str, np.ndarray] = {}  # documents whose template spans change, their marks
    for members in groups.values():
        counts = block_counts([row.blocks for row in members])
        all_marked = outlet_template_blocks(
            [row.body_blocks for row in members], counts, len(members)
        )
        for row, marked in zip(members, all_marked, strict=True):
            changed = not np.array_equal(marked, row.template_blocks)
            if row.uri in fresh:
                fresh[row.uri] = replace(row, template_blocks=marked)
            elif changed or not row.marked:
                marks[row.uri] = marked
            if changed:
                respan[row.uri] = marked
    pieces = {uri: row.pieces for uri, row in fresh.items()}
    pieces |= store.template_pieces(set(respan) - set(pieces))
    # Rows stored before pieces were kept: their spans are found from their texts.
    unpieced = {uri for uri in respan if pieces.get(uri) is None}
    legacy |= {doc.uri: doc for doc in store.detection_inputs(unpieced - set(legacy))}
    spans = [
        (
            uri,
            template_spans(_as_cleaned(legacy[uri]), marked)
            if uri in unpieced
            else marked_spans(pieces[uri], marked),
        )
        for uri, marked in sorted(respan.items())
    ]
    # One transaction for all documents (a commit per document dominated this stage), and
    # blocks with their marks: a run killed half way redoes all of it.
    changed = store.save_templates(fresh.values(), marks, spans)
    return len(changed)


def _as_cleaned(doc: StoredDocument) -> CleanedDocument:
    """The document with cleaning's boilerplate only (template spans are recomputed)."""
    template = set(doc.template_spans)
    spans = [span for span in doc.boilerplate if span not in template]
    return CleanedDocument(doc.text, spans, doc.metadata)


@dataclass
class Fingerprints:
    """Body tokens of documents, and their candidate sketches when asked for."""

    tokens: dict[str, Tokens] = field(default_factory=dict)
    sketches: dict[str, DocumentSketch] = field(default_factory=dict)


def fingerprint(
    inputs: list[StoredDocument],
    sketch: bool = True,
    params: CandidateParams = DEFAULT_PARAMS,
    workers: int | None = None,
) -> Fingerprints:
    """Body tokens (boilerplate excluded but captions, ``detection_ranges``) of ``inputs``,
    keyed by uri, and with ``sketch``
    their band keys and shingles (stored by the pipeline, so that each document is sketched
    once, when first fingerprinted). In ``workers`` forked processes (default as
    ``align_workers``) when there are enough documents to pay for them; same result."""
    result = Fingerprints()
    found = forked_ranges(
        _fingerprint_range,
        (inputs, sketch, params),
        len(inputs),
        _FINGERPRINT_CHUNK,
        workers or align_workers(),
    )
    for start, end, part in found:
        for doc, (tokens, document) in zip(inputs[start:end], part, strict=True):
            tokens.text = doc.text  # the worker's copy was not pickled back
            result.tokens[doc.uri] = tokens
            if document is not None:
                result.sketches[doc.uri] = document
    return result


def _fingerprint_documents(
    inputs: list[StoredDocument], sketch: bool, params: CandidateParams
) -> Iterator[tuple[Tokens, DocumentSketch | None]]:
    for doc in inputs:
        tokens = tokenize(doc.text, detection_ranges(len(doc.text), doc.boilerplate))
        yield tokens, document_sketch(tokens, params) if sketch else None


# Documents per task sent to a fingerprint worker (about 0.25 s of work: small next to it,
# the pool's bookkeeping and the pickled arrays it returns, about 20 kB a document).
_FINGERPRINT_CHUNK = 250


def _fingerprint_range(
    inputs: tuple[list[StoredDocument], bool, CandidateParams], start: int, end: int
) -> list[tuple[Tokens, DocumentSketch | None]]:
    documents, sketch, params = inputs
    found = list(_fingerprint_documents(documents[start:end], sketch, params))
    for tokens, _ in found:
        tokens.text = ""  # the parent has the text: not pickled back
    return found


# A batch is compared with the archive through the prefilter (``numbered_pairs_with_new``:
# one read of the archive's keys, keeping those the batch also holds) while it holds at most
# this share of the documents; a larger one (a first run: all of them) through slices of the
# key space read one at a time (``pairs_in_slices``), where the prefilter would keep nearly
# every key and hold them all at once.
NEW_SHARE_FOR_PREFILTER = 0.1
# Band keys held per slice (about 12 bytes each, a few times over while sorted): 100k
# documents (106M keys) are read in 8 slices.
KEYS_PER_SLICE = 16_000_000
# Distinct band keys of an average article (10k corpus), to size the slices before reading.
KEYS_PER_DOCUMENT = 1100


class FileSlices:
    """A ``dedup.candidates.SliceBuffer`` in files of a temporary folder: the keys of a first
    run's slices wait on disk, so the candidate stage holds one slice at a time and still
    reads the stored keys once. Use as a context manager (the folder is removed on exit)."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> FileSlices:
        self._folder = tempfile.TemporaryDirectory(prefix="wiretrace-slices-")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _paths(self, part: int) -> tuple[Path, Path]:
        if self._folder is None:
            raise RuntimeError("FileSlices is used outside its with block")
        folder = Path(self._folder.name)
        return folder / f"keys-{part}.u8", folder / f"docs-{part}.i4"

    def append(self, part: int, keys: np.ndarray, docs: np.ndarray) -> None:
        keys_path, docs_path = self._paths(part)
        with keys_path.open("ab") as keys_file, docs_path.open("ab") as docs_file:
            keys.astype("<u8", copy=False).tofile(keys_file)
            docs.astype("<i4", copy=False).tofile(docs_file)

    def arrays(self, part: int) -> tuple[np.ndarray, np.ndarray]:
        keys_path, docs_path = self._paths(part)
        if not keys_path.exists():
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
        keys = np.fromfile(keys_path, dtype="<u8").astype(np.uint64, copy=False)
        docs = np.fromfile(docs_path, dtype="<i4").astype(np.int32, copy=False)
        keys_path.unlink()
        docs_path.unlink()
        return keys, docs


def _forked_parts(
    pair_part: Callable[[int], list[np.ndarray]], count: int
) -> list[list[np.ndarray]]:
    """``pairs_in_slices``'s parts (each sorted and paired on its own) in forked processes,
    one part a task: each reads its part from the ``FileSlices`` files."""
    return forked_map(_pair_parts, pair_part, count, 1, align_workers())


def _pair_parts(
    pair_part: Callable[[int], list[np.ndarray]], start: int, end: int
) -> list[list[np.ndarray]]:
    return [pair_part(part) for part in range(start, end)]


def find_candidates(
    store: Store,
    pending: set[str],
    params: CandidateParams = DEFAULT_PARAMS,
    min_shared: int = MIN_SHARED_SHINGLES,
) -> list[tuple[str, str]]:
    """Document pairs worth aligning: every pending document against all others, from the
    stored sketches (band keys read a chunk at a time, never the texts); then only pairs
    sharing ``min_shared`` shingles. The pending documents must be sketched (stored) first."""
    signature = params.signature
    total = store.document_count()
    if len(pending) <= NEW_SHARE_FOR_PREFILTER * total:
        new = store.sketch_band_keys(pending, signature)
        archive = store.iter_band_keys(signature, aligned_only=True)
        pairs = numbered_pairs_with_new(new, archive, params)
    else:
        slices = max(1, -(-total * KEYS_PER_DOCUMENT // KEYS_PER_SLICE))
        with FileSlices() as buffer:
            pairs = pairs_in_slices(
                store.iter_band_keys(signature), pending, params, slices, buffer, _forked_parts
            )
    shingles = store.sketch_shingles(pairs.documents(), signature)
    return pairs.sharing(shingles, min_shared)


def align_pairs(
    pairs: list[tuple[str, str]],
    texts: dict[str, str],
    tokens: dict[str, Tokens],
    progress: Progress = _no_progress,
    workers: int | None = None,
) -> list[Alignment]:
    """Align every candidate pair, in ``workers`` forked processes (default
    ``$WIRETRACE_ALIGN_WORKERS``, else one per CPU this process may use) when there are enough
    pairs to pay for the processes. The result is the same list in the same order.

    Pairs are aligned in ``locality_order`` (a document's pairs close together, so that its
    seed index is built fewer times) and their alignments put back in the order of ``pairs``.
    """
    order = locality_order(pairs)
    found: list[list[Alignment]] = [[] for _ in pairs]
    done = forked_ranges(
        _align_range,
        (pairs, order, texts, tokens),
        len(pairs),
        _ALIGN_CHUNK,
        workers or align_workers(),
    )
    for start, end, part in done:
        for index, alignments in zip(order[start:end], part, strict=True):
            found[index] = alignments
        progress("align", end, len(pairs))
    return [alignment for alignments in found for alignment in alignments]


ALIGN_WORKERS_ENV = "WIRETRACE_ALIGN_WORKERS"


def align_workers() -> int:
    """Alignment processes: ``$WIRETRACE_ALIGN_WORKERS`` if a positive integer, else the CPUs
    this process may run on (its affinity, not the machine's count: containers and ``taskset``
    restrict it)."""
    value = os.environ.get(ALIGN_WORKERS_ENV, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# Pairs per task sent to a worker: large enough that a task's pickled result and the pool's
# bookkeeping are small next to its alignment work (about 0.3 s), small enough to balance.
_ALIGN_CHUNK = 500


def _align_range(
    inputs: tuple[list[tuple[str, str]], list[int], dict[str, str], dict[str, Tokens]],
    start: int,
    end: int,
) -> list[list[Alignment]]:
    """The alignments of the pairs ``order[start:end]`` (pair indexes in locality order)."""
    pairs, order, texts, tokens = inputs
    found = []
    for index in order[start:end]:
        key_a, key_b = pairs[index]
        found.append(
            align_documents(key_a, texts[key_a], tokens[key_a], key_b, texts[key_b], tokens[key_b])
        )
    return found


@dataclass
class FoundFacts:
    """What the trace finds in the texts of documents whose facts are due."""

    facts: dict[str, DocumentFacts] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)  # by uri, then position
    over_budget: list[Overrun] = field(default_factory=list)  # facts given up (flows.budget)


def document_facts(inputs: list[StoredDocument], workers: int = 1) -> FoundFacts:
    """What origin inference knows of each document: dates, outlets, credits, and its quotes
    (for documents whose facts are due), in ``workers`` forked processes when there are enough
    documents to pay for them (the same result in the same order).

    Credits are cleaning's (``metadata.wire_credits``, stored apart) and those found in the
    text now, never those an earlier run found in an older boilerplate. A document whose text
    takes longer than the time budget (``flows.budget``) keeps cleaning's credits only, no
    attributions or quotes, and is listed in ``over_budget``."""
    found = FoundFacts()
    findings = budgeted_map(_text_findings, inputs, len(inputs), _FACTS_CHUNK, workers)
    for doc, (attributions, text_credits, wide, quotes, overrun) in zip(
        inputs, findings, strict=True
    ):
        if overrun is not None:
            found.over_budget.append(overrun)
        credits = list(doc.metadata.wire_credits)
        credits += [name for name in text_credits if name not in credits]
        found.facts[doc.uri] = DocumentFacts(
            doc_key=doc.uri,
            text=doc.text,
            published_at=doc.metadata.published_at,
            outlet=doc.metadata.outlet,
            wire_credits=credits,
            attributions=with_story_credits(attributions, wide, credits),
            wide_attributions=wide,
        )
        found.quotes.extend(quotes)
    return found


_TextFindings = tuple[
    list[Attribution], list[str], tuple[Attribution, ...], list[Quote], Overrun | None
]


def _text_findings(inputs: list[StoredDocument], start: int, end: int) -> list[_TextFindings]:
    """Attributions, wire credits found in the text, document-wide credits of the whole text
    and quotes of ``inputs[start:end]`` (one regex scan of each text serves the first three),
    each document within the time budget (else none of them, and its ``Overrun``)."""
    findings: list[_TextFindings] = []
    for doc in inputs[start:end]:
        try:
            with document_budget():
                ranges = content_ranges(len(doc.text), doc.boilerplate)
                attributions = find_attributions(doc.text, ranges)
                credits = document_wire_credits(doc.text, attributions, doc.boilerplate)
                wide = document_wide_attributions(doc.text)
                quotes = find_quotes(doc.uri, doc.text, ranges)
        except OverBudget as over:
            kept = "stored, aligned and traced without its attributions and quotes"
            findings.append(([], [], (), [], Overrun(doc.uri, "trace", over.seconds, kept)))
            continue
        findings.append((attributions, credits, wide, quotes, None))
    return findings


def _document_quotes(doc: StoredDocument) -> list[Quote]:
    """The quotes of a stored document as found in its text (speakers as written there)."""
    return find_quotes(doc.uri, doc.text, content_ranges(len(doc.text), doc.boilerplate))


@dataclass
class ResolvedQuotes:
    """Every stored document's quotes with speakers resolved across them all, and the
    documents whose stored quotes are to be replaced by theirs."""

    quotes: list[Quote]  # by uri, then position
    documents: set[str]


def resolved_quotes(
    stored: list[Quote],
    due: set[str],
    found: list[Quote],
    quotes_of: Callable[[set[str]], list[Quote]],
) -> ResolvedQuotes:
    """The quotes of the documents not due as stored and of those due as ``found``, with
    speakers resolved across the whole set (``dedup.speakers.resolve_speakers``): what a full
    rebuild resolves. A stored speaker may stand for a surname alone that the set resolved;
    when the set's full names of that surname changed, its documents' quotes are found again
    from their text (``speaker_documents_to_reread``; rare: a second person of a surname
    quoted for the first time, or the last quote naming one gone). The documents to store:
    those due, those read again, and those whose resolved speakers changed.

    ``quotes_of``: the quotes of stored documents as found in their text now."""
    kept = [quote for quote in stored if quote.doc_key not in due]
    gone = [quote for quote in stored if quote.doc_key in due]
    raw = list(found)
    reread: set[str] = set()
    while again := speaker_documents_to_reread(kept, gone, raw):
        reread |= again
        gone += [quote for quote in kept if quote.doc_key in again]
        kept = [quote for quote in kept if quote.doc_key not in again]
        raw += quotes_of(again)
    resolved = resolve_speakers([*kept, *raw])
    changed = {
        after.doc_key
        for before, after in zip(kept, resolved[: len(kept)], strict=True)
        if before.speaker != after.speaker
    }
    return ResolvedQuotes(
        sorted(resolved, key=lambda quote: (quote.doc_key, quote.start_char, quote.end_char)),
        due | reread | changed,
    )


def infer_origins(
    clusters: list[Cluster], facts: dict[str, DocumentFacts], workers: int = 1
) -> list[Origin]:
    """``infer_origin`` of each cluster, in ``workers`` forked processes when there are enough
    clusters (the same origins in the same order)."""
    return forked_map(_origins_of, (clusters, facts), len(clusters), _ORIGIN_CHUNK, workers)


def _origins_of(
    inputs: tuple[list[Cluster], dict[str, DocumentFacts]], start: int, end: int
) -> list[Origin]:
    clusters, facts = inputs
    return [infer_origin(cluster, facts) for cluster in clusters[start:end]]


# Documents and clusters per task of the trace's forked workers: a task's work (about 0.1-0.5 s)
# is large next to pickling its result, small enough to balance two processes.
_FACTS_CHUNK = 100
_ORIGIN_CHUNK = 40


def stored_facts(
    docs: list[StoredDocument], attributions: dict[str, list[Attribution]]
) -> dict[str, DocumentFacts]:
    """Facts of documents whose facts were stored by an earlier run: ``wire_credits`` is the
    stored list (which ``document_facts`` found then), attributions as stored."""
    return {
        doc.uri: DocumentFacts(
            doc_key=doc.uri,
            text=doc.text,
            published_at=doc.metadata.published_at,
            outlet=doc.metadata.outlet,
            wire_credits=list(doc.wire_credits),
            attributions=attributions.get(doc.uri, []),
        )
        for doc in docs
    }


def with_story_credits(
    body: list[Attribution], wide: tuple[Attribution, ...], wire_credits: list[str]
) -> list[Attribution]:
    """A document's credits as origin inference reads them and as they are stored
    (``v_credits``): those of its body, then the phrases of its story credits found anywhere in
    it (a sign-off or byline in boilerplate) for the sources it credits as a whole. The same
    list whether the facts are found now or read back by a later run, so a nightly batch
    infers the origins a full rebuild does."""
    return body + [
        credit for credit in wide if credit not in body and credit.source in wire_credits
    ]


def original_shares(inputs: list[StoredDocument], clusters: list[Cluster]) -> dict[str, float]:
    """Fraction of each document's clean text not covered by any reused passage."""
    wanted = {doc.uri for doc in inputs}
    reused: dict[str, list[tuple[int, int]]] = {}
    for cluster in clusters:
        for occurrence in cluster.occurrences:
            if occurrence.doc_key in wanted:
                reused.setdefault(occurrence.doc_key, []).append(
                    (occurrence.start_char, occurrence.end_char)
                )
    return {
        doc.uri: original_share(len(doc.text), doc.boilerplate, reused.get(doc.uri, []))
        for doc in inputs
    }


def quote_rank(published: Iterable[tuple[str, datetime | None]]) -> dict[str, int]:
    """Order documents (``(uri, published_at)``) by publication (undated last, then by uri):
    earlier = closer to origin."""
    ordered = sorted(
        published, key=lambda item: (item[1] is None, item[1] or datetime.min, item[0])
    )
    return {uri: rank for rank, (uri, _) in enumerate(ordered)}


@dataclass
class LineageChanges:
    """Which clusters a run recomputes: those that are not stored exactly as they now are."""

    changed: list[Cluster]  # clusters to infer and store
    replacing: set[int]  # ids of the stored clusters they replace
    kept: int  # stored clusters left as they are
    replaced_documents: set[str]  # documents with an occurrence in a replaced cluster


def lineage_changes(
    clusters: list[Cluster], stored: dict[int, frozenset[tuple[str, int, int]]], due: set[str]
) -> LineageChanges:
    """Split ``clusters`` (all of them, from all alignments) into those stored exactly so, with
    no document whose facts are due (their origin and parents cannot have changed: inference
    reads nothing but the cluster and its documents' facts), and the others.

    A new alignment changes only the clusters of its connected component, so a nightly batch
    recomputes the clusters its documents joined, not the archive's.
    """
    stored_id = {members: cluster_id for cluster_id, members in stored.items()}
    changed: list[Cluster] = []
    kept: set[int] = set()
    for cluster in clusters:
        members = frozenset((o.doc_key, o.start_char, o.end_char) for o in cluster.occurrences)
        cluster_id = stored_id.get(members)
        if cluster_id is not None and due.isdisjoint(cluster.doc_keys):
            kept.add(cluster_id)
        else:
            changed.append(cluster)
    replacing = set(stored) - kept
    replaced_documents = {uri for cluster_id in replacing for uri, _, _ in stored[cluster_id]}
    return LineageChanges(changed, replacing, len(kept), replaced_documents)


@dataclass
class LineageScope:
    """What a trace clusters again: the documents a change can reach, and the stored clusters
    among them (``dedup.cluster.reached``); the other stored clusters are kept as they are."""

    document_ids: set[int] | None  # None: every document (nothing stored to keep)
    stored: dict[int, frozenset[tuple[str, int, int]]]  # stored clusters in scope
    kept_outside: int  # stored clusters outside the scope


def lineage_scope(store: Store, due: set[str]) -> LineageScope:
    """The documents joined by alignments, through any number of steps, to a due document or
    to a document sharing a stored cluster with one (a changed document's old passages go with
    it), and the stored clusters with an occurrence among them."""
    stored_count = store.cluster_count()
    if not stored_count:
        return LineageScope(None, {}, 0)
    id_of, pairs = store.alignment_graph()
    due_ids = {id_of[uri] for uri in due if uri in id_of}
    near = store.stored_clusters(due_ids) if due_ids else {}
    touched = due_ids | {id_of[uri] for members in near.values() for uri, _, _ in members}
    scope = reached(pairs, touched)
    stored = store.stored_clusters(scope) if scope else {}
    return LineageScope(scope, stored, stored_count - len(stored))


def trace_lineage(
    store: Store, inputs: list[StoredDocument] | None = None, run_id: int | None = None
) -> LineageResult:
    """Cluster the stored alignments a change can reach (``lineage_scope``), infer origins of
    the clusters that changed, find the attributions and quotes of documents that are new or
    whose boilerplate changed, regroup quotes, and store what changed (see
    ``lineage_changes``): the result equals a full rebuild's, at the cost of the components a
    run touches.

    ``inputs``: the stored documents, if already read; None reads only those it needs.
    """
    read = {doc.uri: doc for doc in inputs} if inputs is not None else None

    def documents_of(uris: set[str]) -> list[StoredDocument]:
        """Those of ``uris`` still stored, by uri (from ``inputs`` when given)."""
        if read is None:
            return store.detection_inputs(uris)
        return [read[uri] for uri in sorted(uris) if uri in read]

    due_all = store.lineage_due()
    workers = align_workers()
    due_documents = documents_of(due_all)
    due = {doc.uri for doc in due_documents}  # those still stored
    found = document_facts(due_documents, workers)
    quotes = resolved_quotes(
        store.stored_quotes(),
        due,
        found.quotes,
        lambda uris: [quote for doc in documents_of(uris) for quote in _document_quotes(doc)],
    )
    all_quotes = quotes.quotes
    # Quote grouping needs nothing of the clusters: it runs in a process of its own meanwhile.
    # Scored pairs are learnt once: a nightly batch scores only the pairs with a new wording.
    with forked_call(
        grouped_quotes,
        all_quotes,
        quote_rank(store.publication_dates()),
        store.wording_matches(),
        store.stored_quote_edits(),
        workers=workers,
    ) as grouping_call:
        # Only the components a due document reaches are clustered again (``lineage_scope``).
        scope = lineage_scope(store, due_all)
        clusters = cluster_table(store.alignment_table(scope.document_ids))
        # The texts tidy_edges reads: the due documents' are in hand already (a first run: all
        # of them), the others' are read.
        clustered = {key for cluster in clusters for key in cluster.doc_keys}
        texts = {doc.uri: doc.text for doc in due_documents if doc.uri in clustered}
        missing = clustered - texts.keys()
        if read is not None:
            texts |= {uri: read[uri].text for uri in missing if uri in read}
        else:
            texts |= store.document_texts(missing)
        clusters = tidy_edges(clusters, texts)
        changes = lineage_changes(clusters, scope.stored, due_all)
        involved = {key for cluster in changes.changed for key in cluster.doc_keys} - due_all
        # Shares change for documents whose occurrences may have: those of changed clusters,
        # old and new, and those whose facts were due.
        others = (involved | changes.replaced_documents) - due
        documents = {doc.uri: doc for doc in [*due_documents, *documents_of(others)]}
        facts = found.facts | stored_facts(
            [documents[uri] for uri in sorted(involved)], store.document_attributions(involved)
        )
        origins = infer_origins(changes.changed, facts, workers)
        grouping = grouping_call.result()
    store.replace_lineage(
        changes.changed,
        origins,
        [quote for quote in all_quotes if quote.doc_key in quotes.documents],
        grouping.groups,
        original_share=original_shares([documents[uri] for uri in sorted(documents)], clusters),
        wire_credits={uri: facts[uri].wire_credits for uri in due},
        attributions={uri: facts[uri].attributions for uri in due},
        run_id=run_id,
        replacing=changes.replacing,
        quote_documents=quotes.documents,
        wording_matches=grouping.learnt,
    )
    return LineageResult(
        clusters=len(clusters) + scope.kept_outside,
        origins=store.origin_kinds(),
        quotes=len(all_quotes),
        over_budget=found.over_budget,
    )
