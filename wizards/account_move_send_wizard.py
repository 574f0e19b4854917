# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..models.res_partner import PSB_SENDING_METHOD


class AccountMoveSendWizard(models.TransientModel):
    _inherit = "account.move.send.wizard"

    @api.depends("move_id")
    def _compute_sending_method_checkboxes(self):
        """Odoo offers every method of the company; "Peppol through the eConnect PSB"
        only for a customer the PSB can deliver invoices to."""
        result = super()._compute_sending_method_checkboxes()
        for wizard in self:
            checkboxes = dict(wizard.sending_method_checkboxes or {})
            if PSB_SENDING_METHOD in checkboxes and not self._psb_applicable(
                wizard.move_id
            ):
                del checkboxes[PSB_SENDING_METHOD]
                wizard.sending_method_checkboxes = checkboxes
        return result
