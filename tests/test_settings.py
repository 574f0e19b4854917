# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SALESMAN, PsbCase


@tagged("post_install", "-at_install")
class TestAccess(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_salesman", groups=SALESMAN)
        cls.portal = new_test_user(cls.env, "psb_portal", groups="base.group_portal")

    def test_secrets_only_for_psb_administrators(self):
        company = self.company.with_user(self.salesman)
        with self.assertRaises(AccessError):
            company.read(["psb_client_secret"])
        with self.assertRaises(AccessError):
            company.read(["psb_webhook_secret"])
        self.assertEqual(
            company.psb_party_id, self.PARTY_ID, "the party id is not a secret"
        )

    def test_sales_user_reads_documents_but_cannot_edit_them(self):
        document = self.upload(b"<broken")
        as_salesman = document.with_user(self.salesman)
        self.assertEqual(as_salesman.state, "error")
        with self.assertRaises(AccessError):
            as_salesman.write({"state": "imported"})
        as_salesman.action_retry()  # the Retry button is allowed
        self.assertEqual(document.state, "downloaded")

    def test_portal_user_sees_nothing(self):
        document = self.upload(b"<broken")
        with self.assertRaises(AccessError):
            document.with_user(self.portal).read(["state"])

    def test_sales_user_cannot_import_by_document_id(self):
        wizard = (
            self.env["econnect.psb.import.wizard"]
            .with_user(self.salesman)
            .create({"mode": "document_id", "psb_document_id": "abc"})
        )
        with self.assertRaises(AccessError):
            wizard.action_import()

    def test_unconfigured_company_gives_a_clear_error(self):
        self.company.psb_client_secret = False
        with self.assertRaisesRegex(UserError, "Client Secret"):
            self.company._psb_client()


@tagged("post_install", "-at_install")
class TestSettingsLayout(PsbCase):
    def test_webhook_url_before_registering(self):
        self.env["ir.config_parameter"].set_param(
            "web.base.url", "https://odoo.example.com"
        )
        self.company.sudo().write({"psb_hook_state": "none", "psb_hook_url": False})
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            settings.psb_webhook_url, "https://odoo.example.com/econnect_psb/webhook"
        )
        arch = settings.get_view()["arch"]
        self.assertIn('name="psb_webhook_url"', arch)
        self.assertIn("CopyClipboardChar", arch)
        self.assertIn('id="psb_advanced"', arch)
        self.assertIn('name="action_psb_setup"', arch)
