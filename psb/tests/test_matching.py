"""Customers are matched on the buyer's identifiers exactly: its wildcards are
characters (issue 28, 7)."""

import pytest

from psb import matching


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NL 8123.456.78 B01", "NL812345678B01"),
        ("nl812345678b01", "NL812345678B01"),
        ("%", ""),
        ("_", ""),
        ("NL%", "NL"),
        (None, ""),
    ],
)
def test_norm_vat(value, expected):
    assert matching.norm_vat(value) == expected


def test_a_wildcard_is_no_vat_number():
    assert matching.vat_like_pattern("%") == ""
    assert matching.vat_like_pattern("_") == ""
    assert not matching.same_vat("%", "NL812345678B01")
    assert not matching.same_vat("", "")


def test_the_pattern_holds_only_the_buyers_letters_and_digits():
    assert matching.vat_like_pattern("NL-81") == "N%L%8%1"
    assert matching.same_vat("NL 81", "nl.81")
    assert not matching.same_vat("NL81", "NL812")


def test_escape_like():
    assert matching.escape_like("Acme%") == "Acme\\%"
    assert matching.escape_like("A_c\\") == "A\\_c\\\\"
