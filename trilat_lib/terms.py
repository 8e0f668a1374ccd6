"""Words and phrases of a corpus: n-gram frequencies, distinctive terms per document,
keyword-in-context, and co-occurrence of labels (e.g. countries) within sentences.

Every count is taken inside sentences (a bigram never spans two sentences) and inside
phrases (never across a comma, dash or bracket), from the cleaned article text. N-grams
keep inner stop words ("balance of power") but may not start or end with one, so they
read as phrases rather than as "of the". The tidy tables carry ``doc_id`` and
``sentence_id``; the aggregates are built from them.

Distinctiveness:

* ``method="keyness"`` – Dunning's log-likelihood G² of the term's count in one document
  against the rest of the corpus (the measure of Rayson & Garside 2000), with the log-ratio
  effect size and a chi² (1 df) p-value; only terms *over*-used in the document are listed.
* ``method="tfidf"`` – scikit-learn's smoothed TF-IDF, L2-normalised per document. With a
  handful of documents IDF takes only a few values, so read it as a ranking, not a measure.
"""
from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from . import text as _text
from .errors import ParameterError

METHODS = ("keyness", "tfidf")
MATCHES = ("exact", "stem", "prefix")
_HAS_WORD = re.compile(r"\w")


# --------------------------------------------------------------------------- n-grams

def _check_sizes(sizes: int | Iterable[int], name: str = "sizes") -> tuple[int, ...]:
    if isinstance(sizes, int) and not isinstance(sizes, bool):
        sizes = (sizes,)
    try:
        out = tuple(sorted(set(sizes)))
    except TypeError:
        raise ParameterError(f"{name}={sizes!r} must be an integer or a list of integers, e.g. [1, 2, 3].") from None
    if not out or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 6 for n in out):
        raise ParameterError(f"{name}={list(sizes)!r} must list n-gram sizes between 1 and 6, e.g. [1, 2, 3].")
    return out


def phrases(text: str, lower: bool = True) -> list[list[str]]:
    """Runs of word tokens in ``text``, broken at punctuation (commas, dashes, brackets, quotes)."""
    runs: list[list[str]] = [[]]
    for tok in _text.tokens(text, lower=lower, remove_stopwords=False, keep_punct=True, keep_numbers=True):
        if re.search(r"\w", tok):
            runs[-1].append(tok)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _is_number(tok: str) -> bool:
    return tok.lstrip("$")[:1].isdigit()


def sentence_ngrams(
    text: str,
    n: int,
    stop_words: frozenset[str] | None = None,
    keep_numbers: bool = False,
    stem: str | None = None,
) -> list[str]:
    """The n-grams of one sentence: unigrams without stop words; longer n-grams not starting or
    ending with a stop word. Numbers are dropped unless ``keep_numbers``."""
    sw = _text.stopwords() if stop_words is None else stop_words
    stem_fn = _text._cached_stem(stem) if stem else None
    out: list[str] = []
    for run in phrases(text):
        for i in range(len(run) - n + 1):
            gram = run[i : i + n]
            first, last = gram[0], gram[-1]
            if first in sw or last in sw or len(first) < 2 or len(last) < 2:
                continue
            if not keep_numbers and (any(_is_number(t) for t in gram)):
                continue
            if stem_fn is not None:
                gram = [stem_fn(t) for t in gram]
            out.append(" ".join(gram))
    return out


def ngram_table(
    corpus,
    sizes: int | Iterable[int] = (1, 2),
    keep_numbers: bool = False,
    stem: str | None = None,
) -> pd.DataFrame:
    """One row per n-gram occurrence: ``doc_id, sentence_id, n, term``."""
    sizes = _check_sizes(sizes)
    sw = _text.stopwords()
    rows = []
    for doc in corpus:
        for s in doc.sentences:
            for n in sizes:
                for term in sentence_ngrams(s.text, n, sw, keep_numbers, stem):
                    rows.append((doc.doc_id, s.sentence_id, n, term))
    return pd.DataFrame(rows, columns=["doc_id", "sentence_id", "n", "term"])


def term_frequencies(table: pd.DataFrame, top_n: int | None = None) -> pd.DataFrame:
    """Frequencies from :func:`ngram_table`: ``n, rank, term, count, documents, per_10k``.

    ``per_10k`` is the count per 10,000 n-grams of the same size; ``documents`` the number of
    documents using the term. Sorted by size, then count (ties alphabetically); ``top_n`` per size.
    """
    if top_n is not None and (not isinstance(top_n, int) or top_n < 1):
        raise ParameterError(f"top_n={top_n!r} must be a positive integer.")
    cols = ["n", "rank", "term", "count", "documents", "per_10k"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    g = table.groupby(["n", "term"]).agg(count=("doc_id", "size"), documents=("doc_id", "nunique")).reset_index()
    totals = table.groupby("n").size()
    g["per_10k"] = (g["count"] / g["n"].map(totals) * 10_000).round(1)
    g = g.sort_values(["n", "count", "term"], ascending=[True, False, True])
    g["rank"] = g.groupby("n").cumcount() + 1
    if top_n is not None:
        g = g[g["rank"] <= top_n]
    return g[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- distinctive terms

def log_likelihood(a: float, b: float, c: float, d: float) -> float:
    """Dunning's G² for a term seen ``a`` times in a text of ``c`` tokens and ``b`` times in a
    reference of ``d`` tokens (Rayson & Garside 2000)."""
    if c <= 0 or d <= 0:
        return 0.0
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    g2 = 0.0
    if a > 0:
        g2 += a * math.log(a / e1)
    if b > 0:
        g2 += b * math.log(b / e2)
    return 2.0 * g2


def distinctive_terms(
    corpus_or_table,
    method: str = "keyness",
    top_n: int = 10,
    sizes: int | Iterable[int] = 1,
    min_count: int = 2,
) -> pd.DataFrame:
    """The terms that set each document apart from the rest of the corpus.

    Returns ``doc_id, rank, term, n, score, count, rest_count, per_10k, rest_per_10k,
    log_ratio`` (+ ``p_value`` for keyness), ``top_n`` rows per document. ``count`` is the
    term's count in the document, ``rest_count`` in all other documents; ``log_ratio`` is
    log2 of the relative-frequency ratio (0.5 added to zero counts). Terms seen fewer than
    ``min_count`` times in the document are skipped (a single use is not a pattern).
    """
    if method not in METHODS:
        raise ParameterError(f"method={method!r} is not one of {', '.join(METHODS)}.")
    if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
        raise ParameterError(f"top_n={top_n!r} must be a positive integer.")
    if not isinstance(min_count, int) or min_count < 1:
        raise ParameterError(f"min_count={min_count!r} must be a positive integer.")
    table = corpus_or_table if isinstance(corpus_or_table, pd.DataFrame) else ngram_table(corpus_or_table, sizes)
    sizes = _check_sizes(sizes)
    table = table[table["n"].isin(sizes)]
    cols = ["doc_id", "rank", "term", "n", "score", "count", "rest_count", "per_10k", "rest_per_10k", "log_ratio"]
    if method == "keyness":
        cols.append("p_value")
    if table.empty or table["doc_id"].nunique() < 2:
        if table["doc_id"].nunique() == 1:
            raise ParameterError("distinctive terms compare documents with each other: the corpus needs at least 2 documents.")
        return pd.DataFrame(columns=cols)
    counts = table.groupby(["doc_id", "term", "n"]).size().rename("count").reset_index()
    totals = counts.groupby(["term", "n"])["count"].sum().rename("total")
    counts = counts.join(totals, on=["term", "n"])
    counts["rest_count"] = counts["total"] - counts["count"]
    doc_tokens = table.groupby("doc_id").size()
    all_tokens = int(doc_tokens.sum())
    counts["c"] = counts["doc_id"].map(doc_tokens)
    counts["d"] = all_tokens - counts["c"]
    counts["per_10k"] = (counts["count"] / counts["c"] * 10_000).round(1)
    counts["rest_per_10k"] = (counts["rest_count"] / counts["d"].clip(lower=1) * 10_000).round(1)
    counts["log_ratio"] = [
        math.log2((max(a, 0.5) / c) / (max(b, 0.5) / d)) if d else float("nan")
        for a, b, c, d in zip(counts["count"], counts["rest_count"], counts["c"], counts["d"])
    ]
    if method == "keyness":
        from scipy.stats import chi2

        counts["score"] = [log_likelihood(a, b, c, d) for a, b, c, d in
                           zip(counts["count"], counts["rest_count"], counts["c"], counts["d"])]
        counts["p_value"] = chi2.sf(counts["score"], 1)
        over = counts["count"] / counts["c"] > counts["rest_count"] / counts["d"].clip(lower=1)
        counts = counts[over]
    else:
        from sklearn.feature_extraction.text import TfidfTransformer
        from scipy.sparse import csr_matrix

        docs = sorted(counts["doc_id"].unique())
        vocab = sorted(set(zip(counts["term"], counts["n"])))
        di = {d: i for i, d in enumerate(docs)}
        vi = {v: i for i, v in enumerate(vocab)}
        m = csr_matrix(
            (counts["count"].to_numpy(), ([di[d] for d in counts["doc_id"]],
                                          [vi[(t, n)] for t, n in zip(counts["term"], counts["n"])])),
            shape=(len(docs), len(vocab)),
        )
        w = TfidfTransformer(smooth_idf=True, sublinear_tf=False).fit_transform(m)
        counts["score"] = [w[di[d], vi[(t, n)]] for d, t, n in zip(counts["doc_id"], counts["term"], counts["n"])]
    counts = counts[counts["count"] >= min_count]
    counts = _drop_subsumed(counts)
    counts = counts.sort_values(["doc_id", "score", "count", "term"], ascending=[True, False, False, True])
    counts["rank"] = counts.groupby("doc_id").cumcount() + 1
    counts = counts[counts["rank"] <= top_n]
    counts["score"] = counts["score"].round(4)
    counts["log_ratio"] = counts["log_ratio"].round(2)
    return counts[cols].reset_index(drop=True)


def _drop_subsumed(counts: pd.DataFrame) -> pd.DataFrame:
    """Drop an n-gram that only ever occurs inside one longer listed n-gram of the same document
    (same count): "world war" when "world war ii" is listed 4 times too."""
    if counts.empty or counts["n"].nunique() < 2:
        return counts
    keep = []
    for doc_id, grp in counts.groupby("doc_id", sort=False):
        longer = list(zip(grp["term"], grp["n"], grp["count"]))
        for idx, term, n, cnt in zip(grp.index, grp["term"], grp["n"], grp["count"]):
            padded = f" {term} "
            subsumed = any(m > n and c == cnt and padded in f" {t} " for t, m, c in longer)
            if not subsumed:
                keep.append(idx)
    return counts.loc[keep]


# --------------------------------------------------------------------------- keyword in context

def _clip_left(s: str, window: int) -> str:
    s = " ".join(s.split())
    if len(s) <= window:
        return s
    s = s[-window:]
    cut = s.find(" ")
    return "…" + (s[cut + 1 :] if 0 <= cut < len(s) // 2 else s)


def _clip_right(s: str, window: int) -> str:
    s = " ".join(s.split())
    if len(s) <= window:
        return s
    s = s[:window]
    cut = s.rfind(" ")
    return (s[:cut] if cut > len(s) // 2 else s) + "…"


def kwic(corpus, term: str, window: int = 60, match: str = "exact") -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` (a word or phrase) in the cleaned texts.

    Returns ``doc_id, sentence_id, start, end, left, keyword, right, sentence`` with ``start``/
    ``end`` offsets into ``doc.text`` and up to ``window`` characters of context each side (cut
    at a word). Matching is case-insensitive on whole tokens; ``match="stem"`` also finds
    inflected forms (alliance → alliances), ``"prefix"`` any word starting with the term.
    """
    if not isinstance(term, str) or not term.strip():
        raise ParameterError(f"kwic term={term!r} must be a non-empty word or phrase, e.g. 'alliance'.")
    if match not in MATCHES:
        raise ParameterError(f"match={match!r} is not one of {', '.join(MATCHES)}.")
    if not isinstance(window, int) or window < 10:
        raise ParameterError(f"window={window!r} must be an integer of at least 10 characters.")
    stem_fn = _text._cached_stem("porter") if match == "stem" else None

    @lru_cache(maxsize=65536)  # a corpus repeats the same words over and over
    def norm(tok: str) -> str:
        t = _text.normalize_token(tok)
        return stem_fn(t) if stem_fn is not None else t

    wanted = [norm(t) for t in _text.tokens(term, lower=True) if re.search(r"\w", t)]
    if not wanted:
        raise ParameterError(f"kwic term={term!r} holds no word to search for.")
    rows = []
    for doc in corpus:
        text = doc.text
        for s in doc.sentences:
            toks = [t for t in _text.tokenize(s.text, offset=s.start)]
            words = [t for t in toks if _HAS_WORD.search(t.text)]
            normed = [norm(t.text) for t in words]
            k = len(wanted)
            for i in range(len(words) - k + 1):
                cand = normed[i : i + k]
                if match == "prefix":
                    hit = cand[:-1] == wanted[:-1] and cand[-1].startswith(wanted[-1])
                else:
                    hit = cand == wanted
                if not hit:
                    continue
                start, end = words[i].start, words[i + k - 1].end
                # a phrase must not run over punctuation ("alliance, Japan" is not "alliance japan")
                if k > 1 and re.search(r"[^\w\s'’.-]", text[start:end]):
                    continue
                rows.append({
                    "doc_id": doc.doc_id, "sentence_id": s.sentence_id, "start": start, "end": end,
                    "left": _clip_left(text[max(0, start - window * 2) : start], window),
                    "keyword": text[start:end],
                    "right": _clip_right(text[end : end + window * 2], window),
                    "sentence": s.text,
                })
    return pd.DataFrame(rows, columns=["doc_id", "sentence_id", "start", "end", "left", "keyword", "right", "sentence"])


# --------------------------------------------------------------------------- co-occurrence

def cooccurrence_pairs(labels: pd.DataFrame, label_col: str = "label") -> pd.DataFrame:
    """One row per sentence and unordered pair of distinct labels in it: ``doc_id, sentence_id, a, b``."""
    # plain lists, not DataFrame.groupby: a large corpus has hundreds of thousands of sentences,
    # and pandas' per-group objects cost far more than the pairs themselves
    groups: dict[tuple, set] = {}
    for doc_id, sid, lab in zip(labels["doc_id"].tolist(), labels["sentence_id"].tolist(), labels[label_col].tolist()):
        if pd.isna(doc_id) or pd.isna(sid):  # as groupby, rows without a sentence are left out
            continue
        groups.setdefault((doc_id, sid), set()).add(lab)
    rows = [(doc_id, sid, a, b) for (doc_id, sid) in sorted(groups)
            for a, b in itertools.combinations(sorted(groups[(doc_id, sid)]), 2)]
    return pd.DataFrame(rows, columns=["doc_id", "sentence_id", "a", "b"])


def cooccurrence_table(labels: pd.DataFrame, label_col: str = "label") -> pd.DataFrame:
    """Pairs of labels named in the same sentence: ``a, b, sentences, documents``, most frequent first.

    ``labels`` is a tidy table with ``doc_id, sentence_id`` and ``label_col`` (e.g.
    :func:`trilat_lib.countries.country_mentions`, ``label_col="country"``).
    """
    pairs = cooccurrence_pairs(labels.dropna(subset=["sentence_id"]), label_col)
    if pairs.empty:
        return pd.DataFrame(columns=["a", "b", "sentences", "documents"])
    g = pairs.groupby(["a", "b"]).agg(sentences=("sentence_id", "size"), documents=("doc_id", "nunique")).reset_index()
    return g.sort_values(["sentences", "documents", "a", "b"], ascending=[False, False, True, True]).reset_index(drop=True)


def cooccurrence_matrix(labels: pd.DataFrame, label_col: str = "label", min_sentences: int = 1) -> pd.DataFrame:
    """Square table: cell (a, b) = number of sentences naming both; diagonal = sentences naming a.

    Labels named in fewer than ``min_sentences`` sentences are left out; rows/columns are
    ordered by how many sentences name them.
    """
    per_sentence = labels.dropna(subset=["sentence_id"]).drop_duplicates(["doc_id", "sentence_id", label_col])
    freq = per_sentence[label_col].value_counts()
    keep = sorted(freq[freq >= min_sentences].index, key=lambda x: (-freq[x], x))
    mat = pd.DataFrame(0, index=keep, columns=keep, dtype=int)
    for lab in keep:
        mat.loc[lab, lab] = int(freq[lab])
    pairs = cooccurrence_pairs(per_sentence[per_sentence[label_col].isin(keep)], label_col)
    for (a, b), k in Counter(zip(pairs["a"], pairs["b"])).items():
        mat.loc[a, b] += k
        mat.loc[b, a] += k
    mat.index.name = label_col
    return mat
