# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The actions a button returns (shared by the addon's buttons): a wizard record opened
as a dialog, a notification of what the button did."""


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


def notification_action(message, kind="success", sticky=False):
    """Show ``message`` as a notification (``kind``: "success", "info", "warning",
    "danger"; ``sticky``: it stays until closed), then reload the view."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "message": message,
            "type": kind,
            "sticky": sticky,
            "next": {"type": "ir.actions.client", "tag": "soft_reload"},
        },
    }
