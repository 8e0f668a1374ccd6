"""BBC News topic-model benchmark: trilat's default TopicModel vs plain scikit-learn LDA.

Run: ``.venv/bin/python -m benchmarks.topics_bbc`` (``--quick`` for one seed and fewer k).
Writes ``reports/benchmarks/topics_bbc_raw.csv``, ``topics_bbc_octis.csv`` and ``topics_bbc.md``.

Two protocols, both on ``../shared/data/bbc`` (2,225 articles, 5 categories):

1. **raw** — ``bbc-news.csv`` as published. Each model does its own preprocessing:
   trilat = ``TopicModel(n_topics=k, passage_unit="document")`` with every other setting at its
   default (NMF on sublinear TF-IDF, stop words, phrases, plural folding, min_df=2, max_df=0.5);
   peer = ``CountVectorizer()`` + ``LatentDirichletAllocation(n_components=k, random_state=seed)``,
   both scikit-learn defaults. k = 5 and 10. NPMI = top-10 words, gensim ``c_npmi`` boolean
   sliding window of 10 tokens, reference = the corpus itself as that model tokenises it.
   NMI / adjusted Rand: each article's dominant topic vs its category. Fit time = wall seconds
   (``fit_s``) and CPU seconds of the process (``fit_cpu_s``, all threads; steadier on a shared
   machine) of fitting, tokenising included.
2. **octis** — the BERTopic paper's protocol: fit on OCTIS's preprocessed ``octis/corpus.tsv``
   (lemmatised, 2,949-word vocabulary), k = 10, 20, 30, 40, 50 × seeds 0, 21, 42; NPMI = gensim
   ``c_npmi`` (top-10, 10-token boolean sliding window, eps 1e-12) against that same file;
   diversity = OCTIS TopicDiversity over top-10 words. Mean over the 15 runs is comparable with
   Table 1 of Grootendorst (2022). trilat here runs with ``phrases=False, fold_plurals=False``
   because the text is already lemmatised and a phrase could not be scored against it.
"""
from __future__ import annotations

import argparse
import csv
import time

import numpy as np
import pandas as pd
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from trilat_lib.outputs import save_csv, write_text
from trilat_lib.paths import REPORTS_DIR, SHARED_DATA_DIR
from trilat_lib.topics import TopicModel, npmi_coherence, topic_diversity

BBC = SHARED_DATA_DIR / "bbc"
SEEDS = (0, 21, 42)  # the BERTopic evaluation's random states

# Grootendorst (2022), arXiv:2203.05794v1, Table 1, BBC News: (NPMI, diversity), mean of k=10..50 x 3 runs.
PAPER = {
    "LDA (OCTIS)": (0.014, 0.577),
    "NMF (OCTIS)": (0.012, 0.549),
    "Top2Vec-MPNET": (-0.027, 0.540),
    "Top2Vec-Doc2Vec": (0.171, 0.792),
    "CTM": (0.094, 0.819),
    "BERTopic-MPNET": (0.167, 0.794),
}


def _top_words(components: np.ndarray, vocab: np.ndarray, n: int = 10) -> list[list[str]]:
    return [[str(vocab[j]) for j in np.argsort(-row, kind="stable")[:n]] for row in components]


def run_trilat(texts: list[str], k: int, seed: int, **params) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    m = TopicModel(n_topics=k, random_state=seed, passage_unit="document", **params).fit(texts)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    ids = [str(i) for i in range(len(texts))]
    dominant = m.document_topics_.reindex(ids).to_numpy().argmax(axis=1)
    return {"topics": m.top_terms(25), "reference": m._token_lists, "dominant": dominant, "fit_s": secs, "cpu_s": cpu}


def run_sklearn_lda(texts: list[str], k: int, seed: int, token_pattern: str | None = None) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    cv = CountVectorizer() if token_pattern is None else CountVectorizer(token_pattern=token_pattern)
    X = cv.fit_transform(texts)
    lda = LatentDirichletAllocation(n_components=k, random_state=seed)
    doc_topic = lda.fit_transform(X)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    analyzer = cv.build_analyzer()
    return {"topics": _top_words(lda.components_, cv.get_feature_names_out(), 25),
            "reference": [analyzer(t) for t in texts], "dominant": doc_topic.argmax(axis=1), "fit_s": secs, "cpu_s": cpu}


MODELS = {
    "trilat NMF (default)": run_trilat,
    "sklearn LDA (defaults)": run_sklearn_lda,
}


def raw_protocol(ks, seeds) -> pd.DataFrame:
    df = pd.read_csv(BBC / "bbc-news.csv")
    texts, labels = df["text"].tolist(), df["category"].tolist()
    rows = []
    for k in ks:
        for seed in seeds:
            for name, fn in MODELS.items():
                r = fn(texts, k, seed)
                tops10 = [t[:10] for t in r["topics"]]
                rows.append({
                    "protocol": "raw", "model": name, "k": k, "seed": seed,
                    "npmi": npmi_coherence(tops10, r["reference"], window=10),
                    "npmi_doc": npmi_coherence(tops10, r["reference"], window="document"),
                    "diversity_top10": topic_diversity(r["topics"], 10),
                    "diversity_top25": topic_diversity(r["topics"], 25),
                    "nmi": normalized_mutual_info_score(labels, r["dominant"]),
                    "ari": adjusted_rand_score(labels, r["dominant"]),
                    "fit_s": r["fit_s"], "fit_cpu_s": r["cpu_s"],
                    "top_words": " | ".join(", ".join(t[:5]) for t in r["topics"]),
                })
                print(f"raw   k={k:<3} seed={seed:<3} {name:<24} NPMI={rows[-1]['npmi']:.3f} "
                      f"TD={rows[-1]['diversity_top10']:.3f} NMI={rows[-1]['nmi']:.3f} "
                      f"ARI={rows[-1]['ari']:.3f} fit={r['fit_s']:.1f}s (cpu {r['cpu_s']:.1f}s)", flush=True)
    return pd.DataFrame(rows)


def octis_protocol(ks, seeds) -> pd.DataFrame:
    with open(BBC / "octis" / "corpus.tsv", encoding="utf-8", newline="") as fh:
        rows_in = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    reference = [r[0].split() for r in rows_in]
    texts = [" ".join(r) for r in reference]
    labels = [r[2] for r in rows_in]
    runners = {
        "trilat NMF (default)": lambda k, s: run_trilat(texts, k, s, phrases=False, fold_plurals=False),
        "sklearn LDA (defaults)": lambda k, s: run_sklearn_lda(texts, k, s, token_pattern=r"\S+"),
    }
    rows = []
    for k in ks:
        for seed in seeds:
            for name, fn in runners.items():
                r = fn(k, seed)
                tops10 = [t[:10] for t in r["topics"]]
                rows.append({
                    "protocol": "octis", "model": name, "k": k, "seed": seed,
                    "npmi": npmi_coherence(tops10, reference, window=10),
                    "diversity_top10": topic_diversity(tops10, 10),
                    "nmi": normalized_mutual_info_score(labels, r["dominant"]),
                    "ari": adjusted_rand_score(labels, r["dominant"]),
                    "fit_s": r["fit_s"], "fit_cpu_s": r["cpu_s"],
                })
                print(f"octis k={k:<3} seed={seed:<3} {name:<24} NPMI={rows[-1]['npmi']:.3f} "
                      f"TD={rows[-1]['diversity_top10']:.3f} fit={r['fit_s']:.1f}s (cpu {r['cpu_s']:.1f}s)", flush=True)
    return pd.DataFrame(rows)


def _md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        cells = [format(v, floatfmt) if isinstance(v, (float, np.floating)) else str(v) for v in r]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one seed; OCTIS protocol at k=10 and 50 only")
    args = ap.parse_args(argv)
    if not (BBC / "bbc-news.csv").is_file():
        raise SystemExit(f"BBC data not found at {BBC}; this benchmark needs ../shared/data/bbc.")
    seeds = SEEDS[:1] if args.quick else SEEDS
    raw = raw_protocol((5, 10), seeds)
    octis = octis_protocol((10, 50) if args.quick else (10, 20, 30, 40, 50), seeds)

    metrics = ["npmi", "npmi_doc", "diversity_top10", "diversity_top25", "nmi", "ari", "fit_s", "fit_cpu_s"]
    raw_summary = raw.groupby(["k", "model"], sort=True)[metrics].mean().reset_index()
    oc_metrics = ["npmi", "diversity_top10", "nmi", "ari", "fit_s", "fit_cpu_s"]
    oc_summary = octis.groupby("model")[oc_metrics].mean().reset_index()
    oc_summary.insert(1, "runs", octis.groupby("model").size().to_numpy())
    paper = pd.DataFrame([{"model": f"{m} [paper]", "runs": 15, "npmi": v[0], "diversity_top10": v[1]}
                          for m, v in PAPER.items()])
    oc_table = pd.concat([oc_summary, paper], ignore_index=True)
    by_k = octis.groupby(["k", "model"])[["npmi", "diversity_top10", "fit_s", "fit_cpu_s"]].mean().reset_index()

    out = REPORTS_DIR / "benchmarks"
    save_csv(raw, out / "topics_bbc_raw.csv")
    save_csv(octis, out / "topics_bbc_octis.csv")
    pd.set_option("display.width", 200)
    print("\n== raw bbc-news.csv: mean over seeds", list(seeds), "==")
    print(raw_summary.round(3).to_string(index=False))
    print("\n== OCTIS protocol (BERTopic paper Table 1): mean over k =", sorted(int(k) for k in octis.k.unique()), "x seeds", list(seeds), "==")
    print(oc_table.round(3).to_string(index=False))
    print("\n== OCTIS protocol by k ==")
    print(by_k.round(3).to_string(index=False))
    md = "\n\n".join([
        "# BBC News topic benchmark (`python -m benchmarks.topics_bbc`" + (" --quick" if args.quick else "") + ")",
        (__doc__ or "").split("\n\n", 1)[1].strip(),
        f"## Raw articles (mean over seeds {list(seeds)})", _md_table(raw_summary),
        f"## OCTIS protocol (mean over k={sorted(int(k) for k in octis.k.unique())} x seeds {list(seeds)}; [paper] rows from Grootendorst 2022, Table 1)",
        _md_table(oc_table),
        "## OCTIS protocol by k", _md_table(by_k),
    ])
    write_text(out / "topics_bbc.md", md + "\n")
    print(f"\nwrote {out / 'topics_bbc_raw.csv'}, {out / 'topics_bbc_octis.csv'}, {out / 'topics_bbc.md'}")


if __name__ == "__main__":
    main()
