# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the steps of one Peppol order's import share (``econnect.psb.order.import``).

An :class:`ImportContext` is made once per order (or per Order Change whose lines are
matched as an order's): the document, the parsed order, the company, the customer and
its addresses, the currency and fiscal position, the issues noted for a person, what the
totals check needs (``pricing``), and the lookups read once for all lines (products,
units, taxes, the placeholder product...). The steps take it instead of parameter lists;
each lookup is made the first time a step asks for it, never once per line.
"""

from functools import cached_property

from odoo.tools import float_compare

from .psb_refs import psb_ref
from .psb_texts import T, joined, num
from .psb_texts import code as text_code


class ImportContext:
    """One order's import: its records, its issues, and the lookups shared by its steps.

    :param importer: ``econnect.psb.order.import``, in the language and company of the
        import (its texts are written in that language).
    """

    def __init__(self, importer, company, **values):
        self.importer = importer
        self.env = importer.env
        self.company = company
        self.document = values.get("document")
        self.order = values.get("order")  # the parsed ``OrderDocument``
        self.partner = values.get("partner")
        self.found_by = None  # how the customer was found (``_match_partner``)
        self.user = None  # who follows the order up
        self.shipping = self.invoice = self.partner
        self.pricelist = None
        self.issues = [] if values.get("issues") is None else values["issues"]
        # What the totals check needs to name a cause: per Peppol line id its
        # ``amounts.LinePricing``; under "tax_flagged" the lines whose tax is not the
        # order's, "line_taxes" the lines' taxes, "document" the order's own allowances
        # and charges.
        self.pricing = {} if values.get("pricing") is None else values["pricing"]
        if values.get("currency"):
            self.currency = values["currency"]
        if values.get("fiscal_position") is not None:
            self.fiscal_position = values["fiscal_position"]
        self.match_product = (
            None  # set for the lines being matched (``_match_products``)
        )

    # Read the first time a step asks, once per order.
    @cached_property
    def currency(self):
        return (
            self.pricelist.currency_id if self.pricelist else self.company.currency_id
        )

    @cached_property
    def fiscal_position(self):
        positions = self.env["account.fiscal.position"].with_company(self.company)
        return positions._get_fiscal_position(
            self.partner, self.shipping if self.shipping else None
        )

    @cached_property
    def discount_digits(self):
        return self.env["decimal.precision"].precision_get("Discount")

    @cached_property
    def placeholder(self):
        return psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")

    @cached_property
    def match_uom(self):
        return self.importer._uom_matcher()

    @cached_property
    def match_tax(self):
        return TaxMatcher(self)

    @cached_property
    def no_analytic_model(self):
        """No analytic distribution model applies to the company's lines: they get their
        (empty) distribution directly (``_analytic_models_apply``)."""
        return not self.importer._analytic_models_apply(self.company)

    @cached_property
    def allowance_products(self):
        return self.importer._allowance_products(self.company)


class TaxMatcher:
    """(product, category, percent) -> (taxes to set or None to leave them to Odoo,
    issue or None, the line's taxes).

    The order's tax category (UNCL5305) and percent are matched against the company's
    sale taxes, read once per order; a tax's category is Odoo's own reading of it
    (``account.edi.common`` ``_get_tax_category_code``: its UBL category code, else what
    its rate and the parties' countries imply). Our product's tax (through the fiscal
    position) stays when it already is the order's; the buyer's category wins only when
    exactly one kind of tax matches it; otherwise ours stays, flagged. Ours are given to
    the line (Odoo's own UBL import does the same), so that Odoo does not map each
    line's product taxes a second time; a combo product's are left to Odoo (it gives the
    line none).
    """

    def __init__(self, ctx):
        self.ctx = ctx
        self.customer = ctx.partner.commercial_partner_id
        self.categories = {}  # tax id -> its category
        # the product's taxes (as ids) -> ours, through the fiscal position
        self.mapped = {}
        # (ours, code, percent) -> whether ours already are the order's
        self.fitting = {}
        # (code, percent) -> the company's sale tax of that category and percent
        self.exact = {}

    def category(self, tax):
        if tax.id not in self.categories:
            edi = self.ctx.env["account.edi.common"]
            self.categories[tax.id] = (
                tax.ubl_cii_tax_category_code
                or edi._get_tax_category_code(
                    self.customer, self.ctx.company.partner_id, tax
                )
            )
        return self.categories[tax.id]

    def fits(self, taxes, code, percent):
        if not taxes:
            return code in ("E", "O") and not percent
        return (
            len(taxes) == 1
            and taxes.amount_type == "percent"
            and not taxes.price_include
            and float_compare(taxes.amount, percent, precision_digits=4) == 0
            and self.category(taxes) == code
        )

    @cached_property
    def sale_taxes(self):
        """The company's percent sale taxes, read when a line's tax is not ours."""
        Tax = self.ctx.env["account.tax"].with_company(self.ctx.company)
        domain = [
            *Tax._check_company_domain(self.ctx.company),
            ("type_tax_use", "=", "sale"),
        ]
        return Tax.search(
            domain + [("amount_type", "=", "percent")], order="sequence, id"
        )

    def find(self, code, percent):
        key = (code, percent)
        if key not in self.exact:
            found = self.sale_taxes.filtered(lambda t: self.fits(t, code, percent))
            explicit = found.filtered(lambda t: t.ubl_cii_tax_category_code == code)
            self.exact[key] = (explicit or found)[:1]
        return self.exact[key]

    def ours(self, product):
        key = tuple(product.taxes_id.ids)
        if key not in self.mapped:
            company = self.ctx.company
            self.mapped[key] = self.ctx.fiscal_position.map_tax(
                product.taxes_id._filter_taxes_by_company(company)
            )
        return key, self.mapped[key]

    def __call__(self, product, code, percent):
        key, ours = self.ours(product)
        keep = None if product.type == "combo" else ours
        if not code:
            return keep, None, ours
        code = code.strip().upper()
        percent = float(percent or 0)
        fit_key = (key, code, percent)
        if fit_key not in self.fitting:
            self.fitting[fit_key] = self.fits(ours, code, percent)
        if self.fitting[fit_key]:
            return keep, None, ours
        theirs = self.find(code, percent)
        if theirs:
            return theirs, None, theirs
        issue = T._(
            "the order's tax %(theirs)s has no matching sale tax here; ours "
            "(%(ours)s) was kept: check the tax",
            theirs=joined([text_code("tax", code), num(percent), "%"], " "),
            ours=", ".join(ours.mapped("name")) or T._("no tax"),
        )
        return keep, issue, ours
