# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The buyer's Peppol order, change or cancellation as a document a person reads.

Rendered from the plain dataclasses the reader returns
(``psb.ubl.model.OrderDocument``), never by reading the XML again in the template; the
raw XML stays on the document for experts.
"""

from datetime import date

from odoo import api, models
from odoo.tools import LazyTranslate, format_date, formatLang

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..models.psb_messages import psb_error_text
from ..psb.ubl import amounts
from ..psb.ubl.model import UblError

_lt = LazyTranslate(__name__)

#: What the report shows of a line's item ids (label, attribute of the parsed line).
LINE_IDS = (
    (_lt("GTIN"), "standard_item_id"),
    (_lt("Our ref."), "sellers_item_id"),
    (_lt("Their ref."), "buyers_item_id"),
    (_lt("Manufacturer's ref."), "manufacturers_item_id"),
)
#: What the report shows of the order's references (label, attribute of the parsed
#: order), those given.
REFERENCES = (
    (_lt("Buyer's reference"), "customer_reference"),
    (_lt("Our order"), "sales_order_id"),
    (_lt("Accounting cost"), "accounting_cost"),
    (_lt("Contract"), "contract_reference"),
    (_lt("Project"), "project_reference"),
    (_lt("Quotation"), "quotation_reference"),
    (_lt("Requisition"), "originator_document_reference"),
    (_lt("Catalogue"), "catalogue_reference"),
    (_lt("Valid until"), "validity_end"),
    (_lt("Delivery terms"), "delivery_terms"),
    (_lt("Payment terms"), "payment_terms_note"),
)
#: The labels of the order's totals (``psb.ubl.amounts.TOTALS``: which, in which order),
#: by their key.
TOTAL_LABELS = {
    "line_extension": _lt("Lines"),
    "allowance_total": _lt("Allowances"),
    "charge_total": _lt("Charges"),
    "tax_exclusive": _lt("Total without tax"),
    "tax": _lt("Tax"),
    "tax_inclusive": _lt("Total with tax"),
    "payable": _lt("To pay"),
}


class _Formatter:
    """What the template needs to show plain values in the reader's language: amounts in
    the order's currency, quantities, dates, Odoo's unit names (with the Peppol code as
    a hint), addresses."""

    def __init__(self, env, order):
        self.env = env
        self.currency = order.currency and env["res.currency"].with_context(
            active_test=False
        ).search([("name", "=", order.currency)], limit=1)
        self.currency_code = order.currency or ""
        self._uom = env["econnect.psb.order.import"]._uom_matcher()
        codes = set()
        for party in (order.buyer, order.seller, order.invoicee):
            if party and party.address and party.address.country_code:
                codes.add(party.address.country_code.upper())
        if (
            order.delivery
            and order.delivery.address
            and order.delivery.address.country_code
        ):
            codes.add(order.delivery.address.country_code.upper())
        self._countries = (
            {
                c.code: c.name
                for c in env["res.country"].search([("code", "in", list(codes))])
            }
            if codes
            else {}
        )
        self._line_statuses = {
            "1": env._("Added"),
            "2": env._("Deleted"),
            "3": env._("Changed"),
            "4": env._("No action"),
            "74": env._("Reopened"),
        }

    def money(self, value):
        if value is None:
            return ""
        if self.currency:
            return formatLang(self.env, float(value), currency_obj=self.currency)
        return f"{formatLang(self.env, float(value))} {self.currency_code}".strip()

    def qty(self, value):
        if value is None:
            return ""
        exponent = value.normalize().as_tuple().exponent
        digits = max(0, min(6, -exponent)) if isinstance(exponent, int) else 2
        return formatLang(self.env, float(value), digits=digits)

    def percent(self, value):
        return "" if value is None else f"{self.qty(value)} %"

    def date(self, value):
        return format_date(self.env, value) if value else ""

    def period(self, start, end):
        if start and end and start != end:
            return f"{self.date(start)} – {self.date(end)}"
        return self.date(start or end)

    def unit(self, code):
        """Odoo's name of a unit code, with the code: "kg (KGM)"; the code alone when
        Odoo does not know it."""
        if not code:
            return ""
        uom = self._uom(code)
        return f"{uom.name} ({code})" if uom else code

    def address(self, address):
        if not address:
            return []
        city = " ".join(filter(None, [address.zip, address.city]))
        country = address.country_code and self._countries.get(
            address.country_code.upper(), address.country_code
        )
        return [
            part
            for part in (
                address.street,
                address.additional_street,
                *address.lines,
                city,
                address.subdivision,
                country,
            )
            if part
        ]

    def endpoint(self, party):
        if not party or not party.endpoint_id:
            return ""
        return (
            f"{party.endpoint_scheme}:{party.endpoint_id}"
            if party.endpoint_scheme
            else party.endpoint_id
        )

    def profile(self, key):
        labels = dict(
            self.env["sale.order"]
            ._fields["psb_profile"]
            ._description_selection(self.env)
        )
        return labels.get(key, key or "")

    def line_status(self, code):
        return self._line_statuses.get(code, code or "")

    def line_ids(self, line):
        return self._labelled(line, LINE_IDS)

    def references(self, order):
        return self._labelled(order, REFERENCES)

    def totals(self, order):
        """The order's totals it gives (0 too)."""
        table = [(TOTAL_LABELS[key], name) for key, name in amounts.TOTALS]
        return [
            (label, self.money(value))
            for label, value in self._labelled(
                order, table, keep=lambda value: value is not None
            )
        ]

    def _labelled(self, obj, table, keep=bool):
        """(label in the reader's language, value) of ``obj``'s attributes in
        ``table``, the values ``keep`` keeps; a date is formatted."""
        return [
            (self.env._(label), self.date(value) if isinstance(value, date) else value)
            for label, value in ((label, getattr(obj, name)) for label, name in table)
            if keep(value)
        ]


class ReportPsbOrder(models.AbstractModel):
    _name = "report.sale_econnect_psb.report_psb_order"
    _description = "Readable Peppol order"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["econnect.psb.document"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": docs._name,
            "docs": docs,
            "readable": {doc.id: self._readable_values(doc) for doc in docs},
            "psb_header_in_page": self._psb_header_in_page(data),
        }

    @api.model
    def _psb_header_in_page(self, data):
        """Whether the PDF needs the company's header inside the page: a wkhtmltopdf
        built without Odoo's patched Qt (Debian's, say) drops the external layout's
        header, and would leave the paperformat's top margin empty instead. The HTML
        preview shows the layout's own header."""
        return (data or {}).get("report_type") == "pdf" and not _wkhtml().is_patched_qt

    @api.model
    def _readable_values(self, document):
        """The template's values for one document: the parsed order and its formatter,
        or why there is none."""
        titles = {
            "order": self.env._("Purchase order"),
            "order_change": self.env._("Order change"),
            "order_cancellation": self.env._("Order cancellation"),
        }
        if not document.attachment_id:
            return {"error": self.env._("The document has not been downloaded yet.")}
        try:
            order = document._read_xml()
        except UblError as exc:
            return {
                "error": self.env._(
                    "The document could not be read: %s", psb_error_text(self.env, exc)
                )
            }
        return {
            "order": order,
            "fmt": _Formatter(self.env, order),
            "title": titles.get(order.kind, order.kind),
            "document": document,
        }
