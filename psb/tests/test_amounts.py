"""The amounts arithmetic (psb.ubl.amounts): line net amounts, allowances and charges,
totals."""

from decimal import Decimal as D
from pathlib import Path

import pytest

from psb.ubl import amounts, reader
from psb.ubl.model import AllowanceCharge

OFFICIAL = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "peppol"
    / "examples"
    / "order"
    / "official"
)


def allowance(*values, reason="Discount", **more):
    """An allowance of (amount, percent, base) with ``more`` of its fields (code, tax,
    tax_percent)."""
    return _allowance_charge(False, *values, reason=reason, **more)


def charge(*values, reason="Handling", **more):
    return _allowance_charge(True, *values, reason=reason, **more)


def _allowance_charge(
    is_charge,
    amount=None,
    percent=None,
    base=None,
    *,
    reason,
    code=None,
    tax=None,
    tax_percent=None,
):
    return AllowanceCharge(
        is_charge=is_charge,
        amount=amount,
        reason=reason,
        reason_code=code,
        percent=percent,
        base_amount=base,
        tax_category=tax,
        tax_percent=tax_percent,
    )


# --------------------------------------------------------------------------------------
# Rounding and single amounts
# --------------------------------------------------------------------------------------


def test_quantize_rounds_half_up_at_two_and_more_decimals():
    assert amounts.quantize(D("2.345"), 2) == D("2.35")
    assert amounts.quantize(D("2.344999"), 2) == D("2.34")
    assert amounts.quantize(D("1.0005"), 3) == D("1.001")
    assert amounts.quantize(D("0.5"), 0) == D("1")
    assert amounts.quantize(D("-2.345"), 2) == D("-2.35")


def test_currency_decimals():
    assert amounts.currency_decimals("EUR") == 2
    assert amounts.currency_decimals("jpy") == 0
    assert amounts.currency_decimals("KWD") == 3
    assert amounts.currency_decimals(None) == 2


def test_allowance_amount_from_percent_and_base():
    applied = amounts.allowance_charge_amount(
        allowance(percent=D("2"), base=D("1234.56"))
    )
    assert applied.amount == D("24.69") and applied.problem is None
    assert applied.signed == D("-24.69")
    applied = amounts.allowance_charge_amount(
        allowance(percent=D("2"), base=D("1234.56")), digits=3
    )
    assert applied.amount == D("24.691")


def test_allowance_stated_amount_wins_and_contradiction_is_named():
    applied = amounts.allowance_charge_amount(
        allowance(amount=D("24.70"), percent=D("2"), base=D("1234.56"))
    )
    assert applied.amount == D("24.70") and applied.problem is None, (
        "within the rules' 0.02 slack"
    )
    applied = amounts.allowance_charge_amount(
        allowance(amount=D("30"), percent=D("2"), base=D("1234.56"))
    )
    assert applied.amount == D("30")
    assert applied.problem.code == "amount_contradicts_percent"
    assert applied.problem.values["computed"] == D("24.69")


def test_bad_allowances_without_amount_or_base():
    applied = amounts.allowance_charge_amount(allowance())
    assert applied.amount is None and applied.problem.code == "no_amount"
    assert applied.signed == 0
    applied = amounts.allowance_charge_amount(charge(percent=D("5")))
    assert applied.amount is None and applied.problem.code == "percent_without_base"
    assert applied.problem.values == {"percent": D("5")}


def test_freight_reason_codes():
    assert amounts.allowance_charge_amount(charge(D("10"), code="FC")).is_freight
    assert not amounts.allowance_charge_amount(charge(D("10"), code="ABK")).is_freight


def test_net_unit_price_fewest_decimals():
    assert amounts.net_unit_price(D("10.00"), D("4")) == D("2.50")
    price = amounts.net_unit_price(D("10.00"), D("3"))
    assert amounts.line_total(D("3"), price) == D("10.00")
    assert price == D("3.333")
    # three-decimal currency
    price = amounts.net_unit_price(D("1.001"), D("7"), digits=3)
    assert amounts.line_total(D("7"), price, digits=3) == D("1.001")


# --------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------


def test_plain_price():
    pricing = amounts.price_line(D("10"), D("2.50"), stated_amount=D("25.00"))
    assert (pricing.mode, pricing.price_unit, pricing.discount, pricing.amount) == (
        "price",
        D("2.50"),
        0,
        D("25.00"),
    )
    assert not pricing.problems


def test_base_quantity_100():
    # 250 pieces at 12.34 per 100 pieces = 30.85
    pricing = amounts.price_line(
        D("250"), D("12.34"), base_quantity=D("100"), stated_amount=D("30.85")
    )
    assert pricing.gross_unit_price == D("0.1234")
    assert pricing.mode == "price" and pricing.price_unit == D("0.1234")
    assert amounts.line_total(D("250"), pricing.price_unit) == D("30.85")
    # 333 at 10.00 per 100 = 33.30; at 9.99 per 100 = 33.2667 -> 33.27 (stated 33.27)
    pricing = amounts.price_line(
        D("333"), D("9.99"), base_quantity=D("100"), stated_amount=D("33.27")
    )
    assert amounts.line_total(D("333"), pricing.price_unit, pricing.discount) == D(
        "33.27"
    )
    assert not pricing.problems


def test_single_percentage_allowance_is_the_discount():
    pricing = amounts.price_line(
        D("10"),
        D("20.00"),
        allowance_charges=[allowance(D("10.00"), D("5"), D("200"))],
        stated_amount=D("190.00"),
    )
    assert (pricing.mode, pricing.price_unit, pricing.discount) == (
        "discount",
        D("20.00"),
        D("5.00"),
    )
    assert pricing.net_unit_price == D("19.0000")


def test_percentage_and_fixed_charge_give_a_net_price():
    # 10 x 20.00 - 5 % (10.00) + 12.50 cutting charge = 202.50
    acs = [
        allowance(D("10.00"), D("5"), D("200"), reason="project discount"),
        charge(D("12.50"), reason="cutting"),
    ]
    pricing = amounts.price_line(
        D("10"), D("20.00"), allowance_charges=acs, stated_amount=D("202.50")
    )
    assert (
        pricing.mode == "net"
        and pricing.price_unit == D("20.25")
        and pricing.discount == 0
    )
    assert [a.signed for a in pricing.applied] == [D("-10.00"), D("12.50")]
    assert pricing.computed_amount == D("202.50")


def test_net_price_reproduces_awkward_amounts():
    acs = [charge(D("1.00"))]
    pricing = amounts.price_line(
        D("7"), D("3.33"), allowance_charges=acs, stated_amount=D("24.31")
    )
    assert pricing.mode == "net"
    assert amounts.line_total(D("7"), pricing.price_unit) == D("24.31")


def test_discount_that_does_not_reproduce_the_amount_becomes_a_net_price():
    # 3.125 % cannot be a two-decimal discount: 3 x 33.33 x (1 - 0.03125) = 96.86...
    acs = [allowance(D("3.12"), D("3.125"), D("99.99"))]
    pricing = amounts.price_line(
        D("3"), D("33.33"), allowance_charges=acs, stated_amount=D("96.87")
    )
    assert pricing.mode == "net"
    assert amounts.line_total(D("3"), pricing.price_unit) == D("96.87")


def test_stated_amount_within_slack_is_reproduced():
    pricing = amounts.price_line(D("3"), D("3.333"), stated_amount=D("10.00"))
    assert pricing.computed_amount == D("10.00") and not pricing.problems
    pricing = amounts.price_line(
        D("3"), D("3.33"), stated_amount=D("10.00")
    )  # 9.99: within 0.02
    assert pricing.amount == D("10.00") and not pricing.problems
    assert amounts.line_total(D("3"), pricing.price_unit) == D("10.00")


def test_stated_amount_contradicting_the_arithmetic_is_flagged():
    pricing = amounts.price_line(D("9"), D("10.00"), stated_amount=D("100.00"))
    assert pricing.amount == D("90.00") and pricing.price_unit == D("10.00")
    [problem] = pricing.problems
    assert problem.code == "stated_amount_differs"
    assert (problem.values["stated"], problem.values["computed"]) == (
        D("100.00"),
        D("90.00"),
    )


def test_no_price_uses_the_stated_amount_and_nothing_gives_nothing():
    pricing = amounts.price_line(D("4"), None, stated_amount=D("50"))
    assert pricing.mode == "net" and pricing.price_unit == D("12.50")
    pricing = amounts.price_line(D("4"), None)
    assert pricing.mode is None and pricing.price_unit is None


def test_zero_quantity_does_not_divide():
    pricing = amounts.price_line(D("0"), D("5"), stated_amount=D("0"))
    assert pricing.price_unit == D("5") and pricing.amount == D("0")


def test_allowance_without_amount_on_a_line_is_a_problem_not_a_crash():
    pricing = amounts.price_line(
        D("2"), D("10"), allowance_charges=[allowance()], stated_amount=D("20")
    )
    assert [p.code for p in pricing.problems] == ["no_amount"]
    assert pricing.amount == D("20")


def test_bad_base_quantity():
    pricing = amounts.price_line(D("2"), D("10"), base_quantity=D("0"))
    assert pricing.problems[0].code == "bad_base_quantity" and pricing.price_unit == D(
        "10"
    )


# --------------------------------------------------------------------------------------
# Totals
# --------------------------------------------------------------------------------------


def test_compare_totals_equal_one_cent_off_and_named():
    ordered = {
        "line_extension": D("100.00"),
        "tax_exclusive": D("98.00"),
        "tax": D("20.58"),
        "payable": D("118.58"),
    }
    quoted = amounts.quoted_totals(
        D("100"), D("2"), D("0"), D("98.00"), D("20.58"), D("118.58")
    )
    assert amounts.compare_totals(ordered, quoted) == []
    quoted = amounts.quoted_totals(
        D("100"), D("2"), D("0"), D("98.00"), D("20.59"), D("118.59")
    )
    differences = amounts.compare_totals(ordered, quoted)
    assert [(d.key, d.ordered, d.quoted) for d in differences] == [
        ("tax", D("20.58"), D("20.59")),
        ("payable", D("118.58"), D("118.59")),
    ]
    assert differences[0].delta == D("0.01")
    # below the currency's rounding is equal
    quoted = amounts.quoted_totals(
        D("100.001"), D("2"), D("0"), D("98.004"), D("20.58"), D("118.58")
    )
    assert amounts.compare_totals(ordered, quoted) == []
    # a total the order does not state is not compared
    assert amounts.compare_totals({}, quoted) == []


def test_payable_uses_prepaid_and_rounding():
    quoted = amounts.quoted_totals(
        D("6525"),
        D("652.5"),
        D("400"),
        D("6272.50"),
        D("100"),
        D("6372.50"),
        prepaid=D("10"),
        rounding=D("0.50"),
    )
    assert quoted["payable"] == D("6363.00")


@pytest.mark.skipif(
    not OFFICIAL.is_dir(), reason="the official Peppol examples are absent"
)
def test_official_example_arithmetic():
    order = reader.read_document((OFFICIAL / "Order_Example.xml").read_bytes())
    line1, line2 = order.lines
    pricing = amounts.price_line(
        line1.quantity,
        line1.price,
        line1.base_quantity,
        line1.allowance_charges,
        line1.line_amount,
    )
    assert (
        pricing.mode == "net"
        and pricing.price_unit == D("52.50")
        and not pricing.problems
    )
    assert line1.gross_price == D("60.00") and line1.price_discount == D("10.00")
    pricing = amounts.price_line(
        line2.quantity,
        line2.price,
        line2.base_quantity,
        line2.allowance_charges,
        line2.line_amount,
    )
    assert pricing.mode == "price" and pricing.price_unit == D("15")
    discount, misc = (
        amounts.allowance_charge_amount(ac) for ac in reversed(order.allowance_charges)
    )
    assert (discount.amount, discount.tax_category, discount.tax_percent) == (
        D("652.50"),
        "S",
        D("25"),
    )
    assert (misc.amount, misc.tax_category) == (D("400.00"), "Z")
    assert (order.prepaid_amount, order.payable_rounding_amount) == (
        D("10.00"),
        D("0.50"),
    )
    # The example's own totals add up, but its TaxTotal (100) is not what its categories
    # give.
    assert amounts.order_inconsistencies(order) == []
    assert amounts.order_tax(order) == D("1468.13")


@pytest.mark.skipif(
    not OFFICIAL.is_dir(), reason="the official Peppol examples are absent"
)
def test_official_uc4_document_allowance_without_tax_category():
    order = reader.read_document((OFFICIAL / "UC4_Order.xml").read_bytes())
    assert amounts.order_inconsistencies(order) == []
    assert amounts.order_tax(order) == D("5.00") == order.tax_amount


def test_order_inconsistencies_named():
    from psb.ubl.model import OrderDocument, OrderLine

    order = OrderDocument(
        kind="order",
        customization_id="x",
        profile_id="y",
        profile="ordering",
        id="1",
        lines=[
            OrderLine("1", line_amount=D("50"), tax_category="S", tax_percent=D("21")),
            OrderLine("2", line_amount=D("30"), tax_category="S", tax_percent=D("9")),
        ],
        line_extension_amount=D("90"),
        tax_exclusive_amount=D("90"),
        tax_amount=D("13.20"),
        tax_inclusive_amount=D("103.20"),
        payable_amount=D("103.20"),
        allowance_charges=[allowance(D("5"), tax="S", tax_percent=D("21"))],
    )
    codes = {p.code: p.values for p in amounts.order_inconsistencies(order)}
    assert codes["lines_sum"] == {"stated": D("90.00"), "computed": D("80.00")}
    assert codes["allowances_sum"] == {"stated": D("0.00"), "computed": D("5.00")}
    assert "tax_exclusive_sum" not in codes  # 90 - 0 + 0 = 90 as stated
    # 21 % of 45 + 9 % of 30
    assert amounts.order_tax(order) == D("9.45") + D("2.70")
