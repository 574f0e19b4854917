# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a button returns or raises (shared by the addon's buttons): a wizard record
opened as a dialog, a notification of what the button did, the error of a PSB request
it made."""

from odoo.exceptions import UserError

from .psb_messages import psb_error_text


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


def psb_user_error(env, exc, message):
    """The UserError of a PSB request that failed: ``message`` (a translated text with
    one ``%s``) with the reason, the text of the ``psb`` error ``exc`` in the language
    of ``env``."""
    return UserError(message % psb_error_text(env, exc))
