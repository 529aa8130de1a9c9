"""The benchmark corpus generator: deterministic, truth that indexes the text, reuse as news has it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import benchmark_scripts
import pytest
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]


corpus = benchmark_scripts.load("corpus")
pytestmark = pytest.mark.skipif(
    not corpus.DEFAULT_ARCHIVE.is_file(), reason="PAN archive not found next to the repo"
)
N = 400
SHAPED_N = 1500
PLAIN_SHAPES = {"pickup", "original", "agency", "outlet_story", "duplicate"}


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


@pytest.fixture(scope="module")
def shaped(pool, tmp_path_factory) -> tuple[dict[str, str], dict[str, Any]]:
    """A larger corpus, so that every shape of real news occurs several times."""
    out = tmp_path_factory.mktemp("shaped")
    corpus.write_corpus(out, SHAPED_N, seed=5, output_format="jsonl", pool=pool)
    return _read(out)


def _read(out: Path) -> tuple[dict[str, str], dict[str, Any]]:
    texts = {}
    with (out / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    return texts, json.loads((out / "truth.json").read_text(encoding="utf-8"))


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
        spans = {
            span["kind"]: text[span["start_char"] : span["end_char"]] for span in doc["boilerplate"]
        }  # the last span of each kind: the outlet's footer ends the page
        kinds = {**spans, "navigation": text[: doc["boilerplate"][0]["end_char"]]}
        first = doc["boilerplate"][0]
        assert first["start_char"] == 0 and first["kind"] == "navigation"
        assert kinds["navigation"].startswith(
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


# ----------------------------------------------------------------------------------------
# Shapes of real news (issues 16 and 17): on by default, off with --plain


def _by_document(truth: dict[str, Any]) -> dict[str, list[tuple[dict, dict]]]:
    """Per document uri: (passage, occurrence) pairs, in text order."""
    found: dict[str, list[tuple[dict, dict]]] = {}
    for passage in truth["passages"]:
        for occurrence in passage["occurrences"]:
            found.setdefault(occurrence["uri"], []).append((passage, occurrence))
    for pairs in found.values():
        pairs.sort(key=lambda pair: pair[1]["start_char"])
    return found


def _documents(truth: dict[str, Any], shape: str) -> list[dict[str, Any]]:
    documents = [doc for doc in truth["documents"] if doc["shape"] == shape]
    assert len(documents) >= 3, shape
    return documents


def _agency_of(truth: dict[str, Any], origin: dict[str, str]) -> str:
    """The agency (or outlet) an origin is: the source, or the outlet of the origin document."""
    if origin["kind"] == "external":
        return origin["source"]
    return next(doc["outlet"] for doc in truth["documents"] if doc["uri"] == origin["uri"])


def test_every_shape_is_on_by_default_and_plain_switches_them_off(pool, shaped, tmp_path):
    _, truth = shaped
    shapes = {doc["shape"] for doc in truth["documents"]}
    new = {"mixed", "digest", "aggregator", "newsletter", "agency_update", "agency_story"}
    assert shapes == PLAIN_SHAPES | new
    share = sum(doc["shape"] in new for doc in truth["documents"]) / len(truth["documents"])
    assert 0.08 <= share <= 0.25
    for feature in ("caption", "interview", "update"):
        assert any(passage.get(feature) for passage in truth["passages"]), feature
    corpus.write_corpus(tmp_path, SHAPED_N, seed=5, output_format="jsonl", pool=pool, plain=True)
    texts, plain = _read(tmp_path)
    assert plain["meta"]["plain"] and not truth["meta"]["plain"]
    assert {doc["shape"] for doc in plain["documents"]} == PLAIN_SHAPES
    assert not any(p.get(f) for p in plain["passages"] for f in ("caption", "interview", "update"))
    names = "|".join(re.escape(outlet) for outlet in corpus.INTERVIEW_OUTLETS)
    phrase = re.compile(
        rf", (he|she|the minister|a spokeswoman|the official) (told|said in an interview with) ({names})\b"
    )
    assert not any(phrase.search(text) for text in texts.values())
    assert sum(bool(phrase.search(text)) for text in shaped[0].values()) >= 10


def test_only_a_gallery_shows_a_passage_twice_in_one_document(shaped):
    """Each copy of a passage is one occurrence; the one passage a document carries twice is
    a photo caption it shows again in a gallery below the article."""
    texts, truth = shaped
    twice = 0
    for passage in truth["passages"]:
        uris = [o["uri"] for o in passage["occurrences"]]
        repeated = {uri for uri in uris if uris.count(uri) > 1}
        if not repeated:
            continue
        assert passage.get("caption"), passage["id"]
        for uri in repeated:
            first, second = sorted(
                (o["start_char"], o["end_char"]) for o in passage["occurrences"] if o["uri"] == uri
            )
            text = texts[uri]
            assert text[first[0] : first[1]] == text[second[0] : second[1]]
            assert re.search(r"Image 1 of \d", text[first[1] : second[0]])
            twice += 1
    assert twice >= 3


def test_mixed_articles_quote_excerpts_of_several_stories(shaped):
    texts, truth = shaped
    found = _by_document(truth)
    several = adjacent = 0
    documents = _documents(truth, "mixed")
    for doc in documents:
        pairs = found.get(doc["uri"], [])
        stories = {passage["story"] for passage, _ in pairs}
        several += len(stories) >= 2
        text = texts[doc["uri"]]
        for (first, a), (second, b) in zip(pairs, pairs[1:], strict=False):
            # Two stories' excerpts with nothing of the article's own between them.
            adjacent += (
                first["story"] != second["story"]
                and not text[a["end_char"] : b["start_char"]].strip()
            )
    assert several >= 0.7 * len(documents)
    assert adjacent >= 3


def test_digests_carry_ledes_of_one_agency_under_its_datelines(shaped):
    texts, truth = shaped
    found = _by_document(truth)
    elsewhere = total = 0
    shape_of = {doc["uri"]: doc["shape"] for doc in truth["documents"]}
    for doc in _documents(truth, "digest"):
        (agency,) = doc["credits"]
        short = next(a.short for a in corpus.AGENCIES if a.name == agency)
        text = texts[doc["uri"]]
        pairs = found[doc["uri"]]
        assert len({passage["story"] for passage, _ in pairs}) >= 3
        datelines = {
            b["end_char"]: text[b["start_char"] : b["end_char"]]
            for b in doc["boilerplate"]
            if b["kind"] == "dateline"
        }
        ledes = 0
        for passage, occurrence in pairs:
            assert _agency_of(truth, passage["origin"]) == agency
            # A lede opens its block with ``CITY (AP) — ``; the dateline is not the passage.
            dateline = datelines.get(occurrence["start_char"] - 1)
            if dateline is not None:
                assert re.search(rf"\({short}\) (-+|—)$", dateline), dateline
                ledes += 1
            total += 1
            elsewhere += any(shape_of[o["uri"]] != "digest" for o in passage["occurrences"])
        assert ledes >= 3
    assert elsewhere >= 0.9 * total


def test_aggregators_credit_each_lede_and_are_never_the_origin(shaped):
    texts, truth = shaped
    found = _by_document(truth)
    documents = {doc["uri"]: doc for doc in truth["documents"]}
    aggregators = _documents(truth, "aggregator")
    first_witness = 0
    for doc in aggregators:
        text = texts[doc["uri"]]
        for passage, occurrence in found.get(doc["uri"], []):
            assert passage["origin"].get("uri") != doc["uri"] and not occurrence.get("is_origin")
            if text[occurrence["start_char"] - 1] != "\n":
                continue  # a sentence an update added to the lede: same block, same credit
            credit = text[: occurrence["start_char"]].rstrip().rsplit("\n", 1)[-1]
            source = credit.split(" · ")[0]
            parent = occurrence["parent"]
            expected = (
                documents[parent]["outlet"] if parent else _agency_of(truth, passage["origin"])
            )
            assert source == expected, (credit, passage["origin"], parent)
            dates = [documents[o["uri"]]["published_at"] for o in passage["occurrences"]]
            first_witness += (
                passage["origin"]["kind"] == "external" and min(dates) == doc["published_at"]
            )
    assert first_witness >= 5  # scraped before every copy, yet the agency is the origin


def test_newsletters_gather_earlier_copies_of_several_outlets(shaped):
    texts, truth = shaped
    found = _by_document(truth)
    documents = {doc["uri"]: doc for doc in truth["documents"]}
    for doc in _documents(truth, "newsletter"):
        text = texts[doc["uri"]]
        prompts = [
            text[b["start_char"] : b["end_char"]]
            for b in doc["boilerplate"]
            if b["kind"] == "promo"
        ]
        assert any("Unsubscribe" in prompt for prompt in prompts)
        pairs = found[doc["uri"]]
        assert len({passage["story"] for passage, _ in pairs}) >= 3
        for passage, occurrence in pairs:
            source = occurrence["parent"] or passage["origin"].get("uri")
            if source is None:
                continue  # quoted from an outlet copy that is not in the truth for this passage
            assert documents[source]["published_at"] <= doc["published_at"]
            assert documents[source]["outlet"] != doc["outlet"]
            assert (
                f"Read the full story at {documents[source]['outlet']}."
                in text[occurrence["end_char"] :]
            )


def test_agency_updates_add_paragraphs_that_outlets_copy(shaped):
    texts, truth = shaped
    documents = {doc["uri"]: doc for doc in truth["documents"]}
    updates = {doc["uri"] for doc in _documents(truth, "agency_update")}
    copied_by_outlets = joined = 0
    for passage in truth["passages"]:
        origin = passage["origin"]
        if passage.get("update"):
            assert origin["kind"] == "external" or origin["uri"] in updates
            copied_by_outlets += any(
                documents[o["uri"]]["shape"] in ("pickup", "mixed", "newsletter")
                for o in passage["occurrences"]
            )
        elif origin["kind"] == "document" and any(
            o["uri"] in updates for o in passage["occurrences"]
        ):
            # What the update kept comes from the first version, published before it.
            assert origin["uri"] not in updates and documents[origin["uri"]]["shape"] == "agency"
    found = _by_document(truth)
    for uri, pairs in found.items():
        for (_, a), (second, b) in zip(pairs, pairs[1:], strict=False):
            # A sentence the update added to a paragraph: same block, after a space.
            if second.get("update") and b["start_char"] == a["end_char"] + 1:
                assert texts[uri][a["end_char"]] == " "
                joined += 1
    assert copied_by_outlets >= 5 and joined >= 3


def test_agency_stories_run_with_the_agency_credit_lines(shaped):
    texts, truth = shaped
    found = _by_document(truth)
    hosts = set()
    opened = 0
    documents = _documents(truth, "agency_story")
    for doc in documents:
        (agency,) = doc["credits"]
        short = next(a.short for a in corpus.AGENCIES if a.name == agency)
        text = texts[doc["uri"]]
        hosts.add(doc["uri"].split("/")[0])
        spans = {kind: [] for kind in ("byline", "dateline", "footer")}
        for b in doc["boilerplate"]:
            spans.setdefault(b["kind"], []).append((b["start_char"], b["end_char"]))
        byline = text[slice(*spans["byline"][0])]
        forms = [
            re.escape(form).replace(r"\{name\}", r"[\w ]+").replace(r"\{upper\}", r"[A-Z ]+")
            for form in corpus.AGENCY_BYLINES[agency]
        ]
        assert re.match(rf"({'|'.join(forms)}) \| ", byline), byline
        (dateline,) = spans["dateline"]
        assert re.search(rf"\({short}\) (-+|—)$", text[slice(*dateline)])
        agency_line, site_footer = (text[slice(*span)] for span in spans["footer"])
        assert short in agency_line or agency in agency_line
        assert doc["outlet"] in site_footer
        for passage, occurrence in found.get(doc["uri"], []):
            assert _agency_of(truth, passage["origin"]) in (agency, *corpus.PHOTO_CREDITS)
            assert passage["origin"].get("uri") != doc["uri"]
            # The dateline opens the lede's block but is not part of the passage.
            assert occurrence["start_char"] >= dateline[1] or occurrence["end_char"] <= dateline[0]
            opened += occurrence["start_char"] == dateline[1] + 1
    assert opened >= 0.8 * len(documents)
    assert {"www.yahoo.com", "www.msn.com"} & hosts and len(hosts) > 3


def test_interview_phrases_name_outlets_that_are_not_origins(shaped):
    texts, truth = shaped
    outlets = {doc["outlet"] for doc in truth["documents"]}
    passages = [passage for passage in truth["passages"] if passage.get("interview")]
    assert len(passages) >= 5
    for passage in passages:
        named = passage["interview"]
        assert named not in outlets
        assert _agency_of(truth, passage["origin"]) != named
        carried = [texts[o["uri"]][o["start_char"] : o["end_char"]] for o in passage["occurrences"]]
        assert any(
            re.search(rf"(told|interview with) {re.escape(named)}\b", text) for text in carried
        )


def test_captions_end_with_the_photo_credit_and_come_from_its_agency(shaped):
    texts, truth = shaped
    documents = {doc["uri"]: doc for doc in truth["documents"]}
    passages = [passage for passage in truth["passages"] if passage.get("caption")]
    bought = 0
    for passage in passages:
        agency = _agency_of(truth, passage["origin"])
        credits = [form.split("{name}")[-1] for form in corpus.PHOTO_CREDITS[agency]]
        for occurrence in passage["occurrences"]:
            caption = texts[occurrence["uri"]][occurrence["start_char"] : occurrence["end_char"]]
            assert caption.endswith(tuple(credits)), caption
        # An outlet's story with a bought photo: the outlet carries it first, the photo's
        # agency is the origin.
        first = min(passage["occurrences"], key=lambda o: documents[o["uri"]]["published_at"])
        bought += (
            passage["origin"]["kind"] == "external"
            and documents[first["uri"]]["shape"] == "outlet_story"
        )
    assert len(passages) >= 10 and bought >= 1
