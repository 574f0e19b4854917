"""A best-effort look into a document that could not be read: what a person needs to
tell it apart.

Used only to fill the list of incoming documents (order id, buyer) when reading failed;
it never parses entities or a DTD (it only searches the raw text) and gives up quietly.
"""

from __future__ import annotations

import re

from lxml import etree

from ..xmlsafe import parse_envelope
from .model import UblError
from .reader import classify

_LIMIT = 256 * 1024
_ROOTS = {
    "Order": "order",
    "OrderChange": "order_change",
    "OrderCancellation": "order_cancellation",
}
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(Order|OrderChange|OrderCancellation)[\s>/]")
_ID = re.compile(rb"<(?:[\w.-]+:)?ID(?:\s[^>]*)?>\s*([^<]{1,200}?)\s*</")
_BUYER = re.compile(
    rb"<(?:[\w.-]+:)?BuyerCustomerParty[\s>](.*?)</(?:[\w.-]+:)?BuyerCustomerParty>",
    re.S,
)
_NAME = re.compile(
    rb"<(?:[\w.-]+:)?(?:RegistrationName|Name)(?:\s[^>]*)?>\s*([^<]{1,200}?)\s*</"
)


def detect_kind(data: bytes) -> str | None:
    """'order', 'order_change' or 'order_cancellation' when the document is one, else
    None."""
    try:
        root, _envelope = parse_envelope(data)
        return classify(root)[0]
    except (UblError, ValueError):
        return None


def root_name(data: bytes) -> str | None:
    """The local name of the business document's root element (``Order``,
    ``OrderChange``...; inside an SBDH envelope, the payload's), or None when the XML
    cannot be read."""
    try:
        root, _envelope = parse_envelope(data)
    except (UblError, ValueError):
        return None
    return etree.QName(root).localname


def _text(match: re.Match | None) -> str | None:
    if not match:
        return None
    return match.group(1).decode("utf-8", "replace").strip() or None


def peek(data: bytes) -> dict:
    """{'kind', 'order_id', 'buyer_name'} found in the raw text, each None when not
    found."""
    head = (data or b"")[:_LIMIT]
    root = _ROOT.search(head)
    body = head[root.end() :] if root else head
    # The document's own ID is the first cbc:ID before any aggregate (UBLVersionID etc.
    # come first).
    first_aggregate = re.search(
        rb"<(?:[\w.-]+:)?[A-Z]\w*(?:Party|Period|Reference|Line)[\s>]", body
    )
    top = body[: first_aggregate.start()] if first_aggregate else body
    buyer = _BUYER.search(body)
    return {
        "kind": _ROOTS.get(root.group(1).decode()) if root else None,
        "order_id": _text(_ID.search(top)),
        "buyer_name": _text(_NAME.search(buyer.group(1))) if buyer else None,
    }
