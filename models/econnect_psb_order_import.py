# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Turn a parsed Peppol Order (``psb.ubl.model.OrderDocument``) into a draft sale order.

The reading of the XML happens in the plain-Python package; this model only
matches what was read against Odoo's records (customer, delivery address,
products, units, currency) and creates the quotation.  Every lookup is done
once per order for all its lines, never once per line.
"""

import datetime
import json
import logging
import re

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_amount, html_escape

from odoo.addons.account_edi_ubl_cii.models.res_partner import sanitize_peppol_endpoint

from ..psb import line_checks, matching
from ..psb.ubl import amounts, units
from .psb_import_context import ImportContext
from .psb_refs import psb_ref
from .psb_texts import T, joined, num, party_id, render_html
from .psb_texts import code as text_code
from .psb_texts import money as to_money
from .psb_texts import note as psb_note

_logger = logging.getLogger(__name__)

#: UNCL1001 codes of an order's OrderTypeCode (Peppol code list UNCL1001_T01).
ORDER_TYPE_SELECTION = [
    ("105", "Purchase order"),
    ("220", "Order"),
    ("221", "Blanket order"),
    ("226", "Call-off order"),
    ("227", "Consignment order"),
    ("402", "Cross-docking order"),
]

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
    return {
        digits,
        stripped,
        stripped.zfill(8),
        stripped.zfill(12),
        stripped.zfill(13),
        stripped.zfill(14),
    }


class EconnectPsbOrderImport(models.AbstractModel):
    _name = "econnect.psb.order.import"
    _description = "eConnect PSB: Peppol order import"

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------
    @api.model
    def _import_order(self, document, order):
        """Create a draft sale order for ``order`` (an ``OrderDocument``) received as
        ``document``.

        :returns: (sale.order, list of human-readable issues that need attention)
        """
        ctx = self._import_context(document, order)
        importer = ctx.importer
        so_vals = importer._order_vals(ctx)
        so_vals["order_line"] = [
            Command.create(vals) for vals in importer._quotation_lines(ctx, so_vals)
        ]
        sale_order = (
            ctx.env["sale.order"]
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(so_vals)
        )
        importer._after_create(ctx, sale_order)
        return sale_order, ctx.issues

    @api.model
    def _import_context(self, document, order):
        """The order's context: its customer, who follows it up (in whose language the
        import writes), its addresses, pricelist, currency and fiscal position."""
        company = document.company_id
        partner, found_by = self._match_partner(company, order.buyer)
        user = self._responsible_user(company, partner)
        # Every text of the import (banner, activity, chatter) in the language of the
        # person who acts on it. The responsible's contact read with the current user's,
        # which creating the quotation reads: one query.
        (user.partner_id | self.env.user.partner_id).mapped("lang")
        lang = user.lang or company.partner_id.lang or self.env.lang
        importer = self.with_context(lang=lang).with_company(company)
        ctx = ImportContext(
            importer, company, document=document, order=order, partner=partner
        )
        ctx.found_by, ctx.user = found_by, user
        importer._note_customer(ctx)
        ctx.shipping = importer._match_delivery_address(
            partner, order.delivery, ctx.issues
        )
        ctx.invoice = importer._match_invoicee(ctx)
        # The company's values of the customer and its delivery address (pricelist,
        # fiscal position): one read.
        (partner | ctx.shipping).with_company(company).mapped(
            "property_account_position_id"
        )
        ctx.pricelist = importer._match_pricelist(
            company, partner, order.currency, ctx.issues
        )
        ctx.fiscal_position = ctx.env["account.fiscal.position"]._get_fiscal_position(
            partner, ctx.shipping
        )
        return ctx

    @api.model
    def _note_customer(self, ctx):
        """An issue for a customer found by its name only, or created from the order."""
        if ctx.found_by == "name":
            ctx.issues.append(
                T._(
                    "Customer %(name)s was found by its name only (no contact has the "
                    "order's Peppol id "
                    "%(endpoint)s, VAT number or registration): check that it is the "
                    "buyer.",
                    name=ctx.partner.display_name,
                    endpoint=party_id(self._endpoint_label(ctx.order.buyer)) or "-",
                )
            )
        if ctx.found_by == "created":
            ctx.issues.append(
                T._(
                    "New customer %(name)s was created from the order (no existing "
                    "contact matched its "
                    "Peppol id %(endpoint)s, VAT or name): check it.",
                    name=ctx.partner.display_name,
                    endpoint=party_id(self._endpoint_label(ctx.order.buyer)),
                )
            )

    @api.model
    def _match_invoicee(self, ctx):
        """Whom to invoice: the order's invoicee when it is a known contact, else the
        customer."""
        invoicee_party = ctx.order.invoicee
        if not (invoicee_party and invoicee_party.display_name):
            return ctx.partner
        invoicee, found_by = self._match_partner(
            ctx.company, invoicee_party, create=False
        )
        if not invoicee:
            ctx.issues.append(
                T._(
                    "The invoicee %s is not a known contact; the customer is invoiced.",
                    invoicee_party.display_name,
                )
            )
            return ctx.partner
        if found_by == "name" and invoicee != ctx.partner:
            ctx.issues.append(
                T._(
                    "The invoicee %s was found by its name only: check that it is the "
                    "one to invoice.",
                    invoicee.display_name,
                )
            )
        return invoicee

    @api.model
    def _order_vals(self, ctx):
        """The quotation's values, but its lines."""
        order, company, partner = ctx.order, ctx.company, ctx.partner
        so_vals = {
            "company_id": company.id,
            "partner_id": partner.id,
            "partner_invoice_id": ctx.invoice.id,
            "partner_shipping_id": ctx.shipping.id,
            "client_order_ref": order.id,
            "origin": order.quotation_reference or False,
            "user_id": ctx.user.id,
            "psb_document_id": ctx.document.id,
            "psb_customer_by_name": ctx.found_by == "name",
            "psb_order_ref": order.id,
            "psb_profile": order.profile,
            "psb_buyer_endpoint": self._endpoint_label(order.buyer),
            "psb_seller_endpoint": self._endpoint_label(order.seller),
            "psb_currency_code": order.currency,
            "psb_customer_reference": order.customer_reference or False,
            "psb_contract_reference": order.contract_reference or False,
            "psb_project_reference": order.project_reference or False,
            "psb_accounting_cost": order.accounting_cost or False,
            "psb_buyer_note": "\n".join(order.notes) or False,
            "note": self.with_context(
                lang=self._buyer_lang(company, partner)
            )._order_note(order),
            "fiscal_position_id": ctx.fiscal_position.id,
        }
        if ctx.pricelist:
            so_vals["pricelist_id"] = ctx.pricelist.id
        if not company.psb_auto_confirm:
            so_vals["psb_auto_state"] = (
                "off"  # decided: nothing for the automatic confirmation to do
            )
        so_vals.update(self._order_type_vals(order, ctx.issues))
        if order.issue_date:
            so_vals["date_order"] = datetime.datetime.combine(
                order.issue_date, order.issue_time or datetime.time(12)
            )
        if order.requested_start or order.requested_end:
            so_vals["commitment_date"] = datetime.datetime.combine(
                order.requested_start or order.requested_end, datetime.time(12)
            )
        return so_vals

    @api.model
    def _quotation_lines(self, ctx, so_vals):
        """The values of the quotation's lines: the buyer's, then the order's own
        allowances and charges; the buyer's prices flagged against ours
        (``psb_price_warning_data`` into ``so_vals``)."""
        line_vals = self._lines_vals(ctx, ctx.order.lines)
        line_vals += self._allowance_lines_vals(ctx, ctx.order, line_vals)
        so_vals["psb_price_warning_data"] = ctx.env[
            "econnect.psb.auto.confirm"
        ]._price_flags(
            ctx.company,
            ctx.pricelist,
            ctx.currency,
            so_vals.get("date_order"),
            line_vals,
        )
        return line_vals

    @api.model
    def _after_create(self, ctx, sale_order):
        """The totals check, the original XML attached, the acknowledgement queued, the
        issues noted and the responsible's activity when something needs a person."""
        order, issues = ctx.order, ctx.issues
        self._check_amounts(sale_order, order, issues, ctx.pricing)
        self._attach_documents(sale_order, ctx.document, order, issues)
        if ctx.company.psb_auto_acknowledge and order.profile != "order_only":
            buyer_env = self.with_context(
                lang=self._buyer_lang(ctx.company, ctx.partner)
            ).env
            sale_order._psb_queue_response(
                "AB",
                note=buyer_env._("Order received; we will confirm it shortly."),
                auto=True,
            )
        if issues:
            sale_order.psb_issue_data = issues
        if sale_order._psb_open_issues():
            sale_order._psb_activity(
                "import",
                summary=T._("Check the Peppol order %s", order.id),
                note=psb_note(
                    T._("This order came in over Peppol; check before confirming:"),
                    issues,
                ),
                user=ctx.user,
            )

    @api.model
    def _buyer_lang(self, company, partner):
        """The language of the texts the buyer reads (the note of an answer): the
        customer's, else the company's."""
        return partner.lang or company.partner_id.lang or self.env.lang

    @api.model
    def _responsible_user(self, company, partner):
        """Who follows the order up: the customer's salesperson, else the company's PSB
        responsible, else who imports it by hand, else the leader of the customer's (or
        the company's first) sales team, else the user who registered the webhook, else
        a sales administrator of the company (the scheduled action runs as the system
        user)."""
        user = partner.user_id or company.psb_user_id
        if not user and not self.env.user._is_superuser() and not self.env.user.share:
            user = self.env.user
        if not user:
            user = company._psb_default_responsible(partner)
        if not user:
            user = self.env["res.users"].search(
                [
                    (
                        "group_ids",
                        "in",
                        self.env.ref("sales_team.group_sale_manager").id,
                    ),
                    ("company_ids", "in", company.id),
                    ("share", "=", False),
                    ("id", "!=", 1),
                ],
                order="id",
                limit=1,
            )
        return user

    # ------------------------------------------------------------------
    # Customer and addresses
    # ------------------------------------------------------------------
    @api.model
    def _endpoint_label(self, party):
        if not party or not party.endpoint_id:
            return False
        return (
            f"{party.endpoint_scheme}:{party.endpoint_id}"
            if party.endpoint_scheme
            else party.endpoint_id
        )

    @api.model
    def _match_partner(self, company, party, create=True):
        """Find the customer: Peppol endpoint + scheme, then VAT number (normalized,
        equal), then GLN / company id, then the exact name (case aside). The buyer's
        texts are compared as they are: a ``%`` or ``_`` in them is no wildcard
        (``psb/matching.py``).

        :returns: (partner, how it was found: "endpoint", "vat", "registry", "name",
            "created", or False)
        """
        Partner = self.env["res.partner"].with_company(company)
        base = [("company_id", "in", [False, company.id])]

        def first(domain):
            found = self._search_loaded(
                Partner,
                base + domain,
                limit=1,
                order="is_company desc, parent_id desc, id",
            )
            return found.commercial_partner_id if found else found

        if party.endpoint_id:
            endpoint = sanitize_peppol_endpoint(
                party.endpoint_id.strip(), party.endpoint_scheme
            )
            domain = [("peppol_endpoint", "=", endpoint)]
            if party.endpoint_scheme:
                domain.append(("peppol_eas", "=", party.endpoint_scheme))
            if partner := first(domain):
                return partner, "endpoint"
        if pattern := matching.vat_like_pattern(party.vat):
            # The stored spellings (with separators) are found by the buyer's letters
            # and digits, then compared.
            found = Partner.search(
                base + [("vat", "=ilike", pattern)],
                limit=20,
                order="is_company desc, id",
            )
            if partner := found.filtered(lambda p: matching.same_vat(p.vat, party.vat))[
                :1
            ]:
                return partner.commercial_partner_id, "vat"
        identifiers = {value for value, _scheme in party.identifiers if value}
        if party.company_id:
            identifiers.add(party.company_id)
        if identifiers:
            ids = list(identifiers)
            if partner := first(
                ["|", ("company_registry", "in", ids), ("peppol_endpoint", "in", ids)]
            ):
                return partner, "registry"
        for name in filter(None, (party.registration_name, party.name)):
            exact = [
                ("name", "=ilike", matching.escape_like(name.strip())),
                ("parent_id", "=", False),
            ]
            if name.strip() and (partner := first(exact)):
                return partner, "name"
        if not create:
            return Partner, False
        return self._create_partner(company, party), "created"

    @api.model
    def _search_loaded(self, model, domain, **kwargs):
        """``search`` and the first read of the records found, in one query: the fields
        a read of one of them would load (those marked ``prefetch=True`` the user may
        read), as ``search_fetch`` does without names."""
        return model.search_fetch(domain, None, **kwargs)

    @api.model
    def _address_vals(self, address):
        if not address:
            return {}
        Country = self.env["res.country"]
        country = address.country_code and Country.search(
            [("code", "=", address.country_code.upper())], limit=1
        )
        street2 = (
            ", ".join(filter(None, [address.additional_street, *address.lines]))
            or False
        )
        vals = {
            "street": address.street or False,
            "street2": street2,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id if country else False,
        }
        if country and address.subdivision:
            state = self.env["res.country.state"].search(
                [
                    ("country_id", "=", country.id),
                    "|",
                    ("name", "=ilike", address.subdivision),
                    ("code", "=ilike", address.subdivision),
                ],
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
        """res.partner for the contacts an import creates: no "contact created" log and
        no followers, the quotation's banner and activity tell about them."""
        return (
            self.env["res.partner"]
            .with_company(company or self.env.company)
            .with_context(tracking_disable=True)
        )

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
        contact = party.contact
        if contact:
            vals.update(self._contact_vals(contact))
        scheme_values = dict(Partner._fields["peppol_eas"].selection)
        if party.endpoint_id and party.endpoint_scheme in scheme_values:
            endpoint = sanitize_peppol_endpoint(
                party.endpoint_id.strip(), party.endpoint_scheme
            )
            if not Partner._build_error_peppol_endpoint(
                party.endpoint_scheme, endpoint
            ):
                vals.update(
                    {"peppol_eas": party.endpoint_scheme, "peppol_endpoint": endpoint}
                )
        if party.vat:
            # A VAT number that does not pass Odoo's check is kept out of the field
            # rather than failing the import (Odoo's own check, as
            # account_edi_common._import_partner does).
            country = self.env["res.country"].browse(vals.get("country_id"))
            vat, _country_code = Partner._run_vat_checks(
                country,
                party.vat.strip(),
                partner_name=vals.get("name", ""),
                validation="setnull",
            )
            if vat:
                vals["vat"] = vat
            else:
                vals["comment"] = self.env._(
                    "VAT number in the Peppol order: %s", party.vat
                )
        partner = Partner.create(vals)
        self._create_contact_person(partner, contact)
        return partner

    @api.model
    def _create_contact_person(self, parent, contact):
        """The order's contact person as a contact of ``parent``. Created on its own,
        not as a command of the parent's create: Odoo runs res.partner's nested commands
        with the requesting user's rights, even in sudo (``_allow_sudo_commands =
        False``), and a salesman may not create contacts."""
        if contact and contact.name:
            vals = {
                "parent_id": parent.id,
                "name": contact.name,
                "type": "contact",
                **self._contact_vals(contact),
            }
            self._partner_model().create(vals)

    @api.model
    def _match_delivery_address(self, partner, delivery, issues):
        """A delivery contact of the customer for the order's delivery place, created
        when new."""
        if not delivery or not (delivery.address or delivery.location_id):
            return partner
        children = self._search_loaded(
            self.env["res.partner"],
            [("parent_id", "=", partner.id), ("type", "=", "delivery")],
        )
        if delivery.location_id:
            match = children.filtered(lambda c: c.ref == delivery.location_id)
            if match:
                return match[0]
        address_vals = self._address_vals(delivery.address)
        if address_vals.get("street") or address_vals.get("zip"):
            key = (
                _norm(address_vals.get("street")),
                _norm(address_vals.get("zip")),
                _norm(address_vals.get("city")),
            )
            match = children.filtered(
                lambda c: (_norm(c.street), _norm(c.zip), _norm(c.city)) == key
            )
            if match:
                return match[0]
            partner_key = (
                _norm(partner.street),
                _norm(partner.zip),
                _norm(partner.city),
            )
            # The customer's own address, unless the order gives the place an id or a
            # name of its own.
            if partner_key == key and not (
                delivery.location_id or delivery.location_name
            ):
                return partner
        elif not delivery.location_id:
            return partner
        return self._create_delivery_address(partner, delivery, address_vals, issues)

    @api.model
    def _create_delivery_address(self, partner, delivery, address_vals, issues):
        """A new delivery contact of ``partner`` for the order's delivery place, held
        for review."""
        vals = {
            "parent_id": partner.id,
            "type": "delivery",
            # Named after the place (the location's or the delivery party's name), not
            # the desk or the street.
            "name": (
                delivery.location_name
                or delivery.party_name
                or (delivery.address and delivery.address.street)
                or delivery.location_id
            ),
            "ref": delivery.location_id or False,
            "lang": partner.lang,
            # Held for a person until reviewed: a place the buyer names is not yet one
            # we know.
            "psb_needs_review": True,
            **address_vals,
        }
        if delivery.party_name and delivery.party_name != vals["name"]:
            # The receiving party (a goods reception desk, say) when the place has a
            # name of its own: kept.
            vals["comment"] = self.env._(
                "Delivery party in the Peppol order: %s", delivery.party_name
            )
        if delivery.contact:
            vals.update(self._contact_vals(delivery.contact))
        shipping = self._partner_model().create(vals)
        self._create_contact_person(shipping, delivery.contact)
        issues.append(
            T._(
                "New delivery address %(name)s was created for %(customer)s.",
                name=shipping.display_name,
                customer=partner.display_name,
            )
        )
        return shipping

    @api.model
    def _match_pricelist(self, company, partner, currency_code, issues):
        """A pricelist in the order's currency: the customer's, else any of the
        company's, else (company option) a new one named after the currency. The
        quotation is never in another currency than the order: when no pricelist can be
        had, the order stops for a person (UserError)."""
        pricelist = partner.with_company(company).property_product_pricelist
        if not currency_code or (
            pricelist and pricelist.currency_id.name == currency_code
        ):
            return pricelist
        if not pricelist and company.currency_id.name == currency_code:
            return pricelist
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_code)], limit=1)
        )
        if not currency:
            raise UserError(
                self.env._(
                    "The order is in %s, a currency this database does not know: add "
                    "the currency (Accounting > "
                    "Settings > Currencies) and press Retry.",
                    currency_code,
                )
            )
        other = self.env["product.pricelist"].search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [False, company.id]),
            ],
            limit=1,
        )
        if other:
            return other
        return self._create_pricelist(company, currency, currency_code, issues)

    @api.model
    def _create_pricelist(self, company, currency, currency_code, issues):
        """A pricelist in the order's currency (company option), the currency activated
        when it is not."""
        if not company.psb_create_pricelist:
            raise UserError(
                self.env._(
                    "The order is in %(currency)s but no pricelist uses that "
                    "currency, and creating one is switched off "
                    "(Settings > eConnect PSB): add a pricelist in %(currency)s and "
                    "press Retry.",
                    currency=currency_code,
                )
            )
        if not currency.active:
            currency.sudo().active = True
            issues.append(
                T._(
                    "The currency %s was activated for this order: check its exchange "
                    "rate.",
                    currency_code,
                )
            )
        vals = {
            "name": currency_code,
            "currency_id": currency.id,
            "company_id": company.id,
        }
        created = self.env["product.pricelist"].sudo().create(vals)
        issues.append(
            T._(
                "The order is in %(currency)s: the pricelist %(pricelist)s was "
                "created for it; the buyer's prices are "
                "kept, check the prices of lines without one.",
                currency=currency_code,
                pricelist=created.display_name,
            )
        )
        return created

    @api.model
    def _order_type_vals(self, order, issues):
        code = (getattr(order, "order_type_code", None) or "").strip()
        if not code:
            return {}
        if code not in dict(ORDER_TYPE_SELECTION):
            issues.append(
                T._("The order type code %s is not a known Peppol order type.", code)
            )
            return {"psb_order_type_code": code}
        return {"psb_order_type_code": code, "psb_order_type": code}

    # ------------------------------------------------------------------
    # Lines
    # ------------------------------------------------------------------
    @api.model
    def _match_products(self, company, partner, lines):
        """A few searches for the whole order: GTIN, our internal reference, the
        customer's code, then the exact item name for what is left."""
        Product = self.env["product.product"].with_company(company)
        base = [("company_id", "in", [False, company.id])]
        by_barcode, by_code, by_customer_code = self._products_by_id(
            Product, base, partner, lines
        )

        # Last resort, one search for the lines no id matched: a product with exactly
        # the item's name (used only when one product has it, and the line says so).
        def match_by_id(line):
            """(product or an empty record, the identifier that matched: gtin /
            seller_code / buyer_code)"""
            if line.standard_item_id and (
                p := by_barcode.get(line.standard_item_id.strip().lstrip("0"))
            ):
                return p, "gtin"
            if line.sellers_item_id and (
                p := by_code.get(line.sellers_item_id.strip())
            ):
                return p, "seller_code"
            if line.buyers_item_id and (
                p := by_customer_code.get(line.buyers_item_id.strip())
            ):
                return p, "buyer_code"
            return Product, "none"

        names = {
            line.name.strip()
            for line in lines
            if line.name and not match_by_id(line)[0]
        }
        by_name = {}
        if names:
            found = Product.search(
                base + [("name", "in", list(names)), ("sale_ok", "=", True)]
            )
            for product in found:
                key = product.name.strip().lower()
                by_name[key] = Product if key in by_name else product

        def match(line):
            """(product or an empty record, whether it was matched on the name only, how
            it was matched: gtin / seller_code / buyer_code / name / none)"""
            product, method = match_by_id(line)
            if product or not line.name:
                return product, False, method
            product = by_name.get(line.name.strip().lower(), Product)
            return product, bool(product), "name" if product else "none"

        return match

    @api.model
    def _products_by_id(self, Product, base, partner, lines):
        """The products of the lines' identifiers, one search each for all lines: (by
        GTIN without its leading zeros, by our internal reference, by the customer's
        code)."""
        gtins = set()
        for line in lines:
            gtins |= _gtin_variants(line.standard_item_id)
        by_barcode, by_code, by_customer_code = {}, {}, {}
        if gtins:
            for product in self._search_loaded(
                Product, base + [("barcode", "in", list(gtins))]
            ):
                by_barcode.setdefault(product.barcode.lstrip("0"), product)
        codes = {line.sellers_item_id.strip() for line in lines if line.sellers_item_id}
        if codes:
            for product in self._search_loaded(
                Product, base + [("default_code", "in", list(codes))], order="id"
            ):
                by_code.setdefault(product.default_code, product)
        buyer_codes = {
            line.buyers_item_id.strip() for line in lines if line.buyers_item_id
        }
        if buyer_codes:
            for code in self.env["econnect.psb.product.code"].search(
                base
                + [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("code", "in", list(buyer_codes)),
                ]
            ):
                by_customer_code.setdefault(code.code, code.product_id)
        return by_barcode, by_code, by_customer_code

    @api.model
    def _uom_matcher(self):
        """Unit code (UN/ECE rec. 20/21) -> uom.uom: the user's own codes first, then
        Odoo's standard units."""
        Unit = self.env["uom.uom"]
        custom = {
            code: Unit.browse(uom_id) for code, uom_id in Unit._psb_custom_codes()
        }
        cache = {}

        def match(code):
            code = (code or "").strip().upper()
            if code not in cache:
                uom = custom.get(code)
                if (
                    not uom
                    and (key := units.unit_key(code))
                    and (xmlid := units.ODOO_UOM_XMLIDS.get(key))
                ):
                    uom = psb_ref(self.env, xmlid, raise_if_not_found=False)
                cache[code] = uom or self.env["uom.uom"]
            return cache[code]

        return match

    @api.model
    def _analytic_models_apply(self, company):
        """Whether an analytic distribution model may apply to this company's order
        lines.

        Without any, Odoo's per-line computation of ``analytic_distribution`` (two
        searches of distribution models per line) always ends empty: the lines get that
        empty value directly, one query per order instead of two per line.
        """
        return self.env["account.analytic.distribution.model"]._psb_any_for_company(
            company.id
        )

    @api.model
    def _prepare_lines(
        self,
        company,
        partner,
        lines,
        issues,
        **values,
    ):
        """The quotation lines' values for the buyer's ``lines`` (``OrderLine``), in the
        order given (an Order Change's added lines are matched as an order's).

        :param values: ``currency``, ``fiscal_position`` (else the import's own) and
            ``pricing``, a dict filled with what the totals check needs to name a cause
            (``ImportContext``).
        """
        ctx = ImportContext(self, company, partner=partner, issues=issues, **values)
        return self._lines_vals(ctx, lines)

    @api.model
    def _lines_vals(self, ctx, lines):
        """The quotation lines' values for the buyer's ``lines`` (``OrderLine``), in the
        order given; what needs a person goes into ``ctx.issues``."""
        ctx.match_product = self._match_products(ctx.company, ctx.partner, lines)
        vals_list = []
        for sequence, line in enumerate(lines, start=1):
            vals, line_issues = self._line_vals(ctx, line)
            vals["sequence"] = sequence * 10
            if ctx.no_analytic_model:
                vals["analytic_distribution"] = False
            if line_issues:
                vals["psb_issue_data"] = joined(line_issues)
                ctx.issues.append(self._line_issue(line.line_id, line_issues))
            vals_list.append(vals)
        return vals_list

    @api.model
    def _line_vals(self, ctx, line):
        """One buyer's line: (the sale order line's values, what needs a person's
        attention)."""
        product, line_issues, match_method = self._line_product(line, ctx)
        uom, uom_issues = self._line_uom(line, product, ctx)
        quantity = float(line.quantity if line.quantity is not None else 1)
        vals = {
            "product_id": product.id,
            "product_uom_qty": quantity,
            "product_uom_id": uom.id,
            "psb_line_ref": line.line_id,
            "psb_ordered_qty": quantity,
            "psb_original_product_id": product.id,
            "psb_match_method": match_method,
            **self._line_buyer_vals(line),
        }
        price_vals, applied, price_issues = self._line_price_vals(
            line, ctx, ctx.pricing
        )
        vals.update(price_vals)
        vals["name"] = self._line_name(line, product, applied, ctx)
        tax_vals, tax_issues = self._line_tax_vals(line, product, ctx)
        vals.update(tax_vals)
        line_issues += uom_issues + price_issues + tax_issues
        if "price_unit" not in vals and product == ctx.placeholder:
            line_issues.append(T._("price missing (0.00): the total is incomplete"))
        self._psb_check_line_values(ctx.company, line, vals, line_issues)
        return vals, line_issues

    @api.model
    def _line_buyer_vals(self, line):
        """What the buyer wrote on the line, as values. Empty values are left to the
        fields' defaults: each value costs the ORM on every line."""
        vals = {}
        if line.unit_code:
            vals["psb_unit_code"] = line.unit_code
        if line.note:
            vals["psb_buyer_line_note"] = line.note
        if line.accounting_cost:
            vals["psb_accounting_cost"] = line.accounting_cost
        if line.requested_start or line.requested_end:
            vals["psb_requested_date"] = line.requested_start or line.requested_end
        return vals

    @api.model
    def _line_product(self, line, ctx):
        """(product or the placeholder, issues, how it was matched)."""
        product, by_name, match_method = ctx.match_product(line)
        if by_name:
            return (
                product,
                [T._("matched on the item name only: check the product")],
                match_method,
            )
        if product:
            return product, [], match_method
        ids = [
            line.standard_item_id and T._("GTIN %s", line.standard_item_id),
            line.sellers_item_id and T._("our ref. %s", line.sellers_item_id),
            line.buyers_item_id and T._("their ref. %s", line.buyers_item_id),
        ]
        ids = joined(filter(None, ids), ", ") if any(ids) else T._("no item id")
        return ctx.placeholder, [T._("product not found (%s)", ids)], match_method

    @api.model
    def _line_uom(self, line, product, ctx):
        """(the unit ordered in, issues): the product's own when the code is unknown."""
        uom = ctx.match_uom(line.unit_code)
        if not uom:
            return product.uom_id, [
                T._(
                    "unit code %s is not known; the product's unit was used",
                    text_code("unit", line.unit_code),
                )
            ]
        if (
            product != ctx.placeholder
            and uom != product.uom_id
            and not uom._has_common_reference(product.uom_id)
        ):
            return uom, [
                T._(
                    "ordered in %(unit)s, which does not convert to the product's "
                    "unit %(product_unit)s",
                    unit=uom.name,
                    product_unit=product.uom_id.name,
                )
            ]
        return uom, []

    @api.model
    def _line_name(self, line, product, applied, ctx):
        """The description: the buyer's item name, what was applied to its price, its
        description, the ids of an unidentified item, the buyer's note."""
        parts = [line.name or product.display_name]
        if applied:
            parts.append(applied)
        if line.description and line.description != line.name:
            parts.append(line.description)
        if product == ctx.placeholder:
            parts += [
                p
                for p in (
                    line.standard_item_id,
                    line.sellers_item_id,
                    line.buyers_item_id,
                )
                if p
            ]
        if line.note:
            parts.append(line.note)
        return "\n".join(parts)

    @api.model
    def _line_price_vals(self, line, ctx, pricing):
        """(price values, what was applied as text, issues): the buyer's net amount kept
        as ordered. ``ctx``: an ``ImportContext`` (its currency and discount
        precision)."""
        currency = ctx.currency
        priced = amounts.price_line(
            line.quantity,
            line.price,
            line.base_quantity,
            line.allowance_charges,
            line.line_amount,
            digits=currency.decimal_places,
            discount_digits=ctx.discount_digits,
        )
        pricing[line.line_id] = priced
        vals = {}
        if priced.price_unit is not None:
            # Marked as a manual price, so Odoo's pricelist does not silently replace
            # it.
            vals.update(
                {
                    "price_unit": float(priced.price_unit),
                    "discount": float(priced.discount),
                    "technical_price_unit": 0.0,
                    "psb_ordered_price": float(priced.net_unit_price),
                    "psb_ordered_gross_price": float(
                        priced.gross_unit_price
                        if priced.gross_unit_price is not None
                        else priced.price_unit
                    ),
                }
            )
            if priced.discount:
                vals["psb_ordered_discount"] = float(priced.discount)
        if line.line_amount is not None or priced.amount is not None:
            vals["psb_ordered_amount"] = float(
                line.line_amount if line.line_amount is not None else priced.amount
            )
        return (
            vals,
            self._applied_label(priced, line, currency),
            self._pricing_issues(priced, currency),
        )

    @api.model
    def _line_tax_vals(self, line, product, ctx):
        """(tax values, issues): the order's tax category where an exactly matching tax
        exists, else ours."""
        taxes, tax_issue, effective = ctx.match_tax(
            product, line.tax_category, line.tax_percent
        )
        ctx.pricing.setdefault("line_taxes", set()).add(tuple(effective.ids))
        vals = {"tax_ids": [Command.set(taxes.ids)]} if taxes is not None else {}
        if not tax_issue:
            if vals and line.tax_category:
                vals["psb_tax_from_order"] = (
                    True  # the order's tax: kept when a person replaces the product
                )
            return vals, []
        ctx.pricing.setdefault("tax_flagged", []).append(line.line_id)
        return vals, [tax_issue]

    # ------------------------------------------------------------------
    # Amounts: allowances, charges, taxes and the totals check
    # ------------------------------------------------------------------
    @api.model
    def _money(self, amount, currency):
        return format_amount(self.env, float(amount), currency)

    @api.model
    def _reason(self, applied):
        return (
            applied.reason
            or applied.reason_code
            or (self.env._("charge") if applied.is_charge else self.env._("allowance"))
        )

    @api.model
    def _reason_data(self, applied):
        """The reason of an allowance or charge, as a text of models/psb_texts.py."""
        return (
            applied.reason
            or applied.reason_code
            or (T._("charge") if applied.is_charge else T._("allowance"))
        )

    @api.model
    def _applied_label(self, priced, line, currency):
        """What was applied to the buyer's price, for the line description: "−5 %
        project discount, +€12.50 cutting charge"."""
        parts = []
        if line.gross_price is not None and line.price_discount:
            parts.append(
                self.env._(
                    "list price %(gross)s less %(discount)s",
                    gross=self._money(line.gross_price, currency),
                    discount=self._money(line.price_discount, currency),
                )
            )
        for applied in priced.applied:
            sign = "+" if applied.is_charge else "−"
            if applied.percent is not None and applied.amount is not None:
                parts.append(
                    f"{sign}{applied.percent.normalize():f} % {self._reason(applied)}"
                    f" ({self._money(applied.amount, currency)})"
                )
            elif applied.amount is not None:
                parts.append(
                    f"{sign}{self._money(applied.amount, currency)} "
                    f"{self._reason(applied)}"
                )
        return ", ".join(parts)

    @api.model
    def _problem_text(self, problem, currency, reason=""):
        values = problem.values

        def money(key):
            if values.get(key) is None:
                return "-"
            return to_money(values[key], currency)

        if problem.code == "stated_amount_differs":
            return T._(
                "the order states a line amount of %(stated)s but its quantity × "
                "price ± allowances gives "
                "%(computed)s; the quotation uses %(computed)s: check with the buyer",
                stated=money("stated"),
                computed=money("computed"),
            )
        if problem.code == "no_amount":
            return T._(
                "the %s has neither an amount nor a percentage: it was not applied, "
                "add it by hand",
                reason or T._("allowance or charge"),
            )
        if problem.code == "percent_without_base":
            return T._(
                "the %(percent)s %% %(reason)s has no base amount: it was not "
                "applied, add it by hand",
                percent=num(values["percent"]),
                reason=reason,
            )
        if problem.code == "amount_contradicts_percent":
            return T._(
                "the %(reason)s of %(amount)s is not %(percent)s %% of %(base)s "
                "(%(computed)s); the stated amount "
                "was used",
                reason=reason,
                amount=money("amount"),
                percent=num(values["percent"]),
                base=money("base"),
                computed=money("computed"),
            )
        if problem.code == "bad_base_quantity":
            return T._(
                "the price's base quantity %s is not positive: the price was taken "
                "per unit",
                num(values["base_quantity"]),
            )
        return problem.code

    @api.model
    def _pricing_issues(self, priced, currency):
        issues = []
        by_problem = {id(a.problem): a for a in priced.applied if a.problem}
        for problem in priced.problems:
            applied = by_problem.get(id(problem))
            issues.append(
                self._problem_text(
                    problem, currency, self._reason_data(applied) if applied else ""
                )
            )
        return issues

    @api.model
    def _allowance_products(self, company):
        """The service products of document-level allowances and charges (read once per
        import)."""
        discount = company.psb_discount_product_id or psb_ref(
            self.env, "sale_econnect_psb.product_psb_order_discount"
        )
        charge = company.psb_charge_product_id or psb_ref(
            self.env, "sale_econnect_psb.product_psb_order_charge"
        )
        freight = company.psb_freight_product_id
        if not freight:
            freight = (
                psb_ref(
                    self.env,
                    "delivery.product_product_delivery",
                    raise_if_not_found=False,
                )
                or charge
            )
        return discount, charge, freight

    @api.model
    def _prepare_document_allowances(
        self,
        company,
        partner,
        order,
        issues,
        line_vals,
        **values,
    ):
        """One quotation line per document-level allowance or charge of ``order``, never
        a silent drop (for an Order Change's restated allowances; ``values`` as
        :meth:`_prepare_lines`', ``pricing["line_taxes"]``: the taxes of the order's
        lines)."""
        ctx = ImportContext(self, company, partner=partner, issues=issues, **values)
        return self._allowance_lines_vals(ctx, order, line_vals)

    @api.model
    def _allowance_lines_vals(self, ctx, order, line_vals):
        """One quotation line per document-level allowance or charge, never a silent
        drop, after ``line_vals``."""
        if not getattr(order, "allowance_charges", None):
            return []
        # An allowance or charge without a tax category follows the lines when they all
        # have the same taxes.
        line_taxes = ctx.pricing.get("line_taxes") or set()
        shared_taxes = list(next(iter(line_taxes))) if len(line_taxes) == 1 else None
        sequence = max((v["sequence"] for v in line_vals), default=0)
        result = []
        for ac in order.allowance_charges:
            sequence += 10
            result.append(self._allowance_line_vals(ctx, ac, sequence, shared_taxes))
        return result

    @api.model
    def _allowance_line_vals(self, ctx, ac, sequence, shared_taxes):
        """The quotation line of one document-level allowance or charge ``ac``; what
        needs a person goes into ``ctx.issues``."""
        currency = ctx.currency
        applied = amounts.allowance_charge_amount(ac, currency.decimal_places)
        ctx.pricing.setdefault("document", []).append(applied)
        discount_product, charge_product, freight_product = ctx.allowance_products
        product = (
            (freight_product if applied.is_freight else charge_product)
            if ac.is_charge
            else discount_product
        )
        reason = self._reason(applied)
        name = reason
        if applied.percent is not None:
            name = f"{reason} ({applied.percent.normalize():f} %" + (
                f" × {self._money(applied.base_amount, currency)})"
                if applied.base_amount is not None
                else ")"
            )
        amount = applied.amount or 0
        vals = {
            "sequence": sequence,
            "product_id": product.id,
            "name": name,
            "product_uom_qty": 1.0,
            "price_unit": float(amount if ac.is_charge else -amount),
            "discount": 0.0,
            "technical_price_unit": 0.0,
            "psb_allowance_kind": "charge" if ac.is_charge else "allowance",
            "psb_ordered_price": float(applied.signed),
            "psb_ordered_amount": float(applied.signed),
        }
        if ctx.no_analytic_model:
            vals["analytic_distribution"] = False
        line_issues = (
            [self._problem_text(applied.problem, currency, reason)]
            if applied.problem
            else []
        )
        line_issues += self._allowance_tax(ctx, vals, applied, product, shared_taxes)
        if line_issues:
            vals["psb_issue_data"] = joined(line_issues)
            kind = T._("Charge") if ac.is_charge else T._("Allowance")
            ctx.issues.append(
                T._(
                    "%(kind)s %(name)s: %(issues)s",
                    kind=kind,
                    name=reason,
                    issues=joined(line_issues),
                )
            )
        return vals

    @api.model
    def _allowance_tax(self, ctx, vals, applied, product, shared_taxes):
        """The tax of an allowance or charge line into ``vals``: the order's category,
        else the lines' taxes when they all have the same. :returns: the issues"""
        if applied.tax_category:
            taxes, tax_issue, _effective = ctx.match_tax(
                product, applied.tax_category, applied.tax_percent
            )
            if taxes is not None:
                vals["tax_ids"] = [Command.set(taxes.ids)]
            if tax_issue:
                ctx.pricing.setdefault("tax_flagged", []).append(self._reason(applied))
                return [tax_issue]
        elif shared_taxes is not None:
            vals["tax_ids"] = [Command.set(shared_taxes)]
        elif applied.amount:
            return [
                T._(
                    "no tax category in the order and the lines have different taxes: "
                    "check the tax of this line"
                )
            ]
        return []

    @api.model
    def _total_labels(self):
        return {
            "line_extension": T._("Sum of the lines"),
            "allowance_total": T._("Order discounts"),
            "charge_total": T._("Order charges"),
            "tax_exclusive": T._("Untaxed amount"),
            "tax": T._("Tax"),
            "tax_inclusive": T._("Total"),
            "payable": T._("Amount due"),
        }

    @api.model
    def _check_amounts(self, sale_order, order, issues, pricing):
        """Compare the quotation's totals with the order's and fill
        ``psb_amounts_state``; every difference goes into ``issues`` with both amounts
        and its likely cause."""
        ordered = amounts.ordered_totals(order)
        currency = sale_order.currency_id
        digits = currency.decimal_places
        inconsistencies = amounts.order_inconsistencies(order, digits)
        for problem in inconsistencies:
            issues.append(self._inconsistency_text(problem, currency))
        if not ordered:
            sale_order.psb_amounts_state = "unchecked"
            return []
        lines = sale_order.order_line.filtered(lambda ln: not ln.display_type)
        allowances = lines.filtered(lambda ln: ln.psb_allowance_kind == "allowance")
        charges = lines.filtered(lambda ln: ln.psb_allowance_kind == "charge")
        goods = lines - allowances - charges
        quoted = amounts.quoted_totals(
            sum(goods.mapped("price_subtotal")),
            -sum(allowances.mapped("price_subtotal")),
            sum(charges.mapped("price_subtotal")),
            sale_order.amount_untaxed,
            sale_order.amount_tax,
            sale_order.amount_total,
            order.prepaid_amount,
            order.payable_rounding_amount,
        )
        differences = amounts.compare_totals(ordered, quoted, digits)
        labels = self._total_labels()
        messages = []
        for difference in differences:
            cause = self._difference_cause(
                difference, order, goods, pricing, inconsistencies, currency
            )
            messages.append(
                T._(
                    "%(total)s: the buyer's order says %(ordered)s, the quotation "
                    "%(quoted)s (%(cause)s).",
                    total=labels[difference.key],
                    ordered=to_money(difference.ordered, currency),
                    quoted=to_money(difference.quoted, currency),
                    cause=cause,
                )
            )
        sale_order.write(
            {
                "psb_amounts_state": "differ" if differences else "match",
                "psb_amounts_data": messages or False,
            }
        )
        issues.extend({**message, "kind": "amounts"} for message in messages)
        return differences

    @api.model
    def _recheck_amounts(self, sale_order):
        """The totals check again, after a person gave a line another tax: against what
        the buyer last sent (its last applied Order Change, else its order). The Peppol
        tab and the banner show the new result in place of the earlier one."""
        change = self.env["econnect.psb.order.change"]._applied_changes(sale_order)[-1:]
        parsed = change._read_xml() if change else sale_order._psb_original_order()
        if parsed is None:
            return []
        return self.env["econnect.psb.order.change"]._check_change_amounts(
            sale_order, parsed, {}, label=T._("After a change of a line's tax:")
        )

    @api.model
    def _inconsistency_text(self, problem, currency):
        texts = {
            "lines_sum": T._("its sum of the lines"),
            "allowances_sum": T._("its total of the order discounts"),
            "charges_sum": T._("its total of the order charges"),
            "tax_exclusive_sum": T._("its untaxed amount"),
            "tax_inclusive_sum": T._("its total with tax"),
            "payable_sum": T._("its amount due"),
        }
        return T._(
            "The buyer's order does not add up: %(what)s is %(stated)s but its own "
            "amounts give %(computed)s.",
            what=texts.get(problem.code, problem.code),
            stated=to_money(problem.values["stated"], currency),
            computed=to_money(problem.values["computed"], currency),
        )

    @api.model
    def _difference_cause(
        self, difference, order, goods, pricing, inconsistencies, currency
    ):
        """The likely cause of a difference, in words: a line, a charge, a tax, or the
        buyer's arithmetic."""
        key = difference.key
        own = {p.code for p in inconsistencies}
        causes = []
        if key in ("line_extension", "tax_exclusive", "tax_inclusive", "payable"):
            causes += self._line_causes(goods, pricing, own, currency)
        if key in (
            "allowance_total",
            "charge_total",
            "tax_exclusive",
            "tax_inclusive",
            "payable",
        ):
            bad = [
                self._reason_data(a) for a in pricing.get("document", []) if a.problem
            ]
            if bad:
                causes.append(
                    T._(
                        "the order discount or charge %s could not be applied as "
                        "stated",
                        joined(bad, ", "),
                    )
                )
            if own & {"allowances_sum", "charges_sum", "tax_exclusive_sum"}:
                causes.append(T._("the order's own totals do not add up"))
        if key in ("tax", "tax_inclusive", "payable"):
            causes += self._tax_causes(order, pricing, currency)
        if key in ("tax_inclusive", "payable") and own & {
            "tax_inclusive_sum",
            "payable_sum",
        }:
            causes.append(T._("the order's own totals do not add up"))
        unique = list(
            {json.dumps(cause, sort_keys=True): cause for cause in causes}.values()
        )
        return joined(unique) if unique else T._("a line was changed")

    @api.model
    def _line_causes(self, goods, pricing, own, currency):
        """The causes of a difference in the lines' sum: lines that differ from their
        ordered amount, lines the buyer gave no price, the buyer's own arithmetic."""
        digits = currency.decimal_places
        differing = [
            line.psb_line_ref
            for line in goods
            if line.psb_line_ref
            and float_compare(
                line.price_subtotal, line.psb_ordered_amount, precision_digits=digits
            )
            != 0
            and line.psb_line_ref in pricing
            and pricing[line.psb_line_ref].amount is not None
        ]
        unpriced = [
            ref
            for ref, priced in pricing.items()
            if isinstance(priced, amounts.LinePricing) and priced.price_unit is None
        ]
        causes = []
        if differing:
            causes.append(
                T._(
                    "line %s differs from the ordered line amount",
                    ", ".join(differing[:5]),
                )
            )
        if unpriced:
            causes.append(
                T._(
                    "line %s had no price in the order: our price was used",
                    ", ".join(unpriced[:5]),
                )
            )
        if "lines_sum" in own:
            causes.append(T._("the order's own lines do not add up to its total"))
        return causes

    @api.model
    def _tax_causes(self, order, pricing, currency):
        """The causes of a difference in the tax: lines whose tax is not the order's,
        the order's tax total against its own categories, else the taxes and their
        rounding to check."""
        causes = []
        if pricing.get("tax_flagged"):
            causes.append(
                T._(
                    "the tax of %s is not the order's",
                    ", ".join(str(r) for r in pricing["tax_flagged"][:5]),
                )
            )
        digits = currency.decimal_places
        own_tax = amounts.order_tax(order, digits)
        if (
            own_tax is not None
            and order.tax_amount is not None
            and amounts.quantize(own_tax, digits)
            != amounts.quantize(order.tax_amount, digits)
        ):
            causes.append(
                T._(
                    "the order's tax total does not match its own tax categories (%s)",
                    to_money(own_tax, currency),
                )
            )
        elif not pricing.get("tax_flagged"):
            causes.append(
                T._("check the taxes of the lines and the tax rounding of the company")
            )
        return causes

    # ------------------------------------------------------------------
    # Attachments and texts
    # ------------------------------------------------------------------
    @api.model
    def _order_note(self, order):
        parts = []
        if order.notes:
            parts.append(
                "<p><strong>{}</strong><br/>{}</p>".format(
                    html_escape(self.env._("Buyer's note")),
                    "<br/>".join(html_escape(n) for n in order.notes),
                )
            )
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
        lines = [
            f"{html_escape(label)}: {html_escape(value)}"
            for label, value in refs
            if value
        ]
        if lines:
            parts.append("<p>{}</p>".format("<br/>".join(lines)))
        return "".join(parts) or False

    @api.model
    def _issues_html(self, title, issues):
        """A title and a list, as HTML that ``message_post`` and Html fields keep as it
        is (the texts escaped); texts of models/psb_texts.py are written in the
        environment's language."""
        return render_html(self.env, title, issues)

    @api.model
    def _line_issue(self, line_id, line_issues):
        """The order's note of what was found on the buyer's line ``line_id``."""
        return {
            **T._(
                "Line %(line)s: %(issues)s", line=line_id, issues=joined(line_issues)
            ),
            "line": line_id,
        }

    @api.model
    def _attach_documents(self, sale_order, document, order, issues):
        """Keep the original XML (and the order's embedded files) on the sale order."""
        Attachment = self.env["ir.attachment"]
        attachments = Attachment
        if document.attachment_id:
            attachments |= document.attachment_id.copy(
                {"res_model": "sale.order", "res_id": sale_order.id}
            )
        for doc in order.attachments:
            if doc.content:
                attachments |= Attachment.create(
                    {
                        "name": doc.filename or doc.id or "attachment",
                        "raw": doc.content,
                        "mimetype": doc.mime_code or False,
                        "res_model": "sale.order",
                        "res_id": sale_order.id,
                    }
                )
            elif doc.uri:
                issues.append(
                    T._("The order refers to an external document: %s", doc.uri)
                )
        # Logged, nobody notified (README, "Who is told what"): an order that needs a
        # person gets an activity (here, or when the automatic confirmation stops it),
        # the rest are on the order desk.
        sale_order._psb_log(
            self._origin_text(document, order), attachment_ids=attachments.ids
        )

    @api.model
    def _origin_text(self, document, order):
        """The order's first chatter line (models/psb_texts.py): where it came from
        (through the PSB, or a file a person uploaded)."""
        person = document.create_uid.name or "-"
        if document.source == "upload":
            return T._(
                "Quotation created from Peppol order %(order)s, uploaded by hand by "
                "%(user)s (file %(file)s): not "
                "received through the eConnect PSB.",
                order=order.id,
                user=person,
                file=document.attachment_id.name or "-",
            )
        if document.source == "manual":
            return T._(
                "Quotation created from Peppol order %(order)s, fetched from the "
                "eConnect PSB by %(user)s.",
                order=order.id,
                user=person,
            )
        return T._(
            "Quotation created from Peppol order %(order)s received through the "
            "eConnect PSB.",
            order=order.id,
        )

    @api.model
    def _psb_check_line_values(self, company, line, vals, line_issues):
        """Flag zero, negative and implausibly large quantities and prices of one line
        (``line_issues``); a negative quantity is put on the sale line as 0 (the ordered
        value stays in ``psb_ordered_qty``)."""
        result = line_checks.check_line(
            line.quantity,
            line.unit_price,
            company.psb_max_line_quantity,
            company.psb_max_unit_price,
        )
        if result.hold:
            vals["product_uom_qty"] = 0.0
        texts = {
            "quantity_zero": lambda p: T._("quantity is 0"),
            "quantity_negative": lambda p: T._(
                "negative quantity %s: imported as 0, decide with the buyer what is "
                "meant",
                num(p.value),
            ),
            "quantity_too_large": lambda p: T._(
                "quantity %(qty)s is above the plausible %(limit)s: check it",
                qty=num(p.value),
                limit=num(p.limit),
            ),
            "price_zero": lambda p: T._("unit price is 0"),
            "price_negative": lambda p: T._(
                "negative unit price %s: check it", num(p.value)
            ),
            "price_too_large": lambda p: T._(
                "unit price %(price)s is above the plausible %(limit)s: check it",
                price=num(p.value),
                limit=num(p.limit),
            ),
        }
        line_issues += [texts[problem.code](problem) for problem in result.problems]
