"""Train the learned stance classifier (:mod:`trilat_lib.stance`) on NewsMTSC; one command.

Run: ``python -m trilat_lib.stance_train`` (needs ``../shared/data/newsmtsc``; ~1-2 minutes).

Protocol: the model is fitted on ``train.jsonl`` only. Its hyper-parameters (regularisation
``C``, class weights) are chosen by 5-fold cross-validation on train (folds = every 5th
sentence, so a sentence's targets stay together): the mean of the pooled out-of-fold macro-F1
and the macro-F1 on multi-target sentences. ``dev_mt.jsonl`` and ``dev_rw.jsonl`` are scored
once, after the choice, and only reported; the test splits are held out (not in
``../shared/data``) and never read. Writes ``resources/stance_model.npz``
(arrays only: vocabulary as UTF-8 bytes, coefficients; loads with ``allow_pickle=False``)
and ``resources/stance_model.json`` (provenance: data checksums, grid, choice, dev scores, date,
library versions, code hash). Fitting is deterministic (lbfgs, fixed feature order).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ParameterError
from .paths import PACKAGE_DIR, RESOURCES_DIR, SHARED_DATA_DIR
from .stance import DENSE, STANCE_MODEL, STANCE_PROVENANCE, Featurizer

DATA = SHARED_DATA_DIR / "newsmtsc"
POLARITY = {2.0: -1, 4.0: 0, 6.0: 1}
GRID_C = (0.05, 0.1, 0.2)  # 0.03, 0.3 and 1.0 were worse in earlier runs
GRID_WEIGHT = (None, "balanced")
MIN_DF = 2
FOLDS = 5


@dataclass(frozen=True)
class Target:
    """One NewsMTSC target: sentence, mention span, other entities' spans, gold label (-1/0/1)."""

    sentence: str
    start: int
    end: int
    others: tuple[tuple[int, int], ...]
    gold: int
    line: int = -1  # the sentence's line in its file (targets of one sentence share it)


def load_newsmtsc(path: str | Path, limit: int | None = None) -> list[list[Target]]:
    """A NewsMTSC JSONL file as one list of :class:`Target` per sentence (the first ``limit``
    sentences). The other targets of the sentence and their coreferent mentions are each
    target's ``others``."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: NewsMTSC file not found (expected under {DATA}).")
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                break
            obj = json.loads(line)
            sent, targets = obj["sentence_normalized"], obj["targets"]
            group = []
            for t in targets:
                others = []
                for o in targets:
                    if o is t or (o["from"], o["to"]) == (t["from"], t["to"]):
                        continue
                    others.append((o["from"], o["to"]))
                    others.extend((fm["from"], fm["to"]) for fm in o.get("further_mentions", []))
                group.append(Target(sent, t["from"], t["to"], tuple(others), POLARITY[float(t["polarity"])], n))
            out.append(group)
    return out


def featurize(featurizer: Featurizer, sentences: list[list[Target]]) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """Sparse feature names, dense matrix and gold labels of every target (sentence order)."""
    sparse, dense, gold = [], [], []
    for group in sentences:
        text = group[0].sentence
        # = StanceModel.score_group: every target and other mention masked
        every = sorted({(t.start, t.end) for t in group} | {o for t in group for o in t.others})
        sent = featurizer.sentence(text, every)
        for t in group:
            s, d = featurizer.target(text, sent, t.start, t.end, t.others)
            sparse.append(s)
            dense.append(d)
            gold.append(t.gold)
    return sparse, np.array(dense), np.array(gold)


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the classes -1, 0, 1 (NewsMTSC's F1m)."""
    f1s = []
    for c in (-1, 0, 1):
        tp = np.sum((pred == c) & (gold == c))
        fp = np.sum((pred == c) & (gold != c))
        fn = np.sum((pred != c) & (gold == c))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def _matrix(sparse: list[list[str]], dense: np.ndarray, index: dict[str, int]):
    from scipy import sparse as sp

    rows, cols = [], []
    for i, feats in enumerate(sparse):
        js = sorted({index[f] for f in feats if f in index})
        rows += [i] * len(js)
        cols += js
    x = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sparse), len(index)))
    return sp.hstack([x, sp.csr_matrix(dense[:, :-1])], format="csr")  # the bias column is the intercept


def _vocab(sparse: list[list[str]], min_df: int) -> list[str]:
    df: dict[str, int] = {}
    for feats in sparse:
        for f in set(feats):
            df[f] = df.get(f, 0) + 1
    return sorted(f for f, n in df.items() if n >= min_df)


def _predict(proba: np.ndarray) -> np.ndarray:
    """The most probable class of each row of ``[P(neg), P(neu), P(pos)]`` (= :func:`stance.to_score`'s label)."""
    return np.array([-1, 0, 1])[proba.argmax(axis=1)]


def code_hash() -> str:
    """SHA-256 (16 hex) of the code and lexicon that define the features and the training."""
    h = hashlib.sha256()
    for p in (PACKAGE_DIR / "stance.py", PACKAGE_DIR / "stance_train.py", PACKAGE_DIR / "sentiment.py",
              RESOURCES_DIR / "ir_lexicon.csv"):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(data: Path = DATA, out: Path = STANCE_MODEL, provenance: Path = STANCE_PROVENANCE,
          verbose: bool = True) -> dict:
    """Fit on train, choose hyper-parameters by cross-validation on train, report dev, write the model and its provenance."""
    import sklearn
    from sklearn.linear_model import LogisticRegression

    say = print if verbose else (lambda *a, **k: None)
    t0 = time.perf_counter()
    feat = Featurizer()
    splits = {name: load_newsmtsc(data / f"{name}.jsonl") for name in ("train", "dev_mt", "dev_rw")}
    feats = {name: featurize(feat, s) for name, s in splits.items()}
    say(f"features: " + ", ".join(f"{k} {len(v[2])} targets" for k, v in feats.items())
        + f" ({time.perf_counter() - t0:.0f} s)")
    tr_sparse, tr_dense, tr_gold = feats["train"]
    fold = np.array([i % FOLDS for i, g in enumerate(splits["train"]) for _ in g])
    multi = np.array([len(g) > 1 for g in splits["train"] for _ in g])
    results = []
    for weight in GRID_WEIGHT:
        for c in GRID_C:
            pred = np.zeros_like(tr_gold)
            for k in range(FOLDS):
                fit = np.flatnonzero(fold != k)
                held = np.flatnonzero(fold == k)
                fs = [tr_sparse[i] for i in fit]
                index = {f: i for i, f in enumerate(_vocab(fs, MIN_DF))}
                clf = LogisticRegression(C=c, class_weight=weight, max_iter=3000)
                clf.fit(_matrix(fs, tr_dense[fit], index), tr_gold[fit])
                pred[held] = _predict(clf.predict_proba(_matrix([tr_sparse[i] for i in held], tr_dense[held], index)))
            cv = {"all": macro_f1(tr_gold, pred), "multi_target": macro_f1(tr_gold[multi], pred[multi])}
            results.append(((cv["all"] + cv["multi_target"]) / 2, str(weight), c, cv))
            say(f"  class_weight {str(weight):8s} C {c:<5}: cross-validated on train {100 * cv['all']:.1f}, "
                f"multi-target sentences {100 * cv['multi_target']:.1f}")
    # best mean cross-validated macro-F1; ties: stronger regularisation (deterministic)
    _, weight, c, cv = max(results, key=lambda r: (r[0], -r[2]))
    weight = None if weight == "None" else weight
    min_df = MIN_DF
    vocab = _vocab(tr_sparse, min_df)
    index = {f: i for i, f in enumerate(vocab)}
    clf = LogisticRegression(C=c, class_weight=weight, max_iter=3000).fit(_matrix(tr_sparse, tr_dense, index), tr_gold)
    if list(clf.classes_) != [-1, 0, 1]:
        raise ParameterError(f"training labels {list(clf.classes_)} are not -1/0/1: is {data} NewsMTSC?")
    f1 = {k: macro_f1(feats[k][2], _predict(clf.predict_proba(_matrix(feats[k][0], feats[k][1], index))))
          for k in ("dev_mt", "dev_rw")}
    say(f"chosen by cross-validation on train: class_weight {weight}, C {c}; dev (reported once): "
        f"dev_mt {100 * f1['dev_mt']:.1f}, dev_rw {100 * f1['dev_rw']:.1f}")
    coef = clf.coef_.T  # (features, 3)
    n = len(vocab)
    dense_coef = np.vstack([coef[n:], clf.intercept_[None, :]])
    out = Path(out)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
                        coef=coef[:n].astype(np.float32), dense_coef=dense_coef.astype(np.float32),
                        dense_names=np.array(DENSE))
    tmp.replace(out)
    record = {
        "model": "multinomial logistic regression (scikit-learn LogisticRegression, lbfgs), weights exported to "
                 f"{out.name}; inference in numpy (trilat_lib.stance)",
        "data": {"source": "NewsMTSC (Hamborg & Donnay, EACL 2021), ../shared/data/newsmtsc (see its SOURCE.md)",
                 "fitted_on": "train.jsonl", "tuned_on": f"train.jsonl, {FOLDS}-fold cross-validation by sentence",
                 "reported_on": ["dev_mt.jsonl", "dev_rw.jsonl"],
                 "test": "held out, not used",
                 "sha256": {f"{k}.jsonl": _sha256(data / f"{k}.jsonl") for k in splits},
                 "targets": {k: int(len(v[2])) for k, v in feats.items()}},
        "grid": {"C": list(GRID_C), "class_weight": [str(w) for w in GRID_WEIGHT], "min_df": [MIN_DF]},
        "selection": f"highest mean of the {FOLDS}-fold cross-validated macro-F1 on train (all targets, and targets "
                     "of multi-target sentences); labels = most probable class; dev not used for the choice",
        "cv_macro_f1": {r[1] + f" C={r[2]}": {k: round(100 * v, 1) for k, v in r[3].items()} for r in results},
        "chosen": {"C": c, "class_weight": str(weight), "min_df": min_df,
                   "n_features": n, "dense_features": list(DENSE)},
        "dev_macro_f1": {k: round(100 * v, 1) for k, v in f1.items()},
        "trained": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "code_sha256_16": code_hash(),
        "command": "python -m trilat_lib.stance_train",
    }
    tmp = Path(provenance).with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(provenance)
    say(f"wrote {out} ({out.stat().st_size // 1024} KiB) and {provenance} ({time.perf_counter() - t0:.0f} s)")
    return record


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA), help="folder with train.jsonl, dev_mt.jsonl, dev_rw.jsonl")
    args = ap.parse_args(argv)
    train(Path(args.data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
