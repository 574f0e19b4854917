# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Turn a parsed Peppol Order (``psb.ubl.model.OrderDocument``) into a draft sale order.

The reading of the XML happens in the plain-Python package; this model only
matches what was read against Odoo's records (customer, delivery address,
products, units, currency) and creates the quotation.  Every lookup is done
once per order for all its lines, never once per line.
"""
import datetime
import logging
import re

from odoo import Command, api, models
from odoo.tools import html_escape

from odoo.addons.account_edi_ubl_cii.models.res_partner import sanitize_peppol_endpoint

from ..psb.ubl import units

_logger = logging.getLogger(__name__)

PROFILE_SELECTION = [
    ("ordering", "Ordering"),
    ("advanced_ordering", "Advanced Ordering"),
    ("order_only", "Order Only"),
]


def _norm(value):
    return re.sub(r"\s+", " ", (value or "").strip()).lower()


def _gtin_variants(gtin):
    digits = (gtin or "").strip()
    if not digits:
        return set()
    stripped = digits.lstrip("0")
    return {digits, stripped, stripped.zfill(8), stripped.zfill(12), stripped.zfill(13), stripped.zfill(14)}


class EconnectPsbOrderImport(models.AbstractModel):
    _name = "econnect.psb.order.import"
    _description = "eConnect PSB: Peppol order import"

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------
    @api.model
    def _import_order(self, document, order):
        """Create a draft sale order for ``order`` (an ``OrderDocument``) received as ``document``.

        :returns: (sale.order, list of human-readable issues that need attention)
        """
        company = document.company_id
        issues = []

        partner, partner_created = self._match_partner(company, order.buyer)
        user = self._responsible_user(company, partner)
        # Every text of the import (banner, activity, chatter) in the language of the person who acts on it.
        self = self.with_context(lang=user.lang or company.partner_id.lang or self.env.lang)  # noqa: PLW0642
        env = self.with_company(company).env
        if partner_created:
            issues.append(
                env._(
                    "New customer %(name)s was created from the order (no existing contact matched its "
                    "Peppol id %(endpoint)s, VAT or name): check it.",
                    name=partner.display_name,
                    endpoint=self._endpoint_label(order.buyer),
                )
            )
        shipping = self._match_delivery_address(partner, order.delivery, issues)
        invoice = partner
        if order.invoicee and order.invoicee.display_name:
            invoicee, created = self._match_partner(company, order.invoicee, create=False)
            if invoicee:
                invoice = invoicee
            else:
                issues.append(
                    env._("The invoicee %s is not a known contact; the customer is invoiced.", order.invoicee.display_name)
                )

        pricelist = self._match_pricelist(company, partner, order.currency, issues)
        so_vals = {
            "company_id": company.id,
            "partner_id": partner.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": shipping.id,
            "client_order_ref": order.id,
            "origin": order.quotation_reference or False,
            "user_id": user.id,
            "psb_document_id": document.id,
            "psb_order_ref": order.id,
            "psb_profile": order.profile,
            "psb_buyer_endpoint": self._endpoint_label(order.buyer),
            "psb_seller_endpoint": self._endpoint_label(order.seller),
            "psb_currency_code": order.currency,
            "psb_customer_reference": order.customer_reference or False,
            "psb_buyer_note": "\n".join(order.notes) or False,
            "note": self.with_context(lang=self._buyer_lang(company, partner))._order_note(order),
        }
        if pricelist:
            so_vals["pricelist_id"] = pricelist.id
        if order.issue_date:
            so_vals["date_order"] = datetime.datetime.combine(order.issue_date, order.issue_time or datetime.time(12))
        if order.requested_start or order.requested_end:
            so_vals["commitment_date"] = datetime.datetime.combine(
                order.requested_start or order.requested_end, datetime.time(12)
            )
        so_vals["order_line"] = [Command.create(vals) for vals in self._prepare_lines(company, partner, order, issues)]

        sale_order = env["sale.order"].with_context(mail_create_nolog=True, tracking_disable=True).create(so_vals)
        self._attach_documents(sale_order, document, order, issues)
        if company.psb_auto_acknowledge and order.profile != "order_only":
            buyer_env = self.with_context(lang=self._buyer_lang(company, partner)).env
            sale_order._psb_queue_response("AB", note=buyer_env._("Order received; we will confirm it shortly."))
        if issues:
            sale_order.psb_needs_attention = True
            sale_order.psb_import_issues = "\n".join(issues)
            # Like Odoo's own automatic activities (hr, hr_expense): in the assignee's activities, no e-mail.
            sale_order.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=env._("Check the Peppol order %s", order.id),
                note=self._issues_html(env._("This order came in over Peppol; check before confirming:"), issues),
            )
        return sale_order, issues

    @api.model
    def _buyer_lang(self, company, partner):
        """The language of the texts the buyer reads (the note of an answer): the customer's, else the company's."""
        return partner.lang or company.partner_id.lang or self.env.lang

    @api.model
    def _responsible_user(self, company, partner):
        """Who follows the order up: the customer's salesperson, else the company's PSB responsible, else
        who imports it by hand, else the leader of the customer's (or the company's first) sales team, else
        the user who registered the webhook, else a sales administrator of the company (the scheduled action
        runs as the system user)."""
        user = partner.user_id or company.psb_user_id
        if not user and not self.env.user._is_superuser() and not self.env.user.share:
            user = self.env.user
        if not user:
            user = company._psb_default_responsible(partner)
        if not user:
            user = self.env["res.users"].search([
                ("group_ids", "in", self.env.ref("sales_team.group_sale_manager").id),
                ("company_ids", "in", company.id), ("share", "=", False), ("id", "!=", 1),
            ], order="id", limit=1)
        return user

    # ------------------------------------------------------------------
    # Customer and addresses
    # ------------------------------------------------------------------
    @api.model
    def _endpoint_label(self, party):
        if not party or not party.endpoint_id:
            return False
        return f"{party.endpoint_scheme}:{party.endpoint_id}" if party.endpoint_scheme else party.endpoint_id

    @api.model
    def _match_partner(self, company, party, create=True):
        """Find the customer: Peppol endpoint + scheme, then VAT, then GLN / company id, then exact name.

        :returns: (partner, created)
        """
        Partner = self.env["res.partner"].with_company(company)
        base = [("company_id", "in", [False, company.id])]

        def first(domain):
            found = Partner.search(base + domain, limit=1, order="is_company desc, parent_id desc, id")
            return found.commercial_partner_id if found else found

        if party.endpoint_id:
            endpoint = sanitize_peppol_endpoint(party.endpoint_id.strip(), party.endpoint_scheme)
            domain = [("peppol_endpoint", "=", endpoint)]
            if party.endpoint_scheme:
                domain.append(("peppol_eas", "=", party.endpoint_scheme))
            if partner := first(domain):
                return partner, False
        if party.vat:
            vat = re.sub(r"[\s.\-]", "", party.vat).upper()
            if partner := first([("vat", "=ilike", vat)]):
                return partner, False
        identifiers = {value for value, _scheme in party.identifiers if value}
        if party.company_id:
            identifiers.add(party.company_id)
        if identifiers:
            ids = list(identifiers)
            if partner := first(["|", ("company_registry", "in", ids), ("peppol_endpoint", "in", ids)]):
                return partner, False
        for name in (party.registration_name, party.name):
            if name and (partner := first([("name", "=ilike", name.strip()), ("parent_id", "=", False)])):
                return partner, False
        if not create:
            return Partner, False
        return self._create_partner(company, party), True

    @api.model
    def _address_vals(self, address):
        if not address:
            return {}
        Country = self.env["res.country"]
        country = address.country_code and Country.search([("code", "=", address.country_code.upper())], limit=1)
        street2 = ", ".join(filter(None, [address.additional_street, *address.lines])) or False
        vals = {
            "street": address.street or False,
            "street2": street2,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id if country else False,
        }
        if country and address.subdivision:
            state = self.env["res.country.state"].search(
                [("country_id", "=", country.id), "|", ("name", "=ilike", address.subdivision), ("code", "=ilike", address.subdivision)],
                limit=1,
            )
            vals["state_id"] = state.id or False
        return vals

    @api.model
    def _contact_vals(self, contact):
        """Phone and e-mail of an order's contact, as res.partner values."""
        return {"phone": contact.phone or False, "email": contact.email or False}

    @api.model
    def _partner_model(self, company=None):
        """res.partner for the contacts an import creates: no "contact created" log and no followers,
        the quotation's banner and activity tell about them."""
        return self.env["res.partner"].with_company(company or self.env.company).with_context(tracking_disable=True)

    @api.model
    def _create_partner(self, company, party):
        Partner = self._partner_model(company)
        vals = {
            "name": party.registration_name or party.name or party.endpoint_id,
            "is_company": True,
            "company_registry": party.company_id or False,
            "psb_needs_review": True,
            **self._address_vals(party.address),
        }
        if party.contact:
            reach = self._contact_vals(party.contact)
            vals.update(reach)
            if party.contact.name:
                vals["child_ids"] = [Command.create({"name": party.contact.name, "type": "contact", **reach})]
        scheme_values = dict(Partner._fields["peppol_eas"].selection)
        if party.endpoint_id and party.endpoint_scheme in scheme_values:
            endpoint = sanitize_peppol_endpoint(party.endpoint_id.strip(), party.endpoint_scheme)
            if not Partner._build_error_peppol_endpoint(party.endpoint_scheme, endpoint):
                vals.update({"peppol_eas": party.endpoint_scheme, "peppol_endpoint": endpoint})
        if party.vat:
            # A VAT number that does not pass Odoo's check is kept out of the field rather than failing the import.
            try:
                with self.env.cr.savepoint():
                    return Partner.create({**vals, "vat": party.vat.strip()})
            except Exception:  # noqa: BLE001 - any validation error of the VAT check
                vals["comment"] = self.env._("VAT number in the Peppol order: %s", party.vat)
        return Partner.create(vals)

    @api.model
    def _match_delivery_address(self, partner, delivery, issues):
        """A delivery contact of the customer for the order's delivery place, created when new."""
        if not delivery or not (delivery.address or delivery.location_id):
            return partner
        address_vals = self._address_vals(delivery.address)
        children = partner.child_ids.filtered(lambda c: c.type == "delivery")
        if delivery.location_id:
            match = children.filtered(lambda c: c.ref == delivery.location_id)
            if match:
                return match[0]
        if address_vals.get("street") or address_vals.get("zip"):
            key = (_norm(address_vals.get("street")), _norm(address_vals.get("zip")), _norm(address_vals.get("city")))
            match = children.filtered(lambda c: (_norm(c.street), _norm(c.zip), _norm(c.city)) == key)
            if match:
                return match[0]
            partner_key = (_norm(partner.street), _norm(partner.zip), _norm(partner.city))
            if partner_key == key:
                return partner
        elif not delivery.location_id:
            return partner
        vals = {
            "parent_id": partner.id,
            "type": "delivery",
            "name": delivery.party_name or (delivery.address and delivery.address.street) or delivery.location_id,
            "ref": delivery.location_id or False,
            "lang": partner.lang,
            **address_vals,
        }
        if delivery.contact:
            vals.update(self._contact_vals(delivery.contact))
        shipping = self._partner_model().create(vals)
        issues.append(
            self.env._("New delivery address %(name)s was created for %(customer)s.",
                       name=shipping.display_name, customer=partner.display_name)
        )
        return shipping

    @api.model
    def _match_pricelist(self, company, partner, currency_code, issues):
        pricelist = partner.with_company(company).property_product_pricelist
        if not currency_code or (pricelist and pricelist.currency_id.name == currency_code):
            return pricelist
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency_code)], limit=1)
        if not currency:
            issues.append(self.env._("Unknown order currency %s.", currency_code))
            return pricelist
        other = self.env["product.pricelist"].search(
            [("currency_id", "=", currency.id), ("company_id", "in", [False, company.id])], limit=1
        )
        if other:
            return other
        if not pricelist and company.currency_id == currency:
            return pricelist
        issues.append(
            self.env._(
                "The order is in %(currency)s but no pricelist uses that currency: amounts were kept as "
                "ordered in the quotation's currency (%(ours)s). Check the prices.",
                currency=currency_code,
                ours=(pricelist.currency_id or company.currency_id).name,
            )
        )
        return pricelist

    # ------------------------------------------------------------------
    # Lines
    # ------------------------------------------------------------------
    @api.model
    def _match_products(self, company, partner, lines):
        """A few searches for the whole order: GTIN, our internal reference, the customer's code, then the
        exact item name for what is left."""
        Product = self.env["product.product"].with_company(company)
        base = [("company_id", "in", [False, company.id])]
        gtins = set()
        for line in lines:
            gtins |= _gtin_variants(line.standard_item_id)
        by_barcode, by_code, by_customer_code = {}, {}, {}
        if gtins:
            for product in Product.search(base + [("barcode", "in", list(gtins))]):
                by_barcode.setdefault(product.barcode.lstrip("0"), product)
        codes = {line.sellers_item_id.strip() for line in lines if line.sellers_item_id}
        if codes:
            for product in Product.search(base + [("default_code", "in", list(codes))], order="id"):
                by_code.setdefault(product.default_code, product)
        buyer_codes = {line.buyers_item_id.strip() for line in lines if line.buyers_item_id}
        if buyer_codes:
            for code in self.env["econnect.psb.product.code"].search(
                base + [("partner_id", "=", partner.commercial_partner_id.id), ("code", "in", list(buyer_codes))]
            ):
                by_customer_code.setdefault(code.code, code.product_id)

        # Last resort, one search for the lines no id matched: a product with exactly the item's name
        # (used only when one product has it, and the line says so).
        def match_by_id(line):
            if line.standard_item_id and (p := by_barcode.get(line.standard_item_id.strip().lstrip("0"))):
                return p
            if line.sellers_item_id and (p := by_code.get(line.sellers_item_id.strip())):
                return p
            if line.buyers_item_id and (p := by_customer_code.get(line.buyers_item_id.strip())):
                return p
            return Product

        names = {line.name.strip() for line in lines if line.name and not match_by_id(line)}
        by_name = {}
        if names:
            found = Product.search(base + [("name", "in", list(names)), ("sale_ok", "=", True)])
            for product in found:
                key = product.name.strip().lower()
                by_name[key] = Product if key in by_name else product

        def match(line):
            """(product or an empty record, whether it was matched on the name only)"""
            product = match_by_id(line)
            if product or not line.name:
                return product, False
            product = by_name.get(line.name.strip().lower(), Product)
            return product, bool(product)

        return match

    @api.model
    def _uom_matcher(self):
        """Unit code (UN/ECE rec. 20/21) -> uom.uom: the user's own codes first, then Odoo's standard units."""
        custom = {
            uom.psb_unece_code.strip().upper(): uom
            for uom in self.env["uom.uom"].search([("psb_unece_code", "!=", False)])
        }
        cache = {}

        def match(code):
            code = (code or "").strip().upper()
            if code not in cache:
                uom = custom.get(code)
                if not uom and (key := units.unit_key(code)) and (xmlid := units.ODOO_UOM_XMLIDS.get(key)):
                    uom = self.env.ref(xmlid, raise_if_not_found=False)
                cache[code] = uom or self.env["uom.uom"]
            return cache[code]

        return match

    @api.model
    def _analytic_models_apply(self, company):
        """Whether an analytic distribution model may apply to this company's order lines.

        Without any, Odoo's per-line computation of ``analytic_distribution`` (two searches of
        distribution models per line) always ends empty: the lines get that empty value directly,
        one query per order instead of two per line.
        """
        Model = self.env["account.analytic.distribution.model"].sudo()
        return bool(Model.search_count([("company_id", "in", [False, company.id])], limit=1))

    @api.model
    def _prepare_lines(self, company, partner, order, issues):
        match_product = self._match_products(company, partner, order.lines)
        match_uom = self._uom_matcher()
        placeholder = self.env.ref("sale_econnect_psb.product_psb_unknown")
        no_analytic_model = not self._analytic_models_apply(company)
        vals_list = []
        for sequence, line in enumerate(order.lines, start=1):
            line_issues = []
            product, by_name = match_product(line)
            if by_name:
                line_issues.append(self.env._("matched on the item name only: check the product"))
            if not product:
                ids = ", ".join(
                    filter(None, [
                        line.standard_item_id and self.env._("GTIN %s", line.standard_item_id),
                        line.sellers_item_id and self.env._("our ref. %s", line.sellers_item_id),
                        line.buyers_item_id and self.env._("their ref. %s", line.buyers_item_id),
                    ])
                ) or self.env._("no item id")
                line_issues.append(self.env._("product not found (%s)", ids))
                product = placeholder
            uom = match_uom(line.unit_code)
            if not uom:
                line_issues.append(self.env._("unit code %s is not known; the product's unit was used", line.unit_code))
                uom = product.uom_id
            elif product != placeholder and uom != product.uom_id and not uom._has_common_reference(product.uom_id):
                line_issues.append(
                    self.env._(
                        "ordered in %(unit)s, which does not convert to the product's unit %(product_unit)s",
                        unit=uom.name,
                        product_unit=product.uom_id.name,
                    )
                )
            name_parts = [line.name or product.display_name]
            if line.description and line.description != line.name:
                name_parts.append(line.description)
            if product == placeholder:
                name_parts += [p for p in (line.standard_item_id, line.sellers_item_id, line.buyers_item_id) if p]
            if line.note:
                name_parts.append(line.note)
            vals = {
                "sequence": sequence * 10,
                "product_id": product.id,
                "name": "\n".join(name_parts),
                "product_uom_qty": float(line.quantity if line.quantity is not None else 1),
                "product_uom_id": uom.id,
                "psb_line_ref": line.line_id,
                "psb_unit_code": line.unit_code or False,
                "psb_ordered_qty": float(line.quantity if line.quantity is not None else 1),
                "psb_original_product_id": product.id,
            }
            if no_analytic_model:
                vals["analytic_distribution"] = False
            if line.unit_price is not None:
                # The buyer's net price is kept as ordered (marked as a manual price, so Odoo's
                # pricelist does not silently replace it).
                vals["price_unit"] = float(line.unit_price)
                vals["technical_price_unit"] = 0.0
                vals["psb_ordered_price"] = float(line.unit_price)
            elif product == placeholder:
                line_issues.append(self.env._("price missing — total incomplete"))
            if line.requested_start or line.requested_end:
                day = line.requested_start or line.requested_end
                vals["psb_requested_date"] = day
            if line_issues:
                vals["psb_import_issue"] = "; ".join(line_issues)
                issues.append(self.env._("Line %(line)s: %(issues)s", line=line.line_id, issues="; ".join(line_issues)))
            vals_list.append(vals)
        return vals_list

    # ------------------------------------------------------------------
    # Attachments and texts
    # ------------------------------------------------------------------
    @api.model
    def _order_note(self, order):
        parts = []
        if order.notes:
            parts.append("<p><strong>%s</strong><br/>%s</p>" % (
                html_escape(self.env._("Buyer's note")),
                "<br/>".join(html_escape(n) for n in order.notes),
            ))
        refs = [
            (self.env._("Buyer's reference"), order.customer_reference),
            (self.env._("Accounting cost"), order.accounting_cost),
            (self.env._("Contract"), order.contract_reference),
            (self.env._("Project"), order.project_reference),
            (self.env._("Quotation"), order.quotation_reference),
            (self.env._("Requisition"), order.originator_document_reference),
            (self.env._("Delivery terms"), order.delivery_terms),
            (self.env._("Payment terms"), order.payment_terms_note),
        ]
        lines = ["%s: %s" % (html_escape(label), html_escape(value)) for label, value in refs if value]
        if lines:
            parts.append("<p>%s</p>" % "<br/>".join(lines))
        return "".join(parts) or False

    @api.model
    def _issues_html(self, title, issues):
        return "<p>%s</p><ul>%s</ul>" % (
            html_escape(title),
            "".join("<li>%s</li>" % html_escape(issue) for issue in issues),
        )

    @api.model
    def _attach_documents(self, sale_order, document, order, issues):
        """Keep the original XML (and the order's embedded files) on the sale order."""
        Attachment = self.env["ir.attachment"]
        attachments = Attachment
        if document.attachment_id:
            attachments |= document.attachment_id.copy({"res_model": "sale.order", "res_id": sale_order.id})
        for doc in order.attachments:
            if doc.content:
                attachments |= Attachment.create({
                    "name": doc.filename or doc.id or "attachment",
                    "raw": doc.content,
                    "mimetype": doc.mime_code or False,
                    "res_model": "sale.order",
                    "res_id": sale_order.id,
                })
            elif doc.uri:
                issues.append(self.env._("The order refers to an external document: %s", doc.uri))
        # A log, not a post: nobody is notified of it (the activity or the list tell who must act).
        sale_order._message_log(
            body=self.env._(
                "Quotation created from Peppol order %(order)s received through the eConnect PSB.",
                order=order.id,
            ),
            attachment_ids=attachments.ids,
        )
