"""How long ``write_report`` takes on N documents, and how big the corpus page gets.

Builds a synthetic :class:`reports.ReportData` (no database, no detection): real text (the seed
articles and DUC news source documents read in place from the PAN 2013 training archive) cut into
paragraphs; agencies put out stories; each document of an outlet mixes its own paragraphs with a
few paragraphs of one story (some lightly edited: ``U.S.``/``US``, curly quotes), between a
navigation line and a footer marked as boilerplate. Every story paragraph carried by two or more
documents becomes a reused passage with occurrences at the exact offsets, an external origin
(the agency) or, for one story in six, a document origin with copy chains.

Run: ``python benchmarks/report_size.py --documents 5000`` (add ``--keep DIR`` to keep the
report, ``--prov`` to time the PROV-JSON export too, ``--db URL`` to time the report of a real
wiretrace database instead). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports import ReportData, export_prov_json, write_report  # noqa: E402
from reports.html import HtmlReport  # noqa: E402
from storage.records import BoilerplateRow, ClusterRow, DocumentRow, LineageRow  # noqa: E402

SHARED = ROOT.parent / "shared"
if not (SHARED / "seeds").is_dir():
    SHARED = Path("/work/shared")
AGENCIES = ("Associated Press", "Reuters", "AFP", "Bloomberg", "dpa")
OUTLET_WORDS = (
    "Herald",
    "Courier",
    "Gazette",
    "Tribune",
    "Post",
    "Observer",
    "Ledger",
    "Chronicle",
    "Sentinel",
    "Review",
)
TOWNS = (
    "Riverton",
    "Lakeside",
    "Northam",
    "Eastbay",
    "Hillview",
    "Portsmouth",
    "Fairmont",
    "Westgate",
)


def load_paragraphs(limit_files: int = 400) -> list[str]:
    """Paragraphs of real news text: the seeds, then DUC sources from the PAN archive."""
    paragraphs: list[str] = []
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        paragraphs += [
            part.strip()
            for part in seed.read_text(encoding="utf-8").split("\n")
            if len(part.strip()) > 120
        ]
    archive = SHARED / "data" / "pan13-train.tar.gz"
    if archive.exists():
        with tarfile.open(archive, "r:gz") as tar:
            read = 0
            for member in tar:
                if not (member.isfile() and "/src/" in member.name):
                    continue
                text = tar.extractfile(member).read().decode("utf-8", "replace")
                for block in text.split("\n"):
                    flat = " ".join(block.split())
                    if 200 <= len(flat) <= 900:
                        paragraphs.append(flat)
                read += 1
                if read >= limit_files:
                    break
    if len(paragraphs) < 50:
        raise SystemExit(
            "too little text: need ../shared/seeds or ../shared/data/pan13-train.tar.gz"
        )
    return paragraphs


def light_edit(paragraph: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15 and "U.S." in paragraph:
        return paragraph.replace("U.S.", "US")
    if roll < 0.25 and '"' in paragraph:
        return re.sub(r'"([^"]*)"', "\u201c\\1\u201d", paragraph)
    if roll < 0.3:
        return paragraph.rsplit(",", 1)[0] + "." if "," in paragraph else paragraph
    return paragraph


def synthetic_data(n_documents: int, seed: int = 7) -> ReportData:
    rng = random.Random(seed)
    pool = load_paragraphs()
    outlets = [f"The {town} {word}" for town in TOWNS for word in OUTLET_WORDS][:60]
    start = datetime(2024, 3, 1, tzinfo=UTC)
    n_stories = max(1, n_documents // 8)
    stories = [
        {
            "agency": rng.choice(AGENCIES),
            "paragraphs": [rng.choice(pool) for _ in range(6)],
            "time": start + timedelta(minutes=rng.randrange(60 * 24 * 45)),
            "outlet_story": rng.random() < 1 / 6,
        }
        for _ in range(n_stories)
    ]
    documents: list[DocumentRow] = []
    boilerplate: list[BoilerplateRow] = []
    copies: dict[tuple[int, int], list[tuple[DocumentRow, int, int]]] = defaultdict(list)
    for number in range(1, n_documents + 1):
        outlet = rng.choice(outlets)
        story_index = rng.randrange(n_stories)
        story = stories[story_index]
        published = story["time"] + timedelta(minutes=rng.randrange(60 * 48))
        nav = f"Home | News | World | Business | Sport | {outlet}\n"
        title = " ".join(story["paragraphs"][0].split()[:9]).rstrip(",.;") + "\n\n"
        parts: list[tuple[str, tuple[int, int] | None]] = [(nav, None), (title, None)]
        own = [rng.choice(pool) for _ in range(rng.randint(2, 4))]
        borrowed = rng.sample(range(6), rng.randint(1, 3))
        body: list[tuple[str, tuple[int, int] | None]] = [(paragraph, None) for paragraph in own]
        for paragraph_index in borrowed:
            text = light_edit(story["paragraphs"][paragraph_index], rng)
            body.insert(rng.randrange(len(body) + 1), (text, (story_index, paragraph_index)))
        parts += [(paragraph + "\n\n", key) for paragraph, key in body]
        parts.append(
            (f"\u00a9 {published.year} {outlet}. All rights reserved. Subscribe | Contact\n", None)
        )
        text, cursor, spans = "", 0, []
        for piece, key in parts:
            if key is not None:
                spans.append((key, cursor, cursor + len(piece.rstrip("\n"))))
            text += piece
            cursor += len(piece)
        document = DocumentRow(
            number,
            f"https://{outlet.lower().replace(' ', '')}.example/{number}",
            title.strip(),
            outlet,
            None,
            published,
            text,
            "",
            None,
            story["agency"] if rng.random() < 0.6 else None,
        )
        footer_start = text.rindex("\u00a9")
        boilerplate.append(BoilerplateRow(number, document.uri, 0, len(nav), "navigation", nav))
        boilerplate.append(
            BoilerplateRow(
                number, document.uri, footer_start, len(text), "footer", text[footer_start:]
            )
        )
        document.clean_text = text[len(nav) : footer_start]
        documents.append(document)
        for key, span_start, span_end in spans:
            copies[key].append((document, span_start, span_end))

    lineage: list[LineageRow] = []
    clusters: list[ClusterRow] = []
    covered: dict[str, int] = defaultdict(int)
    for (story_index, _), holders in copies.items():
        if len(holders) < 2:
            continue
        story = stories[story_index]
        holders.sort(key=lambda item: item[0].published_at)
        cluster_id = len(clusters) + 1
        is_document_origin = story["outlet_story"]
        origin_uri = holders[0][0].uri if is_document_origin else None
        kind, source = (
            ("document", holders[0][0].outlet)
            if is_document_origin
            else ("external", story["agency"])
        )
        ids: list[int] = []
        for position, (document, span_start, span_end) in enumerate(holders):
            occurrence_id = len(lineage) + 1
            parent = None
            if position and is_document_origin:
                parent = ids[0] if rng.random() < 0.7 else rng.choice(ids)
            evidence = (
                f"earliest copy ({holders[0][0].published_at:%Y-%m-%d %H:%M}); later copies contain it"
                if is_document_origin
                else f"{story['agency']} credited by {sum(1 for item in holders if item[0].wire_credits)} of {len(holders)} copies"
            )
            lineage.append(
                LineageRow(
                    occurrence_id,
                    cluster_id,
                    document.document_id,
                    document.uri,
                    span_start,
                    span_end,
                    document.text[span_start:span_end],
                    is_document_origin and position == 0,
                    parent,
                    kind,
                    origin_uri,
                    source,
                    round(rng.uniform(0.45, 0.95), 2),
                    evidence,
                )
            )
            ids.append(occurrence_id)
            covered[document.uri] += span_end - span_start
        first_document, first_start, first_end = holders[0]
        clusters.append(
            ClusterRow(
                cluster_id,
                len(holders),
                len({item[0].outlet for item in holders}),
                holders[0][0].published_at,
                kind,
                origin_uri,
                source,
                lineage[-1].confidence,
                first_document.text[first_start:first_end],
            )
        )
    for document in documents:
        document.original_share = max(
            0.0, 1 - covered[document.uri] / max(1, len(document.clean_text))
        )
    return ReportData(
        documents=documents,
        boilerplate=boilerplate,
        lineage=lineage,
        clusters=clusters,
        runs=[{"run_id": 1, "documents": n_documents}],
        source="synthetic",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000, help="number of documents [5000]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the report here and keep it")
    parser.add_argument("--prov", action="store_true", help="also time export_prov_json")
    parser.add_argument("--db", help="read a real wiretrace database instead of synthetic rows")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    if args.db:
        from storage.store import Store

        data = ReportData.from_store(Store(args.db))
        origin = f"read from {data.source}"
    else:
        data = synthetic_data(args.documents, args.seed)
        origin = "synthetic"
    print(f"documents            {len(data.documents)}")
    print(f"reused passages      {len(data.cluster_ids)}")
    print(f"occurrences          {len(data.lineage)}")
    print(
        f"rows                 {time.perf_counter() - began:.2f} s, {origin} (not in the report time)"
    )

    out = args.keep or Path(tempfile.mkdtemp(prefix="wiretrace-report-"))
    try:
        began, began_cpu = time.perf_counter(), time.process_time()
        written = write_report(data, out)
        seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - began_cpu
        sizes = {path: path.stat().st_size for path in written}
        pages = [path for path in written if path.parent.name == "docs"]
        print(
            f"write_report         {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU, {len(written)} files, {sum(sizes.values()) / 1e6:.1f} MB"
        )
        print(f"index.html           {sizes[out / 'index.html'] / 1e3:.1f} kB")
        print(
            f"largest other page   {max(size for path, size in sizes.items() if path.suffix == '.html' and path.name != 'index.html') / 1e3:.1f} kB"
        )
        print(
            f"document page, mean  {sum(sizes[path] for path in pages) / max(1, len(pages)) / 1e3:.1f} kB"
        )
        print(f"lineage.json         {sizes[out / 'lineage.json'] / 1e6:.2f} MB")
        # Every document for the document list's filter, loaded by each list page.
        data_file = out / "documents-data.js"
        if data_file in sizes:
            print(f"documents-data.js    {sizes[data_file] / 1e6:.2f} MB")
        began = time.perf_counter()
        report = HtmlReport(data)
        for document in data.documents:
            report.segments(document)
        print(
            f"coverage segments    {time.perf_counter() - began:.2f} s (strips, bars, heat map; "
            "inside the write_report time)"
        )
        if args.prov:
            began = time.perf_counter()
            payload = json.dumps(export_prov_json(data))
            print(
                f"export_prov_json     {time.perf_counter() - began:.2f} s, {len(payload) / 1e6:.1f} MB"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
