# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The window action that opens a wizard record as a dialog (shared by the addon's buttons)."""


def dialog_action(wizard, name):
    return {
        "type": "ir.actions.act_window",
        "res_model": wizard._name,
        "res_id": wizard.id,
        "view_mode": "form",
        "target": "new",
        "name": name,
    }
