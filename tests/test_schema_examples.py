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


# --- what the page shows is declared in the schema (x-show) --------------------------

@pytest.mark.parametrize("doc_type", (*schema.TYPES, schema.PAGE))
def test_every_field_says_where_the_public_sees_it(doc_type):
    from gongkai.core.present import SECTIONS
    for key, spec in schema.show(doc_type).items():
        assert spec == "none" or (isinstance(spec, dict) and len(spec) == 1 and (
            isinstance(spec.get("meta"), int) or spec.get("section") in SECTIONS)), (doc_type, key, spec)


def test_every_meta_field_a_real_document_fills_is_a_row_of_its_page(page):
    """施行日期 (effective) among them: six real policies carry it."""
    from gongkai.core.corpus import read_tree
    checked = set()
    for doc in read_tree(ROOT / "content"):
        if doc.type not in schema.TYPES:
            continue
        soup = page(f"xxgk/{doc.meta['index_no'].replace('/', '-')}/")
        for key in schema.meta_fields(doc.type):
            if doc.meta.get(key) not in (None, "", []):
                row = soup.select_one(f".gk-doc-meta__row--{key}")
                assert row is not None, (doc.path, key)
                assert row.dt.get_text() == schema.field_label(key, doc.type)
                checked.add(key)
    assert {"effective", "source", "disclosure", "opens", "decision_date"} <= checked


def test_a_type_titles_its_own_fields():
    assert schema.field_label("decision_date", "decision") == "决策日期"
    assert schema.field_label("tables[0].file", "budget") == "数据文件"
