# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import psycopg2

from odoo import api, models
from odoo.tools import SQL, LazyTranslate, mute_logger

from .econnect_psb_document import BUYER_ORDERS_ORDER
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
        already.

        Not in a savepoint of its own: it runs in the queue's step
        (``econnect.psb.queue.mixin``), whose savepoint is rolled back when it
        raises."""
        candidates, waiting = self._orders_and_follow_ups(document, parsed.id)
        document.buyer_order_ref = parsed.id
        existing, _other_buyer = document._buyer_order_among(candidates, parsed.buyer)
        if existing.psb_document_id == document:
            return Outcome("imported", sale_order=existing)
        if existing:
            return document._psb_repeated_order(existing)
        Importer = self.env["econnect.psb.order.import"].sudo()
        # Written beforehand: once the database refused the quotation, nothing can be
        # read until the queue's step is rolled back.
        race = self.env._(
            "Order %s of this buyer was imported by another worker at the "
            "same moment: this document is "
            "looked at again shortly, and marked a duplicate of it.",
            parsed.id,
        )
        try:
            with mute_logger("odoo.sql_db"):
                sale_order, _issues = Importer._import_order(document, parsed)
                sale_order.flush_recordset()
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "sale_order_psb_order_uniq":
                raise
            # Every order under this id was compared above: the one the index found was
            # committed by another worker after this transaction began. The next attempt
            # sees it, and marks this one a duplicate.
            raise RetryLater(
                race,
                retry_after=60,
                waiting=True,
                keep={"buyer_order_ref": parsed.id},
                error=exc,
            ) from exc
        # Changes and cancellations of this order that waited for it (delivered before
        # it) are processed now.
        waiting._queue_wake_now()
        return Outcome("imported", sale_order=sale_order)

    @api.model
    def _orders_and_follow_ups(self, document, order_ref):
        """This company's sale orders under the buyer's order id ``order_ref``, whoever
        their buyer (``_find_buyer_order``'s candidates), and the changes and
        cancellations of that order that wait for it: one query.

        :returns: (sale.order, econnect.psb.document)
        """
        SaleOrder = self.env["sale.order"].sudo()
        orders = SaleOrder._search(
            document._buyer_orders_domain(order_ref), order=BUYER_ORDERS_ORDER
        )
        waiting = document._search(
            self._follow_ups_domain(document, order_ref), order=document._order
        )
        [(order_ids, waiting_ids)] = self.env.execute_query(
            SQL("SELECT %s, %s", _ids_array(orders), _ids_array(waiting))
        )
        return SaleOrder.browse(order_ids), document.browse(waiting_ids)

    @api.model
    def _follow_ups_domain(self, document, order_ref):
        """The changes and cancellations of the buyer's order ``order_ref`` that wait
        for it (delivered before it)."""
        return [
            ("company_id", "=", document.company_id.id),
            ("document_type", "in", self._psb_kinds("_psb_follows_order")),
            ("state", "=", "downloaded"),
            ("buyer_order_ref", "=", order_ref),
            ("sale_order_id", "=", False),
            ("next_attempt_at", "!=", False),
        ]


def _ids_array(query):
    """The ids ``query`` (an Odoo ``Query``) finds, in its order, as an SQL array."""
    if query.is_empty():
        return SQL("ARRAY[]::int4[]")
    return SQL("ARRAY(%s)", query.select())
