# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order Changes and Order Cancellations from the buyer (Peppol Advanced Ordering).

A change restates the whole order; each line says what happens to it (1 added, 2
deleted, 3 changed, 4 no action, 74 reopened). On a quotation it is applied at once and
accepted; on an order confirmed automatically it is applied and accepted when safe
(nothing it touches delivered or invoiced, the changed order meets every condition of
the automatic confirmation); on any other confirmed order a person decides (apply and
accept, or reject: the last agreed order stands). A cancellation cancels the order when
the company allows it and nothing was delivered or invoiced, otherwise a person decides.
A change or cancellation that answers our own proposal (a CA or an RE we sent) is
applied without a further answer.
"""

import dataclasses
from datetime import datetime, time, timedelta
from decimal import Decimal

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

from ..psb import agreement as ag
from ..psb import autoconfirm
from .econnect_psb_document import Outcome
from .psb_import_context import ImportContext
from .psb_texts import T, formats_for, joined, render

# A change whose sequence number skips one waits this long for the missing one before it
# is applied (sequence numbers are not guaranteed to be consecutive).
CHANGE_GAP_WAIT = timedelta(minutes=10)
# A change that arrives while a person decides on an earlier one is looked at again
# after this.
DECISION_WAIT = timedelta(hours=1)


class EconnectPsbOrderChange(models.AbstractModel):
    _name = "econnect.psb.order.change"
    _description = "eConnect PSB: Order Changes and Cancellations"

    # ------------------------------------------------------------------
    # Entry point (called by econnect.psb.document for a change or cancellation)
    # ------------------------------------------------------------------
    @api.model
    def _receive(self, document, parsed, order):
        """Handle the change or cancellation ``parsed`` of ``order``, received as
        ``document``.

        :returns: the document's :class:`~.econnect_psb_document.Outcome` (the document
            writes it)
        """
        order = order.sudo()
        document.write(
            {"change_ref": parsed.id, "sequence_number": parsed.sequence_number or 0}
        )
        receive = (
            self._receive_change
            if parsed.kind == "order_change"
            else self._receive_cancellation
        )
        return dataclasses.replace(receive(document, parsed, order), sale_order=order)

    @api.model
    def _change_moment(self, parsed):
        if not parsed.issue_date:
            return None
        return datetime.combine(parsed.issue_date, parsed.issue_time or time(0))

    # ------------------------------------------------------------------
    # Order Change
    # ------------------------------------------------------------------
    @api.model
    def _receive_change(self, document, parsed, order):
        """Apply the change now, or say why not (a repeat, an older change, one that
        waits)."""
        not_now = (
            self._repeated_change(document, parsed, order)
            or self._waiting_for_decision(document, order)
            or self._out_of_sequence(document, parsed, order)
        )
        if not_now:
            return not_now
        self._wake_waiting_changes(document, order)
        return self._take_change(document, parsed, order)

    @api.model
    def _repeated_change(self, document, parsed, order):
        """The outcome of a change already received under the same id, or None."""
        earlier = document.search(
            [
                ("sale_order_id", "=", order.id),
                ("id", "!=", document.id),
                ("change_ref", "=", parsed.id),
                ("document_type", "=", "order_change"),
                ("state", "in", ("imported", "pending", "done")),
            ],
            limit=1,
        )
        if not earlier:
            return None
        return Outcome(
            "duplicate",
            self.env._(
                "Order Change %(id)s was already received (%(doc)s); it was not "
                "applied again.",
                id=parsed.id,
                doc=earlier.display_name,
            ),
        )

    @api.model
    def _waiting_for_decision(self, document, order):
        """While a person decides on another change or cancellation of the order, this
        one waits."""
        pending = order.psb_pending_document_id
        if not pending or pending == document:
            return None
        return Outcome(
            "downloaded",
            self.env._("Waiting for the decision on %s first.", pending.display_name),
            retry_at=fields.Datetime.now() + DECISION_WAIT,
        )

    @api.model
    def _out_of_sequence(self, document, parsed, order):
        """The outcome of a change that comes too late (older than one applied) or too
        early (one before it is missing: it waits), or None when it is the next one."""
        env = self.env
        seq, last = parsed.sequence_number, order.psb_last_change_seq
        if seq is None:
            moment = self._change_moment(parsed)
            if (
                moment
                and order.psb_last_change_date
                and moment < order.psb_last_change_date
            ):
                return Outcome(
                    "duplicate",
                    env._(
                        "Order Change %s is older than the last change applied; it "
                        "was not applied.",
                        parsed.id,
                    ),
                )
            return None
        if seq <= last:
            return Outcome(
                "duplicate",
                env._(
                    "Order Change %(id)s has sequence number %(seq)s, but change "
                    "%(last)s was already applied: "
                    "it is older and was not applied.",
                    id=parsed.id,
                    seq=seq,
                    last=last,
                ),
            )
        retry_at = self._gap_wait_until(document, order, seq)
        if not retry_at:
            return None
        return Outcome(
            "downloaded",
            env._(
                "Waiting for the buyer's change %(n)s before applying change %(seq)s.",
                n=last + 1,
                seq=seq,
            ),
            retry_at=retry_at,
        )

    @api.model
    def _gap_wait_until(self, document, order, seq):
        """Until when change ``seq`` waits for the changes before it (received, or not
        yet), or None."""
        last = order.psb_last_change_seq
        waiting_for = document.search_count(
            [
                ("sale_order_id", "=", order.id),
                ("document_type", "=", "order_change"),
                ("state", "in", ("received", "downloaded")),
                ("id", "!=", document.id),
                ("sequence_number", ">", last),
                ("sequence_number", "<", seq),
            ]
        )
        now = fields.Datetime.now()
        gap = seq > last + 1 and not order.psb_awaiting_buyer
        if waiting_for or (gap and now < document.received_on + CHANGE_GAP_WAIT):
            return max(
                now + timedelta(minutes=1), document.received_on + CHANGE_GAP_WAIT
            )
        return None

    @api.model
    def _take_change(self, document, parsed, order):
        """The next change of the order: the buyer's acceptance of what we proposed
        (applied, no answer); on a quotation applied, and accepted at once when the
        quotation needs nobody (else its AP waits for the person who checks and confirms
        it); on an order confirmed automatically applied and accepted when safe
        (:meth:`_apply_if_safe`); else a person decides."""
        env = self.env
        agreement = order._psb_agreement()
        if not agreement.allows(ag.BUYER_CHANGE):
            return Outcome(
                "error", ag.refusal(agreement.state, ag.BUYER_CHANGE, env._), fix="none"
            )
        order._psb_agree(ag.BUYER_CHANGE)
        if agreement.answered_by_nobody(ag.BUYER_CHANGE):
            # The buyer accepts our proposal (our CA) by restating the order with our
            # values.
            log = self._apply_change(order, parsed)
            order.message_post(
                body=self._log_html(
                    env._(
                        "The buyer accepted our proposal with Order Change %s.",
                        parsed.id,
                    ),
                    log,
                )
            )
            return Outcome("imported")
        if order.state in ("draft", "sent"):
            needs_person = bool(order._psb_open_issues())
            log, differences = self._apply_unless_amounts_differ(order, parsed)
            if differences:
                return self._hand_to_person(
                    document,
                    parsed,
                    order,
                    self._describe_change(order, parsed) + differences,
                )
            order.message_post(
                body=self._log_html(
                    env._("Order Change %s from the buyer was applied.", parsed.id), log
                )
            )
            if needs_person:
                # Not accepted behind the back of the person who checks the quotation:
                # Confirm answers it.
                order.psb_change_to_answer = parsed.id
                return Outcome("imported")
            order._psb_queue_response("AP", order_change_ref=parsed.id, auto=True)
            return Outcome("imported")
        described = self._describe_change(order, parsed)
        applied, reasons = self._apply_if_safe(document, parsed, order)
        if applied:
            order._psb_queue_response("AP", order_change_ref=parsed.id, auto=True)
            return Outcome("imported")
        return self._hand_to_person(document, parsed, order, described + reasons)

    # ------------------------------------------------------------------
    # A change to an order confirmed automatically
    # ------------------------------------------------------------------
    @api.model
    def _apply_if_safe(self, document, parsed, order):
        """Apply the change to an order that was confirmed automatically (the company
        still confirming automatically) when that is safe: none of the lines it touches
        was delivered or invoiced, Odoo adjusts the confirmed order (its stock rules
        included), and the changed order meets every condition of the automatic
        confirmation. Applied and evaluated in a savepoint, rolled back when not safe.

        :returns: (applied, why not: the reasons for the person, empty when it was not
            tried)
        """
        company = order.company_id
        if (
            order.psb_auto_state != "confirmed"
            or not company.psb_auto_confirm
            or order.state != "sale"
        ):
            return False, []
        if document.source == "upload" and not company.psb_auto_confirm_uploads:
            reasons = [
                self.env._(
                    "uploaded by hand: uploaded orders are not confirmed "
                    "automatically (Settings)"
                )
            ]
        else:
            reasons, log = self._try_change(order, parsed)
        if reasons:
            return False, [
                self.env._("Not applied automatically: %s", reason)
                for reason in reasons
            ]
        order.message_post(
            body=self._log_html(
                self.env._(
                    "Order Change %s from the buyer was applied automatically: "
                    "nothing it touches was delivered or "
                    "invoiced, and the changed order meets every condition of the "
                    "automatic confirmation.",
                    parsed.id,
                ),
                log,
            )
        )
        return True, []

    @api.model
    def _try_change(self, order, parsed):
        """Apply the change in a savepoint and keep it only when safe (see
        :meth:`_apply_if_safe`).

        :returns: (the failed conditions: empty when the change was kept, the change's
            log)
        """
        AutoConfirm = self.env["econnect.psb.auto.confirm"]
        settings = AutoConfirm._settings(order.company_id)
        lines = order.order_line.filtered(lambda ln: not ln.display_type)
        before = {
            line.id: (self._line_state(line), line.qty_delivered, line.qty_invoiced)
            for line in lines
        }
        savepoint = self.env.cr.savepoint()
        reasons, log = [], []
        try:
            log = self._apply_change(order, parsed)
            reasons = self._touched_done(lines, before)
            facts = AutoConfirm._facts(order, settings)
            failures = autoconfirm.evaluate(
                facts, settings, self.env._, formats_for(self.env)
            )
            reasons += [failure.reason for failure in failures]
        except psycopg2.errors.TransactionRollbackError:
            savepoint.close(rollback=True)
            raise  # another worker changed the order: the queue tries again
        # a stock rule, a locked order, another module's exception
        except Exception as exc:  # noqa: BLE001
            reasons = [str(exc.args[0]) if getattr(exc, "args", None) else repr(exc)]
        finally:
            savepoint.close(rollback=bool(reasons))
        return reasons, log

    @api.model
    def _line_state(self, line):
        """What a change may change on a sale order line."""
        return (
            line.product_id.id,
            line.product_uom_qty,
            line.price_unit,
            line.discount,
            line.psb_requested_date,
        )

    @api.model
    def _touched_done(self, lines, before):
        """Why the lines the change touched (``before``: their state, delivered and
        invoiced quantities before it) cannot be changed without a person: delivered or
        invoiced already."""
        reasons = []
        for line in lines:
            state, delivered, invoiced = before[line.id]
            if state == self._line_state(line):
                continue
            ref = line.psb_line_ref or line.name.split("\n")[0]
            done = (
                (delivered, self.env._("line %(line)s: %(qty)s already delivered")),
                (invoiced, self.env._("line %(line)s: %(qty)s already invoiced")),
            )
            reasons += [
                text % {"line": ref, "qty": qty}
                for qty, text in done
                if float_compare(qty, 0, 6) > 0
            ]
        return reasons

    @api.model
    def _apply_unless_amounts_differ(self, order, parsed):
        """Apply the change to the quotation and keep it, unless the quotation's amounts
        were the buyer's and would no longer be the changed order's: then undo it, for a
        person to decide (the change is accepted on their word only). A quotation whose
        amounts already differ is flagged for a person anyway; its check is brought up
        to date.

        :returns: (the log, the amount differences: empty when the change was kept)
        """
        matched = order.psb_amounts_state != "differ"
        savepoint = self.env.cr.savepoint()
        differences = []
        try:
            log = self._apply_change(order, parsed)
            if matched and order.psb_amounts_state == "differ":
                differences = (order.psb_amounts_note or "").splitlines()
        finally:
            savepoint.close(rollback=bool(differences))
        return log, differences

    @api.model
    def _wake_waiting_changes(self, document, order):
        """Later changes of this order that waited for this one are processed right
        after it."""
        waiting = document.search(
            [
                ("sale_order_id", "=", order.id),
                ("document_type", "=", "order_change"),
                ("id", "!=", document.id),
                ("state", "=", "downloaded"),
                ("next_attempt_at", "!=", False),
            ]
        )
        waiting._queue_wake_now()

    @api.model
    def _describe_change(self, order, parsed):
        """The differences the change would make, without making them."""
        lines = []
        for line, current, action in self._line_actions(order, parsed):
            if action == "2":
                lines.append(
                    self.env._(
                        "Line %(id)s: delete %(name)s",
                        id=line.line_id,
                        name=current.name.split("\n")[0] if current else line.name,
                    )
                )
            elif action in ("1", "74") or not current:
                lines.append(
                    self.env._(
                        "Line %(id)s: add %(qty)s %(unit)s %(name)s",
                        **self._added_line_words(line),
                    )
                )
            else:
                lines += self._line_changes(current, line)
        return lines or [self.env._("No line changes.")]

    @api.model
    def _line_actions(self, order, parsed):
        """(change line, the sale order line it refers to or an empty record, action
        code) for every line of the change that asks for something (code 4, no action,
        is left out)."""
        by_ref = self._lines_by_ref(order)
        empty = self.env["sale.order.line"]
        for line in parsed.lines:
            action = line.status_code or "3"
            if action != "4":
                yield line, by_ref.get(line.line_id, empty), action

    @api.model
    def _lines_by_ref(self, order):
        by_ref = {}
        for line in order.order_line.filtered(
            lambda ln: ln.psb_line_ref and not ln.display_type
        ):
            by_ref.setdefault(line.psb_line_ref, line)
        return by_ref

    @api.model
    def _line_changes(self, current, line, price_vals=None):
        """The log of what ``line`` changes on ``current``; ``price_vals`` those of
        ``_changed_price_vals`` when the caller has them already."""
        changes = []
        if line.quantity is not None and float_compare(
            current.product_uom_qty, float(line.quantity), 6
        ):
            changes.append(
                self.env._(
                    "Line %(id)s: quantity %(old)s → %(new)s",
                    id=line.line_id,
                    old=current.product_uom_qty,
                    new=line.quantity,
                )
            )
        if price_vals is None:
            price_vals = self._changed_price_vals(current, line)
        if "price_unit" in price_vals:
            changes.append(
                self.env._(
                    "Line %(id)s: price %(old)s → %(new)s",
                    id=line.line_id,
                    old=round(
                        current.price_unit * (1 - (current.discount or 0.0) / 100), 4
                    ),
                    new=round(price_vals["psb_ordered_price"], 4),
                )
            )
        requested = line.requested_start or line.requested_end
        if requested and requested != current.psb_requested_date:
            changes.append(
                self.env._(
                    "Line %(id)s: requested delivery %(old)s → %(new)s",
                    id=line.line_id,
                    old=current.psb_requested_date or "-",
                    new=requested,
                )
            )
        return changes

    @api.model
    def _apply_change(self, order, parsed):
        """Apply the change line by line; returns the before/after log."""
        log, to_add = [], []
        # the buyer's lines and allowances as priced here, for the totals check
        pricing = {}
        for line, current, action in self._line_actions(order, parsed):
            if action == "2":
                log += self._delete_line(order, current, line)
            elif not current:
                to_add.append(line)
            else:
                log += self._change_line(current, line, action, pricing)
        log += self._add_lines(order, to_add)
        log += self._restate_allowances(order, parsed, pricing)
        order.write(
            {
                "psb_last_change_seq": max(
                    order.psb_last_change_seq, parsed.sequence_number or 0
                ),
                "psb_last_change_date": self._change_moment(parsed)
                or order.psb_last_change_date,
            }
        )
        log = log or [self.env._("No line changes.")]
        return log + self._check_change_amounts(order, parsed, pricing)

    @api.model
    def _delete_line(self, order, current, line):
        """Line code 2: off a quotation; on a confirmed order its quantity becomes 0.
        :returns: the log"""
        if not current:
            return []
        log = [
            self.env._(
                "Line %(id)s: %(name)s deleted",
                id=line.line_id,
                name=current.name.split("\n")[0],
            )
        ]
        if order.state in ("draft", "sent"):
            current.unlink()
        else:
            current.write({"product_uom_qty": 0, "psb_ordered_qty": 0})
        return log

    @api.model
    def _change_line(self, current, line, action, pricing):
        """Line codes 3 and 74 on the sale order line ``current``; its pricing goes into
        ``pricing``.
        :returns: the log"""
        log = []
        if action == "74" and float_compare(current.product_uom_qty, 0, 6) == 0:
            log.append(self.env._("Line %(id)s: reopened", id=line.line_id))
        price_vals = self._changed_price_vals(current, line, pricing)
        log += self._line_changes(current, line, price_vals)
        vals, notes = self._changed_line_vals(current, line, price_vals)
        if vals:
            current.write(vals)
        return log + notes

    @api.model
    def _changed_line_vals(self, current, line, price_vals):
        """What the change line ``line`` sets on ``current`` (its price values
        ``price_vals``), and what a person should know about it.

        :returns: (values for ``current``, notes for the log)
        """
        vals, notes = {}, []
        if line.quantity is not None:
            vals["product_uom_qty"] = max(0.0, float(line.quantity))
            if (
                line.quantity < 0
            ):  # never a negative sale line without a person deciding
                notes.append(
                    self.env._(
                        "Line %(id)s: negative quantity %(qty)s set to 0, decide with "
                        "the buyer",
                        id=line.line_id,
                        qty=line.quantity,
                    )
                )
        vals.update(price_vals)
        if line.requested_start or line.requested_end:
            vals["psb_requested_date"] = line.requested_start or line.requested_end
        if vals:
            vals["psb_ordered_qty"] = vals.get(
                "product_uom_qty", current.psb_ordered_qty
            )
        return vals, notes

    @api.model
    def _price_ctx(self, order):
        """What the import's price arithmetic needs (its currency and the discount
        precision): the order's import context."""
        return ImportContext(
            self.env["econnect.psb.order.import"],
            order.company_id,
            currency=order.currency_id,
        )

    @api.model
    def _changed_price_vals(self, current, line, pricing=None):
        """The price values the change line ``line`` gives ``current``, priced as the
        import prices a line (its net amount after the line's allowances and charges):
        price and discount when the buyer's differ from the line's, the buyer's line
        amount when it changed; else nothing. The line's pricing goes into ``pricing``
        when it is the buyer's line as written (one without a quantity is priced with
        ours)."""
        if line.price is None and line.line_amount is None:
            return {}
        if pricing is None or line.quantity is None:
            pricing = {}
        if line.quantity is None:
            line = dataclasses.replace(
                line, quantity=Decimal(str(current.product_uom_qty))
            )
        ctx = self._price_ctx(current.order_id)
        priced, _applied, _issues = self.env[
            "econnect.psb.order.import"
        ]._line_price_vals(line, ctx, pricing)
        vals = {}
        if "price_unit" in priced and (
            float_compare(current.price_unit, priced["price_unit"], precision_digits=4)
            or float_compare(
                current.discount,
                priced["discount"],
                precision_digits=ctx.discount_digits,
            )
        ):
            keys = (
                "price_unit",
                "discount",
                "technical_price_unit",
                "psb_ordered_price",
                "psb_ordered_gross_price",
            )
            vals = {key: priced[key] for key in keys}
            vals["psb_ordered_discount"] = priced.get("psb_ordered_discount", 0.0)
        amount = priced.get("psb_ordered_amount")
        digits = current.order_id.currency_id.decimal_places
        if amount is not None and float_compare(
            amount, current.psb_ordered_amount, precision_digits=digits
        ):
            vals["psb_ordered_amount"] = amount
        return vals

    @api.model
    def _add_lines(self, order, lines):
        """Lines the order does not have yet (codes 1 and 74, or an unknown line id).
        :returns: the log"""
        if not lines:
            return []
        vals_list, issues = self._added_line_vals(order, lines)
        order.write({"order_line": [fields.Command.create(vals) for vals in vals_list]})
        if issues:
            order.psb_needs_attention = True
            order.psb_issue_data = (order.psb_issue_data or []) + issues
        return [
            self.env._(
                "Line %(id)s: added %(qty)s %(unit)s %(name)s",
                **self._added_line_words(line),
            )
            for line in lines
        ]

    @api.model
    def _added_line_words(self, line):
        """What the messages about an added change line name: its id, quantity, unit
        code and name."""
        return {
            "id": line.line_id,
            "qty": line.quantity,
            "unit": line.unit_code or "",
            "name": line.name,
        }

    @api.model
    def _added_line_vals(self, order, lines):
        """The new sale order lines, matched as the import matches an order's lines,
        after the others.

        :returns: (values of the lines, what the matching noted)
        """
        issues = []
        # The order's own currency and fiscal position: the import rounds the buyer's
        # amounts to the one and gives the lines the taxes it maps them through the
        # other.
        vals_list = self.env["econnect.psb.order.import"]._prepare_lines(
            order.company_id,
            order.partner_id,
            lines,
            issues,
            currency=order.currency_id,
            fiscal_position=order.fiscal_position_id,
        )
        for vals in vals_list:
            vals["sequence"] = 1000 + vals["sequence"]
        # Our price on each added line, flagged as the import flags an order's lines.
        self.env["econnect.psb.auto.confirm"]._price_flags(
            order.company_id,
            order.pricelist_id,
            order.currency_id,
            order.date_order,
            vals_list,
        )
        return vals_list, issues

    @api.model
    def _restate_allowances(self, order, parsed, pricing):
        """The order's own allowances and charges (one line each) as the change restates
        them: those that no longer stand as they are are taken off (set to zero on a
        confirmed order), the change's new ones added; their amounts go into
        ``pricing["document"]``. :returns: the log"""
        removed, added = self._allowance_differences(
            order, self._stated_allowances(order, parsed, pricing)
        )
        log = self._allowance_log(order, removed, added)
        if order.state in ("draft", "sent"):
            removed.unlink()
        else:
            removed.write({"product_uom_qty": 0})
        if added:
            order.write({"order_line": [fields.Command.create(vals) for vals in added]})
        return log

    @api.model
    def _stated_allowances(self, order, parsed, pricing):
        """The values of the lines the import would make of the change's own allowances
        and charges; their amounts go into ``pricing["document"]`` (nothing else of what
        the import notes while it prices them)."""
        goods = order.order_line.filtered(
            lambda ln: not ln.display_type and not ln.psb_allowance_kind
        )
        allowance_pricing = {"line_taxes": {tuple(ln.tax_ids.ids) for ln in goods}}
        stated = self.env["econnect.psb.order.import"]._prepare_document_allowances(
            order.company_id,
            order.partner_id,
            parsed,
            [],
            [{"sequence": max(order.order_line.mapped("sequence"), default=0)}],
            currency=order.currency_id,
            fiscal_position=order.fiscal_position_id,
            pricing=allowance_pricing,
        )
        pricing["document"] = allowance_pricing.get("document", [])
        return stated

    @api.model
    def _allowance_differences(self, order, stated):
        """(the allowance and charge lines that no longer stand, the values of those to
        add): a line stands while the change states one of the same kind, description
        and amount."""
        digits = order.currency_id.decimal_places

        def key(kind, name, price):
            return kind, name, float_round(price, precision_digits=digits)

        to_add = {
            index: key(v["psb_allowance_kind"], v["name"], v["price_unit"])
            for index, v in enumerate(stated)
        }
        removed = self.env["sale.order.line"]
        for line in order.order_line.filtered("psb_allowance_kind"):
            if not float_compare(line.product_uom_qty, 0, precision_digits=6):
                continue  # already taken off a confirmed order
            same = next(
                (
                    i
                    for i, k in to_add.items()
                    if k == key(line.psb_allowance_kind, line.name, line.price_unit)
                ),
                None,
            )
            if same is None:
                removed |= line
            else:
                del to_add[same]
        return removed, [stated[index] for index in to_add]

    @api.model
    def _allowance_log(self, order, removed, added):
        kinds = dict(
            order.order_line._fields["psb_allowance_kind"]._description_selection(
                self.env
            )
        )
        importer = self.env["econnect.psb.order.import"]

        def money(amount):
            return importer._money(amount, order.currency_id)

        log = [
            self.env._(
                "%(kind)s %(name)s (%(amount)s): no longer in the order",
                kind=kinds[line.psb_allowance_kind],
                name=line.name,
                amount=money(line.price_unit),
            )
            for line in removed
        ]
        for vals in added:
            log.append(
                self.env._(
                    "%(kind)s %(name)s (%(amount)s): added",
                    kind=kinds[vals["psb_allowance_kind"]],
                    name=vals["name"],
                    amount=money(vals["price_unit"]),
                )
            )
            if vals.get("psb_issue_data"):
                log.append(render(self.env, vals["psb_issue_data"]))
        return log

    @api.model
    def _check_change_amounts(self, order, parsed, pricing, label=None):
        """The totals check of the import, against the changed order: fills the order's
        amounts state; every difference is also noted on the order for a person, in
        place of those of the check before it. ``pricing``: the lines and allowances the
        change priced already; the other lines not deleted are priced here; ``label``
        starts each difference noted (else "After Order Change <id>:").
        :returns: the differences, for the log"""
        Import = self.env["econnect.psb.order.import"]
        ctx = self._price_ctx(order)
        for line in parsed.lines:
            if line.status_code != "2" and line.line_id not in pricing:
                Import._line_price_vals(line, ctx, pricing)
        messages = []
        notes = []
        if Import._check_amounts(order, parsed, messages, pricing):
            prefix = label or T._("After Order Change %s:", parsed.id)
            notes = [
                {**joined([prefix, message], " "), "kind": "amounts"}
                for message in messages
            ]
        # The differences of the check before this one no longer stand: this check's
        # take their place.
        legacy = [
            note for note in order.psb_amounts_data or [] if isinstance(note, str)
        ]  # noted as text before
        issues = [
            issue
            for issue in order.psb_issue_data or []
            if not self._amounts_issue(issue)
            and not any(issue == old or issue.endswith(f" {old}") for old in legacy)
        ]
        data = issues + notes or False
        if data != (order.psb_issue_data or False):
            # Something new must be looked at again; only what no longer holds taken off
            # keeps it as it was.
            extra = (
                {"psb_needs_attention": True}
                if notes
                else {"psb_issues_checked": order.psb_issues_checked}
            )
            order.write({"psb_issue_data": data, **extra})
        return [render(self.env, note) for note in notes]

    @api.model
    def _amounts_issue(self, issue):
        """Whether a note of the order is a difference of the totals check."""
        return isinstance(issue, dict) and issue.get("kind") == "amounts"

    @api.model
    def _applied_changes(self, order):
        """The buyer's Order Changes applied to ``order``, in the order they were
        applied."""
        return (
            self.env["econnect.psb.document"]
            .sudo()
            .search(
                [
                    ("sale_order_id", "=", order.id),
                    ("document_type", "=", "order_change"),
                    ("state", "=", "imported"),
                ],
                order="sequence_number, id",
            )
        )

    @api.model
    def _deleted_line_refs(self, order):
        """The buyer's line ids that its applied Order Changes deleted (and did not add
        back)."""
        deleted = set()
        for change in self._applied_changes(order):
            for line in change._read_xml().lines:
                if line.status_code == "2":
                    deleted.add(line.line_id)
                elif line.status_code in ("1", "74"):
                    deleted.discard(line.line_id)
        return deleted

    # ------------------------------------------------------------------
    # Order Cancellation
    # ------------------------------------------------------------------
    @api.model
    def _receive_cancellation(self, document, parsed, order):
        env = self.env
        order.psb_cancellation_note = parsed.cancellation_note
        # What the chatter names of the cancellation: its id and the buyer's note.
        named = {"id": parsed.id, "note": parsed.cancellation_note or ""}
        agreement = order._psb_agreement()
        if agreement.answered_by_nobody(ag.BUYER_CANCELLATION):
            # The buyer confirms our cancellation (RE) or turns down our proposal (CA):
            # no answer.
            order._psb_agree(ag.BUYER_CANCELLATION)
            if order.state != "cancel":
                order._action_cancel()
            order.message_post(
                body=env._(
                    "The buyer confirmed the cancellation with %(id)s: %(note)s",
                    **named,
                )
            )
            return Outcome("imported")
        if order.state == "cancel":
            return Outcome("duplicate", env._("%s is already cancelled.", order.name))
        if not agreement.allows(ag.BUYER_CANCELLATION):
            return Outcome(
                "error",
                ag.refusal(agreement.state, ag.BUYER_CANCELLATION, env._),
                fix="none",
            )
        self._supersede_pending_change(order, parsed)
        order._psb_agree(ag.BUYER_CANCELLATION)
        blocked = self._cancellation_blocked(order)
        if order.company_id.psb_auto_cancel and not blocked:
            order._action_cancel()
            order.message_post(
                body=env._(
                    "Cancelled at the buyer's request (%(id)s): %(note)s", **named
                )
            )
            order._psb_queue_response("AP", order_change_ref=parsed.id, auto=True)
            return Outcome("imported")
        reasons = [
            env._(
                "The buyer asks to cancel the order: %s", parsed.cancellation_note or ""
            )
        ]
        if blocked:
            reasons.append(blocked)
        return self._hand_to_person(document, parsed, order, reasons)

    @api.model
    def _supersede_pending_change(self, order, parsed):
        """The buyer's cancellation supersedes its change still waiting for a decision:
        the change is closed as superseded, with its activity, and never answered."""
        pending = order.psb_pending_document_id
        if not pending or pending.document_type != "order_change":
            return
        text = self.env._(
            "Superseded by the buyer's Order Cancellation %s: not applied and not "
            "answered.",
            parsed.id,
        )
        order.write(
            {
                "psb_pending_document_id": False,
                "psb_pending_summary": False,
                "psb_follow_up_pending": False,
            }
        )
        pending._apply_outcome(Outcome("done", text))
        order._psb_close_activities("decide", pending)
        order.message_post(body=self._log_html(pending.display_name, [text]))

    @api.model
    def _cancellation_blocked(self, order):
        lines = order.order_line.filtered(lambda ln: not ln.display_type)
        if any(float_compare(ln.qty_delivered, 0, 6) > 0 for ln in lines):
            return self.env._("Part of the order was already delivered.")
        if any(
            float_compare(ln.qty_invoiced, 0, 6) > 0 for ln in lines
        ) or order.invoice_ids.filtered(lambda m: m.state != "cancel"):
            return self.env._("Part of the order was already invoiced.")
        return False

    # ------------------------------------------------------------------
    # A person decides
    # ------------------------------------------------------------------
    @api.model
    def _hand_to_person(self, document, parsed, order, differences):
        env = self.env
        kind = dict(document._fields["document_type"]._description_selection(env))[
            parsed.kind
        ]
        order.write(
            {
                "psb_pending_document_id": document.id,
                "psb_pending_summary": "\n".join(differences),
                "psb_follow_up_pending": True,
            }
        )
        attachment = document.attachment_id.sudo().copy(
            {"res_model": order._name, "res_id": order.id}
        )
        order.message_post(
            body=self._log_html(
                env._(
                    "%(kind)s %(id)s received from the buyer; it waits for a decision.",
                    kind=kind,
                    id=parsed.id,
                ),
                differences,
            ),
            attachment_ids=attachment.ids,
        )
        order._psb_activity(
            "decide",
            user=(
                order.user_id
                or order.company_id.psb_user_id
                or order.company_id._psb_default_responsible(order.partner_id)
                or env.user
            ),
            summary=env._("Decide on %(kind)s %(id)s", kind=kind, id=parsed.id),
            note=self._log_html(
                env._(
                    "The buyer sent %(kind)s %(id)s for %(order)s:",
                    kind=kind,
                    id=parsed.id,
                    order=order.name,
                ),
                differences,
            ),
            document=document,
        )
        return Outcome("pending", env._("Waiting for a decision on %s.", order.name))

    @api.model
    def _decide(self, order, accept, note=None):
        """Apply (accept) or refuse the pending change or cancellation, and answer the
        buyer. Deciding on what was already decided (two tabs, a double click) is
        refused: "already decided"."""
        document = order.psb_pending_document_id
        cancellation = order.psb_agreement_state == ag.CANCELLATION
        if cancellation:
            event = ag.ACCEPT_CANCELLATION if accept else ag.REFUSE_CANCELLATION
        else:
            event = ag.ACCEPT_CHANGE if accept else ag.REFUSE_CHANGE
        if not document or not order._psb_agreement().allows(event):
            raise UserError(
                ag.refusal(order.psb_agreement_state or ag.ACCEPTED, event, self.env._)
            )
        parsed = document._read_xml()
        self._record_decision(order, parsed, accept, note)
        order._psb_queue_response(
            "AP" if accept else "RE", note=note, order_change_ref=parsed.id, auto=True
        )
        order.write(
            {
                "psb_pending_document_id": False,
                "psb_pending_summary": False,
                "psb_follow_up_pending": False,
            }
        )
        self._wake_waiting_changes(document, order)
        document._apply_outcome(
            Outcome(
                "imported" if accept else "done",
                False if accept else self.env._("Refused: %s", note or ""),
            )
        )
        order._psb_close_activities("decide", document)

    @api.model
    def _record_decision(self, order, parsed, accept, note):
        """Apply an accepted change or cancellation ``parsed`` to ``order`` (a refused
        one leaves the order as it is), and log the decision on it."""
        if accept:
            if parsed.kind == "order_change":
                log = self._apply_change(order, parsed)
                order.message_post(
                    body=self._log_html(
                        self.env._("Order Change %s applied.", parsed.id), log
                    )
                )
            else:
                order._action_cancel()
                order.message_post(
                    body=self.env._("Cancelled at the buyer's request (%s).", parsed.id)
                )
        elif parsed.kind == "order_change":
            order.psb_last_change_seq = max(
                order.psb_last_change_seq, parsed.sequence_number or 0
            )
            order.message_post(
                body=self._log_html(
                    self.env._("Order Change %s refused.", parsed.id), [note or "-"]
                )
            )
        else:
            # The order stands: the buyer's cancellation reason is no longer shown on
            # it.
            order.psb_cancellation_note = False
            order.message_post(
                body=self._log_html(
                    self.env._("Cancellation refused (%s).", parsed.id), [note or "-"]
                )
            )

    @api.model
    def _log_html(self, title, lines):
        return self.env["econnect.psb.order.import"]._issues_html(title, lines)
