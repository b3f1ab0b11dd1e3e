"""Bring pages saved from the old portal over as Markdown documents.

One page -> one Imported record: the front-matter values found on the page
(each with where it was found), the fields that could not be found (written
as 【待核实】 values, which make check blocks until someone fills them in),
the body as Markdown, and the attachments and images it links to.

Reads the forms found in practice: the county portal's page saved as text
(breadcrumb 首页 >> 政务公开 >> 政府文件, 作者/更新时间, 文号, body paragraphs
indented with spaces, 落款), full CMS pages with a 索引号/发文字号 block
(Pingtan), gov.cn content fragments with the same table, and plain county
article pages (发布日期/信息来源, meta PubDate). Bytes in GBK/GB2312/GB18030 or
with a wrong charset declaration are decoded by content (charset-normalizer).
Nothing is invented: a value is taken from the page or left marked."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from bs4 import BeautifulSoup, Comment
from charset_normalizer import from_bytes
from markdownify import markdownify

from gongkai.core import schema
from gongkai.core.markers import review_value
from gongkai.core.scaffold import front_matter

CJK = "\u4e00-\u9fff"
SPACE = "\\s\u3000\xa0"        # for regular expressions
STRIP = " \t\r\n\u3000\xa0"   # for str.strip (SPACE there would strip the letter s)
# Field -> the labels old pages put before its value, most specific first.
LABELS = {
    "index_no": ["索引号"],
    "topic": ["主题分类"],
    "issuer": ["发文机关"],
    "written": ["成文日期"],
    "title": ["标题"],
    "doc_no": ["发文字号", "文号"],
    "date": ["发布日期", "更新时间", "发布时间", "时间"],
    "validity": ["有效性"],
    "author": ["作者"],
    "source_org": ["信息来源", "来源"],
}
ALL_LABELS = [label for labels in LABELS.values() for label in labels]
LABEL_NAMES = {"索引号": "索引号栏", "主题分类": "主题分类栏", "发文机关": "发文机关栏", "成文日期": "成文日期栏",
               "标题": "标题栏", "发文字号": "发文字号栏", "文号": "文号栏", "发布日期": "“发布日期”",
               "更新时间": "“更新时间”", "发布时间": "“发布时间”", "时间": "“时间”", "有效性": "有效性栏",
               "作者": "“作者”", "信息来源": "“信息来源”", "来源": "“来源”"}
VALIDITY = {"有效": "valid", "现行有效": "valid", "失效": "expired", "已失效": "expired",
            "废止": "repealed", "已废止": "repealed"}
DATE_RE = re.compile(rf"(\d{{4}})[{SPACE}]*[-年./][{SPACE}]*(\d{{1,2}})[{SPACE}]*[-月./][{SPACE}]*(\d{{1,2}})")
ZH_DATE_LINE = re.compile(rf"^(\d{{4}})[{SPACE}]*年[{SPACE}]*(\d{{1,2}})[{SPACE}]*月[{SPACE}]*(\d{{1,2}})[{SPACE}]*日$")
ORG_LINE = re.compile(rf"^[{CJK}（）()]{{2,40}}(政府|办公室|办公厅|委员会|管委会|局|厅|院|部|中心|委|办|会|所|站|队|处|科|镇|乡|街道办事处|公司)$")
ATTACHMENT_EXT = (".doc", ".docx", ".pdf", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".zip", ".rar", ".txt", ".csv")
CONTENT_SELECTORS = ["#UCAP-CONTENT", ".TRS_Editor", ".article_content", "#zoom", ".main-txt", "#content", "article"]
HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、\S")
HEADING_2 = re.compile(r"^（[一二三四五六七八九十]+）\S")


@dataclass
class Imported:
    source: Path
    encoding: str
    values: dict = field(default_factory=dict)     # field -> value found on the page
    origins: dict = field(default_factory=dict)    # field -> where it was found (Chinese)
    review: dict = field(default_factory=dict)     # field -> why it is marked (Chinese)
    notes: list = field(default_factory=list)      # other things the reviewer should know
    changes: list = field(default_factory=list)    # what the importer cleaned (Chinese, for the report)
    body: str = ""
    attachments: list = field(default_factory=list)   # (title, url or local path)
    images: list = field(default_factory=list)
    soup: object = None                            # the parsed page (None for the text form)


# --- bytes to text -------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding). UTF-8 when the bytes are valid UTF-8; otherwise what
    charset-normalizer finds (GB2312/GBK read as their superset GB18030). A
    page's own charset declaration is not trusted: saved pages often keep one
    that no longer matches their bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    encoding = (best.encoding if best else "gb18030").lower()
    if encoding in ("gb2312", "gbk", "cp936", "hz", "big5", "cp950") or encoding.startswith("gb"):
        # Chinese pages: GB18030 is a superset of GB2312/GBK; Big5 guesses on
        # short GBK text are common, so prefer GB18030 when it decodes cleanly.
        try:
            return data.decode("gb18030"), "GB18030"
        except UnicodeDecodeError:
            pass
    return data.decode(encoding, errors="replace"), encoding.upper()


def is_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|div|p|table|td|span|meta)\b", text[:20000], re.I))


# --- finding labelled values -----------------------------------------------------------

def _label_re(label: str) -> re.Pattern:
    spaced = f"[{SPACE}]*".join(map(re.escape, label))
    return re.compile(rf"(?<![{CJK}]){spaced}[{SPACE}]*[:：]")


_LABEL_RES = {label: _label_re(label) for label in ALL_LABELS}
_ANY_LABEL = re.compile("|".join(f"(?:{r.pattern})" for r in _LABEL_RES.values()))


def labelled(lines: list, label: str):
    """Every value written after `label：` in the lines: the rest of the line up
    to the next label, or the next non-empty line when the rest is empty."""
    rx = _LABEL_RES[label]
    for i, line in enumerate(lines):
        for m in rx.finditer(line):
            rest = line[m.end():]
            nxt = _ANY_LABEL.search(rest)
            value = (rest[: nxt.start()] if nxt else rest).strip(STRIP)
            if not value and not nxt:
                for following in lines[i + 1: i + 4]:
                    following = following.strip(STRIP)
                    if following:
                        if not _ANY_LABEL.match(following):
                            value = following
                        break
            if value:
                yield value


def parse_date(text: str) -> str | None:
    m = DATE_RE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def find_signature(lines: list):
    """(issuing body, date) of the first 落款: an organization's name on one
    line and a date written 2018年11月12日 on the next non-empty line."""
    clean = [ln.strip(STRIP) for ln in lines]
    clean = [ln for ln in clean if ln]
    for i in range(1, len(clean)):
        m = ZH_DATE_LINE.match(clean[i])
        if m and ORG_LINE.match(clean[i - 1]):
            try:
                return clean[i - 1], date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                continue
    return None, None


# --- the two forms -----------------------------------------------------------------------

def _text_lines(soup) -> list:
    return [ln for ln in soup.get_text("\n").split("\n")]


def _meta(soup, *names) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": re.compile(f"^{name}$", re.I)})
        if tag and tag.get("content", "").strip():
            return tag["content"].strip()
    return None


def _content_element(soup):
    for selector in CONTENT_SELECTORS:
        el = soup.select_one(selector)
        if el is not None and len(el.get_text(strip=True)) > 20:
            return el
    return soup.body or soup


def _clean_markdown(md: str) -> str:
    out, blank = [], 0
    for line in md.split("\n"):
        if line.lstrip().startswith("|"):
            text = line.strip()
        else:
            text = line.strip(STRIP)
            if 0 < len(text) <= 30 and "，" not in text and not text.startswith("#"):
                if HEADING_1.match(text):
                    text = f"## {text}"
                elif HEADING_2.match(text):
                    text = f"### {text}"
        if not text:
            blank += 1
            if blank == 1:
                out.append("")
            continue
        blank = 0
        out.append(text)
        if line.endswith("  ") and not text.startswith("|"):
            out.append("")       # a <br> (markdownify's hard break): the line ends there, never joined
            blank = 1
    return "\n".join(out).strip() + "\n"


def _html_body(el, base_url: str | None, imp: Imported, source: Path) -> str:
    if el.name in ("td", "th"):
        el.name = "div"      # gov.cn keeps the body in a layout table's cell: it is not a data table
    for tag in el.find_all(["script", "style", "noscript", "iframe"]):
        tag.decompose()
    for c in el.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for tag in el.find_all(re.compile(r"^o:")):
        tag.unwrap()
    for img in el.find_all("img"):
        src = img.get("src") or ""
        if src:
            full = urljoin(base_url, src) if base_url else src
            img["src"] = full
            imp.images.append(full)
            if not img.get("alt"):
                img["alt"] = "图片"
    for a in el.find_all("a"):
        href = a.get("href") or ""
        if href and base_url and not href.startswith(("#", "javascript:", "mailto:")):
            a["href"] = urljoin(base_url, href)
    md = markdownify(str(el), heading_style="ATX", bullets="-", strip=["span", "font", "o:p"])
    return _clean_markdown(md)


def _attachments(soup, el, base_url, imp: Imported, source: Path):
    seen = set()
    scopes = [el] + soup.select(".article_attachment, .fujian, #fujian, .attachment")
    for scope in scopes:
        for a in scope.find_all("a"):
            href = (a.get("href") or "").strip()
            path = unquote(urlparse(href).path).lower()
            if not href or not path.endswith(ATTACHMENT_EXT):
                continue
            title = a.get_text(strip=True) or Path(path).name
            local = (source.parent / unquote(urlparse(href).path)).resolve() if not urlparse(href).scheme else None
            if local is not None and not local.is_file():
                local = None
            key = local or (urljoin(base_url, href) if base_url else href)
            if key in seen:
                continue
            seen.add(key)
            imp.attachments.append((title, key))


def extract(source: Path) -> Imported:
    """Read one saved page (HTML or text) into an Imported record."""
    text, encoding = decode(Path(source).read_bytes())
    imp = Imported(source=Path(source), encoding=encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    html = is_html(text)
    if html:
        soup = BeautifulSoup(text, "html.parser")
        for tag in soup.find_all(["script", "style", "noscript"]):
            tag.decompose()
        lines = _text_lines(soup)
        el = _content_element(soup)
        body_lines = [ln for ln in el.get_text("\n").split("\n")]
        base_url = _meta(soup, "Url")
    else:
        soup = el = None
        lines = text.split("\n")
        base_url = None
        # the text form: chrome, breadcrumb, title, 作者/更新时间, then the body
        head_end = next((i for i, ln in enumerate(lines)
                         if _LABEL_RES["更新时间"].search(ln) or _LABEL_RES["作者"].search(ln)), None)
        body_lines = lines[head_end + 1:] if head_end is not None else lines
    found = imp.values

    def put(key, value, origin):
        if value and key not in found:
            found[key] = value
            imp.origins[key] = origin

    def first(key, accept=lambda v: v):
        for label in LABELS[key]:
            for raw in labelled(lines, label):
                value = accept(raw)
                if value:
                    return value, LABEL_NAMES[label]
        return None, None

    # title
    value, origin = first("title")
    put("title", value, origin)
    if html:
        put("title", _meta(soup, "ArticleTitle"), "页面元数据 ArticleTitle")
        heading = soup.select_one(".article_title, h1")
        put("title", heading.get_text(" ", strip=True) if heading else None, "页面大标题")
        put("title", soup.title.get_text(strip=True) if soup.title else None, "网页标题 <title>")
    elif head_end:
        before = [ln.strip(STRIP) for ln in lines[:head_end]]
        before = [ln for ln in before if ln and ">" not in ln and "位置" not in ln]
        put("title", before[-1] if before else None, "“作者”上一行")

    # dates, numbers, validity
    put(*(("date",) + first("date", parse_date)))
    if html and "date" not in found:
        put("date", parse_date(_meta(soup, "PubDate") or ""), "页面元数据 PubDate")
    put(*(("written",) + first("written", parse_date)))
    signer, signed = find_signature(body_lines)
    put("written", signed, "落款日期")

    def doc_no(raw):
        raw = raw.replace(" ", "").replace("\u3000", "")
        return schema.normalize_doc_no(raw) if schema.DOC_NO_RE.match(raw) else None
    put(*(("doc_no",) + first("doc_no", doc_no)))
    for ln in body_lines:
        if "doc_no" in found:
            break
        put("doc_no", doc_no(ln.strip(STRIP)), "正文开头的文号行")

    index_no, index_origin = first("index_no", lambda v: v if re.fullmatch(r"[0-9A-Za-z/\-]+", v) else None)
    if index_no:
        imp.values["_page_index_no"] = index_no
        imp.origins["_page_index_no"] = index_origin

    topic, _ = first("topic")
    if topic:
        normal = schema.normalize_topic(topic)
        if normal in schema.topics():
            put("topic", normal, "主题分类栏")
        elif topic not in ("无", "其他"):
            imp.notes.append(f"主题分类“{topic}”不在 topics.yaml 词表中，没有导入；请按词表选择后填写 topic")

    validity, _ = first("validity", lambda v: VALIDITY.get(v.strip()))
    put("validity", validity, "有效性栏")

    # who
    put("issuer", signer, "落款")
    put(*(("issuer",) + first("issuer")))
    put(*(("issuer",) + first("source_org")))
    put(*(("author",) + first("author")))
    if html:
        put("source", base_url, "页面元数据 Url")

    # body and attachments
    if html:
        _attachments(soup, el, base_url, imp, source)
        imp.body = _html_body(el, base_url, imp, source)
    else:
        paragraphs = [ln.strip(STRIP) for ln in body_lines]
        imp.body = _clean_markdown("\n\n".join(p for p in paragraphs if p))
    imp.soup = soup
    tidy_title(imp)
    imp.body = tidy_body(imp.body, imp)
    return imp


# --- cleaning what the page brings --------------------------------------------------------

IDEOGRAPH = f"{CJK}\u3400-\u4dbf"
# A character after which a line may end inside a paragraph without being a sentence's end.
END_PUNCT = set("。！？；：…”’」』）)】.!?;:")
INNER_SPACE = re.compile(rf"(?<=[{IDEOGRAPH}，。、；：！？“”（）《》【】])[ \t\xa0\u3000]+(?=[{IDEOGRAPH}，。、；：！？“”（）《》【】])")
NBSP_RUN = re.compile(r"[\xa0\u3000][\xa0\u3000 ]*|  +")
PRINTED = re.compile(rf"^(?:.{{0,60}}?)[{SPACE}]*\d{{4}}[{SPACE}]*年[{SPACE}]*\d{{1,2}}[{SPACE}]*月[{SPACE}]*\d{{1,2}}[{SPACE}]*日[{SPACE}]*印发$")
BLOCK = re.compile(r"^(#|\||- |\* |\d+\. |>|!\[)")


def squeeze(text: str) -> str:
    """A line of Chinese text without stray spaces: none between two Chinese characters
    (or their punctuation), runs of spaces and no-break spaces as one space."""
    return NBSP_RUN.sub(" ", INNER_SPACE.sub("", text)).strip()


def _flat(text: str) -> str:
    return re.sub(rf"[{SPACE}]+", "", text or "")


def _join(a: str, b: str) -> str:
    """Two pieces of one paragraph: no space where either side is Chinese."""
    if re.search(rf"[{IDEOGRAPH}\uff00-\uffef\u3000-\u303f“”‘’]$", a) or re.match(
            rf"[{IDEOGRAPH}\uff00-\uffef\u3000-\u303f“”‘’]", b):
        return a + b
    return f"{a} {b}"


def _paragraphs(md: str) -> list:
    """The body as blocks: a paragraph is one string (its lines joined the Chinese way);
    tables, headings and lists stay as their lines."""
    blocks, current = [], []

    def close():
        if current:
            blocks.append(current[:])
            current.clear()
    for line in md.split("\n"):
        if not line.strip():
            close()
            blocks.append(None)
        elif line.startswith("|") and not current and blocks and blocks[-1] and blocks[-1][0].startswith("|"):
            blocks[-1].append(line)          # the next row of the same table
        elif BLOCK.match(line):
            close()
            blocks.append([line])
        else:
            current.append(line)
    close()
    return blocks


def tidy_body(md: str, imp: "Imported") -> str:
    """Clean the Markdown body; say what was changed in imp.changes."""
    counts = {"joined_lines": 0, "joined_paragraphs": 0, "spaces": 0}
    paras = []   # (text, is_paragraph)
    for block in _paragraphs(md):
        if block is None:
            continue
        if BLOCK.match(block[0]):
            if block[0].startswith("|"):
                fixed = [squeeze(line) if line.strip() else line for line in block]
                counts["spaces"] += sum(a != b for a, b in zip(block, fixed))
                block = fixed
            paras.append(("\n".join(block), False))
            continue
        text = block[0].strip()
        for line in block[1:]:
            text = _join(text, line.strip())
            counts["joined_lines"] += 1
        clean = squeeze(text)
        counts["spaces"] += clean != text
        paras.append((clean, True))
    # a sentence cut into two paragraphs: the first ends mid-sentence, the second goes on
    merged = []
    for text, is_para in paras:
        if (merged and is_para and merged[-1][1] and len(merged[-1][0]) >= 30
                and merged[-1][0][-1] not in END_PUNCT and not ZH_DATE_LINE.match(text)
                and not HEADING_1.match(text) and not HEADING_2.match(text)
                and not ORG_LINE.match(merged[-1][0]) and not ORG_LINE.match(text)
                and re.match(rf"[{IDEOGRAPH}\d，、）)]", text)):
            merged[-1] = (_join(merged[-1][0], text), True)
            counts["joined_paragraphs"] += 1
            continue
        merged.append((text, is_para))
    # the title and 发文字号 repeated at the top: they are in the front-matter
    title, doc_no = _flat(imp.values.get("title")), imp.values.get("doc_no")
    removed = []
    while merged and merged[0][1]:
        head = merged[0][0]
        if doc_no and _flat(head) and schema.DOC_NO_RE.match(_flat(head)) \
                and schema.normalize_doc_no(_flat(head)) == doc_no:
            removed.append("发文字号")
            merged.pop(0)
            continue
        joined, n = "", 0
        while n < min(4, len(merged)) and merged[n][1] and title.startswith(joined + _flat(merged[n][0])):
            joined += _flat(merged[n][0])
            n += 1
            if joined == title:
                break
        if title and joined == title:
            removed.append("标题")
            del merged[:n]
            continue
        break
    # the 印发 line at the foot (版记): not part of the published text
    printed = []
    while merged and merged[-1][1] and PRINTED.match(merged[-1][0]):
        printed.append(merged.pop()[0])
    body = "\n\n".join(text for text, _ in merged)
    if counts["joined_lines"]:
        imp.changes.append(f"段落内的 {counts['joined_lines']} 处断行已接上")
    if counts["joined_paragraphs"]:
        imp.changes.append(f"被拆成两段的 {counts['joined_paragraphs']} 句话已合成一段")
    if removed:
        imp.changes.append("正文开头重复的" + "和".join(dict.fromkeys(removed)) + "已删去（已在元数据中）")
    if printed:
        imp.changes.append("文末的印发行已删去：" + squeeze(printed[-1]))
    if counts["spaces"]:
        imp.changes.append(f"{counts['spaces']} 段中多余的空格和不换行空格（&nbsp;）已删去")
    return _clean_markdown(body) if body else ""


def tidy_title(imp: "Imported") -> None:
    title = imp.values.get("title")
    if title and squeeze(title) != title:
        imp.values["title"] = squeeze(title)
        imp.changes.append(f"标题中多余的空格已删去：{imp.values['title']}")


# --- what the page states in tables and in its text ---------------------------------------

def table_values(soup) -> dict:
    """{label: value} of a page's tables: a cell whose whole text is a label, the next
    non-empty cell in its row its value."""
    found = {}
    if soup is None:
        return found
    for row in soup.find_all("tr"):
        cells = [_flat(c.get_text(" ", strip=True)).rstrip(":：") for c in row.find_all(["td", "th"], recursive=False)]
        for i, label in enumerate(cells[:-1]):
            value = next((c for c in cells[i + 1:] if c), "")
            if label and value and label not in found and len(label) <= 12:
                found[label] = value
    return found


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ADDRESS = re.compile(rf"(?:通信|通讯|邮寄|书面信函|信函|邮政)地址[{SPACE}]*[:：为][{SPACE}]*([^。；;\n]+)")
PHONE = re.compile(rf"(?:联系|咨询)?电话[{SPACE}]*[:：为][{SPACE}]*([0-9０-９（）()\-－ ]{{7,20}})")
SPAN = re.compile(rf"(?:征集|征求意见|意见|公示)(?:期|时间|期限)[^。；]{{0,12}}?(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日"
                  rf"[^。；\d]{{0,6}}?至[{SPACE}]*(?:(\d{{4}})年)?(\d{{1,2}})月(\d{{1,2}})日")
PERIOD = re.compile(rf"(?:征集|征求意见|公示|反馈)期(?:限)?(?:为|是)?[{SPACE}]*(\d+)[{SPACE}]*个?(工作日|日|天)")


def fill_stated(imp: "Imported", doc_type: str, soup, settings: dict) -> None:
    """Fields the page states outright: a type's own fields named in a table by their
    schema title (项目名称 → project_name), a solicitation's email, address and phone
    from its text; and a solicitation period shorter than the minimum, flagged."""
    props = schema.properties(doc_type)
    common = set(schema.schemas()["common"]["properties"])
    cells = table_values(soup)
    for key, prop in props.items():
        if key in common or key in imp.values or prop.get("type") != "string" or "format" in prop \
                or "enum" in prop or "x-reference" in prop:
            continue
        value = cells.get(_flat(prop.get("title")))
        if value:
            imp.values[key] = value
            imp.origins[key] = f"页面表格“{prop.get('title')}”"
    if doc_type != "solicitation" or "ways_to_respond" not in props:
        return
    text = squeeze(imp.body.replace("\n", " "))
    ways = {}
    email = EMAIL.search(text)
    if email:
        ways["email"] = email.group(0)
    address = ADDRESS.search(text)
    if address:
        ways["postal_address"] = address.group(1).strip(" ，,")
    phone = PHONE.search(text)
    if phone:
        ways["phone"] = phone.group(1).strip()
    if ways and "ways_to_respond" not in imp.values:
        imp.values["ways_to_respond"] = ways
        names = props["ways_to_respond"].get("properties", {})
        imp.origins["ways_to_respond"] = "正文中的" + "、".join(names.get(k, {}).get("title", k) for k in ways)
    period, span = PERIOD.search(text), SPAN.search(text)
    minimum = int(settings.get("GONGKAI_MIN_SOLICITATION_DAYS", 30))
    stated = None
    if period:
        days, unit = int(period.group(1)), period.group(2)
        calendar_days = days * 7 // 5 + (2 if days % 5 else 0) if unit == "工作日" else days
        stated = (calendar_days, f"{days} 个{'工作日' if unit == '工作日' else '天'}")
    elif span:
        y1, m1, d1, y2, m2, d2 = (int(g) if g else None for g in span.groups())
        try:
            start, end = date(y1, m1, d1), date(y2 or y1, m2, d2)
        except ValueError:
            start = end = None
        if start and end and end >= start:
            stated = ((end - start).days, f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}，共 {(end - start).days} 天")
    if stated and stated[0] < minimum:
        imp.notes.append(f"原页面的征集期为 {stated[1]}，短于规定的 {minimum} 天（GONGKAI_MIN_SOLICITATION_DAYS）；"
                         "填写开始时间和截止时间时，请一并填写征集期较短的理由 (short_period_reason)")


# --- to a document ------------------------------------------------------------------------

def complete(imp: Imported, doc_type: str, settings: dict) -> dict:
    """Front-matter values for the type: what was found and valid, and a
    【待核实】 value (with the reason) for every required field that was not."""
    fill_stated(imp, doc_type, imp.soup, settings)
    props = schema.properties(doc_type)
    index_re = re.compile(settings["GONGKAI_INDEX_NO_PATTERN"])
    values = {}
    for key, value in imp.values.items():
        if key in props and not key.startswith("_"):
            values[key] = value
    page_index = imp.values.get("_page_index_no")
    if "index_no" not in values:
        if page_index and index_re.match(page_index):
            values["index_no"] = page_index
            imp.origins["index_no"] = imp.origins.get("_page_index_no", "索引号栏")
        elif page_index:
            imp.review["index_no"] = f"原页面索引号为 {page_index}，不符合本站索引号格式"
        else:
            imp.review["index_no"] = "原页面没有索引号"
        if "index_no" in imp.review:
            imp.notes.append("原页面的索引号不能用：重新导入时加 --assign-index-no，按发布日期的年份分配下一个空闲索引号"
                             if "date" in imp.values else
                             "原页面的索引号不能用，也没有发布日期，无法自动分配；请核实发布日期和索引号后填写")
    for key in schema.required(doc_type):
        if key in values or key in imp.review:
            continue
        prop = props.get(key, {})
        title = prop.get("title", key)
        if key == "review":
            imp.review[key] = "导入的文件须经保密审查后填写"
        else:
            imp.review[key] = f"原页面没有{title}"
    for key, why in imp.review.items():
        prop = props.get(key, {})
        if key == "review":
            values[key] = {sub: review_value(why) for sub in prop["properties"]}
        else:
            values[key] = review_value(why)
    return values


def safe_name(source: Path) -> str:
    stem = re.sub(r"[^0-9A-Za-z_.-]+", "-", source.stem).strip("-.")
    return stem or "import"


def write(imp: Imported, doc_type: str, out_dir: Path, content_root: Path, settings: dict) -> Path:
    """Write the document (never over an existing file); copy attachments saved
    next to the page. Returns the path written. Raises FileExistsError."""
    target = out_dir / f"{safe_name(imp.source)}.md"
    if target.exists():
        raise FileExistsError(str(target))
    values = complete(imp, doc_type, settings)
    listed = []
    for title, where in imp.attachments:
        if isinstance(where, Path):
            folder = out_dir / f"{target.stem}-files"
            folder.mkdir(parents=True, exist_ok=True)
            copy = folder / where.name
            if not copy.exists():
                shutil.copyfile(where, copy)
            rel = copy.resolve().relative_to(Path(content_root).resolve()).as_posix()
            values.setdefault("attachments", []).append({"path": rel, "title": title})
        else:
            listed.append((title, where))
    body = imp.body
    if listed:
        body = body.rstrip("\n") + "\n\n## 附件\n\n" + "\n".join(f"- [{t}]({u})" for t, u in listed) + "\n"
    heading = f"由 import_html.py 从 {imp.source.name} 导入；带【待核实】的字段请核对原件后填写"
    text = front_matter(doc_type, values, heading=heading) + "\n" + body
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as fh:
        fh.write(text)
    return target


def summary_lines(imp: Imported, target: str, doc_type: str) -> list:
    """What a person must check, for one imported file (Chinese)."""
    props = schema.properties(doc_type)
    lines = [f"{target} ← {imp.source}（编码 {imp.encoding}）"]
    got = [f"{props.get(k, {}).get('title', k)}（{imp.origins.get(k, '')}）"
           for k in props if k in imp.values and k not in imp.review]
    if "index_no" in imp.origins and "index_no" not in imp.review:
        got.append(f"索引号（{imp.origins['index_no']}）")
    lines.append("  已取得：" + ("、".join(got) if got else "无"))
    if imp.changes:
        lines.append("  已清理：" + "；".join(imp.changes))
    if imp.review:
        lines.append(f"  待核实 {len(imp.review)} 项：" + "；".join(
            f"{schema.field_label(k)} ({k}) {why}" for k, why in imp.review.items()))
    for note in imp.notes:
        lines.append(f"  注意：{note}")
    downloaded = [t for t, w in imp.attachments if isinstance(w, Path)]
    remote = [t for t, w in imp.attachments if not isinstance(w, Path)]
    if downloaded:
        lines.append(f"  附件已复制 {len(downloaded)} 个：" + "、".join(downloaded))
    if remote:
        lines.append(f"  附件未下载 {len(remote)} 个（已列在正文末尾）：" + "、".join(remote)
                     + "；请下载后放进内容目录并写入 attachments")
    if imp.images:
        lines.append(f"  图片未下载 {len(imp.images)} 个（正文中链接到原网站）")
    return lines
