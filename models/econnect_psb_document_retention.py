# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retention at the PSB (issue 12): until when the PSB keeps a received document
(``psb/lifecycle.py``), the alert to the PSB administrators a day before it deletes one
still not downloaded, and the deletion at the PSB by hand. The document retries until
``psb_keep_until`` (its ``_queue_deadline``) and calls :meth:`_psb_alert_expiring` after
each run of its queue; this mixin alone writes ``psb_deleted_on`` and
``psb_expiry_alerted``."""

import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..psb import exceptions as psb_errors
from ..psb import lifecycle
from .dialog import psb_user_error
from .res_company import PSB_GROUP


class EconnectPsbDocumentRetention(models.AbstractModel):
    _name = "econnect.psb.document.retention"
    _description = "eConnect PSB document: retention at the PSB"

    psb_created_on = fields.Datetime(
        "Received by the PSB",
        compute="_compute_psb_created_on",
        store=True,
        readonly=True,
        help="The event's createdOn: the PSB's retention counts from it.",
    )
    psb_keep_until = fields.Datetime(
        "PSB Keeps Its Copy Until",
        compute="_compute_psb_keep_until",
        store=True,
        readonly=True,
        index=True,
        help="90 days after the PSB received it, 7 days after the first download, "
        "whichever comes first. "
        "Do not rely on the PSB's copy after that: the original XML is kept here.",
    )
    psb_deleted_on = fields.Datetime("Deleted at the PSB", readonly=True, copy=False)
    psb_expiry_alerted = fields.Boolean(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # When the PSB received the document, and until when it keeps it
    # ------------------------------------------------------------------
    @api.depends("payload")
    def _compute_psb_created_on(self):
        for doc in self:
            try:
                event = json.loads(doc.payload or "{}")
            except ValueError:
                event = {}
            doc.psb_created_on = lifecycle.parse_created_on(
                event.get("createdOn") if isinstance(event, dict) else None
            )

    @api.depends("psb_created_on", "received_on", "downloaded_on", "source")
    def _compute_psb_keep_until(self):
        for doc in self:
            received = doc.psb_created_on or doc.received_on
            if doc.source == "upload" or not received:
                doc.psb_keep_until = False
            else:
                doc.psb_keep_until = lifecycle.retention_deadline(
                    received, doc.downloaded_on
                )

    # ------------------------------------------------------------------
    # The alert a day before the PSB's deadline (the document retries until it:
    # _queue_deadline)
    # ------------------------------------------------------------------
    @api.model
    def _psb_alert_expiring(self, now=None):
        """An activity for the PSB administrators of the company on every document the
        PSB will delete within a day and that is still not downloaded (once per
        document)."""
        now = now or fields.Datetime.now()
        docs = self.sudo().search(
            [
                ("state", "in", ("received", "error")),
                ("attachment_id", "=", False),
                (
                    "document_type",
                    "in",
                    self.env["econnect.psb.kind"]._psb_kinds("_psb_download_family"),
                ),
                ("psb_expiry_alerted", "=", False),
                ("psb_deleted_on", "=", False),
                ("psb_keep_until", "!=", False),
                ("psb_keep_until", "<=", now + lifecycle.ALERT_BEFORE),
            ]
        )
        if not docs:
            return docs
        admins = (
            self.env.ref(PSB_GROUP)
            .sudo()
            .all_user_ids.filtered(lambda u: not u.share and u.active)
        )
        for doc in docs:
            for user in admins.filtered(
                lambda u, d=doc: d.company_id in u.company_ids
            ) - self.env.ref("base.user_root"):
                doc.with_context(mail_activity_quick_update=True).activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    date_deadline=doc.psb_keep_until.date(),
                    summary=self.env._("PSB deletes %s soon", doc.display_name),
                    note=self.env._(
                        "PSB document %(id)s is still not downloaded, and the PSB "
                        "deletes it at %(deadline)s. Check "
                        "the PSB connection and press Retry, or ask the buyer to send "
                        "it again. Last message: "
                        "%(msg)s",
                        id=doc.psb_document_id,
                        deadline=doc.psb_keep_until,
                        msg=doc.error_message or "-",
                    ),
                )
        docs.psb_expiry_alerted = True
        return docs

    # ------------------------------------------------------------------
    # Delete at the PSB by hand
    # ------------------------------------------------------------------
    def action_psb_delete_at_psb(self):
        if not self.env.user.has_group(PSB_GROUP):
            raise UserError(
                self.env._("Only a PSB administrator may delete documents at the PSB.")
            )
        for doc in self:
            if not doc.attachment_id:
                raise UserError(
                    self.env._(
                        "%s is not kept in Odoo yet: deleting it at the PSB would "
                        "lose it.",
                        doc.display_name,
                    )
                )
            company = doc.company_id.sudo()
            try:
                company._psb_client().delete_sales_order(
                    company.psb_party_id, doc.psb_document_id
                )
                body = self.env._("Deleted at the PSB by %s.", self.env.user.name)
            except psb_errors.PsbNotFoundError:
                body = self.env._(
                    "The PSB no longer had this document (404): it was already deleted."
                )
            except psb_errors.PsbError as exc:
                raise psb_user_error(
                    self.env, exc, self.env._("The PSB did not delete the document: %s")
                ) from exc
            doc.sudo().psb_deleted_on = fields.Datetime.now()
            doc.message_post(body=body)
        return True
