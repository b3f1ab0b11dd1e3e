"""Real documents for the publishing tests (issue 6): the county seed page's
metadata and text (../shared/seeds/000_a4845460e2f79c42.txt), written as a
valid policy file into a scratch content tree."""
from __future__ import annotations

from pathlib import Path

from conftest import SEEDS

SEED = SEEDS / "000_a4845460e2f79c42.txt"


def seed_paragraphs() -> list:
    """The seed's body paragraphs (after the 作者/更新时间 line), as published."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = next(i for i, ln in enumerate(lines) if "更新时间" in ln) + 1
    return [ln.strip(" \u3000\xa0") for ln in lines[start:] if ln.strip(" \u3000\xa0")]


def seed_policy(index_no="11230129MB1848123X/2018-00010", doc_no="延政发〔2018〕10号",
                date="2018-10-20", written="2018-10-12", body_extra=(), attachments=()) -> str:
    att = ""
    if attachments:
        att = "attachments:\n" + "".join(f"  - path: {p}\n    title: {t}\n" for p, t in attachments)
    body = "\n\n".join(seed_paragraphs()[:6] + list(body_extra))
    return (
        "---\n"
        "title: 延寿县人民政府印发关于进一步提升政府执行力的意见的通知\n"
        "disclosure: execution\n"
        f"date: {date}\n"
        "issuer: 延寿县人民政府\n"
        "author: 延寿县信息中心\n"
        f"index_no: {index_no}\n"
        f"doc_no: {doc_no}\n"
        f"written: {written}\n"
        f"{att}"
        "review:\n"
        "  result: passed\n"
        "  reviewer: 延寿县信息中心\n"
        "  date: 2018-10-19\n"
        "---\n"
        f"{body}\n"
    )


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
