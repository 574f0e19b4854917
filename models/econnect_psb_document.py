# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json
import logging
import re

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import mute_logger

from ..psb import event as psb_event
from ..psb import exceptions as psb_errors
from ..psb import matching
from ..psb.ubl import peek, reader
from ..psb.ubl.model import UblError, UnsupportedDocumentError
from .dialog import dialog_action, notification_action
from .econnect_psb_queue_mixin import BATCH_SIZE, Failed
from .psb_messages import psb_code_text, psb_error_text
from .psb_outcome import Outcome
from .psb_selections import DOCUMENT_SOURCES
from .psb_texts import code_word

BACKLOG_CRON = "sale_econnect_psb.ir_cron_psb_process_documents_backlog"
MB = 1024 * 1024

_logger = logging.getLogger(__name__)

TODO_STATES = ("received", "downloaded")
#: The first order under a buyer's order id comes before one a person imported as new
#: with the id reused (``_find_buyer_order``).
BUYER_ORDERS_ORDER = "psb_order_ref_reused, id"
#: The PSB's description of an event is a sentence; the body as a whole is limited by
#: the webhook.
MAX_EVENT_TEXT = 256 * 1024


def _norm_id(value):
    """A Peppol id as compared: Peppol ids are case-insensitive
    (``iso6523-actorid-upis::`` left out)."""
    value = (value or "").strip().lower()
    return value.removeprefix("iso6523-actorid-upis::")


def _norm_vat(value):
    return re.sub(r"[\s.\-]", "", value or "").upper()


# Who can act on a document in error, and whether Retry can help (see
# ``_compute_error_hint``).
ERROR_FIXES = [
    ("retry", "Retry can help"),
    ("link", "A PSB administrator links it to its sale order"),
    ("settings", "A PSB administrator checks the PSB connection"),
    ("none", "Retry cannot help"),
]


class EconnectPsbDocument(models.Model):
    _name = "econnect.psb.document"
    # The document's one story is this file: received (webhook, upload, by id),
    # downloaded, processed by its kind's handler (econnect.psb.kind), written by
    # _apply_outcome. Each concern beyond it is a mixin of its own file, called by name
    # from here and the only writer of its fields: retention at the PSB, the Peppol rule
    # checks, revised orders. The queue mixin retries and commits.
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "econnect.psb.queue.mixin",
        "econnect.psb.document.retention",
        "econnect.psb.document.rules",
        "econnect.psb.document.revision",
    ]
    _description = "eConnect PSB Incoming Document"
    _order = "id desc"

    # The title is written at display time in the reader's language ("Bestelling PO-1"
    # for a Dutch user): not stored, searchable by what it shows (the order id, the file
    # name, the PSB id).
    name = fields.Char(
        compute="_compute_name", search="_search_name", compute_sudo=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    topic = fields.Char(required=True, readonly=True)
    topic_name = fields.Char(
        "Event",
        compute="_compute_topic_name",
        help="The PSB's event, in the reader's words.",
    )
    # The kinds of document, each with its handler (econnect.psb.kind,
    # models/econnect_psb_kind_*.py).
    document_type = fields.Selection(
        "_psb_kind_selection", required=True, readonly=True
    )
    psb_kind_readable = fields.Boolean("Readable Kind", compute="_compute_psb_kind")
    psb_kind_linkable = fields.Boolean("Linkable Kind", compute="_compute_psb_kind")
    psb_kind_ordering = fields.Boolean(
        "Buyer's Ordering Document",
        compute="_compute_psb_kind",
        search="_search_psb_kind_ordering",
        help="An order, order change or cancellation (not an event about something we "
        "sent).",
    )
    psb_document_id = fields.Char(
        "PSB Document ID", required=True, readonly=True, index=True
    )
    ref_document_id = fields.Char(
        "Refers to PSB Document", readonly=True, index="btree_not_null"
    )
    source = fields.Selection(
        DOCUMENT_SOURCES, default="webhook", required=True, readonly=True
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
    sender = fields.Char(
        readonly=True, help="The sender's Peppol id, as the PSB reports it."
    )
    buyer_name = fields.Char(readonly=True)
    buyer_order_ref = fields.Char(
        "Buyer's Order ID", readonly=True, index="btree_not_null"
    )
    payload = fields.Text("Webhook Event", readonly=True)
    message = fields.Char(readonly=True, help="The PSB's own description of the event.")
    received_on = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True
    )
    downloaded_on = fields.Datetime(readonly=True)
    processed_on = fields.Datetime(readonly=True)
    attachment_id = fields.Many2one(
        "ir.attachment", "Original XML", readonly=True, ondelete="restrict"
    )
    xml_preview = fields.Text("XML", compute="_compute_xml_preview")
    readable_html = fields.Html(
        "Readable Order",
        compute="_compute_readable_html",
        sanitize=False,
        help="The buyer's document as a person reads it, from the original XML.",
    )
    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    duplicate_of_id = fields.Many2one("econnect.psb.document", readonly=True)
    change_ref = fields.Char(
        "Change / Cancellation ID", readonly=True, index="btree_not_null"
    )
    sequence_number = fields.Integer(readonly=True)
    # A psb error keeps its code and params: it is shown in the reader's language
    # (error_text), whatever the language it was written in (error_message). Any other
    # error_message written clears them.
    error_code = fields.Char(readonly=True)
    error_params = fields.Json(readonly=True)
    error_text = fields.Text("Error Details", compute="_compute_error_text")
    error_fix = fields.Selection(
        ERROR_FIXES,
        "What Helps",
        readonly=True,
        help="Who can act on the error, and whether pressing Retry can help as things "
        "are.",
    )
    error_hint = fields.Text("What to Do", compute="_compute_error_hint")

    _event_uniq = models.Constraint(
        "UNIQUE(company_id, topic, psb_document_id)",
        "This PSB event was already received.",
    )

    # -- what tells documents apart, and the person's own actions (chatter, Ignore)
    # ------------
    file_name = fields.Char("File", related="attachment_id.name")
    error_summary = fields.Char("Error", compute="_compute_error_summary")
    ignore_note = fields.Text("Why Ignored", readonly=True)

    @api.model
    def _psb_kind_selection(self):
        return self.env["econnect.psb.kind"]._psb_selection()

    def _psb_kind_handler(self, kind=None):
        """The handler of this document's kind (or of ``kind``):
        ``econnect.psb.kind.<kind>``."""
        return self.env["econnect.psb.kind"]._psb_handler(kind or self.document_type)

    @api.depends("document_type")
    def _compute_psb_kind(self):
        Kind = self.env["econnect.psb.kind"]
        for doc in self:
            handler = (
                Kind._psb_handler(doc.document_type) if doc.document_type else Kind
            )
            doc.psb_kind_readable = handler._psb_readable()
            doc.psb_kind_linkable = handler._psb_linkable()
            doc.psb_kind_ordering = handler._psb_ordering

    def _search_psb_kind_ordering(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        kinds = self.env["econnect.psb.kind"]._psb_kinds("_psb_ordering")
        return [
            ("document_type", "in" if (operator == "=") == value else "not in", kinds)
        ]

    @api.depends("topic")
    @api.depends_context("lang")
    def _compute_topic_name(self):
        for document in self:
            document.topic_name = (
                code_word(self.env, "topic", document.topic) or document.topic
            )

    @api.depends(
        "document_type",
        "buyer_order_ref",
        "psb_document_id",
        "attachment_id.name",
        "topic",
        "source",
    )
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
        """A title is its type's label and what tells the document apart: searched on
        the latter, and on the type when the text starts with a label ("Order Change 45"
        finds the changes of order 45...)."""
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
        for kind, label in sorted(
            self._type_labels().items(), key=lambda item: -len(item[1])
        ):
            if (
                operator.endswith("ilike")
                and text.lower().startswith(label.lower() + " ")
                or text == label
            ):
                domain, text = (
                    [("document_type", "=", kind)],
                    text[len(label) :].strip(" ()"),
                )
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
                psb_code_text(
                    self.env, doc.error_code, doc.error_params, doc.error_message
                )
                if doc.error_code
                else doc.error_message
            )

    @api.depends("state", "error_fix")
    @api.depends_context("lang", "uid")
    def _compute_error_hint(self):
        """What the reader can do about the error: said for a sales user (who cannot
        link, ignore or change the settings) and for a PSB administrator."""
        manager = self.env.user.has_group("sale_econnect_psb.group_psb_manager")
        hints = {
            "retry": (
                self.env._("Press Retry to process it again now."),
                self.env._("Press Retry to process it again now."),
            ),
            "link": (
                self.env._(
                    "Only a PSB administrator can link it to its sale order: ask your "
                    "PSB administrator to choose "
                    "the order with Link to sale order. Once its order is in Odoo, "
                    "Retry applies it."
                ),
                self.env._(
                    "Choose its sale order with Link to sale order, or import that "
                    "order first; then press Retry."
                ),
            ),
            "settings": (
                self.env._(
                    "The connection to the PSB needs a PSB administrator: ask your "
                    "PSB administrator to check it "
                    "in Settings (Test connection). Retry helps once it is fixed."
                ),
                self.env._(
                    "Check the PSB connection in Settings (Test connection), then "
                    "press Retry."
                ),
            ),
            "none": (
                self.env._(
                    "Retrying cannot help: the document cannot be used as it is. Ask "
                    "the buyer to send it again, "
                    "corrected; your PSB administrator can set this one aside with "
                    "Ignore."
                ),
                self.env._(
                    "Retrying cannot help: the document cannot be used as it is. Ask "
                    "the buyer to send it again, "
                    "corrected, and set this one aside with Ignore."
                ),
            ),
        }
        for doc in self:
            texts = hints.get(doc.error_fix) if doc.state == "error" else None
            doc.error_hint = (texts[1] if manager else texts[0]) if texts else False

    @api.depends("error_text")
    @api.depends_context("lang")
    def _compute_error_summary(self):
        for doc in self:
            first = (doc.error_text or "").strip().split("\n")[0]
            doc.error_summary = (
                first if len(first) <= 80 else first[:77].rstrip() + "..."
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Documents come from the PSB's events and from Import a document, both with the
        # pipeline's rights once the caller was checked: never created directly (a
        # document's attachment or company is read and processed with the pipeline's
        # rights).
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Incoming documents come from the PSB or from Import a document."
                )
            )
        # No "created" entry and no follower per received event: the chatter is for what
        # people do.
        return super(
            EconnectPsbDocument,
            self.with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                tracking_disable=True,
            ),
        ).create(vals_list)

    def _fill_from_peek(self):
        """A document that could not be read still shows its order id and buyer when
        they can be seen."""
        if self.buyer_order_ref and self.buyer_name or not self.attachment_id:
            return
        found = peek.peek(
            self.attachment_id.sudo().with_context(bin_size=False).raw or b""
        )
        vals = {
            "buyer_order_ref": self.buyer_order_ref
            or (found["order_id"] or "")[:200]
            or False,
            "buyer_name": self.buyer_name or (found["buyer_name"] or "")[:200] or False,
        }
        if self.source == "upload" and found["kind"]:
            vals["document_type"] = found["kind"]
        self.write(vals)

    @api.model
    def _action_open_documents(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_econnect_psb.action_econnect_psb_document"
        )
        if self.env.user.has_group("sale_econnect_psb.group_psb_manager"):
            action["context"] = {
                "search_default_filter_documents": 1,
                "search_default_group_state": 1,
            }
        return action

    @api.model
    def _psb_check_upload(self, company):
        """The caller may bring a file into the pipeline for ``company`` (Import a
        document, Odoo's Upload Request for Quotation): a sales user of that company who
        may create quotations. Called before the pipeline acts with its own rights."""
        if self.env.su:
            return
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                self.env._("Only sales users can import Peppol documents.")
            )
        if company not in self.env.user.company_ids:
            raise AccessError(
                self.env._("You cannot import documents into %s.", company.name)
            )
        self.env["sale.order"].with_company(company).check_access("create")

    @api.model
    def _create_from_upload(self, company, raw, filename=None):
        """A file uploaded by a person, into the same pipeline (processed at once); the
        same file twice is one document. The file says what it is; one that cannot be
        read goes in as an order and ends in Error with the reason."""
        Document = self.sudo()
        psb_id = f"upload:{hashlib.sha256(raw).hexdigest()}"
        document = Document.search(
            [("company_id", "=", company.id), ("psb_document_id", "=", psb_id)], limit=1
        )
        if not document:
            kinds = self.env["econnect.psb.kind"]
            kind = (
                kinds._psb_kind_of_root(peek.root_name(raw))
                or peek.peek(raw)["kind"]
                or "order"
            )
            topic = kinds._psb_handler(kind)._psb_topics[0]
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
        wizard = self.env["econnect.psb.document.wizard"].create(
            {"document_id": self.id, "mode": mode}
        )
        return dialog_action(
            wizard, dict(wizard._fields["mode"]._description_selection(self.env))[mode]
        )

    def _ignore(self, note):
        self.ensure_one()
        self.ignore_note = note
        self._apply_outcome(Outcome("ignored", self.error_message))
        self.message_post(
            body=self.env._("Ignored: %s", note),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _link(self, sale_order, override=False):
        """Link to ``sale_order`` by hand (Link to sale order, which checked the user
        first). ``override``: why the order's buyer is not this document's, which the
        user confirmed; the chatter records who overrode it."""
        self.ensure_one()
        self.sale_order_id = sale_order
        if override:
            body = self.env._(
                "Linked to %(order)s by hand by %(user)s, who confirmed it although "
                "the buyers differ: %(why)s",
                order=sale_order.name,
                user=self.env.user.name,
                why=override,
            )
            sale_order.message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_note"
            )
        else:
            body = self.env._("Linked to %s by hand.", sale_order.name)
        self.message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note"
        )

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
        """A buyer as a person recognises it: its name with its Peppol id (else VAT
        number)."""
        name = party.display_name or self.buyer_name or ""
        ident = (
            self.env["econnect.psb.order.import"]._endpoint_label(party)
            or party.vat
            or ""
        )
        return f"{name} ({ident})" if name and ident else name or ident

    def _psb_orders_of_buyer(self, buyer, limit=50):
        """The Peppol orders of ``buyer`` (a Party) in this document's company that the
        user may change: by the buyer's Peppol id, or the customer its Peppol id, VAT
        number or registration finds (never a name alone), each checked as the pipeline
        checks a follow-up's buyer (:meth:`_buyer_mismatch`)."""
        self.ensure_one()
        Importer = self.env["econnect.psb.order.import"]
        endpoint = Importer._endpoint_label(buyer)
        customer, how = Importer.sudo()._match_partner(
            self.company_id, buyer, create=False
        )
        alternatives = []
        if endpoint:
            alternatives.append(
                [("psb_buyer_endpoint", "=ilike", matching.escape_like(endpoint))]
            )
        if customer and how != "name":
            alternatives.append(
                [("partner_id.commercial_partner_id", "=", customer.id)]
            )
        if not alternatives:
            return self.env["sale.order"]
        domain = Domain.AND(
            [
                [
                    ("company_id", "=", self.company_id.id),
                    ("psb_document_id", "!=", False),
                ],
                Domain.OR(alternatives),
            ]
        )
        orders = self.env["sale.order"].search(domain, order="id desc", limit=limit)
        return orders.filtered(
            lambda order: (
                order.has_access("write")
                and not self._buyer_mismatch(order, buyer, self.sender)
            )
        )

    @api.constrains("sale_order_id", "company_id")
    def _check_sale_order_company(self):
        for doc in self.sudo():
            if doc.sale_order_id and doc.sale_order_id.company_id != doc.company_id:
                raise ValidationError(doc._other_company_text())

    def _other_company_text(self):
        """Why this document cannot be linked to another company's sale order."""
        return self.env._(
            "%(doc)s was received for %(company)s: it can only be linked to a sale "
            "order of that company.",
            doc=self.display_name,
            company=self.company_id.name,
        )

    def write(self, vals):
        if set(vals) == {"psb_revision_note"} and not self.env.su:
            return self._psb_write_revision_note(
                vals
            )  # whoever may decide on a revised order
        # A link by hand goes through Link to sale order (the user's rights on the
        # document and the order, the buyer's confirmation), which links with the
        # pipeline's rights.
        if "sale_order_id" in vals and not self.env.su:
            self.env["sale.order"].browse(
                vals["sale_order_id"] or ()
            )._psb_check_access()
            raise AccessError(
                self.env._("Link a document to a sale order with Link to sale order.")
            )
        # Everything else of this addon's on a document (its company, its XML, its
        # state...) is the pipeline's: the buttons act with its rights after checking
        # the caller. The chatter's fields stay Odoo's.
        if not self.env.su and any(
            getattr(self._fields.get(name), "_module", None) == "sale_econnect_psb"
            for name in vals
        ):
            raise AccessError(
                self.env._("Incoming documents are changed by their buttons only.")
            )
        if "error_message" in vals and "error_code" not in vals:
            vals = {**vals, "error_code": False, "error_params": False}
        return super().write(vals)

    def _compute_xml_preview(self):
        for doc in self:
            # bin_size: the web client asks for binary sizes, the preview needs the
            # content
            raw = (
                doc.attachment_id.sudo().with_context(bin_size=False).raw
                if doc.attachment_id
                else b""
            )
            doc.xml_preview = raw.decode("utf-8", "replace") if raw else False

    @api.depends_context("lang")
    def _compute_readable_html(self):
        Report = self.env["report.sale_econnect_psb.report_psb_order"]
        for doc in self:
            if not doc.psb_kind_readable:
                doc.readable_html = False
                continue
            doc.readable_html = self.env["ir.qweb"]._render(
                "sale_econnect_psb.report_psb_order_body",
                {"view": Report._readable_values(doc)},
            )

    def action_psb_readable(self):
        """The buyer's document as a person reads it: an HTML preview, or the PDF with
        psb_pdf in the context."""
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

        :returns: 'stored', 'duplicate' or 'ignored'. Never calls the PSB or imports
            anything.
        """
        topic = event.get("topic")
        document_type = self.env["econnect.psb.kind"]._psb_kind_of_topic(topic)
        if not document_type:
            # Not a document (the PSB's Ping from Test webhook): note on the company
            # that the webhook works. Only here: a company write per order delivery
            # would serialise concurrent deliveries.
            if isinstance(topic, str) and topic.strip():
                company._psb_note_hook_event(topic.strip())
            return "ignored"
        # The webhook checked the values (psb.event.check): they are stored whole, never
        # cut.
        document_id = psb_event.text(event.get("documentId"), "documentId")
        if not document_id:
            return "ignored"
        vals = self._psb_event_vals(company, event, document_type, document_id)
        Document = self.sudo()
        if Document.search_count(
            [
                ("company_id", "=", company.id),
                ("topic", "=", topic),
                ("psb_document_id", "=", vals["psb_document_id"]),
            ],
            limit=1,
        ):
            return "duplicate"
        try:
            # The unique constraint settles a race between two deliveries of the same
            # event: the second one waits for the first to commit, then fails here.
            # Nothing else was written in this (webhook request's) transaction, so it is
            # rolled back as a whole; no savepoint is needed for that (two round trips
            # less on every delivery).
            with mute_logger("odoo.sql_db"):
                Document.create(vals).flush_recordset()
        except psycopg2.errors.UniqueViolation:
            self.env.cr.rollback()
            return "duplicate"
        self._trigger_processing()
        return "stored"

    @api.model
    def _psb_event_vals(self, company, event, document_type, document_id):
        """The values of the document that records the webhook ``event``."""
        topic = event.get("topic")
        details = event.get("details") if isinstance(event.get("details"), dict) else {}
        return {
            "company_id": company.id,
            "topic": topic,
            "document_type": document_type,
            "psb_document_id": document_id,
            "ref_document_id": psb_event.text(
                event.get("refToDocumentId"), "refToDocumentId"
            )
            or False,
            "sender": psb_event.text(details.get("sender"), "details.sender") or False,
            "buyer_order_ref": psb_event.text(
                details.get("orderReferenceId") or details.get("id"),
                "details.orderReferenceId",
            )
            or False,
            "message": psb_event.text(
                event.get("message"), "message", max_length=MAX_EVENT_TEXT
            )
            or False,
            "payload": json.dumps(event, indent=2, ensure_ascii=False),
        }

    @api.model
    def _trigger_processing(self, at=None):
        self.env["ir.cron"]._psb_trigger(
            "sale_econnect_psb.ir_cron_psb_process_documents", at
        )

    # ------------------------------------------------------------------
    # Scheduled action: the queue (econnect.psb.queue.mixin)
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_documents(self, batch_size=BATCH_SIZE):
        """Download, store and import every document that is due, a batch at a time.

        Several workers (or servers) may run this at once: each document row is locked
        with FOR UPDATE SKIP LOCKED for the time it is processed, and its state is
        committed after each step, so nothing is imported twice and a crash leaves the
        document where it was. Then the PSB administrators are alerted to documents the
        PSB deletes soon (``econnect.psb.document.retention``).
        """
        self._queue_run(batch_size or BATCH_SIZE)
        self._psb_alert_expiring()

    def _queue_deadline(self):
        """A document is retried for as long as the PSB keeps it."""
        return self.psb_keep_until

    @api.model
    def _queue_waiting_domain(self):
        return [("state", "in", TODO_STATES)]

    @api.model
    def _queue_trigger(self, at=None):
        self._trigger_processing(at)

    @api.model
    def _queue_backlog(self, remaining, batch_size):
        """More than a batch still due: wake the second import action, which works
        through the same queue in the other cron thread (each document is locked by
        whoever takes it). Odoo runs one instance of a scheduled action at a time; with
        two, a backlog is imported about twice as fast. Once the backlog is down to a
        batch, the second one is not woken again."""
        if remaining > batch_size:
            self.env["ir.cron"]._psb_trigger(BACKLOG_CRON)

    def _queue_reader(self):
        """Errors and logs in the language of who handles the company's PSB
        documents."""
        return self.with_context(lang=self.company_id._psb_lang())

    def _queue_process_one(self, clients):
        """The steps of one document, each kept (committed in a scheduled run) before
        the next: the download (the XML is safe in Odoo before the import starts), the
        import, the automatic confirmation."""
        kind = self._psb_kind_handler()
        if self.state == "received" and kind._psb_download_family:
            self._download(clients)
            yield
            if self.state != "downloaded":
                return  # another worker got the document in between
        if self.state == "downloaded" or (
            self.state == "received" and not kind._psb_download_family
        ):
            self._apply_outcome(self._import())
            AutoConfirm = self.env["econnect.psb.auto.confirm"]
            if not (
                self._queue_commits()
                or AutoConfirm._undecided(self)
                or self._psb_delete_due(kind)
            ):
                # Nothing after the import, and no commit to keep it before the rest:
                # no step (savepoint) of its own.
                return
            yield
            yield from AutoConfirm._decide_steps(self)
            if self._psb_delete_due(kind):
                self._delete_remote(clients)

    def _psb_delete_due(self, kind):
        """Whether the document, of ``kind``, is to be deleted at the PSB once imported
        (``_delete_remote``)."""
        return (
            self.state == "imported"
            and self.source == "webhook"
            and kind._psb_ordering
            and self.company_id.psb_delete_after_import
        )

    def _process(self, clients=None, commit=False):
        """Run the next steps of one document under the queue's failure policy (never an
        exception); ``commit`` only in a scheduled action's job."""
        self.ensure_one()
        return self._queue_reader()._queue_attempt(
            {} if clients is None else clients, commit
        )

    def _queue_classify(self, exc):
        if isinstance(exc, UblError):
            return Failed(psb_error_text(self.env, exc), error=exc)
        return super()._queue_classify(exc)

    def _queue_fail(self, failed):
        self._apply_outcome(
            Outcome("error", failed.reason, fix=self._failed_fix(failed))
        )
        self._keep_error_code(failed.error)

    @api.model
    def _failed_fix(self, failed):
        """Who can act on a failure (``error_fix``): an unreadable document or a refusal
        of the PSB cannot be retried as it is; the PSB connection is a PSB
        administrator's."""
        exc = failed.error
        if isinstance(exc, UblError):
            return "none"
        if isinstance(exc, (psb_errors.PsbAuthError, psb_errors.PsbConfigError)):
            return "settings"
        if isinstance(exc, psb_errors.PsbError):
            return "retry" if exc.retryable else "none"
        return "retry" if failed.retry_helps else "none"

    def _queue_give_up(self, attempts, deadline, retry):
        result = super()._queue_give_up(attempts, deadline, retry)
        # Its order never came (a person links or imports it), or the PSB's retention
        # deadline passed.
        if retry.final:
            self.error_fix = "link"
        elif isinstance(retry.error, psb_errors.PsbError):
            self.error_fix = "none"
        return result

    def _queue_retry_message(self, attempts, at, deadline, retry):
        return self.env._(
            "Attempt %(n)s failed, retrying at %(at)s (the PSB keeps the document "
            "until %(deadline)s): %(error)s",
            n=attempts,
            at=at,
            deadline=deadline or "-",
            error=retry.reason,
        )

    def _queue_give_up_message(self, attempts, deadline, retry):
        values = {"n": attempts, "deadline": deadline, "error": retry.reason}
        if not isinstance(retry.error, psb_errors.PsbError):
            return self.env._(
                "Tried %(n)s times up to %(deadline)s without success (last: "
                "%(error)s). Press Retry, or ask the "
                "buyer to send it again.",
                **values,
            )
        return self.env._(
            "The PSB could not be reached in %(n)s attempts up to its retention "
            "deadline %(deadline)s (last "
            "error: %(error)s). The PSB may no longer have the document: ask the "
            "buyer to send it again.",
            **values,
        )

    def _apply_outcome(self, outcome):
        """Write ``outcome`` (an :class:`Outcome`) on the document: the one writer of a
        document's state.

        The handlers only say what they came to; the next attempt and what a person
        reads meanwhile are the queue's (``_queue_wait``, ``_queue_retry``).
        """
        self.ensure_one()
        vals = {"state": outcome.state}
        if outcome.state not in (*TODO_STATES, "ignored"):
            vals["processed_on"] = fields.Datetime.now()
        if outcome.sale_order is not None:
            vals["sale_order_id"] = outcome.sale_order.id
        if outcome.duplicate_of is not None:
            vals["duplicate_of_id"] = outcome.duplicate_of.id
        vals["error_fix"] = outcome.fix if outcome.state == "error" else False
        self.write(vals)
        self._queue_wait(outcome.retry_at or False, outcome.message or False)
        if outcome.state == "error":
            self._fill_from_peek()
        if outcome.retry_at:
            self._trigger_processing(outcome.retry_at)
        return outcome

    def _keep_error_code(self, exc):
        """Keep the code and params of the psb error just written (``error_message``, in
        the language of the PSB responsible), from which each reader gets it in his own
        language (``error_text``)."""
        if code := getattr(exc, "error_code", None):
            self.write(
                {
                    "error_code": code,
                    "error_params": json.loads(json.dumps(exc.params, default=str)),
                }
            )

    def _client(self, clients):
        client = self._queue_client(clients, self.company_id)
        client.max_download_bytes = (
            max(1, self.company_id.sudo().psb_keep_max_mb or 0) * MB
        )
        return client

    def _download(self, clients):
        """Fetch the XML from the PSB (as the company's *Download orders as* says) and
        keep it in Odoo before anything else is done with it."""
        company = self.company_id.sudo()
        kind = self._psb_kind_handler()
        target = kind._psb_download_converted and company.psb_download_as or None
        family = kind._psb_download_family
        try:
            data = self._client(clients).download_sales_order(
                company.psb_party_id,
                self.psb_document_id,
                target_document_type_id=target,
                family=family,
            )
        except psb_errors.PsbRequestError as exc:
            raise self._psb_download_error(exc) from exc
        self._store_xml(data)

    def _psb_download_error(self, exc):
        """What a person does about a refused download: a document above the size kept,
        a format the PSB cannot convert to (*Download orders as*); ``exc`` as it is
        otherwise."""
        company = self.company_id.sudo()
        if exc.code == "too_large":
            return psb_errors.PsbRequestError(
                self.env._(
                    '%(error)s Nothing was kept. A PSB administrator can raise "Keep '
                    'documents up to (MB)" '
                    "(now %(mb)s MB) in Settings and press Retry; the PSB keeps the "
                    "document until %(deadline)s.",
                    error=psb_error_text(self.env, exc),
                    mb=company.psb_keep_max_mb,
                    deadline=self.psb_keep_until or "-",
                )
            )
        if company.psb_download_as and exc.status in (400, 406, 415, 422):
            return psb_errors.PsbRequestError(
                self.env._(
                    "The PSB cannot deliver this document as %(target)s (the setting "
                    '"Download orders as"): '
                    "%(error)s Clear the setting to download it as sent, then press "
                    "Retry.",
                    target=company.psb_download_as,
                    error=psb_error_text(self.env, exc),
                ),
                status=exc.status,
            )
        return exc

    def _store_xml(self, data, filename=None):
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename
                    or f"{self.document_type or 'document'}-{self.psb_document_id}.xml",
                    "raw": data,
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                    "company_id": self.company_id.id,
                }
            )
        )
        self.write(
            {"attachment_id": attachment.id, "downloaded_on": fields.Datetime.now()}
        )
        self._apply_outcome(Outcome("downloaded"))

    def _import(self):
        """Process the document as its kind's handler says (``econnect.psb.kind``), then
        queue its Peppol rule check (``econnect.psb.document.rules``). :returns: its
        :class:`Outcome`."""
        try:
            outcome = self._psb_kind_handler()._psb_process(self)
        except UnsupportedDocumentError as exc:
            target = self.company_id.sudo().psb_download_as
            if not target or self.source != "webhook":
                raise
            raise UnsupportedDocumentError(
                self.env._(
                    "The PSB converted the document to %(target)s (the setting "
                    '"Download orders as"), which is not a '
                    "Peppol BIS 3 Order, Order Change or Order Cancellation: "
                    "%(error)s Clear the setting and press "
                    "Retry to download it as sent.",
                    target=target,
                    error=psb_error_text(self.env, exc),
                )
            ) from exc
        self._psb_rules_queue()
        return outcome

    def _find_buyer_order(self, order_ref, buyer, sender=None):
        """This company's sale order for the buyer's order id whose buyer is ``buyer``
        (the received XML's) and, when the PSB named one, was sent by that buyer
        (:meth:`_buyer_mismatch`). The first order under that id comes before one a
        person imported as new with the id reused.

        :returns: (sale.order or an empty recordset, why the orders with that id were
            not taken or False)
        """
        candidates = (
            self.env["sale.order"]
            .sudo()
            .search(self._buyer_orders_domain(order_ref), order=BUYER_ORDERS_ORDER)
        )
        return self._buyer_order_among(candidates, buyer, sender)

    def _buyer_orders_domain(self, order_ref):
        """This company's sale orders under the buyer's order id ``order_ref``, whoever
        their buyer (searched in the order ``BUYER_ORDERS_ORDER``)."""
        return [
            ("company_id", "=", self.company_id.id),
            ("psb_order_ref", "=", order_ref),
        ]

    def _buyer_order_among(self, candidates, buyer, sender=None):
        """The first of ``candidates`` (:meth:`_buyer_orders_domain`) whose buyer is
        ``buyer`` (see :meth:`_find_buyer_order`, which returns the same)."""
        reason = False
        for order in candidates:
            reason = self._buyer_mismatch(order, buyer, sender)
            if not reason:
                return order, False
        return candidates.browse(), reason

    def _buyer_mismatch(self, order, buyer, sender=None):
        """False when ``buyer`` (a Party of the received XML) is the buyer of ``order``
        and ``sender`` (the PSB's ``details.sender``, when given) its Peppol id;
        otherwise the reason, for a person.

        The buyer is compared by Peppol id (the order's, else its customer's), else by
        VAT number, else by GLN / company registration; a buyer with none of those is
        not the order's buyer.
        """
        env = self.env
        ours = self._order_buyer_id(order)
        partner = order.partner_id.commercial_partner_id
        label = order.psb_buyer_endpoint or partner.vat or partner.display_name
        if (
            sender
            and ours
            and _norm_id(sender) not in (ours, _norm_id(ours.partition(":")[2]))
        ):
            return env._(
                "it was sent by %(sender)s, not by the buyer of %(order)s (%(buyer)s)",
                sender=sender,
                order=order.name,
                buyer=label,
            )
        Importer = env["econnect.psb.order.import"]
        if self._buyer_matches(buyer, ours, partner):
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

    def _order_buyer_id(self, order):
        """The normalised Peppol id of ``order``'s buyer: the order's, else its
        customer's (empty when neither has one)."""
        ours = _norm_id(order.psb_buyer_endpoint)
        partner = order.partner_id.commercial_partner_id
        if not ours and partner.peppol_endpoint:
            ours = _norm_id(
                f"{partner.peppol_eas}:{partner.peppol_endpoint}"
                if partner.peppol_eas
                else partner.peppol_endpoint
            )
        return ours

    def _buyer_matches(self, buyer, ours, partner):
        """Whether ``buyer`` (a Party of the received XML) is ``partner``, the order's
        customer whose Peppol id is ``ours``: by Peppol id, else by VAT number, else by
        GLN / company registration."""
        Importer = self.env["econnect.psb.order.import"]
        theirs = _norm_id(Importer._endpoint_label(buyer))
        if theirs and ours:
            if theirs == ours or (
                ":" not in theirs and theirs == ours.partition(":")[2]
            ):  # no schemeID given
                return True
        elif buyer and buyer.vat and partner.vat:
            if _norm_vat(buyer.vat) == _norm_vat(partner.vat):
                return True
        elif buyer:
            ids = {_norm_id(value) for value, _scheme in buyer.identifiers if value}
            ids |= {
                _norm_id(value)
                for value in (buyer.gln, buyer.company_id, buyer.endpoint_id)
                if value
            }
            known = {
                _norm_id(value)
                for value in (partner.company_registry, partner.peppol_endpoint)
                if value
            }
            if ids & known:
                return True
        return False

    def _psb_repeated_order(self, sale_order):
        """The outcome of an order whose buyer and order id were already imported as
        ``sale_order``: a revised order a person decides on
        (``econnect.psb.document.revision``), else a duplicate."""
        return self._psb_revision_outcome(sale_order) or self._mark_duplicate(
            sale_order
        )

    def _mark_duplicate(self, sale_order):
        """The outcome of an order whose buyer and order id were already imported as
        ``sale_order``."""
        original = sale_order.psb_document_id
        return Outcome(
            "duplicate",
            self.env._(
                "Order %(ref)s of this buyer was already imported as %(so)s; it was "
                "not imported again.",
                ref=sale_order.psb_order_ref,
                so=sale_order.name,
            ),
            sale_order=sale_order,
            duplicate_of=original if original != self else original.browse(),
        )

    def _read_xml(self, max_bytes=None):
        """The kept XML, read (``max_bytes``: the parser's size limit), up to the
        company's import limit."""
        limit = max(1, self.company_id.sudo().psb_import_max_mb or 0) * MB
        size = self.attachment_id.sudo().file_size
        if size > limit:
            raise UblError(
                self.env._(
                    "The document is %(size).1f MB, more than the import limit of "
                    "%(mb)s MB; it is kept here (Original "
                    'XML) but was not imported. A PSB administrator can raise "Import '
                    'documents up to (MB)" in '
                    "Settings and press Retry.",
                    size=size / MB,
                    mb=limit // MB,
                )
            )
        max_bytes = min(limit, max_bytes or limit)
        return reader.read_document(
            self.attachment_id.sudo().with_context(bin_size=False).raw or b"", max_bytes
        )

    def _delete_remote(self, clients):
        if not self.company_id.psb_delete_after_import:
            return
        try:
            self._client(clients).delete_sales_order(
                self.company_id.sudo().psb_party_id, self.psb_document_id
            )
        except psb_errors.PsbError as exc:
            _logger.info(
                "PSB document %s was imported but not deleted at the PSB: %s",
                self.psb_document_id,
                exc.message,
            )

    # ------------------------------------------------------------------
    # Manual entry points
    # ------------------------------------------------------------------
    def _psb_check_access(self):
        """The caller is a sales user who may read these documents (record rules
        included): called first by the buttons, which then act with the pipeline's
        rights."""
        if not self.env.su and not self.env.user.has_group(
            "sales_team.group_sale_salesman"
        ):
            raise AccessError(
                self.env._("Only sales users can process Peppol documents.")
            )
        self.check_access("read")
        self.sale_order_id.filtered(lambda o: o.exists())._psb_check_access()

    def action_retry(self):
        self._psb_check_access()
        docs = self.filtered(
            lambda d: d.state in ("error", "received", "downloaded", "ignored")
        )
        for doc in docs.sudo():
            if doc.state in ("error", "ignored"):
                doc._message_log(body=self.env._("Retried."))
            doc._queue_reset()
            doc._apply_outcome(
                Outcome("downloaded" if doc.attachment_id else "received")
            )
        self._trigger_processing()
        return True

    def action_process_now(self):
        """Process the selected documents in this request (used by the import wizard and
        the Retry button)."""
        self._psb_check_access()
        self.action_retry()
        clients = {}
        for doc in self.sudo():
            doc._process(clients, commit=False)
        self._psb_check_rules_now()
        return True

    def action_retry_now(self):
        """The Retry button: process the document again now, and tell the person what
        came of it."""
        self.ensure_one()
        self.action_process_now()
        message, kind = self._retry_result()
        self.sudo()._message_log(body=message)
        return notification_action(message, kind, sticky=kind == "warning")

    def _retry_result(self):
        """What Retry came to, for the person who pressed it: (message, notification
        type)."""
        self.invalidate_recordset()
        doc, order = self.display_name, self.sale_order_id.display_name
        if self.state in ("imported", "done") and order:
            return self.env._(
                "Retry worked: %(doc)s was applied to %(order)s.", doc=doc, order=order
            ), "success"
        if self.state in ("imported", "done"):
            return self.env._(
                "Retry worked: %(doc)s was processed.", doc=doc
            ), "success"
        if self.state == "pending":
            return self.env._(
                "Retry worked: %(doc)s now waits for a decision on %(order)s.",
                doc=doc,
                order=order,
            ), "info"
        if self.state == "duplicate":
            return self.env._(
                "Retried: %(doc)s repeats a document already received; nothing was "
                "changed.",
                doc=doc,
            ), "info"
        if self.state == "error":
            details = "\n".join(
                text for text in (self.error_text, self.error_hint) if text
            )
            return self.env._(
                "Retried, but %(doc)s failed again: %(details)s",
                doc=doc,
                details=details,
            ), "warning"
        return self.env._(
            "Retried: %(doc)s is waiting: %(details)s",
            doc=doc,
            details=self.error_text or "-",
        ), "info"

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
