"""Compare two Peppol Orders that carry the same buyer order id (``cbc:ID``).

A buyer who sends the same order again (a re-delivery, another PSB document id) sends
the same content: that is a duplicate. A buyer who reuses an order number, corrects an
order and sends it again, or sends an Italian NSO revised / replacement order, sends
other content under the same id: that must reach a person, with what differs. This
module says which of the two it is and lists the differences as plain data; the Odoo
layer words them.

The envelope (SBDH) is ignored: the same order forwarded by another access point is the
same order.
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

#: Header fields compared one by one, with the difference reported under this name.
HEADER_FIELDS = (
    "issue_date",
    "issue_time",
    "order_type_code",
    "currency",
    "customer_reference",
    "requested_start",
    "requested_end",
    "line_extension_amount",
    "tax_amount",
    "tax_exclusive_amount",
    "tax_inclusive_amount",
    "allowance_total",
    "charge_total",
    "payable_amount",
    "notes",
)
#: Line fields compared one by one (``unit_price`` is PriceAmount / BaseQuantity).
LINE_FIELDS = (
    "quantity",
    "unit_code",
    "unit_price",
    "line_amount",
    "name",
    "sellers_item_id",
    "buyers_item_id",
    "standard_item_id",
    "requested_start",
    "requested_end",
    "note",
)
#: Fields never compared: the envelope, and what is derived from other fields.
IGNORED_FIELDS = {"envelope", "lines"}
#: ``OrderTypeCode`` values that mean a plain order (peppol-ordering.md: synonyms of
#: 220).
PLAIN_ORDER_TYPES = {None, "", "220", "105", "221", "226", "402"}
#: The Italian NSO CustomizationIDs (AgID) extend the Peppol order's.
NSO_MARKER = "agid.gov.it"


@dataclass(frozen=True)
class Difference:
    """One difference. ``kind``: 'line_added', 'line_removed', 'line_changed',
    'header_changed' or 'other' (content outside the compared fields). ``field`` is a
    name of :data:`HEADER_FIELDS`, :data:`LINE_FIELDS`, or the dataclass field for
    'other'; ``old``/``new`` are the values (for an added / removed line: its quantity,
    unit and name in ``new`` / ``old``)."""

    kind: str
    line_id: str | None = None
    field: str | None = None
    old: object = None
    new: object = None


def _decimal(value):
    """``value`` without trailing zeros, written plainly (10.00 → 10, not 1E+1)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _value(obj, name):
    value = getattr(obj, name, None)
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def content(order):
    """The comparable content of an OrderDocument: every field but the envelope, as
    plain data."""
    data = dataclasses.asdict(order)
    data.pop("envelope", None)
    return _normalised(data)


def _normalised(value):
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, dict):
        # Peppol ids are case-insensitive: 9944:NL812345678B01 and 9944:nl812345678b01
        # are one party.
        return {
            key: item.lower()
            if key in ("endpoint_id", "endpoint_scheme") and isinstance(item, str)
            else _normalised(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_normalised(item) for item in value]
    return value


def same_content(old, new):
    """True when ``new`` is the same order as ``old`` again (the envelope aside)."""
    return content(old) == content(new)


def _line_summary(line):
    return (
        _decimal(line.quantity)
        if isinstance(line.quantity, Decimal)
        else line.quantity,
        line.unit_code,
        line.name,
    )


def differences(old, new):
    """What ``new`` changes compared with ``old``, as a list of :class:`Difference`
    (empty when the content is the same). Lines are matched by their line id; order of
    the result: header, then lines in the new order's sequence, then removed lines, then
    anything else that differs."""
    if same_content(old, new):
        return []
    result = []
    for name in HEADER_FIELDS:
        before, after = _value(old, name), _value(new, name)
        if before != after:
            result.append(
                Difference("header_changed", field=name, old=before, new=after)
            )
    old_lines = {line.line_id: line for line in old.lines}
    new_ids = set()
    for line in new.lines:
        new_ids.add(line.line_id)
        previous = old_lines.get(line.line_id)
        if previous is None:
            result.append(
                Difference("line_added", line.line_id, new=_line_summary(line))
            )
            continue
        for name in LINE_FIELDS:
            before, after = _value(previous, name), _value(line, name)
            if before != after:
                result.append(
                    Difference("line_changed", line.line_id, name, before, after)
                )
        if not any(d.line_id == line.line_id for d in result) and _normalised(
            dataclasses.asdict(previous)
        ) != _normalised(dataclasses.asdict(line)):
            result.append(Difference("line_changed", line.line_id, "other"))
    for line in old.lines:
        if line.line_id not in new_ids:
            result.append(
                Difference("line_removed", line.line_id, old=_line_summary(line))
            )
    if not result or all(d.kind != "header_changed" for d in result):
        before, after = content(old), content(new)
        for name in before:
            if name in IGNORED_FIELDS or name in HEADER_FIELDS:
                continue
            if before[name] != after.get(name):
                result.append(Difference("other", field=name))
    return result


@dataclass(frozen=True)
class Revision:
    """What the new order itself says about being a revision: the order it refers to
    (``OrderDocumentReference``), its ``OrderTypeCode`` when not a plain order, and
    whether it is an Italian NSO order."""

    refers_to: str | None = None
    order_type_code: str | None = None
    nso: bool = False

    def __bool__(self):
        return bool(self.refers_to or self.order_type_code)


def revision(order):
    """The :class:`Revision` the order declares (falsy when it declares none)."""
    code = (order.order_type_code or "").strip() or None
    return Revision(
        refers_to=(order.order_document_reference or "").strip() or None,
        order_type_code=None if code in PLAIN_ORDER_TYPES else code,
        nso=NSO_MARKER in (order.customization_id or ""),
    )


def as_line_changes(old, new):
    """The line actions that turn ``old`` into ``new``, as an Order Change would state
    them: ``[(line_id, status code, new line or None)]`` with 1 added, 2 deleted, 3
    changed."""
    old_ids = {line.line_id for line in old.lines}
    new_ids = {line.line_id for line in new.lines}
    actions = [
        (line.line_id, "3" if line.line_id in old_ids else "1", line)
        for line in new.lines
    ]
    actions += [
        (line.line_id, "2", None) for line in old.lines if line.line_id not in new_ids
    ]
    return actions
