# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import psycopg2

from odoo import api, models
from odoo.tools import LazyTranslate, mute_logger

from .econnect_psb_queue_mixin import RetryLater
from .psb_outcome import Outcome

_lt = LazyTranslate(__name__)


class EconnectPsbKindOrder(models.AbstractModel):
    """A buyer's Peppol Order: a new quotation, unless this buyer's order id was
    imported already (a duplicate, or a revised order a person decides on)."""

    _name = "econnect.psb.kind.order"
    _inherit = "econnect.psb.kind.ordering"
    _description = "eConnect PSB: Order"

    _psb_kind = "order"
    _psb_sequence = 10
    _psb_title = _lt("Order")

    @api.model
    def _psb_import(self, document, parsed):
        """A Peppol Order: a new quotation, unless this buyer's order id was imported
        already."""
        document.buyer_order_ref = parsed.id
        existing, _other_buyer = document._find_buyer_order(parsed.id, parsed.buyer)
        if existing.psb_document_id == document:
            return Outcome("imported", sale_order=existing)
        if existing:
            return document._psb_repeated_order(existing)
        Importer = self.env["econnect.psb.order.import"].sudo()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                sale_order, _issues = Importer._import_order(document, parsed)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "sale_order_psb_order_uniq":
                raise
            # Every order under this id was compared above: the one the index found was
            # committed by another worker after this transaction began. The next attempt
            # sees it, and marks this one a duplicate.
            raise RetryLater(
                self.env._(
                    "Order %s of this buyer was imported by another worker at the "
                    "same moment: this document is "
                    "looked at again shortly, and marked a duplicate of it.",
                    parsed.id,
                ),
                retry_after=60,
                waiting=True,
                keep={"buyer_order_ref": parsed.id},
                error=exc,
            ) from exc
        self._wake_follow_ups(document, sale_order)
        return Outcome("imported", sale_order=sale_order)

    @api.model
    def _wake_follow_ups(self, document, sale_order):
        """Changes and cancellations of this order that waited for it (delivered before
        it) are processed now."""
        waiting = document.search(
            [
                ("company_id", "=", document.company_id.id),
                ("document_type", "in", self._psb_kinds("_psb_follows_order")),
                ("state", "=", "downloaded"),
                ("buyer_order_ref", "=", sale_order.psb_order_ref),
                ("sale_order_id", "=", False),
                ("next_attempt_at", "!=", False),
            ]
        )
        waiting._queue_wake_now()
