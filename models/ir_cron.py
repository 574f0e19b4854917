# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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
