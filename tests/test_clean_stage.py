"""The clean stage: cleaning in processes gives the serial results, and template inputs
stored with the documents give the template spans that reading the texts back gives."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dedup.clean import clean_plain_text, document_blocks, marked_spans, template_spans
from dedup.records import BoilerplateSpan
from flows import stages
from flows.ingest import RawDocument
from flows.pipeline import _Saver
from storage.store import StorageError, Store

OUTLETS = ["Example News", "The Riverton Ledger", "Harbour Daily"]
SENTENCES = [
    "The council approved the new budget on Tuesday after a long debate.",
    "Officials said the bridge would reopen to traffic next month.",
    "Residents gathered outside the town hall to protest the decision.",
    "The company reported higher profits for the third quarter in a row.",
    "Police are asking witnesses to come forward with any information.",
    "The minister said talks would resume in Geneva next week.",
]


def _raws(count: int, seed: int = 5) -> list[RawDocument]:
    """Articles of three outlets: a menu, a headline, a byline, sentences (some shared), the
    outlet's standing line in most of them, a copyright line; one with no body at all."""
    rng = random.Random(seed)
    raws = []
    for index in range(count):
        outlet = OUTLETS[index % len(OUTLETS)]
        lines = [
            f"{outlet} | Home | World | Sport | Business",
            f"Headline number {index} about {rng.choice(['rain', 'trade', 'football'])}",
            f"By Reporter {index % 7}",
            *rng.sample(SENTENCES, 3),
            f"Story {index} ends with a sentence of its own about item {rng.randint(0, 99)}.",
        ]
        if rng.random() < 0.7:
            lines.append(f"{outlet} is an independent newsroom, read more of our reporting.")
        lines.append(f"© {outlet} 2026")
        content = "\n".join(lines) + "\n"
        if index == count // 2:
            content = "Home | World | Sport\n"  # nothing left once the menu is removed
        raws.append(
            RawDocument(f"https://example.org/{index}", "text", content, {"outlet": outlet})
        )
    return raws


def _same_results(first: list[stages.CleanResult], second: list[stages.CleanResult]) -> None:
    assert [result.uri for result in first] == [result.uri for result in second]
    for one, other in zip(first, second, strict=True):
        assert (one.error, one.document) == (other.error, other.document)
        if one.blocks is None or other.blocks is None:
            assert one.blocks is other.blocks is None
            continue
        assert one.blocks.outlet_key == other.blocks.outlet_key
        for name in ("blocks", "body_blocks", "template_blocks", "pieces"):
            assert np.array_equal(getattr(one.blocks, name), getattr(other.blocks, name)), name


def test_cleaning_in_processes_gives_the_serial_results_in_order() -> None:
    raws = _raws(450)
    serial = stages.clean_documents(raws, workers=1)
    _same_results(stages.clean_documents(raws, workers=2), serial)
    failed = [result for result in serial if result.error is not None]
    assert [result.uri for result in failed] == [raws[225].uri]
    assert failed[0].error == "no article text left after removing boilerplate"


def test_template_spans_from_pieces_equal_those_from_the_text() -> None:
    rng = random.Random(3)
    for raw in _raws(60, seed=9):
        document = clean_plain_text(raw.content)
        blocks = document_blocks(raw.uri, raw.fields["outlet"], document)
        assert blocks.pieces is not None
        for share in (0.0, 0.3, 1.0):
            marked = np.array(
                sorted(entry for entry in blocks.body_blocks.tolist() if rng.random() < share),
                dtype=np.uint64,
            )
            assert marked_spans(blocks.pieces, marked) == template_spans(document, marked)


def _boilerplate(store: Store) -> list[tuple]:
    """Every span (template or not) and every clean text."""
    return [
        (doc.uri, sorted(doc.boilerplate), sorted(doc.template_spans), row.clean_text)
        for doc, row in zip(store.detection_inputs(), store.documents(), strict=True)
    ]


@pytest.mark.parametrize("split", [1, 3])
def test_blocks_stored_with_documents_mark_what_blocks_from_texts_mark(
    db_url: str, another_db_url, split: int
) -> None:
    """Documents saved with their blocks (the pipeline; in ``split`` batches, the template
    stage after each) end with the boilerplate of documents saved bare, whose blocks the
    template stage computes from their texts; a second template stage changes nothing."""
    results = [result for result in stages.clean_documents(_raws(90)) if result.error is None]
    with Store(db_url) as with_blocks, Store(another_db_url()) as bare:
        size = -(-len(results) // split)
        for first in range(0, len(results), size):
            part = results[first : first + size]
            items = [(result.uri, f"h{result.uri}", "text", result.document) for result in part]
            with_blocks.save_documents(items, {result.uri: result.blocks for result in part})
            bare.save_documents(items)
            assert stages.apply_templates(with_blocks) == stages.apply_templates(bare)
        assert any(row[2] for row in _boilerplate(bare)), "the corpus has template lines"
        assert _boilerplate(with_blocks) == _boilerplate(bare)
        assert stages.apply_templates(with_blocks) == 0
        assert with_blocks.unmarked_templates() == {}


@pytest.mark.parametrize("in_memory", [False, True])
def test_saves_in_order_and_a_failed_batch_stops_the_later_ones(
    db_url: str, in_memory: bool
) -> None:
    """Batches are saved in order (in a thread, or right away for an in-memory SQLite
    database); a batch that fails is raised when the block ends, and none after it is saved."""
    raws = _raws(12)
    results = stages.clean_documents(raws)
    pairs = [(raw, result) for raw, result in zip(raws, results, strict=True) if not result.error]
    broken = pairs[4][1].document
    assert broken is not None
    broken.boilerplate = [BoilerplateSpan(0, len(broken.text) + 5, "other")]  # past its end
    with Store("sqlite://" if in_memory else db_url) as store:
        assert store.shared_across_threads is not in_memory
        with pytest.raises(StorageError, match="outside its text"), _Saver(store) as saver:
            for start in range(0, len(pairs), 2):
                saver.save(pairs[start : start + 2])
        assert sorted(store.known_hashes()) == sorted(raw.uri for raw, _ in pairs[:4])
        assert saver.saved == 4
