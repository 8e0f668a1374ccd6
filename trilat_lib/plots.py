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


def use_style() -> None:
    """Apply trilat's figure style (call once at the top of a notebook)."""
    matplotlib.rcParams.update(STYLE)


def country_color(code: str) -> str:
    return COUNTRY_COLORS.get(code, "#8c564b")


# ============================================================ corpus (notebook 01)


# ============================================================ topics (notebook 02)


# ============================================================ sentiment (notebook 03)


# ============================================================ timeline (notebook 04)
