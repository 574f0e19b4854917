# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import fields, models

from .psb_selections import SEND_STATES


class EconnectPsbSentMixin(models.AbstractModel):
    """What goes out through the PSB, an answer (``econnect.psb.response``) or an
    invoice (``econnect.psb.invoice.send``): its sending state, the idempotency key the
    PSB knows it by, when it was sent and delivered, and the PSB's delivery events
    (:meth:`_psb_delivery_event`)."""

    _name = "econnect.psb.sent.mixin"
    _inherit = ["econnect.psb.queue.mixin"]
    _description = "eConnect PSB: sent through the PSB"

    state = fields.Selection(
        SEND_STATES, default="queued", required=True, readonly=True, index=True
    )
    idempotency_key = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: str(uuid.uuid4()),
    )
    sent_on = fields.Datetime(readonly=True)
    delivered_on = fields.Datetime(readonly=True)

    _idempotency_key_uniq = models.Constraint(
        "UNIQUE(idempotency_key)", "The idempotency key must be unique."
    )

    def _psb_delivery_event(self, topic, reason, undelivered):
        """Write the PSB's delivery event ``topic``: ``…Sent`` delivered,
        ``…SentError`` failed with ``undelivered`` (what a person reads),
        ``…SentRetry`` retried by the PSB for ``reason``."""
        if topic.endswith("Sent"):
            self.write(
                {
                    "state": "delivered",
                    "delivered_on": fields.Datetime.now(),
                    "error_message": False,
                }
            )
        elif topic.endswith("SentError"):
            self._fail(undelivered)
        elif topic.endswith("SentRetry"):
            self.error_message = self.env._(
                "The PSB is retrying the delivery: %s", reason
            )
