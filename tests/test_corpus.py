"""The benchmark corpus generator: deterministic, truth that indexes the text, reuse as news has it."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]


def _load_corpus_module() -> Any:
    # benchmarks/ is a folder of scripts, not an installed package.
    spec = importlib.util.spec_from_file_location(
        "wiretrace_corpus", ROOT / "benchmarks" / "corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()
pytestmark = pytest.mark.skipif(
    not corpus.DEFAULT_ARCHIVE.is_file(), reason="PAN archive not found next to the repo"
)
N = 400


@pytest.fixture(scope="module")
def pool() -> list[list[str]]:
    return corpus.load_pool(corpus.DEFAULT_ARCHIVE)


@pytest.fixture(scope="module")
def generated(pool, tmp_path_factory) -> tuple[dict[str, str], dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(out, N, seed=3, output_format="jsonl", pool=pool)
    texts = {}
    with (out / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return texts, truth, out


def test_same_seed_same_bytes_other_seed_other_bytes(pool, generated, tmp_path):
    _, _, first = generated
    corpus.write_corpus(tmp_path / "again", N, seed=3, output_format="jsonl", pool=pool)
    corpus.write_corpus(tmp_path / "other", N, seed=4, output_format="jsonl", pool=pool)
    for name in ("articles.jsonl", "truth.json"):
        assert (tmp_path / "again" / name).read_bytes() == (first / name).read_bytes()
    assert (tmp_path / "other" / "articles.jsonl").read_bytes() != (
        first / "articles.jsonl"
    ).read_bytes()


def test_writes_exactly_n_documents_and_describes_each(generated):
    texts, truth, _ = generated
    assert len(texts) == N
    assert [doc["uri"] for doc in truth["documents"]] == list(texts)


def test_truth_offsets_index_the_written_texts(generated):
    texts, truth, _ = generated
    assert len(truth["passages"]) > 50
    for passage in truth["passages"]:
        occurrences = passage["occurrences"]
        assert len({o["uri"] for o in occurrences}) >= 2
        slices = [texts[o["uri"]][o["start_char"] : o["end_char"]] for o in occurrences]
        for piece in slices:
            assert piece and piece == piece.strip() and "\n" not in piece
        # Unedited copies carry the passage verbatim; edited ones stay close to it.
        verbatim = {piece for piece, o in zip(slices, occurrences, strict=True) if not o["edits"]}
        assert len(verbatim) <= 1
        reference = verbatim.pop() if verbatim else slices[0]
        for piece, occurrence in zip(slices, occurrences, strict=True):
            # A trim drops at most a quarter; a credit adds a short phrase (``, he told AP``).
            allowed = 0.3 * len(reference) + (40 if "credit" in occurrence["edits"] else 0)
            assert Levenshtein.distance(piece, reference) <= allowed


def test_boilerplate_spans_are_the_outlet_template(generated):
    texts, truth, _ = generated
    for doc in truth["documents"]:
        text = texts[doc["uri"]]
        kinds = {
            span["kind"]: text[span["start_char"] : span["end_char"]] for span in doc["boilerplate"]
        }
        assert doc["boilerplate"][0]["start_char"] == 0 and kinds["navigation"].startswith(
            doc["outlet"]
        )
        assert kinds["footer"].startswith(("©", "Copyright")) and doc["outlet"] in kinds["footer"]
        assert text.endswith(kinds["footer"] + "\n")


def test_chains_point_to_an_earlier_copy_of_the_same_passage(generated):
    texts, truth, _ = generated
    published = {
        doc["uri"]: datetime.fromisoformat(doc["published_at"]) for doc in truth["documents"]
    }
    chained = 0
    for passage in truth["passages"]:
        uris = {o["uri"] for o in passage["occurrences"]}
        for occurrence in passage["occurrences"]:
            if occurrence["parent"] is None:
                continue
            chained += 1
            assert occurrence["parent"] in uris
            assert published[occurrence["parent"]] <= published[occurrence["uri"]]
    assert chained >= 20


def test_origins_are_agencies_or_documents_that_carry_the_passage(generated):
    _, truth, _ = generated
    kinds = {"external": 0, "document": 0}
    for passage in truth["passages"]:
        origin = passage["origin"]
        kinds[origin["kind"]] += 1
        if origin["kind"] == "document":
            flagged = [o["uri"] for o in passage["occurrences"] if o.get("is_origin")]
            assert flagged == [origin["uri"]]
        else:
            assert origin["source"] in {agency.name for agency in corpus.AGENCIES}
    assert kinds["external"] > 10 and kinds["document"] > 10


def test_credits_in_the_forms_news_uses(generated):
    texts, truth, _ = generated
    credited = [doc for doc in truth["documents"] if doc["credits"]]
    assert len(credited) > N // 10
    all_text = "\n".join(texts[doc["uri"]] for doc in credited)
    assert re.search(r"^[A-Z ]+ \((AP|Reuters|AFP|dpa|Bloomberg)\)", all_text, re.M)  # dateline
    assert re.search(
        r"^[a-z]{2}/[a-z]{2} \((AP|Reuters|AFP|dpa|Bloomberg)", all_text, re.M
    )  # sign-off
    assert re.search(r"(told|according to|reported)", all_text)
    edits = {e for p in truth["passages"] for o in p["occurrences"] for e in o["edits"]}
    assert {"quotes", "typo", "trim", "credit"} <= edits


def test_exact_duplicates_have_the_same_text(generated):
    texts, truth, _ = generated
    duplicates = [doc for doc in truth["documents"] if doc["duplicate_of"]]
    assert duplicates
    occurrences: dict[str, list[tuple[int, int]]] = {}
    for passage in truth["passages"]:
        for o in passage["occurrences"]:
            occurrences.setdefault(o["uri"], []).append((o["start_char"], o["end_char"]))
    for doc in duplicates:
        text = texts[doc["uri"]]
        assert text == texts[doc["duplicate_of"]]
        # The whole article is reused: every non-boilerplate character is in some passage.
        spans = occurrences[doc["uri"]] + [
            (b["start_char"], b["end_char"]) for b in doc["boilerplate"]
        ]
        covered = bytearray(len(text))
        for start, end in spans:
            covered[start:end] = b"\1" * (end - start)
        assert all(covered[i] or text[i].isspace() for i in range(len(text)))


def test_original_paragraphs_are_not_shared(generated):
    """Text outside the truth's passages and boilerplate shares no 12-word run across documents."""
    texts, truth, _ = generated
    covered: dict[str, list[tuple[int, int]]] = {}
    for passage in truth["passages"]:
        for o in passage["occurrences"]:
            covered.setdefault(o["uri"], []).append((o["start_char"], o["end_char"]))
    for doc in truth["documents"]:
        for span in doc["boilerplate"]:
            covered.setdefault(doc["uri"], []).append((span["start_char"], span["end_char"]))
    owner: dict[str, str] = {}
    for doc in truth["documents"]:
        if doc["duplicate_of"]:
            continue
        text = texts[doc["uri"]]
        for start, end in sorted(covered.get(doc["uri"], []), reverse=True):
            text = text[:start] + "\n" + text[end:]
        for block in text.split("\n"):
            words = re.findall(r"\w+", block.lower())
            for index in range(len(words) - 11):
                shingle = " ".join(words[index : index + 12])
                assert owner.setdefault(shingle, doc["uri"]) == doc["uri"], shingle


def test_txt_format_writes_the_same_texts_as_files(pool, generated, tmp_path):
    texts, _, _ = generated
    corpus.write_corpus(tmp_path, N, seed=3, output_format="txt", pool=pool)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    written = [(tmp_path / doc["uri"]).read_bytes().decode("utf-8") for doc in truth["documents"]]
    assert written == list(texts.values())
    passage = truth["passages"][0]
    occurrence = passage["occurrences"][0]
    assert (tmp_path / occurrence["uri"]).is_file()


def test_bad_arguments_are_one_line_errors(tmp_path):
    with pytest.raises(SystemExit, match="--n must be at least 1"):
        corpus.write_corpus(tmp_path, 0)
    assert (
        corpus.main(["--n", "5", "--out", str(tmp_path), "--archive", str(tmp_path / "no.tgz")])
        == 2
    )


def test_markov_text_never_copies_a_long_run_of_one_training_sentence():
    """With rare words (one successor each) a plain chain would copy whole training sentences."""
    rng = corpus.random.Random(5)
    common = ["the", "of", "and", "a", "in"]
    training = []
    for number in range(300):
        words = [f"w{number}x{index}" for index in range(12)]
        for index in (3, 7):
            words[index] = rng.choice(common)
        training.append(" ".join(words) + ".")
    chain = corpus.MarkovText(training)
    run = chain.MAX_RUN + 1
    training_runs = set()
    for sentence in training:
        words = sentence.split()
        training_runs.update(tuple(words[i : i + run]) for i in range(len(words) - run + 1))
    generated = [chain.sentence(rng).rstrip(".").split() for _ in range(500)]
    assert sum(len(words) for words in generated) > 5000
    for words in generated:
        for index in range(len(words) - run + 1):
            assert tuple(words[index : index + run]) not in training_runs


def test_markov_sentences_never_repeat_a_run_of_each_other():
    """Rare words chained across training sentences would otherwise come out again in other
    documents: verbatim reuse that the truth does not list."""
    rng = corpus.random.Random(11)
    common = ["the", "of", "and"]
    training = []
    for number in range(40):  # few rare words: a plain chain repeats itself quickly
        words = [f"w{number}x{index}" for index in range(8)]
        words[4] = rng.choice(common)
        training.append(" ".join(words) + ".")
    chain = corpus.MarkovText(training)
    run = chain.UNIQUE_RUN
    owner: dict[tuple[str, ...], int] = {}
    sentences = [chain.sentence(rng, 6, 12) for _ in range(300)]
    assert chain.redrawn > 0  # the check had repeats to turn down
    for number, sentence in enumerate(sentences):
        tokens = corpus.WORD_TOKEN.findall(sentence.lower())
        for index in range(len(tokens) - run + 1):
            key = tuple(tokens[index : index + run])
            assert owner.setdefault(key, number) == number or chain.repeated
    assert chain.repeated < len(sentences) // 10
