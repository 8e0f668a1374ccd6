"""The notebooks: every committed notebook is clean (no outputs, one `parameters` cell) and
executes headlessly through the runner (the real `trilat run` code path) on the seeds,
writing its HTML page, its index entry and the files listed below.

When you add a notebook, add the files it writes (relative to its output folder) here.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from trilat_lib import cli
from trilat_lib import run as runner
from trilat_lib.paths import NOTEBOOKS_DIR

EXPECTED_OUTPUTS: dict[str, list[str]] = {
    "01_corpus_overview": [
        "corpus.csv", "cleaning_audit.csv", "term_frequencies.csv", "distinctive_terms.csv", "kwic.csv",
        "country_cooccurrence.csv", "country_cooccurrence_sentences.csv",
        "corpus_sizes.png", "cleaning_audit.png", "term_frequencies.png", "distinctive_terms.png",
        "country_cooccurrence.png",
    ],
    "02_topic_modeling": [
        "topics.csv", "doc_topics.csv", "passages.csv", "k_selection.csv", "topic_shares_by_outlet.csv",
        "topic_shares_by_date.csv", "k_selection.png", "topic_terms.png", "doc_topic_heatmap.png",
        "topic_shares_by_outlet.png", "topic_shares_by_date.png",
    ],
    "03_sentiment_by_country": [
        "country_sentiment.csv", "mentions_per_article.csv", "sentiment_by_country.csv",
        "sentiment_by_country_document.csv", "sentiment_by_country_outlet.csv", "sentiment_by_country_period.csv",
        "scorer_comparison.csv", "mentions_per_article.png", "stance_by_country.png", "stance_heatmap.png",
        "stance_over_time.png", "scorer_comparison.png",
    ],
    "04_timeline": [
        "publication_dates.csv", "timexes.csv", "timeline.csv", "timeline_merged.csv", "disagreements.csv",
        "timeline.png",
    ],
}

NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb") if runner.NOTEBOOK_RE.match(p.name))
STEMS = [p.stem for p in NOTEBOOKS]


# --------------------------------------------------------------------------- hygiene (fast)

@pytest.mark.parametrize("path", NOTEBOOKS, ids=STEMS)
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them before committing"
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters', has {len(tagged)}"
    assert tagged[0].cell_type == "code"
    src = tagged[0].source
    for name in ("corpus_path", "output_dir"):
        assert re.search(rf"^{name}\s*=\s*None\b", src, re.M), f"{path.name}: parameters cell lacks `{name} = None`"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert nb.cells[0].cell_type == "markdown", f"{path.name}: must open with what it answers (markdown)"
    headings = " ".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "caveat" in headings and "exercise" in headings, f"{path.name}: needs a caveats section and exercises"


def test_there_are_notebooks():
    assert "01_corpus_overview" in STEMS


# --------------------------------------------------------------------------- execution (one run of all)

@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Run every notebook once through the CLI on the seeds into a temporary reports folder."""
    out = tmp_path_factory.mktemp("reports")
    rc = cli.main(["run", "--output", str(out)])
    return {"rc": rc, "dir": out, "runs": runner.load_runs(out)}


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_notebook_executes_and_writes_its_outputs(report, stem):
    out, runs = report["dir"], report["runs"]
    assert stem in runs, f"{stem} was not run"
    rec = runs[stem]
    assert rec["status"] == "ok", f"{stem} failed: {rec['error']}"
    assert (out / f"{stem}.ipynb").stat().st_size > 0
    html = out / f"{stem}.html"
    assert html.stat().st_size > 0 and 'href="index.html"' in html.read_text(encoding="utf-8")
    assert stem in EXPECTED_OUTPUTS, f"add the files {stem} writes to EXPECTED_OUTPUTS in {__file__}"
    missing = [f for f in EXPECTED_OUTPUTS[stem] if not (out / stem / f).is_file() or (out / stem / f).stat().st_size == 0]
    assert not missing, f"{stem} did not write (or wrote empty): {missing}"


@pytest.mark.slow
def test_run_succeeds_and_index_links_every_notebook(report):
    assert report["rc"] == 0, {k: r["error"] for k, r in report["runs"].items() if r["status"] != "ok"}
    index = (report["dir"] / "index.html").read_text(encoding="utf-8")
    for stem in STEMS:
        assert f'href="{stem}.html"' in index and f'href="{stem}.ipynb"' in index


@pytest.mark.slow
def test_corpus_overview_tables_are_consistent(report):
    """Notebook 01's tables agree with the corpus they describe."""
    import pandas as pd

    from trilat_lib import load_corpus

    d = report["dir"] / "01_corpus_overview"
    corpus = load_corpus()
    table = pd.read_csv(d / "corpus.csv", dtype={"doc_id": str})
    assert list(table["doc_id"]) == corpus.doc_ids
    assert list(table["sentences"]) == [len(doc.sentences) for doc in corpus]
    kwic = pd.read_csv(d / "kwic.csv", dtype={"doc_id": str})
    assert len(kwic) > 0
    for row in kwic.itertuples():
        assert corpus[row.doc_id].text[row.start:row.end].lower().startswith("allianc")
    cooc = pd.read_csv(d / "country_cooccurrence.csv")
    assert {"JPN", "KOR"} <= set(cooc["a"]) | set(cooc["b"])
