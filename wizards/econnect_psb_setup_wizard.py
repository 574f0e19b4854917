# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Set up a company's eConnect PSB connection in two steps, as Odoo's own Peppol
registration does: the connection (environment, credentials, party id; tested before
anything is saved), then the webhook (registered at the PSB, with its alert e-mail, and
tested)."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.psb_messages import psb_error_text, psb_result_text
from ..psb import client as psb_client
from ..psb import party as psb_party
from ..psb.exceptions import PsbError

#: The company fields the connection step writes, by the wizard's field of the same
#: value.
CONNECTION_FIELDS = {
    "environment": "psb_environment",
    "api_url": "psb_api_url",
    "identity_url": "psb_identity_url",
    "client_id": "psb_client_id",
    "client_secret": "psb_client_secret",
    "username": "psb_username",
    "password": "psb_password",
    "subscription_key": "psb_subscription_key",
    "party_id": "psb_party_id",
}
#: A change of these points the webhook at another PSB or party: it must be registered
#: again.
WHERE_FIELDS = ("psb_environment", "psb_api_url", "psb_party_id")


class EconnectPsbSetupWizard(models.TransientModel):
    _name = "econnect.psb.setup.wizard"
    _description = "Set up the eConnect PSB connection"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    step = fields.Selection(
        [("connection", "Connection"), ("webhook", "Webhook")],
        default="connection",
        required=True,
    )
    environment = fields.Selection(
        [
            ("acceptance", "Acceptance (test)"),
            ("production", "Production"),
            ("custom", "Custom URLs"),
        ],
        default="acceptance",
        required=True,
        help="Acceptance is eConnect's test environment; acceptance and production "
        "have separate credentials.",
    )
    api_url = fields.Char(
        "API URL", help="Only for Custom URLs, e.g. https://accp-psb.econnect.eu."
    )
    identity_url = fields.Char(
        "Identity URL",
        help="Only for Custom URLs, e.g. https://accp-identity.econnect.eu.",
    )
    client_id = fields.Char("Client ID")
    client_secret = fields.Char()
    username = fields.Char(
        "User Name",
        help="Only when eConnect gave you a user name and password (password grant).",
    )
    password = fields.Char()
    subscription_key = fields.Char(help="Only when eConnect gave you one (legacy).")
    party_id = fields.Char(
        "Party ID",
        help="This company's identifier at the PSB, exactly as eConnect registered "
        "it: 0106:12345678 (Peppol form) or NL:KVK:12345678 (the PSB's form).",
    )
    party_id_check = fields.Char(compute="_compute_party_id_check")
    alert_email = fields.Char(
        "Alert e-mail",
        help="The PSB e-mails this address when it cannot deliver an event to Odoo.",
    )
    webhook_url = fields.Char("Webhook URL", compute="_compute_webhook_url")
    hook_state = fields.Selection(related="company_id.psb_hook_state")
    webhook_tested = fields.Boolean(
        help="Test webhook was pressed: Done becomes the next step."
    )
    message = fields.Text(readonly=True)
    message_kind = fields.Selection(
        [("success", "Success"), ("warning", "Warning"), ("danger", "Error")]
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = (
            self.env["res.company"]
            .browse(values.get("company_id") or self.env.company.id)
            .sudo()
        )
        for name, company_field in CONNECTION_FIELDS.items():
            values[name] = company[company_field] or values.get(name) or False
        if values["environment"] not in (
            "acceptance",
            "production",
            "custom",
        ):  # a neutralized copy
            values["environment"] = "acceptance"
        values["alert_email"] = company.psb_alert_email or False
        return values

    @api.depends("party_id")
    def _compute_party_id_check(self):
        """Empty while the party id has one of the PSB's forms; what is wrong otherwise
        (shown as typed)."""
        for wizard in self:
            wizard.party_id_check = False
            if wizard.party_id:
                try:
                    psb_party.check_party_id(wizard.party_id)
                except PsbError as exc:
                    wizard.party_id_check = psb_error_text(self.env, exc)

    @api.depends("company_id")
    def _compute_webhook_url(self):
        for wizard in self:
            wizard.webhook_url = wizard.company_id._psb_webhook_url()

    # ------------------------------------------------------------------ steps
    def action_test_connection(self):
        """Check the party id's form and the credentials against the PSB; save them only
        when they work."""
        self.ensure_one()
        try:
            party_id, _scheme = psb_party.check_party_id(self.party_id)
            check = self._psb_test_client().test_connection(party_id)
        except PsbError as exc:
            return self._show(psb_error_text(self.env, exc), "danger")
        self._save_connection(party_id)
        self.step = "webhook"
        return self._show(psb_result_text(self.env, check), "success")

    def action_register_webhook(self):
        self.ensure_one()
        company = self.company_id.sudo()
        try:
            # Checked before it is written: a refused address must not stay on the
            # company.
            address = company._psb_check_alert_address(self.alert_email)
            if address != (company.psb_alert_email or False):
                company.psb_alert_email = address
            registered = company._psb_register_webhook()
        except UserError as exc:
            return self._show(exc.args[0], "danger")
        if not registered:
            return self._show(company.psb_alert_hook_message, "warning")
        return self._show(
            self.env._(
                "The webhook is registered at the PSB: %s. Press Test webhook to "
                "check it.",
                company.psb_hook_url,
            ),
            "success",
        )

    def action_test_webhook(self):
        self.ensure_one()
        try:
            self.company_id._psb_ping_webhook()
        except UserError as exc:
            return self._show(exc.args[0], "danger")
        self.webhook_tested = True
        return self._show(
            self.env._(
                "The PSB was asked to send a test event to the webhook. It arrives "
                "within seconds: Settings then "
                "shows it under Last test event."
            ),
            "success",
        )

    def action_back(self):
        self.ensure_one()
        self.write({"step": "connection", "message": False, "message_kind": False})
        return self._reopen()

    def action_done(self):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "The eConnect PSB connection of %s is set up.", self.company_id.name
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ helpers
    def _connection_values(self):
        custom = self.environment == "custom"
        values = {
            company_field: self[name] or False
            for name, company_field in CONNECTION_FIELDS.items()
        }
        values["psb_api_url"] = (
            custom and (self.api_url or "").strip().rstrip("/") or False
        )
        values["psb_identity_url"] = (
            custom and (self.identity_url or "").strip().rstrip("/") or False
        )
        return values

    def _psb_test_client(self):
        """A client on the wizard's values, with a token of its own: nothing is saved
        before the test passes."""
        values = self._connection_values()
        if self.environment == "custom":
            api_url, identity_url = values["psb_api_url"], values["psb_identity_url"]
        else:
            api_url, identity_url = psb_client.ENVIRONMENTS[self.environment]
        return psb_client.PsbClient(
            api_url or "",
            identity_url or "",
            self.client_id or "",
            self.client_secret or "",
            username=self.username or None,
            password=self.password or None,
            subscription_key=self.subscription_key or None,
            token_store=psb_client.MemoryTokenStore(),
        )

    def _save_connection(self, party_id):
        company = self.company_id.sudo()
        values = {**self._connection_values(), "psb_party_id": party_id}
        changed = {
            name for name, value in values.items() if (company[name] or False) != value
        }
        if not changed:
            return
        # Other credentials: the stored access token belongs to the old ones.
        values.update(psb_access_token=False, psb_token_expires_at=0.0)
        if changed & set(WHERE_FIELDS) and company.psb_hook_state == "registered":
            values.update(
                psb_hook_state="none",
                psb_hook_message=self.env._(
                    "The connection changed: register the webhook again."
                ),
            )
        company.write(values)

    def _show(self, message, kind):
        self.write({"message": message, "message_kind": kind})
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set up the eConnect PSB"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
