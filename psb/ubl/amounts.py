"""The arithmetic of a Peppol Order's amounts, as the PEPPOL-T01 rules define it.

Line net amount (PEPPOL-T01-R024)::

    LineExtensionAmount = Quantity * (PriceAmount / BaseQuantity) + line charges - line
    allowances

Allowance or charge (PEPPOL-T01-R020..R022): ``Amount = BaseAmount *
MultiplierFactorNumeric / 100``
when both are given. Document totals (R008..R011, R016, R017)::

    TaxExclusiveAmount = LineExtensionAmount - AllowanceTotalAmount + ChargeTotalAmount
    TaxInclusiveAmount = TaxExclusiveAmount + TaxTotal/TaxAmount
    PayableAmount      = TaxInclusiveAmount - PrepaidAmount + PayableRoundingAmount

The validation rules accept a line or allowance amount within 0.02 of its arithmetic
(``SLACK``).

Everything here is plain :class:`~decimal.Decimal` arithmetic; nothing knows Odoo.
Problems are returned as codes with their values (``Problem``) so that the caller writes
the sentence in the user's language.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

#: Tolerance of the PEPPOL-T01 rules on computed amounts (``u:slack(..., 0.02)``).
SLACK = Decimal("0.02")

#: ISO 4217 minor units of the currencies that do not have two decimals.
CURRENCY_DECIMALS = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "CLF": 4,
    "UYW": 4,
}

#: UNCL 5189 / 7161 reason codes read as freight.
FREIGHT_CODES = frozenset({"FC", "DL", "FI", "ADK", "AAJ"})


def currency_decimals(code):
    """The number of decimals of an ISO 4217 currency (two unless listed)."""
    return CURRENCY_DECIMALS.get((code or "").strip().upper(), 2)


def quantize(amount, digits=2):
    """``amount`` rounded half-up to ``digits`` decimals (how amounts are rounded in
    Peppol)."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _dec(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@dataclass
class Problem:
    """Something a person must look at. ``code`` names it; ``values`` hold the amounts
    involved."""

    code: str
    values: dict = field(default_factory=dict)


@dataclass
class AppliedAmount:
    """One allowance or charge with the amount it amounts to (``None`` when it cannot be
    computed)."""

    is_charge: bool
    amount: Decimal | None
    percent: Decimal | None = None
    base_amount: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None
    tax_category: str | None = None
    tax_percent: Decimal | None = None
    problem: Problem | None = None

    @property
    def signed(self):
        """The amount added to the total: negative for an allowance."""
        if self.amount is None:
            return Decimal(0)
        return self.amount if self.is_charge else -self.amount

    @property
    def is_freight(self):
        return (self.reason_code or "").strip().upper() in FREIGHT_CODES


def allowance_charge_amount(allowance, digits=2):
    """What an AllowanceCharge (``psb.ubl.model.AllowanceCharge``) amounts to.

    The stated ``Amount`` wins; without it, ``BaseAmount * percent / 100``. Problems:
    ``no_amount`` (neither an amount nor a percentage), ``percent_without_base`` (a
    percentage but no base), ``amount_contradicts_percent`` (the amount is not the base
    times the percentage).
    """
    amount, percent, base = (
        _dec(allowance.amount),
        _dec(allowance.percent),
        _dec(allowance.base_amount),
    )
    applied = AppliedAmount(
        is_charge=allowance.is_charge,
        amount=None,
        percent=percent,
        base_amount=base,
        reason=allowance.reason,
        reason_code=allowance.reason_code,
        tax_category=getattr(allowance, "tax_category", None),
        tax_percent=_dec(getattr(allowance, "tax_percent", None)),
    )
    computed = (
        quantize(base * percent / 100, digits)
        if percent is not None and base is not None
        else None
    )
    if amount is not None:
        applied.amount = amount
        if computed is not None and abs(amount - computed) > SLACK:
            applied.problem = Problem(
                "amount_contradicts_percent",
                {
                    "amount": amount,
                    "percent": percent,
                    "base": base,
                    "computed": computed,
                },
            )
    elif computed is not None:
        applied.amount = computed
    elif percent is not None:
        applied.problem = Problem("percent_without_base", {"percent": percent})
    else:
        applied.problem = Problem("no_amount", {})
    return applied


@dataclass
class LinePricing:
    """How a quotation line reproduces an order line.

    ``price_unit`` and ``discount`` (percent) are what the quotation line holds;
    ``amount`` is the net line amount they give, ``stated_amount`` the order's
    LineExtensionAmount and ``computed_amount`` quantity * price +/- allowances.
    ``mode`` is ``"price"`` (the buyer's price as is), ``"discount"`` (one percentage
    allowance as the line discount) or ``"net"`` (a net unit price reproducing the
    amount), or ``None`` when the order gives neither a price nor an amount.
    """

    price_unit: Decimal | None = None
    discount: Decimal = Decimal(0)
    gross_unit_price: Decimal | None = None  # PriceAmount / BaseQuantity
    amount: Decimal | None = None
    stated_amount: Decimal | None = None
    computed_amount: Decimal | None = None
    mode: str | None = None
    applied: list[AppliedAmount] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def net_unit_price(self):
        """The effective price of one unit: ``price_unit * (1 - discount / 100)``."""
        if self.price_unit is None:
            return None
        return self.price_unit * (1 - self.discount / 100)


def line_total(quantity, price_unit, discount=Decimal(0), digits=2):
    """The net line amount Odoo computes: ``quantity * price_unit * (1 - discount /
    100)``, rounded."""
    return quantize(
        _dec(quantity) * _dec(price_unit) * (1 - _dec(discount) / 100), digits
    )


def net_unit_price(amount, quantity, digits=2, min_digits=2, max_digits=10):
    """The unit price with the fewest decimals (at least ``min_digits``) whose multiple
    by ``quantity`` rounds to ``amount`` at ``digits`` decimals with a safe margin; the
    closest one at ``max_digits`` when none does. ``quantity`` must not be zero."""
    amount, quantity = _dec(amount), _dec(quantity)
    exact = amount / quantity
    half = Decimal(1).scaleb(-digits) / 2
    for places in range(min_digits, max_digits + 1):
        price = quantize(exact, places)
        if abs(price * quantity - amount) < half * Decimal("0.8"):
            return price
    return quantize(exact, max_digits)


def price_line(
    quantity,
    price,
    base_quantity=None,
    allowance_charges=(),
    stated_amount=None,
    digits=2,
    discount_digits=2,
):
    """The quotation line's price and discount that reproduce an order line
    (``PEPPOL-T01-R024``).

    A single percentage allowance becomes the line discount when it reproduces the line
    amount; a fixed allowance or charge, or several, give a net unit price reproducing
    it. The order's stated amount is reproduced when it agrees with its arithmetic
    (within ``SLACK``); otherwise the arithmetic is kept and the line gets the problem
    ``stated_amount_differs``.
    """
    quantity, price, base_quantity = _dec(quantity), _dec(price), _dec(base_quantity)
    stated_amount = _dec(stated_amount)
    result = LinePricing(stated_amount=stated_amount)
    _apply_allowance_charges(result, allowance_charges, digits)
    base_quantity = _checked_base_quantity(result, base_quantity)
    if price is not None:
        result.gross_unit_price = price / base_quantity if base_quantity else price
    quantity = quantity if quantity is not None else Decimal(1)
    adjustments = sum((a.signed for a in result.applied), Decimal(0))
    if result.gross_unit_price is not None:
        result.computed_amount = quantize(
            quantity * result.gross_unit_price + adjustments, digits
        )
    target = _line_target(result, stated_amount, quantity, adjustments)
    if target is None:
        return result
    result.amount = target
    if not quantity:
        return _price_without_quantity(result, discount_digits)
    return _reproduce_target(result, quantity, target, digits, discount_digits)


def _apply_allowance_charges(result, allowance_charges, digits):
    """The line's allowances and charges applied to ``result``, with their problems."""
    result.applied = [allowance_charge_amount(ac, digits) for ac in allowance_charges]
    for applied in result.applied:
        if applied.problem:
            result.problems.append(applied.problem)


def _checked_base_quantity(result, base_quantity):
    """``base_quantity``, or None with a problem on ``result`` when not positive."""
    if base_quantity is not None and base_quantity <= 0:
        result.problems.append(
            Problem("bad_base_quantity", {"base_quantity": base_quantity})
        )
        base_quantity = None
    return base_quantity


def _line_target(result, stated_amount, quantity, adjustments):
    """The line amount to reproduce: the stated one when it agrees with the
    arithmetic (a problem on ``result`` when not), otherwise the computed one."""
    target = result.computed_amount
    if stated_amount is not None:
        if target is None or abs(stated_amount - target) <= SLACK:
            target = stated_amount
        else:
            result.problems.append(
                Problem(
                    "stated_amount_differs",
                    {
                        "stated": stated_amount,
                        "computed": result.computed_amount,
                        "quantity": quantity,
                        "price": result.gross_unit_price,
                        "adjustments": adjustments,
                    },
                )
            )
    return target


def _price_without_quantity(result, discount_digits):
    """Nothing to reproduce: the buyer's price stands (with its one percentage as the
    discount)."""
    result.price_unit = result.gross_unit_price
    result.mode = "price" if result.price_unit is not None else None
    single = _single_percentage(result.applied)
    if single is not None and result.price_unit is not None:
        result.discount, result.mode = quantize(single, discount_digits), "discount"
    return result


def _reproduce_target(result, quantity, target, digits, discount_digits):
    """The price (and discount) on ``result`` reproducing ``target``: the gross price,
    the gross price with the single percentage as discount, else a net unit price."""
    gross = result.gross_unit_price
    if (
        gross is not None
        and not result.applied
        and line_total(quantity, gross, 0, digits) == target
    ):
        result.price_unit, result.mode = gross, "price"
        return result
    single = _single_percentage(result.applied)
    if gross is not None and single is not None:
        discount = quantize(single, discount_digits)
        if line_total(quantity, gross, discount, digits) == target:
            result.price_unit, result.discount, result.mode = (
                gross,
                discount,
                "discount",
            )
            return result
    result.price_unit, result.mode = net_unit_price(target, quantity, digits), "net"
    return result


def _single_percentage(applied):
    if (
        len(applied) == 1
        and not applied[0].is_charge
        and applied[0].percent is not None
        and applied[0].amount is not None
    ):
        return applied[0].percent
    return None


# --------------------------------------------------------------------------------------
# Document totals
# --------------------------------------------------------------------------------------

#: The totals compared, in the order they are reported: (key, OrderDocument attribute).
TOTALS = (
    ("line_extension", "line_extension_amount"),
    ("allowance_total", "allowance_total"),
    ("charge_total", "charge_total"),
    ("tax_exclusive", "tax_exclusive_amount"),
    ("tax", "tax_amount"),
    ("tax_inclusive", "tax_inclusive_amount"),
    ("payable", "payable_amount"),
)


@dataclass
class Difference:
    """A total of the quotation that is not the order's."""

    key: str  # one of TOTALS' keys
    ordered: Decimal
    quoted: Decimal

    @property
    def delta(self):
        return self.quoted - self.ordered


def ordered_totals(order):
    """The totals an order states, by key of ``TOTALS`` (absent ones left out)."""
    return {
        key: _dec(getattr(order, attr, None))
        for key, attr in TOTALS
        if getattr(order, attr, None) is not None
    }


def quoted_totals(
    line_extension,
    allowance_total,
    charge_total,
    untaxed,
    tax,
    total,
    prepaid=None,
    rounding=None,
):
    """The quotation's totals in the same keys; payable is the total less the order's
    prepaid amount plus its rounding amount (they are the buyer's, not ours)."""
    total = _dec(total)
    return {
        "line_extension": _dec(line_extension),
        "allowance_total": _dec(allowance_total),
        "charge_total": _dec(charge_total),
        "tax_exclusive": _dec(untaxed),
        "tax": _dec(tax),
        "tax_inclusive": total,
        "payable": total - (_dec(prepaid) or 0) + (_dec(rounding) or 0),
    }


def compare_totals(ordered, quoted, digits=2):
    """The differences between an order's totals and the quotation's, each rounded to
    ``digits`` (the currency's decimals); a total the order does not state is not
    compared. An empty list means everything the order states matches."""
    differences = []
    for key, _attr in TOTALS:
        if ordered.get(key) is None or key not in quoted:
            continue
        mine, theirs = (
            quantize(quoted[key] or 0, digits),
            quantize(ordered[key], digits),
        )
        if mine != theirs:
            differences.append(Difference(key, theirs, mine))
    return differences


def order_inconsistencies(order, digits=2):
    """Where the order's own totals do not add up (PEPPOL-T01-R008..R011, R016, R017).

    :returns: a list of ``Problem`` with codes ``lines_sum``, ``allowances_sum``,
        ``charges_sum``, ``tax_exclusive_sum``, ``tax_inclusive_sum``, ``payable_sum``
        and values ``stated``/``computed``.
    """
    problems = []

    def check(code, stated, computed):
        _check_total(problems, code, stated, computed, digits)

    line_amounts = [
        line.line_amount for line in order.lines if line.line_amount is not None
    ]
    if line_amounts:
        check("lines_sum", order.line_extension_amount, sum(line_amounts, Decimal(0)))
    _check_allowance_charge_totals(order, check, digits)
    _check_tax_and_payable_totals(order, check)
    return problems


def _check_total(problems, code, stated, computed, digits):
    """A ``code`` problem on ``problems`` when ``stated`` and ``computed`` are both
    given and differ at ``digits``."""
    if (
        stated is not None
        and computed is not None
        and quantize(stated, digits) != quantize(computed, digits)
    ):
        problems.append(
            Problem(
                code,
                {
                    "stated": quantize(stated, digits),
                    "computed": quantize(computed, digits),
                },
            )
        )


def _check_allowance_charge_totals(order, check, digits):
    """The document allowance and charge totals against the allowances and charges."""
    document = [allowance_charge_amount(ac, digits) for ac in order.allowance_charges]
    allowances = sum((a.amount or 0 for a in document if not a.is_charge), Decimal(0))
    charges = sum((a.amount or 0 for a in document if a.is_charge), Decimal(0))
    # An absent total counts as zero (as the rules read it) once the document has
    # allowances or charges.
    check(
        "allowances_sum",
        order.allowance_total
        if order.allowance_total is not None
        else allowances and 0,
        allowances,
    )
    check(
        "charges_sum",
        order.charge_total if order.charge_total is not None else charges and 0,
        charges,
    )


def _exclusive_from_parts(order):
    """The order's amount without tax as its parts give it: the line amounts less the
    allowances plus the charges; ``None`` without the line amounts."""
    if order.line_extension_amount is None:
        return None
    return (
        order.line_extension_amount
        - (order.allowance_total or 0)
        + (order.charge_total or 0)
    )


def tax_exclusive_amount(order):
    """The order's amount without tax: as stated (TaxExclusiveAmount), else as its parts
    give it (``None`` when neither tells)."""
    if order.tax_exclusive_amount is not None:
        return order.tax_exclusive_amount
    return _exclusive_from_parts(order)


def _check_tax_and_payable_totals(order, check):
    """The tax exclusive, tax inclusive and payable totals against their parts."""
    from_parts = _exclusive_from_parts(order)
    if from_parts is not None:
        check("tax_exclusive_sum", order.tax_exclusive_amount, from_parts)
    exclusive = tax_exclusive_amount(order)
    if exclusive is not None and order.tax_amount is not None:
        check(
            "tax_inclusive_sum",
            order.tax_inclusive_amount,
            exclusive + order.tax_amount,
        )
    if order.tax_inclusive_amount is not None:
        check(
            "payable_sum",
            order.payable_amount,
            order.tax_inclusive_amount
            - (getattr(order, "prepaid_amount", None) or 0)
            + (getattr(order, "payable_rounding_amount", None) or 0),
        )


def order_tax(order, digits=2):
    """The tax the order's own categories give: per (category, percent), the rate
    applied to the sum of the line amounts and document allowances/charges of that
    category, rounded per category. ``None`` when a line or an allowance/charge with an
    amount has no tax category (it cannot be told)."""
    bases = {}
    for line in order.lines:
        if line.line_amount is None:
            continue
        if not line.tax_category:
            return None
        key = (line.tax_category.upper(), _dec(line.tax_percent) or Decimal(0))
        bases[key] = bases.get(key, Decimal(0)) + line.line_amount
    for applied in (
        allowance_charge_amount(ac, digits) for ac in order.allowance_charges
    ):
        if not applied.amount:
            continue
        if not applied.tax_category:
            if len(bases) != 1:
                return None
            key = next(iter(bases))
        else:
            key = (applied.tax_category.upper(), applied.tax_percent or Decimal(0))
        bases[key] = bases.get(key, Decimal(0)) + applied.signed
    return sum(
        (
            quantize(base * percent / 100, digits)
            for (_cat, percent), base in bases.items()
        ),
        Decimal(0),
    )
