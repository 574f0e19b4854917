# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Straight-through Peppol orders: confirm and accept (AP) an imported order when
nothing needs a person.

The conditions themselves are plain Python (``psb/autoconfirm.py``); this model flags
the buyer's prices against ours while the import prepares the lines (one pricelist
computation per unit for all lines), gathers the conditions' facts from the imported
quotation in a few batch reads, stores the decision and its reasons on the order, and
confirms it as the responsible user.
"""

import logging
from collections import defaultdict

import psycopg2

from odoo import api, fields, models

from ..psb import autoconfirm
from .psb_refs import psb_ref
from .psb_texts import FORMATS, T, joined
from .psb_texts import note as psb_note

_logger = logging.getLogger(__name__)

#: How many times the decision is made on a fresh snapshot when another worker changed
#: the order meanwhile.
ATTEMPTS = 3


class EconnectPsbAutoConfirm(models.AbstractModel):
    _name = "econnect.psb.auto.confirm"
    _description = "eConnect PSB: automatic confirmation of Peppol orders"

    # ------------------------------------------------------------------
    # Entry point: the document loop, right after the import was committed
    # ------------------------------------------------------------------
    @api.model
    def _run(self, document):
        """Decide on the order ``document`` imported, in this transaction (see
        :meth:`_decide_steps`)."""
        for _step in self._decide_steps(document):
            pass  # nothing is committed here: a conflict leaves the order for a person

    @api.model
    def _decide_steps(self, document):
        """Decide on the order ``document`` imported: flag price differences, and
        confirm it when the company confirms automatically and every condition is met.
        Never raises; a repeated run (or a repeated delivery of the same order) decides
        nothing twice.

        A generator, steps of the document's processing (``econnect.psb.queue.mixin``).
        Another worker may change the order at the same moment (sending its
        acknowledgement, say): PostgreSQL then refuses this transaction's write. It then
        yields, for the queue to commit: when the queue did (a scheduled run, a fresh
        snapshot), the decision is made again, up to ``ATTEMPTS`` times; after that, or
        outside a scheduled run, the order is left for a person, who is told why."""
        for attempt in range(1, ATTEMPTS + 1):
            if not self._undecided(document):
                return
            try:
                with self.env.cr.savepoint():
                    self._decide(document.sale_order_id.sudo())
            except psycopg2.errors.TransactionRollbackError:
                if attempt < ATTEMPTS and (yield):
                    self.env.invalidate_all()
                    continue
                self._left_for_a_person(document)
            # the import is done; the order simply stays a quotation
            except Exception:  # noqa: BLE001
                _logger.exception(
                    "PSB document %s: automatic confirmation could not be decided",
                    document.psb_document_id,
                )
            return

    @api.model
    def _undecided(self, document):
        """Whether the order ``document`` imported still waits for the decision."""
        order = document.sale_order_id
        return (
            document.state == "imported"
            and document.document_type == "order"
            and order
            and order.psb_document_id == document
            and not order.psb_auto_state
            and order.state == "draft"
        )

    @api.model
    def _left_for_a_person(self, document):
        order = document.sale_order_id.sudo()
        reason = T._(
            "the order was changed by another process while it was being decided: "
            "confirm it by hand"
        )
        try:
            with self.env.cr.savepoint():
                order.write(
                    {"psb_auto_state": "person", "psb_auto_reasons_data": [reason]}
                )
                self._ask_person(order, T._("Not confirmed automatically:"), [reason])
        except psycopg2.errors.TransactionRollbackError:
            _logger.warning(
                "PSB document %s: the order could not be decided, nor marked",
                document.psb_document_id,
            )

    @api.model
    def _decide(self, order):
        company = order.company_id
        if not company.psb_auto_confirm:
            order.psb_auto_state = "off"
            return
        if (
            order.psb_document_id.source == "upload"
            and not company.psb_auto_confirm_uploads
        ):
            # Nothing authenticates an uploaded file's sender (the PSB did not deliver
            # it): a person confirms.
            reason = T._(
                "uploaded by hand: uploaded orders are not confirmed automatically "
                "(Settings)"
            )
            order.write({"psb_auto_state": "off", "psb_auto_reasons_data": [reason]})
            return
        settings = self._settings(company)
        facts = self._facts(order, settings)
        failures = autoconfirm.evaluate(facts, settings, T._, FORMATS)
        if failures:
            reasons = [f.reason for f in failures]
            order.write({"psb_auto_state": "person", "psb_auto_reasons_data": reasons})
            if not order._psb_activities("import"):
                self._ask_person(order, T._("Not confirmed automatically:"), reasons)
            return
        self._confirm(order, autoconfirm.conditions(settings, T._, FORMATS))

    # ------------------------------------------------------------------
    # Facts, settings
    # ------------------------------------------------------------------
    @api.model
    def _settings(self, company):
        return autoconfirm.Settings(
            known_customer=company.psb_auto_known_customer,
            identified_lines=company.psb_auto_identified_lines,
            units=company.psb_auto_units,
            accept_buyer_price=company.psb_auto_price_mode == "accept",
            price_tolerance=company.psb_auto_price_tolerance or 0.0,
            totals=company.psb_auto_totals,
            future_date=company.psb_auto_future_date,
            note_needs_person=company.psb_auto_note_needs_person,
            max_amount=company.psb_auto_max_amount or 0.0,
            trusted_only=company.psb_auto_trusted_only,
            order_types=autoconfirm.parse_order_types(company.psb_auto_order_types),
        )

    @api.model
    def _our_prices(self, pricelist, company, currency, date, items):
        """Our pricelist price of each ``(product, unit, quantity)`` of ``items`` for
        this customer, in that unit and ``currency``, as Odoo's sale lines compute it:
        once per unit (and per quantity only when a quantity break applies) for all
        products, never per line; when no rule of the pricelist applies to any of the
        products, their sales price converted in one pass (what Odoo falls back to)."""
        products = self.env["product.product"].browse(
            {product.id for product, _unit, _qty in items}
        )
        if not products:
            return []
        date = date or fields.Datetime.now()
        rules = pricelist._get_applicable_rules(products, date)
        by_quantity = bool(rules.filtered(lambda rule: rule.min_quantity > 1))
        groups = defaultdict(set)
        for product, unit, quantity in items:
            groups[(unit, quantity if by_quantity else 1.0)].add(product.id)
        prices = {}
        for (unit, quantity), product_ids in groups.items():
            group = products.browse(product_ids)
            if rules:
                found = pricelist.with_company(company)._get_products_price(
                    group, quantity, currency=currency, uom=unit, date=date
                )
            else:
                found = self._sales_prices(group, company, currency, unit, date)
            for product_id, price in found.items():
                prices[(product_id, unit.id, quantity)] = price
        return [
            prices.get((p.id, u.id, q if by_quantity else 1.0)) for p, u, q in items
        ]

    @api.model
    def _sales_prices(self, products, company, currency, unit, date):
        """The products' sales price in ``unit`` and ``currency``: a pricelist line's
        base when no rule applies (``product.pricelist.item._compute_base_price``)."""
        prices = {}
        for product in products.with_company(company):
            template = product.product_tmpl_id
            price = template.list_price
            if (
                product.combination_indices
            ):  # a stored column: no query for products without variants
                price += product.price_extra
            price = template.uom_id._compute_price(price, unit)
            own = self._template_currency(template)
            if own != currency:
                price = own._convert(price, currency, company, date, round=False)
            prices[product.id] = price
        return prices

    @api.model
    def _template_currency(self, template):
        """``product.template.currency_id`` as Odoo computes it (its company's, else the
        main company's), without its check that the main company exists: a query per
        order."""
        if template.company_id:
            return template.company_id.sudo().currency_id
        main = psb_ref(self.env, "base.main_company", raise_if_not_found=False)
        return (
            (main or self.env["res.company"].sudo().search([], limit=1, order="id"))
            .sudo()
            .currency_id
        )

    @api.model
    def _price_flags(self, company, pricelist, currency, date, vals_list):
        """Our price on every buyer's line (``vals_list``, before the lines are created)
        and the flag of those whose net price is not within the company's tolerance of
        it, whatever the settings (a sales user wants to know even when confirming by
        hand). The order's own allowances and charges are not compared: the totals check
        covers them. Returns the warnings, for the banner."""
        placeholder = psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        lines = [
            v
            for v in vals_list
            if not v.get("psb_allowance_kind") and v["product_id"] != placeholder.id
        ]
        Product, Unit = self.env["product.product"], self.env["uom.uom"]
        ours = self._our_prices(
            pricelist,
            company,
            currency,
            date,
            [
                (
                    Product.browse(v["product_id"]),
                    Unit.browse(v["product_uom_id"]),
                    v["product_uom_qty"],
                )
                for v in lines
            ],
        )
        tolerance = company.psb_auto_price_tolerance or 0.0
        warnings = []
        for vals, our_price in zip(lines, ours, strict=True):
            vals["psb_our_price"] = our_price or 0.0
            if "price_unit" not in vals:
                continue  # no buyer's price: the line takes ours
            reason = autoconfirm.price_reason(
                autoconfirm.LineFacts(
                    ref=vals["psb_line_ref"],
                    ordered_price=vals["price_unit"]
                    * (1 - vals.get("discount", 0.0) / 100),
                    our_price=our_price,
                ),
                currency,  # written through FORMATS, which takes the record
                tolerance,
                T._,
                FORMATS,
            )
            if reason:
                vals["psb_price_differs"] = True
                warnings.append(reason)
        return warnings or False

    @api.model
    def _priced_lines(self, order):
        """The buyer's lines: not the order's own allowances and charges (nor sections
        and notes)."""
        return order.order_line.filtered(
            lambda ln: (
                not ln.display_type
                and not ln.is_downpayment
                and not ln.psb_allowance_kind
            )
        )

    @api.model
    def _facts(self, order, settings):
        """The order's facts for ``psb.autoconfirm``; our prices are those the import
        noted on the lines."""
        company = order.company_id
        lines = self._priced_lines(order)
        line_facts = self._line_facts(lines)
        symbol = (
            order.currency_id
        )  # the currencies go through FORMATS, which takes the records
        issues = self._import_issues(order, lines)
        issues = joined(issues) if issues else None
        if not issues and order.psb_needs_attention:
            issues = T._("the order is marked as needing attention")
        partner = order.partner_id.commercial_partner_id
        amount = order.currency_id._convert(
            order.amount_total,
            company.currency_id,
            company,
            order.date_order or fields.Date.today(),
        )
        return autoconfirm.OrderFacts(
            customer_name=partner.display_name,
            customer_new=partner.psb_needs_review,
            customer_by_name=order.psb_customer_by_name,
            customer_trusted=partner.psb_auto_trusted,
            delivery_name=order.partner_shipping_id.display_name,
            delivery_new=order.partner_shipping_id != order.partner_id
            and order.partner_shipping_id.psb_needs_review,
            amounts_state=order.psb_amounts_state or None,
            import_issues=issues,
            requested_date=order.commitment_date.date()
            if order.commitment_date
            else None,
            note=order.psb_buyer_note or "",
            amount=amount,
            today=fields.Date.context_today(order),
            currency_symbol=symbol,
            company_currency_symbol=company.currency_id,
            lines=line_facts,
            discounts=[
                (line.name, -line.price_subtotal)
                for line in order.order_line
                if line.psb_allowance_kind == "allowance" and line.price_subtotal
            ],
            order_type=order.psb_order_type_code or "",
            order_type_name=dict(
                order._fields["psb_order_type"]._description_selection(self.env)
            ).get(order.psb_order_type, ""),
        )

    @api.model
    def _import_issues(self, order, lines):
        """What the import flagged on the order, each once: the order's notes, which
        name the buyer's lines' issues too ("Line 3: ..."), and a line's own issue only
        when the order's notes do not name that line (noted on the line alone)."""
        noted = order.psb_issue_data or []
        named = {
            entry.get("line")
            if isinstance(entry, dict)
            else order._psb_issue_line_ref(str(entry))
            for entry in noted
        }
        return [
            *noted,
            *(
                line.psb_issue_data
                for line in lines
                if line.psb_issue_data
                and not (line.psb_line_ref and line.psb_line_ref in named)
            ),
        ]

    @api.model
    def _line_facts(self, lines):
        """The facts of the buyer's ``lines`` for ``psb.autoconfirm``."""
        placeholder = psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        match_uom = self.env["econnect.psb.order.import"]._uom_matcher()
        line_facts = []
        for line in lines:
            code = line.psb_unit_code or ""
            product_uom = line.product_id.uom_id
            converts = (
                line.product_id == placeholder
                or line.product_uom_id == product_uom
                or line.product_uom_id._has_common_reference(product_uom)
            )
            line_facts.append(
                autoconfirm.LineFacts(
                    ref=line.psb_line_ref or str(line.sequence),
                    match_method=line.psb_match_method
                    or ("none" if line.product_id == placeholder else "name"),
                    unit_code=code or line.product_uom_id.name,
                    unit_known=not code or bool(match_uom(code)),
                    unit_converts=converts,
                    ordered_price=line.price_unit * (1 - (line.discount or 0.0) / 100),
                    our_price=None
                    if line.product_id == placeholder
                    else line.psb_our_price,
                    requested_date=line.psb_requested_date or None,
                    note=line.psb_buyer_line_note or "",
                )
            )
        return line_facts

    # ------------------------------------------------------------------
    # Confirming
    # ------------------------------------------------------------------
    @api.model
    def _responsible(self, order):
        return order.user_id or self.env["econnect.psb.order.import"]._responsible_user(
            order.company_id, order.partner_id
        )

    @api.model
    def _ask_person(self, order, title, reasons, user=None):
        """The responsible's activity for an order the automatic confirmation left for a
        person."""
        order._psb_activity(
            "confirm",
            summary=T._(
                "Confirm the Peppol order %s", order.psb_order_ref or order.name
            ),
            note=psb_note(title, reasons),
            user=user or self._responsible(order),
        )

    @api.model
    def _confirm(self, order, met):
        """Confirm as the responsible user with the company's rights and accept (AP)
        once. Any failure leaves the quotation as it was, says so in the banner and
        gives the responsible an activity."""
        company = order.company_id
        user = self._responsible(order)
        try:
            with self.env.cr.savepoint():
                as_user = (
                    order.with_user(user)
                    .with_company(company)
                    .with_context(psb_auto_confirming=True)
                )
                as_user.action_confirm()
                # action_confirm answers AP (or CA) when the company answers on
                # confirmation; else here.
                if (
                    as_user.psb_answerable
                    and as_user.psb_awaiting_answer
                    and as_user.psb_buyer_can_respond != "no"
                ):
                    as_user._psb_queue_response("AP")
                # Written with the confirmation (one write of the order when the
                # savepoint is released).
                order.write(
                    {"psb_auto_state": "confirmed", "psb_auto_reasons_data": met}
                )
                order._psb_log(
                    psb_note(T._("Confirmed automatically: all conditions met"), met),
                    lang=user.lang,
                )
        # a stock rule, an access error, another module's exception
        except Exception as exc:  # noqa: BLE001
            _logger.info(
                "Peppol order %s was not confirmed automatically: %r", order.name, exc
            )
            error = str(exc.args[0]) if getattr(exc, "args", None) else repr(exc)
            reason = T._("Automatic confirmation failed: %(error)s", error=error)
            order.write({"psb_auto_state": "person", "psb_auto_reasons_data": [reason]})
            self._ask_person(
                order,
                T._("All conditions were met but the automatic confirmation failed:"),
                [error],
                user=user,
            )
            return False
        return True
