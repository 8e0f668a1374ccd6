"""Topic models over passages, and the measures used to judge them.

:class:`TopicModel` follows scikit-learn conventions (parameters in ``__init__``, work in
``fit``, results in attributes ending in ``_``). Articles are few and long, so the model is
fitted on *passages* (paragraphs, windows of sentences, or whole documents) and the passage
weights are aggregated back to documents, outlets and publication dates. Every passage keeps
its ``doc_id`` and the range of ``sentence_id`` it covers.

Vocabulary: stop words (:func:`trilat_lib.text.stopwords`), numbers, boilerplate lines and very
rare/very common terms are removed. Optionally, frequent collocations ("north korea", "supply
chain") are merged into one term before counting (``phrases=True``) and true plurals folded onto
their singular (``fold_plurals=True``). Both are off by default: on BBC News, scored against the
raw articles (``python -m benchmarks.topics_bbc --ablate``), each cost NPMI coherence. All of it
is set by parameters.

Measures (all pure functions, usable on any model's top words):

* :func:`npmi_coherence` – NPMI of top-10 word pairs, computed exactly like gensim's
  ``CoherenceModel(coherence="c_npmi")`` that OCTIS and the BERTopic paper use: boolean sliding
  windows of 10 tokens over the reference texts (or whole texts with ``window="document"``),
  ``NPMI = log((p_ij + eps) / (p_i p_j)) / -log(p_ij + eps)`` with ``eps = 1e-12``, so a pair
  that never co-occurs scores close to -1 instead of being skipped; mean over pairs, then topics.
* :func:`topic_diversity` – share of unique words among all topics' top-``n`` words.
* :func:`topic_similarity` – mean Jaccard overlap of top words after optimally matching the
  topics of two runs; :meth:`TopicModel` uses it for stability across seeds and resamples.
"""
from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import text as _text
from .errors import ParameterError

EPSILON = 1e-12  # gensim's smoothing constant in (N)PMI
METHODS = ("nmf", "lda")
UNITS = ("paragraph", "sentences", "document")
PASSAGE_UNITS = ("auto", *UNITS)  # what TopicModel(passage_unit=...) accepts
# passage_unit="auto": whole documents from this many documents on, paragraphs below. On BBC News
# (2,225 articles, benchmarks/topics_bbc.py) whole documents gave topics at least as coherent as
# paragraphs at a fifteenth of the fit time; a handful of long articles needs paragraphs to have
# enough units for several topics.
AUTO_DOCUMENT_MIN = 500

# Lines that are page furniture rather than reporting; removed before tokenising.
DEFAULT_BOILERPLATE = (
    r"(?im)^\s*(advertisement|sponsored content|read more|related( articles| stories)?|"
    r"share (this|on).*|sign up.*|subscribe.*|follow us.*|all rights reserved.*|"
    r"copyright .*|©.*|click here.*|image (source|caption).*|photo:.*)\s*$"
)

# --------------------------------------------------------------------------- measures


def _check_topics(topics: Sequence[Sequence[str]], name: str = "topics") -> list[list[str]]:
    out = [list(t) for t in topics]
    if not out or any(len(t) == 0 for t in out):
        raise ParameterError(f"{name} must be a non-empty list of non-empty word lists.")
    return out


def _check_window(window: int | str) -> None:
    if not (window == "document" or (isinstance(window, int) and window >= 2)):
        raise ParameterError(f"window={window!r}: use an integer >= 2 (sliding window) or 'document'.")


def _window_presence(
    topics: list[list[str]], reference: Iterable[Sequence[str]], window: int | str
) -> tuple[dict[str, int], np.ndarray, int]:
    """Count, per window, which topic words are present (gensim's boolean sliding window).

    Returns the word index, the co-occurrence matrix (diagonal = occurrence counts) and the
    number of windows. Like gensim (>= 4.2), every text counts, a text shorter than the window
    is one window, and the window slides one token at a time. The counts of a pair of words do
    not depend on the other words counted, so one call can serve several sets of topics.
    """
    from scipy import sparse

    words = sorted({w for t in topics for w in t})
    index = {w: i for i, w in enumerate(words)}
    # one row per run of consecutive windows with the same words present, weighted by its length:
    # the set changes only where a topic word enters or leaves the window
    rows: list[int] = []
    cols: list[int] = []
    weights: list[int] = []
    n_windows = 0

    def run(present, length: int) -> None:
        if present and length:
            cols.extend(present)
            rows.extend([len(weights)] * len(present))
            weights.append(length)

    for toks in reference:
        hits = {p: i for p, w in enumerate(toks) if (i := index.get(w)) is not None}  # position -> word
        n = 1 if window == "document" else max(1, len(toks) - window + 1)  # windows of this text
        n_windows += n
        if not hits:  # no topic word: its windows still count in N (gensim >= 4.2; older gensim skipped them)
            continue
        if n == 1:
            run(set(hits.values()), 1)
            continue
        # gensim's WordOccurrenceAccumulator._slide_window, at window t >= 1: drop the token that
        # left (position t - 1), even if it still occurs inside the window, then add the one that
        # entered (position t + window - 1)
        state = {i for p, i in hits.items() if p < window}
        steps = sorted({p + 1 for p in hits if p + 1 < n} | {p - window + 1 for p in hits if 0 < p - window + 1 < n})
        start = 0
        for t in steps:
            run(state, t - start)
            state.discard(hits.get(t - 1))
            if (new := hits.get(t + window - 1)) is not None:
                state.add(new)
            start = t
        run(state, n - start)
    n_words = len(words)
    if n_windows == 0:
        return index, np.zeros((n_words, n_words)), 0
    presence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(weights), n_words))
    weighted = sparse.csr_matrix((np.asarray(weights, dtype=np.float64)[rows], (rows, cols)),
                                 shape=(len(weights), n_words))
    co = (weighted.T @ presence).toarray()  # integer counts, exact in float64
    return index, co, n_windows


def _npmi_scores(tops: list[list[str]], index: dict[str, int], co: np.ndarray, n: int) -> np.ndarray:
    """NPMI of each topic from the window counts of :func:`_window_presence`."""
    if n == 0:
        raise ParameterError("reference: none of the topic words occurs in the reference texts.")
    scores = []
    for t in tops:
        vals = []
        for a in range(len(t)):
            for b in range(a + 1, len(t)):
                i, j = index[t[a]], index[t[b]]
                ni, nj, nij = co[i, i], co[j, j], co[i, j]
                if ni == 0 or nj == 0:
                    vals.append(-1.0)
                    continue
                p_ij = nij / n
                pmi = math.log((p_ij + EPSILON) / ((ni / n) * (nj / n)))
                vals.append(pmi / -math.log(p_ij + EPSILON))
        scores.append(float(np.mean(vals)) if vals else float("nan"))
    return np.asarray(scores)


def npmi_per_topic(
    topics: Sequence[Sequence[str]],
    reference: Iterable[Sequence[str]],
    top_n: int = 10,
    window: int | str = 10,
) -> np.ndarray:
    """NPMI coherence of each topic's top ``top_n`` words against tokenised ``reference`` texts.

    ``window=10`` (default) is gensim's ``c_npmi`` boolean sliding window of 10 tokens, the
    setting behind OCTIS and the BERTopic paper; ``window="document"`` counts co-occurrence in
    whole texts (higher values, not comparable with those papers). For each pair of top words,
    ``NPMI = log((n_ij/N + 1e-12) / (n_i/N * n_j/N)) / -log(n_ij/N + 1e-12)`` where ``N`` is the
    number of windows and ``n`` window counts; a pair never seen together scores about -1.
    A word absent from the reference makes every pair it belongs to score -1 (gensim errors).
    The topic's score is the mean over its word pairs.
    """
    _check_window(window)
    if top_n < 2:
        raise ParameterError(f"top_n={top_n}: NPMI needs at least 2 words per topic.")
    tops = [t[:top_n] for t in _check_topics(topics)]
    if isinstance(reference, (str, bytes)):
        raise ParameterError("reference must be a list of token lists, not a string.")
    return _npmi_scores(tops, *_window_presence(tops, reference, window))


def npmi_coherence(
    topics: Sequence[Sequence[str]],
    reference: Iterable[Sequence[str]],
    top_n: int = 10,
    window: int | str = 10,
) -> float:
    """Mean NPMI over topics (see :func:`npmi_per_topic`), as gensim/OCTIS report it."""
    return float(np.nanmean(npmi_per_topic(topics, reference, top_n=top_n, window=window)))


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int = 25) -> float:
    """Share of unique words among all topics' top ``top_n`` words (1.0 = no word repeated).

    Same formula as OCTIS ``TopicDiversity``: ``|union of top-n sets| / (n * n_topics)``.
    """
    tops = [t[:top_n] for t in _check_topics(topics)]
    return len({w for t in tops for w in t}) / (top_n * len(tops))


def topic_similarity(
    topics_a: Sequence[Sequence[str]], topics_b: Sequence[Sequence[str]], top_n: int = 10
) -> float:
    """How alike two runs' topics are: mean Jaccard of top-``top_n`` word sets after matching
    each topic of ``topics_a`` to one of ``topics_b`` (Hungarian assignment, best total)."""
    from scipy.optimize import linear_sum_assignment

    a = [set(t[:top_n]) for t in _check_topics(topics_a, "topics_a")]
    b = [set(t[:top_n]) for t in _check_topics(topics_b, "topics_b")]
    sim = np.array([[len(x & y) / len(x | y) for y in b] for x in a])
    r, c = linear_sum_assignment(-sim)
    return float(sim[r, c].sum() / max(len(a), len(b)))


# --------------------------------------------------------------------------- passages


@dataclass
class _TextDoc:
    """A plain string wrapped to look like a :class:`trilat_lib.Document`."""

    doc_id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    date_precision: str | None = None
    _sentences: list | None = field(default=None, repr=False)

    @property
    def sentences(self) -> list[_text.Sentence]:
        if self._sentences is None:
            self._sentences = _text.sentences(self.text)
        return self._sentences


def _as_documents(texts: Any, name: str = "texts") -> list:
    """Accept a Corpus / list of Documents or a list of strings (ids "0", "1", ...)."""
    if isinstance(texts, (str, bytes)):
        raise ParameterError(f"{name} must be a list of texts or a Corpus, not a single string.")
    if isinstance(texts, pd.Series):
        texts = texts.tolist()
    try:
        items = list(texts)
    except TypeError:
        raise ParameterError(f"{name} must be a list of texts or a Corpus; got {type(texts).__name__}.") from None
    if not items:
        raise ParameterError(f"{name} is empty: pass at least one document.")
    docs = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            docs.append(_TextDoc(str(i), item))
        elif hasattr(item, "doc_id") and hasattr(item, "text"):
            docs.append(item)
        else:
            raise ParameterError(f"{name}[{i}] is a {type(item).__name__}; pass strings or Documents.")
    return docs


def make_passages(
    documents: Any, unit: str = "paragraph", size: int = 3, min_words: int = 8
) -> pd.DataFrame:
    """Split documents into passages, one row each, keeping where they came from.

    ``unit="paragraph"`` uses the document's paragraphs (as its sentences record them),
    ``"sentences"`` non-overlapping windows of ``size`` sentences, ``"document"`` whole texts.
    A passage shorter than ``min_words`` words is merged into the next one of the same
    document (or the previous one at the end). Columns: ``doc_id``, ``passage_id``,
    ``sentence_id`` (first sentence), ``sentence_id_end`` (last, inclusive; missing for plain
    strings with ``unit="document"``, which are not sentence-split), ``text``, ``n_words``.
    """
    if unit not in UNITS:
        raise ParameterError(f"passage_unit={unit!r}: use one of {', '.join(UNITS)}.")
    if unit == "sentences" and (not isinstance(size, int) or size < 1):
        raise ParameterError(f"passage_size={size!r}: use a positive number of sentences.")
    docs = _as_documents(documents)
    rows = []
    for doc in docs:
        if unit == "document":
            if isinstance(doc, _TextDoc) and doc._sentences is None:
                last = pd.NA  # plain strings are not sentence-split when modelled whole (speed)
            else:
                last = max(len(doc.sentences) - 1, 0)
            groups = [(0, last, doc.text)]
        else:
            sents = doc.sentences
            if not sents:
                continue
            if unit == "paragraph":
                blocks: list[list] = []
                for s in sents:
                    if blocks and blocks[-1][-1].paragraph_id == s.paragraph_id:
                        blocks[-1].append(s)
                    else:
                        blocks.append([s])
            else:
                blocks = [sents[i : i + size] for i in range(0, len(sents), size)]
            groups = [(b[0].sentence_id, b[-1].sentence_id, doc.text[b[0].start : b[-1].end]) for b in blocks]
            # merge short passages forward (and a short last one backward)
            merged: list[list] = []
            carry = None
            for g in groups:
                if carry is not None:
                    g = (carry[0], g[1], doc.text[sents[carry[0]].start : sents[g[1]].end])
                    carry = None
                if len(g[2].split()) < min_words:
                    carry = g
                else:
                    merged.append(list(g))
            if carry is not None:
                if merged:
                    merged[-1] = [merged[-1][0], carry[1], doc.text[sents[merged[-1][0]].start : sents[carry[1]].end]]
                else:
                    merged.append(list(carry))
            groups = [tuple(g) for g in merged]
        for start, end, txt in groups:
            rows.append({"doc_id": doc.doc_id, "sentence_id": start, "sentence_id_end": end,
                         "text": txt, "n_words": len(txt.split())})
    df = pd.DataFrame(rows, columns=["doc_id", "sentence_id", "sentence_id_end", "text", "n_words"])
    df.insert(1, "passage_id", range(len(df)))
    return df


# --------------------------------------------------------------------------- vocabulary


# Words ending in -s that are not plurals, or whose singular means something else ("goods" is
# not more than one "good", "arms" not arms of the body); never folded. Also never folded: words
# ending in -ss/-us/-is/-ics/-ous ("business", "status", "crisis", "physics", "various").
NOT_PLURALS = frozenset("""
    does goes has was is this his hers its ours yours theirs thus plus yes unless always perhaps whereas
    besides sometimes afterwards nevertheless towards lots news series species means headquarters
    goods arms customs savings earnings clothes thanks glasses times affairs securities damages
    olympics politics economics physics athletics mathematics lens chaos bias alias atlas canvas
    leaves saves
""".split())
# -ves plurals of -f/-fe nouns; any other -ves word folds by dropping the "s" ("moves" -> "move")
_VES = {"lives": "life", "wives": "wife", "knives": "knife", "wolves": "wolf", "halves": "half",
        "shelves": "shelf", "thieves": "thief", "calves": "calf"}
_SENTENCE_START = frozenset('.!?:;"“”‘’\'(—–-')  # tokens after which a capital says nothing
_ES_AFTER = ("ches", "shes", "sses", "xes", "zes")  # "taxes" -> "tax", "churches" -> "church"


def plural_singular(word: str, vocabulary: Any) -> str | None:
    """The singular that the plural ``word`` folds onto, or ``None`` to leave it alone.

    Rule-based and conservative: only a word that looks like a regular English plural and whose
    singular also occurs in ``vocabulary`` (any container of words) is folded. Never folded:
    :data:`NOT_PLURALS` (verbs such as "does"/"goes", pluralia tantum such as "news", "goods"),
    words of three letters or fewer, and words ending in -ss, -us, -is, -ics or -ous. Candidates,
    first match wins: -ies → -y or -ie ("policies", "movies"); -oes → -oe or -o ("shoes",
    "heroes"); after ch/sh/ss/x/z drop -es ("taxes"), else -s; -ves → -f/-fe for the usual nouns ("lives"), else drop -s.
    """
    w = word
    if (len(w) <= 3 or not w.endswith("s") or w in NOT_PLURALS
            or w.endswith(("ss", "us", "is", "ics", "ous", "'s", "’s"))):
        return None
    if w.endswith("ies"):
        cands = [w[:-3] + "y", w[:-1]]
    elif w.endswith("oes"):
        cands = [w[:-1], w[:-2]]  # "shoes", "toes"; "heroes"
    elif w.endswith(_ES_AFTER):
        cands = [w[:-2], w[:-1]]
    elif w in _VES:
        cands = [_VES[w]]
    else:
        cands = [w[:-1]]
    return next((c for c in cands if len(c) > 2 and c in vocabulary), None)


def plural_map(counts: Any, capitalised: dict[str, float] | None = None) -> dict[str, str]:
    """``{plural: singular}`` for the words of ``counts`` (any container of words) that
    :func:`plural_singular` folds. ``capitalised`` (share of a word's occurrences written with a
    capital) keeps names out: a plural written with a capital most of the time ("Windows",
    "Times", "Williams") is a name, not a plural, and is left alone."""
    cap = capitalised or {}
    out = {}
    for w in counts:
        if cap.get(w, 0.0) > 0.5:
            continue
        s = plural_singular(w, counts)
        if s is not None:
            out[w] = s
    return out


class _TermMemo(dict):
    """``memo[token]`` = ``term(token)``, computed on first use."""

    def __init__(self, term):
        super().__init__()
        self.term = term

    def __missing__(self, token: str):
        value = self[token] = self.term(token)
        return value


class _Analyzer:
    """Turns passage text into terms: boilerplate, stop words, numbers removed, plurals folded,
    collocations merged into phrases. Learnt state (phrases, plural map) comes from ``fit``."""

    def __init__(self, stop_words: frozenset[str], keep_numbers: bool, min_word_len: int,
                 boilerplate: str | None, phrases: bool, phrase_min_count: int,
                 phrase_threshold: float, fold_plurals: bool, stop_phrases: Sequence[Sequence[str]] = ()):
        self.stop_words = stop_words
        self.keep_numbers = keep_numbers
        self.min_word_len = min_word_len
        self.boilerplate = re.compile(boilerplate) if boilerplate else None
        # multi-word stop entries ("united states"): their words are cut out wherever they occur in
        # that order, across spaces/hyphens, with an optional possessive ("United States'", "U.S.-Japan" no)
        self.stop_phrases = (re.compile(
            r"(?<!\w)(?:" + "|".join(r"[\s\-–—]+".join(re.escape(w) for w in ph) for ph in
                                  sorted(stop_phrases, key=len, reverse=True)) + r")(?:['’]s?)?(?!\w)",
            re.IGNORECASE) if stop_phrases else None)
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.fold_plurals = fold_plurals
        self.phrases_: dict[tuple[str, str], float] = {}
        self.plural_map_: dict[str, str] = {}
        # memos: the terms of each distinct token and of each distinct whitespace-separated chunk
        # (tokens never span whitespace, so a text's tokens are its chunks' tokens in order)
        self._terms = _TermMemo(self._term)
        self._chunks = _TermMemo(self._chunk_terms)

    def _term(self, token: str) -> str | None:
        """The term a raw token becomes, ``None`` if it breaks the run (stop word, number, punctuation):
        the token as :func:`trilat_lib.text.tokens` returns it (``lower=True, keep_punct=True``), filtered."""
        w = _text.normalize_token(token)  # punctuation has no letter either way
        if (
            w in self.stop_words
            or not any(ch.isalpha() for ch in w)
            or (not self.keep_numbers and w.lstrip("$")[:1].isdigit())
            or len(w) < self.min_word_len
        ):
            return None
        return w

    def _chunk_terms(self, chunk: str) -> list[str | None]:
        return [self._terms[t] for t in _text._TOKEN_RE.findall(chunk)]  # the tokens text.tokens() normalises

    def _raw(self, txt: str) -> list[str | None]:
        """Content tokens with ``None`` where a stop word, number or punctuation broke the run."""
        if self.boilerplate is not None:
            txt = self.boilerplate.sub(" ", txt)
        if self.stop_phrases is not None:
            txt = self.stop_phrases.sub(" | ", txt)  # a break: no phrase spans the gap
        seq = [w for chunk in txt.split() for w in self._chunks[chunk]]
        # a break is kept only right after a term: runs of breaks collapse, none leads
        return [w for w, prev in zip(seq, [None, *seq]) if w is not None or prev is not None]

    def _merge(self, seq: list[str | None]) -> list[str]:
        out: list[str] = []
        i, n = 0, len(seq)
        ph = self.phrases_
        while i < n:
            w = seq[i]
            if w is None:
                i += 1
                continue
            if i + 1 < n and seq[i + 1] is not None and (w, seq[i + 1]) in ph:
                out.append(f"{w} {seq[i + 1]}")
                i += 2
            else:
                out.append(w)
                i += 1
        return out

    @staticmethod
    def _capitalised(words: Any, texts: Iterable[str]) -> dict[str, float]:
        """Share of the occurrences of each -s word of ``words`` written with a capital, not
        counting sentence starts (after . ! ? : quotes or a line break, where every word has one)."""
        total: Counter = Counter()
        cap: Counter = Counter()
        for txt in texts:
            for line in txt.splitlines():
                prev = "."
                for tok in _text._TOKEN_RE.findall(line):
                    if tok[-1:] in "sS" and len(tok) > 3 and prev not in _SENTENCE_START:
                        w = _text.normalize_token(tok)
                        if w in words:
                            total[w] += 1
                            cap[w] += tok[0].isupper()
                    prev = tok
        return {w: cap[w] / n for w, n in total.items()}

    def fit_transform(self, texts: Sequence[str]) -> list[list[str]]:
        # A corpus repeats passages (syndication, boilerplate): each distinct one is analysed once
        # (copies share one token list), but the phrase counts see every copy.
        raw_of = {t: self._raw(t) for t in dict.fromkeys(texts)}
        if self.phrases:  # phrases first, on the words as written ("united states" stays whole)
            raw = [raw_of[t] for t in texts]
            uni = Counter(w for seq in raw for w in seq if w is not None)
            bi: Counter = Counter()
            for seq in raw:
                bi.update((a, b) for a, b in zip(seq, seq[1:]) if a is not None and b is not None)
            total = sum(uni.values())
            ph = {}
            for (a, b), c in bi.items():
                if c < self.phrase_min_count:
                    continue
                p_ab, p_a, p_b = c / total, uni[a] / total, uni[b] / total
                score = math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)  # gensim's npmi phrase scorer
                if score >= self.phrase_threshold:
                    ph[(a, b)] = score
            self.phrases_ = ph
        merged = {t: self._merge(seq) for t, seq in raw_of.items()}
        if self.fold_plurals:  # then single words: "sanctions" -> "sanction" when both occur
            uni = Counter(w for t in texts for w in merged[t] if " " not in w)
            pm = plural_map(uni, capitalised=self._capitalised(uni, raw_of))
            # a phrase whose last word is plural folds onto its singular phrase ("supply chains")
            phr = dict.fromkeys(w for seq in merged.values() for w in seq if " " in w)
            for w in phr:
                head, _, last = w.rpartition(" ")
                if last in pm and f"{head} {pm[last]}" in phr:
                    pm[w] = f"{head} {pm[last]}"
            self.plural_map_ = pm
            merged = {t: [pm.get(w, w) for w in seq] for t, seq in merged.items()}
        return [merged[t] for t in texts]

    def transform(self, texts: Sequence[str]) -> list[list[str]]:
        pm = self.plural_map_
        return [[pm.get(w, w) for w in self._merge(self._raw(t))] for t in texts]


# --------------------------------------------------------------------------- the model


class TopicModel:
    """Topics of a corpus, fitted on passages and aggregated back to documents.

    Parameters
    ----------
    n_topics : number of topics, or ``"auto"`` to pick from ``k_candidates`` by coherence,
        diversity and stability (mean of their ranks; ties go to the smaller k).
    method : ``"nmf"`` (default; NMF on sublinear TF-IDF, NNDSVDa init) or ``"lda"``
        (scikit-learn's batch LDA on counts).
    passage_unit, passage_size, min_passage_words : how texts are cut into passages
        (see :func:`make_passages`); ``"document"`` models whole texts; ``"auto"`` (default)
        uses whole documents from :data:`AUTO_DOCUMENT_MIN` (500) documents on and paragraphs
        below (fitted choice in ``passage_unit_``).
    stop_words : ``"default"`` (:func:`trilat_lib.text.stopwords`), ``None`` or a word list;
        ``extra_stop_words`` are added to it. An extra entry of several words ("united states")
        is a stop phrase: its words are removed wherever they occur in that order (with hyphens,
        any case, possessive), so neither the phrase nor its words from it become terms, while
        the same words elsewhere ("united nations") stay.
    keep_numbers, min_word_len, boilerplate : token filters (``boilerplate`` is a regex of
        lines to delete first; ``None`` disables it).
    min_df, max_df, max_features : vocabulary pruning as in scikit-learn (int = passages,
        float = share of passages).
    phrases, phrase_min_count, phrase_threshold : merge adjacent word pairs seen at least
        ``phrase_min_count`` times with phrase NPMI >= ``phrase_threshold`` into one term
        (off by default: it cost coherence on BBC News; turn it on to tell "north korea" from
        "south korea").
    fold_plurals : map true plurals onto their singular when both occur ("sanctions" →
        "sanction"; never verbs such as "does", names such as "Windows" or words such as "news";
        see :func:`plural_singular`). Off by default (it cost coherence on BBC News).
    sublinear_tf : NMF weighs terms by ``1 + log(tf)`` × idf (default) rather than tf × idf.
    coherence_window : NPMI window for the k-selection and :attr:`coherence_` (see
        :func:`npmi_per_topic`).
    k_candidates, stability_runs, stability_sample : auto-k search range, and the number of
        extra runs (each on a ``stability_sample`` share of passages, own seed) behind stability.
    selection_max_passages : on a larger corpus the k-selection runs on a seeded random sample
        of this many passages (``None``: always all); the final model is fitted on all of them.
        It keeps ``"auto"`` fast on tens of thousands of articles.
    random_state : seed for the model and the stability resamples.

    Fitted attributes: ``n_topics_``, ``passage_unit_``, ``passages_``, ``documents_``, ``vocabulary_``,
    ``components_`` (topics × terms, rows sum to 1), ``passage_topics_`` (passages × topics,
    rows sum to 1), ``document_topics_`` (DataFrame, documents × topics), ``topics_``
    (summary table), ``coherence_`` and ``diversity_``, ``k_selection_`` (auto only),
    ``fit_seconds_``.
    """

    def __init__(
        self,
        n_topics: int | str = 8,
        method: str = "nmf",
        random_state: int | None = 0,
        passage_unit: str = "auto",
        passage_size: int = 3,
        min_passage_words: int = 8,
        stop_words: str | Iterable[str] | None = "default",
        extra_stop_words: Iterable[str] = (),
        keep_numbers: bool = False,
        min_word_len: int = 2,
        boilerplate: str | None = DEFAULT_BOILERPLATE,
        min_df: int | float = 1,
        max_df: int | float = 0.5,
        max_features: int | None = None,
        phrases: bool = False,
        phrase_min_count: int = 3,
        phrase_threshold: float = 0.5,
        fold_plurals: bool = False,
        max_iter: int = 400,
        sublinear_tf: bool = True,
        coherence_window: int | str = 10,
        k_candidates: Sequence[int] = tuple(range(2, 13)),
        stability_runs: int = 3,
        stability_sample: float = 0.8,
        selection_max_passages: int | None = 20_000,
    ):
        self.n_topics = n_topics
        self.method = method
        self.random_state = random_state
        self.passage_unit = passage_unit
        self.passage_size = passage_size
        self.min_passage_words = min_passage_words
        self.stop_words = stop_words
        self.extra_stop_words = extra_stop_words
        self.keep_numbers = keep_numbers
        self.min_word_len = min_word_len
        self.boilerplate = boilerplate
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.fold_plurals = fold_plurals
        self.max_iter = max_iter
        self.sublinear_tf = sublinear_tf
        self.coherence_window = coherence_window
        self.k_candidates = k_candidates
        self.stability_runs = stability_runs
        self.stability_sample = stability_sample
        self.selection_max_passages = selection_max_passages

    # ---------------------------------------------------------------- helpers

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (scikit-learn style)."""
        import inspect

        return {p: getattr(self, p) for p in inspect.signature(type(self).__init__).parameters if p != "self"}

    def _validate(self) -> None:
        if self.method not in METHODS:
            raise ParameterError(f"method={self.method!r}: use one of {', '.join(METHODS)}.")
        if self.n_topics != "auto" and not (isinstance(self.n_topics, (int, np.integer)) and self.n_topics >= 1):
            raise ParameterError(f"n_topics={self.n_topics!r}: use a positive integer or 'auto'.")
        if self.passage_unit not in PASSAGE_UNITS:
            raise ParameterError(f"passage_unit={self.passage_unit!r}: use auto or one of {', '.join(UNITS)}.")
        if self.selection_max_passages is not None and (
                isinstance(self.selection_max_passages, bool) or not isinstance(self.selection_max_passages, int)
                or self.selection_max_passages < 100):
            raise ParameterError(f"selection_max_passages={self.selection_max_passages!r}: use None or an "
                                 "integer of at least 100.")
        if not 0 < self.stability_sample <= 1:
            raise ParameterError(f"stability_sample={self.stability_sample!r}: use a share in (0, 1].")
        if self.n_topics == "auto":
            ks = list(self.k_candidates)
            if not ks or any(not isinstance(k, (int, np.integer)) or k < 1 for k in ks):
                raise ParameterError(f"k_candidates={self.k_candidates!r}: use a list of positive integers.")

    def _stop_terms(self) -> tuple[frozenset[str], list[list[str]]]:
        """Stop words (one token each) and stop phrases (several tokens, from ``extra_stop_words``)."""
        if isinstance(self.extra_stop_words, str):
            raise ParameterError(f"extra_stop_words={self.extra_stop_words!r}: use a list of words or "
                                 'phrases, e.g. ["korea", "united states"].')
        words, phrases = set(), []
        for entry in self.extra_stop_words:
            if not isinstance(entry, str):
                raise ParameterError(f"extra_stop_words: {entry!r} is not a string; list words or phrases.")
            toks = _text.tokens(entry, lower=True)
            if len(toks) > 1:
                phrases.append(toks)
            elif toks:
                words.add(toks[0])
        return self._stop_set() | words, phrases

    def _stop_set(self) -> frozenset[str]:
        if self.stop_words == "default":
            base = _text.stopwords()
        elif self.stop_words is None:
            base = frozenset()
        elif isinstance(self.stop_words, str):
            raise ParameterError(f"stop_words={self.stop_words!r}: use 'default', None or a list of words.")
        else:
            base = frozenset(w.lower() for w in self.stop_words)
        return base

    def _estimator(self, k: int, seed: int | None):
        from sklearn.decomposition import NMF, LatentDirichletAllocation

        if self.method == "nmf":
            return NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=self.max_iter)
        return LatentDirichletAllocation(n_components=k, learning_method="batch", random_state=seed,
                                         max_iter=min(self.max_iter, 100))

    def _weigh(self, counts, fit: bool):
        if self.method == "lda":
            return counts
        if fit:
            from sklearn.feature_extraction.text import TfidfTransformer

            self._tfidf = TfidfTransformer(sublinear_tf=self.sublinear_tf)
            return self._tfidf.fit_transform(counts)
        return self._tfidf.transform(counts)

    def _fit_k(self, X, k: int, seed: int | None):
        est = self._estimator(k, seed)
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            W = est.fit_transform(X)
        return est, W

    def _top(self, components: np.ndarray, n: int) -> list[list[str]]:
        order = np.argsort(-components, axis=1, kind="stable")[:, :n]
        return [[self.vocabulary_[j] for j in row] for row in order]

    # ---------------------------------------------------------------- fit

    def fit(self, texts: Any, y: Any = None) -> "TopicModel":
        """Fit the model on a Corpus, a list of Documents or a list of strings; returns ``self``."""
        from sklearn.feature_extraction.text import CountVectorizer

        self._validate()
        t0 = time.perf_counter()
        docs = _as_documents(texts)
        self.documents_ = pd.DataFrame([
            {"doc_id": d.doc_id, "title": getattr(d, "title", None), "outlet": getattr(d, "outlet", None),
             "published": getattr(d, "published", None), "date_precision": getattr(d, "date_precision", None)}
            for d in docs
        ])
        self.passage_unit_ = self.passage_unit if self.passage_unit != "auto" else (
            "document" if len(docs) >= AUTO_DOCUMENT_MIN else "paragraph")
        passages = make_passages(docs, self.passage_unit_, self.passage_size, self.min_passage_words)
        stop_words, stop_phrases = self._stop_terms()
        self._analyzer = _Analyzer(
            stop_words, self.keep_numbers, self.min_word_len, self.boilerplate, self.phrases,
            self.phrase_min_count, self.phrase_threshold, self.fold_plurals, stop_phrases,
        )
        token_lists = self._analyzer.fit_transform(passages["text"].tolist())
        if not any(token_lists):
            raise ParameterError(
                "The vocabulary is empty: every word was removed before counting. Loosen stop_words/"
                "extra_stop_words, set keep_numbers=True or lower min_word_len, or check the texts."
            )
        self._vectorizer = CountVectorizer(analyzer=lambda toks: toks, min_df=self.min_df,
                                           max_df=self.max_df, max_features=self.max_features)
        try:
            counts = self._vectorizer.fit_transform(token_lists)
        except ValueError as exc:
            raise ParameterError(
                f"The vocabulary is empty after filtering ({exc}). Lower min_df (now {self.min_df!r}) "
                f"or raise max_df (now {self.max_df!r}); with few passages use min_df=1."
            ) from None
        self.vocabulary_ = np.asarray(self._vectorizer.get_feature_names_out(), dtype=object)
        keep = np.asarray(counts.sum(axis=1)).ravel() > 0
        passages["n_terms"] = np.asarray(counts.sum(axis=1)).ravel().astype(int)
        n_usable = int(keep.sum())
        if self.n_topics == "auto":
            cands = sorted({int(k) for k in self.k_candidates if k < n_usable})
            if not cands:
                raise ParameterError(
                    f"n_topics='auto': only {n_usable} passages have vocabulary terms, fewer than every "
                    f"k in k_candidates={list(self.k_candidates)}; use smaller k_candidates or a smaller passage_size."
                )
        else:
            if self.n_topics > n_usable:
                raise ParameterError(
                    f"n_topics={self.n_topics} but only {n_usable} passages have vocabulary terms: lower n_topics, "
                    "use smaller passages (passage_unit='sentences', passage_size=2), or lower min_df."
                )
            cands = [int(self.n_topics)]
        X = self._weigh(counts, fit=True)
        self._token_lists = token_lists
        self.passages_ = passages
        self.k_selection_ = None
        selection: dict = {}  # what the k-selection computed that the final model can reuse
        if self.n_topics == "auto":
            self.k_selection_ = self.evaluate_k(cands, _X=X, _keep=keep, _reuse=selection)
            k = int(self.k_selection_.loc[self.k_selection_["chosen"], "k"].iloc[0])
        else:
            k = cands[0]
        est, W = selection.get("fits", {}).get(k) or self._fit_k(X, k, self.random_state)
        self._estimator_ = est
        self.n_topics_ = k
        comp = np.asarray(est.components_, dtype=float)
        self.components_ = comp / np.clip(comp.sum(axis=1, keepdims=True), 1e-300, None)
        self.passage_topics_ = self._normalise(W)
        self.fit_seconds_ = time.perf_counter() - t0
        tops = self.top_terms(10)
        presence = selection.get("presence")
        if selection.get("reference") is token_lists and all(w in presence[0] for t in tops for w in t):
            self.coherence_per_topic_ = _npmi_scores(tops, *presence)  # the same passages' window counts
        else:
            self.coherence_per_topic_ = npmi_per_topic(tops, token_lists, window=self.coherence_window)
        self.coherence_ = float(np.nanmean(self.coherence_per_topic_))
        self.diversity_ = topic_diversity(self.top_terms(25), 25)
        self.document_topics_ = self._aggregate(passages, self.passage_topics_)
        self.topics_ = self._summary()
        return self

    @staticmethod
    def _normalise(W: np.ndarray) -> np.ndarray:
        W = np.asarray(W, dtype=float)
        s = W.sum(axis=1, keepdims=True)
        return np.divide(W, s, out=np.zeros_like(W), where=s > 0)

    def _aggregate(self, passages: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
        """Document × topic weights: passage weights averaged, weighted by their term counts."""
        w = weights * passages["n_terms"].to_numpy()[:, None]
        df = pd.DataFrame(w, columns=range(weights.shape[1]))
        df["doc_id"] = passages["doc_id"].to_numpy()
        agg = df.groupby("doc_id", sort=False).sum()
        tot = agg.sum(axis=1).to_numpy()[:, None]
        agg = pd.DataFrame(np.divide(agg.to_numpy(), tot, out=np.zeros(agg.shape), where=tot > 0),
                           index=agg.index, columns=agg.columns)
        order = [d for d in pd.unique(passages["doc_id"])]
        agg = agg.loc[order]
        agg.columns.name = "topic"
        return agg

    def evaluate_k(self, ks: Sequence[int], _X=None, _keep=None, _reuse: dict | None = None) -> pd.DataFrame:
        """Coherence, diversity and stability for each k on the fitted passages; marks the choice.

        Stability: ``stability_runs`` extra fits, each on a random ``stability_sample`` share of
        the passages with its own seed; mean :func:`topic_similarity` (top-10) of each to the
        full-data fit. ``chosen`` is the k with the best mean rank over the three (ties: smaller k).
        Beyond ``selection_max_passages`` passages all of this runs on a seeded sample of them
        (column ``passages`` says how many).
        """
        _check_window(self.coherence_window)
        X = self._weigh(self._vectorizer.transform(self._token_lists), fit=False) if _X is None else _X
        keep = np.asarray(X.sum(axis=1)).ravel() > 0 if _keep is None else _keep
        token_lists = self._token_lists
        cap = self.selection_max_passages
        sampled = cap is not None and keep.sum() > cap
        if sampled:
            # its own generator, so corpora under the cap draw the same stability resamples as before
            pick = np.sort(np.random.default_rng(self.random_state).choice(np.flatnonzero(keep), size=cap, replace=False))
            X, keep, token_lists = X[pick], np.ones(cap, dtype=bool), [token_lists[i] for i in pick]
        rng = np.random.default_rng(self.random_state)
        idx_all = np.flatnonzero(keep)
        rows, tops_by_k, fits = [], [], {}
        for k in ks:
            est, W = self._fit_k(X, k, self.random_state)
            if not sampled:  # the final model at the chosen k is this very fit
                fits[int(k)] = est, W
            tops = self._top(np.asarray(est.components_), 25)
            tops_by_k.append([t[:10] for t in tops])
            sims = []
            for r in range(self.stability_runs):
                n_sub = max(k + 1, int(round(self.stability_sample * len(idx_all))))
                sub = np.sort(rng.choice(idx_all, size=min(n_sub, len(idx_all)), replace=False))
                seed = None if self.random_state is None else int(self.random_state) + 1 + r
                est_r, _ = self._fit_k(X[sub], k, seed)
                sims.append(topic_similarity(tops, self._top(np.asarray(est_r.components_), 10)))
            rows.append({
                "k": int(k),
                "coherence": np.nan,  # below
                "diversity": topic_diversity(tops, 25),
                "stability": float(np.mean(sims)) if sims else float("nan"),
                "passages": int(len(idx_all)),
            })
        # every k's coherence from one count of the windows (a pair's counts do not depend on
        # the other words counted): one pass over the passages instead of one per k
        presence = _window_presence([t for tops in tops_by_k for t in tops], token_lists, self.coherence_window)
        for row, tops in zip(rows, tops_by_k):
            row["coherence"] = float(np.nanmean(_npmi_scores(tops, *presence)))
        if _reuse is not None:
            _reuse.update(fits=fits, reference=token_lists, presence=presence)
        df = pd.DataFrame(rows)
        ranks = df[["coherence", "diversity", "stability"]].rank(ascending=False, method="average")
        df["mean_rank"] = ranks.mean(axis=1)
        best = df.sort_values(["mean_rank", "k"]).index[0]
        df["chosen"] = df.index == best
        return df

    # ---------------------------------------------------------------- results

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise ParameterError("This TopicModel is not fitted yet: call fit(texts) first.")

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """The ``n`` best terms of each topic, best first (one list per topic)."""
        self._check_fitted()
        if n < 1:
            raise ParameterError(f"n={n}: ask for at least one term.")
        return self._top(self.components_, n)

    def term_weights(self, n: int = 10) -> pd.DataFrame:
        """Tidy table of each topic's top ``n`` terms: ``topic``, ``rank``, ``term``, ``weight``
        (the term's share of the topic's total weight)."""
        self._check_fitted()
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, :n]
        rows = [{"topic": t, "rank": r + 1, "term": self.vocabulary_[j], "weight": float(self.components_[t, j])}
                for t, row in enumerate(order) for r, j in enumerate(row)]
        return pd.DataFrame(rows)

    def labels(self) -> list[str]:
        """A short label per topic from its most *distinctive* top terms: the top-10 terms are
        re-ranked by weight × exclusivity (the term's weight in this topic divided by its total
        weight over all topics), so words every topic shares ("japan") do not name a topic.
        The label is the best phrase among the first three re-ranked terms, else the best two
        terms ("tariff / trade")."""
        self._check_fitted()
        comp = self.components_
        excl = comp / np.clip(comp.sum(axis=0, keepdims=True), 1e-300, None)
        out = []
        for t in range(comp.shape[0]):
            top = np.argsort(-comp[t], kind="stable")[:10]
            ranked = sorted(top, key=lambda j: -comp[t, j] * excl[t, j])
            terms = [str(self.vocabulary_[j]) for j in ranked]
            phrase = next((w for w in terms[:3] if " " in w), None)
            out.append(phrase if phrase else " / ".join(terms[:2]))
        return out

    def _summary(self) -> pd.DataFrame:
        dominant = self.passage_topics_.argmax(axis=1)
        has = self.passage_topics_.sum(axis=1) > 0
        share = (self.passage_topics_ * self.passages_["n_terms"].to_numpy()[:, None]).sum(axis=0)
        share = share / share.sum() if share.sum() > 0 else share
        tw = self.term_weights(10)
        return pd.DataFrame({
            "topic": range(self.n_topics_),
            "label": self.labels(),
            "top_terms": [", ".join(t) for t in self.top_terms(10)],
            "term_weights": [", ".join(f"{w:.3f}" for w in tw.loc[tw.topic == t, "weight"]) for t in range(self.n_topics_)],
            "share": share,
            "n_passages_dominant": [int(((dominant == t) & has).sum()) for t in range(self.n_topics_)],
            "coherence_npmi": self.coherence_per_topic_,
        })

    def representative_passages(self, n: int = 3, min_terms: int = 5) -> pd.DataFrame:
        """The ``n`` passages most devoted to each topic (highest topic weight, then more terms),
        among passages with at least ``min_terms`` vocabulary terms, with their ``doc_id``."""
        self._check_fitted()
        df = self.passages_.copy()
        rows = []
        labels = self.labels()
        for t in range(self.n_topics_):
            df["weight"] = self.passage_topics_[:, t]
            pool = df[df["n_terms"] >= min_terms]
            if pool.empty:
                pool = df
            best = pool.sort_values(["weight", "n_terms"], ascending=False).head(n)
            for r, (_, p) in enumerate(best.iterrows()):
                rows.append({"topic": t, "label": labels[t], "rank": r + 1, "doc_id": p["doc_id"],
                             "passage_id": p["passage_id"], "sentence_id": p["sentence_id"],
                             "sentence_id_end": p["sentence_id_end"], "weight": p["weight"], "text": p["text"]})
        return pd.DataFrame(rows)

    def passage_table(self) -> pd.DataFrame:
        """Every passage with its topic weights (``topic_0`` ...) and dominant topic."""
        self._check_fitted()
        df = self.passages_.copy()
        for t in range(self.n_topics_):
            df[f"topic_{t}"] = self.passage_topics_[:, t]
        has = self.passage_topics_.sum(axis=1) > 0
        df["dominant_topic"] = np.where(has, self.passage_topics_.argmax(axis=1), -1)
        return df

    def document_table(self) -> pd.DataFrame:
        """Tidy document × topic table: ``doc_id``, ``sentence_id``, ``passage_id``,
        ``sentence_id_end``, ``outlet``, ``published``, ``date_precision``, ``topic``, ``label``,
        ``weight``.

        ``weight`` is the topic's share of the document. ``passage_id`` is the document's passage
        that gives the topic the most weight (its evidence in that document; ties: the earlier
        passage) and ``sentence_id`` … ``sentence_id_end`` the sentences it covers, so each row can
        be traced to the text. A document none of whose passages has a vocabulary term points to
        its first passage."""
        self._check_fitted()
        labels = self.labels()
        long = self.document_topics_.reset_index().melt(id_vars="doc_id", var_name="topic", value_name="weight")
        long["topic"] = long["topic"].astype(int)
        long["label"] = [labels[t] for t in long["topic"]]
        # the best passage of each (document, topic): the first passage with the highest weight
        p = self.passages_
        w = pd.DataFrame(self.passage_topics_, columns=range(self.n_topics_))
        first = w.groupby(p["doc_id"].to_numpy(), sort=False).idxmax()  # row labels = positions in passages_
        best = first.rename_axis("doc_id").reset_index().melt(id_vars="doc_id", var_name="topic", value_name="_row")
        best["topic"] = best["topic"].astype(int)
        rows = best["_row"].to_numpy(dtype=int)
        best = best.assign(passage_id=p["passage_id"].to_numpy()[rows], sentence_id=p["sentence_id"].to_numpy()[rows],
                           sentence_id_end=p["sentence_id_end"].to_numpy()[rows])
        long = long.merge(best[["doc_id", "topic", "passage_id", "sentence_id", "sentence_id_end"]],
                          on=["doc_id", "topic"], how="left")
        long = long.merge(self.documents_[["doc_id", "outlet", "published", "date_precision"]], on="doc_id", how="left")
        return long[["doc_id", "sentence_id", "passage_id", "sentence_id_end", "outlet", "published", "date_precision",
                     "topic", "label", "weight"]]

    def prevalence(self, by: str = "outlet", freq: str | None = None) -> pd.DataFrame:
        """Mean topic weight of the documents in each group (rows: groups, columns: topics).

        ``by`` is ``"doc_id"``, ``"outlet"`` or ``"published"``; with ``by="published"``,
        ``freq`` ("M", "Y") groups dates into months/years. Documents without a value are left out.
        """
        self._check_fitted()
        if by not in ("doc_id", "outlet", "published"):
            raise ParameterError(f"by={by!r}: use 'doc_id', 'outlet' or 'published'.")
        dt = self.document_topics_.copy()
        meta = self.documents_.set_index("doc_id")
        key = dt.index.to_series() if by == "doc_id" else meta.loc[dt.index, by]
        if by == "published":
            key = pd.to_datetime(key, errors="coerce")
            if freq:
                key = key.dt.to_period(freq).dt.to_timestamp()
        key = pd.Series(np.asarray(key), index=dt.index)
        ok = key.notna().to_numpy()
        out = dt[ok].groupby(key[ok].to_numpy()).mean()
        out.index.name = by
        out.columns = [f"topic_{c}" for c in out.columns]
        return out

    # ---------------------------------------------------------------- transform

    def transform(self, texts: Any) -> np.ndarray:
        """Document × topic weights (rows sum to 1, or 0 if a document has no known term) for
        new texts, cut into passages the same way and aggregated like ``document_topics_``."""
        self._check_fitted()
        docs = _as_documents(texts)
        passages = make_passages(docs, self.passage_unit_, self.passage_size, self.min_passage_words)
        counts = self._vectorizer.transform(self._analyzer.transform(passages["text"].tolist()))
        passages["n_terms"] = np.asarray(counts.sum(axis=1)).ravel()
        W = self._normalise(self._estimator_.transform(self._weigh(counts, fit=False)))
        agg = self._aggregate(passages, W)
        ids = [d.doc_id for d in docs]
        return agg.reindex(ids).fillna(0.0).to_numpy()

    def fit_transform(self, texts: Any, y: Any = None) -> np.ndarray:
        """``fit(texts)`` then the fitted document × topic weights (rows in input order)."""
        self.fit(texts)
        ids = [d.doc_id for d in _as_documents(texts)]
        return self.document_topics_.reindex(ids).fillna(0.0).to_numpy()
