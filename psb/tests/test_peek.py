"""Telling documents apart when they cannot be read: the kind of a good one, the order
id and buyer of a broken one, quietly nothing from bytes that are not an order at
all."""

from pathlib import Path

from psb.ubl.peek import detect_kind, peek, root_name

DATA = Path(__file__).parent / "data"


def test_detect_kind():
    assert detect_kind((DATA / "order_minimal.xml").read_bytes()) == "order"
    assert (
        detect_kind((DATA / "order_change_minimal.xml").read_bytes()) == "order_change"
    )
    assert detect_kind((DATA / "order_sbdh.xml").read_bytes()) == "order"
    assert detect_kind((DATA / "invoice_bis3.xml").read_bytes()) is None
    assert detect_kind(b"<Order><broken") is None


def test_root_name_is_what_the_registry_of_kinds_recognises():
    assert root_name((DATA / "order_minimal.xml").read_bytes()) == "Order"
    assert root_name((DATA / "order_change_minimal.xml").read_bytes()) == "OrderChange"
    assert (
        root_name((DATA / "order_sbdh.xml").read_bytes()) == "Order"
    )  # the payload, not the envelope
    assert root_name((DATA / "invoice_bis3.xml").read_bytes()) == "Invoice"
    assert root_name(b"<Order><broken") is None


def test_peek_a_broken_order():
    good = (DATA / "order_minimal.xml").read_bytes()
    broken = good[: len(good) - 40]  # cut off: not well-formed any more
    assert detect_kind(broken) is None
    found = peek(broken)
    assert found["kind"] == "order"
    assert found["order_id"] and found["order_id"] in good.decode()
    assert found["order_id"] not in ("2.1", "urn:fdc:peppol.eu:poacc:trns:order:3")


def test_peek_the_buyer_and_nothing_from_noise():
    data = (
        b'<Order xmlns:cbc="c" '
        b'xmlns:cac="a"><cbc:CustomizationID>x</cbc:CustomizationID>'
        b"<cbc:ID>PO-77</cbc:ID><cac:BuyerCustomerParty><cac:Party><cac:PartyName>"
        b"<cbc:Name>Bakkerij De "
        b"Vries</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>"
        b"<cac:OrderLine><cbc:Broken"
    )
    assert peek(data) == {
        "kind": "order",
        "order_id": "PO-77",
        "buyer_name": "Bakkerij De Vries",
    }
    assert peek(b"\x00\xff not xml at all") == {
        "kind": None,
        "order_id": None,
        "buyer_name": None,
    }
    assert peek(b"") == {"kind": None, "order_id": None, "buyer_name": None}
