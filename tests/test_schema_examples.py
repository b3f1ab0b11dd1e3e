"""Each schema ships valid and invalid examples (real documents, one thing
broken in each invalid one, named after the problem): the valid ones pass,
each invalid one gives exactly the problem its `# expect:` line names."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from gongkai.core import schema
from gongkai.core.model import read_document

EXAMPLES = ROOT / "metadata_schema" / "examples"


def examples(kind: str):
    return sorted(EXAMPLES.glob(f"*/{kind}-*.md"))


def test_every_type_has_valid_and_invalid_examples():
    for doc_type in schema.TYPES:
        assert list(EXAMPLES.glob(f"{doc_type}/valid-*.md")), doc_type
        assert list(EXAMPLES.glob(f"{doc_type}/invalid-*.md")), doc_type


@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_example_passes(path: Path):
    doc = read_document(path, EXAMPLES)
    assert [str(p) for p in doc.problems if p.is_error] == []


@pytest.mark.parametrize("path", examples("invalid"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_example_fails_as_named(path: Path):
    expect = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# expect:"))
    code, field = expect.split(":", 1)[1].split()
    doc = read_document(path, EXAMPLES)
    errors = [(p.code, p.field) for p in doc.problems if p.is_error]
    assert errors == [(code, field)], [str(p) for p in doc.problems]
