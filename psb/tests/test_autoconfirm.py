"""The conditions of automatic confirmation: each one alone failing, and the price
tolerance's boundaries."""

from dataclasses import replace
from datetime import date

import pytest

from psb import autoconfirm
from psb.autoconfirm import LineFacts, OrderFacts, Settings

TODAY = date(2026, 12, 3)


def good_order(**changes):
    lines = [
        LineFacts(
            ref="1",
            match_method="gtin",
            unit_code="C62",
            ordered_price=10.0,
            our_price=10.0,
        ),
        LineFacts(
            ref="2",
            match_method="seller_code",
            unit_code="KGM",
            ordered_price=4.6,
            our_price=4.6,
            requested_date=date(2026, 12, 10),
        ),
        LineFacts(
            ref="3",
            match_method="buyer_code",
            unit_code="C62",
            ordered_price=None,
            our_price=7.0,
        ),
    ]
    order = OrderFacts(
        customer_name="Bouwmarkt BV",
        customer_trusted=True,
        amounts_state="match",
        requested_date=date(2026, 12, 5),
        amount=500.0,
        today=TODAY,
        currency_symbol="€",
        company_currency_symbol="€",
        lines=lines,
    )
    return replace(order, **changes)


def with_line(index, **changes):
    order = good_order()
    order.lines[index] = replace(order.lines[index], **changes)
    return order


def failed(order, settings=None):
    return [
        (f.condition, f.reason)
        for f in autoconfirm.evaluate(order, settings or Settings())
    ]


def test_all_met():
    assert failed(good_order()) == []
    assert failed(good_order(amounts_state="unchecked")) == []
    assert failed(good_order(amounts_state=None)) == []


@pytest.mark.parametrize(
    "order, condition, reason",
    [
        (
            good_order(customer_new=True),
            "customer",
            "the customer Bouwmarkt BV was created from a Peppol order",
        ),
        (
            good_order(delivery_new=True, delivery_name="Bouwmarkt BV, Magazijn"),
            "address",
            "the delivery address Bouwmarkt BV, Magazijn was created from a Peppol "
            "order and not reviewed yet",
        ),
        (
            good_order(customer_by_name=True),
            "customer",
            "the customer Bouwmarkt BV was found by its name only",
        ),
        (
            with_line(0, match_method="name"),
            "identified",
            "line 1: matched on the item name only",
        ),
        (with_line(1, match_method="none"), "identified", "line 2: no product matched"),
        (
            with_line(0, unit_known=False, unit_code="ZZZ"),
            "units",
            "line 1: unit code ZZZ is not known",
        ),
        (
            with_line(1, unit_converts=False),
            "units",
            "line 2: unit KGM does not convert to the product's unit",
        ),
        (
            with_line(1, ordered_price=4.10),
            "price",
            "line 2: €4.10 ordered, our price €4.60 (−10.9 %, tolerance 0 %)",
        ),
        (
            good_order(amounts_state="differ"),
            "totals",
            "the totals differ from the buyer's order",
        ),
        (
            good_order(import_issues="Line 4: product not found\nNew delivery address"),
            "issues",
            "the import flagged: Line 4: product not found; New delivery address",
        ),
        (
            good_order(requested_date=date(2026, 12, 2)),
            "date",
            "the requested delivery date 2026-12-02 is in the past",
        ),
        (
            with_line(1, requested_date=date(2026, 11, 30)),
            "date",
            "line 2: the requested delivery date 2026-11-30",
        ),
        (
            good_order(note="Deliver at the back door"),
            "note",
            "the buyer wrote a note: Deliver at the back door",
        ),
        (
            with_line(2, note="Blue ones"),
            "note",
            "line 3: the buyer wrote a note: Blue ones",
        ),
        (
            good_order(discounts=[("Contract discount", 2.74)]),
            "price",
            "the buyer's order takes a discount of €2.74: Contract discount",
        ),
        (
            good_order(order_type="227", order_type_name="Consignment order"),
            "order_type",
            "the order type Consignment order (227) is not confirmed automatically",
        ),
        (
            good_order(order_type="999"),
            "order_type",
            "the order type 999 is not confirmed automatically",
        ),
    ],
)
def test_each_condition_alone(order, condition, reason):
    result = failed(order)
    assert len(result) == 1, result
    assert result[0][0] == condition
    assert result[0][1].startswith(reason), result[0][1]


def test_optional_conditions():
    assert failed(good_order(amount=1000.01), Settings(max_amount=1000)) == [
        ("max_amount", "the order amount €1,000.01 is above the maximum €1,000.00")
    ]
    assert failed(good_order(amount=1000.0), Settings(max_amount=1000)) == []
    assert failed(good_order(customer_trusted=False), Settings(trusted_only=True)) == [
        (
            "trusted",
            "the customer Bouwmarkt BV is not trusted for automatic confirmation",
        )
    ]
    assert failed(good_order(customer_trusted=False)) == []


def test_order_types():
    # An order that names no type is an ordinary order (220); the company may confirm
    # other types too.
    assert failed(good_order(order_type="220")) == []
    assert failed(good_order(order_type="")) == []
    assert (
        failed(good_order(order_type="105"), Settings(order_types=("220", "105"))) == []
    )
    assert [c for c, _r in failed(good_order(), Settings(order_types=("105",)))] == [
        "order_type"
    ]
    assert "the order type is one of 220, 105" in autoconfirm.conditions(
        Settings(order_types=("220", "105"))
    )


@pytest.mark.parametrize(
    "text, codes",
    [
        ("220", ("220",)),
        (" 220, 105 ,220", ("220", "105")),
        ("220 227", ("220", "227")),
        ("", ()),
        (None, ()),
    ],
)
def test_parse_order_types(text, codes):
    assert autoconfirm.parse_order_types(text) == codes


@pytest.mark.parametrize("text", ["220;105", "abc", "22O"])
def test_parse_order_types_refuses_other_text(text):
    with pytest.raises(ValueError):
        autoconfirm.parse_order_types(text)


def test_sub_cent_price_at_full_precision():
    # A contract price of 0.145 per kg: equal at full precision, a tenth of a cent off
    # is not.
    assert failed(with_line(1, ordered_price=0.145, our_price=0.145)) == []
    assert [
        c for c, _r in failed(with_line(1, ordered_price=0.145, our_price=0.15))
    ] == ["price"]


def test_settings_switch_conditions_off():
    everything_wrong = good_order(
        customer_new=True,
        delivery_new=True,
        amounts_state="differ",
        requested_date=date(2020, 1, 1),
        note="call me",
    )
    everything_wrong.lines[0] = replace(
        everything_wrong.lines[0],
        match_method="name",
        unit_known=False,
        ordered_price=1.0,
    )
    off = Settings(
        known_customer=False,
        identified_lines=False,
        units=False,
        accept_buyer_price=True,
        totals=False,
        future_date=False,
        note_needs_person=False,
    )
    assert failed(everything_wrong, off) == []
    # Whatever the import flagged always keeps the order for a person.
    assert [
        c for c, _r in failed(replace(everything_wrong, import_issues="x"), off)
    ] == ["issues"]


@pytest.mark.parametrize(
    "ordered, passes",
    [
        (9.80, True),
        (9.79, False),
        (10.20, True),
        (10.21, False),
        (10.0, True),
    ],
)
def test_tolerance_boundary(ordered, passes):
    order = with_line(0, ordered_price=ordered, our_price=10.0)
    assert (failed(order, Settings(price_tolerance=2)) == []) is passes


def test_tolerance_boundary_not_on_a_cent():
    # 2 % of 4.60 is 0.092: 4.508 is exactly at the tolerance, 4.5079 beyond it.
    assert autoconfirm.price_check(4.508, 4.60, 2) == (True, pytest.approx(-2.0))
    assert autoconfirm.price_check(4.5079, 4.60, 2)[0] is False
    assert autoconfirm.price_check(4.60, 4.60, 0) == (True, 0.0)
    assert autoconfirm.price_check(4.59, 4.60, 0)[0] is False


def test_price_reason_text():
    line = LineFacts(ref="3", ordered_price=4.10, our_price=4.60)
    assert (
        autoconfirm.price_reason(line, "€", 2)
        == "line 3: €4.10 ordered, our price €4.60 (−10.9 %, tolerance 2 %)"
    )
    line = LineFacts(ref="4", ordered_price=5.0, our_price=4.0)
    assert (
        autoconfirm.price_reason(line, "$", 2.5)
        == "line 4: $5.00 ordered, our price $4.00 (+25 %, tolerance 2.5 %)"
    )
    assert autoconfirm.price_reason(
        LineFacts(ref="5", ordered_price=1.0, our_price=0.0), "€", 2
    ).endswith("(-, tolerance 2 %)")
    assert (
        autoconfirm.price_reason(
            LineFacts(ref="6", ordered_price=None, our_price=3.0), "€", 0
        )
        == ""
    )


def test_accept_buyer_price():
    assert (
        failed(with_line(1, ordered_price=1.0), Settings(accept_buyer_price=True)) == []
    )
    assert (
        failed(
            good_order(discounts=[("Contract discount", 2.74)]),
            Settings(accept_buyer_price=True),
        )
        == []
    )


def test_translator_is_used():
    seen = []

    def translate(message, **kwargs):
        seen.append(message)
        return "T:" + (message % kwargs if kwargs else message)

    result = autoconfirm.evaluate(
        good_order(amounts_state="differ"), Settings(), translate
    )
    assert result[0].reason == "T:the totals differ from the buyer's order"
    assert all(
        text.startswith("T:")
        for text in autoconfirm.conditions(Settings(max_amount=5), translate)
    )


def test_reasons_given_as_data_stay_one_per_failure():
    """The Odoo layer's ``_`` returns a text as data (a dict of message and parameters):
    one reason each."""

    def as_data(message, **params):
        return {"m": message, "p": params}

    failures = autoconfirm.evaluate(
        good_order(customer_new=True, amounts_state="differ"), Settings(), as_data
    )
    assert [(f.condition, f.reason["m"][:40]) for f in failures] == [
        ("customer", "the customer %(name)s was created from a"),
        ("totals", "the totals differ from the buyer's order"),
    ]
