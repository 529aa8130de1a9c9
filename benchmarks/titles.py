"""Titles as the pipeline stores them, for the real news files and the seeds.

Prints ``uri -> title`` for every document of ``../shared/data/realnews/*.jsonl`` and
``../shared/seeds`` (read and cleaned as ``wiretrace run`` does: :func:`flows.ingest.read_inputs`
then :func:`flows.stages.clean`), then counts the titles a reader cannot use:

* empty: no title at all (a report then shows the uri);
* label-like: a UI label, a timestamp, a share row or a photo credit
  (:func:`dedup.metadata.unreadable_title` says which);
* numeric: a bare number (``1607``);
* no headline: none of the above, but not a headline by :func:`dedup.metadata.headline`'s
  rules either (a body sentence, a name, a caption): the rules judge their own predecessor
  here, so read these titles rather than trust the count.

It also counts the titles made from the uri (:func:`dedup.metadata.title_from_uri`), for texts
with no headline of their own.

Run from the repository root::

    .venv/bin/python benchmarks/titles.py            # every title, then the counts
    .venv/bin/python benchmarks/titles.py --counts   # the counts only
    .venv/bin/python benchmarks/titles.py --before main   # titles of git main's rules, too

``--before REF`` also computes the titles with ``dedup/metadata.py`` as it is in the git
revision ``REF`` (loaded as a separate module, with no uri fallback), and prints a title only
where the two differ, then both sets of counts.

Before/after figures are recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from unittest import mock

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from dedup.metadata import headline, title_from_uri, unreadable_title  # noqa: E402
from flows.ingest import read_inputs  # noqa: E402
from flows.stages import clean  # noqa: E402

SHARED = PROJECT.parent / "shared"
INPUTS = (SHARED / "data" / "realnews", SHARED / "seeds")
PROBLEMS = ("empty", "numeric", "label", "timestamp", "share row", "credit", "no headline")


@dataclass
class Titled:
    uri: str
    title: str | None

    @property
    def problem(self) -> str | None:
        """Why a reader cannot use this title (``empty``, ``numeric``, ...), or None."""
        if not self.title or not self.title.strip():
            return "empty"
        if self.title.strip().isdigit():
            return "numeric"
        if self.title == title_from_uri(self.uri):
            return None
        return unreadable_title(self.title) or (None if headline(self.title) else "no headline")


def stored_titles(folders: tuple[Path, ...] = INPUTS) -> list[Titled]:
    """Every readable document under ``folders`` with the title the pipeline would store."""
    paths = [str(folder) for folder in folders if folder.exists()]
    titled: list[Titled] = []
    for raw in read_inputs(paths):
        if not hasattr(raw, "content"):  # a Skipped input: nothing to title
            continue
        titled.append(Titled(raw.uri, clean(raw).metadata.title))
    return titled


def module_at(revision: str) -> ModuleType:
    """``dedup/metadata.py`` as it is in the git revision ``revision``, as its own module."""
    source = subprocess.run(
        ["git", "show", f"{revision}:dedup/metadata.py"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = ModuleType(f"metadata_at_{revision}")
    module.__dict__["__name__"] = module.__name__
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:dedup/metadata.py", "exec"), module.__dict__)
    return module


@contextmanager
def rules_of(module: ModuleType) -> Iterator[None]:
    """The pipeline's cleaning with ``module``'s title rules and no uri fallback."""
    import dedup.clean
    import flows.stages

    with (
        mock.patch.object(dedup.clean, "text_metadata", module.text_metadata),
        mock.patch.object(dedup.clean, "first_heading", module.first_heading),
        mock.patch.object(flows.stages, "title_from_uri", lambda uri: None),
    ):
        yield


def print_counts(label: str, titled: list[Titled]) -> None:
    problems = Counter(item.problem for item in titled if item.problem)
    from_uri = sum(item.title == title_from_uri(item.uri) for item in titled)
    print(f"{label}: {len(titled)} documents, {from_uri} titled from their uri")
    for problem in PROBLEMS:
        print(f"  {problem:<11} {problems.get(problem, 0)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", action="store_true", help="print the counts only")
    parser.add_argument("--before", metavar="REF", help="compare with git revision REF's rules")
    arguments = parser.parse_args()
    titled = stored_titles()
    if not titled:
        sys.exit(f"no documents under {', '.join(str(folder) for folder in INPUTS)}")
    before: list[Titled] = []
    if arguments.before:
        with rules_of(module_at(arguments.before)):
            before = stored_titles()
    if not arguments.counts:
        width = max(len(item.uri) for item in titled)
        earlier = {item.uri: item for item in before}
        for item in titled:
            flag = f"  [{item.problem}]" if item.problem else ""
            print(f"{item.uri:<{width}}  {item.title!r}{flag}")
            old = earlier.get(item.uri)
            if old is not None and old.title != item.title:
                was = f"  [{old.problem}]" if old.problem else ""
                print(f"{'':<{width}}  was {old.title!r}{was}")
        print()
    if before:
        print_counts(f"before ({arguments.before})", before)
    print_counts("now", titled)


if __name__ == "__main__":
    main()
