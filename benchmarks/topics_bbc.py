"""BBC News topic-model benchmark: trilat's default TopicModel vs plain scikit-learn NMF and LDA.

Run: ``.venv/bin/python -m benchmarks.topics_bbc`` (``--quick``: k = 10 and 50 only;
``--seeds 3``: three seeds as the paper). Writes ``reports/benchmarks/topics_bbc_shared.csv``,
``topics_bbc_octis.csv`` and ``topics_bbc.md``. ``--ablate`` runs instead the ablation grid
behind trilat's defaults (one default changed per row, k = 10 and 30) and writes
``topics_bbc_ablation.csv`` / ``.md``.

Two protocols, both on ``../shared/data/bbc`` (2,225 articles, 5 categories):

1. **shared** — every model is fitted on ``bbc-news.csv`` as published, as a new user would:
   trilat = ``TopicModel(n_topics=k)`` with every other setting at its default (on 2,225
   articles ``passage_unit="auto"`` models whole articles; NMF on sublinear TF-IDF, trilat's stop
   words, min_df=1, max_df=0.5, no phrases, no plural folding);
   sklearn NMF = ``TfidfVectorizer(stop_words="english")`` + ``NMF(n_components=k)``;
   sklearn LDA = ``CountVectorizer(stop_words="english")`` + ``LatentDirichletAllocation``
   (scikit-learn defaults otherwise). k = 10, 20, 30, 40, 50, seed 0. All models are scored
   against **one shared reference**: the raw articles lower-cased and split with scikit-learn's
   default token pattern (``\\b\\w\\w+\\b``; stop words kept, as in the running text). NPMI = gensim
   ``c_npmi`` (top-10 words, boolean sliding window of 10 tokens, eps 1e-12); diversity = share of
   unique words among the top-10 words of all topics. A topic's terms are mapped onto reference
   tokens by one rule for every model: each term is split by the reference tokeniser, so a phrase
   ("north korea", "e-mail") counts as its words in order; a term that the model folded from
   plurals ("sanction" for "sanction"+"sanctions") is scored as the form of it that is most
   frequent in the reference; repeated tokens are dropped and the first 10 distinct ones scored.
   A word that yields no token ("u.s.") is skipped. NMI / adjusted Rand: each article's dominant
   topic vs its category (low by construction for k >> 5).
2. **octis** — the BERTopic paper's protocol: fit on OCTIS's preprocessed ``octis/corpus.tsv``
   (lemmatised, 2,949-word vocabulary), k = 10, 20, 30, 40, 50, seed 0 (``--seeds 3``: 0, 21, 42
   as the paper); NPMI against that same file; diversity = OCTIS TopicDiversity over top-10 words.
   Comparable with Table 1 of Grootendorst (2022). trilat here runs with ``phrases=False,
   fold_plurals=False`` because the text is already lemmatised and a phrase could not be scored
   against it.

Fit time = wall seconds (``fit_s``) and CPU seconds of the process (``fit_cpu_s``), tokenising
included.
"""
from __future__ import annotations

import argparse
import csv
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from trilat_lib.outputs import save_csv, write_text
from trilat_lib.paths import REPORTS_DIR, SHARED_DATA_DIR
from trilat_lib.topics import TopicModel, _npmi_scores, _window_presence, npmi_coherence, topic_diversity

BBC = SHARED_DATA_DIR / "bbc"
SEEDS = (0, 21, 42)  # the BERTopic evaluation's random states
KS = (10, 20, 30, 40, 50)

# Grootendorst (2022), arXiv:2203.05794v1, Table 1, BBC News: (NPMI, diversity), mean of k=10..50 x 3 runs.
PAPER = {
    "LDA (OCTIS)": (0.014, 0.577),
    "NMF (OCTIS)": (0.012, 0.549),
    "Top2Vec-MPNET": (-0.027, 0.540),
    "Top2Vec-Doc2Vec": (0.171, 0.792),
    "CTM": (0.094, 0.819),
    "BERTopic-MPNET": (0.167, 0.794),
}

# ------------------------------------------------------------------ the shared scorer

REFERENCE_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def reference_tokens(text: str) -> list[str]:
    """The shared reference tokenisation: lower-cased scikit-learn default tokens."""
    return REFERENCE_TOKEN.findall(text.lower())


class SharedScorer:
    """NPMI (10-token window, top 10) and diversity of any model's topics against one reference."""

    def __init__(self, texts: Sequence[str]):
        self.reference = [reference_tokens(t) for t in texts]
        self.freq = Counter(w for toks in self.reference for w in toks)

    def _form(self, term: str, forms: dict[str, list[str]]) -> list[str]:
        """Reference tokens of one term: its most frequent surface form, split by the tokeniser."""
        cands = [term, *forms.get(term, ())]
        best = max(cands, key=lambda f: (min((self.freq[p] for p in reference_tokens(f)), default=0), f == term))
        return reference_tokens(best)

    def map_topic(self, terms: Sequence[str], forms: dict[str, list[str]] | None = None, n: int = 10) -> list[str]:
        out: list[str] = []
        for term in terms:
            for tok in self._form(term, forms or {}):
                if tok not in out:
                    out.append(tok)
            if len(out) >= n:
                break
        return out[:n]

    def score(self, topics: Sequence[Sequence[str]], forms: dict[str, list[str]] | None = None) -> dict:
        tops = [self.map_topic(t, forms) for t in topics]
        npmi = float(np.nanmean(_npmi_scores(tops, *_window_presence(tops, self.reference, 10))))
        return {"npmi": npmi, "diversity_top10": topic_diversity(tops, 10)}


# ------------------------------------------------------------------ models


def _top_words(components: np.ndarray, vocab: np.ndarray, n: int = 25) -> list[list[str]]:
    return [[str(vocab[j]) for j in np.argsort(-row, kind="stable")[:n]] for row in components]


def _timed(fn: Callable[[], dict]) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    r = fn()
    r.update(fit_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0)
    return r


class _NMFVariant(TopicModel):
    """TopicModel whose scikit-learn NMF gets extra keyword arguments (ablations only)."""

    nmf_kw: dict = {}

    def _estimator(self, k, seed):
        est = super()._estimator(k, seed)
        return est.set_params(**self.nmf_kw) if self.method == "nmf" else est


def run_trilat(texts: list[str], k: int, seed: int, nmf_kw: dict | None = None, **params) -> dict:
    def fit():
        cls = TopicModel
        if nmf_kw:
            cls = type("_Variant", (_NMFVariant,), {"nmf_kw": nmf_kw})
        m = cls(n_topics=k, random_state=seed, **params).fit(texts)
        ids = [str(i) for i in range(len(texts))]
        forms: dict[str, list[str]] = {}
        for plural, singular in m._analyzer.plural_map_.items():
            forms.setdefault(singular, []).append(plural)
        return {"topics": m.top_terms(25), "forms": forms, "reference": m._token_lists,
                "dominant": m.document_topics_.reindex(ids).fillna(0).to_numpy().argmax(axis=1)}
    return _timed(fit)


def run_sklearn_nmf(texts: list[str], k: int, seed: int, token_pattern: str | None = None) -> dict:
    def fit():
        kw = {} if token_pattern is None else {"token_pattern": token_pattern}
        vec = TfidfVectorizer(stop_words="english", **kw)
        X = vec.fit_transform(texts)
        nmf = NMF(n_components=k, random_state=seed)
        W = nmf.fit_transform(X)
        analyzer = CountVectorizer(**kw).build_analyzer()
        return {"topics": _top_words(nmf.components_, vec.get_feature_names_out()), "forms": {},
                "reference": [analyzer(t) for t in texts], "dominant": W.argmax(axis=1)}
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # scikit-learn defaults, as a user runs them
        return _timed(fit)


def run_sklearn_lda(texts: list[str], k: int, seed: int, token_pattern: str | None = None,
                    stop_words: str | None = "english") -> dict:
    def fit():
        kw = {} if token_pattern is None else {"token_pattern": token_pattern}
        cv = CountVectorizer(stop_words=stop_words, **kw)
        X = cv.fit_transform(texts)
        lda = LatentDirichletAllocation(n_components=k, random_state=seed)
        W = lda.fit_transform(X)
        return {"topics": _top_words(lda.components_, cv.get_feature_names_out()), "forms": {},
                "reference": [CountVectorizer(**kw).build_analyzer()(t) for t in texts], "dominant": W.argmax(axis=1)}
    return _timed(fit)


SHARED_MODELS = {
    "trilat TopicModel (default)": run_trilat,
    "sklearn NMF (TF-IDF, English stop words)": run_sklearn_nmf,
    "sklearn LDA (counts, English stop words)": run_sklearn_lda,
}

# Ablations behind trilat's defaults: each row changes the default in the way named.
ABLATIONS = {
    "default": {},
    "passage_unit=paragraph": {"passage_unit": "paragraph"},
    "phrases=True": {"phrases": True},
    "fold_plurals=True": {"fold_plurals": True},
    "phrases+fold_plurals": {"phrases": True, "fold_plurals": True},
    "sublinear_tf=False": {"sublinear_tf": False},
    "stop_words=sklearn": {"stop_words": sorted(__import__("sklearn.feature_extraction.text").feature_extraction
                                                .text.ENGLISH_STOP_WORDS)},
    "min_df=2": {"min_df": 2},
    "max_df=1.0": {"max_df": 1.0},
    "max_df=0.25": {"max_df": 0.25},
    "NMF init=nndsvd": {"nmf_kw": {"init": "nndsvd"}},
    "NMF beta_loss=kullback-leibler (mu)": {"nmf_kw": {"beta_loss": "kullback-leibler", "solver": "mu"}},
    "NMF l1 regularisation (alpha_W=1e-4)": {"nmf_kw": {"alpha_W": 1e-4, "l1_ratio": 1.0}},
}


def _load_bbc() -> tuple[list[str], list[str]]:
    df = pd.read_csv(BBC / "bbc-news.csv")
    return df["text"].tolist(), df["category"].tolist()


def _row(protocol: str, model: str, k: int, seed: int, r: dict, scores: dict, labels) -> dict:
    return {"protocol": protocol, "model": model, "k": k, "seed": seed, **scores,
            "nmi": normalized_mutual_info_score(labels, r["dominant"]),
            "ari": adjusted_rand_score(labels, r["dominant"]),
            "fit_s": r["fit_s"], "fit_cpu_s": r["cpu_s"],
            "top_words": " | ".join(", ".join(t[:5]) for t in r["topics"])}


def shared_protocol(ks, seeds, texts, labels, scorer: SharedScorer) -> pd.DataFrame:
    rows = []
    for k in ks:
        for seed in seeds:
            for name, fn in SHARED_MODELS.items():
                r = fn(texts, k, seed)
                rows.append(_row("shared", name, k, seed, r, scorer.score([t[:10] for t in r["topics"]], r["forms"]), labels))
                print(f"shared k={k:<3} seed={seed:<3} {name:<42} NPMI={rows[-1]['npmi']:.3f} "
                      f"TD={rows[-1]['diversity_top10']:.3f} fit={r['fit_s']:.1f}s (cpu {r['cpu_s']:.1f}s)", flush=True)
    return pd.DataFrame(rows)


def ablation(ks, texts, labels, scorer: SharedScorer) -> pd.DataFrame:
    rows = []
    for name, params in ABLATIONS.items():
        for k in ks:
            r = run_trilat(texts, k, 0, **params)
            rows.append(_row("ablation", name, k, 0, r, scorer.score([t[:10] for t in r["topics"]], r["forms"]), labels))
            print(f"ablate k={k:<3} {name:<36} NPMI={rows[-1]['npmi']:.3f} TD={rows[-1]['diversity_top10']:.3f} "
                  f"fit={r['fit_s']:.1f}s", flush=True)
    return pd.DataFrame(rows)


def octis_protocol(ks, seeds) -> pd.DataFrame:
    with open(BBC / "octis" / "corpus.tsv", encoding="utf-8", newline="") as fh:
        rows_in = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    reference = [r[0].split() for r in rows_in]
    texts = [" ".join(r) for r in reference]
    labels = [r[2] for r in rows_in]
    runners = {
        "trilat TopicModel (default)": lambda k, s: run_trilat(texts, k, s, phrases=False, fold_plurals=False),
        "sklearn NMF (TF-IDF, English stop words)": lambda k, s: run_sklearn_nmf(texts, k, s, token_pattern=r"\S+"),
        "sklearn LDA (counts, English stop words)": lambda k, s: run_sklearn_lda(texts, k, s, token_pattern=r"\S+"),
    }
    rows = []
    for k in ks:
        for seed in seeds:
            for name, fn in runners.items():
                r = fn(k, seed)
                tops10 = [t[:10] for t in r["topics"]]
                scores = {"npmi": npmi_coherence(tops10, reference, window=10), "diversity_top10": topic_diversity(tops10, 10)}
                rows.append(_row("octis", name, k, seed, r, scores, labels))
                print(f"octis  k={k:<3} seed={seed:<3} {name:<42} NPMI={scores['npmi']:.3f} "
                      f"TD={scores['diversity_top10']:.3f} fit={r['fit_s']:.1f}s (cpu {r['cpu_s']:.1f}s)", flush=True)
    return pd.DataFrame(rows)


def _md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):  # per cell: integer columns (k, runs) stay integers
        cells = [format(v, floatfmt) if isinstance(v, (float, np.floating)) else str(v) for v in r]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="k = 10 and 50 only")
    ap.add_argument("--seeds", type=int, default=1, choices=(1, 2, 3), help="seeds per k (0, 21, 42); default 1")
    ap.add_argument("--ablate", action="store_true", help="only the ablation grid of trilat's defaults (k = 10, 30) "
                    "-> topics_bbc_ablation.md")
    ap.add_argument("--no-octis", action="store_true", help="skip the OCTIS protocol")
    args = ap.parse_args(argv)
    if not (BBC / "bbc-news.csv").is_file():
        raise SystemExit(f"BBC data not found at {BBC}; this benchmark needs ../shared/data/bbc.")
    t_start = time.perf_counter()
    seeds = SEEDS[: args.seeds]
    ks = (10, 50) if args.quick else KS
    texts, labels = _load_bbc()
    scorer = SharedScorer(texts)
    out = REPORTS_DIR / "benchmarks"
    if args.ablate:
        abl = ablation((10, 30), texts, labels, scorer)
        save_csv(abl, out / "topics_bbc_ablation.csv")
        ab_summary = abl.groupby("model", sort=False)[["npmi", "diversity_top10", "nmi", "fit_s"]].mean().reset_index()
        ab_summary = ab_summary.rename(columns={"model": "change from the default"})
        print("\n== ablation of trilat's defaults (shared reference, mean over k = 10, 30) ==")
        print(ab_summary.round(3).to_string(index=False))
        total = time.perf_counter() - t_start
        write_text(out / "topics_bbc_ablation.md", "\n\n".join([
            "# Ablation of trilat's TopicModel defaults on BBC News (`python -m benchmarks.topics_bbc --ablate`)",
            "Each row changes one default of `TopicModel(n_topics=k)` (on BBC's 2,225 articles `passage_unit='auto'` "
            "means whole documents); scored like the shared protocol of `topics_bbc.md`: NPMI (top 10, 10-token "
            "windows) and diversity against the raw articles; mean over k = 10, 30, seed 0.",
            _md_table(ab_summary), f"Total run time: {total:.0f} s."]) + "\n")
        print(f"\ntotal {total:.0f} s; wrote {out / 'topics_bbc_ablation.md'}")
        return
    shared = shared_protocol(ks, seeds, texts, labels, scorer)
    octis = None if args.no_octis else octis_protocol(ks, seeds)

    metrics = ["npmi", "diversity_top10", "nmi", "ari", "fit_s", "fit_cpu_s"]
    sh_summary = shared.groupby("model", sort=False)[metrics].mean().reset_index()
    sh_by_k = shared.pivot_table(index="k", columns="model", values="npmi", sort=False).reset_index()
    save_csv(shared, out / "topics_bbc_shared.csv")
    pd.set_option("display.width", 220)
    print(f"\n== shared reference (raw articles), mean over k = {list(ks)} x seeds {list(seeds)} ==")
    print(sh_summary.round(3).to_string(index=False))
    print("\n== shared reference: NPMI by k ==")
    print(sh_by_k.round(3).to_string(index=False))
    parts = [
        "# BBC News topic benchmark (`python -m benchmarks.topics_bbc" + "".join(
            f" {a}" for a in (argv if argv is not None else __import__("sys").argv[1:])) + "`)",
        (__doc__ or "").split("\n\n", 1)[1].strip(),
        f"## Shared reference (mean over k={list(ks)} x seeds {list(seeds)})", _md_table(sh_summary),
        "### NPMI by k", _md_table(sh_by_k),
    ]
    if octis is not None:
        save_csv(octis, out / "topics_bbc_octis.csv")
        oc_summary = octis.groupby("model", sort=False)[metrics].mean().reset_index()
        oc_summary.insert(1, "runs", octis.groupby("model", sort=False).size().to_numpy())
        paper = pd.DataFrame([{"model": f"{m} [paper]", "runs": 15, "npmi": v[0], "diversity_top10": v[1]}
                              for m, v in PAPER.items()])
        oc_table = pd.concat([oc_summary, paper], ignore_index=True)
        print(f"\n== OCTIS protocol (BERTopic paper Table 1): mean over k = {list(ks)} x seeds {list(seeds)} ==")
        print(oc_table.round(3).to_string(index=False))
        parts += [f"## OCTIS protocol (mean over k={list(ks)} x seeds {list(seeds)}; [paper] rows from "
                  "Grootendorst 2022, Table 1, 3 seeds)", _md_table(oc_table)]
    total = time.perf_counter() - t_start
    parts.append(f"Total run time: {total:.0f} s.")
    write_text(out / "topics_bbc.md", "\n\n".join(parts) + "\n")
    print(f"\ntotal {total:.0f} s; wrote {out / 'topics_bbc.md'} and the CSVs beside it")


if __name__ == "__main__":
    main()
