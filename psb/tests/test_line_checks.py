from decimal import Decimal as D

from psb.line_checks import check_line


def codes(result):
    return [p.code for p in result.problems]


def test_plain_line_passes():
    result = check_line(D(5), D("2.50"))
    assert codes(result) == [] and result.quantity == 5 and not result.hold


def test_negative_quantity_is_held_at_zero():
    result = check_line(D(-5), D(3))
    assert (
        codes(result) == ["quantity_negative"] and result.quantity == 0 and result.hold
    )


def test_zero_huge_and_prices():
    assert codes(check_line(D(0), D(1))) == ["quantity_zero"]
    huge = check_line(D("8712345678906"), D(1))
    assert codes(huge) == ["quantity_too_large"] and huge.problems[0].limit == 1_000_000
    assert codes(check_line(D(1), D("-2"))) == ["price_negative"]
    assert codes(check_line(D(1), D(0))) == ["price_zero"]
    assert codes(check_line(D(1), D("5000000"))) == ["price_too_large"]
    # Limits are configurable; 0 switches one off.
    assert codes(check_line(D(50), D(1), max_quantity=10)) == ["quantity_too_large"]
    assert codes(check_line(D("8712345678906"), D(1), max_quantity=0)) == []
    assert codes(check_line(None, None)) == []
