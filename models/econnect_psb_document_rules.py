# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The official Peppol rules (``psb/peppol_rules.py``), checked on a buyer's ordering
document after its import (issue 12), by a scheduled action of their own. The document
queues the check after its import (:meth:`_psb_rules_queue`) and runs it at once when a
person waits (:meth:`_psb_check_rules_now`); this mixin alone writes ``psb_rule_state``
and the violations."""

import logging
import time
from pathlib import Path

from odoo import api, fields, models, modules
from odoo.tools import config

from ..psb import peppol_rules
from .econnect_psb_queue_mixin import BATCH_SIZE

_logger = logging.getLogger(__name__)

#: System parameter: folder of the official Peppol artefacts (``xsd/``, ``schematron/``)
#: for the rule checks; ``off`` disables them. Default: ``$PEPPOL_SHARED_DIR``, else
#: ``../shared/peppol`` beside the module.
RULES_DIR_PARAM = "sale_econnect_psb.peppol_rules_dir"
#: A document's rule check: queued after its import, then its outcome (``unavailable``:
#: the checks are off, or could not run).
RULE_STATES = [
    ("queued", "Waiting to be checked"),
    ("ok", "Follows the rules"),
    ("violations", "Breaks rules"),
    ("unavailable", "Not checked"),
]


def memory_limits_block_rules(options=None):
    """Why Odoo's memory limits leave no room for the rule checks, or None. Both limits
    measure virtual memory, and saxonche reserves ``peppol_rules.SAXON_ADDRESS_SPACE``
    of it: under ``limit_memory_hard`` it would end the process, past
    ``limit_memory_soft`` the server restarts (a worker is recycled) after each
    check."""
    options = config if options is None else options
    low = [
        f"{name} = {options[name] // 2**20} MB"
        for name in ("limit_memory_soft", "limit_memory_hard")
        if options.get(name) and options[name] < peppol_rules.SAXON_ADDRESS_SPACE
    ]
    if not low:
        return None
    return (
        f"Peppol rules not checked: Odoo's memory limits ({', '.join(low)}) count "
        "virtual memory, and the "
        f"Schematron processor reserves {peppol_rules.SAXON_ADDRESS_SPACE // 2**30} "
        "GB of it when it starts; "
        "run Odoo with limit_memory_soft = 0 and limit_memory_hard = 0 (or above "
        "that) to check them."
    )


def _in_test():
    """Running under Odoo's tests, which run no server loop (nothing restarts on the
    soft memory limit)."""
    return bool(modules.module.current_test) or config["test_enable"]


RULES_CRON = "sale_econnect_psb.ir_cron_psb_check_rules"


class EconnectPsbDocumentRules(models.AbstractModel):
    _name = "econnect.psb.document.rules"
    _description = "eConnect PSB document: Peppol rule checks"

    psb_rule_state = fields.Selection(
        RULE_STATES, "Peppol Rules", readonly=True, copy=False, index="btree_not_null"
    )
    psb_rule_violations = fields.Text("Rule Violations", readonly=True, copy=False)
    psb_rule_violation_count = fields.Integer(
        "Rule Violations (count)", readonly=True, copy=False
    )

    def _psb_rules_queue(self):
        """After the import: a buyer's ordering document with its XML waits for the rule
        check."""
        if (
            self.env["econnect.psb.kind"]._psb_handler(self.document_type)._psb_ordering
            and self.attachment_id
        ):
            # Checked by its own scheduled action, after the import is committed: a
            # 1,000-line order takes seconds to check, which neither the import nor the
            # way from webhook to quotation waits for.
            self.psb_rule_state = "queued"
            self.env["ir.cron"]._psb_trigger(RULES_CRON)

    def _psb_check_rules_now(self):
        """A person is waiting for these (Retry, import wizard): check them at once. The
        pipeline writes the outcome (the caller was checked)."""
        self.sudo().filtered(lambda d: d.psb_rule_state == "queued")._psb_check_rules()

    @api.model
    def _cron_check_rules(self, batch_size=20):
        """Check the documents waiting for the rule checks, committing after each.

        The checks never hold up an import: while the import has a backlog (more than a
        batch of documents due), this action stops after its batch; the import's action
        wakes it again when its run ends. Once the job's time is up it hands back at
        once (``_queue_out_of_time``): a large document takes seconds, and a worker's
        CPU limit covers every job it runs in a row."""
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
        """More than a batch of documents waits for the import (the rule checks wait for
        it)."""
        return (
            self.sudo().search_count(self._queue_due_domain(), limit=BATCH_SIZE + 1)
            > BATCH_SIZE
        )

    # ------------------------------------------------------------------
    # Inbound Peppol rules
    # ------------------------------------------------------------------
    @api.model
    def _psb_rules_validator(self):
        """The shared validator of the official rules, or None when they are not
        available (or switched off)."""
        configured = (
            self.env["ir.config_parameter"].sudo().get_param(RULES_DIR_PARAM) or ""
        ).strip()
        if configured.lower() in ("off", "0", "false", "none"):
            return None
        path = Path(configured) if configured else peppol_rules.candidate_peppol_dir()
        if not ((path / "xsd").is_dir() and (path / "schematron").is_dir()):
            return None
        # The tests run no server loop (nothing restarts on the soft limit); the hard
        # one psb checks itself.
        if not _in_test() and (blocked := memory_limits_block_rules()):
            _logger.warning(blocked)
            return None
        return peppol_rules.shared_validator(path)

    def _psb_check_rules(self):
        """Check the documents against the official rules; never fails anything. Fatal
        violations are shown on the document and on the quotation."""
        for doc in self:
            doc._psb_check_rules_one()

    def _psb_check_rules_one(self):
        started = time.perf_counter()
        try:
            validator = self._psb_rules_validator()
            result = (
                validator.validate(
                    self.attachment_id.sudo().with_context(bin_size=False).raw
                )
                if validator
                else None
            )
        # a rule check must never block an order
        except Exception as exc:  # noqa: BLE001
            _logger.warning(
                "PSB document %s: Peppol rules not checked: %s",
                self.psb_document_id,
                exc,
            )
            result = None
        if result is None:
            self.write(
                {
                    "psb_rule_state": "unavailable",
                    "psb_rule_violations": False,
                    "psb_rule_violation_count": 0,
                }
            )
            return
        problems = [self.env._("XSD: %s", error) for error in result.xsd_errors]
        problems += [f"{rule}: {text}" for rule, text in result.fatal]
        _logger.info(
            "PSB document %s: Peppol rules checked in %.3f s",
            self.psb_document_id,
            time.perf_counter() - started,
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
                self.env._("The buyer's order breaks rule %s", problem)
                for problem in problems
            )
