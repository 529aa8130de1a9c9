"""Do two versions of ``dedup`` find the same things in the same texts?

Runs every text function the pipeline calls on each document (cleaning and its metadata,
template blocks, attributions and wire credits, quotes and the names they resolve, tokens,
normalisation, folded quote words, dates, the alignment of a document with itself) with the
code of two source trees, each in its own process, and compares the outputs function by
function. Written to check that making the regular expressions linear changed no match:

    git archive main | tar -x -C /tmp/old-wiretrace
    python benchmarks/same_matches.py --old /tmp/old-wiretrace --new . \\
        --jsonl /tmp/corpus/articles.jsonl --pan /tmp/pan-all

Texts: the seed articles, the real-news dev sets, the AEB pages (HTML), any JSONL or folder
given, and the adversarial lines of ``benchmarks/bad_inputs.py`` at sizes the old code
survives. A document on which one version runs longer than ``--timeout`` seconds (a regex
that backtracks without end) is reported, not compared.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


def load_texts(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(set, id, text or HTML) of every document to compare."""
    texts: list[tuple[str, str, str]] = []
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        texts.append(("seeds", path.name, path.read_text(encoding="utf-8")))
    for path in sorted((SHARED / "data" / "realnews").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append((f"realnews/{path.stem}", str(record["id"]), record["text"]))
    for path in args.jsonl:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            texts.append((Path(path).stem, str(record.get("id", number)), record["text"]))
    for folder in args.folder:
        for path in sorted(Path(folder).rglob("*.txt")):
            texts.append((Path(folder).name, path.name, path.read_text(encoding="utf-8")))
    if args.aeb:
        for path in sorted((SHARED / "data" / "aeb" / "html").glob("*.html.gz")):
            html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            texts.append(("aeb-html", path.name, html))
    if args.adversarial:
        battery = _bad_inputs()
        for name, line in battery.adversarial_lines(args.adversarial_size).items():
            texts.append(("adversarial", name, battery.adversarial_document(line)))
    return texts


def _bad_inputs():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bad_inputs", PROJECT / "benchmarks" / "bad_inputs.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def outputs_of(kind: str, key: str, text: str) -> dict[str, object]:
    """What each text function returns for one document (comparable values)."""
    from dedup import quotes as quotes_module
    from dedup.align import align_documents
    from dedup.attribution import document_wire_credits, find_attributions
    from dedup.clean import clean_html, clean_plain_text, document_blocks
    from dedup.metadata import find_date, first_heading, text_metadata
    from dedup.normalize import normalize, normalized_text
    from dedup.origin import document_wide_attributions
    from dedup.quotes import classify_edit, find_quotes, fold_words
    from dedup.records import content_ranges
    from dedup.tokens import tokenize

    found: dict[str, object] = {}
    document = clean_html(text) if kind == "aeb-html" else clean_plain_text(text)
    text = document.text
    found["clean: boilerplate spans"] = [
        (span.start_char, span.end_char, span.kind) for span in document.boilerplate
    ]
    found["clean: metadata"] = repr(document.metadata)
    blocks = document_blocks(key, document.metadata.outlet, document)
    found["clean: template blocks"] = (
        blocks.outlet_key,
        blocks.blocks.tolist(),
        blocks.body_blocks.tolist(),
        blocks.pieces.tolist(),
    )
    ranges = content_ranges(len(text), document.boilerplate)
    attributions = find_attributions(text, ranges)
    found["attribution: body credits"] = attributions
    found["attribution: all credits"] = find_attributions(text)
    found["attribution: wire credits"] = document_wire_credits(
        text, attributions, document.boilerplate
    )
    found["origin: document-wide credits"] = document_wide_attributions(text)
    body_quotes = find_quotes(key, text, ranges)
    found["quotes: body quotes"] = body_quotes
    found["quotes: all quotes"] = find_quotes(key, text)
    found["quotes: name mentions"] = quotes_module._NameMemory(text).mentions
    found["quotes: folded words"] = [fold_words(q.text, keep_ellipses=True) for q in body_quotes]
    found["quotes: edit kinds"] = [
        classify_edit(a.text, b.text) for a, b in zip(body_quotes, body_quotes[1:], strict=False)
    ]
    tokens = tokenize(text, ranges)
    found["tokens"] = _digest(
        (tokens.starts.tolist(), tokens.ends.tolist(), tokens.hashes.tolist())
    )
    normalized = normalize(text)
    found["normalize"] = _digest(
        (normalized.text, normalized.offsets.tolist(), sorted(normalized.dropped))
    )
    found["normalize: text only"] = _digest(normalized_text(text))
    found["metadata: text"] = repr(text_metadata(text))
    found["metadata: first heading"] = first_heading(text)
    found["metadata: dates by line"] = [
        find_date(line) for line in text.splitlines() if line.strip()
    ]
    whole = tokenize(text)
    found["align: with itself"] = align_documents(key, text, whole, key + "'", text, whole)
    return found


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Timeout


def compute(args: argparse.Namespace) -> None:
    """Child process: import ``dedup`` from ``--code``, write every document's outputs."""
    sys.path.insert(0, str(Path(args.code).resolve()))
    import dedup

    assert Path(dedup.__file__).resolve().is_relative_to(Path(args.code).resolve()), dedup.__file__
    texts = load_texts(args)
    signal.signal(signal.SIGALRM, _alarm)
    results: dict[tuple[str, str], object] = {}
    started = time.perf_counter()
    for kind, key, text in texts:
        signal.alarm(args.timeout)
        try:
            results[(kind, key)] = outputs_of(kind, key, text)
        except _Timeout:
            results[(kind, key)] = "timeout"
        finally:
            signal.alarm(0)
    with open(args.out, "wb") as stream:
        pickle.dump({"seconds": time.perf_counter() - started, "results": results}, stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", type=Path, help="source tree of the old code")
    parser.add_argument("--new", type=Path, default=PROJECT, help="source tree of the new code")
    parser.add_argument("--jsonl", action="append", default=[], help="a JSONL corpus (id, text)")
    parser.add_argument("--folder", action="append", default=[], help="a folder of .txt files")
    parser.add_argument("--no-aeb", dest="aeb", action="store_false", help="skip the HTML pages")
    parser.add_argument("--no-adversarial", dest="adversarial", action="store_false")
    parser.add_argument(
        "--adversarial-size",
        type=int,
        default=12,
        help="adversarial line size (the old code's exponential patterns stall past ~20)",
    )
    parser.add_argument("--timeout", type=int, default=20, help="seconds per document")
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.code:
        compute(args)
        return 0
    if args.old is None:
        parser.error("--old is required")
    with tempfile.TemporaryDirectory(prefix="same-matches-") as folder:
        passed = [
            *(f"--jsonl={path}" for path in args.jsonl),
            *(f"--folder={path}" for path in args.folder),
            *([] if args.aeb else ["--no-aeb"]),
            *([] if args.adversarial else ["--no-adversarial"]),
            f"--adversarial-size={args.adversarial_size}",
            f"--timeout={args.timeout}",
        ]
        runs = {}
        for name, code in (("old", args.old), ("new", args.new)):
            out = Path(folder) / f"{name}.pickle"
            command = [sys.executable, __file__, f"--code={code}", f"--out={out}", *passed]
            subprocess.run(command, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            with out.open("rb") as stream:
                runs[name] = pickle.load(stream)
    return report(runs["old"], runs["new"])


def report(old: dict, new: dict) -> int:
    same: Counter[str] = Counter()
    different: Counter[str] = Counter()
    examples: dict[str, tuple[str, str]] = {}
    stalled = []
    documents: Counter[str] = Counter()
    for (kind, key), old_found in old["results"].items():
        new_found = new["results"][(kind, key)]
        documents[kind] += 1
        if old_found == "timeout" or new_found == "timeout":
            stalled.append(
                (
                    kind,
                    key,
                    "old" if old_found == "timeout" else "",
                    "new" if new_found == "timeout" else "",
                )
            )
            continue
        for function, value in old_found.items():
            if value == new_found[function]:
                same[function] += 1
            else:
                different[function] += 1
                examples.setdefault(function, (kind, key))
    print("documents: " + ", ".join(f"{kind} {count}" for kind, count in documents.items()))
    print(f"time: old {old['seconds']:.1f} s, new {new['seconds']:.1f} s")
    print(f"\n{'function':<34} {'same':>7} {'different':>10}")
    for function in same | different:
        print(f"{function:<34} {same[function]:>7} {different[function]:>10}")
    for function, (kind, key) in examples.items():
        print(f"first difference in {function}: {kind} {key}")
    for kind, key, old_stall, new_stall in stalled:
        print(
            f"not compared, over the time limit in {' and '.join(filter(None, (old_stall, new_stall)))}: {kind} {key}"
        )
    return 1 if different or any(new_stall for *_, new_stall in stalled) else 0


if __name__ == "__main__":
    sys.exit(main())
