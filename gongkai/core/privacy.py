"""Personal-data scan (条例 第十五条): resident ID numbers, mainland mobile
numbers and bank card numbers in what the site publishes — each document's
front-matter and body, and every attachment-like file (.txt .md .csv .docx
.pdf) in the content folders, which Pelican copies to the site as is.

A hit is an error naming file, line and the masked number, unless the number
is in the allowlist file (GONGKAI_PRIVACY_ALLOWLIST, default
content/privacy-allowlist.txt): one number a line, a comment after #."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from gongkai.core import schema
from gongkai.core.problems import WARNING, Problem

DEFAULT_ALLOWLIST = "privacy-allowlist.txt"   # relative to the content root
TEXT_SUFFIXES = {".txt", ".md", ".csv"}
SCANNED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-8]\d{16}[0-9Xx])(?![0-9A-Za-z])")
# Not inside a longer run of letters or digits (commit hashes, file names, codes).
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?![0-9A-Za-z])")
CARD_RE = re.compile(r"(?<![0-9A-Za-z-])([3-69]\d{3}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z-])")


def id_checksum_ok(number: str) -> bool:
    """GB 11643-1999: 17 digits weighted, mod 11 -> check character; and a real birth date."""
    if not re.fullmatch(r"\d{17}[0-9Xx]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask(kind: str, number: str) -> str:
    if kind == "privacy_id_number":
        return number[:6] + "*" * 8 + number[14:]
    if kind == "privacy_mobile":
        return number[:3] + "****" + number[7:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def find_numbers(text: str):
    """(code, normalised number) for each personal number in one line of text."""
    taken = []
    for m in ID_RE.finditer(text):
        if id_checksum_ok(m.group(1)):
            taken.append(m.span(1))
            yield "privacy_id_number", m.group(1).upper()
    for m in MOBILE_RE.finditer(text):
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        number = re.sub(r"\D", "", m.group(1))
        taken.append(m.span(1))
        yield "privacy_mobile", number
    for m in CARD_RE.finditer(text):
        if any(a <= m.start(1) < b or a < m.end(1) <= b for a, b in taken):
            continue
        number = re.sub(r"\D", "", m.group(1))
        if 16 <= len(number) <= 19 and luhn_ok(number):
            yield "privacy_bank_card", number


def load_allowlist(path: Path):
    """(set of numbers, problems about malformed lines)."""
    numbers, problems = set(), []
    if not path.is_file():
        return numbers, problems
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        number = re.sub(r"[\s\-()（）+]", "", text).upper()
        if number.startswith("86") and len(number) == 13:
            number = number[2:]
        if not re.fullmatch(r"\d{6,19}X?", number):
            problems.append(Problem(_rel(path), i, None, "privacy_allowlist_line",
                                    {"line": i, "text": text}, WARNING))
            continue
        numbers.add(number)
    return numbers, problems


def _rel(path: Path) -> str:
    from gongkai.core.model import relpath
    return relpath(path)


# --- reading attachments -------------------------------------------------------

def text_lines(path: Path):
    """(line number, where, text) for the readable text of a file.

    .docx: one "line" per paragraph, then per table cell (第 N 段).
    .pdf:  lines numbered across the whole file, with the page (第 N 页)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        for i, line in enumerate(text.splitlines(), 1):
            yield i, "", line
    elif suffix == ".docx":
        import docx
        document = docx.Document(str(path))
        n = 0
        for para in document.paragraphs:
            n += 1
            yield n, f"（第 {n} 段）", para.text
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    n += 1
                    yield n, f"（表格，第 {n} 段）", cell.text
    elif suffix == ".pdf":
        from pypdf import PdfReader
        reader = PdfReader(str(path))
        n = 0
        for page_no, page in enumerate(reader.pages, 1):
            for line in (page.extract_text() or "").splitlines():
                n += 1
                yield n, f"（第 {page_no} 页）", line


def _hits(path_label, lines, allow, allowlist_name):
    for line_no, where, text in lines:
        for code, number in find_numbers(text):
            if number in allow:
                continue
            yield Problem(path_label, line_no, None, code,
                          {"masked": mask(code, number), "where": where, "allowlist": allowlist_name})


def _front_matter_lines(doc):
    def walk(value, name):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, f"{name}.{k}" if name else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, f"{name}[{i}]")
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            yield doc.line_of(name), "", str(value)
    yield from walk(doc.raw, "")


def scan_document(doc, allow, allowlist_name):
    body = ((doc.body_line + i, "", line) for i, line in enumerate(doc.body.split("\n")))
    yield from _hits(doc.path, _front_matter_lines(doc), allow, allowlist_name)
    yield from _hits(doc.path, body, allow, allowlist_name)


def scan_file(path: Path, allow, allowlist_name):
    label = _rel(path)
    try:
        found = list(_hits(label, text_lines(path), allow, allowlist_name))
    except Exception as exc:  # noqa: BLE001 — a broken attachment is reported, never a traceback
        return [Problem(label, 1, None, "privacy_unreadable", {"detail": f"{type(exc).__name__}: {exc}"}, WARNING)]
    return found


def attachment_files(content_root: Path):
    """Files Pelican publishes from the type folders, other than documents."""
    for folder in schema.TYPES + ("pages",):
        base = content_root / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and path.suffix.lower() in SCANNED_SUFFIXES - {".md"}:
                    yield path


def _allowlist(ctx):
    content_root = Path(ctx["content_root"])
    allow_path = content_root / (ctx["settings"].get("GONGKAI_PRIVACY_ALLOWLIST") or DEFAULT_ALLOWLIST)
    allow, problems = load_allowlist(allow_path)
    return allow, problems, _rel(allow_path)


def check_privacy_documents(docs, index, ctx):
    """Document check: personal numbers in each document's front-matter and body."""
    allow, _problems, allowlist_name = _allowlist(ctx)
    problems = []
    for doc in docs:
        problems.extend(scan_document(doc, allow, allowlist_name))
    return problems


def check_privacy_files(docs, index, ctx):
    """Corpus check: personal numbers in the attachments and data files of the
    content tree, and problems of the allowlist itself (reported once)."""
    allow, problems, allowlist_name = _allowlist(ctx)
    for path in attachment_files(Path(ctx["content_root"])):
        problems.extend(scan_file(path, allow, allowlist_name))
    return problems


# Full-width digits (text pasted from Word) read as the digits they stand for,
# one character for one, so positions in the text stay the same.
_PLAIN_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def mask_text(text: str) -> str:
    """The text with every personal number find_numbers sees in it shown
    masked, as the check messages show it: for showing text to reviewers."""
    hits = list(find_numbers(text))
    if not hits:
        return text
    plain = text.translate(_PLAIN_DIGITS)
    spans = []
    for code, number in hits:
        # the number as written may have spaces or dashes between its digits
        digits = number.translate(_PLAIN_DIGITS)
        pattern = re.compile("[ -]?".join(map(re.escape, digits)), re.IGNORECASE)
        found = [(m.start(), m.end(), mask(code, digits)) for m in pattern.finditer(plain)]
        if not found:  # written some way not foreseen here: hide every digit rather than show it
            return re.sub(r"[0-9０-９]", "*", text)
        spans += found
    out, end = [], 0
    for start, stop, masked in sorted(spans):
        if start < end:
            continue  # inside a number already masked
        out += [text[end:start], masked]
        end = stop
    out.append(text[end:])
    return "".join(out)
