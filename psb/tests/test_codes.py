from psb import codes


def test_tax_categories_have_words():
    assert codes.tax_category_name("S") == "standard rate"
    assert codes.tax_category_name(" z ") == "zero rated goods"
    for code in ("E", "AE", "K", "G", "O", "L", "M"):
        assert codes.tax_category_name(code)
    assert codes.tax_category_name("XX") is None
    assert codes.tax_category_name(None) is None


def test_units_have_words():
    assert codes.unit_name("C62") == "unit"
    assert codes.unit_name("NAR") == "number of articles"
    assert codes.unit_name("KGM") == "kilogram"
    assert codes.unit_name("ZZZ") is None


def test_party_id_schemes():
    assert codes.scheme_name("0088") == "GLN"
    assert "KvK" in codes.scheme_name("0106")
    assert "OIN" in codes.scheme_name("0190")
    assert "NL" in codes.scheme_name("9944")
    assert codes.scheme_name("1234") is None
    assert codes.split_party_id("0106:12345678") == ("0106", "12345678")
    assert codes.split_party_id("12345678") == ("", "12345678")
    assert codes.split_party_id("abcd:1") == ("", "abcd:1")
    assert codes.split_party_id(None) == ("", "")


def test_response_codes():
    assert [codes.response_name(c) for c in ("AB", "AP", "CA", "RE")] == [
        "Received",
        "Accepted",
        "Accepted with changes",
        "Rejected",
    ]
    assert codes.response_name("XX") is None


def test_topics_have_words():
    assert codes.topic_name("OrderReceived") == "Order received"
    assert codes.topic_name("InvoiceSentError") == "Invoice not delivered"
    assert codes.topic_name("Unknown") is None
