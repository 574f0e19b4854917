# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    psb_needs_review = fields.Boolean(
        "Created from a Peppol Order",
        help="Created automatically because no existing contact matched a Peppol order's buyer: check it.",
    )
    psb_product_code_ids = fields.One2many("econnect.psb.product.code", "partner_id", "Customer Product Codes")
    psb_auto_trusted = fields.Boolean(
        "Trusted for automatic confirmation",
        help="When the company confirms Peppol orders automatically only for trusted customers, this one's "
        "orders may be confirmed without a person (when every other condition is met).",
    )
    psb_invoice_per_order = fields.Boolean(
        "One Invoice per Peppol Order",
        default=True,
        help="When several Peppol orders of this customer are invoiced together, each gets an invoice of its own: "
        "a Peppol invoice refers to one order, and buyers that match invoices to orders without a person (Dutch "
        "and Belgian public buyers among them) need it. Off: they go on one invoice, with a warning.",
    )
