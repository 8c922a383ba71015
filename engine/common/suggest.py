"""Did-you-mean suggestions for misspelt keys, values and field names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return the closest choice to ``word``, or None when nothing is close enough.

    >>> did_you_mean("sectr", ["sector", "city"])
    'sector'
    >>> did_you_mean("zzz", ["sector"]) is None
    True
    """
    options = sorted(set(choices))
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def hint(word: str, choices: Iterable[str]) -> str:
    """A sentence ending ``did you mean 'x'?``, or empty when there is no good guess."""
    best = did_you_mean(word, choices)
    return f" Did you mean '{best}'?" if best else ""
