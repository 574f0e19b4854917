# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Nothing lost, nothing silently dropped: the parts of a received document's life beyond "download and
import" (issue 12).

* Retention at the PSB and retries until the PSB's deadline (``psb/lifecycle.py``), with an alert to the
  PSB administrators a day before it; delete at the PSB by hand.
* The download format (*Download orders as*, ``targetDocumentTypeId``) and the size limits: a document is
  kept up to a large limit, imported up to a smaller one.
* A revised order (same buyer, same order id, other content, ``psb/order_diff.py``) goes to a person.
* The official Peppol rules (``psb/peppol_rules.py``) are checked after the import.
"""

import dataclasses
import json
import logging
import time
from pathlib import Path

from odoo import api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import config

from ..psb import exceptions as psb_errors
from ..psb import lifecycle, order_diff, peppol_rules
from ..psb.ubl.model import OrderLine, UblError, UnsupportedDocumentError
from .econnect_psb_document import Outcome
from .econnect_psb_queue_mixin import BATCH_SIZE
from .psb_messages import psb_error_text
from .res_company import PSB_GROUP

_logger = logging.getLogger(__name__)

#: System parameter: folder of the official Peppol artefacts (``xsd/``, ``schematron/``) for the rule checks;
#: ``off`` disables them. Default: ``$PEPPOL_SHARED_DIR``, else ``../shared/peppol`` beside the module.
RULES_DIR_PARAM = "sale_econnect_psb.peppol_rules_dir"


def memory_limits_block_rules(options=None):
    """Why Odoo's memory limits leave no room for the rule checks, or None. Both limits measure virtual memory,
    and saxonche reserves ``peppol_rules.SAXON_ADDRESS_SPACE`` of it: under ``limit_memory_hard`` it would end
    the process, past ``limit_memory_soft`` the server restarts (a worker is recycled) after each check."""
    options = config if options is None else options
    low = [
        f"{name} = {options[name] // 2**20} MB"
        for name in ("limit_memory_soft", "limit_memory_hard")
        if options.get(name) and options[name] < peppol_rules.SAXON_ADDRESS_SPACE
    ]
    if not low:
        return None
    return (
        f"Peppol rules not checked: Odoo's memory limits ({', '.join(low)}) count virtual memory, and the "
        f"Schematron processor reserves {peppol_rules.SAXON_ADDRESS_SPACE // 2**30} GB of it when it starts; "
        "run Odoo with limit_memory_soft = 0 and limit_memory_hard = 0 (or above that) to check them."
    )


MB = 1024 * 1024


def _in_test():
    """Running under Odoo's tests, which run no server loop (nothing restarts on the soft memory limit)."""
    return bool(modules.module.current_test) or config["test_enable"]


RULES_CRON = "sale_econnect_psb.ir_cron_psb_check_rules"


def _show(value):
    """A value of a difference as a person reads it (``-`` for nothing, a tuple joined)."""
    if value is None or value == ():
        return "-"
    return " / ".join(map(str, value)) if isinstance(value, tuple) else str(value)


class EconnectPsbDocument(models.Model):
    _name = "econnect.psb.document"
    _inherit = ["econnect.psb.document", "mail.thread", "mail.activity.mixin"]

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
        help="90 days after the PSB received it, 7 days after the first download, whichever comes first. "
        "Do not rely on the PSB's copy after that: the original XML is kept here.",
    )
    psb_deleted_on = fields.Datetime("Deleted at the PSB", readonly=True, copy=False)
    psb_expiry_alerted = fields.Boolean(readonly=True, copy=False)
    psb_rule_state = fields.Selection(
        [
            ("queued", "Waiting to be checked"),
            ("ok", "Follows the rules"),
            ("violations", "Breaks rules"),
            ("unavailable", "Not checked"),
        ],
        "Peppol Rules",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    psb_rule_violations = fields.Text("Rule Violations", readonly=True, copy=False)
    psb_rule_violation_count = fields.Integer("Rule Violations (count)", readonly=True, copy=False)
    psb_revision_state = fields.Selection(
        [
            ("pending", "Waiting for a decision"),
            ("new", "Imported as a new order"),
            ("applied", "Applied to the quotation"),
            ("ignored", "Ignored"),
        ],
        "Revised Order",
        readonly=True,
        copy=False,
    )
    psb_revision_summary = fields.Text("Differences", readonly=True, copy=False)
    psb_revision_note = fields.Char(
        "Decision Note", copy=False, help="Why this revised order is ignored (required to ignore it)."
    )

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
            doc.psb_created_on = lifecycle.parse_created_on(event.get("createdOn") if isinstance(event, dict) else None)

    @api.depends("psb_created_on", "received_on", "downloaded_on", "source")
    def _compute_psb_keep_until(self):
        for doc in self:
            received = doc.psb_created_on or doc.received_on
            if doc.source == "upload" or not received:
                doc.psb_keep_until = False
            else:
                doc.psb_keep_until = lifecycle.retention_deadline(received, doc.downloaded_on)

    # ------------------------------------------------------------------
    # Retries until the PSB's deadline (the queue's _queue_deadline), and the alert a day before
    # ------------------------------------------------------------------
    def _queue_deadline(self):
        """A document is retried for as long as the PSB keeps it."""
        return self.psb_keep_until

    @api.model
    def _cron_process_documents(self, batch_size=None):
        result = super()._cron_process_documents(**({"batch_size": batch_size} if batch_size else {}))
        self._psb_alert_expiring()
        return result

    @api.model
    def _psb_alert_expiring(self, now=None):
        """An activity for the PSB administrators of the company on every document the PSB will delete
        within a day and that is still not downloaded (once per document)."""
        now = now or fields.Datetime.now()
        docs = self.sudo().search(
            [
                ("state", "in", ("received", "error")),
                ("attachment_id", "=", False),
                ("document_type", "not in", ("response_status", "invoice_status")),
                ("psb_expiry_alerted", "=", False),
                ("psb_deleted_on", "=", False),
                ("psb_keep_until", "!=", False),
                ("psb_keep_until", "<=", now + lifecycle.ALERT_BEFORE),
            ]
        )
        if not docs:
            return docs
        admins = self.env.ref(PSB_GROUP).sudo().all_user_ids.filtered(lambda u: not u.share and u.active)
        for doc in docs:
            for user in admins.filtered(lambda u, d=doc: d.company_id in u.company_ids) - self.env.ref(
                "base.user_root"
            ):
                doc.with_context(mail_activity_quick_update=True).activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    date_deadline=doc.psb_keep_until.date(),
                    summary=self.env._("PSB deletes %s soon", doc.display_name),
                    note=self.env._(
                        "PSB document %(id)s is still not downloaded, and the PSB deletes it at %(deadline)s. Check "
                        "the PSB connection and press Retry, or ask the buyer to send it again. Last message: "
                        "%(msg)s",
                        id=doc.psb_document_id,
                        deadline=doc.psb_keep_until,
                        msg=doc.error_message or "-",
                    ),
                )
        docs.psb_expiry_alerted = True
        return docs

    # ------------------------------------------------------------------
    # Download: format and size
    # ------------------------------------------------------------------
    def _client(self, clients):
        client = super()._client(clients)
        client.max_download_bytes = max(1, self.company_id.sudo().psb_keep_max_mb or 0) * MB
        return client

    def _download(self, clients):
        company = self.company_id.sudo()
        try:
            return super()._download(clients)
        except psb_errors.PsbRequestError as exc:
            if exc.code == "too_large":
                raise psb_errors.PsbRequestError(
                    self.env._(
                        '%(error)s Nothing was kept. A PSB administrator can raise "Keep documents up to (MB)" '
                        "(now %(mb)s MB) in Settings and press Retry; the PSB keeps the document until %(deadline)s.",
                        error=psb_error_text(self.env, exc),
                        mb=company.psb_keep_max_mb,
                        deadline=self.psb_keep_until or "-",
                    )
                ) from exc
            if company.psb_download_as and exc.status in (400, 406, 415, 422):
                raise psb_errors.PsbRequestError(
                    self.env._(
                        'The PSB cannot deliver this document as %(target)s (the setting "Download orders as"): '
                        "%(error)s Clear the setting to download it as sent, then press Retry.",
                        target=company.psb_download_as,
                        error=psb_error_text(self.env, exc),
                    ),
                    status=exc.status,
                ) from exc
            raise

    def _read_xml(self, max_bytes=None):
        limit = max(1, self.company_id.sudo().psb_import_max_mb or 0) * MB
        size = self.attachment_id.sudo().file_size
        if size > limit:
            raise UblError(
                self.env._(
                    "The document is %(size).1f MB, more than the import limit of %(mb)s MB; it is kept here (Original "
                    'XML) but was not imported. A PSB administrator can raise "Import documents up to (MB)" in '
                    "Settings and press Retry.",
                    size=size / MB,
                    mb=limit // MB,
                )
            )
        return super()._read_xml(min(limit, max_bytes or limit))

    def _import(self):
        try:
            outcome = super()._import()
        except UnsupportedDocumentError as exc:
            target = self.company_id.sudo().psb_download_as
            if not target or self.source != "webhook":
                raise
            raise UnsupportedDocumentError(
                self.env._(
                    'The PSB converted the document to %(target)s (the setting "Download orders as"), which is not a '
                    "Peppol BIS 3 Order, Order Change or Order Cancellation: %(error)s Clear the setting and press "
                    "Retry to download it as sent.",
                    target=target,
                    error=psb_error_text(self.env, exc),
                )
            ) from exc
        if self.document_type in ("order", "order_change", "order_cancellation") and self.attachment_id:
            # Checked by its own scheduled action, after the import is committed: a 1,000-line order takes
            # seconds to check, which neither the import nor the way from webhook to quotation waits for.
            self.psb_rule_state = "queued"
            self.env["ir.cron"]._psb_trigger(RULES_CRON)
        return outcome

    def action_process_now(self):
        result = super().action_process_now()
        # A person is waiting for these (Retry, import wizard): check them at once.
        # The pipeline writes the outcome (the caller was checked by super()).
        self.sudo().filtered(lambda d: d.psb_rule_state == "queued")._psb_check_rules()
        return result

    @api.model
    def _cron_check_rules(self, batch_size=20):
        """Check the documents waiting for the rule checks, committing after each.

        The checks never hold up an import: while the import has a backlog (more than a batch of
        documents due), this action stops after its batch; the import's action wakes it again when
        its run ends. Once the job's time is up it hands back at once (``_queue_out_of_time``): a large
        document takes seconds, and a worker's CPU limit covers every job it runs in a row."""
        queued = [("psb_rule_state", "=", "queued")]
        while True:
            if self._queue_out_of_time():
                self._queue_hand_back(self.sudo().search_count(queued))
                return
            docs = self.sudo().search(queued, order="id", limit=batch_size)
            if not docs or self._psb_import_backlog():
                return
            checked = 0
            for doc in docs:
                doc._psb_check_rules()
                checked += 1
                if self._queue_out_of_time():
                    break
            if self._queue_commit_progress(checked) <= 0:
                return

    @api.model
    def _psb_import_backlog(self):
        """More than a batch of documents waits for the import (the rule checks wait for it)."""
        return self.sudo().search_count(self._queue_due_domain(), limit=BATCH_SIZE + 1) > BATCH_SIZE

    # ------------------------------------------------------------------
    # Inbound Peppol rules
    # ------------------------------------------------------------------
    @api.model
    def _psb_rules_validator(self):
        """The shared validator of the official rules, or None when they are not available (or switched off)."""
        configured = (self.env["ir.config_parameter"].sudo().get_param(RULES_DIR_PARAM) or "").strip()
        if configured.lower() in ("off", "0", "false", "none"):
            return None
        path = Path(configured) if configured else peppol_rules.candidate_peppol_dir()
        if not ((path / "xsd").is_dir() and (path / "schematron").is_dir()):
            return None
        # The tests run no server loop (nothing restarts on the soft limit); the hard one psb checks itself.
        if not _in_test() and (blocked := memory_limits_block_rules()):
            _logger.warning(blocked)
            return None
        return peppol_rules.shared_validator(path)

    def _psb_check_rules(self):
        """Check the documents against the official rules; never fails anything. Fatal violations are shown
        on the document and on the quotation."""
        for doc in self:
            doc._psb_check_rules_one()

    def _psb_check_rules_one(self):
        started = time.perf_counter()
        try:
            validator = self._psb_rules_validator()
            result = (
                validator.validate(self.attachment_id.sudo().with_context(bin_size=False).raw) if validator else None
            )
        except Exception as exc:  # noqa: BLE001 - a rule check must never block an order
            _logger.warning("PSB document %s: Peppol rules not checked: %s", self.psb_document_id, exc)
            result = None
        if result is None:
            self.write({"psb_rule_state": "unavailable", "psb_rule_violations": False, "psb_rule_violation_count": 0})
            return
        problems = [self.env._("XSD: %s", error) for error in result.xsd_errors]
        problems += [f"{rule}: {text}" for rule, text in result.fatal]
        _logger.info(
            "PSB document %s: Peppol rules checked in %.3f s", self.psb_document_id, time.perf_counter() - started
        )
        self.write(
            {
                "psb_rule_state": "violations" if problems else "ok",
                "psb_rule_violations": "\n".join(problems) or False,
                "psb_rule_violation_count": len(problems),
            }
        )
        order = self.sale_order_id
        if problems and order and order.psb_document_id == self:
            order.psb_rule_violations = "\n".join(
                self.env._("The buyer's order breaks rule %s", problem) for problem in problems
            )

    # ------------------------------------------------------------------
    # Revised orders: same buyer and order id, other content
    # ------------------------------------------------------------------
    def _mark_duplicate(self, sale_order):
        original = sale_order.psb_document_id
        if self.document_type != "order" or not original.attachment_id or not self.attachment_id:
            return super()._mark_duplicate(sale_order)
        new = self._read_xml()
        old = original._read_xml()
        if order_diff.same_content(old, new):
            return super()._mark_duplicate(sale_order)
        # A re-delivery of a revised order already held: a duplicate of that one.
        for earlier in sale_order.psb_document_ids.filtered(
            lambda d: d.psb_revision_state and d != self and d.attachment_id
        ):
            if order_diff.same_content(earlier._read_xml(), new):
                return dataclasses.replace(super()._mark_duplicate(sale_order), duplicate_of=earlier)
        return self._psb_hold_revision(sale_order, old, new)

    def _psb_hold_revision(self, sale_order, old, new):
        """The same buyer and order id with other content: a person decides (its outcome: pending)."""
        summary = self._psb_describe_revision(old, new)
        env = self.env
        self.write({"psb_revision_state": "pending", "psb_revision_summary": "\n".join(summary)})
        sale_order.psb_revision_document_id = self
        Importer = env["econnect.psb.order.import"]
        title = env._(
            "The buyer sent order %(ref)s again with other content (%(doc)s):", ref=new.id, doc=self.display_name
        )
        sale_order.message_post(body=Importer._issues_html(title, summary))
        sale_order._psb_activity(
            "decide",
            summary=env._("Revised Peppol order %s", new.id),
            note=Importer._issues_html(title, summary),
            user=sale_order.user_id or env.user,
            document=self,
        )
        return Outcome(
            "pending",
            env._(
                "Order %(ref)s of this buyer was already imported as %(so)s, but this one differs: choose Treat as "
                "a new order, Apply to the existing quotation or Ignore.",
                ref=new.id,
                so=sale_order.name,
            ),
            sale_order=sale_order,
            duplicate_of=sale_order.psb_document_id,
        )

    @api.model
    def _psb_describe_revision(self, old, new):
        """The differences, worded for a person, the revision the order declares first."""
        rev = order_diff.revision(new)
        lines = [self._psb_declared_revision(rev)] if rev else []
        labels = self._psb_revision_labels()
        return lines + [
            self._psb_describe_difference(diff, labels.get(diff.field, diff.field))
            for diff in order_diff.differences(old, new)
        ]

    @api.model
    def _psb_declared_revision(self, rev):
        env = self.env
        what = env._("an Italian NSO revised order") if rev.nso else env._("a revised order")
        parts = []
        if rev.refers_to:
            parts.append(env._("it refers to order %s (OrderDocumentReference)", rev.refers_to))
        if rev.order_type_code:
            parts.append(env._("order type code %s", rev.order_type_code))
        return env._("The buyer marks this as %(what)s: %(how)s.", what=what, how="; ".join(parts))

    @api.model
    def _psb_revision_labels(self):
        env = self.env
        return {
            "issue_date": env._("issue date"),
            "issue_time": env._("issue time"),
            "order_type_code": env._("order type"),
            "currency": env._("currency"),
            "customer_reference": env._("buyer's reference"),
            "requested_start": env._("requested delivery from"),
            "requested_end": env._("requested delivery until"),
            "line_extension_amount": env._("lines total"),
            "tax_amount": env._("tax"),
            "tax_exclusive_amount": env._("total without tax"),
            "tax_inclusive_amount": env._("total with tax"),
            "allowance_total": env._("allowances"),
            "charge_total": env._("charges"),
            "payable_amount": env._("amount due"),
            "notes": env._("note"),
            "quantity": env._("quantity"),
            "unit_code": env._("unit"),
            "unit_price": env._("unit price"),
            "line_amount": env._("line amount"),
            "name": env._("item"),
            "sellers_item_id": env._("our item id"),
            "buyers_item_id": env._("their item id"),
            "standard_item_id": env._("GTIN"),
            "note": env._("note"),
            "other": env._("other details"),
        }

    @api.model
    def _psb_describe_difference(self, diff, label):
        """One difference of ``psb/order_diff.py`` in words (``label``: what differs)."""
        env = self.env
        if diff.kind == "header_changed":
            return env._("Order %(what)s: %(old)s → %(new)s", what=label, old=_show(diff.old), new=_show(diff.new))
        if diff.kind == "line_added":
            qty, unit, name = diff.new
            return env._(
                "Line %(id)s added: %(qty)s %(unit)s %(name)s",
                id=diff.line_id,
                qty=_show(qty),
                unit=unit or "",
                name=name or "",
            )
        if diff.kind == "line_removed":
            qty, unit, name = diff.old
            return env._(
                "Line %(id)s removed: %(qty)s %(unit)s %(name)s",
                id=diff.line_id,
                qty=_show(qty),
                unit=unit or "",
                name=name or "",
            )
        if diff.kind == "line_changed" and diff.field == "other":
            return env._("Line %s: other details changed", diff.line_id)
        if diff.kind == "line_changed":
            return env._(
                "Line %(id)s: %(what)s %(old)s → %(new)s",
                id=diff.line_id,
                what=label,
                old=_show(diff.old),
                new=_show(diff.new),
            )
        return env._("Other content differs (%s)", diff.field)

    def _psb_check_revision_pending(self):
        self.ensure_one()
        if self.psb_revision_state != "pending" or self.state != "pending":
            raise UserError(self.env._("%s is not a revised order waiting for a decision.", self.display_name))

    def _psb_revision_to_decide(self):
        """This revised order, with the pipeline's rights, once the caller is found to be one of those asked to
        decide on it (``sale.order._psb_check_decider``: the order's salesperson, a sales manager, a PSB
        administrator of its company). The salesperson has no write access to documents: the decision
        (and its note) is written with the pipeline's rights."""
        self.ensure_one()
        document = self.sudo()
        document.sale_order_id.with_env(self.env)._psb_check_decider()
        document._psb_check_revision_pending()
        document.sale_order_id.ensure_one()  # a revised order waits on its order (_psb_hold_revision)
        return document

    def write(self, vals):
        if set(vals) == {"psb_revision_note"} and not self.env.su:
            # The decision note, which Ignore needs, written by whoever may decide.
            for doc in self:
                doc._psb_revision_to_decide()
            return super(EconnectPsbDocument, self.sudo()).write(vals)
        return super().write(vals)

    def _psb_close_revision(self, state, revision_state, message, sale_order=None):
        order = self.sale_order_id
        if order.psb_revision_document_id == self:
            order.psb_revision_document_id = False
        order._psb_close_activities("decide", self)
        self.psb_revision_state = revision_state
        self._apply_outcome(Outcome(state, message, sale_order=sale_order or None))

    def action_psb_revision_new_order(self):
        """Import the revised order as its own quotation; its customer reference is marked as reused."""
        document = self._psb_revision_to_decide()
        parsed = document._read_xml()
        first = document.sale_order_id
        Importer = self.env["econnect.psb.order.import"].sudo().with_context(psb_order_ref_reused=True)
        sale_order, _issues = Importer._import_order(document, parsed)
        sale_order.client_order_ref = self.env._("%(ref)s (reused, also %(first)s)", ref=parsed.id, first=first.name)
        first.message_post(
            body=self.env._(
                "The buyer's other order %(ref)s was imported as %(so)s.", ref=parsed.id, so=sale_order._get_html_link()
            )
        )
        document._psb_close_revision("imported", "new", False, sale_order)
        # The new quotation, for who may read it (a PSB administrator decides on orders he may not read).
        return self.action_open_sale_order() if sale_order.with_env(self.env).has_access("read") else True

    def action_psb_revision_apply(self):
        """Apply the revised order to the existing quotation, line by line as an Order Change would."""
        document = self._psb_revision_to_decide()
        order = document.sale_order_id
        if order.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%s is no longer a quotation: a revised order can only be applied to a quotation. Treat it as a new "  # noqa: E501 - a translated text, kept whole
                    "order or ignore it.",
                    order.name,
                )
            )
        new = document._read_xml()
        old = order.psb_document_id._read_xml()
        lines = [
            dataclasses.replace(line, status_code=code) if line else OrderLine(line_id=line_id, status_code=code)
            for line_id, code, line in order_diff.as_line_changes(old, new)
        ]
        Change = self.env["econnect.psb.order.change"].sudo()
        log = Change._apply_change(order, dataclasses.replace(new, lines=lines, sequence_number=None, issue_date=None))
        order.message_post(
            body=Change._log_html(self.env._("The buyer's revised order %s was applied to the quotation.", new.id), log)
        )
        order.psb_document_id = document
        document._psb_close_revision("imported", "applied", False)
        return True

    def action_psb_revision_ignore(self):
        document = self._psb_revision_to_decide()
        if not (document.psb_revision_note or "").strip():
            raise UserError(self.env._("Write in Decision Note why this revised order is ignored, then press Ignore."))
        document.sale_order_id.message_post(
            body=self.env._(
                "The buyer's revised order %(doc)s was ignored: %(note)s",
                doc=document.display_name,
                note=document.psb_revision_note,
            )
        )
        document._psb_close_revision("done", "ignored", self.env._("Ignored: %s", document.psb_revision_note))
        return True

    # ------------------------------------------------------------------
    # Delete at the PSB by hand
    # ------------------------------------------------------------------
    def action_psb_delete_at_psb(self):
        if not self.env.user.has_group(PSB_GROUP):
            raise UserError(self.env._("Only a PSB administrator may delete documents at the PSB."))
        for doc in self:
            if not doc.attachment_id:
                raise UserError(
                    self.env._("%s is not kept in Odoo yet: deleting it at the PSB would lose it.", doc.display_name)
                )
            company = doc.company_id.sudo()
            try:
                company._psb_client().delete_sales_order(company.psb_party_id, doc.psb_document_id)
                body = self.env._("Deleted at the PSB by %s.", self.env.user.name)
            except psb_errors.PsbNotFoundError:
                body = self.env._("The PSB no longer had this document (404): it was already deleted.")
            except psb_errors.PsbError as exc:
                raise UserError(
                    self.env._("The PSB did not delete the document: %s", psb_error_text(self.env, exc))
                ) from exc
            doc.sudo().psb_deleted_on = fields.Datetime.now()
            doc.message_post(body=body)
        return True
