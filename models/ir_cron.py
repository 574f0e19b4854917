# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _psb_trigger(self, xmlid, at=None):
        """Wake up the scheduled action ``xmlid`` now (or at ``at``).

        A run that is already due will see whatever this call was made for: then nothing is added.
        That keeps the hot paths (each webhook delivery, each queued answer) from inserting a trigger
        and sending Odoo's NOTIFY, which opens a new connection to PostgreSQL, every time.
        """
        # _xmlid_to_res_id is cached; env.ref() would also check that the row exists (a query).
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid)
        if not cron_id:
            return
        if at is None and self.env["ir.cron.trigger"].sudo().search_count(
                [("cron_id", "=", cron_id), ("call_at", "<=", fields.Datetime.now())], limit=1):
            return
        self.sudo().browse(cron_id)._trigger(at)
