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

Entries are never pickles: a planted file in the cache must not be able to run code. Each
entry is one ``.tla`` file (:func:`encode_entry`): a magic line, a JSON header holding the
text/object columns (strings, numbers, None, NaN, ``pd.NA`` and dates, tagged) and every
column's dtype, then the raw little-endian bytes of the numeric columns (read back with
``np.frombuffer``, no code involved). Entries are written atomically (temporary file +
``os.replace``), so concurrent workers and interrupted runs never leave a half-written
entry; an unreadable, corrupt or wrongly shaped entry is a miss and is rewritten. A cache
folder that cannot be written turns the cache off for the run, with one
:class:`CacheWarning`. The cache lives under ``.cache/annotations/`` (safe to delete at
any time; ``clear()`` does it).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import stat
import struct
import tempfile
import warnings
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .paths import CACHE_DIR, PACKAGE_DIR

ANNOTATION_CACHE_DIR = CACHE_DIR / "annotations"
# the entry format; part of every version folder name, so entries of an older format
# (the pickles of format 1) are never read
FORMAT = "f2"
SUFFIX = ".tla"
_MAGIC = b"TRILAT-ANNOTATIONS 2\n"


class CacheWarning(UserWarning):
    """The annotation cache cannot be used (e.g. its folder is not writable); results are computed."""


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


# --------------------------------------------------------------------------- entry format

_MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean"}
_RAW_KINDS = "biufcmM"  # numeric, bool, complex, datetime64, timedelta64: plain bytes
_NONE = type(None)
_PLAIN = {str, int, float, bool, _NONE}
_NAT = type(pd.NaT)
_NA = type(pd.NA)


def _dtype_spec(dt: Any) -> str:
    """A short text for a column dtype that :func:`_dtype_of` turns back into it exactly."""
    if isinstance(dt, np.dtype):
        if dt.fields is not None or (dt.hasobject and dt != np.dtype(object)) or dt.kind not in _RAW_KINDS + "OU":
            raise TypeError(f"dtype {dt} cannot be cached")
        return f"np:{dt.str}"
    if isinstance(dt, pd.StringDtype):
        na = dt.na_value
        return f"string:{dt.storage}:{'nan' if isinstance(na, float) and math.isnan(na) else 'NA'}"
    if isinstance(dt, pd.api.extensions.ExtensionDtype) and dt.name in _MASKED:
        return f"ext:{dt.name}"
    raise TypeError(f"dtype {dt} cannot be cached")


@lru_cache(maxsize=256)
def _dtype_of(spec: str) -> Any:
    kind, _, rest = spec.partition(":")
    if kind == "np":
        dt = np.dtype(rest)
        if dt.fields is not None or (dt.hasobject and dt != np.dtype(object)) or dt.kind not in _RAW_KINDS + "OU":
            raise ValueError(f"dtype {dt} not allowed")
        return dt
    if kind == "string":
        storage, _, na = rest.partition(":")
        if storage not in ("python", "pyarrow"):
            raise ValueError(f"unknown string storage {storage!r}")
        return pd.StringDtype(storage=storage, na_value=np.nan if na == "nan" else pd.NA)
    if kind == "ext" and rest in _MASKED:
        return pd.api.types.pandas_dtype(rest)
    raise ValueError(f"unknown dtype {spec!r}")


@lru_cache(maxsize=64)
def _raw_dtype(text: str) -> np.dtype:
    dt = np.dtype(text)
    if dt.kind not in _RAW_KINDS or dt.fields is not None or dt.subdtype is not None:
        raise ValueError(f"dtype {dt} not allowed for raw bytes")
    return dt


def _tag(v: Any) -> Any:
    """A JSON value for one cell of an object column (non-JSON scalars as tagged dicts)."""
    t = type(v)
    if t in _PLAIN:
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if v is pd.NA:
        return {"$": "NA"}
    if v is pd.NaT:
        return {"$": "NaT"}
    if isinstance(v, pd.Timestamp):
        return {"$": "Timestamp", "v": v.isoformat()}
    if isinstance(v, datetime):
        return {"$": "datetime", "v": v.isoformat()}
    if isinstance(v, date):
        return {"$": "date", "v": v.isoformat()}
    raise TypeError(f"a value of type {t.__name__} cannot be cached")


def _untag(d: dict) -> Any:
    """``json.loads`` object hook: tagged cells back to their values (the header has no other dicts)."""
    kind = d.get("$")
    if kind == "NA":
        return pd.NA
    if kind == "NaT":
        return pd.NaT
    v = d.get("v")
    if not isinstance(v, str):
        raise ValueError("bad tagged value")
    if kind == "date":
        return date.fromisoformat(v)
    if kind == "datetime":
        return datetime.fromisoformat(v)
    if kind == "Timestamp":
        return pd.Timestamp(v)
    raise ValueError(f"unknown tag {kind!r}")


_CELL_TYPES = {str, int, float, bool, _NONE, date, datetime, pd.Timestamp, _NA, _NAT}
_DATES = {date, _NONE}
_DAY = np.dtype("<M8[D]")


def encode_entry(entry: dict[str, dict]) -> bytes:
    """The bytes of one cache entry ``{layer: {"n": rows, "dtypes": {col: dtype}, "data": {col: array}}}``.

    Numeric columns are stored as raw little-endian bytes, object columns of dates (or None) as
    days, other object and unicode columns as JSON (see the module docstring). Raises
    ``TypeError`` for a value or dtype it cannot store without pickle (the caller then simply
    does not cache that entry).
    """
    layers: list = []
    blobs: list[bytes] = []
    offset = 0

    def raw(arr: np.ndarray) -> list:
        nonlocal offset
        data = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"), copy=False)).tobytes()
        blobs.append(data)
        offset += len(data)
        return [offset - len(data), len(data)]

    for layer, part in entry.items():
        n = int(part["n"])
        cols = []
        for col, arr in part["data"].items():
            arr = np.asarray(arr)
            if arr.ndim != 1 or len(arr) != n:
                raise TypeError(f"{layer}.{col}: {len(arr)} values for {n} rows")
            spec = _dtype_spec(part["dtypes"][col])
            if arr.dtype.kind in _RAW_KINDS:
                cols.append([str(col), spec, "raw", [*raw(arr), arr.dtype.newbyteorder("<").str]])
            elif arr.dtype.kind == "U":
                cols.append([str(col), spec, "str", [arr.tolist(), arr.dtype.str]])
            elif arr.dtype == object:
                values = arr.tolist()
                types = set(map(type, values))
                if types <= _PLAIN:
                    cols.append([str(col), spec, "obj", values])
                elif types <= _DATES:  # dates as days, back to date objects in one numpy call
                    cols.append([str(col), spec, "date", raw(np.array(values, dtype=_DAY))])
                else:
                    cols.append([str(col), spec, "obj", [_tag(v) for v in values]])
            else:
                raise TypeError(f"{layer}.{col}: arrays of dtype {arr.dtype} cannot be cached")
        layers.append([str(layer), n, cols])
    header = json.dumps([FORMAT, layers], ensure_ascii=False, allow_nan=True).encode("utf-8")
    return b"".join([_MAGIC, struct.pack("<Q", len(header)), header, *blobs])


def decode_entry(data: bytes) -> dict[str, dict]:
    """The entry stored by :func:`encode_entry`; ``ValueError`` if the bytes are not a valid entry.

    Only JSON and raw numeric bytes are read: nothing in the file can run code.
    """
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 8:
        raise ValueError("not a trilat cache entry")
    start = len(_MAGIC) + 8
    (size,) = struct.unpack_from("<Q", data, len(_MAGIC))
    if start + size > len(data):
        raise ValueError("truncated entry")
    header = json.loads(data[start:start + size].decode("utf-8"), object_hook=_untag)
    blob = memoryview(data)[start + size:]
    if not isinstance(header, list) or len(header) != 2 or header[0] != FORMAT or not isinstance(header[1], list):
        raise ValueError("not an entry of this format")

    def frombuf(where: list, dt: np.dtype, n: int) -> np.ndarray:
        off, nbytes = where
        if type(off) is not int or type(nbytes) is not int or off < 0 or off + nbytes > len(blob) \
                or nbytes != n * dt.itemsize:
            raise ValueError("bad numeric column")
        return np.frombuffer(blob[off:off + nbytes], dtype=dt)

    out: dict[str, dict] = {}
    for layer, n, cols in header[1]:
        if type(layer) is not str or type(n) is not int or n < 0 or not isinstance(cols, list):
            raise ValueError("bad layer")
        dtypes, arrays = {}, {}
        for col, spec, kind, payload in cols:
            if type(col) is not str or type(spec) is not str:
                raise ValueError("bad column")
            dtypes[col] = _dtype_of(spec)
            if kind == "raw":
                arr = frombuf(payload[:2], _raw_dtype(str(payload[2])), n)
            elif kind == "date":
                arr = frombuf(payload, _DAY, n).astype(object)  # NaT → None, days → datetime.date
            elif kind == "str":
                values, text = payload
                dt = np.dtype(str(text))
                if dt.kind != "U" or not isinstance(values, list) or not set(map(type, values)) <= {str}:
                    raise ValueError(f"{layer}.{col}: bad text column")
                arr = np.array(values, dtype=dt).reshape(len(values))
            elif kind == "obj":
                if not isinstance(payload, list) or not set(map(type, payload)) <= _CELL_TYPES:
                    raise ValueError(f"{layer}.{col}: bad object column")
                arr = np.empty(len(payload), dtype=object)
                arr[:] = payload
            else:
                raise ValueError(f"{layer}.{col}: unknown column kind")
            if len(arr) != n:
                raise ValueError(f"{layer}.{col}: {len(arr)} values for {n} rows")
            arrays[col] = arr
        out[layer] = {"n": n, "dtypes": dtypes, "data": arrays}
    return out


# --------------------------------------------------------------------------- the cache

class AnnotationCache:
    """Per-document annotation entries stored under ``root/<format>-<version>/<hh>/<content>.tla``.

    ``version`` should combine :func:`code_version` and :func:`params_key`; entries of
    other versions or formats are never read (``prune()`` deletes them). Values are entries
    as :func:`encode_entry` takes them. A folder that cannot be written disables storing
    (one :class:`CacheWarning`); reading an absent, corrupt or foreign file is a miss.
    """

    def __init__(self, version: str, root: str | Path | None = None):
        self.root = Path(root) if root is not None else ANNOTATION_CACHE_DIR
        self.version = version
        self.dir = self.root / f"{FORMAT}-{version}"
        self.hits = 0
        self.misses = 0
        self.writable = True

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str, valid: Callable[[dict], bool] | None = None) -> dict | None:
        """The stored entry for ``key``, or None (a miss) if absent, unreadable or not a valid entry
        (``valid``: an extra check of its shape; an entry failing it is a miss too)."""
        try:
            # O_NONBLOCK: a FIFO planted in the cache must not block the read; only regular files count
            fd = os.open(self._path(key), os.O_RDONLY | os.O_NONBLOCK)
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise ValueError("not a regular file")
                chunks, left = [], st.st_size
                while left > 0:
                    chunk = os.read(fd, left)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    left -= len(chunk)
            finally:
                os.close(fd)
            value = decode_entry(b"".join(chunks))
            if valid is not None and not valid(value):
                raise ValueError("entry of the wrong shape")
        except Exception:  # absent, corrupt (e.g. disk full earlier), foreign: recompute it
            self.misses += 1
            return None
        self.hits += 1
        return value

    def _disable(self, problem: str) -> None:
        if self.writable:
            warnings.warn(
                f"annotation cache {self.root}: {problem}; annotations are computed without the cache this "
                "time. Make the folder writable, or pass cache_dir= (or set TRILAT_CACHE_DIR) to another "
                "folder, or cache=False to silence this warning.", CacheWarning, stacklevel=3)
        self.writable = False

    def check_writable(self) -> bool:
        """Whether entries can be stored (tries to create the folder and a file in it); warns once if not."""
        if not self.writable:
            return False
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=self.dir)
            os.close(fd)
            os.unlink(tmp)
        except OSError as e:
            self._disable(f"cannot write there ({e.strerror or e})")
        return self.writable

    def put(self, key: str, value: dict) -> None:
        """Store ``value`` atomically (temporary file in the same folder, then rename).

        A value that cannot be encoded without pickle is not stored; an unwritable folder
        turns storing off (one :class:`CacheWarning`) instead of failing the annotation.
        """
        if not self.writable:
            return
        try:
            data = encode_entry(value)
        except (TypeError, ValueError, KeyError, AttributeError):
            return  # recomputed next time; never worth failing the annotation for
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:8]}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError as e:
            self._disable(f"cannot write there ({e.strerror or e})")
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def prune(self) -> int:
        """Delete the entries of every other version and format; return how many version folders went."""
        if not self.root.is_dir():
            return 0
        gone = 0
        for d in self.root.iterdir():
            if d.is_dir() and not d.is_symlink() and d.name != self.dir.name:
                shutil.rmtree(d, ignore_errors=True)
                gone += 1
        return gone

    def clear(self) -> None:
        """Delete this version's entries."""
        shutil.rmtree(self.dir, ignore_errors=True)

    def __len__(self) -> int:
        return sum(1 for _ in self.dir.rglob(f"*{SUFFIX}")) if self.dir.is_dir() else 0

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
