from pathlib import Path

from psb import order_diff
from psb.ubl import reader

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "order_minimal.xml").read_bytes()
LINE2 = b"""<cac:OrderLine><cac:LineItem><cbc:ID>2</cbc:ID>
<cbc:Quantity unitCode="C62">5</cbc:Quantity>
<cac:Price><cbc:PriceAmount currencyID="EUR">3.50</cbc:PriceAmount></cac:Price>
<cac:Item><cbc:Name>Nails</cbc:Name></cac:Item></cac:LineItem></cac:OrderLine>
 </Order>"""


def read(data):
    return reader.read_document(data)


def test_same_content_again_is_the_same_order():
    old, new = (
        read(MINIMAL),
        read(MINIMAL.replace(b"<!-- The smallest", b"<!-- again: the smallest")),
    )
    assert order_diff.same_content(old, new)
    assert order_diff.differences(old, new) == []


def test_envelope_is_ignored():
    sbdh = (DATA / "order_sbdh.xml").read_bytes()
    parsed = read(sbdh)
    assert parsed.envelope is not None
    bare = read(sbdh)
    bare.envelope = None
    assert order_diff.same_content(parsed, bare)


def test_changed_quantity_added_and_removed_lines():
    old = read(MINIMAL)
    changed = read(MINIMAL.replace(b'unitCode="C62">2<', b'unitCode="C62">3<'))
    assert order_diff.differences(old, changed) == [
        order_diff.Difference("line_changed", "1", "quantity", 2, 3)
    ]
    added = read(MINIMAL.replace(b"</Order>", LINE2))
    diffs = order_diff.differences(old, added)
    assert [d.kind for d in diffs] == ["line_added"]
    assert diffs[0].line_id == "2" and diffs[0].new[2] == "Nails"
    removed = order_diff.differences(added, old)
    assert [(d.kind, d.line_id) for d in removed] == [("line_removed", "2")]
    assert order_diff.as_line_changes(added, old) == [
        ("1", "3", old.lines[0]),
        ("2", "2", None),
    ]


def test_header_dates_and_other_content():
    old = read(MINIMAL)
    new = read(MINIMAL.replace(b"2026-03-02", b"2026-03-05"))
    [diff] = order_diff.differences(old, new)
    assert (diff.kind, diff.field, str(diff.old), str(diff.new)) == (
        "header_changed",
        "issue_date",
        "2026-03-02",
        "2026-03-05",
    )
    renamed = read(MINIMAL.replace(b"Bouwmarkt Utrecht BV", b"Bouwmarkt Utrecht B.V."))
    assert [(d.kind, d.field) for d in order_diff.differences(old, renamed)] == [
        ("other", "buyer")
    ]


def test_revision_declared_by_the_order():
    plain = read(MINIMAL)
    assert not order_diff.revision(plain)
    revised = read(
        MINIMAL.replace(
            b"<cbc:DocumentCurrencyCode>",
            b"<cbc:OrderTypeCode>227</cbc:OrderTypeCode><cbc:DocumentCurrencyCode>",
        ).replace(
            b"<cac:BuyerCustomerParty>",
            b"<cac:OrderDocumentReference><cbc:ID>PO-0</cbc:ID></cac:"
            b"OrderDocumentReference><cac:BuyerCustomerParty>",
        )
    )
    rev = order_diff.revision(revised)
    assert (
        rev and rev.refers_to == "PO-0" and rev.order_type_code == "227" and not rev.nso
    )


def test_numbers_are_written_plainly():
    old = read(MINIMAL.replace(b'unitCode="C62">2<', b'unitCode="C62">10.00<'))
    new = read(MINIMAL.replace(b'unitCode="C62">2<', b'unitCode="C62">12<'))
    [diff] = order_diff.differences(old, new)
    assert (str(diff.old), str(diff.new)) == ("10", "12")
    assert order_diff.same_content(
        old, read(MINIMAL.replace(b'unitCode="C62">2<', b'unitCode="C62">10<'))
    )
