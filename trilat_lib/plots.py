"""Figures for the notebooks: one readable style (projector-sized fonts, titled, labelled axes)
and one function per chart. Each analysis has its own section below; functions return the
matplotlib ``Figure`` so notebooks can show it and save it with :func:`outputs.save_figure`."""
from __future__ import annotations

import matplotlib

import matplotlib.pyplot as plt

STYLE = {
    "figure.figsize": (11, 6),
    "figure.dpi": 100,
    "font.size": 13,
    "axes.titlesize": 16,
    "axes.titleweight": "bold",
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}

# Colour per country (ISO alpha-3), stable across every figure.
COUNTRY_COLORS = {
    "USA": "#1f77b4", "JPN": "#d62728", "KOR": "#2ca02c", "PRK": "#7f7f7f",
    "CHN": "#ff7f0e", "RUS": "#9467bd", "TWN": "#17becf", "UKR": "#bcbd22",
}


def shown_note(shown: int, total: int, what: str = "documents", order: str = "the largest") -> str:
    """Title suffix for a figure that shows only some items of a large corpus."""
    return "" if shown >= total else f" ({order} {shown} of {total} {what}; all are in the CSV)"


def _largest(frame, n: int | None, key):
    """The ``n`` rows of ``frame`` with the largest ``key`` (a column name or a Series aligned
    with the index), kept in their original order; all rows when ``n`` is None or not exceeded.
    Per-document figures use it so a corpus of thousands of articles still gives a readable chart."""
    if n is None or len(frame) <= n:
        return frame
    values = frame[key] if isinstance(key, str) else key
    top = set(values.sort_values(ascending=False, kind="stable").index[:n])
    return frame.loc[[i for i in frame.index if i in top]]


def use_style() -> None:
    """Apply trilat's figure style (call once at the top of a notebook)."""
    matplotlib.rcParams.update(STYLE)


def country_color(code: str) -> str:
    return COUNTRY_COLORS.get(code, "#8c564b")


# ============================================================ corpus (notebook 01)


def corpus_sizes(frame, title: str = "Size of each article after cleaning", max_docs: int | None = 40):
    """Horizontal bars of words per document (``Corpus.to_frame()``), labelled with sentences;
    beyond ``max_docs`` documents only the largest are drawn (the title says so)."""
    total = len(frame)
    frame = _largest(frame, max_docs, "words")
    title += shown_note(len(frame), total)
    fig, ax = plt.subplots(figsize=(11, max(3.0, 0.7 * len(frame) + 1.5)))
    def short(t, width=38):
        t = " ".join(str(t or "").split())
        return t if len(t) <= width else t[: t.rfind(" ", 0, width) if " " in t[:width] else width].rstrip(" ,:;") + "…"

    labels = [f"{d}  {short(t)}" for d, t in zip(frame["doc_id"], frame["title"])]
    y = range(len(frame))
    ax.barh(y, frame["words"], color="#4c72b0")
    for yi, (w, s) in enumerate(zip(frame["words"], frame["sentences"])):
        ax.text(w, yi, f" {int(w)} words, {int(s)} sentences", va="center", fontsize=11)
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(frame["words"].max() * 1.45, 1))
    ax.set_xlabel("words (word tokens of the body sentences)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def cleaning_audit_bars(audit, title: str = "Lines removed by the cleaner: rule × document", max_docs: int | None = 12):
    """Annotated heatmap of removed lines, one row per cleaning rule and one column per document
    (rules sorted by total), so dozens of rules stay readable; the last column is the total over
    all documents. Beyond ``max_docs`` documents, the columns are those with most removed lines."""
    import numpy as _np
    import pandas as _pd

    if audit.empty:
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.text(0.5, 0.5, "the cleaner removed nothing", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    table = _pd.crosstab(audit["rule"], audit["doc_id"])
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    total = table.sum(axis=1)
    n_docs = table.shape[1]
    table = _largest(table.T, max_docs, table.sum(axis=0)).T
    title += shown_note(table.shape[1], n_docs, order="the", what="documents with most removals")
    table["total"] = total
    vals = table.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(max(7, 1.2 * table.shape[1] + 4), max(3.5, 0.42 * len(table) + 2)))
    shown = vals.copy()
    shown[:, -1] = _np.nan  # the total column is text only
    im = ax.imshow(_np.ma.masked_invalid(_np.where(shown == 0, _np.nan, shown)), cmap="Oranges", aspect="auto",
                   vmin=0, vmax=max(1, _np.nanmax(vals[:, :-1])))
    vmax = max(1, _np.nanmax(vals[:, :-1]))
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            v = int(vals[i, j])
            if v:
                dark = j < vals.shape[1] - 1 and v > 0.6 * vmax
                ax.text(j, i, str(v), ha="center", va="center", fontsize=11,
                        color="white" if dark else "black", fontweight="bold" if j == vals.shape[1] - 1 else "normal")
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([f"doc {c}" if c != "total" else "total" for c in table.columns])
    ax.set_yticks(range(len(table)))
    ax.set_yticklabels(table.index)
    ax.xaxis.tick_top()
    ax.grid(False)
    ax.set_ylabel("cleaning rule")
    fig.colorbar(im, ax=ax, label="removed lines", shrink=0.6)
    ax.set_title(title, pad=28)
    fig.tight_layout()
    return fig


def term_frequency_panels(freqs, top_n: int = 15, title: str = "Most frequent words and phrases"):
    """One horizontal bar panel per n-gram size (``terms.term_frequencies`` output), most
    frequent at the top, each bar labelled with its count and number of documents."""
    sizes = sorted(freqs["n"].unique()) if len(freqs) else [1]
    names = {1: "words", 2: "two-word phrases", 3: "three-word phrases"}
    rows = min(top_n, int(freqs.groupby("n").size().max()) if len(freqs) else 1)
    fig, axes = plt.subplots(1, len(sizes), figsize=(6.5 * len(sizes), max(4.0, 0.42 * rows + 2)), squeeze=False)
    for ax, n in zip(axes[0], sizes):
        sub = freqs[(freqs["n"] == n) & (freqs["rank"] <= top_n)]
        y = range(len(sub))
        ax.barh(y, sub["count"], color="#4c72b0")
        ax.set_yticks(list(y))
        ax.set_yticklabels(sub["term"])
        ax.invert_yaxis()
        for yi, (c, d) in enumerate(zip(sub["count"], sub["documents"])):
            ax.text(c, yi, f" {int(c)} ({int(d)} doc{'s' if d != 1 else ''})", va="center", fontsize=10)
        ax.set_xlim(0, max(sub["count"].max() * 1.35, 1) if len(sub) else 1)
        ax.set_xlabel("occurrences in the corpus")
        ax.set_title(names.get(n, f"{n}-word phrases"))
    fig.suptitle(title, fontsize=17, fontweight="bold")
    fig.tight_layout()
    return fig


def distinctive_terms_panels(dist, top_n: int = 10, title: str | None = None, max_docs: int | None = 8):
    """One panel per document: its most distinctive terms (``terms.distinctive_terms`` output),
    bar length = score, labelled with the count in the document vs the rest of the corpus.
    Beyond ``max_docs`` documents, the first ``max_docs`` in corpus order are drawn."""
    all_docs = list(dict.fromkeys(dist["doc_id"]))
    docs = all_docs[:max_docs] if max_docs is not None else all_docs
    method = "log-likelihood keyness (G²)" if "p_value" in dist.columns else "TF-IDF"
    cols = min(2, max(len(docs), 1))
    nrows = max(1, -(-len(docs) // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(7.5 * cols, max(3.5, 0.45 * top_n + 1.5) * nrows), squeeze=False)
    for ax in axes.flat[len(docs):]:
        ax.set_axis_off()
    for ax, doc_id in zip(axes.flat, docs):
        sub = dist[(dist["doc_id"] == doc_id) & (dist["rank"] <= top_n)]
        y = range(len(sub))
        ax.barh(y, sub["score"], color="#dd8452")
        ax.set_yticks(list(y))
        ax.set_yticklabels(sub["term"])
        ax.invert_yaxis()
        for yi, (s, c, r) in enumerate(zip(sub["score"], sub["count"], sub["rest_count"])):
            ax.text(s, yi, f" {int(c)} here / {int(r)} elsewhere", va="center", fontsize=10)
        ax.set_xlim(0, max(sub["score"].max() * 1.6, 1e-9) if len(sub) else 1)
        ax.set_xlabel(method)
        ax.set_title(f"document {doc_id}")
    fig.suptitle((title or f"Distinctive terms per document ({method})")
                 + shown_note(len(docs), len(all_docs), order="the first"), fontsize=17, fontweight="bold")
    fig.tight_layout()
    return fig


def cooccurrence_heatmap(matrix, title: str = "Countries named in the same sentence"):
    """Heatmap of a ``terms.cooccurrence_matrix``: cell = sentences naming both countries,
    diagonal (outlined) = sentences naming the country at all."""
    import matplotlib.patches as _mp
    import numpy as _np

    n = len(matrix)
    fig, ax = plt.subplots(figsize=(max(7, 0.75 * n + 3.5), max(6, 0.7 * n + 2.5)))
    if n == 0:
        ax.text(0.5, 0.5, "no country is named in any sentence", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    vals = matrix.to_numpy(dtype=float)
    off = vals.copy()
    _np.fill_diagonal(off, _np.nan)
    im = ax.imshow(_np.ma.masked_invalid(off), cmap="Blues", vmin=0, vmax=max(1, _np.nanmax(off) if n > 1 else 1))
    for i in range(n):
        for j in range(n):
            v = int(vals[i, j])
            dark = i != j and v > 0.6 * (_np.nanmax(off) if n > 1 else 1)
            ax.text(j, i, str(v), ha="center", va="center", fontsize=10,
                    color="white" if dark else "black", fontweight="bold" if i == j else "normal")
        ax.add_patch(_mp.Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="0.3", linewidth=1.2))
    ax.set_xticks(range(n))
    ax.set_xticklabels(matrix.columns, rotation=45, ha="right")
    ax.set_yticks(range(n))
    ax.set_yticklabels(matrix.index)
    ax.grid(False)
    ax.set_xlabel("country (ISO alpha-3)")
    ax.set_ylabel("country (ISO alpha-3)")
    fig.colorbar(im, ax=ax, label="sentences naming both", shrink=0.8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


# ============================================================ topics (notebook 02)


def topic_k_selection(selection, title: str = "Choosing the number of topics"):
    """Coherence (NPMI), diversity and stability against k (a ``TopicModel.k_selection_``
    table); the chosen k is marked with a dashed line."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharex=True)
    specs = [("coherence", "NPMI coherence (top 10)", "#1f77b4"),
             ("diversity", "topic diversity (top 25)", "#2ca02c"),
             ("stability", "stability (matched Jaccard)", "#d62728")]
    chosen = selection.loc[selection["chosen"], "k"]
    for ax, (col, label, color) in zip(axes, specs):
        ax.plot(selection["k"], selection[col], marker="o", color=color, linewidth=2)
        for k in chosen:
            ax.axvline(k, color="0.3", linestyle="--", linewidth=1)
        ax.set_xlabel("number of topics k")
        ax.set_ylabel(label)
        ax.set_xticks(list(selection["k"]))
    if len(chosen):
        axes[0].annotate(f"chosen k = {int(chosen.iloc[0])}", xy=(int(chosen.iloc[0]), selection["coherence"].max()),
                         xytext=(5, 0), textcoords="offset points", fontsize=11)
    fig.suptitle(title, fontsize=16, fontweight="bold")
    fig.tight_layout()
    return fig


def topic_term_bars(term_weights, labels, top_n: int = 8, title: str = "Top terms of each topic"):
    """Small multiples: for each topic, its ``top_n`` terms and their weights
    (a ``TopicModel.term_weights()`` table)."""
    import math as _math

    topics = sorted(term_weights["topic"].unique())
    ncol = min(4, len(topics))
    nrow = _math.ceil(len(topics) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 0.42 * top_n * nrow + 1.4 * nrow), squeeze=False)
    cmap = plt.get_cmap("tab10")
    for i, t in enumerate(topics):
        ax = axes[i // ncol][i % ncol]
        d = term_weights[term_weights["topic"] == t].sort_values("rank").head(top_n)
        ax.barh(d["term"][::-1], d["weight"][::-1], color=cmap(i % 10))
        ax.set_title(_wrap_label(f"{t}: {labels[t]}", 30), fontsize=12)  # wrapped: no overlap with the next panel
        ax.tick_params(axis="y", labelsize=11)
        ax.set_xlabel("weight", fontsize=10)
    for j in range(len(topics), nrow * ncol):
        axes[j // ncol][j % ncol].set_axis_off()
    fig.suptitle(title, fontsize=16, fontweight="bold")
    fig.tight_layout()
    return fig


def _wrap_label(text: str, width: int, lines: int = 2) -> str:
    """``text`` wrapped at word boundaries into at most ``lines`` lines of ``width`` characters
    (an ellipsis marks a cut), so long names neither run off the figure nor stop mid-word."""
    import textwrap as _tw

    return "\n".join(_tw.wrap(str(text), width, max_lines=lines, placeholder=" …")) or str(text)


def topic_heatmap(doc_topics, labels, row_labels=None, title: str = "Topic weights per document",
                  label_width: int = 40):
    """Document × topic heatmap of ``TopicModel.document_topics_`` (rows sum to 1), annotated.
    Row and topic names are wrapped at word boundaries (``label_width`` characters a line)."""
    import numpy as _np

    vals = doc_topics.to_numpy(dtype=float)
    n, k = vals.shape
    rows = [_wrap_label(r, label_width) for r in (row_labels if row_labels is not None else doc_topics.index)]
    cols = [_wrap_label(f"{j}: {labels[j]}", 24) for j in range(k)]
    two_line = any("\n" in r for r in rows)
    fig, ax = plt.subplots(figsize=(max(9, 1.3 * k + 7), min(24, max(4.5, (0.8 if two_line else 0.55) * n + 3))))
    im = ax.imshow(vals, cmap="Purples", vmin=0, vmax=max(0.01, _np.nanmax(vals)), aspect="auto")
    if n * k <= 400:
        for i in range(n):
            for j in range(k):
                ax.text(j, i, f"{vals[i, j]:.2f}", ha="center", va="center", fontsize=10,
                        color="white" if vals[i, j] > 0.6 * _np.nanmax(vals) else "black")
    ax.set_xticks(range(k))
    ax.set_xticklabels(cols, rotation=35, ha="right")
    if n <= 60:  # beyond that, names would overlap: the rows are in doc_topics order
        ax.set_yticks(range(n))
        ax.set_yticklabels(rows, fontsize=11)
    ax.grid(False)
    ax.set_xlabel("topic")
    ax.set_ylabel("document" if n <= 60 else f"{n} documents, in corpus order")
    fig.colorbar(im, ax=ax, label="share of the document", shrink=0.8)
    fig.suptitle(title, fontsize=16, fontweight="bold")  # over the whole figure: clear of the colour bar
    fig.tight_layout()
    return fig


def topic_share_bars(prevalence, labels, title: str = "Topic shares by outlet", wrap: int = 38):
    """Stacked horizontal bars: the mean topic shares of each group (a ``TopicModel.prevalence``
    table, columns ``topic_0`` ...); one bar per outlet (or other group)."""
    import textwrap as _tw

    import numpy as _np

    cmap = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(12, max(3.5, 0.8 * len(prevalence) + 2)))
    names = ["\n".join(_tw.wrap(str(i), wrap)) for i in prevalence.index]
    left = _np.zeros(len(prevalence))
    for j, col in enumerate(prevalence.columns):
        vals = prevalence[col].to_numpy(dtype=float)
        t = int(str(col).split("_")[-1])
        ax.barh(names, vals, left=left, color=cmap(t % 10), label=_wrap_label(f"{t}: {labels[t]}", 32))
        for y, (l, v) in enumerate(zip(left, vals)):
            if v >= 0.08:
                ax.text(l + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=10, color="white")
        left += vals
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean share of the documents' text")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="topic")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def topic_shares_over_time(prevalence, labels, title: str = "Topic shares over publication date"):
    """Topic shares per publication date (a ``TopicModel.prevalence(by="published")`` table),
    one line per topic; with few dates every point is a document group, not a trend."""
    cmap = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(12, 5.5))
    for col in prevalence.columns:
        t = int(str(col).split("_")[-1])
        ax.plot(prevalence.index, prevalence[col], marker="o", linewidth=2, color=cmap(t % 10),
                label=_wrap_label(f"{t}: {labels[t]}", 32))
    ax.set_ylim(0, 1)
    ax.set_xlabel("publication date")
    ax.set_ylabel("mean share of the documents' text")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="topic")
    ax.set_title(title)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


# ============================================================ sentiment (notebook 03)


_EXTRA_COLORS = ["#8c564b", "#e377c2", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
                 "#e6550d", "#31a354", "#756bb1", "#636363"]


def _stance_color(code: str) -> str:
    """:func:`country_color`, with distinct stable colours for codes outside the main palette."""
    if code in COUNTRY_COLORS:
        return COUNTRY_COLORS[code]
    return _EXTRA_COLORS[sum(map(ord, str(code))) % len(_EXTRA_COLORS)]


def mentions_per_article(counts, title: str = "Country mentions per article", max_docs: int | None = 30):
    """Grouped horizontal bars: mentions of each country (columns) in each article (rows).

    ``counts``: a DataFrame indexed by article label with one column per country code. Beyond
    ``max_docs`` articles, those with the most mentions are drawn.
    """
    import numpy as _np
    total = len(counts)
    counts = _largest(counts, max_docs, counts.sum(axis=1))
    title += shown_note(len(counts), total, what="articles", order="the")
    fig, ax = plt.subplots(figsize=(11, max(3.5, 0.9 * len(counts) + 1.5)))
    left = _np.zeros(len(counts))
    for code in counts.columns:
        vals = counts[code].to_numpy(dtype=float)
        ax.barh(range(len(counts)), vals, left=left, color=_stance_color(code), label=code, edgecolor="white")
        left = left + vals
    ax.set_yticks(range(len(counts)))
    ax.set_yticklabels([str(i) for i in counts.index])
    ax.invert_yaxis()
    ax.set_xlabel("number of mentions (stacked by country)")
    ax.set_title(title)
    ax.legend(ncol=min(len(counts.columns), 8), loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    fig.tight_layout()
    return fig


def stance_bars(agg, neutral_band: float = 0.05, title: str = "Mean stance toward each country"):
    """Diverging bars of mean stance per country with bootstrap CI whiskers and the count.

    ``agg``: :func:`trilat_lib.sentiment.by_country` output (country, mean, ci_low, ci_high,
    n_sentences, n_mentions). Bars run left (negative) or right (positive) of zero; the grey
    band is the neutral zone.
    """
    import numpy as _np
    agg = agg.sort_values("mean").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(11, max(3.5, 0.6 * len(agg) + 1.8)))
    y = _np.arange(len(agg))
    ax.axvspan(-neutral_band, neutral_band, color="0.85", zorder=0, label=f"neutral band ±{neutral_band:g}")
    ax.barh(y, agg["mean"], color=[_stance_color(c) for c in agg["country"]], zorder=2)
    lo = (agg["mean"] - agg["ci_low"]).fillna(0).clip(lower=0)
    hi = (agg["ci_high"] - agg["mean"]).fillna(0).clip(lower=0)
    ax.errorbar(agg["mean"], y, xerr=[lo, hi], fmt="none", ecolor="black", capsize=4, zorder=3)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{c}  (n={int(n)} sent., {int(m)} mentions)"
                        for c, n, m in zip(agg["country"], agg["n_sentences"], agg["n_mentions"])])
    lim = max(0.3, float(_np.nanmax(_np.abs(agg[["ci_low", "ci_high", "mean"]].to_numpy()))) + 0.05) if len(agg) else 1
    ax.set_xlim(-min(1, lim), min(1, lim))
    ax.set_xlabel("mean stance (VADER compound scale; whiskers = 95% bootstrap CI)")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


def stance_heatmap(table, counts=None, title: str = "Mean stance per country and article", max_docs: int | None = 20):
    """Country × article heatmap of mean stance (diverging colours, 0 = white), cells annotated
    with the mean and, when ``counts`` (same shape) is given, the number of sentences. Beyond
    ``max_docs`` articles (columns), those with the most sentences (or scored countries) are drawn."""
    import numpy as _np
    total = table.shape[1]
    weight = counts.fillna(0).sum(axis=0) if counts is not None else table.notna().sum(axis=0)
    keep = list(_largest(table.T, max_docs, weight).index)
    table = table[keep]
    counts = counts[keep] if counts is not None else None
    title += shown_note(len(keep), total, what="articles", order="the")
    fig, ax = plt.subplots(figsize=(max(7, 1.3 * table.shape[1] + 3), max(3.5, 0.6 * table.shape[0] + 2)))
    vals = table.to_numpy(dtype=float)
    im = ax.imshow(_np.ma.masked_invalid(vals), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([str(c) for c in table.columns], rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels([str(i) for i in table.index])
    ax.grid(False)
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = vals[i, j]
            if _np.isnan(v):
                ax.text(j, i, "–", ha="center", va="center", color="0.5")
                continue
            n = "" if counts is None else f"\nn={int(counts.iloc[i, j])}"
            ax.text(j, i, f"{v:+.2f}{n}", ha="center", va="center", fontsize=10,
                    color="white" if abs(v) > 0.5 else "black")
    fig.colorbar(im, ax=ax, label="mean stance")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def stance_over_time(df, countries=None, title: str = "Stance over publication date"):
    """Mean stance per country per publication date (points sized by sentence count, CI bars).

    ``df``: :func:`trilat_lib.sentiment.aggregate` output by ``["country", "period"]`` or
    ``["country", "published"]``.
    """
    import pandas as _pd
    key = "period" if "period" in df.columns else "published"
    fig, ax = plt.subplots()
    codes = countries or sorted(df["country"].unique())
    for code in codes:
        sub = df[df["country"] == code].copy()
        if sub.empty:
            continue
        sub["_t"] = _pd.to_datetime(sub[key].astype(str))
        sub = sub.sort_values("_t")
        lo = (sub["mean"] - sub["ci_low"]).fillna(0).clip(lower=0)
        hi = (sub["ci_high"] - sub["mean"]).fillna(0).clip(lower=0)
        ax.errorbar(sub["_t"], sub["mean"], yerr=[lo, hi], color=_stance_color(code), marker="o",
                    capsize=3, label=code, alpha=0.85)
        ax.scatter(sub["_t"], sub["mean"], s=20 + 8 * sub["n_sentences"], color=_stance_color(code), alpha=0.4)
    ax.axhline(0, color="black", linewidth=1)
    ax.set_ylim(-1, 1)
    ax.set_xlabel("publication date")
    ax.set_ylabel("mean stance (95% CI)")
    ax.set_title(title)
    ax.legend(ncol=4, frameon=False)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def scorer_comparison(target_agg, sentence_agg, title: str = "Target-dependent vs sentence-level tone"):
    """Paired dots per country: mean stance from the target scorer vs plain sentence VADER."""
    import numpy as _np
    m = target_agg.merge(sentence_agg, on="country", suffixes=("_target", "_sentence")).sort_values("mean_target")
    fig, ax = plt.subplots(figsize=(11, max(3.5, 0.6 * len(m) + 1.8)))
    y = _np.arange(len(m))
    for yi, (a, b) in enumerate(zip(m["mean_sentence"], m["mean_target"])):
        ax.plot([a, b], [yi, yi], color="0.6", zorder=1)
    ax.scatter(m["mean_sentence"], y, color="white", edgecolor="black", s=80, zorder=2, label="sentence-level VADER")
    ax.scatter(m["mean_target"], y, color=[_stance_color(c) for c in m["country"]], s=80, zorder=3,
               label="target-dependent (trilat)")
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{c} (n={int(n)})" for c, n in zip(m["country"], m["n_sentences_target"])])
    ax.set_xlim(-1, 1)
    ax.set_xlabel("mean stance")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


# ============================================================ timeline (notebook 04)


SOURCE_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
SEVERAL_SOURCES_COLOR = "#222222"
OTHER_SOURCES_COLOR = "#b5b5b5"  # events of the documents beyond the palette (color_by="source")
TL_MAX_LISTED_SOURCES = 4  # a label names at most this many documents, then "+N more"


def _tl_year(d) -> float:
    """A date as a fractional year (for a year axis)."""
    import datetime as _dt

    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    if hasattr(d, "date") and not isinstance(d, _dt.date):
        d = d.date()
    start = _dt.date(d.year, 1, 1)
    days = (_dt.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


_TL_MODS = {"START": "early", "MID": "mid", "END": "late", "APPROX": "c.", "BEFORE": "before", "AFTER": "after",
            "ON_OR_BEFORE": "by", "ON_OR_AFTER": "from"}


def _tl_when(start, end, granularity) -> str:
    """A short human date for a label: "Apr 26, 2023", "Jun 2022", "summer 2022", "1910–1945"."""
    import datetime as _dt

    s = start if isinstance(start, _dt.date) else _dt.date.fromisoformat(str(start)[:10])
    e = end if isinstance(end, _dt.date) else _dt.date.fromisoformat(str(end)[:10])
    g = str(granularity or "")
    if s.year != e.year and g in ("year", "decade", "century", ""):
        return f"{s.year}–{e.year}"
    if g == "day" or s == e:
        return s.strftime("%b %-d, %Y")
    if g == "week":
        return f"week of {s.strftime('%b %-d, %Y')}"
    if g == "month":
        return s.strftime("%b %Y")
    if g == "season":
        return {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}.get(s.month, "season") + f" {s.year}"
    if g in ("quarter", "half"):
        return f"{s.strftime('%b')}–{e.strftime('%b %Y')}"
    if g == "decade":
        return f"{s.year}s"
    return str(s.year) if s.year == e.year else f"{s.year}–{e.year}"


def _tl_sources(row) -> list[str]:
    if "doc_ids" in row and isinstance(row["doc_ids"], str):
        return [d.strip() for d in row["doc_ids"].split(";") if d.strip()]
    return [str(row["doc_id"])]


def _tl_source_note(srcs: list[str]) -> str:
    """The documents of a label: all of them up to :data:`TL_MAX_LISTED_SOURCES`, else the
    first ones and how many more ("000, 001, 002 +2583 more"), so a label stays one short line."""
    if len(srcs) <= TL_MAX_LISTED_SOURCES:
        return ", ".join(srcs)
    shown = TL_MAX_LISTED_SOURCES - 1
    return f"{', '.join(srcs[:shown])} +{len(srcs) - shown} more"


def _tl_source_colors(sources: list[list[str]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Colour per document and the legend entries ``(label, colour)`` for ``color_by="source"``.

    ``sources`` lists each drawn event's documents. Up to ``len(SOURCE_PALETTE)`` documents,
    each has its colour and legend entry. Beyond, only the documents that are the single
    source of the most drawn events get one (``len(SOURCE_PALETTE) - 1`` of them) and the
    others share :data:`OTHER_SOURCES_COLOR` under one entry, so the legend stays short however
    many documents a corpus has (documents of events with several sources are drawn black).
    """
    from collections import Counter

    docs = sorted({d for srcs in sources for d in srcs})
    if len(docs) <= len(SOURCE_PALETTE):
        colors = {d: SOURCE_PALETTE[i % len(SOURCE_PALETTE)] for i, d in enumerate(docs)}
        return colors, [(f"document {d}", colors[d]) for d in docs]
    single = Counter(srcs[0] for srcs in sources if len(set(srcs)) == 1)
    top = sorted(sorted(single, key=lambda d: (-single[d], d))[: len(SOURCE_PALETTE) - 1])
    colors = {d: SOURCE_PALETTE[i] for i, d in enumerate(top)}
    legend = [(f"document {d}", colors[d]) for d in top]
    others = len(single) - len(top)
    if others:
        legend.append((f"{others} other document{'s' if others > 1 else ''}", OTHER_SOURCES_COLOR))
    return colors, legend


def _tl_cut(text: str, width: int) -> str:
    """One line of at most ``width`` characters, cut on a word boundary."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def _tl_zoom_window(mids, share: float = 0.6) -> tuple[int, int]:
    """The shortest run of whole years holding at least ``share`` of the events' midpoints."""
    import numpy as np

    m = np.sort(np.asarray(mids))
    k = max(2, int(np.ceil(share * len(m))))
    if k >= len(m):
        return int(np.floor(m[0])), int(np.floor(m[-1])) + 1
    widths = m[k - 1:] - m[: len(m) - k + 1]
    i = int(np.argmin(widths))
    return int(np.floor(m[i])), int(np.floor(m[i + k - 1])) + 1


def _tl_draw(ax, rows, color_of, xlim, label_width: int, show_sources: bool) -> None:
    """One row per event: a bar over its interval (a dot for a day), its label beside it."""
    import numpy as np

    x0, x1 = xlim
    span = x1 - x0
    min_w = span / 250
    n = len(rows)
    fig = ax.figure
    ax_w_in = max(ax.get_position().width * fig.get_size_inches()[0], 1.0)
    char_w = span * (9.5 * 0.5 / 72) / ax_w_in  # approximate width of one label character
    for k, (_, r) in enumerate(rows.iterrows()):
        y = n - 1 - k
        a, b = _tl_year(r["start"]), _tl_year(r["end"]) + 1 / 365
        a_c, b_c = max(a, x0), min(b, x1)
        col = color_of(r)
        if b - a <= 2 / 365:
            ax.plot([(a + b) / 2], [y], "o", color=col, ms=7, zorder=3)
        else:
            ax.barh(y, max(b_c - a_c, min_w), left=a_c, height=0.55, color=col, alpha=0.85, zorder=3)
        when = _tl_when(r["start"], r["end"], r.get("granularity"))
        mod = r.get("mod")
        if isinstance(mod, str) and mod in _TL_MODS:
            when = f"{_TL_MODS[mod]} {when}"
        src = ""
        if show_sources:
            src = f"  [{_tl_source_note(_tl_sources(r))}]"
        label = f"{when}: {_tl_cut(r['event'], label_width)}{src}"
        width = len(label) * char_w
        room_right, room_left = x1 - b_c - span * 0.008, a_c - x0 - span * 0.008
        fits_right, fits_left = width <= room_right, width <= room_left
        if not (fits_right or fits_left):  # cut the description to the larger side's room
            room = max(room_left, room_right)
            keep = max(25, int(room / char_w) - len(when) - len(src) - 2)
            label = f"{when}: {_tl_cut(r['event'], keep)}{src}"
            fits_left = room_left >= room_right
            fits_right = not fits_left
        if fits_left and (not fits_right or (a_c + b_c) / 2 > x0 + 0.55 * span):
            ax.text(a_c - span * 0.008, y, label, ha="right", va="center", fontsize=9.5, zorder=4)
        else:
            ax.text(b_c + span * 0.008, y, label, ha="left", va="center", fontsize=9.5, zorder=4)
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_yticks([])
    ax.set_xlim(x0, x1)
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ticks = np.arange(np.ceil(x0), np.floor(x1) + 1)
    step = max(1, int(np.ceil(len(ticks) / 14)))
    if span > 30:
        step = 10 if span <= 150 else 25
        ticks = np.arange(np.ceil(x0 / step) * step, x1 + 1, step)
    else:
        ticks = ticks[::step]
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(int(t)) for t in ticks])
    if span <= 5:  # a short window: quarters as minor ticks, labelled by month
        minor = [y + q / 4 for y in range(int(np.floor(x0)), int(np.ceil(x1)) + 1) for q in (1, 2, 3) if x0 <= y + q / 4 <= x1]
        ax.set_xticks(minor, minor=True)
        ax.set_xticklabels([("Apr", "Jul", "Oct")[round((m % 1) * 4) - 1] for m in minor], minor=True, fontsize=9, color="#555555")
        ax.grid(axis="x", which="minor", alpha=0.15)


def _tl_nones(n: int) -> list:
    return [None] * n


def plot_timeline(
    events,
    color_by: str = "source",
    zoom_from: int | None = None,
    zoom: bool = True,
    label_width: int = 70,
    title: str = "Events dated in the corpus",
    max_events: int | None = 80,
):
    """A horizontal chronological chart of (merged) timeline events, one row per event.

    ``events`` is :func:`trilat_lib.timeline.merge_events` output (or :func:`build_timeline`
    rows). Each event is a bar over its interval (a dot for a single day) labelled with its
    date, description and sources (at most :data:`TL_MAX_LISTED_SOURCES` named, then "+N
    more"); rows never share a line, so labels cannot overlap. Colour is by source document
    (``color_by="source"``; events reported by several documents are black; beyond
    ``len(SOURCE_PALETTE)`` documents only those with the most drawn events have their own
    colour, the others share a grey) or by the first country the sentence names
    (``"country"``; the legend lists them). The figure's size and cost depend on ``max_events``,
    not on the number of events or documents in the corpus. With ``zoom`` the
    upper panel shows the whole period with only the older events labelled, and the lower
    panel the years where most events cluster (the shortest run of years holding 60% of
    them; ``zoom_from`` sets its first year). Beyond ``max_events`` events, those reported by
    most documents (then most mentions) are drawn, and the title says so.
    """
    import matplotlib.patches as mpatches
    import numpy as np

    from .errors import ParameterError

    if color_by not in ("source", "country"):
        raise ParameterError(f"color_by={color_by!r} must be 'source' or 'country'.")
    if not hasattr(events, "columns") or not {"start", "end", "event"} <= set(events.columns):
        raise ParameterError("events must be the DataFrame of merge_events() or build_timeline() (start, end, event columns).")
    fig = plt.figure(figsize=(14, 3))
    if len(events) == 0:
        ax = fig.add_subplot(111)
        ax.text(0.5, 0.5, "no dated events to show (check the filters)", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    n_all = len(events)
    if max_events is not None and n_all > max_events:
        cols = [c for c in ("n_documents", "n_mentions") if c in events.columns]
        keep = set(events.sort_values(cols, ascending=False, kind="stable").index[:max_events] if cols
                   else events.index[:max_events])
        events = events.loc[[i for i in events.index if i in keep]]
        title += shown_note(len(events), n_all, what="events", order="the most reported")
    ev = events.sort_values(["start", "end"], kind="stable").reset_index(drop=True)
    sources = [_tl_sources(r) for _, r in ev.iterrows()]
    several = any(len(set(srcs)) > 1 for srcs in sources)
    doc_color, source_legend = _tl_source_colors(sources) if color_by == "source" else ({}, [])

    def color_of(r):
        if color_by == "country":
            codes = [c for c in str(r.get("countries") or "").split(";") if c]
            return country_color(codes[0]) if codes else "#999999"
        srcs = _tl_sources(r)
        return SEVERAL_SOURCES_COLOR if len(set(srcs)) > 1 else doc_color.get(srcs[0], OTHER_SOURCES_COLOR)

    starts = np.array([_tl_year(d) for d in ev["start"]])
    ends = np.array([_tl_year(d) for d in ev["end"]]) + 1 / 365
    mids = (starts + ends) / 2
    lo, hi = float(starts.min()), float(ends.max())
    z0, z1 = _tl_zoom_window(mids)
    if zoom_from is not None:
        z0 = int(zoom_from)
        z1 = max(z1, z0 + 1)
    inside = (mids >= z0) & (mids < z1)
    zoom = zoom and (hi - lo) > 12 and 2 <= inside.sum() < len(ev)
    row_h = 0.3
    if zoom:
        outside, recent = ev[~inside], ev[inside]
        n_top, n_bot = len(outside) + 1, len(recent)
        fig.set_size_inches(14, 2.2 + row_h * (n_top + n_bot))
        gs = fig.add_gridspec(2, 1, height_ratios=[n_top + 1.5, n_bot + 1.5], hspace=0.3)
        ax_top, ax_bot = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        pad = max(2.0, (hi - lo) * 0.03)
        xl_top = (float(np.floor(lo - pad)), float(np.ceil(hi + pad)))
        _tl_draw(ax_top, outside, color_of, xl_top, label_width, show_sources=True)
        # the zoomed events as ticks on one extra line, and the zoom window shaded
        ax_top.set_ylim(-1.8, len(outside) - 0.2)
        ax_top.plot(mids[inside], np.full(inside.sum(), -1.0), "|", color="#444444", ms=10)
        ax_top.text(z0 - (xl_top[1] - xl_top[0]) * 0.01, -1.0, f"{int(inside.sum())} events {z0}–{z1 - 1}: see the zoom below",
                    ha="right", va="center", fontsize=9.5, style="italic")
        ax_top.axvspan(z0, z1, color="#dddddd", alpha=0.6, zorder=0)
        ax_top.set_title(f"{title}: the whole period")
        _tl_draw(ax_bot, recent, color_of, (float(z0), float(z1)), label_width, show_sources=True)
        ax_bot.set_title(f"Zoom: {z0}–{z1 - 1}, where most events cluster")
        ax_bot.set_xlabel("year")
        axes = [ax_top, ax_bot]
    else:
        fig.set_size_inches(14, 2.0 + row_h * len(ev))
        ax = fig.add_subplot(111)
        pad = max(0.25, (hi - lo) * 0.03)
        _tl_draw(ax, ev, color_of, (float(np.floor(lo - pad)), float(np.ceil(hi + pad))), label_width, show_sources=True)
        ax.set_title(title)
        ax.set_xlabel("year")
        axes = [ax]
    if color_by == "source":
        handles = [mpatches.Patch(color=c, label=label) for label, c in source_legend]
        if several:
            handles.append(mpatches.Patch(color=SEVERAL_SOURCES_COLOR, label="several documents"))
    else:
        firsts = [str(s or "").split(";")[0] for s in ev.get("countries", _tl_nones(len(ev)))]
        codes = sorted({c for c in firsts if c})
        handles = [mpatches.Patch(color=country_color(c), label=c) for c in codes]
        if not all(firsts):
            handles.append(mpatches.Patch(color="#999999", label="no country named"))
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=min(6, len(handles)),
                   frameon=False, fontsize=10)
    fig.subplots_adjust(left=0.03, right=0.97)
    return fig
