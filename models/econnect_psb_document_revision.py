# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A revised order (issue 12): the same buyer and order id with other content
(``psb/order_diff.py``) goes to a person, who treats it as a new order, applies it to
the quotation or ignores it. The order's handler asks :meth:`_psb_revision_outcome`
before calling an order a duplicate; this mixin alone writes ``psb_revision_state``."""

import dataclasses

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..psb import order_diff
from ..psb.ubl.model import OrderLine
from .psb_outcome import Outcome

#: What became of a revised order: a person decides (pending), then one of the others.
REVISION_STATES = [
    ("pending", "Waiting for a decision"),
    ("new", "Imported as a new order"),
    ("applied", "Applied to the quotation"),
    ("ignored", "Ignored"),
]


def _show(value):
    """A value of a difference as a person reads it (``-`` for nothing, a tuple
    joined)."""
    if value is None or value == ():
        return "-"
    return " / ".join(map(str, value)) if isinstance(value, tuple) else str(value)


class EconnectPsbDocumentRevision(models.AbstractModel):
    _name = "econnect.psb.document.revision"
    _description = "eConnect PSB document: revised orders"

    psb_revision_state = fields.Selection(
        REVISION_STATES, "Revised Order", readonly=True, copy=False
    )
    psb_revision_summary = fields.Text("Differences", readonly=True, copy=False)
    psb_revision_note = fields.Char(
        "Decision Note",
        copy=False,
        help="Why this revised order is ignored (required to ignore it).",
    )

    # ------------------------------------------------------------------
    # Revised orders: same buyer and order id, other content
    # ------------------------------------------------------------------
    def _psb_revision_outcome(self, sale_order):
        """The outcome of an order already imported as ``sale_order`` when it is a
        revised order (held for a person, or a re-delivery of one already held), else
        None (a duplicate: same content)."""
        original = sale_order.psb_document_id
        if (
            self.document_type != "order"
            or not original.attachment_id
            or not self.attachment_id
        ):
            return None
        new = self._read_xml()
        old = original._read_xml()
        if order_diff.same_content(old, new):
            return None
        # A re-delivery of a revised order already held: a duplicate of that one.
        for earlier in sale_order.psb_document_ids.filtered(
            lambda d: d.psb_revision_state and d != self and d.attachment_id
        ):
            if order_diff.same_content(earlier._read_xml(), new):
                return dataclasses.replace(
                    self._mark_duplicate(sale_order), duplicate_of=earlier
                )
        return self._psb_hold_revision(sale_order, old, new)

    def _psb_hold_revision(self, sale_order, old, new):
        """The same buyer and order id with other content: a person decides (its
        outcome: pending)."""
        summary = self._psb_describe_revision(old, new)
        env = self.env
        self.write(
            {
                "psb_revision_state": "pending",
                "psb_revision_summary": "\n".join(summary),
            }
        )
        sale_order.psb_revision_document_id = self
        Importer = env["econnect.psb.order.import"]
        title = env._(
            "The buyer sent order %(ref)s again with other content (%(doc)s):",
            ref=new.id,
            doc=self.display_name,
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
                "Order %(ref)s of this buyer was already imported as %(so)s, but this "
                "one differs: choose Treat as "
                "a new order, Apply to the existing quotation or Ignore.",
                ref=new.id,
                so=sale_order.name,
            ),
            sale_order=sale_order,
            duplicate_of=sale_order.psb_document_id,
        )

    @api.model
    def _psb_describe_revision(self, old, new):
        """The differences, worded for a person, the revision the order declares
        first."""
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
        what = (
            env._("an Italian NSO revised order")
            if rev.nso
            else env._("a revised order")
        )
        parts = []
        if rev.refers_to:
            parts.append(
                env._("it refers to order %s (OrderDocumentReference)", rev.refers_to)
            )
        if rev.order_type_code:
            parts.append(env._("order type code %s", rev.order_type_code))
        return env._(
            "The buyer marks this as %(what)s: %(how)s.",
            what=what,
            how="; ".join(parts),
        )

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
        """One difference of ``psb/order_diff.py`` in words (``label``: what
        differs)."""
        env = self.env
        if diff.kind == "header_changed":
            return env._(
                "Order %(what)s: %(old)s → %(new)s",
                what=label,
                old=_show(diff.old),
                new=_show(diff.new),
            )
        if diff.kind in ("line_added", "line_removed"):
            added = diff.kind == "line_added"
            qty, unit, name = diff.new if added else diff.old
            text = (
                env._("Line %(id)s added: %(qty)s %(unit)s %(name)s")
                if added
                else env._("Line %(id)s removed: %(qty)s %(unit)s %(name)s")
            )
            return text % {
                "id": diff.line_id,
                "qty": _show(qty),
                "unit": unit or "",
                "name": name or "",
            }
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
            raise UserError(
                self.env._(
                    "%s is not a revised order waiting for a decision.",
                    self.display_name,
                )
            )

    def _psb_revision_to_decide(self):
        """This revised order, with the pipeline's rights, once the caller is found to
        be one of those asked to decide on it (``sale.order._psb_check_decider``: the
        order's salesperson, a sales manager, a PSB administrator of its company). The
        salesperson has no write access to documents: the decision (and its note) is
        written with the pipeline's rights."""
        self.ensure_one()
        document = self.sudo()
        document.sale_order_id.with_env(self.env)._psb_check_decider()
        document._psb_check_revision_pending()
        # a revised order waits on its order (_psb_hold_revision)
        document.sale_order_id.ensure_one()
        return document

    def _psb_write_revision_note(self, vals):
        """The decision note, which Ignore needs, written by whoever may decide (the
        document's ``write``)."""
        for doc in self:
            doc._psb_revision_to_decide()
        return self.sudo().write(vals)

    def _psb_close_revision(self, state, revision_state, message, sale_order=None):
        order = self.sale_order_id
        if order.psb_revision_document_id == self:
            order.psb_revision_document_id = False
        order._psb_close_activities("decide", self)
        self.psb_revision_state = revision_state
        self._apply_outcome(Outcome(state, message, sale_order=sale_order or None))

    def action_psb_revision_new_order(self):
        """Import the revised order as its own quotation; its customer reference is
        marked as reused."""
        document = self._psb_revision_to_decide()
        parsed = document._read_xml()
        first = document.sale_order_id
        Importer = (
            self.env["econnect.psb.order.import"]
            .sudo()
            .with_context(psb_order_ref_reused=True)
        )
        sale_order, _issues = Importer._import_order(document, parsed)
        sale_order.client_order_ref = self.env._(
            "%(ref)s (reused, also %(first)s)", ref=parsed.id, first=first.name
        )
        first.message_post(
            body=self.env._(
                "The buyer's other order %(ref)s was imported as %(so)s.",
                ref=parsed.id,
                so=sale_order._get_html_link(),
            )
        )
        document._psb_close_revision("imported", "new", False, sale_order)
        # The new quotation, for who may read it (a PSB administrator decides on orders
        # he may not read).
        return (
            self.action_open_sale_order()
            if sale_order.with_env(self.env).has_access("read")
            else True
        )

    def action_psb_revision_apply(self):
        """Apply the revised order to the existing quotation, line by line as an Order
        Change would."""
        document = self._psb_revision_to_decide()
        order = document.sale_order_id
        if order.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%s is no longer a quotation: a revised order can only be applied "
                    "to a quotation. Treat it as a new "
                    "order or ignore it.",
                    order.name,
                )
            )
        new = document._read_xml()
        old = order.psb_document_id._read_xml()
        lines = [
            dataclasses.replace(line, status_code=code)
            if line
            else OrderLine(line_id=line_id, status_code=code)
            for line_id, code, line in order_diff.as_line_changes(old, new)
        ]
        Change = self.env["econnect.psb.order.change"].sudo()
        log = Change._apply_change(
            order,
            dataclasses.replace(
                new, lines=lines, sequence_number=None, issue_date=None
            ),
        )
        order.message_post(
            body=Change._log_html(
                self.env._(
                    "The buyer's revised order %s was applied to the quotation.", new.id
                ),
                log,
            )
        )
        order.psb_document_id = document
        document._psb_close_revision("imported", "applied", False)
        return True

    def action_psb_revision_ignore(self):
        document = self._psb_revision_to_decide()
        if not (document.psb_revision_note or "").strip():
            raise UserError(
                self.env._(
                    "Write in Decision Note why this revised order is ignored, then "
                    "press Ignore."
                )
            )
        document.sale_order_id.message_post(
            body=self.env._(
                "The buyer's revised order %(doc)s was ignored: %(note)s",
                doc=document.display_name,
                note=document.psb_revision_note,
            )
        )
        document._psb_close_revision(
            "done", "ignored", self.env._("Ignored: %s", document.psb_revision_note)
        )
        return True
