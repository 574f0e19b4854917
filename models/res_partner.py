# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..psb import exceptions as psb_errors
from .psb_fields import peppol_field

_logger = logging.getLogger(__name__)

SALES_MANAGER = "sales_team.group_sale_manager"
SALESMAN = "sales_team.group_sale_salesman"
PSB_SENDING_METHOD = "econnect_psb"
#: How long the PSB's answer whether a customer receives invoices is trusted before it
#: is asked again: a customer that can is asked once a month, one that cannot once a day
#: (it may join Peppol any day).
RECEIVER_KEPT = {"yes": timedelta(days=30), "no": timedelta(days=1)}
#: Whether the PSB can deliver a kind of document (invoices, order responses) to a
#: party, as it answered when asked.
RECEIVER_STATES = [("unknown", "Not checked yet"), ("yes", "Yes"), ("no", "No")]


def receiver_state(string, **kwargs):
    """Whether the PSB can deliver a kind of document to a party (RECEIVER_STATES):
    not checked yet until the PSB is asked, then its answer."""
    return peppol_field(
        fields.Selection, RECEIVER_STATES, string, default="unknown", **kwargs
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    psb_needs_review = fields.Boolean(
        "Created from a Peppol Order",
        help="Created automatically because no existing contact matched a Peppol "
        "order's buyer or delivery place: "
        "check it. Until then its orders are not confirmed automatically; a person "
        "confirming one of them, or "
        "unticking this, reviews it.",
    )
    psb_answer_hours = fields.Integer(
        "Answer Peppol orders within (hours)",
        help="This customer's answering time for its Peppol orders, when it is not "
        "the company's. 0: the company's.",
    )
    psb_product_code_ids = fields.One2many(
        "econnect.psb.product.code", "partner_id", "Customer Product Codes"
    )
    # Lets orders be confirmed without a person: a sales manager's decision, not any
    # contact editor's.
    psb_auto_trusted = fields.Boolean(
        "Trusted for automatic confirmation",
        groups=SALES_MANAGER,
        help="When the company confirms Peppol orders automatically only for trusted "
        "customers, this one's "
        "orders may be confirmed without a person (when every other condition is "
        "met). Only sales managers "
        "set it.",
    )
    psb_invoice_per_order = fields.Boolean(
        "One Invoice per Peppol Order",
        default=True,
        help="When several Peppol orders of this customer are invoiced together, each "
        "gets an invoice of its own: "
        "a Peppol invoice refers to one order, and buyers that match invoices to "
        "orders without a person (Dutch "
        "and Belgian public buyers among them) need it. Off: they go on one invoice, "
        "with a warning.",
    )

    invoice_sending_method = fields.Selection(
        selection_add=[(PSB_SENDING_METHOD, "Peppol through the eConnect PSB")],
    )
    psb_invoice_receiver = receiver_state(
        "Receives Invoices through the PSB",
        help="Whether the eConnect PSB can deliver Peppol invoices to this customer's "
        "Peppol id (asked once, "
        "when an invoice is sent, and remembered: a yes for a month, a no for a day).",
    )
    psb_invoice_checked_on = peppol_field(
        fields.Datetime, "Invoice Receiver Checked On"
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("psb_auto_trusted") for vals in vals_list):
            self._psb_check_trust_rights()
        return super().create(vals_list)

    def write(self, vals):
        if "psb_auto_trusted" in vals:
            self._psb_check_trust_rights()
        if (
            "psb_needs_review" in vals
            and not self.env.su
            and not self.env.user.has_group(SALESMAN)
        ):
            # Unticked, a customer counts as existing for automatic confirmation:
            # reviewed by sales users only.
            raise AccessError(
                self.env._(
                    "Only sales users can review customers created from Peppol orders."
                )
            )
        return super().write(vals)

    @api.model
    def _psb_check_trust_rights(self):
        if not self.env.su and not self.env.user.has_group(SALES_MANAGER):
            raise AccessError(
                self.env._(
                    "Only sales managers can trust a customer for automatic "
                    "confirmation."
                )
            )

    def _psb_invoice_endpoint(self):
        """The customer's Peppol id (``scheme:id``) an invoice is delivered to, or
        False."""
        partner = self.commercial_partner_id
        return (
            bool(partner.peppol_eas and partner.peppol_endpoint)
            and f"{partner.peppol_eas}:{partner.peppol_endpoint}"
        )

    def _psb_can_receive_invoices(self, company):
        """Whether ``company``'s PSB can deliver invoices to this customer: asked once
        (``salesInvoice/queryRecipientParty``) and remembered on the customer with the
        date (``RECEIVER_KEPT``). The PSB out of reach leaves the last answer as it
        was."""
        partner = self.commercial_partner_id.sudo()
        endpoint = partner._psb_invoice_endpoint()
        if not endpoint:
            return False
        now = fields.Datetime.now()
        known = partner.psb_invoice_receiver
        if (
            known != "unknown"
            and partner.psb_invoice_checked_on
            and now - partner.psb_invoice_checked_on < RECEIVER_KEPT[known]
        ):
            return known == "yes"
        try:
            company._psb_client().query_recipient_party(
                company.sudo().psb_party_id, [endpoint], family="salesInvoice"
            )
            known = "yes"
        except psb_errors.PsbNotFoundError:
            known = "no"
        except (psb_errors.PsbError, UserError) as exc:
            _logger.info(
                "Could not ask the PSB whether %s receives invoices: %s", endpoint, exc
            )
            return partner.psb_invoice_receiver == "yes"
        partner.write({"psb_invoice_receiver": known, "psb_invoice_checked_on": now})
        return known == "yes"
