"""Origin accuracy and confidence calibration on a corpus whose provenance is known.

Builds the truth corpus of ``benchmarks/origin_corpus.py`` (real PAN13 news paragraphs played
through wire/outlet scenarios), runs the real detection chain on it (``dedup.tokens``,
``dedup.candidates``, ``dedup.align``, ``dedup.cluster``, then ``dedup.attribution`` and
``dedup.origin``), matches each found cluster to the copied paragraph it holds, and prints:

* origin accuracy overall and per scenario (a ``document`` origin must name the right document,
  an ``external`` one the right agency);
* a reliability table: predicted confidence bins against the observed accuracy, the ECE and
  the Brier score (``benchmarks/scale.py``'s ``reliability_table``);
* parent (derivation) precision and recall;
* for late-arriving witnesses, how many origins were revised once the earlier copy arrived.

Usage: ``python -m benchmarks.origin [--stories N] [--seeds S ...] [--truth-clusters]``
(``--truth-clusters`` builds clusters from the known spans instead of the aligner's output).

``--external DIR`` evaluates instead on a corpus written by ``benchmarks/corpus.py`` (another
author's generator: ``articles.jsonl`` + ``truth.json``), with the truth's passages as clusters
and the truth's boilerplate spans, dates and outlets as the metadata stage would give them;
attribution runs on the text as the flow runs it (body ranges, then boilerplate for credits).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from benchmarks.origin_corpus import TruthCorpus, TruthDocument, TruthPassage, build_corpus
from benchmarks.scale import print_reliability, reliability_table
from dedup.attribution import document_wire_credits, find_attributions
from dedup.origin import infer_origin
from dedup.records import (
    BoilerplateSpan,
    Cluster,
    DocumentFacts,
    Occurrence,
    Origin,
    content_ranges,
)


@dataclass
class Judged:
    passage: TruthPassage
    cluster: Cluster
    origin: Origin
    correct: bool


def document_facts(documents: list[TruthDocument]) -> dict[str, DocumentFacts]:
    facts: dict[str, DocumentFacts] = {}
    for document in documents:
        attributions = find_attributions(document.text)
        credits = document_wire_credits(document.text, attributions, [])
        facts[document.key] = DocumentFacts(
            document.key,
            document.text,
            document.published_at,
            document.outlet,
            credits,
            attributions,
        )
    return facts


def detected_clusters(documents: list[TruthDocument]) -> list[Cluster]:
    """Clusters found by the real chain: tokens, candidate pairs, alignment, clustering."""
    from dedup.align import align_documents
    from dedup.candidates import candidate_pairs
    from dedup.cluster import cluster_alignments
    from dedup.tokens import tokenize

    texts = {document.key: document.text for document in documents}
    tokens = {key: tokenize(text) for key, text in texts.items()}
    alignments = []
    for key_a, key_b in sorted(candidate_pairs(tokens, {})):
        alignments.extend(
            align_documents(key_a, texts[key_a], tokens[key_a], key_b, texts[key_b], tokens[key_b])
        )
    return cluster_alignments(alignments)


def truth_clusters(corpus: TruthCorpus, keys: set[str]) -> list[Cluster]:
    clusters = []
    for passage in corpus.passages:
        occurrences = [
            Occurrence(key, *span) for key, span in sorted(passage.spans.items()) if key in keys
        ]
        if len(occurrences) >= 2:
            clusters.append(Cluster(occurrences))
    return clusters


def match_passage(cluster: Cluster, passages: list[TruthPassage]) -> TruthPassage | None:
    """The copied paragraph this cluster holds: the one it overlaps most, summed over its copies."""
    overlap: Counter[str] = Counter()
    by_id = {passage.passage_id: passage for passage in passages}
    for occurrence in cluster.occurrences:
        for passage in passages:
            span = passage.spans.get(occurrence.doc_key)
            if span:
                shared = min(span[1], occurrence.end_char) - max(span[0], occurrence.start_char)
                if shared > 0:
                    overlap[passage.passage_id] += shared
    if not overlap:
        return None
    return by_id[overlap.most_common(1)[0][0]]


def is_correct(origin: Origin, passage: TruthPassage) -> bool:
    """Right document, or right agency; an agency's own copy may also be named as the agency."""
    if passage.origin_kind == "document":
        if origin.kind == "external" and passage.origin_source is not None:
            return origin.source == passage.origin_source
        return origin.kind == "document" and origin.doc_key == passage.origin_doc
    return origin.kind == "external" and origin.source == passage.origin_source


def judge(corpus: TruthCorpus, stage: int, use_truth_clusters: bool) -> tuple[list[Judged], int]:
    documents = [document for document in corpus.documents if document.stage <= stage]
    keys = {document.key for document in documents}
    facts = document_facts(documents)
    clusters = truth_clusters(corpus, keys) if use_truth_clusters else detected_clusters(documents)
    judged: list[Judged] = []
    unmatched = 0
    for cluster in clusters:
        passage = match_passage(cluster, corpus.passages)
        if passage is None:
            unmatched += 1
            continue
        origin = infer_origin(cluster, facts)
        judged.append(Judged(passage, cluster, origin, is_correct(origin, passage)))
    return judged, unmatched


def parent_scores(judged: list[Judged]) -> tuple[int, int, int]:
    """(true positives, predicted edges, true edges) of occurrence -> parent edges."""
    true_positive = predicted = expected = 0
    for item in judged:
        # parents are occurrence indices (a gallery page carries a caption twice)
        keys = [occurrence.doc_key for occurrence in item.cluster.occurrences]
        found = {keys[child]: keys[parent] for child, parent in item.origin.parents.items()}
        truth = {
            child: parent
            for child, parent in item.passage.parents.items()
            if child in keys and parent in keys
        }
        predicted += len(found)
        expected += len(truth)
        true_positive += sum(1 for child, parent in found.items() if truth.get(child) == parent)
    return true_positive, predicted, expected


def truth_facts(folder: Path) -> tuple[dict, dict[str, DocumentFacts]]:
    """The truth of a ``benchmarks/corpus.py`` corpus, and the facts origin inference would
    know of its documents (the truth's boilerplate, credits found in the rest)."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    with (folder / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    facts: dict[str, DocumentFacts] = {}
    for document in truth["documents"]:
        uri, text = document["uri"], texts[document["uri"]]
        spans = [
            BoilerplateSpan(b["start_char"], b["end_char"], b["kind"])
            for b in document["boilerplate"]
        ]
        attributions = find_attributions(text, content_ranges(len(text), spans))
        published = document["published_at"]
        facts[uri] = DocumentFacts(
            uri,
            text,
            datetime.fromisoformat(published) if published else None,
            document["outlet"],
            document_wire_credits(text, attributions, spans),
            attributions,
        )
    return truth, facts


def judge_external(folder: Path) -> list[Judged]:
    """Origins of the passages of a ``benchmarks/corpus.py`` corpus against its truth."""
    truth, facts = truth_facts(folder)
    judged: list[Judged] = []
    for passage in truth["passages"]:
        occurrences = [o for o in passage["occurrences"] if o["uri"] in facts]
        if len(occurrences) < 2:
            continue
        origin_truth = passage["origin"]
        truth_passage = TruthPassage(
            passage["id"],
            f"{passage['kind']}/{origin_truth['kind']}",
            {o["uri"]: (o["start_char"], o["end_char"]) for o in occurrences},
            origin_truth["kind"],
            origin_doc=origin_truth.get("uri"),
            origin_source=origin_truth.get("source"),
            parents={
                o["uri"]: o["parent"]
                for o in occurrences
                if o.get("parent") and o["parent"] != origin_truth.get("uri")
            },
        )
        cluster = Cluster(
            [Occurrence(o["uri"], o["start_char"], o["end_char"]) for o in occurrences]
        )
        origin = infer_origin(cluster, facts)
        judged.append(Judged(truth_passage, cluster, origin, is_correct(origin, truth_passage)))
    return judged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=36)
    parser.add_argument("--seeds", type=int, nargs="+", default=[2016, 2017, 2018, 2019])
    parser.add_argument("--truth-clusters", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--external", type=Path, help="folder written by benchmarks/corpus.py")
    args = parser.parse_args()

    started = time.perf_counter()
    judged, early, unmatched = [], [], 0
    for seed in [] if args.external else args.seeds:
        corpus = build_corpus(args.stories, seed)
        print(
            f"truth corpus seed {seed}: {len(corpus.documents)} documents, {len(corpus.passages)} copied paragraphs"
        )
        early += judge(corpus, 1, args.truth_clusters)[0]
        judged_seed, unmatched_seed = judge(corpus, 2, args.truth_clusters)
        for item in judged_seed:
            item.passage.passage_id = f"{seed}:{item.passage.passage_id}"
        judged += judged_seed
        unmatched += unmatched_seed
    if args.external:
        judged = judge_external(args.external)
        print(
            f"external truth corpus {args.external}: {len(judged)} passages (truth spans as clusters)"
        )
    clusters_label = (
        "truth spans" if args.truth_clusters or args.external else "tokens+candidates+align+cluster"
    )
    print(
        f"clusters ({clusters_label}): {len(judged)} matched to a copied paragraph, {unmatched} unmatched"
    )

    correct = sum(item.correct for item in judged)
    print(f"\norigin accuracy: {correct}/{len(judged)} = {correct / max(1, len(judged)):.3f}")
    per_scenario: dict[str, list[bool]] = defaultdict(list)
    for item in judged:
        per_scenario[item.passage.scenario].append(item.correct)
    for scenario, outcomes in sorted(per_scenario.items()):
        print(
            f"  {scenario:<16} {sum(outcomes):>3}/{len(outcomes):<3} = {sum(outcomes) / len(outcomes):.3f}"
        )
    kinds = Counter(item.origin.kind for item in judged)
    print(
        "  predicted kinds: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    )

    print()
    table = reliability_table((item.origin.confidence, item.correct) for item in judged)
    print_reliability(table, "predicted confidence against observed accuracy", indent="")

    true_positive, predicted, expected = parent_scores(judged)
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / expected if expected else 0.0
    print(
        f"\nparents: precision {precision:.3f} ({true_positive}/{predicted}), recall {recall:.3f} ({true_positive}/{expected})"
    )

    early_origin = {
        item.passage.passage_id: item.origin.doc_key
        for item in early
        if item.passage.scenario == "late_witness"
    }
    late = [item for item in judged if item.passage.scenario == "late_witness"]
    revised = sum(
        1
        for item in late
        if early_origin.get(item.passage.passage_id) not in (None, item.origin.doc_key)
    )
    print(
        f"late-arriving witness: {revised}/{len(late)} origins revised when the earlier copy arrived"
    )

    if args.show_errors:
        print("\nerrors:")
        for item in judged:
            if not item.correct:
                want = item.passage.origin_doc or item.passage.origin_source
                got = item.origin.doc_key or item.origin.source or item.origin.kind
                print(
                    f"  {item.passage.passage_id} {item.passage.scenario}: want {want}, got {got} ({item.origin.confidence}) {item.origin.evidence}"
                )
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
