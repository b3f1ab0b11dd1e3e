"""The files the public may download: exactly those a document names
(attachments, budget data tables), copied to files/<path under content/>.
Nothing else under content/ is published (STATIC_PATHS is empty): a stray
file, an unnamed .docx or a symlink never reaches the site. The validation
plugin has stopped the build before this runs if any named path is outside
content/, not a regular file, or not of an allowed kind (gongkai.core.boundary)."""
from __future__ import annotations

import shutil
from pathlib import Path

from pelican import signals

from gongkai.core.model import named_paths

NEEDS = {}
PROVIDES = {}


def publish(generator, writer):
    output, root = Path(writer.output_path), Path(generator.path).resolve()
    for article in generator.articles:
        doc = article.metadata.get("doc")
        for _field, _value, path, why in (named_paths(doc) if doc is not None else []):
            if path is None or why is not None:
                continue
            target = output / generator.settings["STATIC_SAVE_AS"].format(path=path.relative_to(root).as_posix())
            target.parent.mkdir(parents=True, exist_ok=True)
            # A copy: the published release owns its bytes (never a link into content/).
            shutil.copyfile(path, target)


def register():
    # article_writer_finalized: every document is read and valid (validation ran
    # at all_generators_finalized) and the output folder exists.
    signals.article_writer_finalized.connect(publish)
