# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..psb import lifecycle
from .econnect_psb_queue_mixin import RetryLater
from .psb_outcome import Outcome


class EconnectPsbKindFollowUp(models.AbstractModel):
    """What an Order Change and an Order Cancellation share: matched to the buyer's sale
    order (or the one a PSB administrator linked by hand), waiting for it when it is not
    in Odoo yet, then applied by ``econnect.psb.order.change``."""

    _name = "econnect.psb.kind.follow.up"
    _inherit = "econnect.psb.kind.ordering"
    _description = "eConnect PSB: a buyer's document about an order"

    _psb_follows_order = True

    @api.model
    def _psb_import(self, document, parsed):
        """Order Change / Order Cancellation: find the sale order (or the one linked by
        hand) and apply."""
        document.buyer_order_ref = parsed.order_reference_id
        env = self.env
        kind = self._psb_handler(parsed.kind)._psb_label()
        sale_order, other_buyer = self._follow_up_order(document, parsed)
        if not sale_order and other_buyer:
            return Outcome(
                "error",
                env._(
                    "%(kind)s %(id)s names order %(ref)s, but %(reason)s: it was not "
                    "linked to that order. If it is "
                    "the buyer's after all, a PSB administrator chooses the sale "
                    "order in Link to sale order and "
                    "presses Retry.",
                    kind=kind,
                    id=parsed.id,
                    ref=parsed.order_reference_id,
                    reason=other_buyer,
                ),
                fix="link",
            )
        if (
            sale_order
            and not document.sale_order_id
            and not self._uploader_may_change(document, sale_order)
        ):
            return Outcome(
                "error",
                env._(
                    "%(kind)s %(id)s refers to order %(ref)s, which you may not "
                    "change: it was not applied.",
                    kind=kind,
                    id=parsed.id,
                    ref=parsed.order_reference_id,
                ),
                fix="none",
            )
        if not sale_order:
            raise self._wait_for_order(document, parsed, kind)
        lang = (
            sale_order.sudo().user_id.lang or env.lang
        )  # the salesperson reads the banner and activity
        return (
            env["econnect.psb.order.change"]
            .with_context(lang=lang)
            ._receive(document, parsed, sale_order)
        )

    @api.model
    def _wait_for_order(self, document, parsed, kind):
        """A change or cancellation whose order is not in Odoo yet (delivered after it,
        or its download failed): it waits, retried with the back-off and at once when
        the order is imported, until the PSB's deadline (a week for an uploaded one);
        then it is an error a person resolves."""
        env = self.env
        deadline = (
            document._queue_deadline()
            or document.received_on + lifecycle.KEEP_AFTER_DOWNLOAD
        )
        values = {"kind": kind, "id": parsed.id, "ref": parsed.order_reference_id}
        return RetryLater(
            env._(
                "%(kind)s %(id)s waits for order %(ref)s, which is not in Odoo yet: "
                "it is applied as soon as that "
                "order is imported (tried again until %(deadline)s). A PSB "
                "administrator can also choose its sale "
                "order with Link to sale order.",
                deadline=deadline,
                **values,
            ),
            waiting=True,
            deadline=deadline,
            final=env._(
                "%(kind)s %(id)s refers to order %(ref)s, which is not known in Odoo. "
                "Import that order first "
                "and press Retry, or have a PSB administrator choose its sale order "
                "with Link to sale order.",
                **values,
            ),
            keep={"buyer_order_ref": parsed.order_reference_id},
        )

    @api.model
    def _follow_up_order(self, document, parsed):
        """The sale order a change or cancellation is about: the one linked by hand (a
        PSB administrator's choice) as it is; any other within this document's company,
        only when its buyer sent this document.

        :returns: (sale.order or an empty recordset, why an order with that id was not
            taken or False)
        """
        if document.sale_order_id:
            return document.sale_order_id, False
        sale_order, other_buyer = document._find_buyer_order(
            parsed.order_reference_id, parsed.buyer, document.sender
        )
        if not sale_order and document.ref_document_id:
            referred = (
                document.sudo()
                .search(
                    [
                        ("company_id", "=", document.company_id.id),
                        ("psb_document_id", "=", document.ref_document_id),
                        ("sale_order_id", "!=", False),
                    ],
                    limit=1,
                )
                .sale_order_id
            )
            other_buyer = referred and document._buyer_mismatch(
                referred, parsed.buyer, document.sender
            )
            sale_order = referred if referred and not other_buyer else sale_order
        return sale_order, other_buyer

    @api.model
    def _uploader_may_change(self, document, sale_order):
        """A document uploaded by a user may only act on an order that user may
        change."""
        uploader = document.create_uid
        if document.source != "upload" or not uploader or uploader._is_superuser():
            return True
        return sale_order.with_user(uploader).has_access("write")
