# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..psb import exceptions as psb_errors
from ..psb import party as psb_party
from ..psb import signature
from .psb_messages import psb_error_text, psb_result_text

PSB_GROUP = "sale_econnect_psb.group_psb_manager"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    psb_environment = fields.Selection(
        related="company_id.psb_environment", readonly=False, groups=PSB_GROUP
    )
    psb_api_url = fields.Char(
        related="company_id.psb_api_url", readonly=False, groups=PSB_GROUP
    )
    psb_identity_url = fields.Char(
        related="company_id.psb_identity_url", readonly=False, groups=PSB_GROUP
    )
    psb_client_id = fields.Char(
        related="company_id.psb_client_id", readonly=False, groups=PSB_GROUP
    )
    psb_client_secret = fields.Char(
        related="company_id.psb_client_secret", readonly=False, groups=PSB_GROUP
    )
    psb_username = fields.Char(
        related="company_id.psb_username", readonly=False, groups=PSB_GROUP
    )
    psb_password = fields.Char(
        related="company_id.psb_password", readonly=False, groups=PSB_GROUP
    )
    psb_subscription_key = fields.Char(
        related="company_id.psb_subscription_key", readonly=False, groups=PSB_GROUP
    )
    psb_party_id = fields.Char(
        related="company_id.psb_party_id", readonly=False, groups=PSB_GROUP
    )
    psb_webhook_secret = fields.Char(
        related="company_id.psb_webhook_secret", readonly=False, groups=PSB_GROUP
    )
    psb_hook_state = fields.Selection(
        related="company_id.psb_hook_state", groups=PSB_GROUP
    )
    psb_hook_message = fields.Char(
        related="company_id.psb_hook_message", groups=PSB_GROUP
    )
    psb_hook_url = fields.Char(related="company_id.psb_hook_url", groups=PSB_GROUP)
    psb_webhook_url = fields.Char(
        "Webhook URL",
        compute="_compute_psb_webhook_url",
        groups=PSB_GROUP,
        help="The address the PSB calls, from this database's web.base.url: what "
        "Register webhook gives the PSB.",
    )
    psb_alert_email = fields.Char(
        related="company_id.psb_alert_email", readonly=False, groups=PSB_GROUP
    )
    psb_alert_hook_state = fields.Selection(
        related="company_id.psb_alert_hook_state", groups=PSB_GROUP
    )
    psb_alert_hook_message = fields.Char(
        related="company_id.psb_alert_hook_message", groups=PSB_GROUP
    )
    psb_hook_last_ping_at = fields.Datetime(
        related="company_id.psb_hook_last_ping_at", groups=PSB_GROUP
    )
    psb_hook_last_ping_topic = fields.Char(
        related="company_id.psb_hook_last_ping_topic", groups=PSB_GROUP
    )
    psb_signature_window = fields.Integer(
        related="company_id.psb_signature_window", readonly=False, groups=PSB_GROUP
    )
    psb_user_id = fields.Many2one(
        related="company_id.psb_user_id", readonly=False, groups=PSB_GROUP
    )
    psb_delete_after_import = fields.Boolean(
        related="company_id.psb_delete_after_import", readonly=False, groups=PSB_GROUP
    )

    psb_auto_acknowledge = fields.Boolean(
        related="company_id.psb_auto_acknowledge", readonly=False
    )
    psb_answer_on_confirm = fields.Boolean(
        related="company_id.psb_answer_on_confirm", readonly=False
    )
    psb_confirm_check = fields.Selection(
        related="company_id.psb_confirm_check", readonly=False
    )
    psb_responses_as_ubl = fields.Boolean(
        related="company_id.psb_responses_as_ubl", readonly=False
    )

    psb_auto_cancel = fields.Boolean(
        related="company_id.psb_auto_cancel", readonly=False
    )

    psb_auto_confirm = fields.Boolean(
        related="company_id.psb_auto_confirm", readonly=False
    )
    psb_auto_confirm_uploads = fields.Boolean(
        related="company_id.psb_auto_confirm_uploads", readonly=False
    )
    psb_auto_known_customer = fields.Boolean(
        related="company_id.psb_auto_known_customer", readonly=False
    )
    psb_auto_identified_lines = fields.Boolean(
        related="company_id.psb_auto_identified_lines", readonly=False
    )
    psb_auto_units = fields.Boolean(related="company_id.psb_auto_units", readonly=False)
    psb_auto_price_mode = fields.Selection(
        related="company_id.psb_auto_price_mode", readonly=False
    )
    psb_auto_price_tolerance = fields.Float(
        related="company_id.psb_auto_price_tolerance", readonly=False
    )
    psb_auto_totals = fields.Boolean(
        related="company_id.psb_auto_totals", readonly=False
    )
    psb_auto_future_date = fields.Boolean(
        related="company_id.psb_auto_future_date", readonly=False
    )
    psb_auto_note_needs_person = fields.Boolean(
        related="company_id.psb_auto_note_needs_person", readonly=False
    )
    psb_auto_max_amount = fields.Monetary(
        related="company_id.psb_auto_max_amount", readonly=False
    )
    psb_auto_trusted_only = fields.Boolean(
        related="company_id.psb_auto_trusted_only", readonly=False
    )
    psb_auto_order_types = fields.Char(
        related="company_id.psb_auto_order_types", readonly=False
    )
    psb_answer_hours = fields.Integer(
        related="company_id.psb_answer_hours", readonly=False
    )
    psb_create_pricelist = fields.Boolean(
        related="company_id.psb_create_pricelist", readonly=False
    )
    psb_discount_product_id = fields.Many2one(
        related="company_id.psb_discount_product_id", readonly=False
    )
    psb_charge_product_id = fields.Many2one(
        related="company_id.psb_charge_product_id", readonly=False
    )
    psb_freight_product_id = fields.Many2one(
        related="company_id.psb_freight_product_id", readonly=False
    )
    psb_download_as = fields.Char(
        related="company_id.psb_download_as", readonly=False, groups=PSB_GROUP
    )
    psb_keep_max_mb = fields.Integer(
        related="company_id.psb_keep_max_mb", readonly=False, groups=PSB_GROUP
    )
    psb_import_max_mb = fields.Integer(
        related="company_id.psb_import_max_mb", readonly=False, groups=PSB_GROUP
    )
    psb_max_line_quantity = fields.Float(
        related="company_id.psb_max_line_quantity", readonly=False
    )
    psb_max_unit_price = fields.Float(
        related="company_id.psb_max_unit_price", readonly=False
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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_psb_test_connection(self):
        self.ensure_one()
        self.execute()
        company = self.company_id
        try:
            check = company._psb_client().test_connection(company.sudo().psb_party_id)
        except psb_errors.PsbError as exc:
            raise UserError(
                self.env._(
                    "The PSB connection does not work: %s",
                    psb_error_text(self.env, exc),
                )
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
