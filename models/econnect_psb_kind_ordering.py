# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class EconnectPsbKindOrdering(models.AbstractModel):
    """What the buyer's ordering documents (order, change, cancellation) share:
    downloaded from the PSB as the company's *Download orders as* says, read by
    ``psb.ubl.reader``, which says what the XML is (the topic only announced it), then
    handed to the handler of that kind (:meth:`_psb_import`)."""

    _name = "econnect.psb.kind.ordering"
    _inherit = "econnect.psb.kind"
    _description = "eConnect PSB: a buyer's ordering document"

    _psb_download_family = "salesOrder"
    _psb_download_converted = True
    _psb_ordering = True

    @property
    def _psb_roots(self):
        """The UBL root element of a buyer's ordering document: its kind in CamelCase
        (``order_change``: ``OrderChange``); a kind whose root differs sets
        ``_psb_roots`` itself."""
        if not self._psb_kind:
            return ()
        return ("".join(word.capitalize() for word in self._psb_kind.split("_")),)

    @property
    def _psb_topics(self):
        """The PSB announces a buyer's ordering document by its root element and
        ``Received`` (``OrderChangeReceived``)."""
        return tuple(f"{root}Received" for root in self._psb_roots)

    @api.model
    def _psb_process(self, document):
        parsed = document._read_xml()
        document.buyer_name = parsed.buyer.display_name if parsed.buyer else False
        if parsed.kind != document.document_type and document.source == "webhook":
            _logger.warning(
                "PSB document %s: topic %s but the XML is a %s",
                document.psb_document_id,
                document.topic,
                parsed.kind,
            )
        document.document_type = parsed.kind
        return self._psb_handler(parsed.kind)._psb_import(document, parsed)

    @api.model
    def _psb_import(self, document, parsed):
        """Import ``parsed`` (the ``psb.ubl.model.OrderDocument`` read from
        ``document``'s XML).

        :returns: the document's ``Outcome``
        """
        raise NotImplementedError(f"{self._name} does not import documents")
