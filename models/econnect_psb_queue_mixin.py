# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One queue-and-retry mechanism for what the addon exchanges with the PSB: the incoming
documents (``econnect.psb.document``) and the outgoing answers
(``econnect.psb.response``).

A model that uses the mixin says which of its records wait for their turn
(``_queue_waiting_domain``), how one is processed (``_queue_process_one``), how its
scheduled action is woken (``_queue_trigger``), until when a transient failure is worth
retrying (``_queue_deadline``) and what a person reads while it is retried or once it is
given up (``_queue_retry_message``, ``_queue_give_up``, ``_queue_fail``).

One failure policy, the mixin's alone (in the spirit of OCA's ``queue_job``):

* each record is processed in a savepoint of its own; a handler says *try again later*
  by raising :class:`RetryLater` (the reason a person reads, and when) and *this cannot
  succeed* by raising :class:`Failed` (the reason); what it raises otherwise is
  classified (``_queue_classify``: a PSB outage or a database race is retried, a PSB
  refusal or a ``UserError`` fails the record);
* **any other exception fails that record only**: logged with its traceback, shown on
  the record, and the run goes on with the next one (a scheduled action never stops nor
  is deactivated because of one record);
* the mixin alone writes a record's queue state (attempts, next attempt, message) and
  alone commits: after each step of a record (``_queue_process_one`` may be a generator:
  each ``yield`` is "keep what was done so far before going on") and after each batch,
  and only when it runs as a scheduled action's job. Called from a person's action or
  from another transaction's code, the caller's transaction is the unit.
"""

import inspect
import logging
import time

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape, mute_logger

from ..psb import exceptions as psb_errors
from ..psb import lifecycle
from .psb_messages import psb_error_text

BATCH_SIZE = 20
#: How often a record is tried again when it cannot be locked between two of its steps
#: (see _queue_relock).
RELOCK_ATTEMPTS = 6

_logger = logging.getLogger(__name__)


class RetryLater(Exception):  # noqa: N818 - a decision, not an error
    """The record cannot be processed now; try it again later.

    :param reason: what a person reads while it waits
    :param retry_after: seconds to wait at least (else the back-off of
        ``psb/lifecycle.py``)
    :param waiting: not a failure but a wait for something else (the reason is shown as
        it is)
    :param deadline: retry until then instead of the model's deadline
    :param final: the message of the error it ends in once the deadline has passed (else
        the model's)
    :param keep: values of the record written even though the handler's work is rolled
        back
    :param error: the exception it stands for, if any
    """

    def __init__(
        self,
        reason,
        retry_after=None,
        waiting=False,
        deadline=None,
        final=None,
        keep=None,
        error=None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.waiting = waiting
        self.deadline = deadline
        self.final = final
        self.keep = keep or {}
        self.error = error


class Failed(Exception):  # noqa: N818 - a decision, not an error
    """The record cannot succeed as it is: it ends in a state a person acts on.

    :param reason: what a person reads
    :param retry_helps: whether pressing Retry later may succeed (once a person fixed
        the cause)
    :param error: the exception it stands for, if any
    """

    def __init__(self, reason, retry_helps=True, error=None):
        super().__init__(reason)
        self.reason = reason
        self.retry_helps = retry_helps
        self.error = error


class EconnectPsbQueueMixin(models.AbstractModel):
    _name = "econnect.psb.queue.mixin"
    _description = "eConnect PSB: processing queue with retries"

    attempt_count = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, index="btree_not_null")
    error_message = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Hooks of the model that uses the queue
    # ------------------------------------------------------------------
    #: The XML id of the model's scheduled action, woken by the default
    #: ``_queue_trigger``.
    _queue_cron = None

    @api.model
    def _queue_waiting_domain(self):
        """The records that wait for their turn, due now or later (by default: those
        queued)."""
        return [("state", "=", "queued")]

    @api.model
    def _queue_due_domain(self):
        """The records due now: waiting, and without a next attempt in the future."""
        return self._queue_waiting_domain() + [
            "|",
            ("next_attempt_at", "=", False),
            ("next_attempt_at", "<=", fields.Datetime.now()),
        ]

    def _queue_ready(self):
        """This record, locked and read again, is still due (another worker did not
        handle it meanwhile)."""
        self.ensure_one()
        return bool(self.filtered_domain(self._queue_due_domain()))

    def _queue_process_one(self, clients):
        """Process this (locked) record; ``clients`` caches one PSB client per company
        for the run.

        Raise :class:`RetryLater` or :class:`Failed` to say it cannot be done now or at
        all. A generator yields where what it did so far is kept (committed) before it
        goes on; the value sent back says whether it was committed (a fresh
        snapshot)."""
        raise NotImplementedError

    @api.model
    def _queue_client(self, clients, company):
        """``company``'s PSB client, made once for a run (``clients``: one client per
        company; None: a new one)."""
        if clients is None:
            return company._psb_client()
        if company.id not in clients:
            clients[company.id] = company._psb_client()
        return clients[company.id]

    def _queue_reader(self):
        """This record in the language of whoever reads what its processing writes."""
        return self

    @api.model
    def _queue_trigger(self, at=None):
        """Wake the model's scheduled action (``_queue_cron``) now, or at ``at``."""
        self.env["ir.cron"]._psb_trigger(self._queue_cron, at)

    @api.model
    def _queue_backlog(self, remaining, batch_size):
        """Called after each batch with what is still due (a hook: e.g. wake a second
        worker)."""

    def _queue_deadline(self):
        """After this moment a transient failure is no longer retried (None: no
        deadline)."""
        return None

    def _queue_retry_message(self, attempts, at, deadline, retry):
        """What a person reads while the record waits for its next attempt after a
        failure."""
        return self.env._(
            "Attempt %(n)s failed, retrying: %(error)s", n=attempts, error=retry.reason
        )

    def _queue_give_up(self, attempts, deadline, retry):
        """The next attempt would come after the deadline: end the record in a state a
        person acts on."""
        self._queue_fail(
            Failed(
                retry.final or self._queue_give_up_message(attempts, deadline, retry)
            )
        )

    def _queue_give_up_message(self, attempts, deadline, retry):
        """What a person reads once the record is given up: the model's
        ``_queue_give_up_text`` with the attempts (``n``), the ``deadline`` and the last
        ``error``."""
        return self._queue_give_up_text(retry) % {
            "n": attempts,
            "deadline": deadline,
            "error": retry.reason,
        }

    def _queue_give_up_text(self, retry):
        raise NotImplementedError

    def _queue_fail(self, failed):
        """End the record in its failed state with ``failed.reason`` (:class:`Failed`):
        by default the model's ``_fail(message, can_retry)``."""
        self._fail(failed.reason, can_retry=failed.retry_helps)

    def _queue_classify(self, exc):
        """What an exception a handler raised means: a :class:`RetryLater`, a
        :class:`Failed`, or None (unexpected)."""
        env = self.env
        if isinstance(exc, (RetryLater, Failed)):
            return exc
        if isinstance(exc, psb_errors.PsbError):
            if exc.retryable:
                return RetryLater(
                    psb_error_text(env, exc), retry_after=exc.retry_after, error=exc
                )
            return Failed(psb_error_text(env, exc), error=exc)
        if isinstance(
            exc,
            (psycopg2.errors.UniqueViolation, psycopg2.errors.TransactionRollbackError),
        ):
            # Another worker stored the same thing, or worked on the same rows, at the
            # same moment: its work is visible on the next attempt.
            reason = (
                env._(
                    "Another worker stored the same at the same moment; looked at "
                    "again shortly."
                )
                if isinstance(exc, psycopg2.errors.UniqueViolation)
                else env._(
                    "It was being processed elsewhere at the same time; looked at "
                    "again shortly."
                )
            )
            return RetryLater(reason, retry_after=60, error=exc)
        if isinstance(exc, UserError):
            return Failed(str(exc.args[0] if exc.args else exc), error=exc)
        return None

    # ------------------------------------------------------------------
    # The loop
    # ------------------------------------------------------------------
    @api.model
    def _queue_run(self, batch_size=BATCH_SIZE):
        """Process every due record, a batch at a time, and wake the action again for
        the next attempt due.

        Several workers (or servers) may run this at once: each record is locked (FOR
        UPDATE SKIP LOCKED) right before it is processed and read again, so a record
        another worker holds or already handled is skipped (and taken by the next run
        when it is still due). Wake-ups of other actions asked for meanwhile are sent
        once per batch, after the records that asked for them were committed.
        """
        Cron = self.env["ir.cron"]
        with Cron._psb_batched_triggers() as wake_ups:
            self._queue_process_due(batch_size, wake_ups)
            Cron._psb_send_triggers(wake_ups)
        self._queue_wake_next()

    @api.model
    def _queue_commits(self):
        """Whether this runs as a scheduled action's job (Odoo's ``cron_id``): only then
        does the queue commit."""
        return bool(self.env.context.get("cron_id"))

    @api.model
    def _queue_process_due(self, batch_size, wake_ups):
        Cron = self.env["ir.cron"]
        if self._queue_out_of_time():
            self._queue_hand_back(self.sudo().search_count(self._queue_due_domain()))
            return
        clients, seen = {}, []
        while candidates := self._queue_candidates(seen, batch_size):
            processed = 0
            for candidate in candidates:
                seen.append(candidate.id)
                processed += bool(candidate._queue_take(clients, wake_ups))
                if self._queue_out_of_time():
                    # a large order takes seconds: the rest of the batch waits for the
                    # next call
                    break
            if not self._queue_commits():
                continue
            remaining = self.sudo().search_count(
                self._queue_due_domain() + [("id", "not in", seen)]
            )
            self._queue_backlog(remaining, batch_size)
            Cron._psb_send_triggers(wake_ups)
            if self._queue_commit_progress(processed, remaining) <= 0:
                break

    @api.model
    def _queue_commit_progress(self, processed, remaining=None):
        """Commit a batch's progress (Odoo's ``_commit_progress``) in a scheduled
        action's job; the time left."""
        if not self._queue_commits():
            return float("inf")
        Cron = self.env["ir.cron"]
        with Cron._psb_keeping_triggers():
            return Cron._commit_progress(processed, remaining=remaining)

    @api.model
    def _queue_out_of_time(self):
        """Whether the scheduled action's job has used its time (Odoo's
        ``cron_end_time``; never outside a job)."""
        end = self.env.context.get("cron_end_time")
        return end is not None and time.monotonic() >= end

    @api.model
    def _queue_hand_back(self, remaining):
        """End this call of the scheduled action at once, the job's time being up.

        Odoo calls the action at least ten times per run of the job, but a worker's CPU
        limit (``limit_time_cpu``) covers every job it runs in a row. Saying what is
        left makes Odoo run the job again as soon as the others had their turn; the
        wake-up (Odoo's NOTIFY) makes that now rather than at the workers' next poll, up
        to a minute later."""
        if remaining and self.env.context.get("cron_id"):
            self.env["ir.cron"].sudo().browse(self.env.context["cron_id"])._trigger()
        self._queue_commit_progress(0, remaining)

    @api.model
    def _queue_candidates(self, seen, batch_size):
        return self.sudo().search(
            self._queue_due_domain() + [("id", "not in", seen)],
            order="id",
            limit=batch_size,
        )

    def _queue_take(self, clients, wake_ups=None):
        """Lock this candidate, check it again and process it. False when it was
        skipped."""
        record = self._queue_lock()
        if not record:
            return (
                False  # another worker has it, or had it since this transaction began
            )
        record.invalidate_recordset()
        if not record._queue_ready():
            return False
        record._queue_reader()._queue_attempt(clients, self._queue_commits(), wake_ups)
        return True

    def _queue_lock(self):
        """This record, locked (FOR UPDATE SKIP LOCKED); empty when another transaction
        holds it.

        Odoo's transactions are REPEATABLE READ: a row another worker changed and
        committed after this transaction's snapshot cannot be locked (PostgreSQL refuses
        with a serialization failure, which would abort the whole run). That worker
        handled it; it is skipped, and the next run reads it anew.
        """
        try:
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                return self.try_lock_for_update()
        except psycopg2.errors.SerializationFailure:
            return self.browse()

    # ------------------------------------------------------------------
    # One record: its steps, each in a savepoint, and the failure policy
    # ------------------------------------------------------------------
    def _queue_attempt(self, clients, commit=False, wake_ups=None):
        """Process this (locked) record step by step under the failure policy; with
        ``commit``, each step is committed before the next (the row taken again: another
        worker may have taken it in between).

        :returns: whether it went through without a failure
        """
        self.ensure_one()
        steps = self._queue_steps(clients)
        committed = None
        while True:
            try:
                if not self._queue_step(steps, committed):
                    break
            # one record's failure never stops the run for the others
            except Exception as exc:  # noqa: BLE001
                self._queue_failed(exc)
                self._queue_commit(commit, wake_ups)
                return False
            committed = self._queue_commit(commit, wake_ups)
            if committed:
                if not self._queue_relock():
                    steps.close()  # another worker took it: it goes on with it
                    return True
                # a fresh snapshot; without a commit, what is cached is still true
                self.invalidate_recordset()
        self._queue_commit(commit, wake_ups)
        return True

    def _queue_relock(self):
        """After the commit between two steps: this record locked again, to go on with
        its next step.

        When the lock cannot be had and the record is still due, another worker took it
        and goes on with it (False). When it is no longer due (an order imported, with
        its automatic confirmation still to decide), no other worker would: the row is
        only held for a moment by a worker that touched it (an answer's), so the lock is
        tried again on fresh snapshots for a few seconds before the step is given up,
        logged."""
        for attempt in range(RELOCK_ATTEMPTS):
            if self._queue_lock():
                return True
            self.invalidate_recordset()
            if self._queue_ready():
                return False
            # nothing pending (just committed): a fresh snapshot
            self.env.cr.commit()  # pylint: disable=invalid-commit
            time.sleep(0.1 * (attempt + 1))
        _logger.warning(
            "%s %s: could not be locked again to go on with its next step",
            self._description,
            self.id,
        )
        return False

    def _queue_step(self, steps, committed):
        """Run the next step of ``steps`` in a savepoint (rolled back when it raises).
        False once there is none."""
        with self.env.cr.savepoint():
            try:
                steps.send(committed)
            except StopIteration:
                return False
        return True

    def _queue_steps(self, clients):
        result = self._queue_process_one(clients)
        if inspect.isgenerator(result):
            # what the driver sends (whether it committed) goes on to the handler
            yield from result

    def _queue_commit(self, commit, wake_ups):
        """The queue's commit (the only one): what this record did is kept, and the
        wake-ups it asked for go to the batch (sent after the batch, once each). False
        when nothing is committed (not a job)."""
        if not commit:
            return False
        Cron = self.env["ir.cron"]
        if wake_ups is not None:
            wake_ups |= Cron._psb_asked_triggers()
        with Cron._psb_keeping_triggers():
            # the queue's commit per step (scheduled action only)
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return True

    def _queue_failed(self, exc):
        """The failure policy: ``exc``, raised while processing this record (its work
        rolled back), is retried, ends the record with the reason, or, unexpected, is
        logged with its traceback and fails the record."""
        decision = self._queue_classify(exc)
        if decision is None:
            _logger.exception(
                "%s %s failed unexpectedly", self._description, self.display_name
            )
            decision = Failed(
                self.env._(
                    "Unexpected error: %(error)s. It was written to the server log "
                    "for a developer; the other "
                    "records went on. Press Retry once the cause is fixed.",
                    error=f"{type(exc).__name__}: {exc}",
                ),
                error=exc,
            )
        elif decision is not exc:
            _logger.info(
                "%s %s: %s", self._description, self.display_name, decision.reason
            )
        if isinstance(decision, RetryLater):
            self._queue_retry(decision)
        else:
            self._queue_fail(decision)

    @api.model
    def _queue_wake_next(self):
        nxt = self.sudo().search(
            self._queue_waiting_domain()
            + [("next_attempt_at", ">", fields.Datetime.now())],
            order="next_attempt_at",
            limit=1,
        )
        if nxt:
            self._queue_trigger(nxt.next_attempt_at)

    # ------------------------------------------------------------------
    # Retries
    # ------------------------------------------------------------------
    def _queue_retry(self, retry):
        """Try again later (``retry``, a :class:`RetryLater`): the next attempt after
        the back-off of ``psb/lifecycle.py``, or the end when it would come after the
        deadline.

        :returns: the time of the next attempt, or None when the record was given up
        """
        self.ensure_one()
        attempts = self.attempt_count + 1
        deadline = retry.deadline or self._queue_deadline()
        at = lifecycle.next_attempt(
            fields.Datetime.now(), attempts, deadline, retry.retry_after
        )
        self.write({"attempt_count": attempts, **retry.keep})
        if at is None:
            self._queue_give_up(attempts, deadline, retry)
            return None
        message = (
            retry.reason
            if retry.waiting
            else self._queue_retry_message(attempts, at, deadline, retry)
        )
        self._queue_wait(at, message)
        return at

    def _queue_wait(self, at, message):
        """Process this record again at ``at`` (not before), ``message`` saying why it
        waits. The run wakes its action for the earliest next attempt when it ends
        (``_queue_wake_next``)."""
        self.write({"next_attempt_at": at, "error_message": message})

    def _queue_wake_now(self):
        """What these records waited for has happened: they are due now, and the action
        is woken.

        A record another worker holds (it is processing it right now) is left to it:
        waiting for its lock would end this transaction in a serialization failure once
        that worker commits (the work that woke it, an order's import say, would be
        rolled back and retried), and that worker tries it again after its own back-off
        anyway."""
        free = self.browse([record.id for record in self if record._queue_lock()])
        if free:
            free.write({"next_attempt_at": fields.Datetime.now()})
            self._queue_trigger()

    def _queue_write_failed(self, message, can_retry, retry_advice, other_advice):
        """Mark the sending failed with ``message``; :returns: the note of the activity
        a person gets (the message, and what to do: ``retry_advice`` when Retry can
        help, else ``other_advice``)."""
        self.write(
            {
                "state": "failed",
                "error_message": message,
                "next_attempt_at": False,
                "can_retry": can_retry,
            }
        )
        advice = retry_advice if can_retry else other_advice
        return f"<p>{html_escape(message)}</p><p>{html_escape(advice)}</p>"

    @api.model
    def _queue_sent_record(self, company, document_id, id_field):
        """``company``'s record the PSB knows as ``document_id`` (its id at the PSB in
        ``id_field``, or the idempotency key it was sent with), for a status event;
        another company's event never finds one."""
        if not document_id:
            return self.browse()
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                "|",
                (id_field, "=", document_id),
                ("idempotency_key", "=", document_id),
            ],
            limit=1,
        )

    def _queue_reset(self):
        """A person asked to try again: the count of attempts starts over."""
        self.write(
            {"attempt_count": 0, "next_attempt_at": False, "error_message": False}
        )
