"""Straight-through orders: which conditions for confirming a Peppol order automatically
fail, and why.

One function, :func:`evaluate`, runs the table of checks :data:`CHECKS` (each a
condition, its setting and its test) over plain facts about an imported order (gathered
by the Odoo layer in a few batch reads) and the company's settings, and returns the
failed conditions with a reason a sales user can act on, per line where it applies. An
empty list means a careful person would also have confirmed the order.
:func:`price_check` is the per-line price comparison, also used for the price-difference
flag that exists whatever the settings.

Texts go through ``_`` (``env._`` from Odoo, so they are translated; plain ``%``
formatting here).
"""

# pylint: disable=prefer-env-translation  # plain Python: ``_`` is the caller's
# translation function
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# How a line was matched to a product; only the first three are identifiers.
IDENTIFIER_METHODS = ("gtin", "seller_code", "buyer_code")
# UNCL1001 220, an ordinary order: what an order that names no type is.
ORDINARY_ORDER = "220"


def parse_order_types(text):
    """The order type codes of a setting such as "220, 105": a tuple of codes, in their
    order, once each.

    :raises ValueError: on anything but codes of digits separated by commas or spaces.
    """
    codes = [code for code in (text or "").replace(",", " ").split() if code]
    bad = [code for code in codes if not code.isdigit()]
    if bad:
        raise ValueError(bad)
    return tuple(dict.fromkeys(codes))


def _plain(message, **kwargs):
    return message % kwargs if kwargs else message


@dataclass
class LineFacts:
    ref: str  # the buyer's line id: "line 3"
    match_method: str = "none"  # gtin / seller_code / buyer_code / name / none
    unit_code: str = ""
    unit_known: bool = True
    unit_converts: bool = True
    ordered_price: float | None = (
        None  # the buyer's net price per ordered unit, None when not given
    )
    our_price: float | None = (
        None  # our pricelist price for this customer, same unit and currency
    )
    requested_date: date | None = None
    note: str = ""


@dataclass
class OrderFacts:
    customer_name: str = ""
    customer_new: bool = False  # created by an import (and not reviewed since)
    customer_by_name: bool = (
        False  # found by its name only: anybody can write a name in an order
    )
    customer_trusted: bool = False
    delivery_name: str = ""
    delivery_new: bool = (
        False  # the delivery address was created by an import (and not reviewed since)
    )
    amounts_state: str | None = None  # match / differ / unchecked (the totals check)
    import_issues: str = ""  # whatever the import flagged, as text
    requested_date: date | None = None
    note: str = ""
    amount: float = 0.0  # the order's total in the company's currency
    today: date | None = None
    currency_symbol: str = ""  # of the prices
    company_currency_symbol: str = ""  # of ``amount`` and the maximum
    lines: list = field(default_factory=list)
    # The order's own allowances (document level) as (reason, amount): a price the buyer
    # set, not ours.
    discounts: list = field(default_factory=list)
    order_type: str = (
        ""  # the buyer's OrderTypeCode (UNCL1001); "" when the order names none
    )
    order_type_name: str = ""  # the type as a person reads it ("Consignment order")


@dataclass
class Settings:
    known_customer: bool = True
    identified_lines: bool = True
    units: bool = True
    accept_buyer_price: bool = False
    price_tolerance: float = 0.0  # percent
    totals: bool = True
    future_date: bool = True
    note_needs_person: bool = True
    max_amount: float = 0.0  # 0: no maximum
    trusted_only: bool = False
    # The order types confirmed automatically; an order that names no type is an
    # ordinary order (220).
    order_types: tuple = (ORDINARY_ORDER,)


@dataclass
class Failure:
    condition: str
    reason: str


@dataclass(frozen=True)
class Formats:
    """How numbers, amounts and dates are written into the reasons: plain English by
    default; the Odoo layer gives its own, which keep them as values to be written the
    reader's way (models/psb_texts.py)."""

    money: object = None  # (currency symbol or code, value) -> text
    percent: object = None  # (value) -> text, signed
    date: object = None  # (date) -> text
    amount: object = None  # (value) -> text, no currency

    def fmt_money(self, currency, value):
        return self.money(currency, value) if self.money else _money(currency, value)

    def fmt_percent(self, value, signed=True):
        if self.percent:
            return self.percent(value, signed)
        return _percent(value) if signed else _percent(value).lstrip("+")

    def fmt_date(self, value):
        return self.date(value) if self.date else value.isoformat()

    def fmt_amount(self, value):
        return self.amount(value) if self.amount else f"{value:,.2f}"


PLAIN = Formats()


def _dec(value):
    return Decimal(str(round(float(value), 6)))


def _money(symbol, value):
    amount = (
        f"{abs(value):,.2f}"
        if round(abs(value), 2) == round(abs(value), 6)
        else f"{abs(value):,.4f}"
    )
    return f"{'-' if value < 0 else ''}{symbol}{amount}"


def _percent(value):
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    return f"{'−' if value < 0 else '+' if value > 0 else ''}{text} %"


def price_check(ordered, ours, tolerance):
    """Whether the buyer's price is within ``tolerance`` % of ours (exactly at the
    tolerance passes).

    :returns: (within, deviation in % or None when our price is 0), or (True, None) when
        either price is unknown.
    """
    if ordered is None or ours is None:
        return True, None
    ordered, ours, tolerance = _dec(ordered), _dec(ours), _dec(tolerance)
    difference = ordered - ours
    if not ours:
        return not difference, None
    within = abs(difference) * 100 <= abs(ours) * tolerance
    return within, float(difference * 100 / ours)


def price_reason(line, symbol, tolerance, _=_plain, fmt=PLAIN):
    """ "line 3: €4.10 ordered, our price €4.60 (−10.9 %, tolerance 2 %)", or "" when
    within."""
    within, deviation = price_check(line.ordered_price, line.our_price, tolerance)
    if within:
        return ""
    return _(
        "line %(line)s: %(ordered)s ordered, our price %(ours)s (%(deviation)s, "
        "tolerance %(tolerance)s)",
        line=line.ref,
        ordered=fmt.fmt_money(symbol, line.ordered_price),
        ours=fmt.fmt_money(symbol, line.our_price),
        deviation=fmt.fmt_percent(deviation) if deviation is not None else "-",
        tolerance=fmt.fmt_percent(tolerance, signed=False),
    )


# --------------------------------------------------------------------------------------
# The conditions, as a table: each check has its condition, the setting that switches it
# on and its test, which returns why the order fails it (nothing: met). They run in the
# table's order; the checks of one line (``per_line``) that follow each other run line
# by line, so that a line's reasons stay together.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    condition: str  # the Failure's condition
    # The Settings field that switches the check on (on while it is true; "!field":
    # while it is false); None: always checked.
    setting: str | None
    # (order, settings, _, fmt) -> a reason, a list of reasons, or nothing; per line:
    # (order, line, settings, _, fmt).
    test: Callable
    per_line: bool = False

    def enabled(self, settings):
        return _switched_on(self.setting, settings)


def _switched_on(setting, settings):
    """Whether ``setting`` (a field of ``settings``, "!field" for its negation, None for
    always) is on; ``settings`` is the Settings, or the order's facts."""
    if setting is None:
        return True
    return bool(getattr(settings, setting.lstrip("!"))) != setting.startswith("!")


def _party_check(flag, name, text):
    """The check that fails when the order's fact ``flag`` holds ("!fact": when it does
    not), its reason ``text(_, the party's name)``: the party is the order's ``name``
    fact."""

    def test(order, settings, _, fmt):
        return text(_, getattr(order, name)) if _switched_on(flag, order) else None

    return test


_customer_new = _party_check(
    "customer_new",
    "customer_name",
    lambda _, name: _(
        "the customer %(name)s was created from a Peppol order and not reviewed yet",
        name=name,
    ),
)
_customer_by_name = _party_check(
    "customer_by_name",
    "customer_name",
    lambda _, name: _(
        "the customer %(name)s was found by its name only, not by a Peppol id, VAT "
        "number or registration",
        name=name,
    ),
)
_delivery_new = _party_check(
    "delivery_new",
    "delivery_name",
    lambda _, name: _(
        "the delivery address %(name)s was created from a Peppol order and not "
        "reviewed yet",
        name=name,
    ),
)
_trusted = _party_check(
    "!customer_trusted",
    "customer_name",
    lambda _, name: _(
        "the customer %(name)s is not trusted for automatic confirmation", name=name
    ),
)


def _line_identified(order, line, settings, _, fmt):
    if line.match_method in IDENTIFIER_METHODS:
        return None
    if line.match_method == "name":
        return _("line %(line)s: matched on the item name only", line=line.ref)
    return _("line %(line)s: no product matched", line=line.ref)


def _line_unit(order, line, settings, _, fmt):
    if not line.unit_known:
        return _(
            "line %(line)s: unit code %(unit)s is not known",
            line=line.ref,
            unit=line.unit_code,
        )
    if not line.unit_converts:
        return _(
            "line %(line)s: unit %(unit)s does not convert to the product's unit",
            line=line.ref,
            unit=line.unit_code,
        )
    return None


def _line_price(order, line, settings, _, fmt):
    return (
        price_reason(line, order.currency_symbol, settings.price_tolerance, _, fmt)
        or None
    )


def _discounts(order, settings, _, fmt):
    return [
        _(
            "the buyer's order takes a discount of %(amount)s: %(reason)s",
            amount=fmt.fmt_money(order.currency_symbol, amount),
            reason=reason,
        )
        for reason, amount in order.discounts
    ]


def _order_type(order, settings, _, fmt):
    order_type = order.order_type or ORDINARY_ORDER
    if order_type in settings.order_types:
        return None
    if order.order_type_name:
        return _(
            "the order type %(name)s (%(code)s) is not confirmed automatically",
            name=order.order_type_name,
            code=order_type,
        )
    return _("the order type %(code)s is not confirmed automatically", code=order_type)


def _totals(order, settings, _, fmt):
    return (
        _("the totals differ from the buyer's order")
        if order.amounts_state == "differ"
        else None
    )


def _import_issues(order, settings, _, fmt):
    if order.import_issues:
        issues = order.import_issues
        return _(
            "the import flagged: %(issues)s",
            issues=issues.replace("\n", "; ") if isinstance(issues, str) else issues,
        )
    return None


def _past(day, order):
    return bool(day and order.today and day < order.today)


def _date(order, settings, _, fmt):
    if _past(order.requested_date, order):
        return _(
            "the requested delivery date %(date)s is in the past",
            date=fmt.fmt_date(order.requested_date),
        )
    return None


def _line_date(order, line, settings, _, fmt):
    if _past(line.requested_date, order):
        return _(
            "line %(line)s: the requested delivery date %(date)s is in the past",
            line=line.ref,
            date=fmt.fmt_date(line.requested_date),
        )
    return None


def _note(order, settings, _, fmt):
    return (
        _("the buyer wrote a note: %(note)s", note=_short(order.note))
        if order.note
        else None
    )


def _line_note(order, line, settings, _, fmt):
    if line.note:
        return _(
            "line %(line)s: the buyer wrote a note: %(note)s",
            line=line.ref,
            note=_short(line.note),
        )
    return None


def _max_amount(order, settings, _, fmt):
    if order.amount > settings.max_amount:
        return _(
            "the order amount %(amount)s is above the maximum %(max)s",
            amount=fmt.fmt_money(order.company_currency_symbol, order.amount),
            max=fmt.fmt_money(order.company_currency_symbol, settings.max_amount),
        )
    return None


#: The conditions of automatic confirmation, in the order their reasons are given.
CHECKS = (
    Check("customer", "known_customer", _customer_new),
    Check("customer", "known_customer", _customer_by_name),
    Check("address", "known_customer", _delivery_new),
    Check("trusted", "trusted_only", _trusted),
    Check("identified", "identified_lines", _line_identified, per_line=True),
    Check("units", "units", _line_unit, per_line=True),
    Check("price", "!accept_buyer_price", _line_price, per_line=True),
    Check("price", "!accept_buyer_price", _discounts),
    Check("order_type", None, _order_type),
    Check("totals", "totals", _totals),
    Check("issues", None, _import_issues),
    Check("date", "future_date", _date),
    Check("date", "future_date", _line_date, per_line=True),
    Check("note", "note_needs_person", _note),
    Check("note", "note_needs_person", _line_note, per_line=True),
    Check("max_amount", "max_amount", _max_amount),
)


def _met_known_customer(settings, _, fmt):
    return _("the customer and its delivery address existed before")


def _met_trusted(settings, _, fmt):
    return _("the customer is trusted for automatic confirmation")


def _met_identified(settings, _, fmt):
    return _("every line matched a product by GTIN, our code or the customer's code")


def _met_units(settings, _, fmt):
    return _("every unit is known and converts to the product's unit")


def _met_buyer_price(settings, _, fmt):
    return _("the buyer's prices are accepted")


def _met_price(settings, _, fmt):
    return _(
        "every price is within %(tolerance)s of our price",
        tolerance=fmt.fmt_percent(settings.price_tolerance, signed=False),
    )


def _met_totals(settings, _, fmt):
    return _("the totals match the buyer's order")


def _met_order_type(settings, _, fmt):
    return _(
        "the order type is one of %(types)s",
        types=", ".join(settings.order_types) or "-",
    )


def _met_issues(settings, _, fmt):
    return _("the import flagged nothing")


def _met_date(settings, _, fmt):
    return _("the requested delivery date is not in the past")


def _met_note(settings, _, fmt):
    return _("no buyer's note")


def _met_max_amount(settings, _, fmt):
    return _(
        "the order amount is at most %(max)s", max=fmt.fmt_amount(settings.max_amount)
    )


#: What the settings check, as a person reads it (for "all conditions met"): (setting as
#: in Check, text).
CONDITIONS = (
    ("known_customer", _met_known_customer),
    ("trusted_only", _met_trusted),
    ("identified_lines", _met_identified),
    ("units", _met_units),
    ("accept_buyer_price", _met_buyer_price),
    ("!accept_buyer_price", _met_price),
    ("totals", _met_totals),
    (None, _met_order_type),
    (None, _met_issues),
    ("future_date", _met_date),
    ("note_needs_person", _met_note),
    ("max_amount", _met_max_amount),
)


def conditions(settings, _=_plain, fmt=PLAIN):
    """The conditions these settings check, as a person reads them (for "all conditions
    met")."""
    return [
        text(settings, _, fmt)
        for setting, text in CONDITIONS
        if _switched_on(setting, settings)
    ]


def _runs(checks):
    """The checks in runs: those of one line that follow each other together, each other
    check alone."""
    run = []
    for check in checks:
        if run and not (check.per_line and run[-1].per_line):
            yield run
            run = []
        run.append(check)
    if run:
        yield run


def _reasons(result):
    """A check's result as a list of reasons: a list is several, anything else (a text,
    or the caller's translated text as data) one."""
    if not result:
        return []
    return list(result) if isinstance(result, list) else [result]


def evaluate(order, settings, _=_plain, fmt=PLAIN):
    """The conditions ``order`` (:class:`OrderFacts`) fails under ``settings``, with
    their reasons.

    :returns: list of :class:`Failure`, empty when the order may be confirmed
        automatically.
    """
    failed = []
    for run in _runs(check for check in CHECKS if check.enabled(settings)):
        if not run[0].per_line:
            failed += [
                Failure(run[0].condition, r)
                for r in _reasons(run[0].test(order, settings, _, fmt))
            ]
            continue
        for line in order.lines:
            for check in run:
                failed += [
                    Failure(check.condition, r)
                    for r in _reasons(check.test(order, line, settings, _, fmt))
                ]
    return failed


def _short(text, size=80):
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"
