# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
import types
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero, format_datetime

from ..psb import agreement as ag
from ..psb import exceptions as psb_errors
from ..psb.ubl import peek, reader
from .dialog import dialog_action
from .econnect_psb_order_import import ORDER_TYPE_SELECTION, PROFILE_SELECTION
from .econnect_psb_response import psb_error_advice
from .psb_fields import peppol_field
from .psb_messages import psb_error_text
from .psb_refs import psb_ref
from .psb_selections import RESPONSE_CODES, SEND_STATES
from .psb_texts import T, render, render_fields, render_note
from .psb_texts import note as psb_note
from .res_company import PSB_GROUP
from .res_partner import receiver_state

#: The agreement with the buyer (psb/agreement.py), as a sales user reads it.
AGREEMENT_STATES = [
    (ag.RECEIVED, "Received, not answered yet"),
    (ag.ACKNOWLEDGED, "Acknowledged (AB), not accepted yet"),
    (ag.PROPOSED, "Changes proposed (CA), waiting for the buyer"),
    (ag.ACCEPTED, "Accepted"),
    (ag.REJECTED, "Rejected (RE), waiting for the buyer's cancellation"),
    (ag.CHANGE, "Changed by the buyer, to decide"),
    (ag.CANCELLATION, "Cancellation requested by the buyer, to decide"),
    (ag.CANCELLED, "Cancelled"),
]
#: Whom the agreement with the buyer waits for (psb/agreement.py ``WAITS_FOR``).
WAITS_FOR = [("person", "A person"), ("buyer", "The buyer")]
QUOTATION_STATES = ("draft", "sent")
#: What the open issues of an order (``_psb_open_issues``) are made of.
OPEN_ISSUES_DEPEND_ON = (
    "state",
    "psb_document_id",
    "psb_issue_data",
    "psb_issues_checked",
    "order_line.product_id",
    "order_line.price_unit",
    "order_line.psb_issue_data",
    "order_line.display_type",
)


def _import_note(string, **kwargs):
    """What the import (or a buyer's change) noted, in the reader's language: rendered
    from its data field by ``_compute_psb_import_issues``."""
    return fields.Text(string, compute="_compute_psb_import_issues", **kwargs)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    psb_document_id = peppol_field(
        fields.Many2one,
        "econnect.psb.document",
        "Peppol Order Document",
        index="btree_not_null",
    )
    psb_document_ids = fields.One2many(
        "econnect.psb.document", "sale_order_id", "Peppol Documents", readonly=True
    )
    psb_customer_by_name = peppol_field(
        fields.Boolean,
        "Peppol Customer Found by Name",
        help="No contact had the buyer's Peppol id, VAT number or registration: the "
        "customer was found by its name "
        "only. Such an order is never confirmed automatically.",
    )
    psb_order_ref = peppol_field(
        fields.Char,
        "Peppol Order ID",
        index="btree_not_null",  # each import, change and cancellation looks it up
        help="The cbc:ID of the buyer's Peppol Order.",
    )
    psb_profile = peppol_field(fields.Selection, PROFILE_SELECTION, "Peppol Profile")
    psb_buyer_endpoint = peppol_field(
        fields.Char, "Buyer Peppol ID", index="btree_not_null"
    )
    psb_seller_endpoint = peppol_field(fields.Char, "Seller Peppol ID")
    psb_currency_code = peppol_field(fields.Char, "Order Currency")
    psb_customer_reference = peppol_field(fields.Char, "Buyer's Reference")
    psb_contract_reference = peppol_field(
        fields.Char,
        "Buyer's Contract",
        help="The contract the buyer's order refers to (cac:Contract).",
    )
    psb_project_reference = peppol_field(fields.Char, "Buyer's Project")
    psb_accounting_cost = peppol_field(
        fields.Char,
        "Buyer's Accounting Cost",
        help="Where the buyer books the order (cbc:AccountingCost): its invoice "
        "carries it back.",
    )
    psb_buyer_note = peppol_field(fields.Text, "Buyer's Note")
    psb_needs_attention = fields.Boolean(
        "Peppol Import Needs Attention",
        copy=False,
        compute="_compute_psb_needs_attention",
        store=True,
        readonly=False,
        help="A person must look at this order: see the banner on the quotation.",
    )
    # What the import (or a buyer's change) noted, as codes and parameters
    # (models/psb_texts.py): a list of texts, each with the buyer's line id ("line")
    # when it is about a line, and "kind": "amounts" for a difference of the totals
    # check. Shown in the reader's language (psb_import_issues).
    psb_issue_data = peppol_field(fields.Json, "Peppol Import Issues (data)")
    psb_import_issues = _import_note(
        "Peppol Import Issues",
        help="What the import (or a buyer's change) noted, in the reader's language.",
    )
    psb_issues_checked = peppol_field(
        fields.Boolean,
        "Peppol Import Checked",
        help="A person pressed Mark as checked: the notes of the import are no longer "
        "shown (lines without "
        "an identified product or without a price still are).",
    )
    psb_attention_text = fields.Text(
        "Open Peppol Issues", compute="_compute_psb_attention_text"
    )
    psb_follow_up_pending = fields.Boolean("Peppol Change Pending", copy=False)
    psb_pending_document_id = peppol_field(
        fields.Many2one, "econnect.psb.document", "Pending Change or Cancellation"
    )
    psb_pending_type = fields.Selection(related="psb_pending_document_id.document_type")
    psb_pending_summary = peppol_field(fields.Text, "Proposed by the Buyer")
    psb_cancellation_note = peppol_field(fields.Char, "Buyer's Cancellation Reason")
    psb_last_change_seq = peppol_field(fields.Integer, "Last Applied Change")
    psb_last_change_date = peppol_field(fields.Datetime)
    psb_awaiting_buyer = fields.Boolean(
        "Awaiting the Buyer",
        compute="_compute_psb_waits_for",
        store=True,
        help="We proposed changes (CA) or cancelled (RE): the buyer's next Order "
        "Change or Order Cancellation "
        "is the answer to that.",
    )
    # The agreement with the buyer: moved only by _psb_agree (psb/agreement.py owns the
    # moves); derived from the order's answers and documents when the addon is installed
    # or upgraded.
    psb_agreement_state = peppol_field(
        fields.Selection,
        AGREEMENT_STATES,
        "Agreement with the Buyer",
        compute="_compute_psb_agreement",
        store=True,
        index="btree_not_null",
        help='What the buyer was told and what the order waits for: see README, "The '
        'agreement with the buyer".',
    )
    psb_agreement_before = peppol_field(
        fields.Selection,
        AGREEMENT_STATES,
        "Agreement before the Buyer's Document",
        compute="_compute_psb_agreement",
        store=True,
        help="The agreement a refused change or cancellation of the buyer goes back "
        "to.",
    )
    psb_change_to_answer = peppol_field(
        fields.Char,
        "Change Answered on Confirm",
        help="The buyer's Order Change applied to this quotation while it needed "
        "attention: the person who "
        "checks and confirms the order answers it.",
    )
    psb_waits_for = fields.Selection(
        WAITS_FOR,
        "Peppol Order Waits For",
        compute="_compute_psb_waits_for",
        store=True,
        index="btree_not_null",
    )
    psb_agreement_text = fields.Char("Agreement", compute="_compute_psb_agreement_text")
    psb_offered_answers = fields.Char(
        compute="_compute_psb_offered_answers",
        help="The answers to the order that may go out now, comma separated (AB, AP, "
        "CA, RE).",
    )

    psb_amounts_state = peppol_field(
        fields.Selection,
        [
            ("match", "Match the buyer's order"),
            ("differ", "Differ from the buyer's order"),
            ("unchecked", "Not checked"),
        ],
        "Peppol Amounts",
        help="The totals check after import: the quotation's untaxed amount, tax and "
        "total compared with the "
        "buyer's order totals (AnticipatedMonetaryTotal, TaxTotal).",
    )
    psb_auto_state = peppol_field(
        fields.Selection,
        [
            ("confirmed", "Confirmed automatically"),
            ("person", "Needs a person"),
            ("off", "Off"),
        ],
        "Automatic Confirmation",
        index="btree_not_null",
        help="What automatic confirmation decided when the Peppol order was imported.",
    )
    # The reasons as codes and parameters (models/psb_texts.py), shown in the reader's
    # language; a plain text written to psb_auto_reasons is kept as it is.
    psb_auto_reasons_data = peppol_field(
        fields.Json, "Automatic Confirmation Reasons (data)"
    )
    psb_auto_reasons = fields.Text(
        "Automatic Confirmation Reasons",
        compute="_compute_psb_auto_reasons",
        inverse="_inverse_psb_auto_reasons",
        readonly=True,
        help="The conditions that failed (or, when confirmed automatically, the "
        "conditions met).",
    )
    psb_price_warning_data = peppol_field(
        fields.Json, "Peppol Price Differences (data)"
    )
    psb_price_warning = _import_note(
        "Peppol Price Differences",
        help="The lines whose price differs from our pricelist price for this "
        "customer.",
    )
    psb_amounts_data = peppol_field(fields.Json, "Peppol Amount Differences (data)")
    psb_amounts_note = _import_note(
        "Peppol Amount Differences",
        help="Each total of the quotation that is not the buyer's, with both amounts "
        "and the likely cause.",
    )
    psb_order_type = peppol_field(
        fields.Selection,
        ORDER_TYPE_SELECTION,
        "Peppol Order Type",
        index="btree_not_null",
        help="The buyer's OrderTypeCode (UNCL1001): e.g. 227, a consignment order, is "
        "not an ordinary order.",
    )
    psb_order_type_code = peppol_field(fields.Char, "Peppol Order Type Code")
    psb_response_ids = fields.One2many(
        "econnect.psb.response", "sale_order_id", "Peppol Responses", readonly=True
    )
    psb_response_code = fields.Selection(
        RESPONSE_CODES,
        "Last Peppol Answer",
        compute="_compute_psb_response",
        store=True,
    )
    psb_response_state = fields.Selection(
        SEND_STATES,
        "Peppol Answer Status",
        compute="_compute_psb_response",
        store=True,
    )
    psb_awaiting_answer = fields.Boolean(
        "Awaiting our Peppol answer", compute="_compute_psb_response", store=True
    )
    psb_answerable = fields.Boolean(compute="_compute_psb_answerable")
    psb_uploaded = fields.Boolean(
        "Uploaded Peppol Order",
        compute="_compute_psb_answerable",
        help="The order was uploaded by hand, not delivered by the PSB: no answer can "
        "go through the PSB.",
    )
    psb_next_answer = fields.Selection(
        [("AB", "Acknowledge (AB)"), ("AP", "Accept (AP)")],
        compute="_compute_psb_next_answer",
        help="The one answer the header offers as a button; the others are under "
        "Peppol answer.",
    )
    psb_answer_advice = fields.Char(compute="_compute_psb_answer_advice")
    psb_buyer_can_respond = receiver_state("Buyer Receives Order Responses")
    psb_buyer_checked_on = peppol_field(fields.Datetime, "Buyer Checked On")

    psb_order_ref_reused = peppol_field(
        fields.Boolean,
        "Peppol Order ID Reused",
        help="The buyer sent another order under an order id already imported, and a "
        "person chose to import "
        "it as a new order: follow-up documents of that id go to the first order.",
    )
    psb_revision_document_id = peppol_field(
        fields.Many2one,
        "econnect.psb.document",
        "Revised Order Waiting",
        help="An order with this order id and other content arrived; a person decides "
        "what becomes of it.",
    )
    psb_revision_summary = fields.Text(
        related="psb_revision_document_id.psb_revision_summary"
    )
    psb_rule_violations = peppol_field(
        fields.Text,
        "Peppol Rule Violations",
        help="The official Peppol rules the buyer's order breaks (fatal ones); it was "
        "imported anyway.",
    )

    _psb_order_uniq = models.UniqueIndex(
        # Peppol ids are case-insensitive: 9944:NL812345678B01 and 9944:nl812345678b01
        # are one buyer.
        "(company_id, lower(psb_buyer_endpoint), psb_order_ref) WHERE psb_order_ref "
        "IS NOT NULL"
        " AND psb_order_ref_reused IS NOT TRUE",
        "This Peppol order of this buyer was already imported.",
    )

    # ------------------------------------------------------------------
    # The agreement with the buyer (psb/agreement.py owns its moves)
    # ------------------------------------------------------------------
    # Computed when the order gets its Peppol order (at creation) and for existing
    # orders at install or upgrade, from their records; then moved by _psb_agree only.
    @api.depends("psb_document_id")
    def _compute_psb_agreement(self):
        for order in self:
            agreement = order._psb_derive_agreement() if order.psb_document_id else None
            order.psb_agreement_state = agreement.state if agreement else False
            order.psb_agreement_before = (
                agreement.before if agreement else None
            ) or False

    def _psb_derive_agreement(self):
        """The agreement after the order's answers and the buyer's documents, oldest
        first: an answer to a buyer's document right after that document; at the same
        moment our answers to the order first (the buyer's documents answer them)."""
        self.ensure_one()
        now = fields.Datetime.now()
        documents = self.sudo().psb_document_ids.filtered(
            lambda d: (
                d.document_type in ("order_change", "order_cancellation")
                and d.state in ("imported", "pending", "done")
            )
        )
        by_ref = {d.change_ref: d for d in documents if d.change_ref}
        buyer = {
            "order_change": ag.BUYER_CHANGE,
            "order_cancellation": ag.BUYER_CANCELLATION,
        }
        answer_events = {
            "order_change": {"AP": ag.ACCEPT_CHANGE, "RE": ag.REFUSE_CHANGE},
            "order_cancellation": {
                "AP": ag.ACCEPT_CANCELLATION,
                "RE": ag.REFUSE_CANCELLATION,
            },
        }
        events = [
            ((d.create_date or now, 1, d.id, 0, 0), buyer[d.document_type])
            for d in documents
        ]
        for response in self.sudo().psb_response_ids:
            document = (
                by_ref.get(response.order_change_ref)
                if response.order_change_ref
                else None
            )
            if document:
                key = (document.create_date or now, 1, document.id, 1, response.id)
                event = answer_events[document.document_type].get(
                    response.code, response.code
                )
            else:
                key, event = (
                    (response.create_date or now, 0, 0, 0, response.id),
                    response.code,
                )
            events.append((key, event))
        events.sort(key=lambda item: item[0])
        return ag.derive(
            [event for _key, event in events],
            advanced=self.psb_profile == "advanced_ordering",
        )

    def _psb_agreement(self):
        self.ensure_one()
        return ag.Agreement(
            self.psb_agreement_state or ag.RECEIVED,
            self.psb_agreement_before or None,
            self.psb_profile == "advanced_ordering",
        )

    def _psb_agree(self, event):
        """Move the agreement with the buyer by ``event`` (an answer of ours, a buyer's
        document, a decision): the one place it moves. :raises UserError: with the
        reason, when the agreement does not allow it now (an answer already sent, a
        decision already taken). :returns: the agreement before the move"""
        self.ensure_one()
        before = self._psb_agreement()
        if not self.psb_document_id:
            return before
        try:
            after = before.apply(event, self.env._)
        except ag.Refused as exc:
            raise UserError(exc.reason) from None
        vals = {
            "psb_agreement_state": after.state,
            "psb_agreement_before": after.before or False,
        }
        if after.state != ag.CHANGE:
            vals["psb_change_to_answer"] = False
        self.sudo().write(vals)
        return before

    def _psb_answer_event(self, code, order_change_ref):
        """The agreement's event for our answer ``code`` (to the buyer's pending
        document when ``order_change_ref``)."""
        if order_change_ref and self.psb_agreement_state == ag.CANCELLATION:
            return {"AP": ag.ACCEPT_CANCELLATION, "RE": ag.REFUSE_CANCELLATION}.get(
                code, code
            )
        if order_change_ref and self.psb_agreement_state == ag.CHANGE:
            return {"AP": ag.ACCEPT_CHANGE, "RE": ag.REFUSE_CHANGE}.get(code, code)
        return code

    @api.depends("psb_agreement_state", "state", "psb_answerable")
    def _compute_psb_waits_for(self):
        for order in self:
            waits = False
            if order.psb_agreement_state and order.state != "cancel":
                quotation = order.state in QUOTATION_STATES
                if order.psb_answerable:
                    waits = order._psb_agreement().waits_for(
                        confirmed=order.state == "sale", quotation=quotation
                    )
                # nothing is answered: a quotation waits for the person who confirms it
                else:
                    waits = "person" if quotation else False
            order.psb_waits_for = waits or False
            order.psb_awaiting_buyer = waits == "buyer"

    @api.depends(
        "psb_agreement_state", "state", "psb_change_to_answer", "psb_answerable"
    )
    @api.depends_context("lang")
    def _compute_psb_agreement_text(self):
        for order in self:
            state = order.psb_agreement_state
            quiet = (
                (ag.RECEIVED, ag.ACCEPTED)
                if order.state != "cancel"
                else (ag.RECEIVED, ag.ACCEPTED, ag.CANCELLED)
            )
            if not state or state in quiet or not order.psb_answerable:
                order.psb_agreement_text = False
            elif state == ag.CHANGE and order.psb_change_to_answer:
                order.psb_agreement_text = self.env._(
                    "The buyer's Order Change %s was applied; confirming the order "
                    "answers it.",
                    order.psb_change_to_answer,
                )
            elif state == ag.REJECTED and order.state == "sale":
                order.psb_agreement_text = self.env._(
                    "Rejected toward the buyer (RE), waiting for the buyer's "
                    "cancellation: do not deliver or "
                    "invoice it."
                )
            else:
                order.psb_agreement_text = ag.state_label(state, self.env._)

    def _psb_offered_answers_list(self):
        """Our answers to the order that may go out now: the agreement's, and AP to a
        change applied to the quotation; nothing while the buyer's change or
        cancellation waits for a decision."""
        self.ensure_one()
        if not self._psb_can_answer() or self.psb_pending_document_id:
            return []
        agreement = self._psb_agreement()
        answers = list(agreement.answers())
        if agreement.state == ag.CHANGE and self.psb_change_to_answer:
            answers.insert(0, "AP")
        return answers

    @api.depends(
        "psb_agreement_state",
        "psb_change_to_answer",
        "psb_profile",
        "psb_pending_document_id",
        "state",
        "psb_buyer_can_respond",
    )
    def _compute_psb_offered_answers(self):
        for order in self:
            order.psb_offered_answers = (
                ",".join(order._psb_offered_answers_list()) or False
            )

    @api.depends(
        "psb_response_ids.state",
        "psb_response_ids.code",
        "psb_document_id",
        "psb_profile",
        "state",
        "psb_document_id.source",
        "psb_buyer_can_respond",
        "psb_agreement_state",
        "psb_change_to_answer",
    )
    def _compute_psb_response(self):
        for order in self:
            responses = order.psb_response_ids.sorted("id")
            last = responses[-1:] if responses else responses
            order.psb_response_code = last.code or False
            order.psb_response_state = last.state or False
            # The agreement waits for our answer (to the order, or to a change applied
            # to the quotation), or the last answer failed: a failed answer is not an
            # answer (Retry sends it).
            unanswered = (
                order.psb_agreement_state in (ag.RECEIVED, ag.ACKNOWLEDGED)
                or bool(
                    order.psb_agreement_state == ag.CHANGE
                    and order.psb_change_to_answer
                )
                or last.state == "failed"
            )
            # Only what can be answered through the PSB awaits an answer (not an upload,
            # not a buyer without a delivery channel for Order Responses).
            order.psb_awaiting_answer = bool(
                order.psb_document_id
                and order.psb_profile != "order_only"
                and unanswered
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
        "psb_agreement_state",
        "psb_change_to_answer",
        "state",
        "psb_pending_document_id",
        "psb_buyer_can_respond",
    )
    def _compute_psb_next_answer(self):
        for order in self:
            order.psb_next_answer = False
            answers = order._psb_offered_answers_list()
            if order.state in QUOTATION_STATES and "AB" in answers:
                order.psb_next_answer = "AB"
            elif "AP" in answers and (
                order.state == "sale" or not order.company_id.psb_answer_on_confirm
            ):
                order.psb_next_answer = "AP"

    @api.depends(
        "psb_response_ids.state",
        "psb_response_ids.can_retry",
        "psb_response_ids.error_message",
    )
    def _compute_psb_answer_advice(self):
        for order in self:
            last = order.psb_response_ids.sorted("id")[-1:]
            order.psb_answer_advice = (
                last.error_message if last.state == "failed" else False
            )

    def _psb_can_answer(self):
        """Whether answers to this order can go through the PSB at all."""
        self.ensure_one()
        return (
            self.psb_answerable
            and self.state != "cancel"
            and self.psb_buyer_can_respond != "no"
        )

    # ------------------------------------------------------------------
    # What needs attention (computed from the order as it is now)
    # ------------------------------------------------------------------
    @api.depends(*OPEN_ISSUES_DEPEND_ON)
    def _compute_psb_needs_attention(self):
        for order in self:
            order.psb_needs_attention = bool(order._psb_open_issues())

    @api.depends(*OPEN_ISSUES_DEPEND_ON)
    @api.depends_context("lang")
    def _compute_psb_attention_text(self):
        for order in self:
            order.psb_attention_text = "\n".join(order._psb_open_issues()) or False

    @api.depends("psb_auto_reasons_data")
    @api.depends_context("lang")
    def _compute_psb_auto_reasons(self):
        render_fields(self, psb_auto_reasons="psb_auto_reasons_data")

    def _inverse_psb_auto_reasons(self):
        for order in self:
            order.psb_auto_reasons_data = order.psb_auto_reasons or False

    @api.depends("psb_issue_data", "psb_amounts_data", "psb_price_warning_data")
    @api.depends_context("lang")
    def _compute_psb_import_issues(self):
        render_fields(
            self,
            psb_import_issues="psb_issue_data",
            psb_amounts_note="psb_amounts_data",
            psb_price_warning="psb_price_warning_data",
        )

    def _psb_open_issues(self, blocking_only=False):
        """What needs a person on this order now: lines without an identified product or
        without a price (always), then, until someone presses Mark as checked, the
        import's notes on lines still as imported and its notes on the order. Nothing on
        a cancelled order.

        With ``blocking_only``, only what Confirm warns about even after Mark as
        checked.
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
        for line in self.order_line.filtered(
            lambda ln: not ln.display_type and not ln.is_downpayment
        ):
            if line.psb_line_ref and (
                line.psb_import_issue or line.product_id == placeholder
            ):
                covered.add(line.psb_line_ref)
            if problems := self._psb_line_problems(
                line, placeholder, blocking_only, texts
            ):
                ref = line.psb_line_ref or line.name.split("\n")[0]
                issues.append(
                    self.env._(
                        "Line %(line)s: %(issues)s",
                        line=ref,
                        issues="; ".join(problems),
                    )
                )
        if self.psb_issues_checked or blocking_only:
            return issues
        current_refs = set(self.order_line.mapped("psb_line_ref"))
        cache = {}
        for entry in self.psb_issue_data or []:
            text = render(self.env, entry, cache)
            ref = (
                entry.get("line")
                if isinstance(entry, dict)
                else self._psb_issue_line_ref(text)
            )
            # A note on a line is shown with the line above while it stands, and goes
            # with the line.
            if text.strip() and not (
                ref and (ref in covered or ref not in current_refs)
            ):
                issues.append(text)
        return issues

    def _psb_line_problems(self, line, placeholder, blocking_only, texts):
        """What is open on one line: no identified product, the import's note while the
        line is as imported (until Mark as checked), no price. ``texts``: the translated
        words, looked up once per order."""
        as_imported = (
            line.psb_import_issue and line.product_id == line.psb_original_product_id
        )
        problems = []
        if line.product_id == placeholder:
            problems.append(
                line.psb_import_issue if as_imported else texts["unidentified"]
            )
        elif as_imported and not self.psb_issues_checked and not blocking_only:
            problems.append(line.psb_import_issue)
        missing = texts["missing"]
        digits = self.currency_id.decimal_places if self.currency_id else 2
        if float_is_zero(line.price_unit, precision_digits=digits) and not any(
            missing in p for p in problems
        ):
            problems.append(missing)
        return problems

    def _psb_issue_line_ref(self, note):
        """The buyer's line id a stored import note is about ("Line 7: ...", "Regel 7:
        ..."), else None.

        A note is stored in the language it was written in, which need not be the
        reader's: the prefix of every installed language is recognised."""
        patterns = {("Line ", ": ")}
        for code, _name in self.env["res.lang"].get_installed():
            template = self.with_context(lang=code).env._(
                "Line %(line)s: %(issues)s", line="\x00", issues="\x01"
            )
            prefix, _sep, rest = template.partition("\x00")
            patterns.add((prefix, rest.partition("\x01")[0]))
        for start, sep in patterns:
            if match := re.match(rf"^{re.escape(start)}(\S+?){re.escape(sep)}", note):
                return match.group(1)
        return None

    def write(self, vals):
        if "psb_issue_data" in vals and "psb_issues_checked" not in vals:
            # Something new was noted (e.g. a buyer's change added lines): it must be
            # looked at again.
            vals = {**vals, "psb_issues_checked": False}
        return super().write(vals)

    def action_psb_mark_checked(self):
        """The person looked at what the import noted: the banner keeps only what is
        still wrong."""
        for order in self:
            order.psb_issues_checked = True
            order._psb_close_activities("import")
            order._psb_log(T._("Peppol import marked as checked."))
        return True

    # ------------------------------------------------------------------
    # Activities: one per problem, linked to what it is about
    # ------------------------------------------------------------------
    def _psb_activity(self, kind, summary, note, user=None, document=None):
        """Schedule the activity of ``kind`` (and ``document``), or bring the open one
        up to date.

        ``summary`` and ``note`` are texts, or texts of models/psb_texts.py (``T._``,
        ``psb_note``): those are stored as data and shown in the reader's language, and
        written in the assignee's language. Activities send no e-mail of their own
        (README, "Who is told what"): they are the responsible's list of what needs
        doing, in their activities and on the order desk."""
        self.ensure_one()
        existing = self._psb_activities(kind, document)
        user = (
            existing[:1].user_id
            or user
            or self.user_id
            or self.company_id.psb_user_id
            or self.env.user
        )
        vals = self._psb_activity_texts(summary, note, user)
        if existing:
            existing[:1].write(vals)
            return existing[:1]
        return self.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_warning"
            if kind == "answer"
            else "mail.mail_activity_data_todo",
            user_id=user.id,
            psb_kind=kind,
            psb_document_id=document.id if document else False,
            **vals,
        )

    def _psb_activity_texts(self, summary, note, user):
        """The values of an activity's summary and note: the data, and the texts in
        ``user``'s language."""
        env = self.with_context(lang=user.lang or self.env.lang).env
        vals = {"summary": summary, "note": note}
        if isinstance(summary, dict):
            vals.update(summary=render(env, summary), psb_summary_data=summary)
        if isinstance(note, dict):
            data = note if "title" in note else psb_note(note)
            vals.update(note=render_note(env, data), psb_note_data=data)
        return vals

    def _psb_log(self, data, lang=None, **kwargs):
        """Log a text of models/psb_texts.py in the chatter: shown in the reader's
        language, stored (for e-mails, searches and exports) in ``lang`` (by default the
        environment's)."""
        self.ensure_one()
        data = data if "title" in data else psb_note(data)
        env = self.with_context(lang=lang).env if lang else self.env
        return self.with_context(psb_body_data=data)._message_log(
            body=render_note(env, data), **kwargs
        )

    def _psb_activities(self, kind, document=None):
        activities = self.sudo().activity_ids.filtered(lambda a: a.psb_kind == kind)
        if document is not None:
            activities = activities.filtered(lambda a: a.psb_document_id == document)
        return activities

    def _psb_close_activities(self, kinds, document=None):
        """Close the open activities of ``kinds`` (a kind, or a tuple of kinds)."""
        for kind in (kinds,) if isinstance(kinds, str) else kinds:
            for order in self:
                order._psb_activities(kind, document).action_feedback()

    # ------------------------------------------------------------------
    # Access: every button checks the caller first, then may act with more rights
    # ------------------------------------------------------------------
    def _psb_check_access(self, operation="write"):
        """The caller is a sales user who may ``operation`` these orders (record rules
        included).

        Called first by every public method of the addon that acts on an order, before
        any sudo(): portal users and internal users without sales rights reach none of
        them.
        """
        if not self.env.su and not self.env.user.has_group(
            "sales_team.group_sale_salesman"
        ):
            raise AccessError(self.env._("Only sales users can answer Peppol orders."))
        self.check_access(operation)
        return self

    def _psb_check_decider(self):
        """The caller is one of those asked to decide on a buyer's change, cancellation
        or revised order of these orders: the order's salesperson (who may change it), a
        sales manager or a PSB administrator of its company (record rules included).
        Called first by the decision buttons, which then act with the pipeline's rights;
        anybody else is refused with a message that names who can decide."""
        if self.env.su:
            return self
        user = self.env.user
        is_salesman = user.has_group("sales_team.group_sale_salesman")
        is_decider = user.has_group("sales_team.group_sale_manager") or user.has_group(
            PSB_GROUP
        )
        for order in self:
            # The order's company among the caller's (active) companies: read as the
            # pipeline, the rules follow.
            in_company = order.sudo().company_id in self.env.companies
            if (
                is_salesman
                and in_company
                and (
                    is_decider or (order.user_id == user and order.has_access("write"))
                )
            ):
                continue
            if not order.has_access("read"):
                raise AccessError(
                    self.env._(
                        "Only the order's salesperson, a sales manager or a PSB "
                        "administrator of the order's company "
                        "can decide on it."
                    )
                )
            if order.user_id:
                message = self.env._(
                    "Only %(salesperson)s (the salesperson of %(order)s), a sales "
                    "manager or a PSB administrator of "
                    "%(company)s can decide on %(order)s.",
                    salesperson=order.user_id.name,
                    order=order.name,
                    company=order.company_id.name,
                )
            else:
                message = self.env._(
                    "Only a sales manager or a PSB administrator of %(company)s can "
                    "decide on %(order)s (it has no "
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
                "%s was uploaded by hand, not delivered by the PSB: no answer can be "
                "sent through the PSB. "
                "Answer the buyer by other means.",
                self.name,
            )
        if not self.psb_answerable:
            return self.env._(
                "%s did not come in as a Peppol order that expects an answer (Order "
                "Only orders get none).",
                self.name,
            )
        if self.psb_buyer_can_respond == "no":
            return self.env._(
                "The buyer cannot receive Peppol Order Responses (checked at the PSB)."
            )
        return False

    def _psb_queue_response(
        self, code, note=None, lines=None, order_change_ref=None, auto=False
    ):
        """Queue one answer, moving the agreement with the buyer (refused with its
        reason when the agreement does not allow it now: the same answer twice, a
        decision already taken).

        With ``auto`` (answers the addon sends by itself), an order that cannot be
        answered through the PSB gets none (the agreement moves all the same: the
        decision is taken), and an empty recordset is returned; a person's explicit
        answer raises why.
        """
        self.ensure_one()
        blocker = self._psb_answer_blocker()
        if blocker and not auto:
            raise UserError(blocker)
        # Answering a change applied to the quotation answers that change (scenario 2).
        order_change_ref = order_change_ref or (
            self.psb_agreement_state == ag.CHANGE and self.psb_change_to_answer
        )
        self._psb_agree(self._psb_answer_event(code, order_change_ref))
        Response = self.env["econnect.psb.response"].sudo()
        if blocker:
            return Response
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
        if self.state in QUOTATION_STATES and code == "CA":
            self._psb_take_proposal(response)
        elif self.state in QUOTATION_STATES and code == "RE" and not order_change_ref:
            # The buyer was told the whole order is rejected: the quotation is
            # cancelled.
            self._action_cancel()
            self._psb_close_activities(("import", "confirm"))
        Response._trigger_sending()
        return response

    def _psb_take_proposal(self, response):
        """Our CA on a quotation: the quotation becomes what we proposed (quantities,
        prices, substitutes, promised dates; rejected lines at 0), and waits for the
        buyer. What was agreed with the buyer (``psb_ordered_*``) stays the buyer's
        until its Order Change accepts the proposal."""
        dates = []
        for line in response.line_ids.filtered(
            lambda ln: ln.sale_line_id and ln.status in ("3", "7")
        ):
            vals = {}
            if line.status == "7":
                vals["product_uom_qty"] = 0
            else:
                if line.substitute_product_id:
                    vals["product_id"] = line.substitute_product_id.id
                if line.quantity_changed:
                    vals["product_uom_qty"] = line.quantity
                if line.price_changed or line.substitute_product_id:
                    vals.update(
                        price_unit=line.price
                        if line.price_changed
                        else line.sale_line_id.price_unit
                    )
                    vals["discount"] = (
                        0.0 if line.price_changed else line.sale_line_id.discount
                    )
                if line.promised_date:
                    dates.append(line.promised_date)
            if vals:
                line.sale_line_id.write(vals)
        if dates:
            self.commitment_date = fields.Datetime.to_datetime(max(dates))

    def action_psb_acknowledge(self):
        self._psb_check_access()
        for order in self:
            buyer_env = order.with_context(
                lang=order.partner_id.lang or self.env.lang
            ).env  # the buyer reads it
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
        wizard = self.env["econnect.psb.response.wizard"].create(
            {"sale_order_id": self.id, "code": code}
        )
        if code == "CA":
            wizard.line_ids = [
                fields.Command.create(vals) for vals in self._psb_response_lines()
            ]
        # Every line with its status, quantity, unit, price, date, substitute and note:
        # the widest dialog.
        return dialog_action(
            wizard, wizard._title(code), size="extra-large" if code == "CA" else None
        )

    def action_psb_reject(self):
        self._psb_check_access()
        return self._psb_open_answer_wizard("RE")

    def action_psb_accept_with_changes(self):
        self._psb_check_access()
        return self._psb_open_answer_wizard("CA")

    def action_psb_answer_menu(self):
        """Every answer that makes sense now, in one dialog (the header offers only the
        next one)."""
        self.ensure_one()
        wizard = self.env["econnect.psb.answer.choice"].create(
            {"sale_order_id": self.id}
        )
        return dialog_action(wizard, self.env._("Peppol answer"))

    def action_psb_check_buyer(self):
        self._psb_check_access()
        for order in self:
            try:
                order._psb_check_buyer()
            except psb_errors.PsbError as exc:
                raise UserError(
                    self.env._(
                        "The PSB could not be asked whether the buyer receives Order "
                        "Responses: %(error)s\n%(advice)s",
                        error=psb_error_text(self.env, exc),
                        advice=psb_error_advice(self.env, exc),
                    )
                ) from exc
        return True

    def action_psb_view_original_order(self):
        """The buyer's original Peppol order as a readable document (printable as
        PDF)."""
        self.ensure_one()
        if not self.psb_document_id:
            raise UserError(
                self.env._("%s did not come in as a Peppol order.", self.name)
            )
        return self.psb_document_id.action_psb_readable()

    def _psb_check_buyer(self):
        """Ask the PSB once whether the buyer can receive Order Responses, and remember
        it. A "yes" the PSB gave for the same buyer within the last day is taken over (a
        buyer sending many orders is asked once a day, not once per order); a "no" is
        always asked again."""
        self.ensure_one()
        now = fields.Datetime.now()
        return self._psb_buyer_answer_known(now) or self._psb_ask_buyer(now)

    def _psb_buyer_answer_known(self, now):
        """What can be said without asking the PSB, remembered: "no" for a buyer
        without a Peppol id (EndpointID: it cannot be asked for, nor sent, an answer),
        "yes" when the PSB said so for the same buyer within the last day; else None."""
        if not self.psb_buyer_endpoint:
            answer = "no"
        elif self._psb_buyer_known_to_respond(now):
            answer = "yes"
        else:
            return None
        self.write({"psb_buyer_can_respond": answer, "psb_buyer_checked_on": now})
        return answer

    def _psb_ask_buyer(self, now):
        """Ask the PSB whether the buyer receives Order Responses; remember it."""
        company = self.company_id
        try:
            company._psb_client().query_recipient_party(
                company.sudo().psb_party_id, [self.psb_buyer_endpoint]
            )
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
        return reader.read_document(
            attachment.sudo().with_context(bin_size=False).raw or b""
        )

    def _psb_response_lines(self):
        """Every order line with its status, from what the user changed on the quotation
        (for a CA).

        :returns: the values of the answer's lines (``econnect.psb.response.line``)
        """
        self.ensure_one()
        original = self._psb_original_order()
        if original is None:
            return []
        by_ref = self.env["econnect.psb.order.change"]._lines_by_ref(self)
        result = [
            self._psb_response_line_vals(position, ordered, by_ref.get(ordered.line_id))
            for position, ordered in enumerate(
                self._psb_agreed_lines(original, by_ref), start=1
            )
        ]
        last_ref = result[-1]["order_line_ref"] if result else None
        return result + self._psb_added_line_vals(len(result), last_ref)

    def _psb_agreed_lines(self, original, by_ref):
        """What was last agreed: the original order's lines, less those the buyer
        deleted with an Order Change, plus those it added with one (they have a line id
        too)."""
        deleted = self.env["econnect.psb.order.change"]._deleted_line_refs(self)
        ordered_refs = {ordered.line_id for ordered in original.lines}
        agreed = [
            ordered
            for ordered in original.lines
            if ordered.line_id in by_ref or ordered.line_id not in deleted
        ]
        return agreed + [
            self._psb_ordered_line(line)
            for ref, line in by_ref.items()
            if ref not in ordered_refs
        ]

    def _psb_response_line_vals(self, position, ordered, sale_line):
        """The answer for the agreed line ``ordered`` and its sale order line (or None):
        not available (7) when it is gone or at 0, changed (3) when its quantity, price
        or product differ, else accepted (5)."""
        vals = {
            "sequence": position,
            "order_line_ref": ordered.line_id,
            "item_name": ordered.name or (sale_line and sale_line.name) or "-",
            "sellers_item_id": ordered.sellers_item_id or False,
            "buyers_item_id": ordered.buyers_item_id or False,
            "unit_code": ordered.unit_code or False,
            "sale_line_id": sale_line.id if sale_line else False,
        }
        if (
            not sale_line
            or float_compare(sale_line.product_uom_qty, 0, precision_digits=6) == 0
        ):
            return {**vals, "status": "7", "quantity": 0}
        changed_qty, changed_price = sale_line._psb_changes_from_ordered()
        # Replacing the unidentified placeholder identifies the buyer's item: no
        # substitution.
        placeholder = psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        substitute = (
            sale_line.psb_original_product_id
            and sale_line.product_id != sale_line.psb_original_product_id
            and placeholder
            not in (sale_line.product_id, sale_line.psb_original_product_id)
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
        """Lines the seller added (not in the buyer's order, nor a discount, charge or
        down payment), after the ``count`` agreed ones; they refer to the last line of
        the order (``last_ref``)."""
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
        """A line the buyer added with an Order Change, described as the original
        order's lines are."""
        return types.SimpleNamespace(
            line_id=sale_line.psb_line_ref,
            name=sale_line.name.split("\n")[0],
            sellers_item_id=sale_line.product_id.default_code or None,
            buyers_item_id=None,
            unit_code=sale_line.psb_unit_code or None,
        )

    def action_confirm(self):
        # What each order answers is decided on the quotation as it is, before Odoo
        # confirms it (once: the check before confirming reads the same plans).
        warning, plans = self._psb_check_before_confirm()
        if warning:
            return warning
        result = super().action_confirm()
        self._psb_close_activities(("import", "confirm"))
        self._psb_review_delivery_addresses()
        for order, plan in plans.items():
            if plan["code"]:
                note = (
                    self.env._("Accepted with the changes listed per line.")
                    if plan["code"] == "CA"
                    else None
                )
                order._psb_queue_response(
                    plan["code"], note=note, lines=plan["lines"], auto=True
                )
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._psb_close_activities(("import", "confirm"))
        return result

    def _psb_confirm_plan(self):
        """What confirming this order does toward the buyer, read from the agreement:
        ``mode`` (answer, silent, ask, refuse; None for an order that is not a Peppol
        order), ``code`` (AP, CA or None) and ``lines`` (a CA's lines). :raises
        UserError: when the agreement refuses confirming (rejected, cancelled, a buyer's
        document to decide first)."""
        self.ensure_one()
        plan = {"mode": None, "code": None, "lines": []}
        if not self.psb_document_id or self.state == "sale":
            return plan
        agreement = self._psb_agreement()
        plan["mode"] = agreement.confirm(change_applied=bool(self.psb_change_to_answer))
        if self.state == "cancel" and plan["mode"] != "refuse":
            return {
                **plan,
                "mode": None,
            }  # cancelled in Odoo only: Odoo says what it says
        if plan["mode"] == "refuse":
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: %(reason)s",
                    order=self.name,
                    reason=ag.refusal(agreement.state, ag.AP, self.env._),
                )
            )
        if (
            plan["mode"] == "answer"
            and self.psb_awaiting_answer
            and self.company_id.psb_answer_on_confirm
        ):
            lines = self._psb_response_lines()
            changed = any(vals["status"] != "5" for vals in lines)
            plan.update(code="CA" if changed else "AP", lines=lines if changed else [])
        return plan

    def _psb_review_delivery_addresses(self):
        """A person confirming an order to a delivery address an import created has
        reviewed that address: later orders to it may be confirmed automatically. The
        automatic confirmation reviews nothing."""
        if self.env.context.get("psb_auto_confirming"):
            return
        for order in self.filtered(
            lambda o: o.partner_shipping_id.psb_needs_review and o.psb_document_id
        ):
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

    def _psb_confirm_plans(self):
        """Each order's plan (``_psb_confirm_plan``), by order."""
        return {order: order._psb_confirm_plan() for order in self}

    def _psb_check_before_confirm(self):
        """Confirm with a line without product or price, or with the import's notes
        unchecked: refused (company setting). From the Confirm button, a Peppol order
        that answers the buyer, waits for the buyer or needs attention gets a dialog
        that says which answer confirming sends (AP, or CA with its lines), and what is
        open. Returns that dialog's action (None to go on) and the orders' plans, read
        after the refusal of open issues so that it comes first."""
        if self.env.context.get("psb_confirm_anyway"):
            return None, self._psb_confirm_plans()
        open_orders = self.filtered(
            lambda o: o.state in QUOTATION_STATES and o._psb_open_issues()
        )
        if any(o.company_id.psb_confirm_check == "refuse" for o in open_orders):
            order = open_orders[0]
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed while its Peppol import needs "
                    "attention:\n%(issues)s",
                    order=order.name,
                    issues="\n".join(order._psb_open_issues()),
                )
            )
        plans = self._psb_confirm_plans()
        asking = [order for order, plan in plans.items() if plan["mode"] == "ask"]
        if not self.env.context.get("psb_confirm_warn"):
            if asking:
                raise UserError(
                    self.env._(
                        "%s waits for the buyer's answer to our proposed changes "
                        "(CA): confirm it from its form.",
                        asking[0].name,
                    )
                )
            return None, plans
        if not (open_orders or asking or any(plan["code"] for plan in plans.values())):
            return None, plans
        wizard = self.env["econnect.psb.confirm.wizard"].create(
            {"sale_order_ids": [fields.Command.set(self.ids)]}
        )
        title = (
            self.env._("Confirm a Peppol order that needs attention?")
            if open_orders
            else self.env._("Confirm the Peppol order?")
        )
        return dialog_action(wizard, title), plans

    def _psb_confirm_text(self):
        """What confirming tells the buyer, for the confirm dialog: the answer and, for
        a CA, its lines."""
        self.ensure_one()
        plan = self._psb_confirm_plan()
        if plan["mode"] == "ask":
            return self.env._(
                "We proposed changes (CA) and the buyer has not answered yet. "
                "Confirming sends nothing to the "
                "buyer: the buyer may still decline our proposal with an Order "
                "Cancellation."
            )
        if plan["code"] == "AP":
            return self.env._(
                "Confirming answers the buyer over Peppol: AP (accepted as ordered)."
            )
        if plan["code"] == "CA":
            return "\n".join(
                [
                    self.env._(
                        "Confirming answers the buyer over Peppol: CA (accepted with "
                        "these changes):"
                    )
                ]
                + [
                    self._psb_describe_response_line(vals)
                    for vals in plan["lines"]
                    if vals["status"] != "5"
                ]
            )
        return self.env._("Confirming sends no Peppol answer to the buyer.")

    def _psb_describe_response_line(self, vals):
        """One line of a CA as the confirm dialog lists it."""
        if vals["status"] == "7":
            return self.env._(
                "Line %(line)s %(name)s: not available",
                line=vals["order_line_ref"],
                name=vals["item_name"],
            )
        if vals["status"] == "1":
            return self.env._(
                "%(name)s: added, %(qty)s at %(price)s",
                name=vals["item_name"],
                qty=vals["quantity"],
                price=vals["price"],
            )
        changes = []
        if vals.get("quantity_changed"):
            changes.append(self.env._("quantity %s", vals["quantity"]))
        if vals.get("price_changed"):
            changes.append(self.env._("price %s", vals["price"]))
        if vals.get("substitute_product_id"):
            product = self.env["product.product"].browse(vals["substitute_product_id"])
            changes.append(self.env._("replaced by %s", product.display_name))
        return self.env._(
            "Line %(line)s %(name)s: %(changes)s",
            line=vals["order_line_ref"],
            name=vals["item_name"],
            changes=", ".join(changes),
        )

    def _psb_identified_codes(self):
        """The buyer's item codes of the lines a person identified (the unidentified
        placeholder replaced by a product), that the customer's product codes do not
        know yet: [(code, product)]."""
        self.ensure_one()
        placeholder = psb_ref(self.env, "sale_econnect_psb.product_psb_unknown")
        identified = self.order_line.filtered(
            lambda ln: (
                ln.psb_original_product_id == placeholder
                and ln.product_id not in (placeholder, False)
            )
        )
        original = self._psb_original_order() if identified else None
        if original is None:
            return []
        codes = {
            ordered.line_id: ordered.buyers_item_id
            for ordered in original.lines
            if ordered.buyers_item_id
        }
        customer = self.partner_id.commercial_partner_id
        known = set(
            self.env["econnect.psb.product.code"]
            .sudo()
            .search(
                [("partner_id", "=", customer.id), ("code", "in", list(codes.values()))]
            )
            .mapped("code")
        )
        return [
            (codes[line.psb_line_ref], line.product_id)
            for line in identified
            if codes.get(line.psb_line_ref) and codes[line.psb_line_ref] not in known
        ]

    def _psb_remember_codes(self):
        """Remember the buyer's item codes of the identified lines: the next order
        matches by itself."""
        Code = self.env["econnect.psb.product.code"].sudo()
        for order in self:
            for code, product in order._psb_identified_codes():
                Code.create(
                    {
                        "partner_id": order.partner_id.commercial_partner_id.id,
                        "code": code,
                        "product_id": product.id,
                        "company_id": order.company_id.id,
                    }
                )
                order._message_log(
                    body=self.env._(
                        "The buyer's item code %(code)s is remembered for %(product)s.",
                        code=code,
                        product=product.display_name,
                    )
                )

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
        """Refuse the buyer's pending change or cancellation (RE): the last agreed order
        stands."""
        self.ensure_one()
        self._psb_check_decider()
        # A PSB administrator decides on orders he may not read: what is pending is read
        # as the pipeline.
        pending_type = self.sudo().psb_pending_type
        action = self._psb_open_answer_wizard("RE")
        wizard = self.env["econnect.psb.response.wizard"].browse(action["res_id"])
        wizard.purpose = (
            "refuse_cancellation"
            if pending_type == "order_cancellation"
            else "refuse_change"
        )
        action["name"] = dict(
            wizard._fields["purpose"]._description_selection(self.env)
        )[wizard.purpose]
        action["context"] = {"psb_refuse_pending": True}
        return action

    # ------------------------------------------------------------------
    # Invoicing: one Peppol order per invoice where the customer needs it
    # ------------------------------------------------------------------
    def _psb_invoice_apart(self):
        """The Peppol orders among these whose customer (the invoiced company) wants one
        order per invoice."""
        return self.filtered(
            lambda order: (
                order.psb_order_ref
                and order.partner_invoice_id.commercial_partner_id.psb_invoice_per_order
            )
        )

    def _create_invoices(self, grouped=False, final=False, date=None):
        apart = self.browse() if grouped else self._psb_invoice_apart()
        if not apart:
            return super()._create_invoices(grouped=grouped, final=final, date=date)
        rest = self - apart
        if not rest:
            return super()._create_invoices(grouped=True, final=final, date=date)
        quiet = self.with_context(raise_if_nothing_to_invoice=False)
        moves = super(SaleOrder, apart.with_env(quiet.env))._create_invoices(
            grouped=True, final=final, date=date
        )
        moves |= super(SaleOrder, rest.with_env(quiet.env))._create_invoices(
            final=final, date=date
        )
        if not moves and self.env.context.get("raise_if_nothing_to_invoice", True):
            raise UserError(self._nothing_to_invoice_error_message())
        return moves.with_env(self.env)

    def _psb_rejected_warning(self):
        """For invoicing (and delivering): the orders rejected toward the buyer, whose
        cancellation we wait for (scenario 5), or False."""
        rejected = self.filtered(
            lambda o: o.psb_agreement_state == ag.REJECTED and o.state == "sale"
        )
        if not rejected:
            return False
        return self.env._(
            "%s: the buyer was told the order is rejected (RE) and its Order "
            "Cancellation is awaited; do not "
            "deliver or invoice it.",
            ", ".join(rejected.mapped("name")),
        )

    def _psb_invoicing_warning(self):
        """What invoicing these orders together (Odoo's consolidated billing) does to
        Peppol orders of one customer: a text per customer with more than one, or
        False."""
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
                        "%(customer)s: the Peppol orders %(orders)s are invoiced one "
                        "by one, since the customer wants "
                        "one invoice per Peppol order.",
                        customer=partner.display_name,
                        orders=names,
                    )
                )
            else:
                texts.append(
                    self.env._(
                        "%(customer)s: the Peppol orders %(orders)s go on one invoice "
                        "where Odoo groups them (the "
                        "same delivery address and currency); the buyer may not match "
                        "it to its orders without a "
                        "person (the customer's setting One Invoice per Peppol Order "
                        "is off).",
                        customer=partner.display_name,
                        orders=names,
                    )
                )
        return "\n".join(texts) or False

    # ------------------------------------------------------------------
    # Odoo's "Upload Request for Quotation" (sale_edi_ubl): Peppol files go through this
    # addon ------------------------------------------------------------------
    def create_document_from_attachment(self, attachment_ids):
        attachments = self.env["ir.attachment"].browse(attachment_ids)
        attachments.check_access("read")
        peppol = attachments.filtered(self._psb_is_peppol_attachment)
        if not peppol:
            return super().create_document_from_attachment(attachment_ids)
        Document = self.env["econnect.psb.document"]
        # The same check as Import a document, before the pipeline acts with its own
        # rights.
        Document._psb_check_upload(self.env.company)
        documents = Document
        for attachment in peppol:
            raw = attachment.with_context(bin_size=False).raw
            documents |= Document._create_from_upload(
                self.env.company, raw, attachment.name
            )
        orders = documents.sale_order_id
        others = attachments - peppol
        if others:
            orders |= self.with_context(
                default_partner_id=self.env.user.partner_id.id
            )._create_records_from_attachments(others)
        # The uploaded files are kept on their documents: the originals go, when the
        # caller may delete them.
        peppol.filtered(lambda attachment: attachment.has_access("unlink")).unlink()
        if not orders:
            # Nothing could be read: the incoming documents say why.
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "sale_econnect_psb.action_econnect_psb_document"
            )
            action.update(domain=[("id", "in", documents.ids)], context={})
            return action
        return orders._get_records_action(name=self.env._("Generated Orders"))

    @api.model
    def _psb_is_peppol_attachment(self, attachment):
        is_xml = "xml" in (attachment.mimetype or "") or (
            attachment.name or ""
        ).lower().endswith(".xml")
        return is_xml and bool(
            peek.detect_kind(attachment.with_context(bin_size=False).raw or b"")
        )

    def action_psb_view_documents(self):
        self.ensure_one()
        self._psb_check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_econnect_psb.action_econnect_psb_document"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        documents = self.env["econnect.psb.document"].search(action["domain"], limit=2)
        if len(documents) == 1:  # the document itself, not a list of one
            action.update(
                res_id=documents.id, view_mode="form", views=[(False, "form")]
            )
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
        help="When the buyer should have our answer (accept, accept with changes or "
        "reject): the order's "
        "reception plus the customer's answering time, else the company's. Empty once "
        "answered.",
    )
    psb_answer_overdue = fields.Boolean(
        "Peppol Answer Overdue",
        compute="_compute_psb_answer_overdue",
        search="_search_psb_answer_overdue",
    )

    @api.depends(
        "psb_awaiting_answer",
        "psb_document_id.create_date",
        "partner_id.commercial_partner_id.psb_answer_hours",
        "company_id.psb_answer_hours",
    )
    def _compute_psb_answer_due(self):
        for order in self:
            hours = (
                order.partner_id.commercial_partner_id.psb_answer_hours
                or order.company_id.psb_answer_hours
            )
            received = order.psb_document_id.create_date
            due = order.psb_awaiting_answer and hours > 0 and received
            order.psb_answer_due = received + timedelta(hours=hours) if due else False

    @api.depends("psb_answer_due")
    def _compute_psb_answer_overdue(self):
        now = fields.Datetime.now()
        for order in self:
            order.psb_answer_overdue = bool(
                order.psb_answer_due and order.psb_answer_due <= now
            )

    def _search_psb_answer_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._(
                    "Search for overdue Peppol answers with 'is set' or 'is not set' "
                    "only."
                )
            )
        overdue = [("psb_answer_due", "<=", fields.Datetime.now())]
        return overdue if (operator == "=") == value else ["!", *overdue]

    @api.model
    def _cron_psb_overdue_answers(self, now=None):
        """The sales team's leader is asked to see that each overdue order is answered
        (once per order); the activity closes by itself once the order is answered."""
        now = now or fields.Datetime.now()
        for order in self.search(
            [("psb_answer_due", "<=", now), ("state", "!=", "cancel")]
        ):
            if not order._psb_activities("overdue"):
                order._psb_ask_overdue_answer()
        self._psb_close_answered_overdue(now)

    def _psb_ask_overdue_answer(self):
        """The activity of an overdue answer, for the team's leader, in the leader's
        language and time zone."""
        self.ensure_one()
        user = (
            self.team_id.user_id
            or self.user_id
            or self.company_id.psb_user_id
            or self.env.user
        )
        env = self.with_context(lang=user.lang or self.env.lang).env
        self._psb_activity(
            "overdue",
            summary=env._(
                "Answer the Peppol order %s: its answering time has passed", self.name
            ),
            note=env._(
                "The buyer %(buyer)s should have had our answer to order %(ref)s by "
                "%(due)s.",
                buyer=self.partner_id.commercial_partner_id.display_name,
                ref=self.psb_order_ref or self.name,
                due=format_datetime(
                    env, self.psb_answer_due, tz=user.tz or False, dt_format="short"
                ),
            ),
            user=user,
        )

    @api.model
    def _psb_close_answered_overdue(self, now):
        activities = self.env["mail.activity"].search(
            [("psb_kind", "=", "overdue"), ("res_model", "=", "sale.order")]
        )
        orders = self.browse(activities.mapped("res_id")).exists()
        orders.filtered(
            lambda o: not o.psb_answer_due or o.psb_answer_due > now
        )._psb_close_activities("overdue")
