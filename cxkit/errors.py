"""The one exception participants and facilitators see from cxkit."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CxkitError(ValueError):
    """Something in the input needs fixing; the message says what and how."""


def close_match(name: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean "x"?' for the closest choice, or '' if none is close.

    Examples
    --------
    >>> close_match("recomend", ["recommend", "csat"])
    ' Did you mean "recommend"?'
    >>> close_match("zzz", ["recommend"])
    ''
    """
    lowered = {str(c).lower(): str(c) for c in choices}
    found = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.6)
    return f' Did you mean "{lowered[found[0]]}"?' if found else ""
