# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import dataclasses
import hashlib
import json
import logging
import re
from datetime import datetime
from typing import Any

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import mute_logger

from ..psb import event as psb_event
from ..psb import exceptions as psb_errors
from ..psb import invoice_response, lifecycle, matching
from ..psb.ubl import peek, reader
from ..psb.ubl.model import UblError
from .dialog import dialog_action
from .econnect_psb_queue_mixin import BATCH_SIZE, Failed, RetryLater
from .psb_messages import psb_code_text, psb_error_text
from .psb_texts import code_word

BACKLOG_CRON = "sale_econnect_psb.ir_cron_psb_process_documents_backlog"

_logger = logging.getLogger(__name__)

TOPIC_TYPES = {
    "OrderReceived": "order",
    "OrderChangeReceived": "order_change",
    "OrderCancellationReceived": "order_cancellation",
    "OrderResponseSent": "response_status",
    "OrderResponseSentRetry": "response_status",
    "OrderResponseSentError": "response_status",
    "InvoiceSent": "invoice_status",
    "InvoiceSentRetry": "invoice_status",
    "InvoiceSentError": "invoice_status",
    "InvoiceResponseReceived": "invoice_response",
}
DOCUMENT_TYPES = ("order", "order_change", "order_cancellation")
#: Events that only report on something we sent (nothing to download).
STATUS_TYPES = ("response_status", "invoice_status")
TODO_STATES = ("received", "downloaded")
#: The PSB's description of an event is a sentence; the body as a whole is limited by the webhook.
MAX_EVENT_TEXT = 256 * 1024


def _norm_id(value):
    """A Peppol id as compared: Peppol ids are case-insensitive (``iso6523-actorid-upis::`` left out)."""
    value = (value or "").strip().lower()
    return value.removeprefix("iso6523-actorid-upis::")


def _norm_vat(value):
    return re.sub(r"[\s.\-]", "", value or "").upper()


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What handling a document came to. The handlers (the order import, the change and cancellation
    handlers, the duplicate and revision checks) return one; only
    ``econnect.psb.document._apply_outcome`` writes it on the document.

    :param state: the document's state
    :param message: what a person reads on the document (``error_message``), or False
    :param sale_order: the sale order it belongs to (None: unchanged)
    :param retry_at: process it again at this time (a change that waits for another), or None
    :param duplicate_of: the document it repeats, or an empty recordset (None: unchanged)
    """

    state: str
    message: Any = False
    sale_order: Any = None
    retry_at: datetime | None = None
    duplicate_of: Any = None


class EconnectPsbDocument(models.Model):
    _name = "econnect.psb.document"
    _inherit = ["mail.thread", "econnect.psb.queue.mixin"]
    _description = "eConnect PSB Incoming Document"
    _order = "id desc"

    # The title is written at display time in the reader's language ("Bestelling PO-1" for a Dutch user):
    # not stored, searchable by what it shows (the order id, the file name, the PSB id).
    name = fields.Char(compute="_compute_name", search="_search_name", compute_sudo=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    topic = fields.Char(required=True, readonly=True)
    topic_name = fields.Char("Event", compute="_compute_topic_name", help="The PSB's event, in the reader's words.")
    document_type = fields.Selection(
        [
            ("order", "Order"),
            ("order_change", "Order Change"),
            ("order_cancellation", "Order Cancellation"),
            ("response_status", "Order Response status"),
            ("invoice_status", "Invoice status"),
            ("invoice_response", "Invoice Response"),
        ],
        required=True,
        readonly=True,
    )
    psb_document_id = fields.Char("PSB Document ID", required=True, readonly=True, index=True)
    ref_document_id = fields.Char("Refers to PSB Document", readonly=True, index="btree_not_null")
    source = fields.Selection(
        [("webhook", "Webhook"), ("manual", "Imported by id"), ("upload", "Uploaded file")],
        default="webhook",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("received", "Received"),
            ("downloaded", "Downloaded"),
            ("imported", "Imported"),
            ("duplicate", "Duplicate"),
            ("pending", "Needs a person"),
            ("done", "Done"),
            ("error", "Error"),
            ("ignored", "Ignored"),
        ],
        default="received",
        required=True,
        index=True,
        readonly=True,
    )
    sender = fields.Char(readonly=True, help="The sender's Peppol id, as the PSB reports it.")
    buyer_name = fields.Char(readonly=True)
    buyer_order_ref = fields.Char("Buyer's Order ID", readonly=True, index="btree_not_null")
    payload = fields.Text("Webhook Event", readonly=True)
    message = fields.Char(readonly=True, help="The PSB's own description of the event.")
    received_on = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    downloaded_on = fields.Datetime(readonly=True)
    processed_on = fields.Datetime(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", "Original XML", readonly=True, ondelete="restrict")
    xml_preview = fields.Text("XML", compute="_compute_xml_preview")
    readable_html = fields.Html(
        "Readable Order",
        compute="_compute_readable_html",
        sanitize=False,
        help="The buyer's document as a person reads it, from the original XML.",
    )
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null", ondelete="set null")
    duplicate_of_id = fields.Many2one("econnect.psb.document", readonly=True)
    change_ref = fields.Char("Change / Cancellation ID", readonly=True, index="btree_not_null")
    sequence_number = fields.Integer(readonly=True)
    # A psb error keeps its code and params: it is shown in the reader's language (error_text), whatever the
    # language it was written in (error_message). Any other error_message written clears them.
    error_code = fields.Char(readonly=True)
    error_params = fields.Json(readonly=True)
    error_text = fields.Text("Error Details", compute="_compute_error_text")

    _event_uniq = models.Constraint(
        "UNIQUE(company_id, topic, psb_document_id)",
        "This PSB event was already received.",
    )

    # -- what tells documents apart, and the person's own actions (chatter, Ignore) ------------
    file_name = fields.Char("File", related="attachment_id.name")
    error_summary = fields.Char("Error", compute="_compute_error_summary")
    ignore_note = fields.Text("Why Ignored", readonly=True)

    @api.depends("topic")
    @api.depends_context("lang")
    def _compute_topic_name(self):
        for document in self:
            document.topic_name = code_word(self.env, "topic", document.topic) or document.topic

    @api.depends("document_type", "buyer_order_ref", "psb_document_id", "attachment_id.name", "topic", "source")
    @api.depends_context("lang")
    def _compute_name(self):
        labels = self._type_labels()
        for doc in self:
            label = labels.get(doc.document_type, "")
            if doc.buyer_order_ref:
                doc.name = f"{label} {doc.buyer_order_ref}".strip()
            elif doc.source == "upload" and doc.attachment_id.name:
                doc.name = f"{label} ({doc.attachment_id.name})".strip()
            else:
                doc.name = f"{label} ({doc.topic} {doc.psb_document_id or ''})".strip()

    @api.depends("name")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for doc in self:
            doc.display_name = doc.name

    def _type_labels(self):
        """The document types' labels in the reader's language."""
        return dict(self._fields["document_type"]._description_selection(self.env))

    def _search_name(self, operator, value):
        """A title is its type's label and what tells the document apart: searched on the latter, and on the
        type when the text starts with a label ("Order Change 45" finds the changes of order 45...)."""
        if operator not in ("ilike", "like", "=ilike", "=like", "in"):
            return NotImplemented
        if operator == "in":
            values = [v for v in value if v]
            return [
                "|",
                "|",
                ("buyer_order_ref", "in", values),
                ("attachment_id.name", "in", values),
                ("psb_document_id", "in", values),
            ]
        domain = []
        text = (value or "").strip()
        for kind, label in sorted(self._type_labels().items(), key=lambda item: -len(item[1])):
            if operator.endswith("ilike") and text.lower().startswith(label.lower() + " ") or text == label:
                domain, text = [("document_type", "=", kind)], text[len(label) :].strip(" ()")
                break
        if not text:
            return domain or [("id", "!=", False)]
        return domain + [
            "|",
            "|",
            ("buyer_order_ref", operator, text),
            ("attachment_id.name", operator, text),
            ("psb_document_id", operator, text),
        ]

    @api.depends("error_message", "error_code", "error_params")
    @api.depends_context("lang")
    def _compute_error_text(self):
        for doc in self:
            doc.error_text = (
                psb_code_text(self.env, doc.error_code, doc.error_params, doc.error_message)
                if doc.error_code
                else doc.error_message
            )

    @api.depends("error_text")
    @api.depends_context("lang")
    def _compute_error_summary(self):
        for doc in self:
            first = (doc.error_text or "").strip().split("\n")[0]
            doc.error_summary = first if len(first) <= 80 else first[:77].rstrip() + "..."

    @api.model_create_multi
    def create(self, vals_list):
        # Documents come from the PSB's events and from Import a document, both with the pipeline's rights
        # once the caller was checked: never created directly (a document's attachment or company is read and
        # processed with the pipeline's rights).
        if not self.env.su:
            raise AccessError(self.env._("Incoming documents come from the PSB or from Import a document."))
        # No "created" entry and no follower per received event: the chatter is for what people do.
        return super(
            EconnectPsbDocument,
            self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True),
        ).create(vals_list)

    def _fill_from_peek(self):
        """A document that could not be read still shows its order id and buyer when they can be seen."""
        if self.buyer_order_ref and self.buyer_name or not self.attachment_id:
            return
        found = peek.peek(self.attachment_id.sudo().with_context(bin_size=False).raw or b"")
        vals = {
            "buyer_order_ref": self.buyer_order_ref or (found["order_id"] or "")[:200] or False,
            "buyer_name": self.buyer_name or (found["buyer_name"] or "")[:200] or False,
        }
        if self.source == "upload" and found["kind"]:
            vals["document_type"] = found["kind"]
        self.write(vals)

    @api.model
    def _action_open_documents(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_econnect_psb.action_econnect_psb_document")
        if self.env.user.has_group("sale_econnect_psb.group_psb_manager"):
            action["context"] = {"search_default_filter_documents": 1, "search_default_group_state": 1}
        return action

    @api.model
    def _psb_check_upload(self, company):
        """The caller may bring a file into the pipeline for ``company`` (Import a document, Odoo's Upload
        Request for Quotation): a sales user of that company who may create quotations. Called before the
        pipeline acts with its own rights."""
        if self.env.su:
            return
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(self.env._("Only sales users can import Peppol documents."))
        if company not in self.env.user.company_ids:
            raise AccessError(self.env._("You cannot import documents into %s.", company.name))
        self.env["sale.order"].with_company(company).check_access("create")

    @api.model
    def _create_from_upload(self, company, raw, filename=None):
        """A file uploaded by a person, into the same pipeline (processed at once); the same file twice is
        one document. The file says what it is; one that cannot be read goes in as an order and ends in
        Error with the reason."""
        Document = self.sudo()
        psb_id = f"upload:{hashlib.sha256(raw).hexdigest()}"
        document = Document.search([("company_id", "=", company.id), ("psb_document_id", "=", psb_id)], limit=1)
        if not document:
            kind = peek.detect_kind(raw) or peek.peek(raw)["kind"] or "order"
            topic = next(t for t, k in TOPIC_TYPES.items() if k == kind)
            document = Document.create(
                {
                    "company_id": company.id,
                    "topic": topic,
                    "document_type": kind,
                    "psb_document_id": psb_id,
                    "source": "upload",
                }
            )
            document._store_xml(raw, filename)
        if document.state in ("received", "downloaded", "error"):
            document.action_process_now()
        return document

    def action_ignore(self):
        return self._open_person_wizard("ignore")

    def action_link(self):
        return self._open_person_wizard("link")

    def _open_person_wizard(self, mode):
        self.ensure_one()
        wizard = self.env["econnect.psb.document.wizard"].create({"document_id": self.id, "mode": mode})
        return dialog_action(wizard, dict(wizard._fields["mode"]._description_selection(self.env))[mode])

    def _ignore(self, note):
        self.ensure_one()
        self.ignore_note = note
        self._apply_outcome(Outcome("ignored", self.error_message))
        self.message_post(body=self.env._("Ignored: %s", note), message_type="comment", subtype_xmlid="mail.mt_note")

    def _link(self, sale_order, override=False):
        """Link to ``sale_order`` by hand (Link to sale order, which checked the user first). ``override``: why
        the order's buyer is not this document's, which the user confirmed; the chatter records who overrode it."""
        self.ensure_one()
        self.sale_order_id = sale_order
        if override:
            body = self.env._(
                "Linked to %(order)s by hand by %(user)s, who confirmed it although the buyers differ: %(why)s",
                order=sale_order.name,
                user=self.env.user.name,
                why=override,
            )
            sale_order.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        else:
            body = self.env._("Linked to %s by hand.", sale_order.name)
        self.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def _psb_buyer_party(self):
        """The buyer (a Party) of the kept XML, or None when it cannot be read."""
        self.ensure_one()
        if not self.sudo().attachment_id:
            return None
        try:
            return self.sudo()._read_xml().buyer
        except UblError:
            return None

    def _psb_party_label(self, party):
        """A buyer as a person recognises it: its name with its Peppol id (else VAT number)."""
        name = party.display_name or self.buyer_name or ""
        ident = self.env["econnect.psb.order.import"]._endpoint_label(party) or party.vat or ""
        return f"{name} ({ident})" if name and ident else name or ident

    def _psb_orders_of_buyer(self, buyer, limit=50):
        """The Peppol orders of ``buyer`` (a Party) in this document's company that the user may change: by the
        buyer's Peppol id, or the customer its Peppol id, VAT number or registration finds (never a name alone),
        each checked as the pipeline checks a follow-up's buyer (:meth:`_buyer_mismatch`)."""
        self.ensure_one()
        Importer = self.env["econnect.psb.order.import"]
        endpoint = Importer._endpoint_label(buyer)
        customer, how = Importer.sudo()._match_partner(self.company_id, buyer, create=False)
        alternatives = []
        if endpoint:
            alternatives.append([("psb_buyer_endpoint", "=ilike", matching.escape_like(endpoint))])
        if customer and how != "name":
            alternatives.append([("partner_id.commercial_partner_id", "=", customer.id)])
        if not alternatives:
            return self.env["sale.order"]
        domain = Domain.AND(
            [[("company_id", "=", self.company_id.id), ("psb_document_id", "!=", False)], Domain.OR(alternatives)]
        )
        orders = self.env["sale.order"].search(domain, order="id desc", limit=limit)
        return orders.filtered(
            lambda order: order.has_access("write") and not self._buyer_mismatch(order, buyer, self.sender)
        )

    @api.constrains("sale_order_id", "company_id")
    def _check_sale_order_company(self):
        for doc in self.sudo():
            if doc.sale_order_id and doc.sale_order_id.company_id != doc.company_id:
                raise ValidationError(
                    self.env._(
                        "%(doc)s was received for %(company)s: it can only be linked to a sale order of that company.",
                        doc=doc.display_name,
                        company=doc.company_id.name,
                    )
                )

    def write(self, vals):
        # A link by hand goes through Link to sale order (the user's rights on the document and the order, the
        # buyer's confirmation), which links with the pipeline's rights.
        if "sale_order_id" in vals and not self.env.su:
            self.env["sale.order"].browse(vals["sale_order_id"] or ())._psb_check_access()
            raise AccessError(self.env._("Link a document to a sale order with Link to sale order."))
        # Everything else of this addon's on a document (its company, its XML, its state...) is the pipeline's:
        # the buttons act with its rights after checking the caller. The chatter's fields stay Odoo's.
        if not self.env.su and any(
            getattr(self._fields.get(name), "_module", None) == "sale_econnect_psb" for name in vals
        ):
            raise AccessError(self.env._("Incoming documents are changed by their buttons only."))
        if "error_message" in vals and "error_code" not in vals:
            vals = {**vals, "error_code": False, "error_params": False}
        return super().write(vals)

    def _compute_xml_preview(self):
        for doc in self:
            # bin_size: the web client asks for binary sizes, the preview needs the content
            raw = doc.attachment_id.sudo().with_context(bin_size=False).raw if doc.attachment_id else b""
            doc.xml_preview = raw.decode("utf-8", "replace") if raw else False

    @api.depends_context("lang")
    def _compute_readable_html(self):
        Report = self.env["report.sale_econnect_psb.report_psb_order"]
        for doc in self:
            if doc.document_type not in DOCUMENT_TYPES:
                doc.readable_html = False
                continue
            doc.readable_html = self.env["ir.qweb"]._render(
                "sale_econnect_psb.report_psb_order_body", {"view": Report._readable_values(doc)}
            )

    def action_psb_readable(self):
        """The buyer's document as a person reads it: an HTML preview, or the PDF with psb_pdf in the context."""
        report = self.env.ref(
            "sale_econnect_psb.action_report_psb_order"
            if self.env.context.get("psb_pdf")
            else "sale_econnect_psb.action_report_psb_order_html"
        )
        return report.report_action(self, config=False)

    # ------------------------------------------------------------------
    # Webhook intake: store, answer, process later
    # ------------------------------------------------------------------
    @api.model
    def _psb_store_event(self, company, event):
        """Record a verified webhook event. Idempotent on (company, topic, documentId).

        :returns: 'stored', 'duplicate' or 'ignored'. Never calls the PSB or imports anything.
        """
        topic = event.get("topic")
        document_type = TOPIC_TYPES.get(topic)
        if not document_type:
            # Not a document (the PSB's Ping from Test webhook): note on the company that the webhook
            # works. Only here: a company write per order delivery would serialise concurrent deliveries.
            if isinstance(topic, str) and topic.strip():
                company._psb_note_hook_event(topic.strip())
            return "ignored"
        # The webhook checked the values (psb.event.check): they are stored whole, never cut.
        document_id = psb_event.text(event.get("documentId"), "documentId")
        if not document_id:
            return "ignored"
        details = event.get("details") if isinstance(event.get("details"), dict) else {}
        vals = {
            "company_id": company.id,
            "topic": topic,
            "document_type": document_type,
            "psb_document_id": document_id,
            "ref_document_id": psb_event.text(event.get("refToDocumentId"), "refToDocumentId") or False,
            "sender": psb_event.text(details.get("sender"), "details.sender") or False,
            "buyer_order_ref": psb_event.text(
                details.get("orderReferenceId") or details.get("id"), "details.orderReferenceId"
            )
            or False,
            "message": psb_event.text(event.get("message"), "message", max_length=MAX_EVENT_TEXT) or False,
            "payload": json.dumps(event, indent=2, ensure_ascii=False),
        }
        Document = self.sudo()
        if Document.search_count(
            [("company_id", "=", company.id), ("topic", "=", topic), ("psb_document_id", "=", vals["psb_document_id"])],
            limit=1,
        ):
            return "duplicate"
        try:
            # The unique constraint settles a race between two deliveries of the same event: the
            # second one waits for the first to commit, then fails here. Nothing else was written
            # in this (webhook request's) transaction, so it is rolled back as a whole; no savepoint
            # is needed for that (two round trips less on every delivery).
            with mute_logger("odoo.sql_db"):
                Document.create(vals).flush_recordset()
        except psycopg2.errors.UniqueViolation:
            self.env.cr.rollback()
            return "duplicate"
        self._trigger_processing()
        return "stored"

    @api.model
    def _trigger_processing(self, at=None):
        self.env["ir.cron"]._psb_trigger("sale_econnect_psb.ir_cron_psb_process_documents", at)

    # ------------------------------------------------------------------
    # Scheduled action: the queue (econnect.psb.queue.mixin)
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_documents(self, batch_size=BATCH_SIZE):
        """Download, store and import every document that is due, a batch at a time.

        Several workers (or servers) may run this at once: each document row is locked
        with FOR UPDATE SKIP LOCKED for the time it is processed, and its state is
        committed after each step, so nothing is imported twice and a crash leaves the
        document where it was.
        """
        self._queue_run(batch_size)

    @api.model
    def _queue_waiting_domain(self):
        return [("state", "in", TODO_STATES)]

    @api.model
    def _queue_trigger(self, at=None):
        self._trigger_processing(at)

    @api.model
    def _queue_backlog(self, remaining, batch_size):
        """More than a batch still due: wake the second import action, which works through the same
        queue in the other cron thread (each document is locked by whoever takes it). Odoo runs one
        instance of a scheduled action at a time; with two, a backlog is imported about twice as fast.
        Once the backlog is down to a batch, the second one is not woken again."""
        if remaining > batch_size:
            self.env["ir.cron"]._psb_trigger(BACKLOG_CRON)

    def _queue_reader(self):
        """Errors and logs in the language of who handles the company's PSB documents."""
        return self.with_context(lang=self.company_id._psb_lang())

    def _queue_process_one(self, clients):
        """The steps of one document, each kept (committed in a scheduled run) before the next: the download
        (the XML is safe in Odoo before the import starts), the import, the automatic confirmation."""
        if self.state == "received" and self.document_type not in STATUS_TYPES:
            self._download(clients)
            yield
            if self.state != "downloaded":
                return  # another worker got the document in between
        if self.state == "downloaded" or (self.state == "received" and self.document_type in STATUS_TYPES):
            self._apply_outcome(self._import())
            yield
            yield from self.env["econnect.psb.auto.confirm"]._decide_steps(self)
            if self.state == "imported" and self.source == "webhook" and self.document_type in DOCUMENT_TYPES:
                self._delete_remote(clients)

    def _process(self, clients=None, commit=False):
        """Run the next steps of one document under the queue's failure policy (never an exception);
        ``commit`` only in a scheduled action's job."""
        self.ensure_one()
        return self._queue_reader()._queue_attempt({} if clients is None else clients, commit)

    def _queue_classify(self, exc):
        if isinstance(exc, UblError):
            return Failed(psb_error_text(self.env, exc), error=exc)
        return super()._queue_classify(exc)

    def _queue_fail(self, failed):
        self._apply_outcome(Outcome("error", failed.reason))
        self._keep_error_code(failed.error)

    def _queue_retry_message(self, attempts, at, deadline, retry):
        return self.env._(
            "Attempt %(n)s failed, retrying at %(at)s (the PSB keeps the document until %(deadline)s): %(error)s",
            n=attempts,
            at=at,
            deadline=deadline or "-",
            error=retry.reason,
        )

    def _queue_give_up_message(self, attempts, deadline, retry):
        values = {"n": attempts, "deadline": deadline, "error": retry.reason}
        if not isinstance(retry.error, psb_errors.PsbError):
            return self.env._(
                "Tried %(n)s times up to %(deadline)s without success (last: %(error)s). Press Retry, or ask the "
                "buyer to send it again.",
                **values,
            )
        return self.env._(
            "The PSB could not be reached in %(n)s attempts up to its retention deadline %(deadline)s (last "
            "error: %(error)s). The PSB may no longer have the document: ask the buyer to send it again.",
            **values,
        )

    def _apply_outcome(self, outcome):
        """Write ``outcome`` (an :class:`Outcome`) on the document: the one writer of a document's state.

        The handlers only say what they came to; the next attempt and what a person reads meanwhile are
        the queue's (``_queue_wait``, ``_queue_retry``).
        """
        self.ensure_one()
        vals = {"state": outcome.state}
        if outcome.state not in (*TODO_STATES, "ignored"):
            vals["processed_on"] = fields.Datetime.now()
        if outcome.sale_order is not None:
            vals["sale_order_id"] = outcome.sale_order.id
        if outcome.duplicate_of is not None:
            vals["duplicate_of_id"] = outcome.duplicate_of.id
        self.write(vals)
        self._queue_wait(outcome.retry_at or False, outcome.message or False)
        if outcome.state == "error":
            self._fill_from_peek()
        if outcome.retry_at:
            self._trigger_processing(outcome.retry_at)
        return outcome

    def _keep_error_code(self, exc):
        """Keep the code and params of the psb error just written (``error_message``, in the language of the PSB
        responsible), from which each reader gets it in his own language (``error_text``)."""
        if code := getattr(exc, "error_code", None):
            self.write({"error_code": code, "error_params": json.loads(json.dumps(exc.params, default=str))})

    def _client(self, clients):
        company = self.company_id
        if company.id not in clients:
            clients[company.id] = company._psb_client()
        return clients[company.id]

    def _download(self, clients):
        """Fetch the XML from the PSB (as the company's *Download orders as* says) and keep it in Odoo
        before anything else is done with it."""
        company = self.company_id.sudo()
        if self.document_type == "invoice_response":  # a buyer's answer to our invoice: the generic endpoint
            data = self._client(clients).download_sales_order(
                company.psb_party_id, self.psb_document_id, family="generic"
            )
        else:
            data = self._client(clients).download_sales_order(
                company.psb_party_id, self.psb_document_id, target_document_type_id=company.psb_download_as or None
            )
        self._store_xml(data)

    def _store_xml(self, data, filename=None):
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename or f"{self.document_type or 'document'}-{self.psb_document_id}.xml",
                    "raw": data,
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                    "company_id": self.company_id.id,
                }
            )
        )
        self.write({"attachment_id": attachment.id, "downloaded_on": fields.Datetime.now()})
        self._apply_outcome(Outcome("downloaded"))

    def _import(self):
        """Import the downloaded document. :returns: its :class:`Outcome`."""
        if self.document_type == "response_status":
            return self._process_response_status()
        if self.document_type == "invoice_status":
            return self._process_invoice_status()
        if self.document_type == "invoice_response":
            return self._process_invoice_response()
        parsed = self._read_xml()
        self.buyer_name = parsed.buyer.display_name if parsed.buyer else False
        if parsed.kind != self.document_type and self.source == "webhook":
            _logger.warning(
                "PSB document %s: topic %s but the XML is a %s", self.psb_document_id, self.topic, parsed.kind
            )
        self.document_type = parsed.kind
        if parsed.kind == "order":
            return self._import_order(parsed)
        return self._import_follow_up(parsed)

    def _find_buyer_order(self, order_ref, buyer, sender=None):
        """This company's sale order for the buyer's order id whose buyer is ``buyer`` (the received
        XML's) and, when the PSB named one, was sent by that buyer (:meth:`_buyer_mismatch`). The first
        order under that id comes before one a person imported as new with the id reused.

        :returns: (sale.order or an empty recordset, why the orders with that id were not taken or False)
        """
        candidates = (
            self.env["sale.order"]
            .sudo()
            .search(
                [("company_id", "=", self.company_id.id), ("psb_order_ref", "=", order_ref)],
                order="psb_order_ref_reused, id",
            )
        )
        reason = False
        for order in candidates:
            reason = self._buyer_mismatch(order, buyer, sender)
            if not reason:
                return order, False
        return candidates.browse(), reason

    def _buyer_mismatch(self, order, buyer, sender=None):
        """False when ``buyer`` (a Party of the received XML) is the buyer of ``order`` and ``sender`` (the
        PSB's ``details.sender``, when given) its Peppol id; otherwise the reason, for a person.

        The buyer is compared by Peppol id (the order's, else its customer's), else by VAT number, else
        by GLN / company registration; a buyer with none of those is not the order's buyer.
        """
        env = self.env
        ours = _norm_id(order.psb_buyer_endpoint)
        partner = order.partner_id.commercial_partner_id
        if not ours and partner.peppol_endpoint:
            ours = _norm_id(
                f"{partner.peppol_eas}:{partner.peppol_endpoint}" if partner.peppol_eas else partner.peppol_endpoint
            )
        label = order.psb_buyer_endpoint or partner.vat or partner.display_name
        if sender and ours and _norm_id(sender) not in (ours, _norm_id(ours.partition(":")[2])):
            return env._(
                "it was sent by %(sender)s, not by the buyer of %(order)s (%(buyer)s)",
                sender=sender,
                order=order.name,
                buyer=label,
            )
        Importer = env["econnect.psb.order.import"]
        theirs = _norm_id(Importer._endpoint_label(buyer))
        if theirs and ours:
            if theirs == ours or (":" not in theirs and theirs == ours.partition(":")[2]):  # no schemeID given
                return False
        elif buyer and buyer.vat and partner.vat:
            if _norm_vat(buyer.vat) == _norm_vat(partner.vat):
                return False
        elif buyer:
            ids = {_norm_id(value) for value, _scheme in buyer.identifiers if value}
            ids |= {_norm_id(value) for value in (buyer.gln, buyer.company_id, buyer.endpoint_id) if value}
            known = {_norm_id(value) for value in (partner.company_registry, partner.peppol_endpoint) if value}
            if ids & known:
                return False
        buyer_label = (
            Importer._endpoint_label(buyer)
            or (buyer.vat if buyer else False)
            or (buyer.display_name if buyer else False)
            or env._("a buyer without Peppol id or VAT number")
        )
        return env._(
            "its buyer %(theirs)s is not the buyer of %(order)s (%(buyer)s)",
            theirs=buyer_label,
            order=order.name,
            buyer=label,
        )

    def _import_order(self, parsed):
        """A Peppol Order: a new quotation, unless this buyer's order id was imported already."""
        self.buyer_order_ref = parsed.id
        existing, _other_buyer = self._find_buyer_order(parsed.id, parsed.buyer)
        if existing.psb_document_id == self:
            return Outcome("imported", sale_order=existing)
        if existing:
            return self._mark_duplicate(existing)
        Importer = self.env["econnect.psb.order.import"].sudo()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                sale_order, _issues = Importer._import_order(self, parsed)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "sale_order_psb_order_uniq":
                raise
            # Every order under this id was compared above: the one the index found was committed by another
            # worker after this transaction began. The next attempt sees it, and marks this one a duplicate.
            raise RetryLater(
                self.env._(
                    "Order %s of this buyer was imported by another worker at the same moment: this document is "
                    "looked at again shortly, and marked a duplicate of it.",
                    parsed.id,
                ),
                retry_after=60,
                waiting=True,
                keep={"buyer_order_ref": parsed.id},
                error=exc,
            ) from exc
        self._wake_follow_ups(sale_order)
        return Outcome("imported", sale_order=sale_order)

    def _wake_follow_ups(self, sale_order):
        """Changes and cancellations of this order that waited for it (delivered before it) are processed now."""
        waiting = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("document_type", "in", ("order_change", "order_cancellation")),
                ("state", "=", "downloaded"),
                ("buyer_order_ref", "=", sale_order.psb_order_ref),
                ("sale_order_id", "=", False),
                ("next_attempt_at", "!=", False),
            ]
        )
        waiting._queue_wake_now()

    def _mark_duplicate(self, sale_order):
        """The outcome of an order whose buyer and order id were already imported as ``sale_order``."""
        original = sale_order.psb_document_id
        return Outcome(
            "duplicate",
            self.env._(
                "Order %(ref)s of this buyer was already imported as %(so)s; it was not imported again.",
                ref=sale_order.psb_order_ref,
                so=sale_order.name,
            ),
            sale_order=sale_order,
            duplicate_of=original if original != self else original.browse(),
        )

    def _read_xml(self, max_bytes=None):
        """The kept XML, read (``max_bytes``: the parser's size limit)."""
        return reader.read_document(self.attachment_id.sudo().with_context(bin_size=False).raw or b"", max_bytes)

    def _import_follow_up(self, parsed):
        """Order Change / Order Cancellation: find the sale order (or the one linked by hand) and apply."""
        self.buyer_order_ref = parsed.order_reference_id
        env = self.env
        kind = dict(self._fields["document_type"]._description_selection(env))[parsed.kind]
        sale_order, other_buyer = self._follow_up_order(parsed)
        if not sale_order and other_buyer:
            return Outcome(
                "error",
                env._(
                    "%(kind)s %(id)s names order %(ref)s, but %(reason)s: it was not linked to that order. If it is "
                    "the buyer's after all, a PSB administrator chooses the sale order in Link to sale order and "
                    "presses Retry.",
                    kind=kind,
                    id=parsed.id,
                    ref=parsed.order_reference_id,
                    reason=other_buyer,
                ),
            )
        if sale_order and not self.sale_order_id and not self._uploader_may_change(sale_order):
            return Outcome(
                "error",
                env._(
                    "%(kind)s %(id)s refers to order %(ref)s, which you may not change: it was not applied.",
                    kind=kind,
                    id=parsed.id,
                    ref=parsed.order_reference_id,
                ),
            )
        if not sale_order:
            raise self._wait_for_order(parsed, kind)
        lang = sale_order.sudo().user_id.lang or env.lang  # the salesperson reads the banner and activity
        return env["econnect.psb.order.change"].with_context(lang=lang)._receive(self, parsed, sale_order)

    def _wait_for_order(self, parsed, kind):
        """A change or cancellation whose order is not in Odoo yet (delivered after it, or its download failed):
        it waits, retried with the back-off and at once when the order is imported, until the PSB's deadline
        (a week for an uploaded one); then it is an error a person resolves."""
        env = self.env
        deadline = self._queue_deadline() or self.received_on + lifecycle.KEEP_AFTER_DOWNLOAD
        values = {"kind": kind, "id": parsed.id, "ref": parsed.order_reference_id}
        return RetryLater(
            env._(
                "%(kind)s %(id)s waits for order %(ref)s, which is not in Odoo yet: it is applied as soon as that "
                "order is imported (tried again until %(deadline)s). A PSB administrator can also choose its sale "
                "order with Link to sale order.",
                deadline=deadline,
                **values,
            ),
            waiting=True,
            deadline=deadline,
            final=env._(
                "%(kind)s %(id)s refers to order %(ref)s, which is not known in Odoo. Import that order first "
                "and press Retry, or press Link to sale order and choose its sale order.",
                **values,
            ),
            keep={"buyer_order_ref": parsed.order_reference_id},
        )

    def _follow_up_order(self, parsed):
        """The sale order a change or cancellation is about: the one linked by hand (a PSB administrator's
        choice) as it is; any other within this document's company, only when its buyer sent this document.

        :returns: (sale.order or an empty recordset, why an order with that id was not taken or False)
        """
        if self.sale_order_id:
            return self.sale_order_id, False
        sale_order, other_buyer = self._find_buyer_order(parsed.order_reference_id, parsed.buyer, self.sender)
        if not sale_order and self.ref_document_id:
            referred = (
                self.sudo()
                .search(
                    [
                        ("company_id", "=", self.company_id.id),
                        ("psb_document_id", "=", self.ref_document_id),
                        ("sale_order_id", "!=", False),
                    ],
                    limit=1,
                )
                .sale_order_id
            )
            other_buyer = referred and self._buyer_mismatch(referred, parsed.buyer, self.sender)
            sale_order = referred if referred and not other_buyer else sale_order
        return sale_order, other_buyer

    def _uploader_may_change(self, sale_order):
        """A document uploaded by a user may only act on an order that user may change."""
        uploader = self.create_uid
        if self.source != "upload" or not uploader or uploader._is_superuser():
            return True
        return sale_order.with_user(uploader).has_access("write")

    def _process_response_status(self):
        """OrderResponseSent* hooks: the delivery outcome of an Order Response we sent."""
        response = self.env["econnect.psb.response"]._apply_status_event(
            self.topic, json.loads(self.payload or "{}"), self.company_id
        )
        if response:
            self.buyer_order_ref = response.sale_order_id.psb_order_ref
        return Outcome("done", sale_order=response.sale_order_id if response else self.env["sale.order"])

    def _process_invoice_status(self):
        """InvoiceSent* hooks: the delivery outcome of an invoice we sent through the PSB."""
        self.env["econnect.psb.invoice.send"]._apply_status_event(
            self.topic, json.loads(self.payload or "{}"), self.company_id
        )
        return Outcome("done", sale_order=self.env["sale.order"])

    def _process_invoice_response(self):
        """A buyer's Invoice Response (T111) to one of our invoices, found by the PSB id of the invoice it refers
        to, else by the invoice number among this company's invoices sent through the PSB."""
        data = self.attachment_id.sudo().with_context(bin_size=False).raw or b""
        try:
            response = invoice_response.read(data)
        except invoice_response.InvoiceResponseError as exc:
            raise UblError(self.env._("Not a Peppol Invoice Response this addon can read: %s", exc)) from exc
        Send = self.env["econnect.psb.invoice.send"].sudo()
        domain = [("company_id", "=", self.company_id.id)]
        sending = self.ref_document_id and Send.search(
            [
                *domain,
                "|",
                ("psb_document_id", "=", self.ref_document_id),
                ("idempotency_key", "=", self.ref_document_id),
            ],
            limit=1,
        )
        if not sending and response.invoice_number:
            sending = Send.search([*domain, ("move_id.name", "=", response.invoice_number)], limit=1)
        if not sending:
            return Outcome(
                "error",
                self.env._(
                    "Invoice Response to invoice %s, which was not sent through the PSB from this company.",
                    response.invoice_number or self.ref_document_id or "-",
                ),
            )
        sending.move_id._psb_apply_invoice_response(response)
        self.buyer_order_ref = sending.move_id.name
        return Outcome("done", sale_order=self.env["sale.order"])

    def _delete_remote(self, clients):
        if not self.company_id.psb_delete_after_import:
            return
        try:
            self._client(clients).delete_sales_order(self.company_id.sudo().psb_party_id, self.psb_document_id)
        except psb_errors.PsbError as exc:
            _logger.info(
                "PSB document %s was imported but not deleted at the PSB: %s", self.psb_document_id, exc.message
            )

    # ------------------------------------------------------------------
    # Manual entry points
    # ------------------------------------------------------------------
    def _psb_check_access(self):
        """The caller is a sales user who may read these documents (record rules included): called first
        by the buttons, which then act with the pipeline's rights."""
        if not self.env.su and not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(self.env._("Only sales users can process Peppol documents."))
        self.check_access("read")
        self.sale_order_id.filtered(lambda o: o.exists())._psb_check_access()

    def action_retry(self):
        self._psb_check_access()
        docs = self.filtered(lambda d: d.state in ("error", "received", "downloaded", "ignored"))
        for doc in docs.sudo():
            if doc.state in ("error", "ignored"):
                doc._message_log(body=self.env._("Retried."))
            doc._queue_reset()
            doc._apply_outcome(Outcome("downloaded" if doc.attachment_id else "received"))
        self._trigger_processing()
        return True

    def action_process_now(self):
        """Process the selected documents in this request (used by the import wizard and the Retry button)."""
        self._psb_check_access()
        self.action_retry()
        clients = {}
        for doc in self.sudo():
            doc._process(clients, commit=False)
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    def action_download_xml(self):
        self.ensure_one()
        self.check_access("read")
        if not self.attachment_id:
            raise UserError(self.env._("This document has not been downloaded yet."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }
