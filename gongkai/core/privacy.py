"""Personal-data scan (条例 第十五条): resident ID numbers (18 and 15 digits),
mainland mobile numbers and bank card numbers in what the site publishes —
each document's front-matter and body, and every attachment-like file (.txt
.md .csv .docx .pdf) in the content folders, which Pelican copies to the site
as is. Numbers written in full-width digits (１３９４５０６７２１８, as text
pasted from Word often has them) are found too.

Not a phone number: a number with a decimal part (13945067218.00), a cell of
a budget table's amount/number/percent column, a value of a number field.

A hit is an error naming file, line and the number as written, masked, unless
the number is in the allowlist file (GONGKAI_PRIVACY_ALLOWLIST, default
content/privacy-allowlist.txt): one number a line, a comment after #."""
from __future__ import annotations

import csv
import io
import re
import string
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

from gongkai.core import boundary, budget, schema
from gongkai.core.problems import WARNING, Problem
from gongkai.core.settings import ROOT

DEFAULT_ALLOWLIST = "privacy-allowlist.txt"   # relative to the content root
TEXT_SUFFIXES = {".txt", ".md", ".csv"}
SCANNED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}

MOBILE = "privacy_mobile"
ID_NUMBER = "privacy_id_number"
BANK_CARD = "privacy_bank_card"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 in the mainland, where first-generation
# (15-digit, 1984–2004) cards were issued: the first two digits of an ID.
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
              50, 51, 52, 53, 54, 61, 62, 63, 64, 65}
# Not inside a longer run of letters or digits (commit hashes, file names,
# codes), and not followed by a decimal part (an amount such as 13945067218.00).
_END = r"(?![0-9A-Za-z]|\.\d)"
ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-8]\d{16}[0-9Xx]|[1-8]\d{14})" + _END)
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})" + _END)
CARD_RE = re.compile(r"(?<![0-9A-Za-z-])([3-69]\d{3}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z-]|\.\d)")


def _fold_table() -> dict:
    """Characters that NFKC turns into one ASCII letter, digit, space, hyphen,
    plus or full stop: full-width digits and letters, the ideographic space,
    the no-break space. One character for one, so a number found in the folded
    text sits at the same place in what staff wrote. A character that is not
    itself a decimal digit never becomes one (① is a list mark, not a 1)."""
    wanted = set(string.ascii_letters + string.digits + " -+.")
    table = {}
    for code in range(0x80, 0x10000):   # the Basic Multilingual Plane holds every full-width form
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char and folded in wanted and (char.isdecimal() or not folded.isdigit()):
            table[code] = folded
    return table


FOLD = _fold_table()
# Most lines have nothing to fold: look before paying for str.translate.
_FOLDABLE = re.compile("[" + re.escape("".join(map(chr, FOLD))) + "]")


def fold(text: str) -> str:
    """The text with full-width forms as ASCII (NFKC), character for character."""
    return text.translate(FOLD) if _FOLDABLE.search(text) else text


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


def old_id_ok(number: str) -> bool:
    """A first-generation (15-digit) resident ID: a mainland province code and
    a real birth date 19YYMMDD; these have no check digit."""
    if not re.fullmatch(r"\d{15}", number) or int(number[:2]) not in _PROVINCES:
        return False
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask(kind: str, number: str) -> str:
    """The number with the part that identifies a person starred: an ID's birth
    date, a mobile's middle four digits, all but a card's first and last four.
    `number` is one character a digit, as written (full-width stays full-width)."""
    if kind == ID_NUMBER:
        born = (6, 14) if len(number) == 18 else (6, 12)
        return number[:born[0]] + "*" * (born[1] - born[0]) + number[born[1]:]
    if kind == MOBILE:
        return number[:3] + "****" + number[7:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


class Hit(NamedTuple):
    code: str      # privacy_id_number / privacy_mobile / privacy_bank_card
    number: str    # ASCII digits (and X): what the allowlist holds
    masked: str    # the digits as written, without spaces or hyphens, masked
    span: tuple = (0, 0)   # where it is in the text, separators included


def _hit(code: str, text: str, folded: str, span) -> Hit:
    start, end = span
    written = "".join(c for c, f in zip(text[start:end], folded[start:end]) if f.isalnum())
    number = "".join(f for f in folded[start:end] if f.isalnum()).upper()
    return Hit(code, number, mask(code, written), (start, end))


def find_numbers(text: str, phones: bool = True):
    """A Hit for each personal number in one line of text. phones=False: the
    text is an amount or a count (a budget amount column, a number field),
    where an 11-digit figure is not a mobile number."""
    folded = fold(text)
    taken = []
    for m in ID_RE.finditer(folded):
        number = m.group(1).upper()
        if id_checksum_ok(number) if len(number) == 18 else old_id_ok(number):
            taken.append(m.span(1))
            yield _hit(ID_NUMBER, text, folded, m.span(1))
    for m in MOBILE_RE.finditer(folded) if phones else ():
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        taken.append(m.span(1))
        yield _hit(MOBILE, text, folded, m.span(1))
    for m in CARD_RE.finditer(folded):
        if any(a <= m.start(1) < b or a < m.end(1) <= b for a, b in taken):
            continue
        number = re.sub(r"\D", "", m.group(1))
        if 16 <= len(number) <= 19 and luhn_ok(number):
            yield _hit(BANK_CARD, text, folded, m.span(1))


def load_allowlist(path: Path):
    """(set of numbers, problems about malformed lines)."""
    numbers, problems = set(), []
    if not path.is_file():
        return numbers, problems
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        number = re.sub(r"[\s\-()（）+]", "", fold(text)).upper()   # a number pasted in full-width digits too
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

def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def text_lines(path: Path):
    """(line number, where, text) for the readable text of a file.

    .docx: one "line" per paragraph, then per table cell (第 N 段).
    .pdf:  lines numbered across the whole file, with the page (第 N 页)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        for i, line in enumerate(_decode(path.read_bytes()).splitlines(), 1):
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


def budget_tables(docs) -> dict:
    """{resolved CSV path: [table entries]} for every table a budget document
    declares (tables[].file, next to the document)."""
    out = {}
    for doc in docs:
        if doc.type != "budget":
            continue
        folder = (ROOT / doc.path).parent   # doc.path is repository-relative, or absolute outside it
        for spec in doc.meta.get("tables") or []:
            if isinstance(spec, dict) and isinstance(spec.get("file"), str) and spec["file"]:
                out.setdefault((folder / spec["file"]).resolve(), []).append(spec)
    return out


def csv_cells(path: Path, specs: list):
    """(line, where, cell, phones) for each cell of a budget table's CSV file;
    phones is False in a column every table reading the file declares amount,
    number or percent (as budget.py reads it: first non-empty row = header)."""
    reader = csv.reader(io.StringIO(_decode(path.read_bytes()).replace("\r\n", "\n")))
    numeric, line = None, 1
    for record in reader:
        here = numeric or set()      # the header and any blank line above it hold names, not amounts
        if numeric is None and any(c.strip() for c in record):
            header = [c.strip() for c in record]
            roles = [budget.column_roles(spec, header) for spec in specs]
            numeric = {i for i in range(len(header)) if all(r[i] in budget.NUMERIC_ROLES for r in roles)}
        for col, cell in enumerate(record):
            yield line, "", cell, col not in here
        line = reader.line_num + 1


def _hits(path_label, lines, allow, allowlist_name):
    """Problems for the (line number, where, text, phones) of one file."""
    for line_no, where, text, phones in lines:
        for hit in find_numbers(text, phones):
            if hit.number in allow:
                continue
            yield Problem(path_label, line_no, None, hit.code,
                          {"masked": hit.masked, "where": where, "allowlist": allowlist_name})


def _front_matter_lines(doc):
    """Every scalar value; a number in a field the schema declares a number
    (investment: 13945067218) is an amount, not a phone number."""
    props = schema.properties(doc.type) if doc.type in schema.TYPES else {}

    def walk(value, name, prop):
        if isinstance(value, dict):
            subs = prop.get("properties") or {}
            for k, v in value.items():
                yield from walk(v, f"{name}.{k}" if name else str(k), subs.get(k) or {})
        elif isinstance(value, list):
            item = prop.get("items") if isinstance(prop.get("items"), dict) else {}
            for i, v in enumerate(value):
                yield from walk(v, f"{name}[{i}]", item)
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            amount = isinstance(value, int) and prop.get("type") in ("number", "integer")
            yield doc.line_of(name), "", str(value), not amount
    yield from walk(doc.raw, "", {"properties": props})


def scan_document(doc, allow, allowlist_name):
    body = ((doc.body_line + i, "", line, True) for i, line in enumerate(doc.body.split("\n")))
    yield from _hits(doc.path, _front_matter_lines(doc), allow, allowlist_name)
    yield from _hits(doc.path, body, allow, allowlist_name)


def scan_file(path: Path, allow, allowlist_name, tables=None):
    """Problems of one attachment or data file; tables: the budget table
    entries that read it (a CSV file), whose amount columns hold no phones."""
    label = _rel(path)
    try:
        if tables and path.suffix.lower() == ".csv":
            lines = csv_cells(path, tables)
        else:
            lines = ((n, where, text, True) for n, where, text in text_lines(path))
        found = list(_hits(label, lines, allow, allowlist_name))
    except Exception as exc:  # noqa: BLE001 — a broken attachment is reported, never a traceback
        return [Problem(label, 1, None, "privacy_unreadable", {"detail": f"{type(exc).__name__}: {exc}"}, WARNING)]
    return found


def attachment_files(content_root: Path):
    """Files besides documents in the type folders, found as the boundary finds
    them: regular files only, no symlink followed (a symlink is refused there)."""
    for folder in schema.TYPES + ("pages",):
        for path in boundary.scan(content_root / folder).files:
            if path.suffix.lower() in SCANNED_SUFFIXES - {".md"}:
                yield path


def _allowlist(ctx):
    """(allowed numbers, the allowlist's own problems, its name), read once per
    run (ctx: gongkai.core.validate.check_context), not once per document."""
    if "privacy_allowlist" not in ctx:
        content_root = Path(ctx["content_root"])
        allow_path = content_root / (ctx["settings"].get("GONGKAI_PRIVACY_ALLOWLIST") or DEFAULT_ALLOWLIST)
        allow, problems = load_allowlist(allow_path)
        ctx["privacy_allowlist"] = (allow, problems, _rel(allow_path))
    return ctx["privacy_allowlist"]


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
    tables = budget_tables(docs)
    for path in attachment_files(Path(ctx["content_root"])):
        problems.extend(scan_file(path, allow, allowlist_name, tables.get(path.resolve())))
    return problems


def mask_text(text: str) -> str:
    """The text with every personal number find_numbers sees in it shown
    masked, as the check messages show it: for showing text to reviewers."""
    out, end = [], 0
    for hit in sorted(find_numbers(text), key=lambda h: h.span):
        start, stop = hit.span
        if start < end:
            continue  # inside a number already masked
        out += [text[end:start], hit.masked]
        end = stop
    out.append(text[end:])
    return "".join(out)
