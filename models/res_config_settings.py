# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..psb import exceptions as psb_errors
from ..psb import party as psb_party
from ..psb import signature
from .dialog import notification_action, psb_user_error
from .psb_messages import psb_result_text

PSB_GROUP = "sale_econnect_psb.group_psb_manager"


def _setting(field_type, name, groups=None):
    """The company's field ``name`` as a setting of the same name, set here; ``groups``:
    who sees it (else the groups of the company's field)."""
    kwargs = {"groups": groups} if groups else {}
    return field_type(related=f"company_id.{name}", readonly=False, **kwargs)


def _psb_setting(field_type, name):
    """The company's field ``name`` as a setting of the PSB managers."""
    return _setting(field_type, name, PSB_GROUP)


def _psb_status(field_type, name):
    """The company's field ``name``, a state of its connection to the PSB, shown (not
    set) in the settings of the PSB managers."""
    return field_type(related=f"company_id.{name}", groups=PSB_GROUP)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    psb_environment = _psb_setting(fields.Selection, "psb_environment")
    psb_api_url = _psb_setting(fields.Char, "psb_api_url")
    psb_identity_url = _psb_setting(fields.Char, "psb_identity_url")
    psb_client_id = _psb_setting(fields.Char, "psb_client_id")
    psb_client_secret = _psb_setting(fields.Char, "psb_client_secret")
    psb_username = _psb_setting(fields.Char, "psb_username")
    psb_password = _psb_setting(fields.Char, "psb_password")
    psb_subscription_key = _psb_setting(fields.Char, "psb_subscription_key")
    psb_party_id = _psb_setting(fields.Char, "psb_party_id")
    psb_webhook_secret = _psb_setting(fields.Char, "psb_webhook_secret")
    psb_hook_state = _psb_status(fields.Selection, "psb_hook_state")
    psb_hook_message = _psb_status(fields.Char, "psb_hook_message")
    psb_hook_url = _psb_status(fields.Char, "psb_hook_url")
    psb_alert_email = _psb_setting(fields.Char, "psb_alert_email")
    psb_alert_hook_state = _psb_status(fields.Selection, "psb_alert_hook_state")
    psb_alert_hook_message = _psb_status(fields.Char, "psb_alert_hook_message")
    psb_hook_last_ping_at = _psb_status(fields.Datetime, "psb_hook_last_ping_at")
    psb_hook_last_ping_topic = _psb_status(fields.Char, "psb_hook_last_ping_topic")
    psb_signature_window = _psb_setting(fields.Integer, "psb_signature_window")
    psb_user_id = _psb_setting(fields.Many2one, "psb_user_id")
    psb_delete_after_import = _psb_setting(fields.Boolean, "psb_delete_after_import")

    psb_auto_acknowledge = _setting(fields.Boolean, "psb_auto_acknowledge")
    psb_answer_on_confirm = _setting(fields.Boolean, "psb_answer_on_confirm")
    psb_confirm_check = _setting(fields.Selection, "psb_confirm_check")
    psb_responses_as_ubl = _setting(fields.Boolean, "psb_responses_as_ubl")

    psb_auto_cancel = _setting(fields.Boolean, "psb_auto_cancel")

    psb_auto_confirm = _setting(fields.Boolean, "psb_auto_confirm")
    psb_auto_confirm_uploads = _setting(fields.Boolean, "psb_auto_confirm_uploads")
    psb_auto_known_customer = _setting(fields.Boolean, "psb_auto_known_customer")
    psb_auto_identified_lines = _setting(fields.Boolean, "psb_auto_identified_lines")
    psb_auto_units = _setting(fields.Boolean, "psb_auto_units")
    psb_auto_price_mode = _setting(fields.Selection, "psb_auto_price_mode")
    psb_auto_price_tolerance = _setting(fields.Float, "psb_auto_price_tolerance")
    psb_auto_totals = _setting(fields.Boolean, "psb_auto_totals")
    psb_auto_future_date = _setting(fields.Boolean, "psb_auto_future_date")
    psb_auto_note_needs_person = _setting(fields.Boolean, "psb_auto_note_needs_person")
    psb_auto_max_amount = _setting(fields.Monetary, "psb_auto_max_amount")
    psb_auto_trusted_only = _setting(fields.Boolean, "psb_auto_trusted_only")
    psb_auto_order_types = _setting(fields.Char, "psb_auto_order_types")
    psb_answer_hours = _setting(fields.Integer, "psb_answer_hours")
    psb_create_pricelist = _setting(fields.Boolean, "psb_create_pricelist")
    psb_discount_product_id = _setting(fields.Many2one, "psb_discount_product_id")
    psb_charge_product_id = _setting(fields.Many2one, "psb_charge_product_id")
    psb_freight_product_id = _setting(fields.Many2one, "psb_freight_product_id")
    psb_download_as = _psb_setting(fields.Char, "psb_download_as")
    psb_keep_max_mb = _psb_setting(fields.Integer, "psb_keep_max_mb")
    psb_import_max_mb = _psb_setting(fields.Integer, "psb_import_max_mb")
    psb_max_line_quantity = _setting(fields.Float, "psb_max_line_quantity")
    psb_max_unit_price = _setting(fields.Float, "psb_max_unit_price")

    # The settings' own fields.
    psb_webhook_url = fields.Char(
        "Webhook URL",
        compute="_compute_psb_webhook_url",
        groups=PSB_GROUP,
        help="The address the PSB calls, from this database's web.base.url: what "
        "Register webhook gives the PSB.",
    )
    psb_show_advanced = fields.Boolean(
        "Show advanced settings",
        config_parameter="sale_econnect_psb.show_advanced",
        help="Size and plausibility limits, the products of the order's discounts and "
        "charges, webhook security.",
    )
    psb_party_scheme = fields.Char(
        "Party Scheme", compute="_compute_psb_party_scheme", groups=PSB_GROUP
    )

    @api.depends("psb_party_id")
    def _compute_psb_party_scheme(self):
        """The common name of the party id's scheme (KvK for 0106:…), for the status
        line."""
        for settings in self:
            try:
                scheme = psb_party.check_party_id(settings.psb_party_id)[1]
            except psb_errors.PsbError:
                scheme = ""
            settings.psb_party_scheme = psb_party.scheme_name(scheme)

    def action_psb_setup(self):
        """Open the setup wizard: connection (tested before it is saved), then the
        webhook."""
        self.ensure_one()
        self.execute()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set up the eConnect PSB"),
            "res_model": "econnect.psb.setup.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.company_id.id},
        }

    @api.depends("company_id")
    def _compute_psb_webhook_url(self):
        for settings in self:
            settings.psb_webhook_url = settings.company_id._psb_webhook_url()

    def _psb_notify(self, message, kind="success"):
        """What a button returns: ``message`` as a notification, which stays until
        closed unless it is a success."""
        return notification_action(message, kind, sticky=kind != "success")

    def action_psb_test_connection(self):
        self.ensure_one()
        self.execute()
        company = self.company_id
        try:
            check = company._psb_client().test_connection(company.sudo().psb_party_id)
        except psb_errors.PsbError as exc:
            raise psb_user_error(
                self.env, exc, self.env._("The PSB connection does not work: %s")
            ) from exc
        return self._psb_notify(psb_result_text(self.env, check))

    def action_psb_register_webhook(self):
        self.ensure_one()
        self.execute()
        company = self.company_id.sudo()
        if not company._psb_register_webhook():
            return self._psb_notify(
                self.env._(
                    "The webhook is registered at the PSB: %(url)s. %(problem)s",
                    url=company.psb_hook_url,
                    problem=company.psb_alert_hook_message,
                ),
                "warning",
            )
        return self._psb_notify(
            self.env._("The webhook is registered at the PSB: %s", company.psb_hook_url)
        )

    def action_psb_test_webhook(self):
        """Ask the PSB to send a test event to the webhook; it arrives in the
        background."""
        self.ensure_one()
        self.execute()
        self.company_id._psb_ping_webhook()
        return self._psb_notify(
            self.env._(
                "The PSB was asked to send a test event to the webhook. It arrives "
                "within seconds: reload "
                "this page to see it under Last test event received."
            )
        )

    def action_psb_generate_secret(self):
        """A new webhook secret; the hook must be registered again for the PSB to use
        it."""
        self.ensure_one()
        self.execute()
        self.company_id.sudo().write(
            {
                "psb_webhook_secret": signature.generate_secret(),
                "psb_hook_state": "none",
                "psb_hook_message": self.env._(
                    "New secret: register the webhook again."
                ),
            }
        )
        return self._psb_notify(
            self.env._("A new webhook secret was generated. Press Register webhook."),
            "warning",
        )
