# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from odoo import api, fields, models

PENDING = "sale_econnect_psb.pending_triggers"


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _psb_trigger(self, xmlid, at=None):
        """Wake up the scheduled action ``xmlid`` now (or at ``at``).

        When a run is already due, the cron workers were woken for it: this call adds its trigger
        row but not Odoo's NOTIFY, which opens a new connection to PostgreSQL and would otherwise be
        sent for every webhook delivery and every queued answer. The row still matters: a run going
        on right now deletes, when it ends, only the triggers that were due when it started, so this
        one makes the action run again (at the workers' next poll, within a minute) for whatever was
        committed after that run's last search, instead of at its next interval.
        """
        pending = self.env.cr.cache.get(PENDING)
        if pending is not None and at is None:
            pending.add(xmlid)
            return
        # _xmlid_to_res_id is cached; env.ref() would also check that the row exists (a query).
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid)
        if not cron_id:
            return
        if at is None:
            now = fields.Datetime.now()
            Trigger = self.env["ir.cron.trigger"].sudo()
            if Trigger.search_count([("cron_id", "=", cron_id), ("call_at", "<=", now)], limit=1):
                Trigger.create({"cron_id": cron_id, "call_at": now})
                return
        self.sudo().browse(cron_id)._trigger(at)

    @api.model
    @contextlib.contextmanager
    def _psb_batched_triggers(self):
        """Within the block (a scheduled action working through a backlog), the wake-ups asked for
        without a time are collected and sent once each by ``_psb_send_triggers``, which the loop calls
        before each commit of its progress, and at the end: one per action and batch instead of one
        per document. Nested blocks share the outer one."""
        if PENDING in self.env.cr.cache:
            yield
            return
        self.env.cr.cache[PENDING] = set()
        try:
            yield
            self._psb_send_triggers()
        finally:
            self.env.cr.cache.pop(PENDING, None)

    @api.model
    def _psb_send_triggers(self):
        if PENDING not in self.env.cr.cache:
            return
        pending = self.env.cr.cache.pop(PENDING)
        try:
            for xmlid in sorted(pending):
                self._psb_trigger(xmlid)
        finally:
            self.env.cr.cache[PENDING] = set()
