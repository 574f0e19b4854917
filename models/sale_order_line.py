# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import float_compare

from .psb_fields import peppol_field
from .psb_texts import render_fields


def _ordered_figure(string, **kwargs):
    """A figure of the buyer's order line, as the buyer wrote it: not copied with the
    line (a copy is not the buyer's line)."""
    return fields.Float(string, copy=False, **kwargs)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    psb_line_ref = fields.Char(
        "Peppol Line ID",
        copy=False,
        help="The cac:LineItem/cbc:ID of the buyer's order line.",
    )
    psb_unit_code = fields.Char("Ordered Unit Code", copy=False)
    psb_ordered_price = _ordered_figure(
        "Buyer's Price",
        min_display_digits="Product Price",
        help="The buyer's net price of one unit, as the quotation holds it (unit "
        "price less discount): the order's "
        "price per base quantity with its line allowances and charges applied.",
    )
    psb_ordered_gross_price = _ordered_figure(
        "Buyer's Price before Allowances",
        min_display_digits="Product Price",
        help="The order's price of one unit (PriceAmount / BaseQuantity) before the "
        "line's allowances and charges.",
    )
    psb_ordered_discount = _ordered_figure("Buyer's Discount (%)", digits="Discount")
    # A float shown as money (the order's currency), not a Monetary field: the buyer's
    # amount is kept as written, and a Monetary value makes the ORM build a new record
    # per line to find its currency.
    psb_ordered_amount = _ordered_figure(
        "Ordered Amount",
        help="The order line's net amount (LineExtensionAmount), or the amount of a "
        "document allowance or charge.",
    )
    psb_allowance_kind = fields.Selection(
        [("allowance", "Order discount"), ("charge", "Order charge")],
        "Peppol Allowance/Charge",
        copy=False,
        help="Set on the lines made of the order's document-level allowances and "
        "charges.",
    )
    psb_ordered_qty = _ordered_figure("Ordered Quantity", digits="Product Unit")
    psb_original_product_id = fields.Many2one(
        "product.product", "Product as Imported", copy=False
    )
    psb_requested_date = fields.Date("Requested Delivery", copy=False)
    # What the import noted on the line, as codes and parameters (models/psb_texts.py),
    # shown in the reader's language.
    psb_issue_data = fields.Json("Peppol Import Issue (data)", copy=False)
    psb_import_issue = fields.Char(
        "Peppol Import Issue", compute="_compute_psb_import_issue"
    )
    psb_match_method = peppol_field(
        fields.Selection,
        [
            ("gtin", "GTIN"),
            ("seller_code", "Our code"),
            ("buyer_code", "Customer's code"),
            ("name", "Item name"),
            ("none", "Not matched"),
        ],
        "Matched By",
        help="How the import found the product of this Peppol order line.",
    )
    psb_buyer_line_note = peppol_field(fields.Text, "Buyer's Line Note")
    psb_accounting_cost = peppol_field(
        fields.Char,
        "Buyer's Line Accounting Cost",
        help="Where the buyer books this line (cbc:AccountingCost): its invoice line "
        "carries it back.",
    )
    psb_our_price = peppol_field(
        fields.Float,
        "Our Price",
        min_display_digits="Product Price",
        help="Our pricelist price for this customer, in the ordered unit, when the "
        "order was imported.",
    )
    psb_price_differs = peppol_field(
        fields.Boolean,
        "Price Differs",
        help="The buyer's net price is not within the company's tolerance of our "
        "pricelist price.",
    )

    @api.depends("psb_issue_data")
    @api.depends_context("lang")
    def _compute_psb_import_issue(self):
        render_fields(self, psb_import_issue="psb_issue_data")

    def _psb_changes_from_ordered(self, quantity=None, price=None):
        """(quantity changed, price changed): this line (or the given quantity and
        price) compared with what was last agreed with the buyer,
        ``psb_ordered_qty``/``psb_ordered_price``, which the import sets and applying a
        buyer's Order Change keeps current. A line without a buyer's price has no price
        to differ from."""
        self.ensure_one()
        quantity = self.product_uom_qty if quantity is None else quantity
        qty_changed = (
            float_compare(quantity, self.psb_ordered_qty, precision_digits=6) != 0
        )
        if price is None:
            return qty_changed, self._psb_price_changed()
        price_changed = (
            bool(self.psb_ordered_price)
            and float_compare(price, self.psb_ordered_price, precision_digits=4) != 0
        )
        return qty_changed, price_changed

    def _psb_price_changed(self):
        """Whether the line's effective net unit price (unit price less discount)
        differs from the net unit price the buyer ordered, to the price precision (at
        least four decimals). False when the buyer gave no price."""
        self.ensure_one()
        if not self.psb_line_ref or not (
            self.psb_ordered_price
            or self.psb_ordered_amount
            or self.psb_ordered_gross_price
        ):
            return False
        digits = max(self.env["decimal.precision"].precision_get("Product Price"), 4)
        effective = self.price_unit * (1 - (self.discount or 0.0) / 100)
        return (
            float_compare(effective, self.psb_ordered_price, precision_digits=digits)
            != 0
        )

    psb_price_from_buyer = peppol_field(
        fields.Boolean,
        "Price from the Buyer",
        help="The unit price is the buyer's net price (even 0.00): Odoo's pricelist "
        "does not replace it when "
        "the quantity, unit or product changes.",
    )

    psb_tax_from_order = peppol_field(
        fields.Boolean,
        "Tax from the Peppol Order",
        help="The line's tax is the one the buyer's order gave it: replacing the "
        "product keeps it. A tax set by hand "
        "replaces it, and the totals are checked against the buyer's order again.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("psb_line_ref") and "psb_ordered_price" in vals:
                vals.setdefault("psb_price_from_buyer", True)
        return super().create(vals_list)

    def write(self, vals):
        if (
            "psb_ordered_price" in vals
            and "price_unit" in vals
            and "psb_price_from_buyer" not in vals
        ):
            vals = {
                **vals,
                "psb_price_from_buyer": True,
            }  # a buyer's Order Change set the price
        identified = self._psb_identified_by(vals)
        kept = {
            line: (line.price_unit, line.discount, line.tax_ids) for line in identified
        }
        watched = self._psb_tax_watch(vals)
        result = super().write(vals)
        for line, (price, discount, taxes) in kept.items():
            # Identifying the buyer's item is no substitution: the line keeps the
            # buyer's price and tax (a form's onchange proposes ours).
            if (line.price_unit, line.discount, line.tax_ids) != (
                price,
                discount,
                taxes,
            ):
                line.write(
                    {
                        "price_unit": price,
                        "discount": discount,
                        "tax_ids": [fields.Command.set(taxes.ids)],
                    }
                )
        retaxed = self.browse(
            [
                line.id
                for line, before in watched.items()
                if set(line.tax_ids.ids) != before
            ]
        )
        if retaxed:
            retaxed.psb_tax_from_order = (
                False  # a person chose another tax: it is no longer the order's
            )
            for order in retaxed.order_id:
                self.env["econnect.psb.order.import"].sudo()._recheck_amounts(
                    order.sudo()
                )
        return result

    def _psb_identified_by(self, vals):
        """The lines on the unidentified placeholder with a buyer's price that ``vals``
        give a product."""
        if not vals.get("product_id"):
            return self.browse()
        placeholder = self.env.ref(
            "sale_econnect_psb.product_psb_unknown", raise_if_not_found=False
        )
        return self.filtered(
            lambda line: (
                placeholder
                and line.product_id == placeholder
                and vals["product_id"] != placeholder.id
                and line.psb_line_ref
                and (line.psb_ordered_price or line.psb_ordered_amount)
            )
        )

    def _psb_tax_watch(self, vals):
        """{line: its taxes} of the Peppol quotation lines whose tax ``vals`` may change
        (by a person: the import creates its lines with their taxes)."""
        if "tax_ids" not in vals:
            return {}
        return {
            line: set(line.tax_ids.ids)
            for line in self
            if line.psb_line_ref
            and line.order_id.psb_document_id
            and line.order_id.state in ("draft", "sent")
        }

    def _compute_tax_ids(self):
        # The tax the import took from the buyer's order stays when the product is
        # replaced: the amounts stay the buyer's (a product of ours with 0 % would lower
        # the total behind the Peppol tab's "amounts match").
        return super(
            SaleOrderLine, self - self.filtered("psb_tax_from_order")
        )._compute_tax_ids()

    def _compute_price_unit(self):
        # A zero price is not "manual" for Odoo (technical_price_unit equals
        # price_unit), so only this keeps a buyer's 0.00 as ordered; non-zero buyer
        # prices are kept by technical_price_unit already.
        return super(
            SaleOrderLine, self - self.filtered("psb_price_from_buyer")
        )._compute_price_unit()
