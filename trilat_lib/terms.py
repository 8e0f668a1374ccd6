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

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

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


_SKIP = object()  # a token that vanishes when normalised (none does with the shipped tokeniser)


class _Lexicon(dict):
    """How n-grams see each distinct raw token, worked out once: ``lex[token]`` is its (stemmed)
    lower-case form, ``None`` if it ends a phrase (punctuation; a number unless ``keep_numbers``)
    or ``_SKIP``; ``lex.edges`` holds the tokens an n-gram may start or end with."""

    def __init__(self, stop_words: frozenset[str], keep_numbers: bool, stem: str | None):
        super().__init__()
        self.sw, self.keep_numbers = stop_words, keep_numbers
        self.stem_fn = _text._cached_stem(stem) if stem else None
        self.edges: set[str] = set()
        self.skips = False  # any _SKIP token met? then sentences filter them out

    def __missing__(self, tok: str):
        # as phrases(): punctuation and non-words break a phrase; a number breaks every n-gram
        # that would hold it when numbers are dropped
        w = None if len(tok) == 1 and not _HAS_WORD.match(tok) else _text.normalize_token(tok)
        if w == "":
            w, self.skips = _SKIP, True
        elif w is None or not _HAS_WORD.search(w) or (not self.keep_numbers and _is_number(w)):
            w = None
        else:
            if w not in self.sw and len(w) >= 2:
                self.edges.add(tok)
            w = self.stem_fn(w) if self.stem_fn else w
        self[tok] = w
        return w


def _sentence_terms(text: str, sizes: tuple[int, ...], lex: _Lexicon) -> list[list[str]]:
    """The n-grams of one sentence for each size in ``sizes`` (see :func:`sentence_ngrams`)."""
    toks = _text._TOKEN_RE.findall(text)
    forms = [lex[t] for t in toks]
    if lex.skips:
        toks = [t for t, f in zip(toks, forms) if f is not _SKIP]
        forms = [f for f in forms if f is not _SKIP]
    edges = [i for i, t in enumerate(toks) if t in lex.edges]  # where an n-gram may start or end
    is_edge = set(edges)
    return [[forms[i] for i in edges] if n == 1 else
            [forms[i] + " " + forms[i + 1] for i in edges if i + 1 in is_edge] if n == 2 else
            [" ".join(forms[i : i + n]) for i in edges if i + n - 1 in is_edge and None not in forms[i + 1 : i + n - 1]]
            for n in sizes]


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
    return _sentence_terms(text, (n,), _Lexicon(sw, keep_numbers, stem))[0]


def ngram_table(
    corpus,
    sizes: int | Iterable[int] = (1, 2),
    keep_numbers: bool = False,
    stem: str | None = None,
) -> pd.DataFrame:
    """One row per n-gram occurrence: ``doc_id, sentence_id, n, term``."""
    sizes = _check_sizes(sizes)
    lex = _Lexicon(_text.stopwords(), keep_numbers, stem)  # shared: a corpus repeats its words
    doc_ids, runs, grams_ = [], [], []  # runs: (document, sentence_id, n, n-grams) per sentence and size
    for doc in corpus:
        doc_ids.append(doc.doc_id)
        for s in doc.sentences:
            for n, grams in zip(sizes, _sentence_terms(s.text, sizes, lex)):
                if grams:
                    grams_ += grams
                    runs.append((len(doc_ids) - 1, s.sentence_id, n, len(grams)))
    if not grams_:
        return pd.DataFrame([], columns=["doc_id", "sentence_id", "n", "term"])
    doc, sid, n, k = np.array(runs, dtype=np.int64).T
    return pd.DataFrame({"doc_id": pd.Index(doc_ids)[np.repeat(doc, k)], "sentence_id": np.repeat(sid, k),
                         "n": np.repeat(n, k), "term": grams_})


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
    # = groupby(["n", "term"]).agg(count=size, documents=nunique) with integer codes: faster
    n_code, sizes = pd.factorize(table["n"])
    t_code, vocab = pd.factorize(table["term"])
    d_code, docs = pd.factorize(table["doc_id"])
    ok = (n_code >= 0) & (t_code >= 0)  # rows without a size or term are left out, as by groupby
    key, d_code = t_code[ok] * len(sizes) + n_code[ok], d_code[ok]
    count = np.bincount(key, minlength=len(vocab) * len(sizes))
    with_doc = d_code >= 0
    pairs = csr_matrix((np.ones(with_doc.sum(), dtype=np.int64), (key[with_doc], d_code[with_doc])),
                       shape=(len(count), max(len(docs), 1)))
    pairs.sum_duplicates()  # one entry per (term, document)
    found = np.flatnonzero(count)
    g = pd.DataFrame({"n": sizes[found % len(sizes)], "term": vocab[found // len(sizes)],
                      "count": count[found], "documents": np.diff(pairs.indptr)[found].astype(np.int64)})
    totals = np.bincount(n_code[n_code >= 0], minlength=len(sizes))
    g["per_10k"] = (g["count"] / totals[found % len(sizes)] * 10_000).round(1)
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
            raise ParameterError(
                f"distinctive terms compare documents with each other and need at least 2 documents with words, "
                f"but only {table['doc_id'].iloc[0]!r} has any: the corpus has one document, or the others are "
                "empty after cleaning (see the loading warnings, corpus.to_frame()['chars'] and corpus.audit()).")
        return pd.DataFrame(columns=cols)
    # counts per (document, term, n), as a sparse document × (term, n) matrix of sorted codes:
    # the numbers (and order) of groupby(["doc_id", "term", "n"]).size(), several times faster
    (d_code, docs), (t_code, vocab), (n_code, ns) = (pd.factorize(table[k], sort=True) for k in ("doc_id", "term", "n"))
    ok = (d_code >= 0) & (t_code >= 0) & (n_code >= 0)  # as groupby, rows with a missing key are left out
    tn_code = t_code[ok] * len(ns) + n_code[ok]
    m = csr_matrix((np.ones(len(tn_code), dtype=np.int64), (d_code[ok], tn_code)),
                   shape=(len(docs), len(vocab) * len(ns)))
    m.sum_duplicates()
    doc_i, tn_i, a = np.repeat(np.arange(len(docs)), np.diff(m.indptr)), m.indices, m.data
    b = np.bincount(tn_code, minlength=m.shape[1])[tn_i] - a  # count in the other documents
    doc_tokens = np.bincount(d_code[d_code >= 0], minlength=len(docs))
    c = doc_tokens[doc_i]
    d = int(doc_tokens.sum()) - c
    # keyness lists only terms over-used in the document: the others are left out right away
    keep = (a / c > b / np.maximum(d, 1)) & (a >= min_count) if method == "keyness" else slice(None)
    counts = pd.DataFrame({"doc_id": docs[doc_i[keep]], "term": vocab[tn_i[keep] // len(ns)],
                           "n": ns[tn_i[keep] % len(ns)], "count": a[keep], "rest_count": b[keep],
                           "c": c[keep], "d": d[keep]})
    if method == "keyness":
        counts["score"] = _log_likelihoods(*(counts[k].to_numpy() for k in ("count", "rest_count", "c", "d")))
    else:
        from sklearn.feature_extraction.text import TfidfTransformer

        doc_ids, keys = counts["doc_id"].tolist(), list(zip(counts["term"].tolist(), counts["n"].tolist()))
        di = {d: i for i, d in enumerate(sorted(set(doc_ids)))}
        vi = {v: i for i, v in enumerate(sorted(set(keys)))}
        rows = np.array([di[d] for d in doc_ids], dtype=np.int64)
        cols_ = np.array([vi[k] for k in keys], dtype=np.int64)
        m = csr_matrix((counts["count"].to_numpy(), (rows, cols_)), shape=(len(di), len(vi)))
        w = TfidfTransformer(smooth_idf=True, sublinear_tf=False).fit_transform(m)
        counts["score"] = np.asarray(w[rows, cols_]).ravel()
        counts = counts[counts["count"] >= min_count]
    counts = _drop_subsumed(counts)
    counts = counts.sort_values(["doc_id", "score", "count", "term"], ascending=[True, False, False, True])
    counts["rank"] = counts.groupby("doc_id").cumcount() + 1
    counts = counts[counts["rank"] <= top_n]
    # the per-row measures only for the rows listed
    counts["per_10k"] = (counts["count"] / counts["c"] * 10_000).round(1)
    counts["rest_per_10k"] = (counts["rest_count"] / counts["d"].clip(lower=1) * 10_000).round(1)
    counts["log_ratio"] = np.array([
        math.log2((max(a, 0.5) / c) / (max(b, 0.5) / d)) if d else float("nan")
        for a, b, c, d in zip(counts["count"], counts["rest_count"], counts["c"], counts["d"])
    ], dtype=float).round(2)
    if method == "keyness":
        from scipy.stats import chi2

        counts["p_value"] = chi2.sf(counts["score"], 1)
    counts["score"] = counts["score"].round(4)
    return counts[cols].reset_index(drop=True)


def _log_likelihoods(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """:func:`log_likelihood` of integer count arrays: the same floating-point operations, and
    ``math.log``, so scores (and ties between them) are exactly those of the scalar function."""
    g2 = np.zeros(len(a))
    ok = (c > 0) & (d > 0)
    a, b, c, d = a[ok], b[ok], c[ok], d[ok]
    part = np.zeros((2, len(a)))
    for k, (x, y) in enumerate(((a, c), (b, d))):  # x * log(x / expected), for x > 0
        pos = x > 0
        ratio = x[pos] / (y[pos] * (a[pos] + b[pos]) / (c[pos] + d[pos]))
        part[k, pos] = x[pos] * np.fromiter(map(math.log, ratio.tolist()), float, len(ratio))
    g2[ok] = 2.0 * (part[0] + part[1])
    return g2


def _drop_subsumed(counts: pd.DataFrame) -> pd.DataFrame:
    """Drop an n-gram that only ever occurs inside one longer listed n-gram of the same document
    (same count): "world war" when "world war ii" is listed 4 times too."""
    if counts.empty or counts["n"].nunique() < 2:
        return counts
    # per distinct term: the listed terms it holds as a run of words (itself included), by code
    t_code, vocab = pd.factorize(counts["term"])
    code = {t: i for i, t in enumerate(vocab.tolist())}
    inside = []
    for t in vocab.tolist():
        w = t.split(" ")
        runs = (code.get(" ".join(w[i:j])) for i in range(len(w)) for j in range(i + 1, len(w) + 1))
        inside.append([k for k in runs if k is not None])
    sizes = np.array([len(x) for x in inside])
    flat = np.fromiter(itertools.chain.from_iterable(inside), np.int64, int(sizes.sum()))
    # one (row, held term) pair per listed term and each term it holds
    per_row = sizes[t_code]
    row = np.repeat(np.arange(len(counts)), per_row)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])[t_code]
    held = flat[np.repeat(starts - np.cumsum(per_row) + per_row, per_row) + np.arange(len(row))]
    # (document, count) groups; a row is subsumed if a larger n of its group holds its term
    cnt = counts["count"].to_numpy()
    group = pd.factorize(counts["doc_id"])[0].astype(np.int64) * (int(cnt.max()) + 1) + cnt
    n = counts["n"].to_numpy()
    largest = pd.Series(n[row]).groupby(group[row] * len(vocab) + held).max()
    return counts[largest.reindex(group * len(vocab) + t_code).to_numpy() <= n]


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
    k = len(wanted)
    opens = (lambda w: w.startswith(wanted[0])) if match == "prefix" and k == 1 else wanted[0].__eq__
    seen: set[str] = set()  # distinct raw tokens met so far ...
    openers: set[str] = set()  # ... and those a match can start with: only their sentences are searched
    rows = []
    for doc in corpus:
        text = doc.text
        for s in doc.sentences:
            raw = set(_text._TOKEN_RE.findall(s.text))
            if not raw <= seen:
                openers.update(t for t in raw - seen if _HAS_WORD.search(t) and opens(norm(t)))
                seen |= raw
            if openers.isdisjoint(raw):
                continue
            toks = [t for t in _text.tokenize(s.text, offset=s.start)]
            words = [t for t in toks if _HAS_WORD.search(t.text)]
            normed = [norm(t.text) for t in words]
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
    placed = (labels["doc_id"].notna() & labels["sentence_id"].notna()).tolist()  # as groupby, rows
    rows = zip(labels["doc_id"].tolist(), labels["sentence_id"].tolist(), labels[label_col].tolist())
    for doc_id, sid, lab in itertools.compress(rows, placed):  # without a sentence are left out
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
    for (a, b), k in Counter(zip(pairs["a"].tolist(), pairs["b"].tolist())).items():
        mat.loc[a, b] += k
        mat.loc[b, a] += k
    mat.index.name = label_col
    return mat
