"""Build Peppol Order Responses (T76 for Ordering, T116 for Advanced Ordering) from
plain data.

The seller's answer is described by :class:`OrderResponseData` (filled by the Odoo
layer, or by anything else: nothing here depends on Odoo or on the UBL reader). Three
functions use it:

* :func:`check` applies the rules of Peppol BIS (Advanced) Ordering 3 that can be known
  before building, and raises :class:`ResponseError` with a message meant for a person;
* :func:`build_order_response` writes the UBL Order Response: T76 (UBL 2.1,
  ``urn:fdc:peppol.eu:poacc:trns:order_response:3``) for an order of profile
  ``ordering``, T116 (UBL 2.3,
  ``urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3``) for ``advanced_ordering``;
* :func:`psb_request` gives the body of the PSB call
  ``POST /api/v1/{partyId}/salesOrder/{documentId}/response``.

**What travels to the PSB.** The PSB's documented JSON model for an Order Response
carries only ``status`` (AB, AP, CA or RE) and ``note``; it has no lines. By default the
addon sends that JSON and, for an acceptance with changes (CA), spells out each changed
line in the note in plain words ("line 2: quantity 8 pcs (only 8 in stock); line 3:
rejected (out of stock)"), compactly when the note would be too long ("lines 3, 5, 7-9:
rejected (out of stock)"). A note that still does not fit is never cut: :func:`fit_note`
says which lines would not reach the buyer, and the caller tells a person before
anything is sent. The full UBL Order Response built here, valid against the official
Peppol BIS rules, is kept with the sale order as the record of the answer. Newer
eConnect pages say the same endpoint also accepts the UBL itself as ``application/xml``
(an open question of psb-api.md §5): with the company setting *Send Order Responses as
UBL* that UBL is sent as is (``PsbClient.send_order_response(..., xml=...)``), every
line in it. The choice lives in one function, :func:`psb_request`: it alone decides what
the PSB receives (the UBL bytes are those of :func:`build_order_response`).

Numbers are :class:`~decimal.Decimal` (ints and floats are accepted and read through
their shortest decimal form); they are written as plain decimals, without exponent or
needless trailing zeros, and never rounded: the Peppol rules put no limit on the
decimals of a response's quantities or prices (PEPPOL-T76/T116-R005 only asks that the
price currency equals the document currency, and T01-R028's two-decimal limit exempts
unit prices), so rounding would only change the answer.
"""

# pylint: disable=prefer-env-translation  # plain Python: ``_`` is the caller's
# translation function
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from lxml import etree

from ..exceptions import ExplainedError

NS_ROOT = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

#: profile -> (CustomizationID, ProfileID) of the answer.
PROFILES = {
    "ordering": (
        "urn:fdc:peppol.eu:poacc:trns:order_response:3",
        "urn:fdc:peppol.eu:poacc:bis:ordering:3",
    ),
    "advanced_ordering": (
        "urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3",
        "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3",
    ),
}
#: profile -> Peppol document type identifier (scheme busdox-docid-qns) of the answer.
DOCUMENT_TYPE_IDS = {
    "ordering": "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2::"
    "OrderResponse"
    "##urn:fdc:peppol.eu:poacc:trns:order_response:3::2.1",
    "advanced_ordering": "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-"
    "2::OrderResponse"
    "##urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3::2.3",
}
#: Order response codes (UNCL4343 subset of the Peppol rules).
CODES = {
    "AB": "acknowledged",
    "AP": "accepted",
    "CA": "accepted with changes",
    "RE": "rejected",
}
#: Line status codes (UNCL1229 subset of the Peppol rules).
LINE_STATUSES = {
    "1": "added",
    "3": "changed",
    "5": "accepted",
    "7": "rejected",
    "42": "already delivered",
}
#: Statuses of lines that carry new values (quantity, price, delivery, substitute,
#: backorder).
VALUE_STATUSES = ("1", "3")
#: Longest note sent to the PSB (its limit is undocumented): a longer one is never cut,
#: a person is told.
NOTE_LIMIT = 1000

# Characters XML 1.0 cannot carry (lxml refuses them): dropped from free text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CURRENCY = re.compile(r"[A-Z]{3}")
# A few common UN/ECE rec. 20/21 units in words, for the note; any other code is shown
# as is.
_UNIT_WORDS = {
    "C62": "pcs",
    "EA": "pcs",
    "H87": "pcs",
    "NAR": "pcs",
    "NIU": "pcs",
    "XPP": "pcs",
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "LTR": "l",
    "MLT": "ml",
    "MTR": "m",
    "MTK": "m²",
    "MTQ": "m³",
    "HUR": "h",
    "DAY": "days",
    "XBX": "boxes",
    "XPK": "packages",
    "XPX": "pallets",
}


class ResponseError(ExplainedError, ValueError):
    """The answer would break a rule of the standard; the message says which, for a
    person (in English).

    As the other errors of ``psb`` (``psb/exceptions.py``, ``psb/ubl/model.py``), it
    carries ``error_code``, the stable name of the rule broken, and ``params``, its
    values, from which Odoo writes the message in the reader's language
    (``models/psb_messages.py``).
    """


@dataclass
class ResponseParty:
    """A party of the answer. Only these elements are allowed on response parties: no
    PartyName, address or Contact (PEPPOL-T116-B01702); at least a registration name or
    an identifier."""

    endpoint_id: str
    endpoint_scheme: str
    registration_name: str | None = None
    identifier: str | None = None
    identifier_scheme: str | None = None


@dataclass
class ResponseItem:
    """An item of a response line, or the seller's substitute (which has no buyer's item
    id)."""

    name: str | None
    sellers_item_id: str | None = None
    buyers_item_id: str | None = None
    standard_item_id: str | None = None
    standard_item_scheme: str | None = "0160"


@dataclass(kw_only=True)
class Promise:
    """What the whole answer and each of its lines may say besides their own values: a
    promised delivery period (``promised_start``/``promised_end``) and a note. Given as
    keywords; checked, normalised and written the same way for both."""

    promised_start: date | None = None
    promised_end: date | None = None
    note: str | None = None

    def promise_values(self):
        """The promise normalised: dates, blanks (or False) as None; the note as free
        text."""
        return {
            **_dates(self, "promised_start", "promised_end"),
            "note": _text(self.note),
        }


@dataclass
class ResponseLine(Promise):
    """One line of a CA answer; ``order_line_id`` is the order's
    ``cac:LineItem/cbc:ID``.

    New values (quantity, price, promised period, substitute, backorder) are given only
    on lines with status 1 (added) or 3 (changed); ``None`` means "as ordered".
    """

    line_id: str
    status_code: str
    order_line_id: str
    item: ResponseItem
    quantity: Decimal | None = None
    unit_code: str | None = None
    max_backorder_quantity: Decimal | None = None
    price: Decimal | None = None
    base_quantity: Decimal | None = None
    substitute: ResponseItem | None = None
    substitute_line_id: str | None = None

    @property
    def new_values(self):
        """Names of the values this line changes."""
        values = {
            "quantity": self.quantity,
            "backorder quantity": self.max_backorder_quantity,
            "price": self.price,
            "price base quantity": self.base_quantity,
            "delivery period": self.promised_start or self.promised_end,
            "substitute": self.substitute,
        }
        return [name for name, value in values.items() if value is not None]


@dataclass(kw_only=True)
class OrderResponseData(Promise):
    """The seller's answer to an Order (or, in Advanced Ordering, to an Order
    Change/Cancellation).

    ``order_id`` is the Order's ``cbc:ID``; ``order_change_id`` (T116 only) the
    ``cbc:ID`` of the Order Change or Order Cancellation being answered;
    ``sales_order_id`` the seller's own order number (the Odoo sale order name).
    ``promised_start``/``promised_end`` is the header delivery.
    """

    code: str
    response_id: str
    issue_date: date
    issue_time: time | None = None
    profile: str
    order_id: str
    currency: str
    seller: ResponseParty
    buyer: ResponseParty
    sales_order_id: str | None = None
    customer_reference: str | None = None
    order_change_id: str | None = None
    lines: list[ResponseLine] = field(default_factory=list)


def document_type_id(profile):
    """The Peppol document type identifier of the answer to an order of ``profile``."""
    try:
        return DOCUMENT_TYPE_IDS[profile]
    except KeyError:
        raise _profile_error(profile) from None


# --------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------
def check(data):
    """Raise :class:`ResponseError` when ``data`` breaks a rule of Peppol BIS (Advanced)
    Ordering.

    Covers what can be known without the order itself: which answers exist for the
    profile, lines only and always with CA, line statuses and their values, unique line
    ids, references, parties, numbers and periods. Whether a CA lists *every* order line
    is up to the caller, who has the order.
    """
    _checked(data)


def _checked(data):
    """The normalised copy of ``data`` (texts stripped, blanks as None, numbers as
    Decimal), checked."""
    data = _normalised(data)
    _check_header(data)
    for party, role in ((data.seller, "seller"), (data.buyer, "buyer")):
        _check_party(party, role)
    _check_code_and_lines(data)
    _check_period(data)
    seen = set()
    for line in data.lines:
        _check_line(line, seen)
    # A CA whose lines are all accepted as ordered is allowed: the official example UC2
    # uses one to tell the buyer the seller's item ids.
    return data


def _check_header(data):
    """The answer's profile, code, ids, currency and issue date and time checked."""
    if data.profile not in PROFILES:
        raise _profile_error(data.profile)
    if data.code not in CODES:
        raise ResponseError(
            f"Order Response code {data.code} is not one of AB, AP, CA, RE.",
            error_code="answer_bad_code",
            params={"code": data.code},
        )
    if not data.response_id:
        raise ResponseError("The answer needs its own id.", error_code="answer_no_id")
    if not data.order_id:
        raise ResponseError(
            "The answer needs the order's id.", error_code="answer_no_order_id"
        )
    if not data.currency:
        raise ResponseError(
            "The answer needs the currency.", error_code="answer_no_currency"
        )
    if not _CURRENCY.fullmatch(data.currency):
        raise ResponseError(
            f"Currency {data.currency} is not an ISO 4217 code such as EUR.",
            error_code="answer_bad_currency",
            params={"currency": data.currency},
        )
    if data.issue_date is None:
        raise ResponseError(
            "The answer needs the issue date.", error_code="answer_no_issue_date"
        )
    _check_date(data.issue_date, "issue_date")
    if data.issue_time is not None and not isinstance(data.issue_time, time):
        raise ResponseError(
            f"The issue time {data.issue_time} is not a time.",
            error_code="answer_bad_time",
            params={"value": str(data.issue_time)},
        )


def _check_code_and_lines(data):
    """The answer's order change reference and its lines checked against its profile
    and code."""
    if data.order_change_id and data.profile != "advanced_ordering":
        raise ResponseError(
            "Only an Advanced Ordering answer refers to an Order Change or "
            "Cancellation; "
            "this order is of profile Ordering.",
            error_code="answer_change_not_advanced",
        )
    if data.code != "CA" and data.lines:
        raise ResponseError(
            f"An {data.code} answer ({CODES[data.code]}) carries no lines; "
            "to change or reject single lines, accept with changes (CA).",
            error_code="answer_lines_not_ca",
            params={"code": data.code},
        )
    if data.code == "CA" and not data.lines:
        raise ResponseError(
            "An acceptance with changes (CA) lists every order line with its status.",
            error_code="answer_ca_without_lines",
        )


def _profile_error(profile):
    if profile == "order_only":
        return ResponseError(
            "An order of profile Order Only gets no Order Response (Peppol BIS Order "
            "Only 3).",
            error_code="answer_order_only",
        )
    return ResponseError(
        f"Unknown Peppol profile {profile}: only Ordering and Advanced Ordering "
        "orders are "
        "answered with an Order Response.",
        error_code="answer_unknown_profile",
        params={"profile": str(profile)},
    )


def _check_party(party, role):
    """``role`` is "seller" or "buyer" (a word of the English message, and the ``role``
    parameter)."""
    if party is None or not party.endpoint_id:
        raise ResponseError(
            f"The answer needs the {role}'s Peppol id (endpoint).",
            error_code="answer_no_endpoint",
            params={"role": role},
        )
    if not party.endpoint_scheme:
        raise ResponseError(
            f"The {role}'s Peppol id {party.endpoint_id} has no scheme (such as 0106 "
            "in 0106:12345678).",
            error_code="answer_no_endpoint_scheme",
            params={"role": role, "endpoint": party.endpoint_id},
        )
    if not (party.registration_name or party.identifier):
        raise ResponseError(
            f"The {role} needs a registered name or a party identifier.",
            error_code="answer_no_party_name",
            params={"role": role},
        )


def _line_error(line, message, error_code, **params):
    """An error of one response line: named "Response line 2 (order line 5)" in the
    message, its ids in ``params`` (``line_id``, ``order_line_id``) with the rule's own
    values."""
    where = f"Response line {line.line_id} (order line {line.order_line_id})"
    return ResponseError(
        message.replace("{where}", where, 1),
        error_code=error_code,
        params={"line_id": line.line_id, "order_line_id": line.order_line_id, **params},
    )


def _check_line(line, seen):
    """A response line, one check after another, in this order: which line it is, its
    status and what it changes, its quantities and price, its substitute, its promised
    period."""
    _check_line_identity(line, seen)
    _check_item(line, line.item)
    _check_line_status(line)
    _check_line_amounts(line)
    _check_substitute(line)
    _check_period(line, line)


def _check_line_identity(line, seen):
    """Its own id (once in the response), its status, the order line it answers and the
    item's name."""
    if not line.line_id:
        raise ResponseError(
            f"A response line for order line {line.order_line_id} has no id.",
            error_code="answer_line_no_id",
            params={"order_line_id": line.order_line_id},
        )
    if line.line_id in seen:
        raise ResponseError(
            f"Two response lines have the id {line.line_id}: each needs its own.",
            error_code="answer_line_id_twice",
            params={"line_id": line.line_id},
        )
    seen.add(line.line_id)
    if line.status_code not in LINE_STATUSES:
        raise _line_error(
            line,
            f"{{where}}: status {line.status_code} is not one of 1 (added), 3 "
            "(changed), 5 (accepted), "
            "7 (rejected), 42 (already delivered).",
            "answer_line_bad_status",
            status=str(line.status_code),
        )
    if not line.order_line_id:
        raise ResponseError(
            f"Response line {line.line_id} does not say which order line it answers.",
            error_code="answer_line_no_order_line",
            params={"line_id": line.line_id},
        )
    if line.item is None or not line.item.name:
        raise _line_error(
            line, "{where} needs the item's name.", "answer_line_no_item_name"
        )


def _check_line_status(line):
    """New values only on a changed or added line; a changed line changes or says
    something; an added one has its quantity."""
    changes = line.new_values
    if line.status_code not in VALUE_STATUSES and changes:
        raise _line_error(
            line,
            "{{where}} is {} and cannot carry a new {}; mark it changed (3) or add a "
            "line (1).".format(LINE_STATUSES[line.status_code], ", ".join(changes)),
            "answer_line_status_without_values",
            status=line.status_code,
            changes=changes,
        )
    if line.status_code == "3" and not changes and not line.note:
        # The official example sc1 marks a line changed only for an added seller's item
        # id, explained in the line note: a note alone is accepted, nothing at all is
        # not.
        raise _line_error(
            line,
            "{where} is marked changed but changes nothing and says nothing; give the "
            "new "
            "quantity, price, delivery date or substitute, or a note.",
            "answer_line_changes_nothing",
        )
    if line.status_code == "1" and line.quantity is None:
        raise _line_error(
            line,
            "{where} is an added line: it needs the quantity.",
            "answer_line_added_no_quantity",
        )


def _check_line_amounts(line):
    """A quantity with its unit, nothing negative, a base quantity with a price and
    above zero."""
    if (
        line.quantity is not None or line.base_quantity is not None
    ) and not line.unit_code:
        raise _line_error(
            line,
            "{where}: a quantity needs its unit code (UN/ECE rec. 20, such as C62).",
            "answer_line_no_unit",
        )
    for label, code, value in (
        ("quantity", "answer_line_negative_quantity", line.quantity),
        (
            "backorder quantity",
            "answer_line_negative_backorder",
            line.max_backorder_quantity,
        ),
        ("price", "answer_line_negative_price", line.price),
    ):
        if value is not None and value < 0:
            raise _line_error(
                line,
                f"{{where}}: the {label} cannot be negative ({_number(value)}).",
                code,
                value=_number(value),
            )
    if line.base_quantity is not None:
        if line.price is None:
            raise _line_error(
                line,
                "{where}: a price base quantity comes with the price.",
                "answer_line_base_without_price",
            )
        if line.base_quantity <= 0:
            raise _line_error(
                line,
                "{where}: the price base quantity must be more than zero.",
                "answer_line_base_not_positive",
            )


def _check_substitute(line):
    """A substitute item is the seller's and named or identified; a substitute line id
    comes with one."""
    if line.substitute is not None:
        if line.substitute.buyers_item_id:
            raise _line_error(
                line,
                "{where}: the substitute item is the seller's, it has no buyer's item "
                "id.",
                "answer_substitute_buyers_id",
            )
        if not (
            line.substitute.name
            or line.substitute.sellers_item_id
            or line.substitute.standard_item_id
        ):
            raise _line_error(
                line,
                "{where}: the substitute item needs a name or an item id.",
                "answer_substitute_no_id",
            )
        _check_item(line, line.substitute)
    elif line.substitute_line_id:
        raise _line_error(
            line,
            "{where} has a substitute line id but no substitute item.",
            "answer_substitute_line_without_item",
        )


def _check_item(line, item):
    if item.standard_item_id and not item.standard_item_scheme:
        raise _line_error(
            line,
            f"{{where}}: the standard item id {item.standard_item_id} needs its "
            "scheme (0160 for a GTIN).",
            "answer_item_no_scheme",
            item_id=item.standard_item_id,
        )


#: The dates an answer checks (``params["date"]`` of its errors): header, then a line's.
_DATES = {
    "issue_date": "the issue date",
    "start": "the start of the promised delivery",
    "end": "the end of the promised delivery",
}


def _check_date(value, which, line=None):
    """``value`` is empty or a date; ``which`` names it (``_DATES``), ``line`` the
    response line it is on."""
    if value is not None and not isinstance(value, date):
        label = _DATES[which]
        if line is not None:
            raise _line_error(
                line,
                f"{{where}}: {label} {value} is not a date.",
                "answer_not_a_date",
                date=which,
                value=str(value),
            )
        raise ResponseError(
            f"{label.capitalize()} {value} is not a date.",
            error_code="answer_not_a_date",
            params={"date": which, "value": str(value)},
        )


def _check_period(promise, line=None):
    """The promised delivery of the answer (``promise``), or of ``line`` (the same):
    dates, and the end not before the start."""
    start, end = promise.promised_start, promise.promised_end
    _check_date(start, "start", line)
    _check_date(end, "end", line)
    if start and end and _day(end) < _day(start):
        start, end = _day(start).isoformat(), _day(end).isoformat()
        if line is not None:
            raise _line_error(
                line,
                f"{{where}}: the end of the promised delivery ({end}) is before its "
                f"start ({start}).",
                "answer_period_reversed",
                start=start,
                end=end,
            )
        raise ResponseError(
            f"The end of the promised delivery ({end}) is before its start ({start}).",
            error_code="answer_period_reversed",
            params={"start": start, "end": end},
        )


# --------------------------------------------------------------------------------------
# Normalising and formatting
# --------------------------------------------------------------------------------------
def _text(value):
    """Free text as written: XML-safe, stripped, None when blank (or False, Odoo's empty
    value)."""
    if value is None or value is False:
        return None
    value = _NOT_XML.sub("", str(value)).strip()
    return value or None


def _decimal(value):
    if value is False:  # Odoo's empty value
        value = None
    if value is None or isinstance(value, Decimal):
        result = value
    elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            result = Decimal(
                str(value).strip()
            )  # str(): a float's shortest form, not its binary expansion
        except InvalidOperation:
            raise _not_a_number(value) from None
    else:
        raise _not_a_number(value)
    if result is not None and not result.is_finite():
        raise _not_a_number(value)
    return result


def _not_a_number(value):
    return ResponseError(
        f"{value} is not a number.",
        error_code="answer_not_a_number",
        params={"value": str(value)},
    )


def _normalised(data):
    """A copy of ``data`` with texts stripped, numbers as Decimal, and blanks (or False)
    as None."""
    return dataclasses.replace(
        data,
        **_texts(
            data,
            "code",
            "response_id",
            "profile",
            "order_id",
            "currency",
            "sales_order_id",
            "customer_reference",
            "order_change_id",
        ),
        **_dates(data, "issue_date", "issue_time"),
        **data.promise_values(),
        seller=_normalised_party(data.seller),
        buyer=_normalised_party(data.buyer),
        lines=[_normalised_line(value) for value in data.lines or ()],
    )


def _dates(obj, *names):
    """``obj``'s attributes ``names``, blanks (or False) as None."""
    return {name: getattr(obj, name) or None for name in names}


def _texts(obj, *names):
    """``obj``'s text attributes ``names``, stripped, blanks as None."""
    return {name: _text(getattr(obj, name)) for name in names}


def _with_texts(value, *names):
    """A copy of the party or item ``value`` with its texts ``names`` normalised."""
    if value is None:
        return None
    return dataclasses.replace(value, **_texts(value, *names))


def _normalised_party(value):
    """A copy of the party ``value`` with its texts normalised."""
    return _with_texts(
        value,
        "endpoint_id",
        "endpoint_scheme",
        "registration_name",
        "identifier",
        "identifier_scheme",
    )


def _normalised_item(value):
    """A copy of the item ``value`` with its texts normalised."""
    return _with_texts(
        value,
        "name",
        "sellers_item_id",
        "buyers_item_id",
        "standard_item_id",
        "standard_item_scheme",
    )


def _normalised_line(value):
    """A copy of the response line ``value`` with texts, dates and numbers
    normalised."""
    return dataclasses.replace(
        value,
        **_texts(
            value,
            "line_id",
            "status_code",
            "order_line_id",
            "unit_code",
            "substitute_line_id",
        ),
        **value.promise_values(),
        item=_normalised_item(value.item),
        substitute=_normalised_item(value.substitute),
        **{
            name: _decimal(getattr(value, name))
            for name in (
                "quantity",
                "max_backorder_quantity",
                "price",
                "base_quantity",
            )
        },
    )


def _number(value):
    """A plain decimal: no exponent, no needless trailing zeros, never rounded."""
    value = _decimal(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def _day(value):
    return value.date() if isinstance(value, datetime) else value


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------
def _cac(parent, tag):
    return etree.SubElement(parent, f"{{{NS_CAC}}}{tag}")


def _cbc(parent, tag, text, **attributes):
    """Add ``cbc:tag`` unless ``text`` is empty: the rules forbid empty elements
    (PEPPOL-COMMON-R001)."""
    if text is None or not str(text).strip():
        return None
    element = etree.SubElement(
        parent, f"{{{NS_CBC}}}{tag}", {k: v for k, v in attributes.items() if v}
    )
    element.text = str(text)
    return element


def _party(parent, tag, party):
    element = _cac(_cac(parent, tag), "Party")
    _cbc(element, "EndpointID", party.endpoint_id, schemeID=party.endpoint_scheme)
    if party.identifier:
        _cbc(
            _cac(element, "PartyIdentification"),
            "ID",
            party.identifier,
            schemeID=party.identifier_scheme,
        )
    if party.registration_name:
        _cbc(
            _cac(element, "PartyLegalEntity"),
            "RegistrationName",
            party.registration_name,
        )


def _delivery(parent, promise):
    """``cac:Delivery/cac:PromisedDeliveryPeriod`` (mandatory inside Delivery in T76) of
    the answer's or a line's ``promise``, when dated."""
    start, end = promise.promised_start, promise.promised_end
    if not (start or end):
        return
    period = _cac(_cac(parent, "Delivery"), "PromisedDeliveryPeriod")
    _cbc(period, "StartDate", _day(start).isoformat() if start else None)
    _cbc(period, "EndDate", _day(end).isoformat() if end else None)


def _item(parent, item, substitute=False):
    element = _cac(parent, "Item")
    _cbc(element, "Name", item.name)
    if item.buyers_item_id and not substitute:
        _cbc(_cac(element, "BuyersItemIdentification"), "ID", item.buyers_item_id)
    if item.sellers_item_id:
        _cbc(_cac(element, "SellersItemIdentification"), "ID", item.sellers_item_id)
    if item.standard_item_id:
        _cbc(
            _cac(element, "StandardItemIdentification"),
            "ID",
            item.standard_item_id,
            schemeID=item.standard_item_scheme,
        )


def _line(root, line, currency):
    order_line = _cac(root, "OrderLine")
    line_item = _cac(order_line, "LineItem")
    _cbc(line_item, "ID", line.line_id)
    _cbc(line_item, "Note", line.note)
    _cbc(line_item, "LineStatusCode", line.status_code)
    if line.quantity is not None:
        _cbc(line_item, "Quantity", _number(line.quantity), unitCode=line.unit_code)
    if line.max_backorder_quantity is not None:
        _cbc(
            line_item,
            "MaximumBackorderQuantity",
            _number(line.max_backorder_quantity),
            unitCode=line.unit_code,
        )
    _delivery(line_item, line)
    if line.price is not None:
        price = _cac(line_item, "Price")
        _cbc(price, "PriceAmount", _number(line.price), currencyID=currency)
        if line.base_quantity is not None:
            _cbc(
                price,
                "BaseQuantity",
                _number(line.base_quantity),
                unitCode=line.unit_code,
            )
    _item(line_item, line.item)
    if line.substitute is not None:
        substituted = _cac(order_line, "SellerSubstitutedLineItem")
        _cbc(substituted, "ID", line.substitute_line_id or line.line_id)
        _item(substituted, line.substitute, substitute=True)
    _cbc(_cac(order_line, "OrderLineReference"), "LineID", line.order_line_id)


def build_order_response(data):
    """The UBL Order Response of ``data`` as UTF-8 bytes with an XML declaration.

    Raises :class:`ResponseError` first when :func:`check` finds a rule broken. Elements
    follow the UBL XSD sequence; nothing empty, no ``cbc:UBLVersionID``, no schema
    location.
    """
    return _order_response_xml(_checked(data))


def _order_response_xml(data):
    """The UBL Order Response of ``data``, already checked (:func:`_checked`)."""
    customization_id, profile_id = PROFILES[data.profile]
    root = etree.Element(
        f"{{{NS_ROOT}}}OrderResponse",
        nsmap={None: NS_ROOT, "cac": NS_CAC, "cbc": NS_CBC},
    )
    _cbc(root, "CustomizationID", customization_id)
    _cbc(root, "ProfileID", profile_id)
    _cbc(root, "ID", data.response_id)
    _cbc(root, "SalesOrderID", data.sales_order_id)
    _cbc(root, "IssueDate", _day(data.issue_date).isoformat())
    if data.issue_time is not None:
        _cbc(root, "IssueTime", data.issue_time.replace(microsecond=0).isoformat())
    _cbc(root, "OrderResponseCode", data.code)
    _cbc(root, "Note", data.note)
    _cbc(root, "DocumentCurrencyCode", data.currency)
    _cbc(root, "CustomerReference", data.customer_reference)
    _cbc(_cac(root, "OrderReference"), "ID", data.order_id)
    if data.order_change_id:
        _cbc(_cac(root, "OrderChangeDocumentReference"), "ID", data.order_change_id)
    _party(root, "SellerSupplierParty", data.seller)
    _party(root, "BuyerCustomerParty", data.buyer)
    _delivery(root, data)
    for line in data.lines:
        _line(root, line, data.currency)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


# --------------------------------------------------------------------------------------
# The PSB request
# --------------------------------------------------------------------------------------
def _plain(text, **params):
    """The English texts, when no translation function is given (``_`` of the Odoo side
    otherwise)."""
    return text % params if params else text


def _words_number(value, _):
    """A number in the note, the reader's way when ``_`` knows it (its ``number``), else
    as UBL writes it."""
    return _.number(value) if hasattr(_, "number") else _number(value)


def _words_day(day, _):
    """A date in the note, the reader's way when ``_`` knows it (its ``day``), else ISO
    8601."""
    return _.day(day) if hasattr(_, "day") else day.isoformat()


def _unit_word(unit_code, _):
    pcs = _("pcs")
    words = {
        "C62": pcs,
        "EA": pcs,
        "H87": pcs,
        "NAR": pcs,
        "NIU": pcs,
        "XPP": pcs,
        "HUR": _("h"),
        "DAY": _("days"),
        "XBX": _("boxes"),
        "XPK": _("packages"),
        "XPX": _("pallets"),
    }
    return words.get(unit_code) or _UNIT_WORDS.get(unit_code, unit_code or "")


def _quantity_words(value, unit_code, _=_plain):
    return f"{_words_number(value, _)} {_unit_word(unit_code, _)}".rstrip()


def _period_words(start, end, _=_plain):
    start, end = _day(start), _day(end)
    if start and end and start != end:
        return _(
            "delivery %(start)s to %(end)s",
            start=_words_day(start, _),
            end=_words_day(end, _),
        )
    if start:
        return _("delivery on %(day)s", day=_words_day(start, _))
    return _("delivery by %(day)s", day=_words_day(end, _))


def _status_word(status_code, _):
    words = {
        "1": _("added"),
        "3": _("changed"),
        "5": _("accepted"),
        "7": _("rejected"),
        "42": _("already delivered"),
    }
    return words.get(status_code, _("changed"))


def _line_answer(line, currency=None, _=_plain):
    """What the answer says of one line, without naming the line: "quantity 8 pcs, price
    6.5 EUR (note)"."""
    parts = []
    if line.status_code == "1":
        parts.append(
            _("added %(item)s", item=line.item.name)
            if line.item and line.item.name
            else _("added")
        )
    elif line.status_code in ("7", "42", "5"):
        parts.append(_status_word(line.status_code, _))
    if line.quantity is not None:
        parts.append(
            _(
                "quantity %(quantity)s",
                quantity=_quantity_words(line.quantity, line.unit_code, _),
            )
        )
    if line.price is not None:
        parts.append(_price_words(line, currency, _))
    if line.promised_start or line.promised_end:
        parts.append(_period_words(line.promised_start, line.promised_end, _))
    if line.substitute is not None:
        parts.append(_substitute_words(line.substitute, _))
    if line.max_backorder_quantity is not None:
        parts.append(
            _(
                "%(quantity)s to follow later",
                quantity=_quantity_words(
                    line.max_backorder_quantity, line.unit_code, _
                ),
            )
            if line.max_backorder_quantity > 0
            else _("the rest will not be delivered")
        )
    answer = ", ".join(parts) or _status_word(line.status_code, _)
    return f"{answer} ({line.note})" if line.note else answer


def _price_words(line, currency, _):
    """The line's price in words: "price 6.5 EUR", with its base quantity if not 1."""
    price = f"{_words_number(line.price, _)} {currency or ''}".rstrip()
    if line.base_quantity is not None and line.base_quantity != 1:
        return _(
            "price %(price)s per %(base)s",
            price=price,
            base=_quantity_words(line.base_quantity, line.unit_code, _),
        )
    return _("price %(price)s", price=price)


def _substitute_words(substitute, _):
    """The substitute item in words: "replaced by name (ids)"."""
    ids = ", ".join(
        i for i in (substitute.sellers_item_id, substitute.standard_item_id) if i
    )
    name = substitute.name or ids
    return (
        _("replaced by %(name)s (%(ids)s)", name=name, ids=ids)
        if ids and name != ids
        else _("replaced by %(name)s", name=name)
    )


def describe_line(line, currency=None, _=_plain):
    """One line's answer in plain words, as the buyer reads it in the PSB note, in the
    language of ``_`` (the buyer's, on the Odoo side).

    For example ``line 2: quantity 8 pcs, delivery on 2026-12-03 (only 8 in stock)``;
    the line is named by the buyer's own order line number.
    """
    # The note of a person stays outside the translated text, as written.
    text = _(
        "line %(line)s: %(answer)s",
        line=line.order_line_id,
        answer=_line_answer(_without_note(line), currency, _),
    )
    return f"{text} ({line.note})" if line.note else text


def _without_note(line):
    return dataclasses.replace(line, note=None)


def _line_numbers(ids):
    """Order line ids as short as they can be said: "3, 5, 7-9" (runs of whole numbers
    as ranges)."""
    parts = []
    run = []

    def close():
        if len(run) > 2:
            parts.append(f"{run[0]}-{run[-1]}")
        else:
            parts.extend(run)
        run.clear()

    for line_id in ids:
        if (
            run
            and line_id.isdigit()
            and run[-1].isdigit()
            and int(line_id) == int(run[-1]) + 1
        ):
            run.append(line_id)
            continue
        close()
        run.append(line_id)
    close()
    return ", ".join(parts)


def _answered_lines(data):
    """The lines the note spells out: every line but those accepted as ordered."""
    return [line for line in data.lines if line.status_code != "5"]


def note_entries(data, _=_plain):
    """Every changed line of the answer in full words: ``[(entry, (order line id,)),
    ...]``, in order."""
    return [
        (describe_line(line, data.currency, _), (line.order_line_id,))
        for line in _answered_lines(data)
    ]


def compact_entries(data, _=_plain):
    """Every changed line of the answer, as short as it can be said without losing one:
    lines with the same answer are named together ("lines 3, 5, 7-9: rejected (out of
    stock)"), prices without their currency (said once, first: "prices in EUR").
    ``[(entry, (order line ids)), ...]``, in the order of first use."""
    groups = {}
    for line in _answered_lines(data):
        groups.setdefault(_line_answer(line, None, _), []).append(line.order_line_id)
    entries = []
    if any(line.price is not None for line in _answered_lines(data)):
        entries.append((_("prices in %(currency)s", currency=data.currency), ()))
    for answer, ids in groups.items():
        unique = list(dict.fromkeys(ids))
        named = _line_numbers(unique)
        text = (
            _("line %(line)s: %(answer)s", line=named, answer=answer)
            if len(unique) == 1
            else _("lines %(lines)s: %(answer)s", lines=named, answer=answer)
        )
        entries.append((text, tuple(unique)))
    return entries


@dataclass(frozen=True)
class NoteFit:
    """What the JSON note of an answer holds. ``text`` is the whole note when it fits;
    otherwise ``left_out`` names the order lines whose answers would not reach the buyer
    (empty when the header note alone is too long), ``text`` what would fit, and
    ``excess`` how many characters are too many. Nothing is ever cut."""

    text: str | None
    limit: int
    left_out: tuple = ()
    excess: int = 0

    @property
    def fits(self):
        return not self.excess


def _joined(header, entries):
    body = "; ".join(entry for entry, _ids in entries)
    return "\n".join(part for part in (header, body) if part) or None


def fit_note(data, limit=NOTE_LIMIT, _=_plain):
    """The note of the JSON request of ``data``: its header note, then every changed
    line in full words, or, when that is longer than ``limit``, compactly
    (:func:`compact_entries`). When even that is too long, the :class:`NoteFit` says
    which lines would not reach the buyer: the caller tells a person, before anything is
    sent (the UBL carries every line, see :func:`psb_request`)."""
    return _fit_note(_checked(data), limit, _)


def _fit_note(data, limit, _):
    """:func:`fit_note` of ``data``, already checked (:func:`_checked`)."""
    full = note_entries(data, _)
    text = _joined(data.note, full)
    if text is None or len(text) <= limit:
        return NoteFit(text, limit)
    compact = compact_entries(data, _)
    text = _joined(data.note, compact)
    if len(text) <= limit:
        return NoteFit(text, limit)
    kept = 0
    while (
        kept < len(compact)
        and len(_joined(data.note, compact[: kept + 1]) or "") <= limit
    ):
        kept += 1
    left_out = tuple(dict.fromkeys(i for _entry, ids in compact[kept:] for i in ids))
    return NoteFit(
        _joined(data.note, compact[:kept]), limit, left_out, len(text) - limit
    )


def note_error(fit):
    """The :class:`ResponseError` of a note that does not fit (:func:`fit_note`), for a
    person."""
    if fit.left_out:
        lines = _line_numbers(list(fit.left_out))
        return ResponseError(
            f"The PSB's JSON note holds {fit.limit} characters: the answers for lines "
            f"{lines} would not reach the "
            "buyer. Send Order Responses as UBL (Settings), or change fewer lines.",
            error_code="answer_note_lines_left_out",
            params={"lines": lines, "count": len(fit.left_out), "limit": fit.limit},
        )
    return ResponseError(
        f"The PSB's JSON note holds {fit.limit} characters: this note is {fit.excess} "
        "characters too long and "
        "would not reach the buyer whole. Shorten it, or send Order Responses as UBL "
        "(Settings).",
        error_code="answer_note_too_long",
        params={"excess": fit.excess, "limit": fit.limit},
    )


def psb_request(data, limit=NOTE_LIMIT, _=_plain, as_ubl=False, with_ubl=False):
    """The body of the PSB's ``salesOrder/{documentId}/response``. This is the one place
    that decides what the PSB receives (see the module docstring).

    With ``as_ubl`` (the company setting *Send Order Responses as UBL*): ``{"status",
    "xml"}``, the UBL Order Response of :func:`build_order_response`, which carries
    every line, sent as ``application/xml``. Otherwise the documented JSON model
    ``{"status", "note"}`` (``note`` left out when empty), its line answers in the
    language of ``_`` (the buyer's, on the Odoo side): the JSON model has no lines, so a
    CA's line answers (all but the lines accepted as ordered) are spelled out after the
    header note, compactly when needed (:func:`fit_note`). A note longer than ``limit``
    is never cut: :class:`ResponseError` (:func:`note_error`) says which lines would not
    reach the buyer.

    With ``with_ubl``, the JSON body also carries the UBL under ``"xml"`` (to be kept
    as the record of the answer; not sent): the answer is checked once for both.
    """
    data = _checked(data)
    if as_ubl:
        return {"status": data.code, "xml": _order_response_xml(data)}
    fit = _fit_note(data, limit, _)
    if not fit.fits:
        raise note_error(fit)
    body = {"status": data.code}
    if fit.text:
        body["note"] = fit.text
    if with_ubl:
        body["xml"] = _order_response_xml(data)
    return body
