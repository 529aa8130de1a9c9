"""The runnable examples in docstrings run: a docstring example that no longer holds is a bug in
the code or in its documentation."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Modules whose docstrings hold examples (migrations are scripts Alembic runs, not examples).
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("dedup", "storage", "reports", "flows")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts and ">>> " in path.read_text(encoding="utf-8")
)


def test_examples_are_found() -> None:
    assert "dedup.candidates" in MODULES and "storage.compare" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted, f"{name}: examples found in the source but none collected"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
