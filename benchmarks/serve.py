"""``wiretrace serve`` at scale: each canned query, search and view page timed over HTTP.

Builds (or reuses) a SQLite database of ``--n`` generated articles (``benchmarks/corpus.py``
through ``benchmarks/scale.py``'s corpus cache, then the real pipeline), or takes ``--db``;
starts ``wiretrace serve`` on a free port and requests, for every canned query
(``storage/canned.py``) and a few pages a user opens first (view pages with their facets, a
full-text search), the JSON or HTML answer ``--repeat`` times. Prints rows returned, the first
(cold) time and the median of the others, against the target of 1 s. Datasette stops a query
at 1 s (``flows.serve.SETTINGS``): such a query is shown as ``TIMEOUT``.

Parameters are picked from the database: the document with the most reused passages (uri),
the most frequent origin agency, and five words of the most copied passage.

Example: ``python benchmarks/serve.py --n 10000`` (about a minute for the pipeline run the first
time, on 2 cores), or ``python benchmarks/serve.py --db /tmp/wiretrace-serve/serve-10000.db``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
WIRETRACE = str(Path(sys.executable).with_name("wiretrace"))
TARGET_SECONDS = 1.0


@dataclass
class Timing:
    """One request's name, rows (or page size), and seconds: cold, then warm median."""

    name: str
    rows: str
    cold: float
    warm: float
    status: str


def build_database(work: Path, count: int, seed: int) -> Path:
    """A database of ``count`` generated articles, made once per (count, seed) in ``work``."""
    path = work / f"serve-{count}-s{seed}.db"
    if path.exists():
        return path
    sys.path.insert(0, str(HERE))
    import scale  # benchmarks/scale.py: its corpus cache

    from flows.pipeline import run_pipeline

    corpus = scale.ensure_corpus(work, count, seed)
    building = path.with_suffix(".building.db")
    url = scale.fresh_sqlite(building)
    started = time.perf_counter()
    summary = run_pipeline([str(corpus / "articles.jsonl")], url, notify=lambda _: None)
    print(
        f"pipeline: {summary.documents_total} documents, {summary.clusters} passages in "
        f"{time.perf_counter() - started:.0f} s -> {path}"
    )
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    building.rename(path)
    return path


def pick_parameters(path: Path) -> dict[str, str]:
    """Parameters a user would type, taken from the database itself."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        uri = connection.execute(
            text("SELECT uri FROM v_lineage GROUP BY uri ORDER BY COUNT(*) DESC, uri LIMIT 1")
        ).scalar()
        agency = connection.execute(
            text(
                "SELECT origin_source FROM v_clusters WHERE origin_kind = 'external' "
                "GROUP BY origin_source ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
        passage = connection.execute(
            text("SELECT text FROM v_clusters ORDER BY n_documents DESC, cluster_id LIMIT 1")
        ).scalar()
        documents = connection.execute(text("SELECT COUNT(*) FROM documents")).scalar()
    engine.dispose()
    words = " ".join((passage or "").split()[2:7])
    print(f"database: {path} ({documents} documents)")
    print(f"parameters: uri={uri!r} agency={agency!r} words={words!r}")
    return {"uri": uri or "", "agency": agency or "Associated Press", "words": words}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def timed(name: str, url: str, repeat: int) -> Timing:
    seconds: list[float] = []
    status, body = 0, b""
    for _ in range(repeat):
        started = time.perf_counter()
        status, body = fetch(url)
        seconds.append(time.perf_counter() - started)
    if url.split("?")[0].endswith(".json"):
        answer = json.loads(body)
        rows = str(len(answer)) if isinstance(answer, list) else "?"
        if isinstance(answer, dict) and not answer.get("ok", True):
            status = 400
            rows = answer.get("error", "")[:30]
    else:
        rows = f"{len(body) // 1024} kB"
    warm = statistics.median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    if status != 200:
        verdict = "TIMEOUT" if b"too long" in body else f"HTTP {status}"
    else:
        verdict = "ok" if max(seconds) < TARGET_SECONDS else "SLOW"
    return Timing(name, rows, seconds[0], warm, verdict)


def requests_to_time(base: str, database: str, parameters: dict[str, str]) -> list[tuple[str, str]]:
    from storage.canned import CANNED_QUERIES

    root = f"{base}/{urllib.parse.quote(database)}"
    wanted = []
    for query in CANNED_QUERIES:
        values = {name: parameters[name] for name in query.parameters}
        values["_shape"] = "array"
        wanted.append((query.name, f"{root}/{query.name}.json?{urllib.parse.urlencode(values)}"))
    search = urllib.parse.quote(parameters["words"])
    wanted += [
        ("first page", f"{base}/"),
        ("v_documents page (facets)", f"{root}/v_documents"),
        ("v_clusters page (facets)", f"{root}/v_clusters"),
        ("v_lineage page (facets)", f"{root}/v_lineage"),
        ("v_quotes page (facets)", f"{root}/v_quotes"),
        ("search v_documents", f"{root}/v_documents.json?_shape=array&_search={search}"),
        ("search v_lineage", f"{root}/v_lineage.json?_shape=array&_search={search}"),
    ]
    return wanted


def serve(path: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [WIRETRACE, "serve", "--db", f"sqlite:///{path}", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"wiretrace serve stopped: {process.communicate()[0]}")
        try:
            fetch(f"http://127.0.0.1:{port}/-/versions.json")
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("wiretrace serve did not start in 120 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="articles to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="an existing wiretrace SQLite file instead")
    parser.add_argument("--work", type=Path, default=Path("/tmp/wiretrace-serve"))
    parser.add_argument("--repeat", type=int, default=4, help="requests per measure")
    args = parser.parse_args(argv)
    if args.db is not None:
        if not args.db.is_file():
            print(f"error: {args.db}: no such database", file=sys.stderr)
            return 1
        path = args.db
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        path = build_database(args.work, args.n, args.seed)
    parameters = pick_parameters(path)
    port = free_port()
    process = serve(path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        timings = [
            timed(name, url, args.repeat)
            for name, url in requests_to_time(base, path.stem, parameters)
        ]
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(
        f"{'request':<28}{'rows':>10}{'cold s':>9}{'warm s':>9}  verdict (< {TARGET_SECONDS:g} s)"
    )
    for timing in timings:
        print(
            f"{timing.name:<28}{timing.rows:>10}{timing.cold:>9.3f}{timing.warm:>9.3f}  "
            f"{timing.status}"
        )
    return 0 if all(timing.status == "ok" for timing in timings) else 1


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.exit(main())
