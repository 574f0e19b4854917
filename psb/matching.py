"""How a buyer's free-text identifiers are compared with our contacts' (exactly, never
as a pattern).

The buyer's VAT number and name come from the order's XML: a ``%`` or ``_`` in them is a
character, not a wildcard. A VAT number is compared once normalized (its letters and
digits, upper case: ``NL 8123.456.78 B01`` is ``NL812345678B01``); the database is asked
with a pattern made of those characters only, which finds the stored spellings with
separators, and the candidates are then compared exactly.
"""

import re

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def norm_vat(value):
    """A VAT number as compared: its ASCII letters and digits, upper case ("" when
    none)."""
    return _NOT_ALNUM.sub("", value or "").upper()


def vat_like_pattern(vat):
    """An ``=ilike`` pattern that finds the stored spellings of the normalized ``vat``
    (separators between its characters), with no wildcard of the buyer's: ``vat`` holds
    only letters and digits. Candidates must still be compared with :func:`same_vat`."""
    vat = norm_vat(vat)
    return "%".join(vat) if vat else ""


def same_vat(left, right):
    """Whether two VAT numbers are the same once normalized (an empty one never
    matches)."""
    left = norm_vat(left)
    return bool(left) and left == norm_vat(right)


def escape_like(value):
    """``value`` as a literal in a SQL LIKE pattern (``%``, ``_`` and ``\\``
    escaped)."""
    return (value or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
