"""Reads content/*.md through gongkai.model: each file is parsed once into a
Document, which rides along in the article's metadata (and Pelican's content
cache) so every other plugin and template uses the same typed values."""
from __future__ import annotations

from pathlib import Path

from pelican import signals
from pelican.readers import BaseReader
from pelican.utils import SafeDatetime


from gongkai import render, schema
from gongkai.model import read_document
from gongkai.settings import complete


def slug_of(doc) -> str:
    """The permanent address part: the 索引号 with '/' made '-'."""
    if doc.type == schema.PAGE:
        return str(doc.meta.get("slug") or Path(doc.path).stem)
    index_no = doc.meta.get("index_no")
    return str(index_no).replace("/", "-") if isinstance(index_no, str) else Path(doc.path).stem


def _theme_has(settings, name: str) -> bool:
    return (Path(settings["THEME"]) / "templates" / name).is_file()


class GongkaiReader(BaseReader):
    enabled = True
    file_extensions = ["md"]

    def read(self, source_path):
        settings = complete(self.settings)
        content_root = Path(self.settings["PATH"])
        doc = read_document(source_path, content_root, settings)
        meta = {"title": doc.meta.get("title") or Path(source_path).stem, "slug": slug_of(doc), "doc": doc}
        published = doc.meta.get("date")
        if published and hasattr(published, "year"):
            meta["date"] = SafeDatetime(published.year, published.month, published.day)
        elif doc.type != schema.PAGE:
            meta["date"] = SafeDatetime(1970, 1, 1)  # invalid: validation stops the build
        modified = doc.meta.get("modified")
        if modified and hasattr(modified, "year"):
            meta["modified"] = SafeDatetime(modified.year, modified.month, modified.day)
        if doc.type in schema.TYPES:
            meta["category"] = self.process_metadata("category", doc.type)
            # A type may have its own page template (theme/templates/solicitation.html
            # extends article.html); otherwise article.html serves.
            if _theme_has(self.settings, f"{doc.type}.html"):
                meta["template"] = doc.type
        if isinstance(doc.meta.get("summary"), str):
            meta["summary"] = render.clean(doc.meta["summary"])
        return render.render(doc.body, self.settings.get("MARKDOWN")), meta


def add_reader(readers):
    readers.reader_classes["md"] = GongkaiReader
    readers.reader_classes["markdown"] = None
    readers.reader_classes["mkd"] = None
    readers.reader_classes["mdown"] = None


def register():
    # readers_init: replace Pelican's Markdown reader, so front-matter is YAML read by our model.
    signals.readers_init.connect(add_reader)
