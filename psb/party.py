"""A PSB party id, checked before it is sent: the company's own identifier at the PSB.

The PSB takes two spellings (psb-api.md §3): the Peppol form ``scheme:value`` with a
four-digit ICD scheme (``0106:12345678``, 0106 being the Dutch KvK number) and its own
legacy form ``country:register:value`` (``NL:KVK:12345678``). :func:`check_party_id`
says which one a value is, or raises a :class:`PsbConfigError` naming both forms
(``error_code`` ``bad_party_id``).
"""

import re

from .exceptions import PsbConfigError

#: ICD scheme: four digits, a value of letters, digits and ``. - _`` (at most 50, Peppol
#: Policy 3.7).
_PEPPOL = re.compile(r"^(\d{4}):([A-Za-z0-9][A-Za-z0-9._-]{0,49})$")
#: The PSB's legacy form: a two-letter country, a register word, the value.
_LEGACY = re.compile(
    r"^([A-Za-z]{2}):([A-Za-z]{2,10}):([A-Za-z0-9][A-Za-z0-9._-]{0,49})$"
)

#: The schemes a Dutch or Nordic supplier meets most, by their common name (the code
#: list is ICD).
SCHEME_NAMES = {
    "0002": "SIRENE",
    "0007": "Organisationsnummer (SE)",
    "0088": "GLN",
    "0106": "KvK",
    "0190": "OIN",
    "0192": "Organisasjonsnummer (NO)",
    "0208": "KBO/BCE (BE)",
    "9944": "BTW (NL)",
}


def check_party_id(value):
    """``value`` without surrounding spaces, and its scheme: ``("0106:12345678",
    "0106")`` for the Peppol form, ``("NL:KVK:12345678", "KVK")`` for the legacy one; a
    :class:`PsbConfigError` otherwise."""
    text = (value or "").strip()
    match = _PEPPOL.match(text)
    if match:
        return text, match.group(1)
    match = _LEGACY.match(text)
    if match:
        return text, match.group(2).upper()
    raise PsbConfigError(
        f"{text or '(empty)'} is not a PSB party id: give it as the Peppol form "
        "0106:12345678 (a four-digit "
        "scheme such as 0106 for a KvK number or 0088 for a GLN, a colon, the number) "
        "or as the PSB's form "
        "NL:KVK:12345678 (country, register, number), exactly as eConnect registered "
        "the company.",
        error_code="bad_party_id",
        params={"value": text},
    )


def scheme_name(scheme):
    """The common name of a scheme (``0106`` → ``KvK``), the legacy register word as it
    is, or ``""``."""
    if not scheme:
        return ""
    return SCHEME_NAMES.get(scheme, "" if scheme.isdigit() else scheme)
