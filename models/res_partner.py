# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

SALES_MANAGER = "sales_team.group_sale_manager"
SALESMAN = "sales_team.group_sale_salesman"


class ResPartner(models.Model):
    _inherit = "res.partner"

    psb_needs_review = fields.Boolean(
        "Created from a Peppol Order",
        help="Created automatically because no existing contact matched a Peppol order's buyer or delivery place: "
        "check it. Until then its orders are not confirmed automatically; a person confirming one of them, or "
        "unticking this, reviews it.",
    )
    psb_answer_hours = fields.Integer(
        "Answer Peppol orders within (hours)",
        help="This customer's answering time for its Peppol orders, when it is not the company's. 0: the company's.",
    )
    psb_product_code_ids = fields.One2many("econnect.psb.product.code", "partner_id", "Customer Product Codes")
    # Lets orders be confirmed without a person: a sales manager's decision, not any contact editor's.
    psb_auto_trusted = fields.Boolean(
        "Trusted for automatic confirmation",
        groups=SALES_MANAGER,
        help="When the company confirms Peppol orders automatically only for trusted customers, this one's "
        "orders may be confirmed without a person (when every other condition is met). Only sales managers "
        "set it.",
    )
    psb_invoice_per_order = fields.Boolean(
        "One Invoice per Peppol Order",
        default=True,
        help="When several Peppol orders of this customer are invoiced together, each gets an invoice of its own: "
        "a Peppol invoice refers to one order, and buyers that match invoices to orders without a person (Dutch "
        "and Belgian public buyers among them) need it. Off: they go on one invoice, with a warning.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("psb_auto_trusted") for vals in vals_list):
            self._psb_check_trust_rights()
        return super().create(vals_list)

    def write(self, vals):
        if "psb_auto_trusted" in vals:
            self._psb_check_trust_rights()
        if "psb_needs_review" in vals and not self.env.su and not self.env.user.has_group(SALESMAN):
            # Unticked, a customer counts as existing for automatic confirmation: reviewed by sales users only.
            raise AccessError(self.env._("Only sales users can review customers created from Peppol orders."))
        return super().write(vals)

    @api.model
    def _psb_check_trust_rights(self):
        if not self.env.su and not self.env.user.has_group(SALES_MANAGER):
            raise AccessError(self.env._("Only sales managers can trust a customer for automatic confirmation."))
