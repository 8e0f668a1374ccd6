"""A learned target-dependent stance classifier: how does a sentence portray *that* entity?

A multinomial logistic regression (negative / neutral / positive) trained on NewsMTSC
(Hamborg & Donnay, EACL 2021; human stance labels toward targets in political news) by
:mod:`trilat_lib.stance_train`. The weights ship as ``resources/stance_model.npz`` (plain
arrays, no pickle) with ``resources/stance_model.json`` (data, hyper-parameters, dev scores,
code hash); inference below is numpy and dictionaries only, deterministic and offline.

Features of one target mention (all target-aware; the mention itself is replaced by a
placeholder, so the model learns the *context*, never the name):

* the words of the whole sentence with every entity masked (what the sentence is about);
* the words of the target's own segment, up to the nearest other entity, clause punctuation,
  quote mark, contrastive/subordinating conjunction or relative pronoun on each side, and the
  lexicon sums inside and outside that segment: in a sentence with several targets, what is
  said next to *this* one;
* whether the target speaks ("⟨T⟩ said", "⟨T⟩ accused") or is spoken of ("accused ⟨T⟩",
  "according to ⟨T⟩"), and whether it sits inside a quotation;
* the words at positions 1..3 left and right of the target, the words 4..8 away on each side,
  and the word pairs that touch the target ("invasion of ⟨T⟩", "⟨T⟩ 's invasion",
  "between ⟨T⟩ and"): who does what to whom, without a parser;
* VADER + international-affairs lexicon valences summed by side and distance, and the sums of
  the lexicon's *agent* words ("invade", "threaten") and *patient* words ("sanction",
  "condemn") on each side of the target;
* the rule scorer's own score (:class:`trilat_lib.sentiment.TargetScorer`) and the sentence's
  overall lexicon tone (entities masked).

The score (:func:`to_score`) is ``P(positive) - P(negative)`` in [-1, 1], moved into the
library's neutral band (0.05) when the most probable class is neutral and out of it when it is
positive or negative: labels at the default band are the classifier's own decisions, and the
existing labelling and aggregation work unchanged.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import ParameterError
from .paths import RESOURCES_DIR

STANCE_MODEL = RESOURCES_DIR / "stance_model.npz"
STANCE_PROVENANCE = RESOURCES_DIR / "stance_model.json"
CLASSES = (-1, 0, 1)

TARGET, OTHER = "⟨t⟩", "⟨o⟩"
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|[^\w\s]")
# scale of the continuous features against the binary ones (less shrinkage under the L2
# penalty: +1 point macro-F1 on dev in the feature study)
DENSE_SCALE = 3.0
NEAR, FAR = 3, 8  # position features: words 1..NEAR by exact position, NEAR+1..FAR as a bag
DENSE = (
    "rule_score", "sentence_tone",
    "pos_near_l", "neg_near_l", "pos_near_r", "neg_near_r",
    "pos_far_l", "neg_far_l", "pos_far_r", "neg_far_r", "pos_rest", "neg_rest",
    "agent_l", "agent_r", "patient_l", "patient_r",
    "pos_seg", "neg_seg", "pos_out", "neg_out",
    "bias",
)
# what ends the target's own segment: another entity, clause punctuation, a contrastive or
# subordinating conjunction, a relative pronoun: the words between two such boundaries are
# about the target, the words beyond them more often about someone else
_SEG_STOP = frozenset(
    [OTHER, ",", ";", ":", "(", ")", '"', "“", "”", "but", "while", "whereas", "although", "though", "however",
     "yet", "because", "after", "before", "when", "who", "which", "that"])
_REPORT = frozenset(
    "said say says saying told tell tells accused accuses accusing criticised criticized criticises criticizes "
    "blamed blames praised praises called calls slammed slams attacked attacks urged urges warned warns "
    "claimed claims argued argues insisted insists denied denies asked asks according".split())


def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Lower-cased word / number / punctuation tokens of ``text`` with their start and end offsets."""
    spans = [m.span() for m in _TOKEN_RE.finditer(text)]
    low = text.lower().replace("’", "'")
    if len(low) == len(text):  # lower() kept every offset (it does except for a few letters such as "İ")
        toks = [low[a:b] for a, b in spans]
    else:
        toks = [text[a:b].lower().replace("’", "'") for a, b in spans]
    return toks, [a for a, _ in spans], [b for _, b in spans]


class _Sentence:
    """Everything about one sentence that its targets share (computed once, in linear time):
    tokens, their lexicon valences with prefix sums, and the entity-masked sentence features."""

    __slots__ = ("toks", "starts", "ends", "masked", "pos_cum", "neg_cum", "agent", "patient", "agent_keys",
                 "patient_keys", "bag", "tone", "z", "quotes")

    def __init__(self, text: str, spans: Sequence[tuple[int, int]], lexicon: dict, roles: dict):
        toks, starts, ends = _tokens(text)
        masked = list(toks)
        for s, e in spans:  # every entity mention becomes one placeholder (its first token)
            lo, hi = _token_range(starts, ends, s, e)
            for k in range(lo, hi):
                masked[k] = OTHER if k == lo else ""
        self.toks, self.starts, self.ends, self.masked = toks, starts, ends, masked
        pos = [0.0]
        neg = [0.0]
        agent: list[tuple[int, float]] = []
        patient: list[tuple[int, float]] = []
        for k, w in enumerate(masked):
            v = lexicon.get(w, 0.0) if w and w != OTHER else 0.0
            pos.append(pos[-1] + (v if v > 0 else 0.0))
            neg.append(neg[-1] + (-v if v < 0 else 0.0))
            r = roles.get(w)
            if r is not None:
                (agent if r[0] == "agent" else patient).append((k, r[1]))
        self.pos_cum, self.neg_cum, self.agent, self.patient = pos, neg, agent, patient
        self.agent_keys, self.patient_keys = [k for k, _ in agent], [k for k, _ in patient]
        words = [w for w in masked if w]
        self.quotes = [k for k, w in enumerate(masked) if w in ('"', "“", "”")]  # quote marks' positions
        # the sentence's words only: its word pairs (as in the first model) did not help in
        # cross-validation on train and cost time
        self.bag = {"s:" + w for w in words}
        self.tone = 0.0
        self.z = None  # the bag's logit contribution, computed once per sentence by StanceModel


def _token_range(starts: list[int], ends: list[int], s: int, e: int) -> tuple[int, int]:
    """Indices ``[lo, hi)`` of the tokens overlapping the character span ``[s, e)`` (at least one
    token, the nearest, when the span falls between tokens)."""
    lo = bisect_left(ends, s + 1)  # first token ending after s
    hi = bisect_left(starts, e)  # tokens before hi start before e
    if hi <= lo:
        hi = min(lo + 1, len(starts))
        lo = min(lo, max(0, hi - 1))
    return lo, hi


def _role_sums(items: list[tuple[int, float]], keys: list[int], lo: int, hi: int, window: int) -> tuple[float, float]:
    """Summed valence of role words within ``window`` tokens left of ``lo`` and right of ``hi - 1``
    (``keys``: the items' token positions, sorted)."""
    a = bisect_left(keys, lo - window)
    b = bisect_left(keys, lo)
    c = bisect_left(keys, hi)
    d = bisect_left(keys, hi + window)
    return sum(v for _, v in items[a:b]), sum(v for _, v in items[c:d])


def target_segment(masked: list[str], lo: int, hi: int) -> tuple[int, int]:
    """Token range ``[a, b)`` of the target's own segment: from the boundary before ``lo`` (see
    :data:`_SEG_STOP`) to the one after ``hi - 1``, each at most :data:`FAR` * 2 tokens away."""
    a = lo
    lim = max(0, lo - 2 * FAR)
    while a > lim and masked[a - 1] not in _SEG_STOP:
        a -= 1
    b = hi
    lim = min(len(masked), hi + 2 * FAR)
    while b < lim and masked[b] not in _SEG_STOP:
        b += 1
    return a, b


def target_features(sent: _Sentence, lo: int, hi: int, n_others: int, seg: tuple[int, int]) -> list[str]:
    """Sparse (binary) feature names of the target at tokens ``[lo, hi)`` of ``sent`` (without the
    sentence bag ``sent.bag``, which all targets of the sentence share); ``seg``: its
    :func:`target_segment`."""
    m = sent.masked
    n = len(m)
    feats = []
    left = [w for w in m[max(0, lo - FAR * 2):lo] if w][-FAR:]
    right = [w for w in m[hi:hi + FAR * 2] if w][:FAR]
    for d, w in enumerate(reversed(left), start=1):
        feats.append(f"L{d}:{w}" if d <= NEAR else "Lw:" + w)
    for d, w in enumerate(right, start=1):
        feats.append(f"R{d}:{w}" if d <= NEAR else "Rw:" + w)
    l1 = left[-1] if left else "<s>"
    l2 = left[-2] if len(left) > 1 else "<s>"
    r1 = right[0] if right else "</s>"
    r2 = right[1] if len(right) > 1 else "</s>"
    feats += [f"LT:{l1}", f"LLT:{l2}_{l1}", f"TR:{r1}", f"TRR:{r1}_{r2}", f"LTR:{l1}_{r1}",
              f"others:{min(n_others, 3)}", f"first:{int(lo == 0)}", f"pos:{min(4, 5 * lo // max(n, 1))}"]
    # the words of the target's own segment (between boundaries, see _SEG_STOP) and what bounds it
    a, b = seg
    feats += ["g:" + w for w in m[a:lo] if w]
    feats += ["g:" + w for w in m[hi:b] if w]
    feats.append("gstop:" + (m[a - 1] if a > 0 else "<s>") + "_" + (m[b] if b < n else "</s>"))
    if any(w in _REPORT for w in right[:3]):  # "⟨T⟩ said", "⟨T⟩ , who accused": the speaker
        feats.append("rep:speaker")
    if any(w in _REPORT for w in left[-3:]):  # "accused ⟨T⟩", "according to ⟨T⟩": the one spoken of
        feats.append("rep:addressee")
    feats.append(f"quote:{bisect_left(sent.quotes, lo) % 2}")  # inside a quotation: odd quote marks before
    return feats


def dense_features(sent: _Sentence, lo: int, hi: int, rule_score: float, seg: tuple[int, int]) -> np.ndarray:
    """The continuous features (:data:`DENSE` order) of the target at tokens ``[lo, hi)``."""
    p, q, n = sent.pos_cum, sent.neg_cum, len(sent.masked)

    def span(a: int, b: int) -> tuple[float, float]:
        a, b = max(0, min(a, n)), max(0, min(b, n))
        if b <= a:
            return 0.0, 0.0
        return (p[b] - p[a]) / 4.0, (q[b] - q[a]) / 4.0

    nl = span(lo - NEAR, lo)
    nr = span(hi, hi + NEAR)
    fl = span(lo - FAR, lo - NEAR)
    fr = span(hi + NEAR, hi + FAR)
    allp, alln = p[n] / 4.0, q[n] / 4.0
    rest = (allp - nl[0] - nr[0] - fl[0] - fr[0], alln - nl[1] - nr[1] - fl[1] - fr[1])
    al, ar = _role_sums(sent.agent, sent.agent_keys, lo, hi, FAR)
    pl, pr = _role_sums(sent.patient, sent.patient_keys, lo, hi, FAR)
    g = span(*seg)  # lexicon sums in the target's own segment, and outside it
    o = (allp - g[0], alln - g[1])
    x = np.array([rule_score, sent.tone, nl[0], nl[1], nr[0], nr[1], fl[0], fl[1], fr[0], fr[1],
                  rest[0], rest[1], al / 4.0, ar / 4.0, pl / 4.0, pr / 4.0, g[0], g[1], o[0], o[1],
                  1.0 / DENSE_SCALE])
    return x * DENSE_SCALE


@lru_cache(maxsize=4)
def _lexicons(lexicon_path: str) -> tuple[dict, dict]:
    """Word → valence (VADER's lexicon overlaid with the IR lexicon) and word → (role, valence)."""
    from .sentiment import _vader, load_lexicon

    lex = _vader(lexicon_path).lexicon
    roles = {w: (e.role, e.valence) for w, e in load_lexicon(lexicon_path).items() if e.role}
    return dict(lex), roles


class Featurizer:
    """Turns (sentence, target span, other entity spans) into sparse feature names and dense values.

    Shared by training (:mod:`trilat_lib.stance_train`) and inference (:class:`StanceModel`), so
    both see exactly the same features.
    """

    def __init__(self, lexicon: str | Path | None = None):
        from .sentiment import IR_LEXICON, TargetScorer

        self.lexicon_path = str(Path(lexicon or IR_LEXICON).resolve())
        self.lexicon, self.roles = _lexicons(self.lexicon_path)
        self.rule = TargetScorer(lexicon=self.lexicon_path)

    def sentence(self, text: str, spans: Sequence[tuple[int, int]]) -> _Sentence:
        """The shared per-sentence part for the entity ``spans`` (every target and other entity)."""
        sent = _Sentence(text, spans, self.lexicon, self.roles)
        # the sentence's lexicon tone, normalised as VADER's compound is (x / sqrt(x^2 + 15)),
        # without VADER's rules: cheap, and the per-target features carry the rules' effects
        total = sent.pos_cum[-1] - sent.neg_cum[-1]
        sent.tone = total / (total * total + 15.0) ** 0.5
        return sent

    def target(self, text: str, sent: _Sentence, start: int, end: int,
               others: Sequence[tuple[int, int]], bag: bool = True,
               ostarts: Sequence[int] | None = None) -> tuple[list[str], np.ndarray]:
        """Sparse feature names and dense vector of the mention ``text[start:end]`` (``bag=False``:
        without the sentence's shared bag of words). With ``ostarts`` (the starts of ``others``,
        which are then sorted), the rule score skips re-sorting them: linear in many mentions."""
        lo, hi = _token_range(sent.starts, sent.ends, start, end) if sent.starts else (0, 0)
        masked = sent.masked
        if sent.starts:  # the target's own placeholder (restored after, the sentence is shared)
            saved = masked[lo:hi]
            masked[lo:hi] = [TARGET] + [""] * (hi - lo - 1)
        seg = target_segment(masked, lo, hi)
        try:
            sparse = target_features(sent, lo, hi, len(others), seg)
        finally:
            if sent.starts:
                masked[lo:hi] = saved
        if end <= start:
            rule = 0.0
        elif ostarts is None:
            rule = self.rule.score(text, start, end, others)
        else:  # = rule.score(text, start, end, others) for sorted others
            s0, s1 = self.rule._sentence_span(text, start, end)
            rule = 0.0 if text.isspace() else self.rule._score_sorted(text, s0, s1, start, end, others, ostarts)
        sparse.append("rule:" + ("+" if rule >= 0.05 else "-" if rule <= -0.05 else "0"))
        if bag:
            sparse += sent.bag
        return sparse, dense_features(sent, lo, hi, rule, seg)


def to_score(p: np.ndarray, neutral_band: float = 0.05) -> float:
    """A [-1, 1] stance score from ``[P(neg), P(neu), P(pos)]`` whose label at the library's
    neutral band is the model's most probable class: ``d = P(pos) - P(neg)`` shrunk into the band
    (``neutral_band * d``) when neutral is most probable, else moved out of it
    (``±neutral_band + (1 - neutral_band) * d``; ``d >= 0`` when positive is most probable)."""
    d = float(p[2] - p[0])
    k = int(np.argmax(p))
    if k == 1:
        return neutral_band * d
    return (neutral_band if k == 2 else -neutral_band) + (1.0 - neutral_band) * d


class StanceModel:
    """The shipped learned stance classifier (see the module docstring).

    ``score(text, start, end, others)`` has the same signature and scale as
    :meth:`trilat_lib.sentiment.TargetScorer.score`, so it drops in wherever that scorer does.
    ``guard=False`` turns off the role guard (:func:`harm_role`): the classifier's score alone.
    """

    def __init__(self, path: str | Path = STANCE_MODEL, guard: bool = True):
        self.guard = guard
        path = Path(path)
        if not path.is_file():
            raise ParameterError(f"stance model: {path} not found. Retrain it with "
                                 "`python -m trilat_lib.stance_train` (needs ../shared/data/newsmtsc).")
        with np.load(path, allow_pickle=False) as z:
            vocab = z["vocab"].tobytes().decode("utf-8").split("\n")
            self.coef_ = np.ascontiguousarray(z["coef"], dtype=float)  # (n_features, 3)
            self.dense_coef_ = np.asarray(z["dense_coef"], dtype=float)  # (len(DENSE), 3)
            dense_names = tuple(str(v) for v in z["dense_names"])
        if dense_names != DENSE:
            raise ParameterError(f"stance model {path}: its dense features {dense_names} are not this code's "
                                 f"{DENSE}; retrain with `python -m trilat_lib.stance_train`.")
        self.index_ = {w: i for i, w in enumerate(vocab)}
        self.path = path
        self.featurizer = Featurizer()
        self._memo: dict = {}

    def _logits(self, sparse: Iterable[str], dense: np.ndarray) -> np.ndarray:
        # binary features, as in training: a name that occurs twice ("Lw:the") counts once
        idx = [i for i in map(self.index_.get, set(sparse)) if i is not None]
        z = dense @ self.dense_coef_
        if idx:
            z = z + self.coef_[idx].sum(axis=0)
        return z

    def proba(self, text: str, start: int, end: int, others: Iterable[tuple[int, int]] | None = None) -> np.ndarray:
        """``[P(negative), P(neutral), P(positive)]`` of the stance toward ``text[start:end]``."""
        return self._scores_sentence(text, [(start, end)], others, proba=True)[0]

    def score(self, text: str, start: int, end: int, others: Iterable[tuple[int, int]] | None = None) -> float:
        """Stance of ``text`` toward the mention ``text[start:end]``, in [-1, 1] (0.05 band = neutral)."""
        from .sentiment import _check_span

        _check_span(text, start, end)
        if not text or text.isspace() or start == end:
            return 0.0
        return float(self._scores_sentence(text, [(start, end)], others)[0])

    def _scores_sentence(self, text: str, targets: Sequence[tuple[int, int]],
                         others: Iterable[tuple[int, int]] | None, proba: bool = False) -> list:
        """Scores of several targets of one text; the text is cut to the sentence of the first."""
        from .sentiment import _CAPITALISED_RE, TargetScorer

        s0, s1 = TargetScorer._sentence_span(text, targets[0][0], targets[0][1])
        for s, e in targets:
            s0, s1 = min(s0, s), max(s1, e)
        if others is None:
            others_l = [(m.start(), m.end()) for m in _CAPITALISED_RE.finditer(text, s0, s1)
                        if m.start() > s0 and not any(m.start() < e and s < m.end() for s, e in targets)]
        else:
            others_l = [(int(a), int(b)) for a, b in others if s0 <= a < s1]
        sentence = text[s0:s1]
        rel = [(s - s0, e - s0) for s, e in targets]
        rel_others = [(a - s0, min(b, s1) - s0) for a, b in others_l]
        return self._score_spans(sentence, rel, rel_others, proba)

    def _score_spans(self, sentence: str, targets: Sequence[tuple[int, int]],
                     others: Sequence[tuple[int, int]], proba: bool = False) -> list:
        every = sorted(set(targets) | set(others))
        sent = self.featurizer.sentence(sentence, every)
        out = []
        for s, e in targets:
            oth = [o for o in others if o != (s, e)]
            out.append(self._target_score(sentence, sent, s, e, oth, proba))
        return out

    def _target_score(self, text: str, sent: _Sentence, s: int, e: int, others: Sequence[tuple[int, int]],
                      proba: bool = False, ostarts: Sequence[int] | None = None):
        """The score (or probabilities) of one target; the role guard keeps victims and sides
        of a mutual conflict from a negative score (see :func:`harm_role`)."""
        sparse, dense = self.featurizer.target(text, sent, s, e, others, bag=False, ostarts=ostarts)
        if sent.z is None:  # the sentence's bag of words, shared by its targets
            idx = [i for i in map(self.index_.get, sent.bag) if i is not None]
            sent.z = self.coef_[idx].sum(axis=0) if idx else np.zeros(3)
        z = self._logits(sparse, dense) + sent.z
        p = np.exp(z - z.max())
        p /= p.sum()
        if proba:
            return p
        score = to_score(p)
        if score < 0 and self.guard and sent.starts and harm_role(sent, *_token_range(sent.starts, sent.ends, s, e)):
            score = 0.0
        return score

    def score_group(self, text: str, targets: Sequence[tuple[int, int, Sequence[tuple[int, int]]]]) -> list[float]:
        """Scores of several targets of one sentence ``text``: ``(start, end, others)`` each. Every
        target's and other entity's mention is masked for all of them (as in training)."""
        every = sorted({(s, e) for s, e, _ in targets} | {o for _, _, oth in targets for o in oth})
        sent = self.featurizer.sentence(text, every)
        return [self._target_score(text, sent, s, e, list(oth)) for s, e, oth in targets]

    def _entity_scores(self, text: str, spans: Sequence[tuple[int, int, object]]) -> list[float]:
        """Stance toward each entity of ``spans`` (``(start, end, entity)`` offsets into the sentence
        ``text``), in order of first appearance: the mean over the entity's mentions, the other
        entities' mentions as context. Same contract as ``TargetScorer._entity_scores``."""
        key = (self.guard, text, tuple(spans))
        memo = self._memo
        got = memo.get(key)
        if got is not None:
            return list(got)
        spans = [(max(0, int(s)), min(len(text), int(e)), c) for s, e, c in spans]
        every = sorted({(s, e) for s, e, _ in spans})
        sent = self.featurizer.sentence(text, every)
        by_entity: dict = {}
        for s, e, c in spans:
            by_entity.setdefault(c, []).append((s, e))
        scores = []
        for c, own in by_entity.items():
            vals = []
            others = sorted((a, b) for a, b, c2 in spans if c2 != c)  # once per entity (countries: few)
            ostarts = [a for a, _ in others]
            for s, e in own:
                if e <= s:
                    vals.append(0.0)
                    continue
                vals.append(self._target_score(text, sent, s, e, others, ostarts=ostarts))
            scores.append(vals[0] + 0.0 if len(vals) == 1 else float(np.mean(vals)))
        if len(memo) > 20_000:
            memo.clear()
        memo[key] = tuple(scores)
        return scores

    def __repr__(self) -> str:
        return f"StanceModel({str(self.path)!r})"


@lru_cache(maxsize=1)
def default_model() -> StanceModel:
    """The shipped model (loaded once per process)."""
    return StanceModel()


def provenance() -> dict:
    """The shipped model's provenance record (``resources/stance_model.json``)."""
    return json.loads(STANCE_PROVENANCE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- role guard

# Harm done *to* the target ("Russia's invasion of Ukraine", "a border war with India",
# "Taiwan was threatened") and mutual conflict of which the target is one side ("tensions
# between the United States and China") say nothing bad about the target itself. NewsMTSC's
# person targets rarely show these constructions, so a model trained on it blames victims;
# this guard, applied after the classifier, keeps such targets from being scored negative.
_HARM_NOUNS = frozenset(
    "war wars attack attacks invasion invasions aggression incursion incursions strike strikes bombing "
    "bombings occupation annexation assault assaults offensive threat threats coercion intimidation "
    "harassment provocation provocations violence hostility encroachment blockade interference meddling "
    "raid raids shelling missiles missile hacking cyberattack cyberattacks".split())
_RELATIONAL = frozenset(
    "tension tensions rift rifts dispute disputes feud standoff friction frictions rivalry conflict conflicts "
    "row spat clash clashes war wars hostilities confrontation animosity mistrust distrust split gap "
    "competition".split())
_HARM_PREPS = frozenset("of on against with into in upon toward towards at".split())
_VICTIM_SKIP = frozenset(
    "the a an its their neighbouring neighboring southern northern eastern western whole entire "
    "democratic self-ruled island".split())
_PASSIVE = frozenset("was were is are been being be got gets get getting".split())


def _agent_harm_forms() -> frozenset[str]:
    from .sentiment import IR_LEXICON, load_lexicon

    return frozenset(w for w, e in load_lexicon(IR_LEXICON).items() if e.role == "agent" and e.valence < 0)


@lru_cache(maxsize=1)
def _harm_words() -> frozenset[str]:
    """Harm nouns plus every form of the IR lexicon's negative agent words ("invade", "threaten")."""
    return _HARM_NOUNS | _agent_harm_forms()


def harm_role(sent: _Sentence, lo: int, hi: int) -> str:
    """``"victim"`` when the target at tokens ``[lo, hi)`` of ``sent`` is the object of harm
    ("invasion of ⟨T⟩", "war with ⟨T⟩", "threatens ⟨T⟩", "⟨T⟩ was attacked"), ``"side"`` when it
    is one side of a mutual conflict ("tensions between ⟨T⟩ and X", "X-⟨T⟩ tensions"), else ``""``."""
    m = sent.masked
    harm = _harm_words()
    # left: skip determiners/adjectives, then a preposition after a harm word, or a harm verb
    k = lo - 1
    while k >= 0 and (m[k] in _VICTIM_SKIP or m[k] == ""):
        k -= 1
    if k >= 0 and m[k] in _HARM_PREPS:
        j = k - 1
        while j >= 0 and j >= k - 5 and m[j] not in harm and m[j] not in (OTHER, TARGET, ".", ",", ";"):
            j -= 1  # "invasion of", "border war with", "attacks on the island of"
        if j >= 0 and m[j] in harm:
            return "victim"
    elif k >= 0 and m[k] in harm and not (k > 0 and m[k - 1] in ("the", "a", "an", "'s")):
        return "victim"  # "threatens Taiwan", "invaded Ukraine"
    # right: passive harm ("Taiwan was threatened", "Ukraine has been invaded")
    r = hi
    while r < len(m) and m[r] == "":
        r += 1
    if r < len(m) and m[r] in _PASSIVE | {"has", "have", "had"}:
        q = r + 1
        while q < len(m) and q <= r + 3 and (m[q] in _PASSIVE or m[q].endswith("ly")):
            q += 1
        if q < len(m) and m[q] in harm and m[q].endswith(("ed", "en")):
            return "victim"
    # mutual conflict: "between T and X" / "between X and T" near a relational noun
    window = [w for w in m[max(0, lo - 8):lo] if w]
    if "between" in window:
        b = len(window) - 1 - window[::-1].index("between")
        before = window[max(0, b - 3):b]
        after = [w for w in m[hi:hi + 8] if w]
        between_part = window[b + 1:]
        if any(w in _RELATIONAL for w in before) or any(w in _RELATIONAL for w in after[:6]):
            if "and" in between_part or (after and after[0] == "and"):
                return "side"
    # "X-T tensions", "T-X rivalry": hyphenated pair of entities before a relational noun
    after = [w for w in m[hi:hi + 4] if w]
    if len(after) >= 3 and after[0] in ("-", "–", "/") and after[1] == OTHER and after[2] in _RELATIONAL:
        return "side"
    before = [w for w in m[max(0, lo - 3):lo] if w]
    after1 = after[0] if after else ""
    if len(before) >= 2 and before[-1] in ("-", "–", "/") and before[-2] == OTHER and after1 in _RELATIONAL:
        return "side"
    if (after and after[0] == "and" and len(after) >= 3 and after[1] == OTHER and after[2] in _RELATIONAL):
        return "side"  # "the US and China tensions" (rare, but cheap)
    return ""
