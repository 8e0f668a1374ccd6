"""Showing document text in notebook outputs without letting it become markup.

Article text is data from the web: a sentence holding ``<script>`` or ``<img onerror=...>``
must show as those characters, never run in the report pages (``reports/*.html``) built from
the notebooks. Three tools:

* :func:`escape_markdown` — document text to interpolate into Markdown: every Markdown and
  HTML special character is escaped, so it reads exactly as written;
* :class:`Markdown` — a drop-in for :class:`IPython.display.Markdown` (the notebooks import it
  instead) that neutralises raw HTML and script links in the whole text, whatever was
  interpolated into it; the author's Markdown (``**bold**``, lists, code spans) still renders;
* :func:`styled` — ``df.style`` with every cell's text HTML-escaped (a pandas ``Styler``
  does not escape by default, unlike ``DataFrame`` display).
"""
from __future__ import annotations

import re

import pandas as pd
from IPython.display import Markdown as _IPythonMarkdown

__all__ = ["escape_markdown", "neutralise_markdown", "Markdown", "styled"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_SCRIPT_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)(\s*):")


def escape_markdown(text: object) -> str:
    """``text`` escaped for Markdown: HTML characters become entities and Markdown punctuation is
    backslash-escaped, so ``<img onerror=x>`` or ``[a](javascript:...)`` show literally."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)  # no link can form: brackets and parentheses are escaped


def _neutralise_plain(s: str) -> str:
    # no "<": no tag, comment or autolink can start; no "&": no entity can spell one either
    s = s.replace("&", "&amp;").replace("<", "&lt;")
    return _SCRIPT_SCHEME.sub(r"unsafe-\1\2:", s)


def neutralise_markdown(text: str) -> str:
    """Markdown with raw HTML, entity tricks and ``javascript:``/``data:`` links disabled outside
    code spans (inside them Markdown shows text as is); its other formatting is kept."""
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_neutralise_plain(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_neutralise_plain(text[pos:]))
    return "".join(out)


class Markdown(_IPythonMarkdown):
    """:class:`IPython.display.Markdown` whose text is passed through :func:`neutralise_markdown`,
    so document text interpolated into it cannot inject HTML or script links into the reports."""

    def __init__(self, data: str | None = None, url: str | None = None, filename: str | None = None,
                 metadata: dict | None = None):
        super().__init__(data=data, url=url, filename=filename, metadata=metadata)
        if isinstance(self.data, str):
            self.data = neutralise_markdown(self.data)


def styled(df: pd.DataFrame):
    """``df.style`` with every cell and header HTML-escaped (a Styler writes text as markup otherwise)."""
    return df.style.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
