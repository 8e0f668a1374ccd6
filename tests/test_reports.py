"""Report pages (reports/*.html): document text never becomes live markup (stored XSS), and the
pages load nothing from the internet (issue 13)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from trilat_lib import cli, markup
from trilat_lib import run as runner

PAYLOADS = ('<script>alert("xss")</script>', "<img src=x onerror=alert(1)>")
LIVE = re.compile(r"""<script>alert|<img src=x onerror|(href|src)\s*=\s*["']?\s*javascript:""", re.I)
REMOTE = re.compile(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//""", re.I)


def _neutral_html(md: str) -> str:
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(md)


def test_escape_markdown_shows_text_literally():
    text = 'A <script>alert("x")</script> and [click](javascript:alert(1)) *not bold* <img src=x onerror=alert(1)>'
    html = _neutral_html(f"**{markup.escape_markdown(text)}**")
    assert not LIVE.search(html) and "<a " not in html and "<em>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_safe_markdown_keeps_formatting_but_not_html():
    sentence = 'Japan <script>alert("x")</script> is an ally; see [x](javascript:alert(1)) and `<b>code</b>`.'
    md = markup.Markdown(f"### JPN\n- `+0.52` (a/3) **Japan** {sentence}\n- *(no negative sentence)*")
    html = _neutral_html(md._repr_markdown_() if isinstance(md._repr_markdown_(), str) else md._repr_markdown_()[0])
    assert "<h3" in html and "<strong>Japan</strong>" in html and "<em>(no negative sentence)</em>" in html
    assert "<code>+0.52</code>" in html and "<code>&lt;b&gt;code&lt;/b&gt;</code>" in html
    assert not LIVE.search(html) and "&lt;script&gt;" in html


def test_styled_tables_escape_cells():
    df = pd.DataFrame({"left": ['<img src=x onerror=alert(1)> the'], "keyword": ["alliance"], "right": ["<script>alert(1)</script>"]})
    html = markup.styled(df).to_html()
    assert not LIVE.search(html) and "&lt;script&gt;" in html
    assert LIVE.search(df.style.to_html())  # what a plain Styler does, hence styled()


@pytest.mark.parametrize("stem", ["03_sentiment_by_country", "04_timeline"])
def test_notebooks_showing_markdown_use_the_safe_one(stem):
    from trilat_lib.paths import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    if "Markdown(" in code:
        assert "from trilat_lib.markup import Markdown" in code
        assert not re.search(r"from IPython\.display import [^\n]*\bMarkdown\b", code)


@pytest.mark.slow
def test_corpus_overview_report_has_no_live_payload_and_no_remote_scripts(capsys, tmp_path):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "a1.txt").write_text(
        "Alliance news\n\n"
        f"The alliance between Seoul and Tokyo {PAYLOADS[0]} grew stronger this year, officials said.\n\n"
        f"Critics of the alliance {PAYLOADS[1]} warned that Japan and South Korea still disagree.\n", encoding="utf-8")
    (corpus / "a2.txt").write_text(
        "Trade talks\n\nJapan and the United States discussed the alliance and trade in Washington on Monday.\n\n"
        "The talks ended without an agreement on tariffs, officials in Tokyo said.\n", encoding="utf-8")
    out = tmp_path / "reports"
    rc = cli.main(["run", "--notebook", "01", "--corpus", str(corpus), "--output", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    kwic = pd.read_csv(out / "01_corpus_overview" / "kwic.csv")
    text = " ".join(kwic["left"].fillna("") + kwic["right"].fillna(""))
    assert "<script>" in text and "onerror" in text  # the payload does reach the table...
    html = (out / "01_corpus_overview.html").read_text(encoding="utf-8")
    assert not LIVE.search(html)  # ...but never as markup
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not REMOTE.search(html), REMOTE.search(html).group(0)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html)
    for page in out.glob("*.html"):  # index.html too
        assert not REMOTE.search(page.read_text(encoding="utf-8")), page


def test_export_refuses_remote_links(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t")]
    nbformat.write(nb, tmp_path / "t.ipynb")
    page = runner.export_html(tmp_path / "t.ipynb", tmp_path / "t.html", "t")
    assert not REMOTE.search(page.read_text(encoding="utf-8"))
    # the lab template as shipped would fetch require.js/MathJax from a CDN: the guard notices
    monkeypatch.setattr(runner, "_OFFLINE_TEMPLATE", "{%- extends 'lab/index.html.j2' -%}")
    with pytest.raises(runner.TrilatError, match="from the internet"):
        runner.export_html(tmp_path / "t.ipynb", tmp_path / "u.html", "t")
    assert not (tmp_path / "u.html").exists()
