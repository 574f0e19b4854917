# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One queue-and-retry mechanism for what the addon exchanges with the PSB: the incoming documents
(``econnect.psb.document``) and the outgoing answers (``econnect.psb.response``).

A model that uses the mixin says which of its records wait for their turn (``_queue_waiting_domain``),
how one is processed (``_queue_process_one``), how its scheduled action is woken (``_queue_trigger``),
until when a transient failure is worth retrying (``_queue_deadline``) and what a person reads while it
is retried or once it is given up (``_queue_retry_message``, ``_queue_give_up``). The loop, the row
locks and the back-off (``psb/lifecycle.py``) are the mixin's.
"""

import time

import psycopg2

from odoo import api, fields, models, modules
from odoo.tools import config, mute_logger

from ..psb import lifecycle

BATCH_SIZE = 20


def _in_test():
    """Running under Odoo's tests: nothing is committed (each test's changes are rolled back)."""
    return bool(modules.module.current_test) or config["test_enable"]


class EconnectPsbQueueMixin(models.AbstractModel):
    _name = "econnect.psb.queue.mixin"
    _description = "eConnect PSB: processing queue with retries"

    #: Commit after each record the loop processed (the answers: one send, one commit). A model that
    #: commits per step of its own processing (the documents) leaves it off.
    _queue_commit_each = False

    attempt_count = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, index="btree_not_null")
    error_message = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Hooks of the model that uses the queue
    # ------------------------------------------------------------------
    @api.model
    def _queue_waiting_domain(self):
        """The records that wait for their turn, due now or later."""
        raise NotImplementedError

    @api.model
    def _queue_due_domain(self):
        """The records due now: waiting, and without a next attempt in the future."""
        return self._queue_waiting_domain() + [
            "|",
            ("next_attempt_at", "=", False),
            ("next_attempt_at", "<=", fields.Datetime.now()),
        ]

    def _queue_ready(self):
        """This record, locked and read again, is still due (another worker did not handle it meanwhile)."""
        self.ensure_one()
        return bool(self.filtered_domain(self._queue_due_domain()))

    def _queue_process_one(self, clients):
        """Process this (locked) record; ``clients`` caches one PSB client per company for the run."""
        raise NotImplementedError

    @api.model
    def _queue_trigger(self, at=None):
        """Wake the model's scheduled action now, or at ``at``."""
        raise NotImplementedError

    @api.model
    def _queue_backlog(self, remaining, batch_size):
        """Called after each batch with what is still due (a hook: e.g. wake a second worker)."""

    def _queue_deadline(self):
        """After this moment a transient failure is no longer retried (None: no deadline)."""
        return None

    def _queue_retry_message(self, attempts, at, deadline, error):
        """What a person reads while the record waits for its next attempt."""
        raise NotImplementedError

    def _queue_give_up(self, attempts, deadline, error):
        """The next attempt would come after the deadline: end the record in a state a person acts on."""
        raise NotImplementedError

    # ------------------------------------------------------------------
    # The loop
    # ------------------------------------------------------------------
    @api.model
    def _queue_run(self, batch_size=BATCH_SIZE):
        """Process every due record, a batch at a time, and wake the action again for the next attempt due.

        Several workers (or servers) may run this at once: each record is locked (FOR UPDATE SKIP LOCKED)
        right before it is processed and read again, so a record another worker holds or already handled
        is skipped (and taken by the next run when it is still due). Wake-ups of other actions asked for
        meanwhile are sent once per batch, before the batch's progress is committed.
        """
        with self.env["ir.cron"]._psb_batched_triggers():
            self._queue_process_due(batch_size)
        self._queue_wake_next()

    @api.model
    def _queue_process_due(self, batch_size):
        Cron = self.env["ir.cron"]
        if self._queue_out_of_time():
            self._queue_hand_back(self.sudo().search_count(self._queue_due_domain()))
            return
        clients, seen = {}, []
        while candidates := self._queue_candidates(seen, batch_size):
            processed = 0
            for candidate in candidates:
                seen.append(candidate.id)
                processed += bool(candidate._queue_take(clients))
                if self._queue_out_of_time():
                    break  # a large order takes seconds: the rest of the batch waits for the next call
            if _in_test():
                continue
            remaining = self.sudo().search_count(self._queue_due_domain() + [("id", "not in", seen)])
            self._queue_backlog(remaining, batch_size)
            Cron._psb_send_triggers()
            if Cron._commit_progress(processed, remaining=remaining) <= 0:
                break

    @api.model
    def _queue_out_of_time(self):
        """Whether the scheduled action's job has used its time (Odoo's ``cron_end_time``; never outside a job)."""
        end = self.env.context.get("cron_end_time")
        return end is not None and time.monotonic() >= end

    @api.model
    def _queue_hand_back(self, remaining):
        """End this call of the scheduled action at once, the job's time being up.

        Odoo calls the action at least ten times per run of the job, but a worker's CPU limit
        (``limit_time_cpu``) covers every job it runs in a row. Saying what is left makes Odoo run the
        job again as soon as the others had their turn; the wake-up (Odoo's NOTIFY) makes that now
        rather than at the workers' next poll, up to a minute later."""
        Cron = self.env["ir.cron"]
        if remaining and self.env.context.get("cron_id"):
            Cron.sudo().browse(self.env.context["cron_id"])._trigger()
        Cron._commit_progress(0, remaining=remaining)

    @api.model
    def _queue_candidates(self, seen, batch_size):
        return self.sudo().search(self._queue_due_domain() + [("id", "not in", seen)], order="id", limit=batch_size)

    def _queue_take(self, clients):
        """Lock this candidate, check it again and process it. False when it was skipped."""
        record = self._queue_lock()
        if not record:
            return False  # another worker has it, or had it since this transaction began
        record.invalidate_recordset()
        if not record._queue_ready():
            return False
        record._queue_process_one(clients)
        if self._queue_commit_each and not _in_test():
            self.env.cr.commit()  # pylint: disable=invalid-commit  # one commit per record of the queue (scheduled action only)
        return True

    def _queue_lock(self):
        """This record, locked (FOR UPDATE SKIP LOCKED); empty when another transaction holds it.

        Odoo's transactions are REPEATABLE READ: a row another worker changed and committed after this
        transaction's snapshot cannot be locked (PostgreSQL refuses with a serialization failure, which
        would abort the whole run). That worker handled it; it is skipped, and the next run reads it anew.
        """
        try:
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                return self.try_lock_for_update()
        except psycopg2.errors.SerializationFailure:
            return self.browse()

    @api.model
    def _queue_wake_next(self):
        nxt = self.sudo().search(
            self._queue_waiting_domain() + [("next_attempt_at", ">", fields.Datetime.now())],
            order="next_attempt_at",
            limit=1,
        )
        if nxt:
            self._queue_trigger(nxt.next_attempt_at)

    # ------------------------------------------------------------------
    # Retries
    # ------------------------------------------------------------------
    def _queue_retry(self, exc):
        """A transient failure (``exc``, a retryable PSB error): the next attempt after the back-off of
        ``psb/lifecycle.py``, or the end when it would come after the deadline.

        :returns: the time of the next attempt, or None when the record was given up
        """
        self.ensure_one()
        attempts = self.attempt_count + 1
        deadline = self._queue_deadline()
        at = lifecycle.next_attempt(fields.Datetime.now(), attempts, deadline, getattr(exc, "retry_after", None))
        self.attempt_count = attempts
        if at is None:
            self._queue_give_up(attempts, deadline, exc)
            return None
        self.write({"next_attempt_at": at, "error_message": self._queue_retry_message(attempts, at, deadline, exc)})
        return at

    def _queue_reset(self):
        """A person asked to try again: the count of attempts starts over."""
        self.write({"attempt_count": 0, "next_attempt_at": False, "error_message": False})
