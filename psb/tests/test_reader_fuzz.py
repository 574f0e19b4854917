"""Fuzzing the reader: whatever bytes arrive, it returns an OrderDocument or raises a
UblError.

The seeds are the official Order / Order Change / Order Cancellation examples (when the
shared Peppol material is present) and the hand-made documents of ``data/``. Hypothesis
mutates them at byte level (truncation, flipped bytes) and at element level (dropped and
duplicated elements, odd text in numeric, date, code and identifier fields), and also
feeds plain random bytes.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from psb.ubl.model import InvalidDocumentError, OrderDocument, UblError
from psb.ubl.reader import read_document

from .conftest import peppol_dir

DATA = Path(__file__).parent / "data"


def _seeds() -> list[bytes]:
    paths = sorted(DATA.glob("*.xml"))
    if base := peppol_dir():
        paths += sorted(
            path
            for kind in ("order", "order_change", "order_cancellation")
            for path in (base / "examples" / kind).rglob("*.xml")
        )
    return [path.read_bytes() for path in paths]


SEEDS = _seeds()

#: Local names of the elements whose text the reader converts or relies on.
TYPED_FIELDS = [
    "Quantity",
    "PriceAmount",
    "BaseQuantity",
    "Amount",
    "BaseAmount",
    "LineExtensionAmount",
    "TaxAmount",
    "PayableAmount",
    "TaxExclusiveAmount",
    "Percent",
    "MultiplierFactorNumeric",
    "IssueDate",
    "IssueTime",
    "StartDate",
    "EndDate",
    "SequenceNumberID",
    "PartialDeliveryIndicator",
    "ChargeIndicator",
    "LineStatusCode",
    "EmbeddedDocumentBinaryObject",
    "CustomizationID",
    "ProfileID",
    "ID",
    "EndpointID",
]
TRICKY_VALUES = [
    "",
    " ",
    "NaN",
    "-Infinity",
    "1e999",
    "1E5",
    "0x10",
    "１２",
    "١٢",
    "12,50",
    "1_000",
    "-0",
    ".5",
    "5.",
    "99999999999999999999",
    "2026-13-45",
    "0000-00-00",
    "2026-02-29",
    "24:00:00",
    "12:60:00",
    "true",
    "maybe",
    "74",
    "5",
    "=",
    "A" * 300,
    "urn:fdc:peppol.eu:poacc:trns:order:3:extended:x",
]
# Any XML-compatible text (lxml refuses control characters and surrogates in element
# text).
XML_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xD7FF), max_size=40)


def _elements(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if isinstance(el.tag, str) and el is not root]


def _tree(data: bytes) -> etree._Element | None:
    """The mutated document as a tree, or None once it is no longer well-formed."""
    try:
        return etree.fromstring(
            data, etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return None


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _pick(draw, items):
    """One of ``items``. The draw does not depend on ``len(items)``, so that Hypothesis
    can replay and shrink a sequence of mutations whose inputs change size."""
    return items[draw(st.integers(0, 2**20)) % len(items)]


@st.composite
def truncate(draw, data):
    return data[: _pick(draw, range(len(data) + 1))]


@st.composite
def flip_bytes(draw, data):
    if not data:
        return data
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        data[_pick(draw, range(len(data)))] = draw(st.integers(0, 255))
    return bytes(data)


def _on_an_element(draw, data, change):
    """The document with ``change`` made to one of its elements, drawn (as it is when it
    has none)."""
    root = _tree(data)
    if root is None or not _elements(root):
        return data
    change(_pick(draw, _elements(root)))
    return _serialize(root)


@st.composite
def drop_element(draw, data):
    return _on_an_element(draw, data, lambda victim: victim.getparent().remove(victim))


@st.composite
def duplicate_element(draw, data):
    return _on_an_element(
        draw,
        data,
        lambda original: original.addnext(etree.fromstring(etree.tostring(original))),
    )


@st.composite
def odd_field_text(draw, data):
    """Odd text in a typed field: the field's name is picked first, so that a field
    which occurs once (IssueTime) is as likely to be hit as one on every line
    (Quantity)."""
    root = _tree(data)
    fields = {}
    for element in [] if root is None else _elements(root):
        if (name := etree.QName(element).localname) in TYPED_FIELDS:
            fields.setdefault(name, []).append(element)
    if not fields:
        return data
    _pick(draw, _pick(draw, sorted(fields.items()))[1]).text = draw(
        st.one_of(st.sampled_from(TRICKY_VALUES), XML_TEXT)
    )
    return _serialize(root)


ELEMENT_MUTATIONS = [drop_element, duplicate_element, odd_field_text]
BYTE_MUTATIONS = [truncate, flip_bytes]


def check(data: bytes) -> str:
    """The reader's contract: a complete OrderDocument, or a UblError with a message.

    Returns what happened, for Hypothesis' statistics (pytest
    --hypothesis-show-statistics).
    """
    try:
        document = read_document(data)
    except UblError as exc:
        assert exc.message and isinstance(exc.message, str)
        return f"refused: {type(exc).__name__}"
    assert isinstance(document, OrderDocument)
    assert document.document_type_id and document.buyer is not None
    assert document.kind == "order_cancellation" or document.lines
    for line in document.lines:
        assert line.line_id and line.unit_code
        # must be computable for every line the reader returns
        line.unit_price  # noqa: B018
    return f"read: {document.kind}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_documents(data):
    """One to three element-level mutations, then at most one byte-level one (which
    mostly breaks well-formedness, so it comes last and not always)."""
    document = data.draw(st.sampled_from(SEEDS), label="seed")
    mutations = data.draw(
        st.lists(st.sampled_from(ELEMENT_MUTATIONS), min_size=1, max_size=3),
        label="mutations",
    )
    mutations += data.draw(
        st.lists(st.sampled_from(BYTE_MUTATIONS), max_size=1), label="byte mutation"
    )
    for mutation in mutations:
        document = data.draw(mutation(document), label=mutation.__name__)
    event(check(document))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    event(check(data))


SYSTEMATIC_SEEDS = ["order_2026.xml", "order_change_minimal.xml", "order_minimal.xml"]


@pytest.mark.parametrize("seed", SYSTEMATIC_SEEDS)
def test_every_odd_value_in_every_typed_field(seed):
    """The random search above may miss a field that occurs once; here every tricky
    value goes into the first occurrence of every typed field of a few seeds."""
    root = _tree((DATA / seed).read_bytes())
    names = sorted(
        {etree.QName(el).localname for el in _elements(root)} & set(TYPED_FIELDS)
    )
    assert len(names) >= 6
    for name in names:
        for value in TRICKY_VALUES:
            root = _tree((DATA / seed).read_bytes())
            next(
                el for el in _elements(root) if etree.QName(el).localname == name
            ).text = value
            check(_serialize(root))


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_odd_quantities_are_read_or_named(value):
    """Odd text in a line's quantity reaches the reader (not only the parser) and is
    named there."""
    seed = (DATA / "order_minimal.xml").read_bytes()
    data = seed.replace(b'unitCode="C62">2<', f'unitCode="C62">{value}<'.encode())
    try:
        document = read_document(data)
    except InvalidDocumentError as exc:
        assert exc.message.startswith("Line 1: ")
    else:
        assert value.strip() in ("-0", ".5", "5.", "74", "5")
        assert document.lines[0].quantity == Decimal(value)
