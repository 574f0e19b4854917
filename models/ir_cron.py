# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from odoo import api, fields, models

#: The wake-ups asked for in the current transaction of a batched run (in the cursor's
#: post-commit data: a savepoint rolled back keeps them, a rollback of the whole
#: transaction drops them with the work that asked).
ASKED = "sale_econnect_psb.wake_ups"


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _psb_trigger(self, xmlid, at=None):
        """Wake up the scheduled action ``xmlid`` now (or at ``at``).

        Within a run of the queue (``_psb_batched_triggers``), a wake-up without a time
        is only noted: the queue sends it after the records that asked for it were
        committed, once per action and batch.

        When a run is already due, the cron workers were woken for it: this call adds
        its trigger row but not Odoo's NOTIFY, which opens a new connection to
        PostgreSQL and would otherwise be sent for every webhook delivery and every
        queued answer. The row still matters: a run going on right now deletes, when it
        ends, only the triggers that were due when it started, so this one makes the
        action run again (at the workers' next poll, within a minute) for whatever was
        committed after that run's last search, instead of at its next interval.
        """
        asked = self.env.cr.postcommit.data.get(ASKED)
        if asked is not None and at is None:
            asked.add(xmlid)
            return
        # _xmlid_to_res_id is cached; env.ref() would also check that the row exists (a
        # query).
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid)
        if not cron_id:
            return
        if at is None:
            now = fields.Datetime.now()
            Trigger = self.env["ir.cron.trigger"].sudo()
            if Trigger.search_count(
                [("cron_id", "=", cron_id), ("call_at", "<=", now)], limit=1
            ):
                Trigger.create({"cron_id": cron_id, "call_at": now})
                return
        self.sudo().browse(cron_id)._trigger(at)

    @api.model
    @contextlib.contextmanager
    def _psb_batched_triggers(self):
        """Within the block (a run of the queue), the wake-ups asked for without a time
        are noted; the block yields the run's set, into which the queue moves them at
        each commit (``_psb_asked_triggers``) and which it sends after each batch
        (``_psb_send_triggers``): one per action and batch instead of one per record,
        and none lost when a record's work is rolled back or another is committed.
        Nested blocks share the outer one."""
        data = self.env.cr.postcommit.data
        if ASKED in data:
            yield set()
            return
        data[ASKED] = set()
        try:
            yield set()
        finally:
            data.pop(ASKED, None)

    @api.model
    def _psb_asked_triggers(self):
        """The wake-ups asked for in this transaction so far (taken: the next ones start
        afresh)."""
        data = self.env.cr.postcommit.data
        if ASKED not in data:
            return set()
        asked, data[ASKED] = data[ASKED], set()
        return asked

    @api.model
    @contextlib.contextmanager
    def _psb_keeping_triggers(self):
        """Around a commit within a batched run: the run goes on noting wake-ups
        afterwards (a commit clears the cursor's post-commit data)."""
        batched = ASKED in self.env.cr.postcommit.data
        try:
            yield
        finally:
            if batched:
                self.env.cr.postcommit.data.setdefault(ASKED, set())

    @api.model
    def _psb_send_triggers(self, wake_ups):
        """Send the wake-ups of ``wake_ups`` and those asked for in this transaction,
        once each (in this transaction: committed with the batch's progress, Odoo's
        NOTIFY after that commit)."""
        xmlids = wake_ups | self._psb_asked_triggers()
        wake_ups.clear()
        data = self.env.cr.postcommit.data
        batched = data.pop(ASKED, None)
        try:
            for xmlid in sorted(xmlids):
                self._psb_trigger(xmlid)
        finally:
            if batched is not None:
                data[ASKED] = batched
