"""The party id check of psb/party.py: the two forms the PSB takes, and a clear refusal
otherwise."""

import pytest

from psb.exceptions import PsbConfigError
from psb.party import check_party_id, scheme_name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0106:12345678", ("0106:12345678", "0106")),
        ("  0088:8712345000017 ", ("0088:8712345000017", "0088")),
        ("NL:KVK:12345678", ("NL:KVK:12345678", "KVK")),
        ("nl:kvk:12345678", ("nl:kvk:12345678", "KVK")),
        ("0190:00000001003214345000", ("0190:00000001003214345000", "0190")),
    ],
)
def test_accepted_forms(value, expected):
    assert check_party_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "12345678",
        "106:12345678",
        "0106 12345678",
        "0106:",
        "0106:1234 5678",
        "NL-KVK-12345678",
        "NL:KVK:",
        "https://psb.example/0106:1",
        "0106:" + "9" * 51,
    ],
)
def test_refused_with_both_forms_named(value):
    with pytest.raises(PsbConfigError) as caught:
        check_party_id(value)
    assert caught.value.error_code == "bad_party_id"
    assert caught.value.params == {"value": value.strip()}
    assert "0106:12345678" in str(caught.value) and "NL:KVK:12345678" in str(
        caught.value
    )


def test_scheme_names():
    assert (scheme_name("0106"), scheme_name("0088"), scheme_name("KVK")) == (
        "KvK",
        "GLN",
        "KVK",
    )
    assert (scheme_name("0999"), scheme_name(None)) == ("", "")
