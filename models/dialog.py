# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The window action that opens a wizard record as a dialog (shared by the addon's
buttons)."""


def dialog_action(wizard, name, size=None):
    """``size``: the dialog's size (Odoo's ``dialog_size``: "medium", "large",
    "extra-large"), else the default."""
    action = {
        "type": "ir.actions.act_window",
        "res_model": wizard._name,
        "res_id": wizard.id,
        "view_mode": "form",
        "target": "new",
        "name": name,
    }
    if size:
        action["context"] = {**wizard.env.context, "dialog_size": size}
    return action
