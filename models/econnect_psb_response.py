# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import re
import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..psb import exceptions as psb_errors
from ..psb import lifecycle
from ..psb.ubl import response as ubl_response
from .econnect_psb_queue_mixin import BATCH_SIZE, Failed
from .psb_messages import psb_error_text
from .psb_selections import BUSINESS_CODES, RESPONSE_CODES
from .psb_texts import BuyerWords

_logger = logging.getLogger(__name__)


# What the PSB says when the buyer's access point takes no Order Responses
# (OrderResponseSentError).
_NOT_SUPPORTED = re.compile(
    r"(does not|doesn't|cannot|can not) "
    r"(support|receive|accept)\w*\b.*order\s*response",
    re.IGNORECASE,
)


def psb_error_advice(env, exc):
    """What a person can do about a PSB error (whether retrying can help at all)."""
    if isinstance(exc, (psb_errors.PsbAuthError, psb_errors.PsbConfigError)):
        return env._(
            "Check the PSB connection in Settings > Sales > eConnect PSB (Test "
            "connection), then try again."
        )
    if exc.retryable:
        return env._("The PSB could not be reached; try again in a few minutes.")
    if isinstance(exc, psb_errors.PsbNotFoundError):
        return env._("The PSB does not know it (any more); retrying will not help.")
    return env._(
        "The PSB refused it; retrying the same will not help. Tell the buyer by other "
        "means or correct the order first."
    )


def psb_refusal(env, exc):
    """A PSB refusal (not worth retrying as it is) as the queue's :class:`Failed`,
    saying what a person can do and whether Retry can help (after the connection is
    fixed); None for anything else."""
    if not isinstance(exc, psb_errors.PsbError) or exc.retryable:
        return None
    return Failed(
        f"{psb_error_text(env, exc)}\n{psb_error_advice(env, exc)}",
        retry_helps=isinstance(
            exc, (psb_errors.PsbAuthError, psb_errors.PsbConfigError)
        ),
        error=exc,
    )


def _split_endpoint(value):
    scheme, sep, ident = (value or "").partition(":")
    return (scheme, ident) if sep else (None, value)


class EconnectPsbResponse(models.Model):
    """One Peppol Order Response to a buyer: queued, then sent once by the scheduled
    action."""

    _name = "econnect.psb.response"
    _inherit = ["econnect.psb.sent.mixin"]
    _queue_cron = "sale_econnect_psb.ir_cron_psb_send_responses"
    _description = "Peppol Order Response"
    _order = "id desc"

    name = fields.Char("Response ID", required=True, readonly=True, copy=False)
    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="sale_order_id.company_id", store=True, index=True, precompute=True
    )
    code = fields.Selection(RESPONSE_CODES, required=True, readonly=True)
    note = fields.Text(readonly=True)
    order_change_ref = fields.Char(
        "Answers Change/Cancellation",
        readonly=True,
        help="The cbc:ID of the Order Change or Order Cancellation this answers.",
    )
    idempotency_key = fields.Char(
        help="Sent as X-EConnect-DocumentId: the PSB refuses a second response with "
        "the same key.",
    )
    psb_response_id = fields.Char(
        "PSB Response ID", readonly=True, index="btree_not_null"
    )
    line_ids = fields.One2many(
        "econnect.psb.response.line", "response_id", "Lines", readonly=True
    )
    attachment_id = fields.Many2one(
        "ir.attachment", "UBL Order Response", readonly=True
    )
    request_body = fields.Text("Request sent", readonly=True)
    can_retry = fields.Boolean(
        "Retry can help",
        readonly=True,
        help="Whether sending the failed answer again may succeed (not for a buyer "
        "that "
        "cannot receive answers, nor for what the PSB refused as such).",
    )

    # ------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------
    def _response_data(self):
        """The plain-Python description of this answer (see psb/ubl/response.py)."""
        self.ensure_one()
        order = self.sale_order_id
        company = order.company_id
        seller_scheme, seller_id = _split_endpoint(
            order.psb_seller_endpoint or company.psb_party_id
        )
        buyer_scheme, buyer_id = _split_endpoint(order.psb_buyer_endpoint)
        lines = [
            self._response_line_data(position, line)
            for position, line in enumerate(self.line_ids, start=1)
        ]
        return ubl_response.OrderResponseData(
            code=self.code,
            response_id=self.name,
            issue_date=fields.Date.context_today(self),
            profile=order.psb_profile,
            order_id=order.psb_order_ref,
            currency=order.psb_currency_code or order.currency_id.name,
            seller=ubl_response.ResponseParty(
                seller_id, seller_scheme, registration_name=company.name
            ),
            buyer=ubl_response.ResponseParty(
                buyer_id,
                buyer_scheme,
                registration_name=order.partner_id.commercial_partner_id.name,
            ),
            sales_order_id=order.name,
            note=self.note or None,
            customer_reference=order.psb_customer_reference or None,
            order_change_id=self.order_change_ref or None,
            lines=lines,
        )

    @api.model
    def _response_line_data(self, position, line):
        """The plain-Python description of the answer line ``line``, the
        ``position``-th."""
        return ubl_response.ResponseLine(
            line_id=str(position),
            status_code=line.status,
            order_line_id=line.order_line_ref,
            item=ubl_response.ResponseItem(
                name=line.item_name,
                sellers_item_id=line.sellers_item_id or None,
                buyers_item_id=line.buyers_item_id or None,
            ),
            quantity=line.quantity
            if line.status in ("1", "3") and line.quantity_changed
            else None,
            unit_code=line.unit_code or None,
            price=line.price
            if line.status in ("1", "3") and line.price_changed
            else None,
            promised_start=line.promised_date
            if line.status in ("1", "3") and line.promised_date
            else None,
            promised_end=line.promised_date
            if line.status in ("1", "3") and line.promised_date
            else None,
            substitute=ubl_response.ResponseItem(
                name=line.substitute_product_id.display_name,
                sellers_item_id=line.substitute_product_id.default_code or None,
                standard_item_id=line.substitute_product_id.barcode or None,
            )
            if line.substitute_product_id
            else None,
            note=line.note or None,
        )

    def _check_rules(self):
        """Raise what breaks the standard's rules, or a note that would not reach the
        buyer whole, in the language of whoever answers, before it is sent."""
        for response in self:
            try:
                data = response._response_data()
                ubl_response.check(data)
                response._psb_body(data)
            except ubl_response.ResponseError as exc:
                raise UserError(psb_error_text(self.env, exc)) from exc
        return self

    def _buyer_env(self):
        """The environment in the buyer's language (the customer's, else the company's):
        the note's words."""
        order = self.sale_order_id
        buyer_lang = self.env["econnect.psb.order.import"]._buyer_lang(
            order.company_id, order.partner_id
        )
        return self.with_context(lang=buyer_lang).env

    def _psb_body(self, data, with_ubl=False):
        """What the PSB receives (``psb_request``): the UBL with the company's *Send
        Order Responses as UBL*, else the JSON body; a note that does not fit raises
        ResponseError, it is never cut. With ``with_ubl``, the UBL under ``"xml"``
        whatever is sent (the answer checked once for both)."""
        as_ubl = self.sale_order_id.company_id.psb_responses_as_ubl
        return ubl_response.psb_request(
            data, _=BuyerWords(self._buyer_env()), as_ubl=as_ubl, with_ubl=with_ubl
        )

    @api.model
    def _note_warning(self, order, code, note, lines):
        """Which lines of this answer would not reach the buyer through the JSON note
        (or that the note is too long), in the user's language; False when everything
        fits or with the UBL setting. Said before sending."""
        if order.company_id.psb_responses_as_ubl:
            return False
        # as the answer is built when queued: the seller's PSB id is the pipeline's
        draft = self.sudo().new(
            {
                "name": order.name,
                "sale_order_id": order.id,
                "code": code,
                "note": note,
                "line_ids": [fields.Command.create(vals) for vals in lines],
            }
        )
        try:
            fit = ubl_response.fit_note(
                draft._response_data(), _=BuyerWords(draft._buyer_env())
            )
        except ubl_response.ResponseError:
            return False  # a rule broken is said when sending
        return (
            False
            if fit.fits
            else psb_error_text(self.env, ubl_response.note_error(fit))
        )

    def _reader_lang(self):
        """The language of what sending writes (errors, the activity, the chatter): the
        salesperson's, else the PSB pipeline's (``res.company._psb_lang``)."""
        self.ensure_one()
        order = self.sale_order_id.sudo()
        return order.user_id.lang or order.company_id._psb_lang()

    def _build(self):
        """Check the answer against the standard's rules and keep its UBL as the record
        of what was sent.
        :returns: (the request's body, the UBL); the body says ``"ubl"`` when the UBL
        itself is sent."""
        self.ensure_one()
        data = self._response_data()
        try:
            # checks the rules first; a note that does not fit is refused
            body = self._psb_body(data, with_ubl=True)
        except ubl_response.ResponseError as exc:
            raise UserError(psb_error_text(self.env, exc)) from exc
        xml = body.pop("xml")
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"OrderResponse-{self.name}.xml",
                    "raw": xml,
                    "mimetype": "application/xml",
                    "res_model": "sale.order",
                    "res_id": self.sale_order_id.id,
                }
            )
        )
        if self.sale_order_id.company_id.psb_responses_as_ubl:
            body["ubl"] = (
                attachment.name
            )  # sent as application/xml: the attachment's bytes
        self.write(
            {
                "attachment_id": attachment.id,
                "request_body": json.dumps(body, ensure_ascii=False, indent=2),
            }
        )
        return body, xml

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _trigger_sending(self, at=None):
        self._queue_trigger(at)

    @api.model
    def _cron_send_responses(self, batch_size=BATCH_SIZE):
        """Send every queued answer that is due, one row lock per answer (the queue's
        loop).

        Each send commits, which releases every lock held: so the row is locked (FOR
        UPDATE SKIP LOCKED) right before its own send and its state read again, and an
        answer another worker locked or already sent is skipped.
        """
        self._queue_run(batch_size)

    def _queue_reader(self):
        return self.with_context(
            lang=self._reader_lang()
        )  # written for the salesperson

    def _queue_process_one(self, clients):
        """Ask the PSB once whether the buyer takes Order Responses (what it says is
        kept, whatever becomes of the answer), then send the answer once. When the
        order's buyer was known (the PSB said "yes" for it within the day), nothing is
        asked and the answer goes in the same step."""
        order = self.sale_order_id
        if order.psb_buyer_can_respond == "unknown":
            now = fields.Datetime.now()
            known = order._psb_buyer_answer_known(now)
            if known != "yes":
                if not known:
                    order._psb_ask_buyer(now)
                yield  # kept: what the PSB said, or "no" for a buyer without Peppol id
        self._send(clients)

    def _queue_deadline(self):
        """An answer is retried for as long as the PSB keeps the buyer's order it
        answers."""
        return (
            self.sale_order_id.psb_document_id.psb_keep_until
            or self.create_date + lifecycle.KEEP_AFTER_DOWNLOAD
        )

    def _queue_classify(self, exc):
        """A PSB refusal says what a person can do about it; whether Retry can help
        depends on the cause."""
        if refusal := psb_refusal(self.env, exc):
            return refusal
        if isinstance(exc, UserError):
            return Failed(
                str(exc.args[0] if exc.args else exc),
                retry_helps=self.sale_order_id.psb_buyer_can_respond != "no",
                error=exc,
            )
        return super()._queue_classify(exc)

    def _queue_give_up_text(self, retry):
        return self.env._(
            "The PSB could not be reached in %(n)s attempts up to %(deadline)s, when "
            "it stops keeping the buyer's "
            "order (last error: %(error)s). Press Retry once the PSB is reachable, or "
            "tell the buyer by other "
            "means."
        )

    def _send(self, clients=None):
        """Send once. The idempotency key makes a repeated attempt after a crash a no-op
        at the PSB. What goes wrong is raised, for the queue's failure policy
        (``econnect.psb.queue.mixin``).

        :param clients: one PSB client per company, shared by a run of the scheduled
            action
        """
        self.ensure_one()
        self._mark_sent(
            self._deliver(self._queue_client(clients, self.sale_order_id.company_id))
        )
        return True

    def _deliver(self, client):
        """Send the answer's request (built the first time) to the PSB. :returns: the
        PSB's reply

        No savepoint of its own: this is a step of the queue, which runs each step in
        one and rolls it back (the answer's UBL and request included) when it raises."""
        order = self.sale_order_id
        self._check_buyer_receives()
        body, xml = self._request()
        return client.send_order_response(
            order.company_id.sudo().psb_party_id,
            order.psb_document_id.psb_document_id,
            body["status"],
            note=body.get("note"),
            response_document_id=self.idempotency_key,
            xml=xml if body.get("ubl") else None,
        )

    def _check_buyer_receives(self):
        """Ask the PSB once whether the buyer takes Order Responses; a UserError when it
        does not."""
        order = self.sale_order_id
        if order.psb_buyer_can_respond == "unknown":
            order._psb_check_buyer()
        if order.psb_buyer_can_respond == "no" and not order.psb_buyer_endpoint:
            raise UserError(
                self.env._(
                    "The buyer's order names no Peppol id of the buyer (EndpointID): "
                    "no Order Response can reach it "
                    "through the PSB. Tell the buyer by other means."
                )
            )
        if order.psb_buyer_can_respond == "no":
            raise UserError(
                self.env._(
                    "The buyer %s cannot receive Peppol Order Responses (the PSB "
                    "knows no delivery channel "
                    "for it): tell the buyer by other means.",
                    order.psb_buyer_endpoint,
                )
            )

    def _request(self):
        """(body, UBL): built (and the UBL kept) at the first attempt, the same at every
        later one."""
        if self.request_body:
            return json.loads(self.request_body), self.attachment_id.sudo().raw
        return self._build()

    def _mark_sent(self, result):
        """The PSB took the answer: recorded on the order's chatter with its UBL."""
        self.write(
            {
                "state": "sent",
                "psb_response_id": (result or {}).get("id") or self.idempotency_key,
                "sent_on": fields.Datetime.now(),
                "error_message": False,
                "next_attempt_at": False,
            }
        )
        # Logged (nobody is notified of an answer that went out; a failed one gets an
        # activity).
        body = Markup("<p>%s</p>") % self.env._(
            "Peppol Order Response %(code)s sent to the buyer through the eConnect "
            "PSB.%(note)s",
            code=dict(self._fields["code"]._description_selection(self.env))[self.code],
            note=f" {self.note}" if self.note else "",
        )
        self.sale_order_id._message_log(
            body=body + self._changes_html(), attachment_ids=self.attachment_id.ids
        )
        self._close_failure_activity()

    def _changes_html(self):
        """The lines a CA changed, added or rejected, as a list for the order's chatter
        (empty for other answers)."""
        changes = [
            text for text in (line._change_text() for line in self.line_ids) if text
        ]
        if self.code != "CA" or not changes:
            return Markup()
        accepted = len(self.line_ids.filtered(lambda line: line.status == "5"))
        items = Markup().join(Markup("<li>%s</li>") % text for text in changes)
        tail = (
            Markup("<p>%s</p>") % self.env._("Lines accepted as ordered: %s.", accepted)
            if accepted
            else ""
        )
        return Markup("<ul>%s</ul>%s") % (items, tail)

    def _fail(self, message, can_retry=True):
        """The answer did not reach the buyer: one activity per order for failed
        answers, kept up to date."""
        note = self._queue_write_failed(
            message,
            can_retry,
            self.env._("Press Retry on the Peppol tab once the cause is fixed."),
            self.env._("Retrying will not help: tell the buyer by other means."),
        )
        self.sale_order_id._psb_activity(
            "answer",
            summary=self.env._("Peppol answer %s failed", self.code),
            note=note,
        )

    def _close_failure_activity(self):
        """Close the order's activity for failed answers once none is left failed.
        Most orders never had one: its activities are looked at before its answers."""
        order = self.sale_order_id
        activities = order._psb_activities("answer")
        if activities and not order.psb_response_ids.filtered(
            lambda r: r.state == "failed" and r != self
        ):
            activities.action_feedback()

    def action_retry(self):
        """Send a failed answer again, as a new document at the PSB (the old one never
        arrived)."""
        self.check_access("read")
        self.sale_order_id._psb_check_access()
        for response in self.filtered(lambda r: r.state == "failed").sudo():
            response.sale_order_id._message_log(
                body=self.env._("Peppol answer %s: sending again.", response.code)
            )
            response._queue_reset()
            response.write({"state": "queued", "idempotency_key": str(uuid.uuid4())})
        self._trigger_sending()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "Retry: the answer is queued and sent to the buyer again within "
                    "minutes; the order's chatter "
                    "says when it went out."
                ),
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Delivery outcome (OrderResponseSent* hooks)
    # ------------------------------------------------------------------
    @api.model
    def _apply_status_event(self, topic, event, company):
        """The delivery outcome of one of ``company``'s answers (the event's company:
        another company's event never touches it)."""
        response = self._queue_sent_record(
            company, event.get("documentId"), "psb_response_id"
        )
        if not response:
            return False
        message = event.get("message") or ""
        if topic == "OrderResponseSentError" and _NOT_SUPPORTED.search(message):
            # Sending again cannot help: remember that this buyer takes no answers.
            response.sale_order_id.psb_buyer_can_respond = "no"
            response._fail(
                self.env._(
                    "The buyer cannot receive Peppol Order Responses (the PSB says: "
                    "%s). The order now says so; "
                    "no further answers are sent to this buyer's order.",
                    message,
                ),
                can_retry=False,
            )
        else:
            response._psb_delivery_event(
                topic,
                message,
                self.env._(
                    "The PSB could not deliver the answer to the buyer: %s", message
                ),
            )
        return response

    @api.model_create_multi
    def create(self, vals_list):
        responses = super().create(vals_list)
        # The buyer is (being) answered: an overdue answer's activity is done.
        responses.filtered(
            lambda r: r.code in BUSINESS_CODES
        ).sale_order_id._psb_close_activities("overdue")
        return responses
