"""Per-document annotation: the content-hash cache, partitioned Parquet, and local == joblib == dask."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from trilat_lib import load_corpus
from trilat_lib.annotate import (
    ALL_LAYERS, annotate_corpus, annotate_document, available_layers, cache_version, read_annotations,
)
from trilat_lib.cache import AnnotationCache, content_hash
from trilat_lib.errors import CorpusError, CorpusWarning, ParameterError
from trilat_lib.synthetic import generate_corpus

LAYERS = ("documents", *available_layers())


def _tables(out):
    return {layer: read_annotations(out, layer) for layer in LAYERS}


def _assert_same(a, b):
    for layer in LAYERS:
        pd.testing.assert_frame_equal(a[layer], b[layer], check_dtype=True, obj=layer)


@pytest.fixture(scope="module")
def syn1000(tmp_path_factory):
    return generate_corpus(1000, tmp_path_factory.mktemp("syn") / "c1000", seed=0)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_tables_are_tidy_on_seeds(tmp_path, seed_corpus):
    summary = annotate_corpus(None, tmp_path / "a", cache=False, partition_size=3)
    assert summary["documents"] == 4 and summary["partitions"] == 2
    t = _tables(tmp_path / "a")
    assert list(t["documents"].doc_id) == seed_corpus.doc_ids
    sents = t["sentences"]
    assert len(sents) == sum(len(d.sentences) for d in seed_corpus)
    for layer in LAYERS[1:]:
        assert {"doc_id", "sentence_id"} <= set(t[layer].columns), layer
    doc = seed_corpus[0]
    row = sents[sents.doc_id == doc.doc_id].iloc[5]
    assert doc.text[row.start:row.end] == row.sentence == doc.sentences[5].text


@pytest.fixture
def parallel_small(monkeypatch):
    """Let the local engine start worker processes even for a handful of documents."""
    from trilat_lib import annotate

    monkeypatch.setattr(annotate, "PARALLEL_MIN_DOCS", 2)


def test_local_equals_dask_on_seeds(tmp_path, client, parallel_small):
    annotate_corpus(None, tmp_path / "local", cache=False, partition_size=1, n_workers=1)
    annotate_corpus(None, tmp_path / "joblib", cache=False, partition_size=1, n_workers=2)
    annotate_corpus(None, tmp_path / "dask", engine="dask", scheduler=client, cache=False, partition_size=1)
    _assert_same(_tables(tmp_path / "local"), _tables(tmp_path / "dask"))
    _assert_same(_tables(tmp_path / "local"), _tables(tmp_path / "joblib"))
    with pytest.raises(ParameterError, match="n_workers"):
        annotate_corpus(None, tmp_path / "bad", n_workers=0)


def _engines_agree(corpus, tmp_path, client, layers, partition_size, n_docs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loc = annotate_corpus(corpus, tmp_path / "local", cache=False, partition_size=partition_size, layers=layers,
                              n_workers=1)
        par = annotate_corpus(corpus, tmp_path / "joblib", cache=False, partition_size=partition_size, layers=layers,
                              n_workers=2)
        das = annotate_corpus(corpus, tmp_path / "dask", engine="dask", scheduler=client, cache=False,
                              partition_size=partition_size, layers=layers)
    assert loc["documents"] == par["documents"] == das["documents"] == n_docs
    assert das["partitions"] == par["partitions"] == -(-n_docs // partition_size)
    names = ("documents", *layers)
    a = {x: read_annotations(tmp_path / "local", x) for x in names}
    for other in ("joblib", "dask"):
        b = {x: read_annotations(tmp_path / other, x) for x in names}
        for x in names:
            pd.testing.assert_frame_equal(a[x], b[x], obj=f"{other}: {x}")
    return a


def test_local_equals_dask_on_1000_synthetic(tmp_path, syn1000, client, parallel_small):
    """All 1,000 synthetic articles on a real 2-worker LocalCluster: loading, cleaning and
    sentences (the layer every other one builds on) keep it well under a minute."""
    a = _engines_agree(syn1000, tmp_path, client, ("sentences",), 125, 1000)
    assert len(a["sentences"]) > 20_000
    assert a["documents"]["encoding"].nunique() >= 3  # cp1252 / UTF-16 files went through both engines


def test_local_equals_dask_all_layers_on_synthetic(tmp_path, syn1000, client, parallel_small):
    """Every layer (mentions, target sentiment, timexes) on 250 of the synthetic articles."""
    from trilat_lib import Corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = load_corpus(syn1000)
    sub = Corpus(full.documents[:250], root=full.root)
    a = _engines_agree(sub, tmp_path, client, available_layers(), 50, 250)
    for layer in available_layers():
        assert len(a[layer]) > 250, layer


def test_tables_equal_library_calls(seed_corpus):
    """Cached per-document tables concatenate to exactly the library's corpus-level tables."""
    from trilat_lib.annotate import annotations

    t = annotations(seed_corpus, cache=False)
    pd.testing.assert_frame_equal(t["sentences"], seed_corpus.sentences())
    if "mentions" in t:
        from trilat_lib.countries import country_mentions

        pd.testing.assert_frame_equal(t["mentions"], country_mentions(seed_corpus))
    if "sentiment" in t:
        from trilat_lib.sentiment import country_sentiment

        pd.testing.assert_frame_equal(t["sentiment"], country_sentiment(seed_corpus))
    if "timexes" in t:
        from trilat_lib.timeline import tag_corpus

        pd.testing.assert_frame_equal(t["timexes"], tag_corpus(seed_corpus, warn=False))


def test_cache_reuses_and_invalidates(tmp_path):
    corpus_dir = generate_corpus(12, tmp_path / "c")
    cache_dir = tmp_path / "cache"
    first = annotate_corpus(corpus_dir, tmp_path / "o1", cache_dir=cache_dir, partition_size=5)
    assert first["cache_hits"] == 0
    second = annotate_corpus(corpus_dir, tmp_path / "o2", cache_dir=cache_dir, partition_size=5)
    assert second["cache_hits"] == 12
    _assert_same(_tables(tmp_path / "o1"), _tables(tmp_path / "o2"))
    # an edited document misses; the others still hit
    f = sorted(corpus_dir.glob("syn_*.txt"))[3]
    data = f.read_bytes()
    f.write_bytes(data.replace(b"the", b"a", 3) if b"the" in data else data + b" x")
    third = annotate_corpus(corpus_dir, tmp_path / "o3", cache_dir=cache_dir, partition_size=5)
    assert third["cache_hits"] == 11
    # other parameters (layers) use another cache version
    only = annotate_corpus(corpus_dir, tmp_path / "o4", cache_dir=cache_dir, layers=["sentences"])
    assert only["cache_hits"] == 0 and only["cache_version"] != third["cache_version"]


def test_cache_key_and_corrupt_entries(tmp_path):
    assert content_hash("abc", published="2020-01-01") != content_hash("abc", published="2020-01-02")
    assert content_hash("abc", title=None) == content_hash("abc", title=None)
    assert cache_version(["sentences"]) != cache_version(["sentences"], {"x": 1})
    cache = AnnotationCache("v1", tmp_path)
    entry = {"layer": {"n": 2, "dtypes": {"x": np.dtype("int64")}, "data": {"x": np.array([1, 2])}}}
    cache.put("ab" * 32, entry)
    got = cache.get("ab" * 32)
    assert got["layer"]["n"] == 2 and got["layer"]["data"]["x"].tolist() == [1, 2] and len(cache) == 1
    cache._path("ab" * 32).write_bytes(b"not an entry")
    assert cache.get("ab" * 32) is None  # unreadable entry → recomputed, not a crash
    assert not list(cache.dir.rglob("*.tmp"))
    other = AnnotationCache("v2", tmp_path)
    assert other.prune() == 1 and not cache.dir.exists()


def test_annotate_document_matches_corpus(seed_corpus):
    doc = seed_corpus[1]
    res = annotate_document(doc, available_layers())
    assert res["sentences"]["sentence"].tolist() == [s.text for s in doc.sentences]
    back = pickle.loads(pickle.dumps(res))
    for layer, df in res.items():
        pd.testing.assert_frame_equal(back[layer], df)


def test_bad_input(tmp_path):
    with pytest.raises(ParameterError, match="engine"):
        annotate_corpus(None, tmp_path, engine="spark")
    with pytest.raises(ParameterError, match="partition_size"):
        annotate_corpus(None, tmp_path, partition_size=0)
    with pytest.raises(ParameterError, match="layer"):
        annotate_corpus(None, tmp_path, layers=["nouns"])
    with pytest.raises(CorpusError, match="does not exist"):
        annotate_corpus(tmp_path / "nowhere", tmp_path / "o")
    with pytest.raises(ParameterError, match="annotate_corpus"):
        read_annotations(tmp_path / "empty", "sentences")
    with pytest.raises(ParameterError, match="layer"):
        read_annotations(tmp_path, "nouns")
    assert set(ALL_LAYERS) >= set(available_layers())


def test_partition_topic_model(tmp_path):
    from trilat_lib.annotate import PartitionTopicModel

    corpus_dir = generate_corpus(120, tmp_path / "c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        annotate_corpus(corpus_dir, tmp_path / "a", layers=["sentences"], cache=False, partition_size=40)
    for method in ("nmf", "lda"):
        tm = PartitionTopicModel(n_topics=4, method=method, min_df=3, passes=1).fit(tmp_path / "a")
        assert tm.n_partitions_ == 3 and tm.n_passages_ > 100
        assert tm.components_.shape == (4, len(tm.vocabulary_))
        assert abs(tm.components_.sum(axis=1) - 1).max() < 1e-9
        tops = tm.top_terms(5)
        assert len(tops) == 4 and all(len(t) == 5 for t in tops)
        assert not {"the", "and", "of"} & {w for t in tops for w in t}  # stop words removed
    again = PartitionTopicModel(n_topics=4, method="nmf", min_df=3, passes=1).fit(tmp_path / "a")
    assert again.top_terms(5) == PartitionTopicModel(n_topics=4, method="nmf", min_df=3, passes=1).fit(tmp_path / "a").top_terms(5)
    with pytest.raises(ParameterError, match="method"):
        PartitionTopicModel(method="lsa").fit(tmp_path / "a")
    with pytest.raises(ParameterError, match="annotate_corpus"):
        PartitionTopicModel().fit(tmp_path / "nothing")


def test_folder_streaming_equals_loaded_corpus(tmp_path):
    """A folder is read lazily (with or without manifest) yet gives the same tables as load_corpus."""
    import shutil

    from trilat_lib.annotate import annotations
    from trilat_lib.paths import SEEDS_DIR

    bare = tmp_path / "bare"
    bare.mkdir()
    for p in sorted(SEEDS_DIR.glob("*.txt"))[:2]:
        shutil.copy(p, bare / p.name)
    syn = generate_corpus(6, tmp_path / "syn")
    for folder in (bare, syn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lazy = annotations(folder, layers=["sentences"], cache=False)
            eager = annotations(load_corpus(folder), layers=["sentences"], cache=False)
        for layer in lazy:
            pd.testing.assert_frame_equal(lazy[layer], eager[layer], obj=f"{folder.name}/{layer}")


def test_cache_sees_metadata_changes(tmp_path):
    """A changed outlet (manifest edit, same text) must not be served from a stale cache entry."""
    import dataclasses

    from trilat_lib.annotate import annotations
    from trilat_lib.corpus import Corpus

    doc = load_corpus()["003"]
    first = annotations(Corpus([doc]), layers=["sentiment"], cache_dir=tmp_path)
    moved = dataclasses.replace(doc, outlet="Another Outlet")
    second = annotations(Corpus([moved]), layers=["sentiment"], cache_dir=tmp_path)
    assert len(first["sentiment"]) and set(first["sentiment"]["outlet"]) == {doc.outlet}
    assert set(second["sentiment"]["outlet"]) == {"Another Outlet"}


def test_cli_annotate(tmp_path, capsys):
    from trilat_lib.cli import main

    assert main(["annotate", "-o", str(tmp_path / "out"), "--layers", "sentences,mentions", "--no-cache"]) == 0
    assert list((tmp_path / "out" / "mentions").glob("part-*.parquet"))
    assert "annotated 4 documents" in capsys.readouterr().err
    assert read_annotations(tmp_path / "out", "mentions")["doc_id"].nunique() == 4
    assert main(["annotate", "-o", str(tmp_path / "bad"), "--layers", "feelings"]) == 2
    assert "unknown layer" in capsys.readouterr().err


def test_cached_tables_equal_uncached_with_mixed_hits(tmp_path, seed_corpus):
    """A document cached alone (no mentions or dates: its empty columns carry generic dtypes)
    and one annotated fresh assemble into exactly the uncached tables, cold and warm."""
    from trilat_lib.annotate import annotations
    from trilat_lib.corpus import Corpus

    root = tmp_path / "c"
    root.mkdir()
    (root / "a_plain.txt").write_text("Plain words only, with nothing else in them at all.\n\n"
                                      "A second paragraph of plain words.\n", encoding="utf-8")
    (root / "b_seed.txt").write_text(seed_corpus[1].raw, encoding="utf-8")
    corpus = load_corpus(root)
    cache_dir = tmp_path / "cache"
    annotations(Corpus([corpus[0]], root=root), cache_dir=cache_dir)
    ref = annotations(corpus, cache=False)
    assert len(ref["mentions"]) and len(ref["timexes"])
    mixed = annotations(corpus, cache_dir=cache_dir)
    warm = annotations(corpus, cache_dir=cache_dir)
    for layer in ref:
        pd.testing.assert_frame_equal(mixed[layer], ref[layer], obj=layer)
        pd.testing.assert_frame_equal(warm[layer], ref[layer], obj=layer)


def test_parallel_annotation_equals_serial(tmp_path, seed_corpus, parallel_small):
    """Worker processes (joblib/loky) give the same tables as one process, cached or not."""
    from trilat_lib.annotate import annotations

    ref = annotations(seed_corpus, cache=False, n_jobs=1)
    for kwargs in ({"cache": False}, {"cache_dir": tmp_path / "cache"}):
        got = annotations(seed_corpus, n_jobs=2, **kwargs)
        for layer in ref:
            pd.testing.assert_frame_equal(got[layer], ref[layer], obj=layer)
    with pytest.raises(ParameterError, match="n_jobs"):
        annotations(seed_corpus, n_jobs=0)


# --------------------------------------------------------------------------- hostile caches and killed runs (issue 13)

class _Planted:
    """Unpickling this runs code: it creates the folder ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        import os

        return (os.mkdir, (self.path,))


def test_a_planted_pickle_in_the_cache_never_runs(tmp_path, seed_corpus):
    from trilat_lib.annotate import _doc_hash, annotations

    cache_dir = tmp_path / "cache"
    doc = seed_corpus[0]
    corpus = type(seed_corpus)([doc])
    layers = available_layers()
    cache = AnnotationCache(cache_version(layers), cache_dir)
    key = _doc_hash(doc)
    evil = pickle.dumps(_Planted(tmp_path / "pwned"))
    # where this version stores the entry, and where the pickle format of earlier versions did
    for path in (cache._path(key), cache_dir / cache_version(layers) / key[:2] / f"{key}.pkl",
                 cache._path(key).with_suffix(".pkl")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(evil)
    got = annotations(corpus, cache_dir=cache_dir)
    assert not (tmp_path / "pwned").exists()
    ref = annotations(corpus, cache=False)
    for layer in ref:
        pd.testing.assert_frame_equal(got[layer], ref[layer], obj=layer)
    assert annotations(corpus, cache_dir=cache_dir)["sentences"].equals(ref["sentences"])  # rewritten, now a hit


def test_nothing_unpickles_data_from_disk():
    """No module of the library or the benchmarks may load pickles (or NumPy object arrays) from files."""
    import re

    from trilat_lib.paths import PROJECT_ROOT

    banned = re.compile(r"pickle\.loads?\(|joblib\.load\(|allow_pickle\s*=\s*True|read_pickle\(|"
                        r"\bdill\.|cloudpickle\.loads?\(|shelve\.open\(|\bmarshal\.loads?\(")
    found = [f"{p.relative_to(PROJECT_ROOT)}:{i}" for folder in ("trilat_lib", "benchmarks")
             for p in sorted((PROJECT_ROOT / folder).rglob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if banned.search(line)]
    assert not found, found


def test_cache_entry_round_trip_is_exact():
    """Every kind of column the layers hold (and a few more) comes back with its values and dtype."""
    from datetime import date, datetime

    from trilat_lib.cache import decode_entry, encode_entry

    string = pd.StringDtype(na_value=np.nan)
    cols = {
        "i": (np.array([1, -2, 3], dtype=np.int64), np.dtype("int64")),
        "f32": (np.array([1.5, np.nan, -0.0], dtype=np.float32), np.dtype("float32")),
        "b": (np.array([True, False, True]), np.dtype("bool")),
        "s": (np.array(["a", np.nan, "ü “q”"], dtype=object), string),
        "na": (np.array([1, pd.NA, 3], dtype=object), pd.Int64Dtype()),
        "d": (np.array([date(2023, 1, 2), None, date(1, 1, 1)], dtype=object), np.dtype(object)),
        "mixed": (np.array([datetime(2020, 1, 2, 3, 4), pd.Timestamp("2021-05-06"), pd.NaT], dtype=object),
                  np.dtype(object)),
        "u": (np.array(["x", "yz", ""]), np.dtype("<U2")),
        "t": (np.array(["2020-01-01", "NaT", "1999-12-31"], dtype="M8[ns]"), np.dtype("M8[ns]")),
    }
    entry = {"layer": {"n": 3, "dtypes": {c: dt for c, (_, dt) in cols.items()},
                       "data": {c: a for c, (a, _) in cols.items()}},
             "empty": {"n": 0, "dtypes": {"x": string}, "data": {"x": np.array([], dtype=object)}}}
    back = decode_entry(encode_entry(entry))
    assert back["empty"]["n"] == 0 and back["empty"]["dtypes"]["x"] == string
    for c, (a, dt) in cols.items():
        got = back["layer"]["data"][c]
        assert back["layer"]["dtypes"][c] == dt, c
        assert got.dtype == a.dtype, c
        pd.testing.assert_series_equal(pd.Series(got), pd.Series(a), obj=c)
        assert [type(x) for x in got] == [type(x) for x in a], c
    with pytest.raises(TypeError):
        encode_entry({"l": {"n": 1, "dtypes": {"x": np.dtype(object)}, "data": {"x": np.array([{1}], dtype=object)}}})


def test_wrong_shape_and_corrupt_entries_are_misses(tmp_path, seed_corpus):
    """Entries that decode but do not fit (a layer missing, two document rows, columns of other
    lengths), truncated or foreign files and a FIFO are recomputed, never a KeyError or a hang."""
    import os
    import signal

    from trilat_lib.annotate import _doc_hash, annotations

    corpus = type(seed_corpus)([seed_corpus[1]])
    ref = annotations(corpus, cache=False)
    layers = available_layers()
    cache = AnnotationCache(cache_version(layers), tmp_path)
    key = _doc_hash(seed_corpus[1])
    one = {"n": 1, "dtypes": {"x": np.dtype("int64")}, "data": {"x": np.array([1])}}
    bad_entries = [
        {"documents": one},  # layers missing
        {layer: {"n": 2, "dtypes": {"x": np.dtype("int64")}, "data": {"x": np.array([1, 2])}} for layer in ref},
        {layer: one for layer in ref},  # documents without its columns
    ]
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("blocked on the cache")))
    signal.alarm(60)
    try:
        for bad in bad_entries:
            cache.put(key, bad)
            assert cache._path(key).exists()
            got = annotations(corpus, cache_dir=tmp_path)
            for layer in ref:
                pd.testing.assert_frame_equal(got[layer], ref[layer], obj=layer)
        good = cache._path(key).read_bytes()
        for data in (good[: len(good) // 2], good[:30], b"", b"\x80\x04K\x01."):
            cache._path(key).write_bytes(data)
            assert annotations(corpus, cache_dir=tmp_path)["sentences"].equals(ref["sentences"])
        cache._path(key).unlink()
        os.mkfifo(cache._path(key))
        assert annotations(corpus, cache_dir=tmp_path)["sentences"].equals(ref["sentences"])
    finally:
        signal.alarm(0)


def test_unwritable_cache_falls_back_with_one_warning(tmp_path, seed_corpus):
    from trilat_lib.annotate import annotations
    from trilat_lib.cache import CacheWarning

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache_dir = blocker / "cache"  # cannot be created, even by root
    ref = annotations(seed_corpus, layers=["sentences"], cache=False)
    with pytest.warns(CacheWarning, match="cannot write there") as w:
        got = annotations(seed_corpus, layers=["sentences"], cache_dir=cache_dir)
    assert len([x for x in w if issubclass(x.category, CacheWarning)]) == 1
    for layer in ref:
        pd.testing.assert_frame_equal(got[layer], ref[layer], obj=layer)
    with pytest.warns(CacheWarning) as w:
        summary = annotate_corpus(None, tmp_path / "out", layers=["sentences"], cache_dir=cache_dir, partition_size=2)
    assert len([x for x in w if issubclass(x.category, CacheWarning)]) == 1
    assert summary["documents"] == 4
    pd.testing.assert_frame_equal(read_annotations(tmp_path / "out", "sentences"), ref["sentences"])


def test_read_annotations_refuses_a_killed_run(tmp_path, monkeypatch):
    from trilat_lib import annotate
    from trilat_lib.annotate import IncompleteAnnotationsError

    out = tmp_path / "out"
    annotate_corpus(None, out, layers=["sentences"], cache=False, partition_size=1)
    full = read_annotations(out, "sentences")
    assert full["doc_id"].nunique() == 4
    # the same folder again, killed after two of four partitions
    real, calls = annotate.annotate_partition, []

    def dies(*args, **kwargs):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(annotate, "annotate_partition", dies)
    with pytest.raises(KeyboardInterrupt):
        annotate_corpus(None, out, layers=["sentences"], cache=False, partition_size=1)
    monkeypatch.setattr(annotate, "annotate_partition", real)
    assert len(list((out / "sentences").glob("part-*.parquet"))) == 2
    with pytest.raises(IncompleteAnnotationsError, match="interrupted"):
        read_annotations(out, "sentences")
    with pytest.raises(ParameterError, match="interrupted"):
        read_annotations(out, "documents")
    with pytest.warns(CorpusWarning, match="interrupted"):
        part = read_annotations(out, "sentences", allow_incomplete=True)
    assert part["doc_id"].nunique() == 2
    # complete again; then a part goes missing
    annotate_corpus(None, out, layers=["sentences"], cache=False, partition_size=1)
    pd.testing.assert_frame_equal(read_annotations(out, "sentences"), full)
    sorted((out / "sentences").glob("part-*.parquet"))[1].unlink()
    with pytest.raises(IncompleteAnnotationsError, match="lacks 1 sentences part"):
        read_annotations(out, "sentences")
