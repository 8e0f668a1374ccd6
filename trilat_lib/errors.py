"""Errors trilat raises for bad input: each message names the file, row or parameter and what to do."""
from __future__ import annotations


class TrilatError(ValueError):
    """Base class for every user-facing error raised by trilat."""


class CorpusError(TrilatError):
    """A corpus file or manifest row cannot be used (names the file/row and the fix)."""


class ParameterError(TrilatError):
    """A parameter value is invalid (names the parameter and what values are accepted)."""


class CorpusWarning(UserWarning):
    """A document could be used but something about it deserves a look (e.g. legacy encoding)."""
