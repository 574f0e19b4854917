# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EconnectPsbProductCode(models.Model):
    """The code a customer uses for one of our products (the Peppol
    BuyersItemIdentification)."""

    _name = "econnect.psb.product.code"
    _description = "Customer Product Code"
    _order = "partner_id, code"

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('parent_id', '=', False)]",
    )
    code = fields.Char("Customer's Code", required=True, index=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    # A unique index with the company coalesced: PostgreSQL lets rows with an empty
    # company through a plain UNIQUE constraint (NULLs are distinct), and a code shared
    # by all companies has none.
    _partner_code_company_uniq = models.UniqueIndex(
        "(partner_id, code, COALESCE(company_id, 0))",
        "This customer already uses this code for another product.",
    )
