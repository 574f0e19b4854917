# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors of the psb/ package in the reader's language (models/psb_messages.py): a malformed upload and
a PSB 404 read in Dutch for a Dutch PSB responsible, in English for an English one."""
from odoo.tests import new_test_user, tagged

from ..models.psb_messages import psb_error_text
from ..psb.exceptions import PsbError
from .test_lifecycle import SandboxCase
from .test_webhook import order_xml


@tagged("post_install", "-at_install")
class TestPsbErrorsInDutch(SandboxCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["sale_econnect_psb"], ["nl_NL"], overwrite=True)
        cls.dutch_user = new_test_user(cls.env, "psb_nl_beheerder", groups="sales_team.group_sale_salesman",
                                       lang="nl_NL")
        cls.company.psb_user_id = cls.dutch_user
        cls.env.user.lang = "en_US"

    def test_malformed_upload_in_dutch(self):
        document = self.upload(b'<?xml version="1.0"?>\n<Order><a></Order>', filename="kapot.xml")
        self.assertEqual(document.state, "error")
        self.assertEqual(document.error_message,
                         "Het document is geen goedgevormde XML (regel 2: een eindtag past niet bij zijn begintag).")
        self.company.psb_user_id.lang = "en_US"
        document.action_process_now()
        self.assertEqual(document.error_message,
                         "The document is not well-formed XML (line 2: an end tag does not match its start tag).")

    def test_unsafe_and_unsupported_uploads_in_dutch(self):
        dtd = self.upload(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', filename="dtd.xml")
        self.assertIn("declareert een DTD of entiteiten", dtd.error_message)
        invoice = self.upload(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
                              filename="factuur.xml")
        self.assertIn("is een UBL-Invoice, geen inkooporder. Facturen worden in Boekhouding verwerkt", invoice.error_message)

    def test_psb_404_in_dutch(self):
        self.sandbox.inject_fault("GET", r"/download$", status=404, count=1)
        document_id, document = self.receive(order_xml("NL404"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn(f"De PSB kent document {document_id} voor partij {self.PARTY_ID} niet", document.error_message)
        self.assertNotIn("does not know", document.error_message)

    def test_unknown_code_falls_back_to_the_message(self):
        env = self.env(context={"lang": "nl_NL"})
        self.assertEqual(psb_error_text(env, PsbError("Something new.", error_code="not_known_yet")),
                         "Something new.")
        self.assertEqual(psb_error_text(env, PsbError("The PSB found nothing (404).", error_code="not_found",
                                                       params={"psb_message": "Gone"})),
                         "De PSB vond niets (404). De PSB zei: Gone")
