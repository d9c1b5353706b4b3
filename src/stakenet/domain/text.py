"""Text folding for search: case- and accent-insensitive, so "Soren" finds "Søren"."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower-case `text`, strip accents and map Nordic letters to their plain spelling.

    >>> fold("Søren Æbelø-Ångström")
    'soren aebelo-angstrom'
    """
    if text.isascii():
        # ASCII has no accents or special letters, and casefolds as it lower-cases: the
        # common case of a bulk import, which folds every stakeholder's name.
        return text.lower()
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    lowered = text.casefold().translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
