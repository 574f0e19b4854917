"""Plausibility checks of an order line's quantity and price, before it becomes a sale
line.

A buyer's system can send a zero or negative quantity, a negative price, or a number off
by a few orders of magnitude (a GTIN typed into the quantity). None of these may pass
unnoticed, and a negative quantity never becomes a negative sale line without a person
deciding: it is imported as 0 and flagged (the ordered value is kept). Plain Python; the
Odoo layer words the problems.
"""

from dataclasses import dataclass, field
from decimal import Decimal

#: Defaults of the company's limits (0 switches a limit off).
DEFAULT_MAX_QUANTITY = Decimal(1_000_000)
DEFAULT_MAX_UNIT_PRICE = Decimal(1_000_000)


@dataclass(frozen=True)
class Problem:
    """``code``: quantity_zero, quantity_negative, quantity_too_large, price_zero,
    price_negative, price_too_large. ``value`` is the buyer's value, ``limit`` the limit
    it exceeds (if any)."""

    code: str
    value: Decimal
    limit: Decimal | None = None


@dataclass
class LineCheck:
    problems: list[Problem] = field(default_factory=list)
    #: The quantity to put on the sale line (the buyer's, or 0 for a negative one).
    quantity: Decimal | None = None

    @property
    def hold(self):
        """True when a person must decide before the line counts (a negative
        quantity)."""
        return any(problem.code == "quantity_negative" for problem in self.problems)


def _limit(value):
    value = Decimal(str(value or 0))
    return value if value > 0 else None


def check_line(
    quantity,
    unit_price,
    max_quantity=DEFAULT_MAX_QUANTITY,
    max_unit_price=DEFAULT_MAX_UNIT_PRICE,
):
    """Check one line's ``quantity`` and net ``unit_price`` (Decimals or None) against
    the limits."""
    result = LineCheck(quantity=quantity)
    max_quantity, max_unit_price = _limit(max_quantity), _limit(max_unit_price)
    if quantity is not None:
        if quantity == 0:
            result.problems.append(Problem("quantity_zero", quantity))
        elif quantity < 0:
            result.problems.append(Problem("quantity_negative", quantity))
            result.quantity = Decimal(0)
        elif max_quantity is not None and quantity > max_quantity:
            result.problems.append(
                Problem("quantity_too_large", quantity, max_quantity)
            )
    if unit_price is not None:
        if unit_price == 0:
            result.problems.append(Problem("price_zero", unit_price))
        elif unit_price < 0:
            result.problems.append(Problem("price_negative", unit_price))
        elif max_unit_price is not None and unit_price > max_unit_price:
            result.problems.append(
                Problem("price_too_large", unit_price, max_unit_price)
            )
    return result
