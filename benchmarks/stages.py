"""Time and memory of each trilat stage on one corpus, with the peers a user would otherwise pick.

Run by ``python -m benchmarks`` in a fresh subprocess per corpus size (so sizes do not share
caches or memory); it can also be run alone::

    python -m benchmarks.stages --corpus .cache/synthetic/1000 --repeat 3

Each stage runs ``repeat`` times on the same inputs; the previous stages' results are its
inputs (load+clean → sentences → mentions → sentiment …). Memory is the process's peak
resident set size *during* the stage (the kernel's high-water mark is reset before it via
``/proc/self/clear_refs``; where that is unavailable, the process's lifetime peak). Results
are printed as one JSON object per line prefixed ``RESULT``.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import re
import resource
import sys
import time
import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# --------------------------------------------------------------------------- memory


def _status(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) * 1024 if m else None
    except OSError:
        return None


def reset_peak() -> bool:
    """Reset this process's peak-RSS high-water mark (Linux ≥ 4.0); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss() -> int:
    """Peak resident memory of this process in bytes (since the last :func:`reset_peak`)."""
    hwm = _status("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(fn: Callable[[], object], repeat: int, warmup: Callable[[], object] | None = None
            ) -> tuple[list[float], int, object]:
    """Run ``fn`` ``repeat`` times: wall times, max peak RSS over the runs, last result.

    ``warmup`` (untimed, run once first) does the same work on one document, so lazy imports
    and one-off set-up (compiled regexes, lexicons) are not billed to the first run.
    """
    if warmup is not None:
        warmup()
    times, peak, result = [], 0, None
    for _ in range(repeat):
        result = None
        gc.collect()
        reset_peak()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        peak = max(peak, peak_rss())
    return times, peak, result


def has(module: str) -> bool:
    return importlib.util.find_spec(f"trilat_lib.{module}") is not None


# --------------------------------------------------------------------------- stages


@dataclass
class State:
    corpus_path: str | None
    corpus: object = None
    raw_bytes: int = 0
    text_bytes: int = 0
    n_docs: int = 0
    n_sentences: int = 0
    mentions: dict | None = None
    passages: list | None = None


def _load(path: str | None):
    from trilat_lib import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = load_corpus(path)
        for d in c:
            d.cleaned  # noqa: B018 - cleaning is part of the stage
    return c


def stage_load_clean(st: State, repeat: int) -> dict:
    from trilat_lib import clean

    times, peak, corpus = measure(lambda: _load(st.corpus_path), repeat,
                                  lambda: clean.clean_page("Title\n\nSome text. More text.\n"))
    st.corpus = corpus
    st.n_docs = len(corpus)
    st.raw_bytes = sum(len(d.raw.encode("utf-8")) for d in corpus)
    st.text_bytes = sum(len(d.text.encode("utf-8")) for d in corpus)
    return {"times": times, "peak": peak, "bytes": st.raw_bytes}


def stage_sentences_tokens(st: State, repeat: int) -> dict:
    from trilat_lib import text

    def run():
        n = 0
        for d in st.corpus:
            spans = [(p.start, p.end) for p in d.paragraphs if p.kind == "body"]
            for s in text.sentences(d.text, spans):
                text.tokens(s.text)
                n += 1
        return n

    times, peak, n = measure(run, repeat, lambda: text.tokens(text.sentences("Warm up. The U.S. and Japan.")[0].text))
    for d in st.corpus:
        d.sentences  # noqa: B018 - populate the cached property for later stages (untimed)
    st.n_sentences = n
    return {"times": times, "peak": peak}


def peer_punkt_treebank(st: State, repeat: int) -> dict:
    """NLTK Punkt trained on the fly on these texts (no download) + Treebank word tokenizer."""
    from nltk.tokenize import PunktSentenceTokenizer, TreebankWordTokenizer

    def run():
        body = "\n\n".join(d.text for d in st.corpus)
        punkt = PunktSentenceTokenizer(body)  # training is part of "on the fly"
        tb = TreebankWordTokenizer()
        n = 0
        for d in st.corpus:
            for p in d.paragraphs:
                if p.kind != "body":
                    continue
                for s in punkt.tokenize(d.text[p.start:p.end]):
                    tb.tokenize(s)
                    n += 1
        return n

    times, peak, n = measure(run, repeat)
    return {"times": times, "peak": peak, "units": n}


def peer_countvectorizer(st: State, repeat: int) -> dict:
    """scikit-learn CountVectorizer (regex tokenising + counting) on the same document texts."""
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [d.text for d in st.corpus]
    times, peak, _ = measure(lambda: CountVectorizer().fit_transform(texts), repeat)
    return {"times": times, "peak": peak}


def stage_country_mentions(st: State, repeat: int) -> dict:
    from trilat_lib import countries

    def run():
        return {d.doc_id: countries.find_mentions(d.text, date=d.published) for d in st.corpus}

    d0 = st.corpus[0]
    times, peak, ms = measure(run, repeat, lambda: countries.find_mentions(d0.text, date=d0.published))
    st.mentions = ms
    return {"times": times, "peak": peak, "units": sum(len(v) for v in ms.values())}


def stage_target_sentiment(st: State, repeat: int) -> dict:
    from trilat_lib import sentiment

    def run():
        n = 0
        for d in st.corpus:
            for m in st.mentions[d.doc_id]:
                sentiment.target_sentiment(d.text, m.start, m.end)
                n += 1
        return n

    def warm():
        d = next((d for d in st.corpus if st.mentions[d.doc_id]), None)
        if d is not None:
            m = st.mentions[d.doc_id][0]
            sentiment.target_sentiment(d.text, m.start, m.end)

    times, peak, n = measure(run, repeat, warm)
    return {"times": times, "peak": peak, "units": n}


def _mention_sentences(st: State) -> list[str]:
    out = []
    for d in st.corpus:
        starts = [s.start for s in d.sentences]
        ids = sorted({bisect_right(starts, m.start) - 1 for m in st.mentions[d.doc_id]} - {-1})
        out.extend(d.sentences[i].text for i in ids)
    return out


def peer_vader(st: State, repeat: int) -> dict:
    """Sentence-level VADER (vaderSentiment) on every sentence that mentions a country."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sents = _mention_sentences(st)
    sia = SentimentIntensityAnalyzer()
    times, peak, _ = measure(lambda: [sia.polarity_scores(s) for s in sents], repeat,
                             lambda: sia.polarity_scores("Warm up, a good day."))
    return {"times": times, "peak": peak, "units": len(sents)}


def stage_temporal(st: State, repeat: int) -> dict:
    from trilat_lib import timex

    def run():
        return sum(len(timex.tag(d.text, d.published, precision=d.date_precision)) for d in st.corpus)

    d0 = st.corpus[0]
    times, peak, n = measure(run, repeat, lambda: timex.tag(d0.text, d0.published, precision=d0.date_precision))
    return {"times": times, "peak": peak, "units": n}


def peer_dateparser(st: State, repeat: int, sample: int) -> dict:
    """dateparser.search_dates (English only, relative to the publication date) on a sample."""
    from dateparser.search import search_dates

    docs = list(st.corpus)[:sample]

    def run():
        n = 0
        for d in docs:
            base = datetime(d.published.year, d.published.month, d.published.day) if d.published else None
            settings = {"RELATIVE_BASE": base} if base else {}
            n += len(search_dates(d.text, languages=["en"], settings=settings) or [])
        return n

    times, peak, n = measure(run, repeat, lambda: search_dates("on 5 May 2020 and last week", languages=["en"]))
    return {"times": times, "peak": peak, "units": n, "docs": len(docs),
            "bytes": sum(len(d.text.encode("utf-8")) for d in docs),
            "sentences": sum(len(d.sentences) for d in docs)}


def stage_timeline(st: State, repeat: int) -> dict:
    from trilat_lib import timeline

    times, peak, df = measure(lambda: timeline.build_timeline(st.corpus, warn=False), repeat,
                              lambda: timeline.build_timeline(st.corpus[:1], warn=False))
    return {"times": times, "peak": peak, "units": len(df)}


def stage_topic_fit(st: State, repeat: int, n_topics: int) -> dict:
    from trilat_lib.topics import TopicModel

    times, peak, tm = measure(lambda: TopicModel(n_topics=n_topics, random_state=0).fit(st.corpus), repeat)
    st.passages = tm.passages_["text"].tolist()
    return {"times": times, "peak": peak, "units": len(tm.passages_)}


def peer_sklearn_lda(st: State, repeat: int, n_topics: int) -> dict:
    """scikit-learn LatentDirichletAllocation (batch, defaults) + CountVectorizer on the same passages."""
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    passages = st.passages

    def run():
        X = CountVectorizer(stop_words="english", min_df=2, max_df=0.5).fit_transform(passages)
        return LatentDirichletAllocation(n_components=n_topics, random_state=0).fit(X)

    times, peak, _ = measure(run, repeat)
    return {"times": times, "peak": peak, "units": len(passages)}


STAGES = [
    # (key, label, trilat modules needed)
    ("load_clean", "load + clean", ("corpus", "clean")),
    ("sentences_tokens", "sentences + tokens", ("text",)),
    ("country_mentions", "country mentions", ("countries",)),
    ("target_sentiment", "target sentiment", ("countries", "sentiment")),
    ("temporal", "temporal tagging", ("timex",)),
    ("timeline", "timeline build", ("timeline", "timex")),
    ("topic_fit", "topic fit", ("topics",)),
]
PEERS = {
    "sentences_tokens": [("nltk_punkt_treebank", "NLTK Punkt (trained) + Treebank"),
                         ("sklearn_countvectorizer", "sklearn CountVectorizer")],
    "target_sentiment": [("vader_sentence", "VADER, sentence level")],
    "temporal": [("dateparser", "dateparser.search_dates")],
    "topic_fit": [("sklearn_lda", "sklearn LDA (batch)")],
}


def run_all(corpus_path: str | None, repeat: int, peers: bool, peer_sample: int, n_topics: int,
            only: set[str] | None, emit: Callable[[dict], None]) -> None:
    """Run every available stage (and its peers) on one corpus, emitting one record per run."""
    st = State(corpus_path)
    for key, label, mods in STAGES:
        if only and key not in only and key != "load_clean":
            continue
        if not all(has(m) for m in mods):
            emit({"stage": key, "label": label, "skipped": f"trilat_lib.{'/'.join(mods)} not available"})
            continue
        if key in ("target_sentiment",) and st.mentions is None:
            continue
        try:
            fn = globals()[f"stage_{key}"]
            res = fn(st, repeat, n_topics) if key == "topic_fit" else fn(st, repeat)
        except Exception as e:  # report and go on: one broken stage must not hide the others
            emit({"stage": key, "label": label, "error": f"{type(e).__name__}: {e}"})
            if key == "load_clean":
                return
            continue
        res.setdefault("bytes", st.text_bytes)
        emit({"stage": key, "label": label, "tool": "trilat", "docs": st.n_docs, "sentences": st.n_sentences, **res})
        if not peers:
            continue
        for pkey, plabel in PEERS.get(key, []):
            try:
                if pkey == "nltk_punkt_treebank":
                    pres = peer_punkt_treebank(st, repeat)
                elif pkey == "sklearn_countvectorizer":
                    pres = peer_countvectorizer(st, repeat)
                elif pkey == "vader_sentence":
                    pres = peer_vader(st, repeat)
                elif pkey == "dateparser":
                    pres = peer_dateparser(st, max(1, min(repeat, 2)), peer_sample)
                else:
                    pres = peer_sklearn_lda(st, repeat, n_topics)
            except Exception as e:
                emit({"stage": key, "label": plabel, "tool": pkey, "error": f"{type(e).__name__}: {e}"})
                continue
            pres.setdefault("bytes", st.text_bytes)
            pres.setdefault("docs", st.n_docs)
            pres.setdefault("sentences", st.n_sentences)
            emit({"stage": key, "label": plabel, "tool": pkey, **pres})


# --------------------------------------------------------------------------- whole-corpus runs


def run_annotate(corpus_path: str | None, engine: str, out_dir: str, cache_dir: str | None, warm: bool,
                 workers: int | None = None) -> dict:
    """annotate_corpus on a folder (streaming); with ``warm`` a first run fills the cache first."""
    from trilat_lib.annotate import annotate_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if warm:
            annotate_corpus(corpus_path, out_dir, engine=engine, cache=True, cache_dir=cache_dir, n_workers=workers)
        reset_peak()
        t0 = time.perf_counter()
        s = annotate_corpus(corpus_path, out_dir, engine=engine, cache=cache_dir is not None, cache_dir=cache_dir,
                            n_workers=workers)
        secs = time.perf_counter() - t0
    return {"times": [secs], "peak": peak_rss(), "bytes": s["raw_chars"], "docs": s["documents"],
            "cache_hits": s["cache_hits"], "layers": s["layers"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=None, help="corpus folder (default: the bundled seeds)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peer-sample", type=int, default=40, help="documents for slow peers (dateparser)")
    ap.add_argument("--topics", type=int, default=8)
    ap.add_argument("--only", default="", help="comma-separated stage keys")
    ap.add_argument("--annotate", choices=["local", "dask"], default=None,
                    help="instead of the stages, time annotate_corpus with this engine")
    ap.add_argument("--out", default=None, help="(--annotate) output folder")
    ap.add_argument("--cache-dir", default=None, help="(--annotate) use this cache folder; omit for no cache")
    ap.add_argument("--warm", action="store_true", help="(--annotate) fill the cache first, time the second run")
    ap.add_argument("--workers", type=int, default=None, help="(--annotate) worker processes (default: every core)")
    ap.add_argument("--stream-topics", default=None, metavar="DIR",
                    help="instead of the stages, time PartitionTopicModel (MiniBatchNMF) on annotate_corpus output in DIR")
    args = ap.parse_args(argv)

    def emit(rec: dict) -> None:
        print("RESULT " + json.dumps(rec, default=str), flush=True)

    if args.stream_topics:
        from trilat_lib.annotate import PartitionTopicModel, read_annotations

        docs = read_annotations(args.stream_topics, "documents")
        times, peak, tm = measure(lambda: PartitionTopicModel(n_topics=args.topics, method="nmf").fit(args.stream_topics),
                                  args.repeat)
        emit({"stage": "topic_fit", "tool": "trilat_partition_nmf", "label": "topic fit, out of core (MiniBatchNMF from Parquet parts)",
              "times": times, "peak": peak, "units": tm.n_passages_, "docs": len(docs),
              "bytes": int(docs["chars"].sum())})
        return 0
    if args.annotate:
        rec = run_annotate(args.corpus, args.annotate, args.out, args.cache_dir, args.warm, args.workers)
        name = "joblib" if args.annotate == "local" and args.workers != 1 else args.annotate
        emit({"stage": f"annotate_{name}" + ("_cached" if args.warm else ""), "tool": "trilat", **rec})
        return 0
    only = {s for s in args.only.split(",") if s} or None
    run_all(args.corpus, args.repeat, not args.no_peers, args.peer_sample, args.topics, only, emit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
