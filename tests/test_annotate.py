"""Per-document annotation: the content-hash cache, partitioned Parquet, and local == joblib == dask."""
from __future__ import annotations

import pickle
import warnings

import pandas as pd
import pytest

from trilat_lib import load_corpus
from trilat_lib.annotate import (
    ALL_LAYERS, annotate_corpus, annotate_document, available_layers, cache_version, read_annotations,
)
from trilat_lib.cache import AnnotationCache, content_hash
from trilat_lib.errors import CorpusError, ParameterError
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
    cache.put("ab" * 32, {"x": [1]})
    assert cache.get("ab" * 32) == {"x": [1]} and len(cache) == 1
    (tmp_path / "v1" / "ab" / f"{'ab' * 32}.pkl").write_bytes(b"not a pickle")
    assert cache.get("ab" * 32) is None  # unreadable entry → recomputed, not a crash
    assert not list((tmp_path / "v1").rglob("*.tmp"))
    other = AnnotationCache("v2", tmp_path)
    assert other.prune() == 1 and not (tmp_path / "v1").exists()


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
