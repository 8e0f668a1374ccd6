"""trilat_lib: loading, cleaning and tokenising news articles, and the analysis building blocks
(topics, sentiment by country, timelines) behind the trilat notebooks."""
from __future__ import annotations

from .corpus import Corpus, Document, load_corpus, read_text
from .errors import CorpusError, CorpusWarning, ParameterError, TrilatError

__version__ = "0.1.0"

__all__ = [
    "Corpus", "Document", "load_corpus", "read_text",
    "CorpusError", "CorpusWarning", "ParameterError", "TrilatError", "__version__",
]
