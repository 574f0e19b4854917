"""Peppol BIS 3 ordering documents (UBL), without Odoo.

* :mod:`.model` — plain dataclasses of a read document, and the
  :class:`~.model.UblError` family;
* :mod:`.reader` — :func:`~.reader.read_document`: bytes in,
  :class:`~.model.OrderDocument` out;
* :mod:`.units` — UN/ECE rec. 20/21 unit codes to neutral keys and Odoo 19 units;
* :mod:`.response` — the Order Response builder.

Nothing is imported here, so that ``psb.xmlsafe`` (used by the reader) can import the
model without a cycle.
"""
