"""Documents travel as their pickle. A prepare worker sends each Document
back as bytes; the build keeps those bytes with it, and pickling it again (to
save Pelican's content cache) writes the same bytes instead of walking a
million objects (~1 s instead of ~5 CPU-s at 10,000 documents).

The invariant: the bytes are the document. Any change to a document after it
arrived (Document.derive, setting a field) drops them, so it is pickled whole
again: a value added later is kept, never lost (tests/test_speed.py)."""
from __future__ import annotations

import copyreg
import pickle

from gongkai.core.model import KEPT_BYTES, Document


def pickle_document(doc: Document) -> bytes:
    return pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)


def unpickle_document(data: bytes) -> Document:
    doc = pickle.loads(data)
    doc.__dict__[KEPT_BYTES] = data
    return doc


def _reduce(doc: Document):
    kept = doc.__dict__.get(KEPT_BYTES)
    if kept is not None:
        return unpickle_document, (kept,)
    return doc.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


copyreg.pickle(Document, _reduce)
