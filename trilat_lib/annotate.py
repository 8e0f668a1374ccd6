"""Per-document annotation at scale: one pass per document, cached, on one core or a Dask cluster.

Each document is annotated independently (embarrassingly parallel) into tidy rows, one
table per *layer*, every row carrying ``doc_id`` and ``sentence_id``:

=============  =====================================================================
``documents``  one row per document: metadata, characters, sentences
``sentences``  ``corpus.sentences()`` (offsets into ``doc.text``)
``mentions``   :func:`trilat_lib.countries.country_mentions`
``sentiment``  :func:`trilat_lib.sentiment.country_sentiment` (default scorer)
``timexes``    :func:`trilat_lib.timeline.tag_corpus` (TIMEX3 values, resolution)
=============  =====================================================================

Each layer is computed by the library's own corpus-level function on a one-document corpus,
so the concatenated tables equal the corpus-level calls (tests check it on the seeds).
:func:`annotations` returns them in memory through the cache (for notebooks);
:func:`annotate_corpus` streams documents (a folder is read one file at a time), looks
each up in the content-hash :class:`~trilat_lib.cache.AnnotationCache` and writes the
tables as partitioned Parquet (``out_dir/<layer>/part-00000.parquet`` …), so memory stays
flat however large the corpus. ``engine="dask"`` sends partitions to a Dask
``distributed`` cluster (a ``LocalCluster`` by default, or ``scheduler="tcp://host:8786"``);
the workers run exactly the same function, so both engines write identical tables.
Read them back with :func:`read_annotations`.
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import cache as _cache
from .corpus import (
    Corpus, Document, MANIFEST_COLUMNS, _find_manifest, folder_rows, load_corpus, read_manifest, read_text, shown_path,
)
from .errors import CorpusError, CorpusWarning, ParameterError
from .outputs import atomic_path, write_text
from .paths import MANIFEST, SEEDS_DIR

ALL_LAYERS = ("sentences", "mentions", "sentiment", "timexes")
# the trilat_lib modules each layer runs through (their source is part of the cache key)
LAYER_MODULES = {
    "sentences": ("corpus", "clean", "text"),
    "mentions": ("countries",),
    "sentiment": ("countries", "sentiment", "stance"),
    "timexes": ("timex", "timeline"),
}
ENGINES = ("local", "dask")


# --------------------------------------------------------------------------- documents

def _source_documents(source: Corpus | str | Path | None) -> tuple[Iterator[Document], int | None]:
    """Documents of ``source`` one at a time (a folder is read lazily) and their count if known."""
    if isinstance(source, Corpus):
        return iter(source.documents), len(source)
    if isinstance(source, Document):
        return iter([source]), 1
    if source is None:
        root, manifest = SEEDS_DIR, MANIFEST
    else:
        root = Path(source).expanduser()
        try:
            if not root.is_dir():
                raise CorpusError(f"corpus folder {shown_path(root)} does not exist or is not a folder. "
                                  "Pass a Corpus or the folder that holds your .txt files.")
            manifest = _find_manifest(root)
        except OSError as e:
            raise CorpusError(f"corpus folder {shown_path(root)} cannot be read ({e.strerror}). "
                              "Check its permissions.") from None
    known = set(MANIFEST_COLUMNS)
    if manifest is None:  # as load_corpus: every regular .txt file, doc_id = file name without suffix
        rows = folder_rows(root)
    else:
        rows = read_manifest(manifest, root)

    def gen() -> Iterator[Document]:
        legacy, east_asian = [], []
        for r in rows:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CorpusWarning)
                try:
                    raw, enc = read_text(r["_path"])
                except CorpusError as e:
                    if "_row" not in r:
                        raise
                    raise CorpusError(f"{e} (listed on {manifest} line {r['_row']}, doc_id {r['doc_id']!r})") from None
            if enc in ("cp1252", "latin-1"):
                legacy.append(shown_path(r["_path"].name))
            elif enc not in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
                east_asian.append(f"{shown_path(r['_path'].name)} ({enc})")
            yield Document(
                doc_id=r["doc_id"], raw=raw, title=r.get("title") or None, outlet=r.get("outlet") or None,
                author=r.get("author") or None, published=r["_published"], date_precision=r["_precision"],
                date_note=r.get("date_note") or None, path=r["_path"], encoding=enc,
                meta={k: v for k, v in r.items() if k not in known and not k.startswith("_")},
            )
        if legacy:  # one summary instead of a warning per file
            warnings.warn(
                f"{root}: {len(legacy)} file(s) are not valid UTF-8 and were read as legacy cp1252/latin-1: "
                f"{', '.join(legacy[:5])}{' …' if len(legacy) > 5 else ''}. Check their accented characters "
                "and quotes, and re-save them as UTF-8 to silence this warning.",
                CorpusWarning, stacklevel=3,
            )
        if east_asian:
            warnings.warn(
                f"{root}: {len(east_asian)} file(s) are not UTF-8 and were detected and read as East Asian "
                f"legacy encodings: {', '.join(east_asian[:5])}{' …' if len(east_asian) > 5 else ''}. Check a few "
                "lines of their text, and re-save them as UTF-8 to silence this warning.",
                CorpusWarning, stacklevel=3,
            )

    return gen(), len(rows)


def _doc_hash(doc: Document) -> str:
    """The cache key of a document: its raw text and every metadata field an annotator reads
    (the cleaner uses title and author; the tables carry outlet, title and publication date)."""
    return _cache.content_hash(doc.raw, title=doc.title, author=doc.author, outlet=doc.outlet,
                               published=doc.published, precision=doc.date_precision,
                               inferred=doc.date_inferred)


# --------------------------------------------------------------------------- one document

def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, dict)):
        return json.dumps(value, default=str, sort_keys=True) if value else None
    return value


SENTENCE_COLUMNS = ["sentence_id", "paragraph_id", "start", "end", "sentence"]
DOCUMENT_COLUMNS = ["title", "outlet", "published", "date_precision", "encoding", "chars", "raw_chars", "sentences"]


def annotate_documents(docs: list[Document], layers: Iterable[str] = ALL_LAYERS,
                       params: dict | None = None) -> list[dict[str, pd.DataFrame]]:
    """Annotate several documents: one ``{layer: DataFrame}`` per document (without ``doc_id``).

    Each layer is computed by one corpus-level library call over all the documents —
    ``sentences`` = ``corpus.sentences()``, ``mentions`` = :func:`countries.country_mentions`,
    ``sentiment`` = :func:`sentiment.country_sentiment` (default scorer, from those mentions),
    ``timexes`` = :func:`timeline.tag_corpus` (``warn=False``), plus ``documents`` (one row of
    metadata) — and then cut into per-document slices for the cache. Every library call treats
    documents independently, so the slices are what a one-document call gives; batching only
    saves pandas building a handful of small frames per document.
    """
    layers = tuple(layers)
    tables = _tables(docs, layers)
    out: list[dict[str, pd.DataFrame]] = [{} for _ in docs]
    empty = np.array([], dtype=int)
    for layer in (*layers, "documents"):
        table = tables[layer]
        rows = table.groupby("doc_id", sort=False).indices if len(table) else {}
        body = table.drop(columns=["doc_id"])
        for res, d in zip(out, docs):
            res[layer] = body.iloc[rows.get(d.doc_id, empty)]
    return out


def _tables(docs: list[Document], layers: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The layers of several documents, one corpus-level table each (with ``doc_id``)."""
    bad = [x for x in layers if x not in ALL_LAYERS]
    if bad:
        raise ParameterError(f"layers: unknown layer(s) {bad}; choose from {', '.join(ALL_LAYERS)}.")
    tables: dict[str, pd.DataFrame] = {}
    if "sentences" in layers:
        tables["sentences"] = pd.DataFrame(
            [(d.doc_id, s.sentence_id, s.paragraph_id, s.start, s.end, s.text) for d in docs for s in d.sentences],
            columns=["doc_id", *SENTENCE_COLUMNS])
    if "mentions" in layers or "sentiment" in layers:
        from . import countries

        mentions = countries.country_mentions(docs)
        if "mentions" in layers:
            tables["mentions"] = mentions
        if "sentiment" in layers:
            from . import sentiment

            tables["sentiment"] = sentiment.country_sentiment(docs, mentions=mentions)
    if "timexes" in layers:
        from . import timeline

        tables["timexes"] = timeline.tag_corpus(docs, warn=False)
    tables["documents"] = pd.DataFrame([{
        "doc_id": d.doc_id, "title": d.title, "outlet": d.outlet, "published": _plain(d.published),
        "date_precision": d.date_precision, "encoding": d.encoding, "chars": len(d.text),
        "raw_chars": len(d.raw), "sentences": len(d.sentences),
    } for d in docs], columns=["doc_id", *DOCUMENT_COLUMNS])
    return tables


def annotate_document(doc: Document, layers: Iterable[str] = ALL_LAYERS, params: dict | None = None) -> dict[str, pd.DataFrame]:
    """Annotate one document: ``{layer: DataFrame}`` (without the ``doc_id`` column); see
    :func:`annotate_documents`. Concatenating documents reproduces the corpus-level calls."""
    return {k: v.reset_index(drop=True) for k, v in annotate_documents([doc], layers, params)[0].items()}


def available_layers() -> tuple[str, ...]:
    """The layers whose library modules are installed in this checkout."""
    import importlib.util

    ok = []
    for layer in ALL_LAYERS:
        if all(importlib.util.find_spec(f"trilat_lib.{m}") is not None for m in LAYER_MODULES[layer]):
            ok.append(layer)
    return tuple(ok)


def _check_layers(layers: Iterable[str] | None) -> tuple[str, ...]:
    if layers is None:
        return available_layers()
    if isinstance(layers, str):
        layers = [layers]
    layers = tuple(layers)
    bad = [x for x in layers if x not in ALL_LAYERS]
    if bad:
        raise ParameterError(f"layers: unknown layer(s) {bad}; choose from {', '.join(ALL_LAYERS)}.")
    missing = [x for x in layers if x not in available_layers()]
    if missing:
        raise ParameterError(f"layers: {missing} need trilat_lib modules that are not installed "
                             f"({', '.join(m for x in missing for m in LAYER_MODULES[x])}).")
    return tuple(x for x in ALL_LAYERS if x in layers)


@lru_cache(maxsize=1)
def _package_versions() -> dict[str, str]:
    """Versions of third-party packages whose data or behaviour enters the annotations."""
    from importlib import metadata

    out = {}
    for pkg in ("vaderSentiment", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "absent"
    return out


def cache_version(layers: Iterable[str], params: dict | None = None) -> str:
    """The cache version for these layers and parameters: code hash + parameter hash.

    The code hash covers annotate.py, the loading/cleaning/sentence modules every layer builds
    on, the modules of the requested layers and ``trilat_lib/resources``; the parameter hash
    covers the layers, ``params`` and the versions of vaderSentiment and pandas.
    """
    layers = tuple(sorted(layers))
    mods = tuple(sorted({"annotate", *LAYER_MODULES["sentences"], *(m for x in layers for m in LAYER_MODULES[x])}))
    key = _cache.params_key({"layers": layers, "packages": _package_versions(), **(params or {})})
    return f"{_cache.code_version(mods)}-{key}"


def _entries(docs: list[Document], tables: dict[str, pd.DataFrame], layers: tuple[str, ...]) -> list[dict]:
    """Cut corpus-level tables into per-document cache entries.

    An entry is ``{layer: {"n": rows, "dtypes": {column: dtype}, "data": {column: ndarray}}}``:
    plain arrays store (:func:`trilat_lib.cache.encode_entry`, no pickle) and load an order of
    magnitude faster than a handful of small DataFrames per document, and :func:`_assemble`
    rebuilds each layer with one constructor.
    """
    out: list[dict] = [{} for _ in docs]
    empty = np.array([], dtype=np.intp)
    for layer in ("documents", *layers):
        table = tables[layer]
        rows = table.groupby("doc_id", sort=False).indices if len(table) else {}
        cols = [c for c in table.columns if c != "doc_id"]
        arrays = {c: table[c].to_numpy() for c in cols}
        dtypes = {c: table[c].dtype for c in cols}
        for res, d in zip(out, docs):
            ix = rows.get(d.doc_id, empty)
            res[layer] = {"n": len(ix), "dtypes": dtypes, "data": {c: a[ix] for c, a in arrays.items()}}
    return out


def _column(parts: list[dict], col: str):
    """One column of a layer from per-document entries, in the dtype it has where it holds
    values (a document whose column is all missing may carry a generic dtype)."""
    arrays = [p["data"][col] if col in p["data"] else np.full(p["n"], None, dtype=object) for p in parts]
    values = np.concatenate(arrays) if arrays else np.array([], dtype=object)
    kinds = {p["dtypes"][col] for p in parts if col in p["dtypes"]}
    if len(kinds) == 1:
        dtype = kinds.pop()
    else:
        dtype = next((p["dtypes"][col] for p, a in zip(parts, arrays)
                      if col in p["dtypes"] and len(a) and pd.notna(a).any()), None)
    if dtype is None:
        return values
    try:
        return pd.array(values, dtype=dtype) if isinstance(dtype, pd.api.extensions.ExtensionDtype) \
            else values.astype(dtype, copy=False)
    except (TypeError, ValueError):
        return values


def _assemble(docs: list[Document], entries: list[dict], layers: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """One table per layer (with ``doc_id``) from per-document cache entries, in document order."""
    frames = {}
    ids = np.array([d.doc_id for d in docs], dtype=object)
    for layer in ("documents", *layers):
        parts = [e[layer] for e in entries]
        cols = list(dict.fromkeys(c for p in parts for c in p["dtypes"]))
        lengths = [p["n"] for p in parts]
        data = {"doc_id": np.repeat(ids, lengths)}
        data.update({c: _column(parts, c) for c in cols})
        frames[layer] = pd.DataFrame(data, index=pd.RangeIndex(sum(lengths)))
    return frames


PARALLEL_MIN_DOCS = 400  # below this, starting worker processes costs more than it saves


def _task_size(n_docs: int, workers: int) -> int:
    """Documents per task: about four tasks per worker, at most 200 documents each."""
    return max(1, min(200, -(-n_docs // (4 * workers))))


def _entries_task(docs: list[Document], layers: tuple[str, ...]) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return _entries(docs, _tables(docs, layers), layers)


def _annotate_entries(docs: list[Document], layers: tuple[str, ...], n_jobs: int = 1) -> list[dict]:
    """Per-document entries of ``docs``, on ``n_jobs`` worker processes when there are enough
    documents to pay for them (each document is annotated independently, so the entries are
    the same either way)."""
    if n_jobs <= 1 or len(docs) < PARALLEL_MIN_DOCS:
        return _entries_task(docs, layers)
    from joblib import Parallel, delayed  # loky workers: safe from scripts without a __main__ guard

    chunks = _cache.iter_chunks((_slim(d) for d in docs), _task_size(len(docs), n_jobs))
    parts = Parallel(n_jobs=n_jobs)(delayed(_entries_task)(chunk, layers) for chunk in chunks)
    return [e for part in parts for e in part]


def _entry_ok(entry: Any, layers: tuple[str, ...]) -> bool:
    """Whether a cache entry has the shape :func:`_assemble` needs for ``layers`` (one document row,
    every layer with as many values per column as rows, a dtype per column)."""
    if not isinstance(entry, dict):
        return False
    for layer in ("documents", *layers):
        part = entry.get(layer)
        if not isinstance(part, dict) or not {"n", "dtypes", "data"} <= part.keys():
            return False
        n, dtypes, data = part["n"], part["dtypes"], part["data"]
        if type(n) is not int or n < 0 or not isinstance(dtypes, dict) or not isinstance(data, dict):
            return False
        if set(dtypes) != set(data) or any(getattr(a, "ndim", None) != 1 or len(a) != n for a in data.values()):
            return False
    return entry["documents"]["n"] == 1 and set(entry["documents"]["data"]) == set(DOCUMENT_COLUMNS)


def annotate_cached(docs: list[Document], layers: tuple[str, ...], params: dict | None,
                    cache: _cache.AnnotationCache, n_jobs: int = 1) -> dict[str, pd.DataFrame]:
    """The layer tables of ``docs`` through the cache: hits are read, the misses annotated
    (one library call per layer and batch, on ``n_jobs`` processes), stored, and every layer
    assembled in document order."""
    keys = [_doc_hash(d) for d in docs]
    entries: list[dict | None] = [cache.get(k, valid=lambda e: _entry_ok(e, layers)) for k in keys]
    todo = [i for i, e in enumerate(entries) if e is None]
    if todo:
        for i, e in zip(todo, _annotate_entries([docs[i] for i in todo], layers, n_jobs)):
            cache.put(keys[i], e)
            entries[i] = e
    return _assemble(docs, entries, layers)


# --------------------------------------------------------------------------- partitions

def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames of one table, keeping each column's dtype from where it has values.

    A column that is all-missing in one Parquet part's frame gets a generic dtype there; the
    result has the dtype the column has where it holds values, as one corpus-level call would.
    """
    if not parts:
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # concat of empty frames
        df = pd.concat(parts, ignore_index=True)
    kinds: dict[str, set] = {}
    for p in parts:
        for col, dt in p.dtypes.items():
            kinds.setdefault(col, set()).add(dt)
    for col in df.columns:
        if len(kinds.get(col, ())) <= 1:
            continue  # one dtype everywhere: nothing to restore
        src = next((p[col].dtype for p in parts if col in p and p[col].notna().any()), None)
        if src is not None and df[col].dtype != src:
            try:
                df[col] = df[col].astype(src)
            except (TypeError, ValueError):
                pass
    return df


def _typed(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``sentence_id`` as the library's tables type it (mentions/timexes outside body
    sentences may lack one)."""
    for layer, df in frames.items():
        if "sentence_id" in df:
            df["sentence_id"] = df["sentence_id"].astype("Int64" if layer in ("mentions", "timexes") else "int64")
    return frames


def annotate_partition(docs: list[Document], layers: tuple[str, ...], params: dict | None = None,
                       cache_root: str | None = None, use_cache: bool = True,
                       n_jobs: int = 1) -> tuple[dict[str, pd.DataFrame], dict]:
    """Annotate a list of documents into one DataFrame per layer (run by both engines).

    Returns ``(frames, stats)``; stats count documents, characters and cache hits.
    """
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        cache = _cache.AnnotationCache(cache_version(layers, params), cache_root) if use_cache else None
        if cache is not None and docs:
            frames = annotate_cached(docs, layers, params, cache, n_jobs)
        elif n_jobs > 1 and len(docs) >= PARALLEL_MIN_DOCS:
            frames = _assemble(docs, _annotate_entries(docs, layers, n_jobs), layers)
        else:  # the batch tables are the partition
            tables = _tables(docs, layers)
            frames = {layer: tables[layer].reset_index(drop=True) for layer in ("documents", *layers)}
    frames = _typed(frames)
    stats = {"documents": len(docs), "raw_chars": sum(len(d.raw) for d in docs),
             "cache_hits": cache.hits if cache else 0, "seconds": time.perf_counter() - t0}
    return frames, stats


SUMMARY = "_summary.json"  # written last by annotate_corpus: its presence marks a complete output


def _write_parts(out_dir: Path, k: int, frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Write partition ``k`` of every non-empty layer; return ``{layer: part file name}``."""
    names = {}
    for layer, df in frames.items():
        if df.empty:
            continue
        path = out_dir / layer / f"part-{k:05d}.parquet"
        with atomic_path(path) as tmp:
            df.to_parquet(tmp, index=False)
        names[layer] = path.name
    return names


def _empty_documents(documents: pd.DataFrame) -> list[str]:
    """doc_ids of the documents table whose body is empty after cleaning."""
    if documents.empty or "chars" not in documents:
        return []
    return documents.loc[documents["chars"] == 0, "doc_id"].astype(str).tolist()


def _warn_empty(doc_ids: list[str]) -> None:
    """One warning naming the documents that have no body after cleaning (so no sentences)."""
    if doc_ids:
        warnings.warn(
            f"{len(doc_ids)} document(s) are empty after cleaning (the cleaner removed every line as page "
            f"furniture), so they have no sentences, mentions or dates: {', '.join(map(repr, doc_ids[:5]))}"
            f"{' …' if len(doc_ids) > 5 else ''}. Check that their files hold the article text; "
            "corpus.audit() lists the removed lines and why.",
            CorpusWarning, stacklevel=3,
        )


def _slim(doc: Document) -> Document:
    """A copy of a document without computed cleaning/sentences (cheap to ship to a worker)."""
    return dataclasses.replace(doc)


def annotate_corpus(
    corpus_or_folder: Corpus | str | Path | None,
    out_dir: str | Path,
    engine: str = "local",
    scheduler: str | Any | None = None,
    partition_size: int | None = None,
    layers: Iterable[str] | None = None,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    n_workers: int | None = None,
    max_in_flight: int | None = None,
) -> dict[str, Any]:
    """Annotate every document and write partitioned Parquet to ``out_dir``; return a summary.

    ``corpus_or_folder``: a :class:`Corpus`, a corpus folder (read one file at a time) or
    None for the bundled seeds. ``engine``: ``"local"`` (this machine: ``n_workers`` joblib
    processes from :data:`PARALLEL_MIN_DOCS` documents on, else this process alone) or ``"dask"`` (``scheduler``: None
    starts a ``distributed.LocalCluster`` with ``n_workers`` single-threaded worker processes; or a
    scheduler address / an existing ``distributed.Client``). ``n_workers``: default every core.
    ``partition_size``: documents per Parquet part and per Dask task (default 200, or for Dask
    fewer so that every worker gets about four tasks); it does not change the tables. ``layers``: default all
    available (see :data:`ALL_LAYERS`). ``cache``: reuse per-document results from
    ``cache_dir`` (default ``.cache/annotations``) keyed by content hash, code version and
    layers. Existing ``part-*.parquet`` files in ``out_dir`` are replaced. ``_summary.json``
    (the summary and the list of parts) is removed first and written last, so an interrupted run
    leaves none and :func:`read_annotations` refuses its partial tables.
    """
    if engine not in ENGINES:
        raise ParameterError(f"engine={engine!r}: choose 'local' or 'dask'.")
    if partition_size is not None and (isinstance(partition_size, bool) or not isinstance(partition_size, int)
                                       or partition_size < 1):
        raise ParameterError(f"partition_size={partition_size!r} must be a positive integer (documents per part).")
    if n_workers is None:
        n_workers = os.cpu_count() or 1
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ParameterError(f"n_workers={n_workers!r} must be a positive integer (worker processes) or None.")
    layers_t = _check_layers(layers)
    out = Path(out_dir)
    # the completion marker goes first and comes back last: a run killed in between leaves none
    (out / SUMMARY).unlink(missing_ok=True)
    for layer in ("documents", *ALL_LAYERS):
        for old in (out / layer).glob("part-*.parquet") if (out / layer).is_dir() else []:
            old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    docs, n_docs = _source_documents(corpus_or_folder)
    if cache and not _cache.AnnotationCache(cache_version(layers_t), cache_dir).check_writable():
        cache = False  # warned once here, rather than failing (or warning unseen) in every worker
    if engine == "local" and n_docs is not None and n_docs < PARALLEL_MIN_DOCS:
        n_workers = 1  # starting worker processes would cost more than they save
    if partition_size is None:  # enough tasks to keep every worker busy, at most 200 documents each
        one = engine == "local" and n_workers == 1
        partition_size = 200 if one or not n_docs else _task_size(n_docs, n_workers)
    croot = str(cache_dir) if cache_dir is not None else None
    t0 = time.perf_counter()
    totals = {"documents": 0, "raw_chars": 0, "cache_hits": 0, "partitions": 0}
    written: dict[str, list[str]] = {}
    empty_docs: list[str] = []

    def add(stats: dict) -> None:
        for k in ("documents", "raw_chars", "cache_hits"):
            totals[k] += stats[k]
        totals["partitions"] += 1

    def _write_partition(out_dir: Path, k: int, frames: dict[str, pd.DataFrame]) -> None:
        for layer, name in _write_parts(out_dir, k, frames).items():
            written.setdefault(layer, []).append(name)
        empty_docs.extend(_empty_documents(frames["documents"]))

    if engine == "local" and n_workers == 1:
        for k, chunk in enumerate(_cache.iter_chunks(docs, partition_size)):
            frames, stats = annotate_partition(chunk, layers_t, None, croot, cache)
            _write_partition(out, k, frames)
            add(stats)
    elif engine == "local":  # partitions in order, at most 2 per worker in flight (flat memory)
        from joblib import Parallel, delayed

        run = Parallel(n_jobs=n_workers, return_as="generator", pre_dispatch="2*n_jobs")
        results = run(delayed(annotate_partition)([_slim(d) for d in chunk], layers_t, None, croot, cache)
                      for chunk in _cache.iter_chunks(docs, partition_size))
        for k, (frames, stats) in enumerate(results):
            _write_partition(out, k, frames)
            add(stats)
    else:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise ParameterError("engine='dask' needs the optional extra: pip install 'trilat[dask]' "
                                 "(dask[dataframe], distributed, pyarrow).") from None
        cluster = None
        if scheduler is None:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40)
            client = Client(cluster)
        elif isinstance(scheduler, Client):
            client = scheduler
        else:
            client = Client(scheduler)
        limit = max_in_flight or max(4, 2 * len(client.scheduler_info().get("workers", {})) or 4)
        try:
            ac = as_completed()
            in_flight = 0
            for k, chunk in enumerate(_cache.iter_chunks(docs, partition_size)):
                fut = client.submit(_dask_task, k, [_slim(d) for d in chunk], layers_t, croot, cache,
                                    pure=False, key=f"trilat-annotate-{k}-{time.time_ns()}")
                ac.add(fut)
                in_flight += 1
                while in_flight >= limit:  # back-pressure: never hold more than `limit` partitions
                    kk, frames, stats = next(ac).result()
                    _write_partition(out, kk, frames)
                    add(stats)
                    in_flight -= 1
            for fut in ac:
                kk, frames, stats = fut.result()
                _write_partition(out, kk, frames)
                add(stats)
        finally:
            if scheduler is None or not isinstance(scheduler, Client):
                client.close()
            if cluster is not None:
                cluster.close()
    totals.update(seconds=time.perf_counter() - t0, layers=list(layers_t), engine=engine, out_dir=str(out),
                  cache_version=cache_version(layers_t))
    _warn_empty(empty_docs)
    marker = {**totals, "complete": True, "parts": {k: sorted(v) for k, v in written.items()}}
    write_text(out / SUMMARY, json.dumps(marker, indent=2))
    return totals


def _dask_task(k, docs, layers, cache_root, use_cache):
    frames, stats = annotate_partition(docs, layers, None, cache_root, use_cache)
    return k, frames, stats


def annotations(corpus: Corpus | str | Path | None = None, layers: Iterable[str] | None = None,
                cache: bool = True, cache_dir: str | Path | None = None,
                n_jobs: int | None = None) -> dict[str, pd.DataFrame]:
    """The annotation tables of a corpus in memory, through the content-hash cache.

    ``{"documents", "sentences", "mentions", "sentiment", "timexes"}`` → DataFrames with the same
    rows as ``corpus.sentences()``, ``countries.country_mentions(corpus)``,
    ``sentiment.country_sentiment(corpus)`` and ``timeline.tag_corpus(corpus, warn=False)``; a
    second call on unchanged documents (same code, same layers) reads them from ``.cache/``.
    ``n_jobs``: worker processes for the documents not in the cache (None = every core; used
    only from :data:`PARALLEL_MIN_DOCS` documents on); the tables do not depend on it.
    """
    layers_t = _check_layers(layers)
    if n_jobs is None:
        n_jobs = os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ParameterError(f"n_jobs={n_jobs!r} must be a positive integer (worker processes) or None.")
    docs, _ = _source_documents(corpus)
    docs = list(docs)
    frames, _ = annotate_partition(docs, layers_t, None, str(cache_dir) if cache_dir else None, cache, n_jobs)
    _warn_empty(_empty_documents(frames["documents"]))
    return frames


class IncompleteAnnotationsError(ParameterError):
    """An annotate_corpus output folder is incomplete (the run was interrupted or is still going)."""


def read_annotations(out_dir: str | Path, layer: str, allow_incomplete: bool = False) -> pd.DataFrame:
    """One layer written by :func:`annotate_corpus`, parts concatenated in document order.

    :func:`annotate_corpus` writes ``_summary.json`` last, listing the parts it wrote; without
    it (a killed or still running ``trilat annotate``) or when parts are missing, this raises
    :class:`IncompleteAnnotationsError` instead of returning part of the corpus silently;
    ``allow_incomplete=True`` returns the parts there are, with a :class:`CorpusWarning`.
    """
    if layer not in ("documents", *ALL_LAYERS):
        raise ParameterError(f"layer={layer!r}: choose from documents, {', '.join(ALL_LAYERS)}.")
    folder = Path(out_dir) / layer
    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    summary = Path(out_dir) / SUMMARY
    problem = None
    if not summary.is_file():
        if not parts and not any(Path(out_dir).glob("*/part-*.parquet")):
            raise ParameterError(f"{out_dir}: no annotations found; run annotate_corpus(corpus, {str(out_dir)!r}) first.")
        problem = f"has no {SUMMARY}, the marker annotate_corpus writes when it has finished"
    else:
        try:
            marker = json.loads(summary.read_text(encoding="utf-8"))
            listed = marker.get("parts") if isinstance(marker, dict) else None
        except (OSError, ValueError) as e:
            marker, listed = None, None
            problem = f"has an unreadable {SUMMARY} ({e})"
        if isinstance(listed, dict):  # outputs of older versions list no parts: trusted as complete
            expected = set(listed.get(layer) or [])
            missing = sorted(expected - {p.name for p in parts})
            if missing:
                problem = f"lacks {len(missing)} {layer} part(s) listed in {SUMMARY} ({', '.join(missing[:3])})"
            parts = [p for p in parts if p.name in expected]  # strays from elsewhere are not part of this run
    if problem is not None:
        msg = (f"{out_dir} {problem}: the annotation run was interrupted (or is still running), so its tables "
               "would cover only part of the corpus. Run annotate_corpus / `trilat annotate` again (cached "
               "documents are quick)")
        if not allow_incomplete:
            raise IncompleteAnnotationsError(msg + ", or pass allow_incomplete=True to read what is there.")
        warnings.warn(msg + ". Returning the parts that are there.", CorpusWarning, stacklevel=2)
    if not parts:
        return pd.DataFrame(columns=["doc_id", "sentence_id"])
    return _typed({layer: _concat([pd.read_parquet(p) for p in parts])})[layer]


# --------------------------------------------------------------------------- topics at scale

TOPIC_METHODS = ("nmf", "lda")


class PartitionTopicModel:
    """Topics of a corpus too large for :class:`trilat_lib.topics.TopicModel`, fitted out of core.

    Reads the ``sentences`` parts written by :func:`annotate_corpus` one at a time, so memory
    depends on the partition size and vocabulary, not on N. Passages are paragraphs (the
    sentences of one ``paragraph_id``), tokenised with :func:`trilat_lib.text.tokens` (stop
    words and numbers removed). Pass 1 counts document frequencies and fixes the vocabulary
    (``min_df``, ``max_df``, ``max_features``); then every partition updates scikit-learn's
    ``MiniBatchNMF`` (``method="nmf"``, on l2-normalised sublinear TF-IDF with the pass-1 idf)
    or online ``LatentDirichletAllocation`` (``method="lda"``, on counts) with ``partial_fit``,
    ``passes`` times over the data.

    Fitted attributes: ``vocabulary_`` (array of terms), ``components_`` (topics × terms,
    rows sum to 1), ``n_passages_``, ``n_partitions_``, ``fit_seconds_``; :meth:`top_terms`.
    Use it beyond ~10,000 articles; for smaller corpora ``TopicModel`` gives better topics
    (phrases, plural folding, auto-k, coherence).
    """

    def __init__(self, n_topics: int = 10, method: str = "nmf", min_df: int = 5, max_df: float = 0.5,
                 max_features: int | None = 20_000, min_passage_words: int = 8, passes: int = 2,
                 random_state: int | None = 0):
        self.n_topics = n_topics
        self.method = method
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.min_passage_words = min_passage_words
        self.passes = passes
        self.random_state = random_state

    def _validate(self) -> None:
        if self.method not in TOPIC_METHODS:
            raise ParameterError(f"method={self.method!r}: choose 'nmf' (MiniBatchNMF) or 'lda' (online LDA).")
        for name in ("n_topics", "min_df", "passes", "min_passage_words"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < (0 if name == "min_passage_words" else 1):
                raise ParameterError(f"{name}={v!r} must be a positive integer.")
        if not 0 < self.max_df <= 1:
            raise ParameterError(f"max_df={self.max_df!r} must be a share of passages in (0, 1].")

    def _passages(self, part: Path) -> list[list[str]]:
        from . import text as _text

        df = pd.read_parquet(part, columns=["doc_id", "paragraph_id", "sentence"])
        out = []
        for _, g in df.groupby(["doc_id", "paragraph_id"], sort=False):
            toks = _text.tokens(" ".join(g["sentence"]), remove_stopwords=True, keep_numbers=False, min_len=2)
            if len(toks) >= self.min_passage_words:
                out.append(toks)
        return out

    def fit(self, annotations_dir: str | Path, y: Any = None) -> "PartitionTopicModel":
        """Fit on the ``sentences`` parts in ``annotations_dir`` (from :func:`annotate_corpus`)."""
        import numpy as np
        from collections import Counter
        from sklearn.decomposition import LatentDirichletAllocation, MiniBatchNMF
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize

        self._validate()
        t0 = time.perf_counter()
        parts = sorted((Path(annotations_dir) / "sentences").glob("part-*.parquet"))
        if not parts:
            raise ParameterError(f"annotations_dir={str(annotations_dir)!r} has no sentences parts; run "
                                 "annotate_corpus(corpus, annotations_dir) first (with the 'sentences' layer).")
        if not (Path(annotations_dir) / SUMMARY).is_file():
            raise IncompleteAnnotationsError(
                f"annotations_dir={str(annotations_dir)!r} has no {SUMMARY}: the annotate_corpus run that wrote it "
                "was interrupted (or is still running). Run it again before fitting topics.")
        df_count: Counter = Counter()
        n = 0
        for p in parts:
            for toks in self._passages(p):
                df_count.update(set(toks))
                n += 1
        vocab = [w for w, c in df_count.items() if c >= self.min_df and c / max(n, 1) <= self.max_df]
        vocab.sort(key=lambda w: (-df_count[w], w))
        if self.max_features:
            vocab = vocab[: self.max_features]
        if len(vocab) < self.n_topics:
            raise ParameterError(f"only {len(vocab)} terms pass min_df={self.min_df}/max_df={self.max_df} over {n} "
                                 f"passages; lower min_df or n_topics={self.n_topics}.")
        vocab.sort()
        idf = np.log((1 + n) / (1 + np.array([df_count[w] for w in vocab], dtype=float))) + 1.0
        vec = CountVectorizer(analyzer=lambda toks: toks, vocabulary=vocab)
        if self.method == "nmf":
            est = MiniBatchNMF(n_components=self.n_topics, init="nndsvda", random_state=self.random_state,
                               batch_size=1024)
        else:
            est = LatentDirichletAllocation(n_components=self.n_topics, learning_method="online",
                                            total_samples=max(n, 1), random_state=self.random_state)
        seen = False
        for _ in range(self.passes):
            for p in parts:
                X = vec.transform(self._passages(p))
                X = X[np.asarray(X.sum(axis=1)).ravel() > 0]
                if X.shape[0] < (self.n_topics if not seen else 1):
                    continue
                if self.method == "nmf":
                    X = X.astype(float)
                    X.data = 1.0 + np.log(X.data)
                    X = normalize(X.multiply(idf).tocsr())
                est.partial_fit(X)
                seen = True
        if not seen:
            raise ParameterError(f"no partition has {self.n_topics} usable passages; lower n_topics or min_passage_words.")
        comp = np.asarray(est.components_, dtype=float)
        self.components_ = comp / np.clip(comp.sum(axis=1, keepdims=True), 1e-300, None)
        self.vocabulary_ = np.asarray(vocab, dtype=object)
        self.n_passages_ = n
        self.n_partitions_ = len(parts)
        self.estimator_ = est
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """The ``n`` highest-weighted terms of each topic."""
        if not hasattr(self, "components_"):
            raise ParameterError("PartitionTopicModel is not fitted; call fit(annotations_dir) first.")
        return [list(self.vocabulary_[row.argsort()[::-1][:n]]) for row in self.components_]
