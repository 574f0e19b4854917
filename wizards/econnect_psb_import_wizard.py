# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..psb import event as psb_event


class EconnectPsbImportWizard(models.TransientModel):
    """Bring a document into the PSB pipeline by hand: by its PSB document id (for
    events the PSB gave up delivering, HookSentError) or by uploading a UBL file."""

    _name = "econnect.psb.import.wizard"
    _description = "Import a Peppol document"

    mode = fields.Selection(
        [
            ("upload", "Upload a UBL file"),
            ("document_id", "Download by PSB document id"),
        ],
        default="upload",
        required=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    topic = fields.Selection(
        "_selection_topic",
        default="OrderReceived",
        required=True,
    )
    psb_document_id = fields.Char("PSB Document ID")
    file = fields.Binary("UBL File")
    filename = fields.Char()
    is_psb_manager = fields.Boolean(compute="_compute_is_psb_manager")

    @api.model
    def _selection_topic(self):
        """The topics of the buyer's documents (``econnect.psb.kind``): what can be
        imported by id."""
        handlers = self.env["econnect.psb.kind"]._psb_handlers()
        return [
            (topic, topic)
            for handler in handlers
            if handler._psb_ordering
            for topic in handler._psb_topics
        ]

    def _import_by_id(self, Document):
        """The document the PSB holds under the id given (a PSB administrator's),
        processed at once."""
        if not self.env.user.has_group("sale_econnect_psb.group_psb_manager"):
            raise AccessError(
                self.env._("Only PSB administrators can import documents by id.")
            )
        document_id = (self.psb_document_id or "").strip()
        if not document_id or document_id in psb_event.DOT_SEGMENTS:
            raise UserError(self.env._("Enter the PSB document id."))
        if len(document_id) > psb_event.MAX_ID_LENGTH:
            raise UserError(
                self.env._(
                    "A PSB document id has at most %s characters.",
                    psb_event.MAX_ID_LENGTH,
                )
            )
        existing = Document.search(
            [
                ("company_id", "=", self.company_id.id),
                ("topic", "=", self.topic),
                ("psb_document_id", "=", document_id),
            ],
            limit=1,
        )
        document = existing or Document.create(
            {
                "company_id": self.company_id.id,
                "topic": self.topic,
                "document_type": self.env["econnect.psb.kind"]._psb_kind_of_topic(
                    self.topic
                ),
                "psb_document_id": document_id,
                "source": "manual",
            }
        )
        if document.state in ("received", "downloaded", "error"):
            document.action_process_now()
        return document

    @api.depends_context("uid")
    def _compute_is_psb_manager(self):
        for wizard in self:
            wizard.is_psb_manager = self.env.user.has_group(
                "sale_econnect_psb.group_psb_manager"
            )

    def action_import(self):
        self.ensure_one()
        # Only a sales user, only into one of the user's companies (the field's domain
        # is only a hint).
        self.env["econnect.psb.document"]._psb_check_upload(self.company_id)
        Document = self.env["econnect.psb.document"].sudo()
        if self.mode == "document_id":
            document = self._import_by_id(Document)
        else:
            if not self.file:
                raise UserError(self.env._("Choose a UBL XML file."))
            document = Document._create_from_upload(
                self.company_id, base64.b64decode(self.file), self.filename
            )
        if (
            self.mode == "upload"
            and document.sale_order_id
            and document.state in ("imported", "duplicate")
        ):
            # What the person wanted: the quotation (the document is one click away,
            # Peppol tab).
            return {
                "type": "ir.actions.act_window",
                "res_model": "sale.order",
                "res_id": document.sale_order_id.id,
                "view_mode": "form",
                "target": "current",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "econnect.psb.document",
            "res_id": document.id,
            "view_mode": "form",
            "target": "current",
        }
