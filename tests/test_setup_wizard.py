# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The setup wizard of Settings > Sales > eConnect PSB, against the PSB sandbox over
loopback: from a company without a connection to a registered and tested webhook, and
what it says when something is wrong (credentials, the party id's form), in English and
in Dutch."""

import json
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from .common import PsbHttpCase, activate_dutch

CONNECTION = (
    "psb_api_url",
    "psb_identity_url",
    "psb_client_id",
    "psb_client_secret",
    "psb_party_id",
)


@tagged("post_install", "-at_install")
class TestSetupWizard(PsbHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            "psb_setup_admin",
            groups="base.group_system,sale_econnect_psb.group_psb_manager,sales_team."
            "group_sale_manager",
        )

    def setUp(self):
        super().setUp()
        self.empty_company()
        # The sandbox sends Test webhook's Ping from a thread of its own once it
        # answered; Odoo's test server refuses a request from outside the test
        # (tests/test_webhook_health.py follows one through).
        self.pings = []
        patcher = patch.object(
            self.sandbox,
            "_in_background",
            lambda target, *args: self.pings.append(args),
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def empty_company(self):
        self.company.write(
            {
                "psb_environment": "acceptance",
                "psb_api_url": False,
                "psb_identity_url": False,
                "psb_client_id": False,
                "psb_client_secret": False,
                "psb_party_id": False,
                "psb_webhook_secret": False,
                "psb_hook_id": False,
                "psb_hook_state": "none",
                "psb_hook_message": False,
                "psb_hook_url": False,
                "psb_alert_email": False,
                "psb_alert_hook_id": False,
                "psb_alert_hook_state": "none",
                "psb_alert_hook_message": False,
            }
        )

    def wizard(self, user=None, **values):
        values = {
            "environment": "custom",
            "api_url": self.sandbox.url,
            "identity_url": self.sandbox.url,
            "client_id": "odoo-client",
            "client_secret": "odoo-secret",
            "party_id": self.PARTY_ID,
            **values,
        }
        user = user or self.admin
        return (
            self.env["econnect.psb.setup.wizard"]
            .with_user(user)
            .with_context(lang=user.lang)
            .create(values)
        )

    def connection(self):
        return {name: self.company[name] for name in CONNECTION}

    # ------------------------------------------------------------------ the whole way
    def test_from_an_empty_company_to_a_tested_webhook(self):
        settings = self.env["res.config.settings"].with_user(self.admin).create({})
        action = settings.action_psb_setup()
        self.assertEqual(
            (action["res_model"], action["target"]),
            ("econnect.psb.setup.wizard", "new"),
        )
        wizard = self.wizard(alert_email=" ops@example.com ")
        self.assertEqual(wizard.step, "connection")
        answer = wizard.action_test_connection()
        self.assertEqual(
            (answer["res_id"], answer["target"]),
            (wizard.id, "new"),
            "the dialog stays open",
        )
        self.assertEqual(wizard.message_kind, "success", wizard.message)
        self.assertEqual(
            wizard.message,
            "The PSB accepted the credentials, which may use party 0106:12345678.",
        )
        self.assertEqual(wizard.step, "webhook")
        self.assertEqual(
            self.connection(),
            {
                "psb_api_url": self.sandbox.url,
                "psb_identity_url": self.sandbox.url,
                "psb_client_id": "odoo-client",
                "psb_client_secret": "odoo-secret",
                "psb_party_id": self.PARTY_ID,
            },
        )
        self.assertEqual(self.company.psb_environment, "custom")
        self.assertEqual(wizard.webhook_url, self.base_url() + "/econnect_psb/webhook")

        wizard.action_register_webhook()
        self.assertEqual(wizard.message_kind, "success", wizard.message)
        self.assertEqual(self.company.psb_hook_state, "registered")
        self.assertEqual(wizard.hook_state, "registered")
        self.assertEqual(self.company.psb_alert_email, "ops@example.com")
        self.assertEqual(self.company.psb_alert_hook_state, "registered")
        hooks = self.sandbox.hooks[self.PARTY_ID]
        self.assertEqual(len(hooks), 2, "the webhook and its alert e-mail hook")
        self.assertEqual(self.company.psb_hook_user_id, self.admin)

        wizard.action_test_webhook()
        self.assertEqual(wizard.message_kind, "success", wizard.message)
        self.assertIn("test event", wizard.message)
        self.assertTrue(wizard.webhook_tested, "Done becomes the main button")
        self.assertTrue(
            any(r["path"].endswith("/hook/ping") for r in self.sandbox.requests)
        )
        self.assertEqual([args[2] for args in self.pings], ["Ping"])
        done = wizard.action_done()
        self.assertEqual(done["params"]["next"]["tag"], "soft_reload")

    # ------------------------------------------------------------------ what goes wrong
    def test_wrong_credentials_are_said_and_not_saved(self):
        self.wizard().action_test_connection()
        before = self.connection()
        wizard = self.wizard(client_secret="not-the-secret")
        wizard.action_test_connection()
        self.assertEqual((wizard.step, wizard.message_kind), ("connection", "danger"))
        self.assertIn("The PSB identity server refused the credentials", wizard.message)
        self.assertIn("client secret", wizard.message)
        self.assertEqual(
            self.connection(), before, "a failed test changes nothing on the company"
        )

    def test_bad_party_id_form_is_refused_before_the_psb_is_asked(self):
        for value in ("12345678", "0106 12345678", "NL-KVK-12345678"):
            with self.subTest(value=value):
                wizard = self.wizard(party_id=value)
                self.assertIn(f"{value} is not a PSB party id", wizard.party_id_check)
                wizard.action_test_connection()
                self.assertEqual(
                    (wizard.step, wizard.message_kind), ("connection", "danger")
                )
                self.assertIn("0106:12345678", wizard.message)
                self.assertIn("NL:KVK:12345678", wizard.message)
        self.assertEqual(self.sandbox.requests, [], "nothing was sent to the PSB")
        self.assertFalse(self.company.psb_party_id)
        self.assertFalse(self.wizard(party_id="NL:KVK:12345678").party_id_check)

    def test_party_the_credentials_may_not_use(self):
        wizard = self.wizard(party_id="0106:99999999")
        wizard.action_test_connection()
        self.assertEqual(wizard.message_kind, "danger")
        self.assertIn(
            "may not use party 0106:99999999; they may use 0106:12345678",
            wizard.message,
        )
        self.assertFalse(self.company.psb_party_id)

    def test_bad_alert_address_is_not_kept(self):
        wizard = self.wizard(alert_email="ops@example")
        wizard.action_test_connection()
        wizard.action_register_webhook()
        self.assertEqual(wizard.message_kind, "danger")
        self.assertIn("ops@example, is not a valid e-mail address", wizard.message)
        self.assertFalse(self.company.psb_alert_email)
        self.assertEqual(self.company.psb_hook_state, "none")
        self.assertFalse(
            [r for r in self.sandbox.requests if r["path"].endswith("/hook")]
        )

    def test_another_party_must_register_again(self):
        wizard = self.wizard()
        wizard.action_test_connection()
        wizard.action_register_webhook()
        self.assertEqual(self.company.psb_hook_state, "registered")
        self.company.psb_access_token = "old-token"
        self.wizard().action_test_connection()
        self.assertEqual(
            self.company.psb_hook_state,
            "registered",
            "the same connection keeps its registration",
        )
        self.assertEqual(self.company.psb_access_token, "old-token")
        self.wizard(party_id="0106:87654321").action_test_connection()
        self.assertEqual(self.company.psb_hook_state, "none")
        self.assertIn("register the webhook again", self.company.psb_hook_message)
        self.assertFalse(
            self.company.psb_access_token, "the old credentials' token is dropped"
        )

    def test_wizard_opens_on_the_company_values(self):
        self.wizard().action_test_connection()
        wizard = self.env["econnect.psb.setup.wizard"].with_user(self.admin).create({})
        self.assertEqual(
            (wizard.environment, wizard.api_url, wizard.client_id, wizard.party_id),
            ("custom", self.sandbox.url, "odoo-client", self.PARTY_ID),
        )
        self.company.psb_environment = "disabled"
        self.assertEqual(
            self.env["econnect.psb.setup.wizard"]
            .with_user(self.admin)
            .create({})
            .environment,
            "acceptance",
        )

    # ------------------------------------------------------------------ in Dutch
    def test_messages_in_dutch(self):
        activate_dutch(self.env)
        self.admin.lang = "nl_NL"
        wizard = self.wizard(party_id="12345678")
        self.assertIn("12345678 is geen PSB-partij-id", wizard.party_id_check)
        wizard.action_test_connection()
        self.assertIn("is geen PSB-partij-id", wizard.message)
        wizard = self.wizard()
        wizard.action_test_connection()
        self.assertEqual(
            wizard.message,
            "De PSB heeft de inloggegevens geaccepteerd; ze mogen partij "
            "0106:12345678 gebruiken.",
        )
        settings = (
            self.env["res.config.settings"]
            .with_user(self.admin)
            .with_context(lang="nl_NL")
            .create({})
        )
        notification = settings.action_psb_test_connection()
        self.assertEqual(
            notification["params"]["message"],
            wizard.message,
            "Test connection in Settings says the same",
        )
        self.assertEqual(settings.psb_party_scheme, "KvK")
        wrong = self.wizard(client_secret="nope")
        wrong.action_test_connection()
        self.assertIn(
            "De PSB-identiteitsserver weigerde de inloggegevens", wrong.message
        )

    def test_wizard_is_for_psb_administrators_only(self):
        new_test_user(
            self.env, "psb_setup_salesman", groups="sales_team.group_sale_salesman"
        )
        self.authenticate("psb_setup_salesman", "psb_setup_salesman")
        response = self.url_open(
            "/web/dataset/call_kw/econnect.psb.setup.wizard/create",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "econnect.psb.setup.wizard",
                        "method": "create",
                        "args": [{"party_id": self.PARTY_ID}],
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(
            response.json()["error"]["data"]["name"], "odoo.exceptions.AccessError"
        )

    def test_setup_tour(self):
        self.env.flush_all()
        code = (
            f"window.psbSandboxUrl = {json.dumps(self.sandbox.url)}; "
            "odoo.startTour('sale_econnect_psb_setup', {stepDelay: 0, "
            "keepWatchBrowser: false, debug: false, "
            "startUrl: '/odoo/settings#sale_management', delayToCheckUndeterminisms: "
            "0})"
        )
        self.start_tour(
            "/odoo/settings#sale_management",
            "sale_econnect_psb_setup",
            login="psb_setup_admin",
            code=code,
        )
        self.assertEqual(self.company.psb_party_id, self.PARTY_ID)
        self.assertEqual(self.company.psb_hook_state, "registered")
        self.assertEqual(self.company.psb_alert_email, "ops@example.com")
        self.assertTrue(
            any(r["path"].endswith("/hook/ping") for r in self.sandbox.requests)
        )
