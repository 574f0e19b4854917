# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
import types
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero, format_datetime

from ..psb import exceptions as psb_errors
from ..psb.ubl import peek, reader
from .dialog import dialog_action
from .econnect_psb_order_import import ORDER_TYPE_SELECTION, PROFILE_SELECTION
from .econnect_psb_response import BUSINESS_CODES, RESPONSE_CODES, RESPONSE_STATES, psb_error_advice
from .psb_messages import psb_error_text
from .psb_refs import psb_ref
from .res_company import PSB_GROUP


class SaleOrder(models.Model):
    _inherit = "sale.order"

    psb_document_id = fields.Many2one(
        "econnect.psb.document", "Peppol Order Document", readonly=True, copy=False, index="btree_not_null"
    )
    psb_document_ids = fields.One2many("econnect.psb.document", "sale_order_id", "Peppol Documents", readonly=True)
    psb_customer_by_name = fields.Boolean(
        "Peppol Customer Found by Name",
        readonly=True,
        copy=False,
        help="No contact had the buyer's Peppol id, VAT number or registration: the customer was found by its name "
        "only. Such an order is never confirmed automatically.",
    )
    psb_order_ref = fields.Char(
        "Peppol Order ID", readonly=True, copy=False, help="The cbc:ID of the buyer's Peppol Order."
    )
    psb_profile = fields.Selection(PROFILE_SELECTION, "Peppol Profile", readonly=True, copy=False)
    psb_buyer_endpoint = fields.Char("Buyer Peppol ID", readonly=True, copy=False, index="btree_not_null")
    psb_seller_endpoint = fields.Char("Seller Peppol ID", readonly=True, copy=False)
    psb_currency_code = fields.Char("Order Currency", readonly=True, copy=False)
    psb_customer_reference = fields.Char("Buyer's Reference", readonly=True, copy=False)
    psb_contract_reference = fields.Char(
        "Buyer's Contract", readonly=True, copy=False, help="The contract the buyer's order refers to (cac:Contract)."
    )
    psb_project_reference = fields.Char("Buyer's Project", readonly=True, copy=False)
    psb_accounting_cost = fields.Char(
        "Buyer's Accounting Cost",
        readonly=True,
        copy=False,
        help="Where the buyer books the order (cbc:AccountingCost): its invoice carries it back.",
    )
    psb_buyer_note = fields.Text("Buyer's Note", readonly=True, copy=False)
    psb_needs_attention = fields.Boolean(
        "Peppol Import Needs Attention",
        copy=False,
        compute="_compute_psb_needs_attention",
        store=True,
        readonly=False,
        help="A person must look at this order: see the banner on the quotation.",
    )
    psb_import_issues = fields.Text(
        "Peppol Import Issues",
        readonly=True,
        copy=False,
        help="What the import (or a buyer's change) noted, as it was noted.",
    )
    psb_issues_checked = fields.Boolean(
        "Peppol Import Checked",
        readonly=True,
        copy=False,
        help="A person pressed Mark as checked: the notes of the import are no longer shown (lines without "
        "an identified product or without a price still are).",
    )
    psb_attention_text = fields.Text("Open Peppol Issues", compute="_compute_psb_attention_text")
    psb_follow_up_pending = fields.Boolean("Peppol Change Pending", copy=False)
    psb_pending_document_id = fields.Many2one(
        "econnect.psb.document", "Pending Change or Cancellation", readonly=True, copy=False
    )
    psb_pending_type = fields.Selection(related="psb_pending_document_id.document_type")
    psb_pending_summary = fields.Text("Proposed by the Buyer", readonly=True, copy=False)
    psb_cancellation_note = fields.Char("Buyer's Cancellation Reason", readonly=True, copy=False)
    psb_last_change_seq = fields.Integer("Last Applied Change", readonly=True, copy=False)
    psb_last_change_date = fields.Datetime(readonly=True, copy=False)
    psb_awaiting_buyer = fields.Boolean(
        "Awaiting the Buyer",
        readonly=True,
        copy=False,
        help="We proposed changes (CA) or cancelled (RE): the buyer's next Order Change or Order Cancellation "
        "is the answer to that.",
    )

    psb_amounts_state = fields.Selection(
        [
            ("match", "Match the buyer's order"),
            ("differ", "Differ from the buyer's order"),
            ("unchecked", "Not checked"),
        ],
        "Peppol Amounts",
        readonly=True,
        copy=False,
        help="The totals check after import: the quotation's untaxed amount, tax and total compared with the "
        "buyer's order totals (AnticipatedMonetaryTotal, TaxTotal).",
    )
    psb_auto_state = fields.Selection(
        [("confirmed", "Confirmed automatically"), ("person", "Needs a person"), ("off", "Off")],
        "Automatic Confirmation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="What automatic confirmation decided when the Peppol order was imported.",
    )
    psb_auto_reasons = fields.Text(
        "Automatic Confirmation Reasons",
        readonly=True,
        copy=False,
        help="The conditions that failed (or, when confirmed automatically, the conditions met).",
    )
    psb_price_warning = fields.Text(
        "Peppol Price Differences",
        readonly=True,
        copy=False,
        help="The lines whose price differs from our pricelist price for this customer.",
    )
    psb_amounts_note = fields.Text(
        "Peppol Amount Differences",
        readonly=True,
        copy=False,
        help="Each total of the quotation that is not the buyer's, with both amounts and the likely cause.",
    )
    psb_order_type = fields.Selection(
        ORDER_TYPE_SELECTION,
        "Peppol Order Type",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The buyer's OrderTypeCode (UNCL1001): e.g. 227, a consignment order, is not an ordinary order.",
    )
    psb_order_type_code = fields.Char("Peppol Order Type Code", readonly=True, copy=False)
    psb_response_ids = fields.One2many("econnect.psb.response", "sale_order_id", "Peppol Responses", readonly=True)
    psb_response_code = fields.Selection(
        RESPONSE_CODES, "Last Peppol Answer", compute="_compute_psb_response", store=True
    )
    psb_response_state = fields.Selection(
        RESPONSE_STATES, "Peppol Answer Status", compute="_compute_psb_response", store=True
    )
    psb_awaiting_answer = fields.Boolean("Awaiting our Peppol answer", compute="_compute_psb_response", store=True)
    psb_answerable = fields.Boolean(compute="_compute_psb_answerable")
    psb_uploaded = fields.Boolean(
        "Uploaded Peppol Order",
        compute="_compute_psb_answerable",
        help="The order was uploaded by hand, not delivered by the PSB: no answer can go through the PSB.",
    )
    psb_next_answer = fields.Selection(
        [("AB", "Acknowledge (AB)"), ("AP", "Accept (AP)")],
        compute="_compute_psb_next_answer",
        help="The one answer the header offers as a button; the others are under Peppol answer.",
    )
    psb_answer_advice = fields.Char(compute="_compute_psb_answer_advice")
    psb_buyer_can_respond = fields.Selection(
        [("unknown", "Not checked yet"), ("yes", "Yes"), ("no", "No")],
        "Buyer Receives Order Responses",
        default="unknown",
        readonly=True,
        copy=False,
    )
    psb_buyer_checked_on = fields.Datetime("Buyer Checked On", readonly=True, copy=False)

    psb_order_ref_reused = fields.Boolean(
        "Peppol Order ID Reused",
        readonly=True,
        copy=False,
        help="The buyer sent another order under an order id already imported, and a person chose to import "
        "it as a new order: follow-up documents of that id go to the first order.",
    )
    psb_revision_document_id = fields.Many2one(
        "econnect.psb.document",
        "Revised Order Waiting",
        readonly=True,
        copy=False,
        help="An order with this order id and other content arrived; a person decides what becomes of it.",
    )
    psb_revision_summary = fields.Text(related="psb_revision_document_id.psb_revision_summary")
    psb_rule_violations = fields.Text(
        "Peppol Rule Violations",
        readonly=True,
        copy=False,
        help="The official Peppol rules the buyer's order breaks (fatal ones); it was imported anyway.",
    )

    _psb_order_uniq = models.UniqueIndex(
        # Peppol ids are case-insensitive: 9944:NL812345678B01 and 9944:nl812345678b01 are one buyer.
        "(company_id, lower(psb_buyer_endpoint), psb_order_ref) WHERE psb_order_ref IS NOT NULL"
        " AND psb_order_ref_reused IS NOT TRUE",
        "This Peppol order of this buyer was already imported.",
    )

    @api.depends(
        "psb_response_ids.state",
        "psb_response_ids.code",
        "psb_document_id",
        "psb_profile",
        "state",
        "psb_document_id.source",
        "psb_buyer_can_respond",
    )
    def _compute_psb_response(self):
        for order in self:
            responses = order.psb_response_ids.sorted("id")
            last = responses[-1:] if responses else responses
            order.psb_response_code = last.code or False
            order.psb_response_state = last.state or False
            answered = responses.filtered(lambda r: r.code in BUSINESS_CODES and r.state != "failed")
            # Only what can be answered through the PSB awaits an answer (not an upload, not a buyer
            # without a delivery channel for Order Responses).
            order.psb_awaiting_answer = bool(
                order.psb_document_id
                and order.psb_profile != "order_only"
                and not answered
                and order.state != "cancel"
                and order.psb_document_id.source != "upload"
                and order.psb_buyer_can_respond != "no"
            )

    @api.depends("psb_document_id.source", "psb_profile")
    def _compute_psb_answerable(self):
        for order in self:
            order.psb_uploaded = order.psb_document_id.source == "upload"
            order.psb_answerable = (
                bool(order.psb_document_id)
                and not order.psb_uploaded
                and order.psb_profile in ("ordering", "advanced_ordering")
            )

    @api.depends(
        "psb_awaiting_answer",
        "psb_response_ids.code",
        "psb_response_ids.state",
        "state",
        "psb_pending_document_id",
        "psb_buyer_can_respond",
    )
    def _compute_psb_next_answer(self):
        for order in self:
            order.psb_next_answer = False
            if not order._psb_can_answer() or order.psb_pending_document_id or not order.psb_awaiting_answer:
                continue
            if order.state in ("draft", "sent") and not order._psb_acknowledged():
                order.psb_next_answer = "AB"
            elif order.state == "sale" or not order.company_id.psb_answer_on_confirm:
                order.psb_next_answer = "AP"

    @api.depends("psb_response_ids.state", "psb_response_ids.can_retry", "psb_response_ids.error_message")
    def _compute_psb_answer_advice(self):
        for order in self:
            last = order.psb_response_ids.sorted("id")[-1:]
            order.psb_answer_advice = last.error_message if last.state == "failed" else False

    def _psb_can_answer(self):
        """Whether answers to this order can go through the PSB at all."""
        self.ensure_one()
        return self.psb_answerable and self.state != "cancel" and self.psb_buyer_can_respond != "no"

    def _psb_acknowledged(self):
        self.ensure_one()
        return bool(self.psb_response_ids.filtered(lambda r: r.code == "AB" and r.state != "failed"))

    # ------------------------------------------------------------------
    # What needs attention (computed from the order as it is now)
    # ------------------------------------------------------------------
    @api.depends(
        "state",
        "psb_document_id",
        "psb_import_issues",
        "psb_issues_checked",
        "order_line.product_id",
        "order_line.price_unit",
        "order_line.psb_import_issue",
        "order_line.display_type",
    )
    def _compute_psb_needs_attention(self):
        for order in self:
            order.psb_needs_attention = bool(order._psb_open_issues())

    @api.depends(
        "state",
        "psb_document_id",
        "psb_import_issues",
        "psb_issues_checked",
        "order_line.product_id",
        "order_line.price_unit",
        "order_line.psb_import_issue",
        "order_line.display_type",
    )
    @api.depends_context("lang")
    def _compute_psb_attention_text(self):
        for order in self:
            order.psb_attention_text = "\n".join(order._psb_open_issues()) or False

    def _psb_open_issues(self, blocking_only=False):
        """What needs a person on this order now: lines without an identified product or without a
        price (always), then, until someone presses Mark as checked, the import's notes on lines
        still as imported and its notes on the order. Nothing on a cancelled order.

        With ``blocking_only``, only what Confirm warns about even after Mark as checked.
        """
        self.ensure_one()
        if not self.psb_document_id or self.state == "cancel":
            return []
        placeholder = psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        texts = {
            "missing": self.env._("price missing (0.00): the total is incomplete"),
            "unidentified": self.env._("product not identified"),
        }
        issues, covered = [], set()
        for line in self.order_line.filtered(lambda ln: not ln.display_type and not ln.is_downpayment):
            if line.psb_line_ref and (line.psb_import_issue or line.product_id == placeholder):
                covered.add(line.psb_line_ref)
            if problems := self._psb_line_problems(line, placeholder, blocking_only, texts):
                ref = line.psb_line_ref or line.name.split("\n")[0]
                issues.append(self.env._("Line %(line)s: %(issues)s", line=ref, issues="; ".join(problems)))
        if self.psb_issues_checked or blocking_only:
            return issues
        current_refs = set(self.order_line.mapped("psb_line_ref"))
        for note in (self.psb_import_issues or "").splitlines():
            ref = self._psb_issue_line_ref(note)
            # A note on a line is shown with the line above while it stands, and goes with the line.
            if note.strip() and not (ref and (ref in covered or ref not in current_refs)):
                issues.append(note)
        return issues

    def _psb_line_problems(self, line, placeholder, blocking_only, texts):
        """What is open on one line: no identified product, the import's note while the line is as imported
        (until Mark as checked), no price. ``texts``: the translated words, looked up once per order."""
        as_imported = line.psb_import_issue and line.product_id == line.psb_original_product_id
        problems = []
        if line.product_id == placeholder:
            problems.append(line.psb_import_issue if as_imported else texts["unidentified"])
        elif as_imported and not self.psb_issues_checked and not blocking_only:
            problems.append(line.psb_import_issue)
        missing = texts["missing"]
        digits = self.currency_id.decimal_places if self.currency_id else 2
        if float_is_zero(line.price_unit, precision_digits=digits) and not any(missing in p for p in problems):
            problems.append(missing)
        return problems

    def _psb_issue_line_ref(self, note):
        """The buyer's line id a stored import note is about ("Line 7: ...", "Regel 7: ..."), else None.

        A note is stored in the language it was written in, which need not be the reader's: the prefix of
        every installed language is recognised."""
        patterns = {("Line ", ": ")}
        for code, _name in self.env["res.lang"].get_installed():
            template = self.with_context(lang=code).env._("Line %(line)s: %(issues)s", line="\x00", issues="\x01")
            prefix, _sep, rest = template.partition("\x00")
            patterns.add((prefix, rest.partition("\x01")[0]))
        for start, sep in patterns:
            if match := re.match(rf"^{re.escape(start)}(\S+?){re.escape(sep)}", note):
                return match.group(1)
        return None

    def write(self, vals):
        if "psb_import_issues" in vals and "psb_issues_checked" not in vals:
            # Something new was noted (e.g. a buyer's change added lines): it must be looked at again.
            vals = {**vals, "psb_issues_checked": False}
        return super().write(vals)

    def action_psb_mark_checked(self):
        """The person looked at what the import noted: the banner keeps only what is still wrong."""
        for order in self:
            order.psb_issues_checked = True
            order._psb_close_activities("import")
            order._message_log(body=self.env._("Peppol import marked as checked."))
        return True

    # ------------------------------------------------------------------
    # Activities: one per problem, linked to what it is about
    # ------------------------------------------------------------------
    def _psb_activity(self, kind, summary, note, user=None, document=None):
        """Schedule the activity of ``kind`` (and ``document``), or bring the open one up to date.

        Activities send no e-mail of their own (README, "Who is told what"): they are the responsible's
        list of what needs doing, in their activities and on the order desk."""
        self.ensure_one()
        existing = self._psb_activities(kind, document)
        if existing:
            existing[:1].write({"summary": summary, "note": note})
            return existing[:1]
        user = user or self.user_id or self.company_id.psb_user_id or self.env.user
        activity = self.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_warning" if kind == "answer" else "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=summary,
            note=note,
        )
        activity.write({"psb_kind": kind, "psb_document_id": document.id if document else False})
        return activity

    def _psb_activities(self, kind, document=None):
        activities = self.sudo().activity_ids.filtered(lambda a: a.psb_kind == kind)
        if document is not None:
            activities = activities.filtered(lambda a: a.psb_document_id == document)
        return activities

    def _psb_close_activities(self, kind, document=None):
        for order in self:
            order._psb_activities(kind, document).action_feedback()

    # ------------------------------------------------------------------
    # Access: every button checks the caller first, then may act with more rights
    # ------------------------------------------------------------------
    def _psb_check_access(self, operation="write"):
        """The caller is a sales user who may ``operation`` these orders (record rules included).

        Called first by every public method of the addon that acts on an order, before any sudo():
        portal users and internal users without sales rights reach none of them.
        """
        if not self.env.su and not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(self.env._("Only sales users can answer Peppol orders."))
        self.check_access(operation)
        return self

    def _psb_check_decider(self):
        """The caller is one of those asked to decide on a buyer's change, cancellation or revised order of these
        orders: the order's salesperson (who may change it), a sales manager or a PSB administrator of its
        company (record rules included). Called first by the decision buttons, which then act with the
        pipeline's rights; anybody else is refused with a message that names who can decide."""
        if self.env.su:
            return self
        user = self.env.user
        is_salesman = user.has_group("sales_team.group_sale_salesman")
        is_decider = user.has_group("sales_team.group_sale_manager") or user.has_group(PSB_GROUP)
        for order in self:
            # The order's company among the caller's (active) companies: read as the pipeline, the rules follow.
            in_company = order.sudo().company_id in self.env.companies
            if is_salesman and in_company and (is_decider or (order.user_id == user and order.has_access("write"))):
                continue
            if not order.has_access("read"):
                raise AccessError(
                    self.env._(
                        "Only the order's salesperson, a sales manager or a PSB administrator of the order's company "
                        "can decide on it."
                    )
                )
            if order.user_id:
                message = self.env._(
                    "Only %(salesperson)s (the salesperson of %(order)s), a sales manager or a PSB administrator of "
                    "%(company)s can decide on %(order)s.",
                    salesperson=order.user_id.name,
                    order=order.name,
                    company=order.company_id.name,
                )
            else:
                message = self.env._(
                    "Only a sales manager or a PSB administrator of %(company)s can decide on %(order)s (it has no "
                    "salesperson).",
                    order=order.name,
                    company=order.company_id.name,
                )
            raise AccessError(message)
        return self

    # ------------------------------------------------------------------
    # Answering
    # ------------------------------------------------------------------
    def _psb_answer_blocker(self):
        """Why no answer can go through the PSB for this order, or False."""
        self.ensure_one()
        if self.psb_uploaded:
            return self.env._(
                "%s was uploaded by hand, not delivered by the PSB: no answer can be sent through the PSB. "
                "Answer the buyer by other means.",
                self.name,
            )
        if not self.psb_answerable:
            return self.env._(
                "%s did not come in as a Peppol order that expects an answer (Order Only orders get none).", self.name
            )
        if self.psb_buyer_can_respond == "no":
            return self.env._("The buyer cannot receive Peppol Order Responses (checked at the PSB).")
        return False

    def _psb_queue_response(self, code, note=None, lines=None, order_change_ref=None, auto=False):
        """Queue one answer; a repeated click while the same answer is still queued adds nothing.

        With ``auto`` (answers the addon sends by itself), an order that cannot be answered through the
        PSB gets none, and an empty recordset is returned; a person's explicit answer raises why.
        """
        self.ensure_one()
        if blocker := self._psb_answer_blocker():
            if auto:
                return self.env["econnect.psb.response"]
            raise UserError(blocker)
        Response = self.env["econnect.psb.response"].sudo()
        pending = self.psb_response_ids.filtered(
            lambda r: (
                r.state == "queued"
                and r.code == code
                and (r.note or False) == (note or False)
                and (r.order_change_ref or False) == (order_change_ref or False)
            )
        )
        if pending and not lines:
            return pending[0]
        response = Response.create(
            {
                "name": f"{self.name}-R{len(self.psb_response_ids) + 1}",
                "sale_order_id": self.id,
                "code": code,
                "note": note or False,
                "order_change_ref": order_change_ref or False,
                "line_ids": [fields.Command.create(vals) for vals in (lines or [])],
            }
        )
        if not order_change_ref and (code == "CA" or (code == "RE" and self.state == "sale")):
            # On a confirmed order our proposal or cancellation waits for the buyer's change or cancellation.
            self.sudo().psb_awaiting_buyer = True
        Response._trigger_sending()
        return response

    def action_psb_acknowledge(self):
        self._psb_check_access()
        for order in self:
            buyer_env = order.with_context(lang=order.partner_id.lang or self.env.lang).env  # the buyer reads it
            note = buyer_env._("Order received; we will confirm it shortly.")
            order._psb_queue_response("AB", note=note)._check_rules()
        return True

    def action_psb_accept(self):
        self._psb_check_access()
        for order in self:
            order._psb_queue_response("AP")._check_rules()
        return True

    def _psb_open_answer_wizard(self, code):
        self.ensure_one()
        wizard = self.env["econnect.psb.response.wizard"].create({"sale_order_id": self.id, "code": code})
        if code == "CA":
            wizard.line_ids = [fields.Command.create(vals) for vals in self._psb_response_lines()]
        # Every line with its status, quantity, unit, price, date, substitute and note: the widest dialog.
        return dialog_action(wizard, wizard._title(code), size="extra-large" if code == "CA" else None)

    def action_psb_reject(self):
        self._psb_check_access()
        return self._psb_open_answer_wizard("RE")

    def action_psb_accept_with_changes(self):
        self._psb_check_access()
        return self._psb_open_answer_wizard("CA")

    def action_psb_answer_menu(self):
        """Every answer that makes sense now, in one dialog (the header offers only the next one)."""
        self.ensure_one()
        wizard = self.env["econnect.psb.answer.choice"].create({"sale_order_id": self.id})
        return dialog_action(wizard, self.env._("Peppol answer"))

    def action_psb_check_buyer(self):
        self._psb_check_access()
        for order in self:
            try:
                order._psb_check_buyer()
            except psb_errors.PsbError as exc:
                raise UserError(
                    self.env._(
                        "The PSB could not be asked whether the buyer receives Order Responses: %(error)s\n%(advice)s",
                        error=psb_error_text(self.env, exc),
                        advice=psb_error_advice(self.env, exc),
                    )
                ) from exc
        return True

    def action_psb_view_original_order(self):
        """The buyer's original Peppol order as a readable document (printable as PDF)."""
        self.ensure_one()
        if not self.psb_document_id:
            raise UserError(self.env._("%s did not come in as a Peppol order.", self.name))
        return self.psb_document_id.action_psb_readable()

    def _psb_check_buyer(self):
        """Ask the PSB once whether the buyer can receive Order Responses, and remember it. A "yes" the PSB
        gave for the same buyer within the last day is taken over (a buyer sending many orders is asked
        once a day, not once per order); a "no" is always asked again."""
        self.ensure_one()
        company = self.company_id
        now = fields.Datetime.now()
        if not self.psb_buyer_endpoint:
            # A buyer without a Peppol id (EndpointID) cannot be asked for, nor sent, an answer.
            self.write({"psb_buyer_can_respond": "no", "psb_buyer_checked_on": now})
            return "no"
        if self._psb_buyer_known_to_respond(now):
            self.write({"psb_buyer_can_respond": "yes", "psb_buyer_checked_on": now})
            return "yes"
        try:
            company._psb_client().query_recipient_party(company.sudo().psb_party_id, [self.psb_buyer_endpoint])
            self.write({"psb_buyer_can_respond": "yes", "psb_buyer_checked_on": now})
        except psb_errors.PsbNotFoundError:
            self.write({"psb_buyer_can_respond": "no", "psb_buyer_checked_on": now})
        return self.psb_buyer_can_respond

    def _psb_buyer_known_to_respond(self, now):
        if not self.psb_buyer_endpoint:
            return False
        return bool(
            self.sudo().search_count(
                [
                    ("company_id", "=", self.company_id.id),
                    ("psb_buyer_endpoint", "=", self.psb_buyer_endpoint),
                    ("psb_buyer_can_respond", "=", "yes"),
                    ("psb_buyer_checked_on", ">=", now - timedelta(days=1)),
                    ("id", "!=", self.id),
                ],
                limit=1,
            )
        )

    def _psb_original_order(self):
        attachment = self.psb_document_id.attachment_id
        if not attachment:
            return None
        return reader.read_document(attachment.sudo().with_context(bin_size=False).raw or b"")

    def _psb_response_lines(self):
        """Every order line with its status, from what the user changed on the quotation (for a CA).

        :returns: the values of the answer's lines (``econnect.psb.response.line``)
        """
        self.ensure_one()
        original = self._psb_original_order()
        if original is None:
            return []
        by_ref = self.env["econnect.psb.order.change"]._lines_by_ref(self)
        result = [
            self._psb_response_line_vals(position, ordered, by_ref.get(ordered.line_id))
            for position, ordered in enumerate(self._psb_agreed_lines(original, by_ref), start=1)
        ]
        last_ref = result[-1]["order_line_ref"] if result else None
        return result + self._psb_added_line_vals(len(result), last_ref)

    def _psb_agreed_lines(self, original, by_ref):
        """What was last agreed: the original order's lines, less those the buyer deleted with an Order
        Change, plus those it added with one (they have a line id too)."""
        deleted = self.env["econnect.psb.order.change"]._deleted_line_refs(self)
        ordered_refs = {ordered.line_id for ordered in original.lines}
        agreed = [ordered for ordered in original.lines if ordered.line_id in by_ref or ordered.line_id not in deleted]
        return agreed + [self._psb_ordered_line(line) for ref, line in by_ref.items() if ref not in ordered_refs]

    def _psb_response_line_vals(self, position, ordered, sale_line):
        """The answer for the agreed line ``ordered`` and its sale order line (or None): not available (7)
        when it is gone or at 0, changed (3) when its quantity, price or product differ, else accepted (5)."""
        vals = {
            "sequence": position,
            "order_line_ref": ordered.line_id,
            "item_name": ordered.name or (sale_line and sale_line.name) or "-",
            "sellers_item_id": ordered.sellers_item_id or False,
            "buyers_item_id": ordered.buyers_item_id or False,
            "unit_code": ordered.unit_code or False,
            "sale_line_id": sale_line.id if sale_line else False,
        }
        if not sale_line or float_compare(sale_line.product_uom_qty, 0, precision_digits=6) == 0:
            return {**vals, "status": "7", "quantity": 0}
        changed_qty, changed_price = sale_line._psb_changes_from_ordered()
        substitute = (
            sale_line.psb_original_product_id
            and sale_line.product_id != sale_line.psb_original_product_id
            and sale_line.product_id != psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        )
        unit_code = (
            self.env["econnect.psb.response.line"]._unit_code(sale_line.product_uom_id)
            if changed_qty
            else vals["unit_code"]
        )
        return {
            **vals,
            "status": "3" if (changed_qty or changed_price or substitute) else "5",
            "quantity": sale_line.product_uom_qty,
            "quantity_changed": changed_qty,
            "price": sale_line.price_unit,
            "price_changed": changed_price,
            "substitute_product_id": sale_line.product_id.id if substitute else False,
            "unit_code": unit_code,
        }

    def _psb_added_line_vals(self, count, last_ref):
        """Lines the seller added (not in the buyer's order, nor a discount, charge or down payment), after
        the ``count`` agreed ones; they refer to the last line of the order (``last_ref``)."""
        placeholder = psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        unit_code = self.env["econnect.psb.response.line"]._unit_code
        extras = self.order_line.filtered(
            lambda ln: (
                not ln.display_type
                and not ln.psb_line_ref
                and ln.product_id != placeholder
                and not ln.is_downpayment
                and not ln.psb_allowance_kind
            )
        )
        return [
            {
                "sequence": count + position,
                "order_line_ref": last_ref,
                "status": "1",
                "item_name": extra.product_id.name,
                "sellers_item_id": extra.product_id.default_code or False,
                "quantity": extra.product_uom_qty,
                "quantity_changed": True,
                "unit_code": unit_code(extra.product_uom_id),
                "price": extra.price_unit,
                "price_changed": True,
                "sale_line_id": extra.id,
                "note": self.env._("Added by the seller"),
            }
            for position, extra in enumerate(extras, start=1)
        ]

    def _psb_ordered_line(self, sale_line):
        """A line the buyer added with an Order Change, described as the original order's lines are."""
        return types.SimpleNamespace(
            line_id=sale_line.psb_line_ref,
            name=sale_line.name.split("\n")[0],
            sellers_item_id=sale_line.product_id.default_code or None,
            buyers_item_id=None,
            unit_code=sale_line.psb_unit_code or None,
        )

    def action_confirm(self):
        if warning := self._psb_check_before_confirm():
            return warning
        result = super().action_confirm()
        self._psb_close_activities("confirm")
        self._psb_review_delivery_addresses()
        for order in self.filtered(lambda o: o.psb_awaiting_answer and o.company_id.psb_answer_on_confirm):
            lines = order._psb_response_lines()
            if lines and any(vals["status"] != "5" for vals in lines):
                order._psb_queue_response(
                    "CA", note=self.env._("Accepted with the changes listed per line."), lines=lines, auto=True
                )
            else:
                order._psb_queue_response("AP", auto=True)
        return result

    def _psb_review_delivery_addresses(self):
        """A person confirming an order to a delivery address an import created has reviewed that address: later
        orders to it may be confirmed automatically. The automatic confirmation reviews nothing."""
        if self.env.context.get("psb_auto_confirming"):
            return
        for order in self.filtered(lambda o: o.partner_shipping_id.psb_needs_review and o.psb_document_id):
            address = order.partner_shipping_id.sudo()
            if address == order.partner_id.sudo():
                continue  # the customer itself: reviewed on its own form
            address.psb_needs_review = False
            address.message_post(
                body=self.env._(
                    "Delivery address reviewed by %(user)s, confirming %(order)s.",
                    user=self.env.user.name,
                    order=order.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _psb_check_before_confirm(self):
        """Confirm with a line without product or price, or with the import's notes unchecked: refused
        (company setting) or, from the Confirm button, a dialog that says what is open and what
        confirming answers the buyer. Returns that dialog's action, or None to go on."""
        if self.env.context.get("psb_confirm_anyway"):
            return None
        open_orders = self.filtered(lambda o: o.state in ("draft", "sent") and o._psb_open_issues())
        if not open_orders:
            return None
        if any(o.company_id.psb_confirm_check == "refuse" for o in open_orders):
            order = open_orders[0]
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed while its Peppol import needs attention:\n%(issues)s",
                    order=order.name,
                    issues="\n".join(order._psb_open_issues()),
                )
            )
        if not self.env.context.get("psb_confirm_warn"):
            return None
        wizard = self.env["econnect.psb.confirm.wizard"].create({"sale_order_ids": [fields.Command.set(self.ids)]})
        return dialog_action(wizard, self.env._("Confirm a Peppol order that needs attention?"))

    # ------------------------------------------------------------------
    # Follow-up documents
    # ------------------------------------------------------------------
    def action_psb_accept_pending(self):
        """Apply the buyer's pending change (or cancel at its request) and answer AP."""
        self._psb_check_decider()
        for order in self.sudo():
            order.env["econnect.psb.order.change"]._decide(order, accept=True)
        return True

    def action_psb_refuse_pending(self):
        """Refuse the buyer's pending change or cancellation (RE): the last agreed order stands."""
        self.ensure_one()
        self._psb_check_decider()
        # A PSB administrator decides on orders he may not read: what is pending is read as the pipeline.
        pending_type = self.sudo().psb_pending_type
        action = self._psb_open_answer_wizard("RE")
        wizard = self.env["econnect.psb.response.wizard"].browse(action["res_id"])
        wizard.purpose = "refuse_cancellation" if pending_type == "order_cancellation" else "refuse_change"
        action["name"] = dict(wizard._fields["purpose"]._description_selection(self.env))[wizard.purpose]
        action["context"] = {"psb_refuse_pending": True}
        return action

    # ------------------------------------------------------------------
    # Invoicing: one Peppol order per invoice where the customer needs it
    # ------------------------------------------------------------------
    def _psb_invoice_apart(self):
        """The Peppol orders among these whose customer (the invoiced company) wants one order per invoice."""
        return self.filtered(
            lambda order: order.psb_order_ref and order.partner_invoice_id.commercial_partner_id.psb_invoice_per_order
        )

    def _create_invoices(self, grouped=False, final=False, date=None):
        apart = self.browse() if grouped else self._psb_invoice_apart()
        if not apart:
            return super()._create_invoices(grouped=grouped, final=final, date=date)
        rest = self - apart
        if not rest:
            return super()._create_invoices(grouped=True, final=final, date=date)
        quiet = self.with_context(raise_if_nothing_to_invoice=False)
        moves = super(SaleOrder, apart.with_env(quiet.env))._create_invoices(grouped=True, final=final, date=date)
        moves |= super(SaleOrder, rest.with_env(quiet.env))._create_invoices(final=final, date=date)
        if not moves and self.env.context.get("raise_if_nothing_to_invoice", True):
            raise UserError(self._nothing_to_invoice_error_message())
        return moves.with_env(self.env)

    def _psb_invoicing_warning(self):
        """What invoicing these orders together (Odoo's consolidated billing) does to Peppol orders of one
        customer: a text per customer with more than one, or False."""
        by_customer = {}
        for order in self.filtered("psb_order_ref"):
            partner = order.partner_invoice_id.commercial_partner_id
            by_customer[partner] = by_customer.get(partner, self.browse()) | order
        texts = []
        for partner, orders in by_customer.items():
            if len(orders) < 2:
                continue
            names = ", ".join(orders.mapped("name"))
            if partner.psb_invoice_per_order:
                texts.append(
                    self.env._(
                        "%(customer)s: the Peppol orders %(orders)s are invoiced one by one, since the customer wants "
                        "one invoice per Peppol order.",
                        customer=partner.display_name,
                        orders=names,
                    )
                )
            else:
                texts.append(
                    self.env._(
                        "%(customer)s: the Peppol orders %(orders)s go on one invoice where Odoo groups them (the "
                        "same delivery address and currency); the buyer may not match it to its orders without a "
                        "person (the customer's setting One Invoice per Peppol Order is off).",
                        customer=partner.display_name,
                        orders=names,
                    )
                )
        return "\n".join(texts) or False

    # ------------------------------------------------------------------
    # Odoo's "Upload Request for Quotation" (sale_edi_ubl): Peppol files go through this addon
    # ------------------------------------------------------------------
    def create_document_from_attachment(self, attachment_ids):
        attachments = self.env["ir.attachment"].browse(attachment_ids)
        attachments.check_access("read")
        peppol = attachments.filtered(self._psb_is_peppol_attachment)
        if not peppol:
            return super().create_document_from_attachment(attachment_ids)
        Document = self.env["econnect.psb.document"]
        # The same check as Import a document, before the pipeline acts with its own rights.
        Document._psb_check_upload(self.env.company)
        documents = Document
        for attachment in peppol:
            raw = attachment.with_context(bin_size=False).raw
            documents |= Document._create_from_upload(self.env.company, raw, attachment.name)
        orders = documents.sale_order_id
        others = attachments - peppol
        if others:
            orders |= self.with_context(
                default_partner_id=self.env.user.partner_id.id
            )._create_records_from_attachments(others)
        # The uploaded files are kept on their documents: the originals go, when the caller may delete them.
        peppol.filtered(lambda attachment: attachment.has_access("unlink")).unlink()
        if not orders:
            # Nothing could be read: the incoming documents say why.
            action = self.env["ir.actions.act_window"]._for_xml_id("sale_econnect_psb.action_econnect_psb_document")
            action.update(domain=[("id", "in", documents.ids)], context={})
            return action
        return orders._get_records_action(name=self.env._("Generated Orders"))

    @api.model
    def _psb_is_peppol_attachment(self, attachment):
        is_xml = "xml" in (attachment.mimetype or "") or (attachment.name or "").lower().endswith(".xml")
        return is_xml and bool(peek.detect_kind(attachment.with_context(bin_size=False).raw or b""))

    def action_psb_view_documents(self):
        self.ensure_one()
        self._psb_check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_econnect_psb.action_econnect_psb_document")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("psb_order_ref_reused"):
            for vals in vals_list if isinstance(vals_list, list) else [vals_list]:
                vals["psb_order_ref_reused"] = True
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Answering time: an order that needs a person is answered in time
    # ------------------------------------------------------------------
    psb_answer_due = fields.Datetime(
        "Peppol Answer Due",
        compute="_compute_psb_answer_due",
        store=True,
        index="btree_not_null",
        help="When the buyer should have our answer (accept, accept with changes or reject): the order's "
        "reception plus the customer's answering time, else the company's. Empty once answered.",
    )
    psb_answer_overdue = fields.Boolean(
        "Peppol Answer Overdue", compute="_compute_psb_answer_overdue", search="_search_psb_answer_overdue"
    )

    @api.depends(
        "psb_awaiting_answer",
        "psb_document_id.create_date",
        "partner_id.commercial_partner_id.psb_answer_hours",
        "company_id.psb_answer_hours",
    )
    def _compute_psb_answer_due(self):
        for order in self:
            hours = order.partner_id.commercial_partner_id.psb_answer_hours or order.company_id.psb_answer_hours
            received = order.psb_document_id.create_date
            due = order.psb_awaiting_answer and hours > 0 and received
            order.psb_answer_due = received + timedelta(hours=hours) if due else False

    @api.depends("psb_answer_due")
    def _compute_psb_answer_overdue(self):
        now = fields.Datetime.now()
        for order in self:
            order.psb_answer_overdue = bool(order.psb_answer_due and order.psb_answer_due <= now)

    def _search_psb_answer_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search for overdue Peppol answers with 'is set' or 'is not set' only."))
        overdue = [("psb_answer_due", "<=", fields.Datetime.now())]
        return overdue if (operator == "=") == value else ["!", *overdue]

    @api.model
    def _cron_psb_overdue_answers(self, now=None):
        """The sales team's leader is asked to see that each overdue order is answered (once per order); the
        activity closes by itself once the order is answered."""
        now = now or fields.Datetime.now()
        for order in self.search([("psb_answer_due", "<=", now), ("state", "!=", "cancel")]):
            if not order._psb_activities("overdue"):
                order._psb_ask_overdue_answer()
        self._psb_close_answered_overdue(now)

    def _psb_ask_overdue_answer(self):
        """The activity of an overdue answer, for the team's leader, in the leader's language and time zone."""
        self.ensure_one()
        user = self.team_id.user_id or self.user_id or self.company_id.psb_user_id or self.env.user
        env = self.with_context(lang=user.lang or self.env.lang).env
        self._psb_activity(
            "overdue",
            summary=env._("Answer the Peppol order %s: its answering time has passed", self.name),
            note=env._(
                "The buyer %(buyer)s should have had our answer to order %(ref)s by %(due)s.",
                buyer=self.partner_id.commercial_partner_id.display_name,
                ref=self.psb_order_ref or self.name,
                due=format_datetime(env, self.psb_answer_due, tz=user.tz or False, dt_format="short"),
            ),
            user=user,
        )

    @api.model
    def _psb_close_answered_overdue(self, now):
        activities = self.env["mail.activity"].search([("psb_kind", "=", "overdue"), ("res_model", "=", "sale.order")])
        orders = self.browse(activities.mapped("res_id")).exists()
        orders.filtered(lambda o: not o.psb_answer_due or o.psb_answer_due > now)._psb_close_activities("overdue")
