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
SPACE = "\\s\u3000\xa0"
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
    body: str = ""
    attachments: list = field(default_factory=list)   # (title, url or local path)
    images: list = field(default_factory=list)


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
            value = (rest[: nxt.start()] if nxt else rest).strip(f" {SPACE}")
            if not value and not nxt:
                for following in lines[i + 1: i + 4]:
                    following = following.strip(f" {SPACE}")
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
    clean = [ln.strip(f" {SPACE}") for ln in lines]
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
            text = line.strip(f" \t{SPACE}")
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
    return "\n".join(out).strip() + "\n"


def _html_body(el, base_url: str | None, imp: Imported, source: Path) -> str:
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
        before = [ln.strip(f" {SPACE}") for ln in lines[:head_end]]
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
        put("doc_no", doc_no(ln.strip(f" {SPACE}")), "正文开头的文号行")

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
        paragraphs = [ln.strip(f" {SPACE}") for ln in body_lines]
        imp.body = _clean_markdown("\n\n".join(p for p in paragraphs if p))
    return imp


# --- to a document ------------------------------------------------------------------------

def complete(imp: Imported, doc_type: str, settings: dict) -> dict:
    """Front-matter values for the type: what was found and valid, and a
    【待核实】 value (with the reason) for every required field that was not."""
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
