"""A content-addressed on-disk cache for per-document annotations.

Annotating a document (sentences, country mentions, target sentiment, temporal
expressions) depends only on its text and metadata, the library code and the parameters.
The cache key is therefore ``sha256(content) × code version × parameters``:

* the *content hash* covers the raw page and every metadata field the annotators read
  (title, publication date and precision), not the ``doc_id`` or file name, so a renamed
  file still hits the cache;
* the *code version* hashes the source of every module the annotation runs through
  (cleaning, sentences, countries, sentiment, timex and their resource files), so editing
  any of them invalidates old entries without a manual version bump;
* the *parameters* are the JSON of the annotation options.

Entries are pickles of plain dicts of NumPy arrays (fast to load) written atomically (temporary file +
``os.replace``), so concurrent workers and interrupted runs never leave a half-written
entry; an unreadable entry is treated as a miss and rewritten. The cache lives under
``.cache/annotations/`` (safe to delete at any time; ``clear()`` does it).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .paths import CACHE_DIR, PACKAGE_DIR

ANNOTATION_CACHE_DIR = CACHE_DIR / "annotations"


def content_hash(raw: str, **metadata: Any) -> str:
    """sha256 of a document's raw text and the metadata that changes its annotations."""
    h = hashlib.sha256()
    h.update(raw.encode("utf-8", errors="surrogatepass"))
    h.update(b"\0")
    h.update(json.dumps({k: str(v) if v is not None else None for k, v in sorted(metadata.items())},
                        sort_keys=True).encode("utf-8"))
    return h.hexdigest()


@lru_cache(maxsize=32)
def code_version(modules: tuple[str, ...], resources: bool = True) -> str:
    """A hash of the source files of ``trilat_lib`` modules (and its resources folder).

    ``modules`` are module names inside ``trilat_lib`` (``"text"``, ``"countries"``…); a
    missing module hashes as absent, so adding it later changes the version too.
    """
    h = hashlib.sha256()
    from . import __version__

    h.update(__version__.encode())
    for name in sorted(modules):
        path = PACKAGE_DIR / f"{name}.py"
        h.update(name.encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<absent>")
    if resources:
        res = PACKAGE_DIR / "resources"
        for p in sorted(res.rglob("*")) if res.is_dir() else []:
            if p.is_file():
                h.update(str(p.relative_to(res)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def params_key(params: dict[str, Any]) -> str:
    """A short, stable hash of JSON-serialisable parameters."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]


class AnnotationCache:
    """Per-document annotation results stored under ``root/<version>/<hh>/<content>.pkl``.

    ``version`` should combine :func:`code_version` and :func:`params_key`; entries of
    other versions are never read (``prune()`` deletes them).
    """

    def __init__(self, version: str, root: str | Path | None = None):
        self.root = Path(root) if root is not None else ANNOTATION_CACHE_DIR
        self.version = version
        self.dir = self.root / version
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Any | None:
        """The stored value for ``key``, or None (a miss) if absent or unreadable."""
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                value = pickle.load(f)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # a corrupt entry (e.g. disk full earlier): recompute it
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` atomically (temporary file in the same folder, then rename)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:8]}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def prune(self) -> int:
        """Delete the entries of every other version; return how many version folders went."""
        if not self.root.is_dir():
            return 0
        gone = 0
        for d in self.root.iterdir():
            if d.is_dir() and d.name != self.version:
                shutil.rmtree(d, ignore_errors=True)
                gone += 1
        return gone

    def clear(self) -> None:
        """Delete this version's entries."""
        shutil.rmtree(self.dir, ignore_errors=True)

    def __len__(self) -> int:
        return sum(1 for _ in self.dir.rglob("*.pkl")) if self.dir.is_dir() else 0

    def __repr__(self) -> str:
        return f"AnnotationCache({str(self.dir)!r}, hits={self.hits}, misses={self.misses})"


def iter_chunks(items: Iterable, size: int):
    """Yield lists of ``size`` consecutive items (the last may be shorter)."""
    chunk = []
    for x in items:
        chunk.append(x)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
