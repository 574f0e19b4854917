# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors of the psb/ package in the reader's language (models/psb_messages.py): a
malformed upload and a PSB 404 read in Dutch for a Dutch PSB responsible, in English for
an English one; an answer that breaks the Order Response rules, in the CA wizard for a
Dutch salesman and on the failed answer after sending."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import code_translations

from ..models.psb_messages import psb_error_text
from ..psb.exceptions import PsbError
from ..psb.ubl.response import ResponseError
from .common import dutch_user
from .test_lifecycle import SandboxCase
from .test_webhook import order_xml

# Dutch for the answers' rule texts, as i18n/nl.po will have them (its msgstr is filled
# after the merge): the tests fail unless the text is one of the module's translatable
# texts, asked for in the reader's language.
ANSWER_TERMS_NL = {
    "Response line %(line_id)s (order line %(order_line_id)s)": "Antwoordregel "
    "%(line_id)s (orderregel "
    "%(order_line_id)s)",
    "%(where)s: the quantity cannot be negative (%(value)s).": "%(where)s: de "
    "hoeveelheid kan niet negatief "
    "zijn (%(value)s).",
    "%(where)s: the price cannot be negative (%(value)s).": "%(where)s: de prijs kan "
    "niet negatief zijn (%(value)s).",
    "The answer needs the buyer's Peppol id (endpoint).": "Het antwoord heeft de "
    "Peppol-id van de koper nodig.",
}


def dutch_terms(terms):
    """The module's Dutch code translations with ``terms`` added, for the duration of a
    ``with``."""
    key = ("sale_econnect_psb", "nl_NL")
    current = dict(code_translations.get_python_translations(*key))
    return patch.dict(
        code_translations.python_translations, {key: {**current, **terms}}
    )


@tagged("post_install", "-at_install")
class TestPsbErrorsInDutch(SandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dutch_user = dutch_user(cls.env, "psb_nl_beheerder")
        cls.company.psb_user_id = cls.dutch_user
        cls.env.user.lang = "en_US"

    def test_malformed_upload_in_dutch(self):
        document = self.upload(
            b'<?xml version="1.0"?>\n<Order><a></Order>', filename="kapot.xml"
        )
        self.assertEqual(document.state, "error")
        self.assertEqual(
            document.error_message,
            "Het document is geen goedgevormde XML (regel 2: een eindtag past niet "
            "bij zijn begintag).",
        )
        self.company.psb_user_id.lang = "en_US"
        document.action_process_now()
        self.assertEqual(
            document.error_message,
            "The document is not well-formed XML (line 2: an end tag does not match "
            "its start tag).",
        )

    def test_each_reader_sees_the_error_in_his_language(self):
        """Written in the PSB responsible's language (Dutch), shown to an English reader
        in English: the document keeps the error's code and params."""
        document = self.upload(
            b'<?xml version="1.0"?>\n<Order><a></Order>', filename="kapot2.xml"
        )
        self.assertEqual(
            (document.error_code, document.error_params["line"]), ("not_well_formed", 2)
        )
        english = document.with_context(lang="en_US")
        self.assertEqual(
            english.error_text,
            "The document is not well-formed XML (line 2: an end tag does not match "
            "its start tag).",
        )
        self.assertTrue(
            english.error_summary.startswith("The document is not well-formed XML")
        )
        dutch = document.with_user(self.dutch_user).with_context(lang="nl_NL")
        self.assertEqual(
            dutch.error_text,
            "Het document is geen goedgevormde XML (regel 2: een eindtag past niet "
            "bij zijn begintag).",
        )
        # Another message written later is shown as written, and the stale code is gone.
        document.write({"error_message": "Checked by hand."})
        self.assertFalse(document.error_code)
        self.assertEqual(
            document.with_context(lang="en_US").error_text, "Checked by hand."
        )

    def test_dutch_import_read_in_english_lists_each_line_once(self):
        """The import's notes are written while the responsible reads Dutch; the banner
        computed for an English reader is English, knows which line each note is about,
        and shows it once."""
        order = self.upload(order_xml("NLB1"), filename="nlb1.xml").sale_order_id
        self.assertIn(
            "Regel ",
            order.with_context(lang="nl_NL").psb_import_issues,
            "shown in Dutch to a Dutch reader",
        )
        dutch = order.with_context(lang="nl_NL").psb_attention_text.splitlines()
        english = order.with_context(lang="en_US").psb_attention_text.splitlines()
        self.assertEqual(len(english), len(dutch), english)
        self.assertTrue(any(line.startswith("Line ") for line in english))
        self.assertFalse(
            any(line.startswith("Regel ") for line in english),
            "no line twice, once per language",
        )

    def test_unsafe_and_unsupported_uploads_in_dutch(self):
        dtd = self.upload(
            b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', filename="dtd.xml"
        )
        self.assertIn("declareert een DTD of entiteiten", dtd.error_message)
        invoice = self.upload(
            b"<Invoice "
            b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
            filename="factuur.xml",
        )
        self.assertIn(
            "is een UBL-Invoice, geen inkooporder. Facturen worden in Boekhouding "
            "verwerkt",
            invoice.error_message,
        )

    def test_psb_404_in_dutch(self):
        self.sandbox.inject_fault("GET", r"/download$", status=404, count=1)
        document_id, document = self.receive(order_xml("NL404"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn(
            f"De PSB kent document {document_id} voor partij {self.PARTY_ID} niet",
            document.error_message,
        )
        self.assertNotIn("does not know", document.error_message)

    def test_unknown_code_falls_back_to_the_message(self):
        env = self.env(context={"lang": "nl_NL"})
        self.assertEqual(
            psb_error_text(env, PsbError("Something new.", error_code="not_known_yet")),
            "Something new.",
        )
        self.assertEqual(
            psb_error_text(
                env,
                PsbError(
                    "The PSB found nothing (404).",
                    error_code="not_found",
                    params={"psb_message": "Gone"},
                ),
            ),
            "De PSB vond niets (404). De PSB zei: Gone",
        )


@tagged("post_install", "-at_install")
class TestAnswerRulesInDutch(SandboxCase):
    """ResponseError (psb/ubl/response.py) reaches a person through psb_error_text: in
    the CA wizard, in the language of who answers; after sending, in the
    salesperson's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.verkoper = dutch_user(cls.env, "psb_nl_verkoper")
        cls.company.psb_auto_acknowledge = False
        cls.env.user.lang = "en_US"

    def order(self, ref):
        document = self.deliver(order_xml(ref))
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        order.user_id = self.verkoper
        return order

    def test_ca_wizard_says_the_broken_rule_in_dutch(self):
        order = self.order("NLCA1")
        as_dutch = order.with_user(self.verkoper).with_context(lang="nl_NL")
        action = as_dutch.action_psb_accept_with_changes()
        wizard = as_dutch.env[action["res_model"]].browse(action["res_id"])
        wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
        first = wizard.line_ids.filtered(lambda ln: ln.order_line_ref == "1")
        first.write({"status": "3", "quantity": -2})
        with dutch_terms(ANSWER_TERMS_NL), self.assertRaises(UserError) as err:
            wizard.action_send()
        self.assertRegex(
            str(err.exception.args[0]),
            r"^Antwoordregel \d+ \(orderregel 1\): de hoeveelheid kan niet negatief "
            r"zijn \(-2\)\.$",
        )
        self.assertFalse(
            order.psb_response_ids, "nothing is queued that breaks the rules"
        )
        # The same in English for an English user.
        with self.assertRaisesRegex(
            UserError,
            r"^Response line \d+ \(order line 1\): the quantity cannot be "
            r"negative \(-2\)\.$",
        ):
            wizard.with_context(lang="en_US").action_send()

    def test_accept_without_the_buyers_peppol_id_in_dutch(self):
        order = self.order("NLAP1")
        order.psb_buyer_endpoint = False
        with (
            dutch_terms(ANSWER_TERMS_NL),
            self.assertRaises(UserError) as err,
        ):  # (a savepoint: rolled back)
            order.with_user(self.verkoper).with_context(
                lang="nl_NL"
            ).action_psb_accept()
        self.assertEqual(
            err.exception.args[0], "Het antwoord heeft de Peppol-id van de koper nodig."
        )
        self.assertFalse(order.psb_response_ids)

    def test_failed_answer_in_the_salespersons_language(self):
        order = self.order("NLCA2")
        lines = order._psb_response_lines()
        lines[0].update({"status": "3", "price": -1.0, "price_changed": True})
        response = order._psb_queue_response(
            "CA", note="x", lines=lines, auto=True
        )  # not checked when queued
        with dutch_terms(ANSWER_TERMS_NL):
            self.env["econnect.psb.response"]._cron_send_responses()
        self.assertEqual(response.state, "failed")
        self.assertRegex(
            response.error_message,
            r"^Antwoordregel \d+ \(orderregel \d+\): de prijs kan niet negatief zijn "
            r"\(-1\)\.$",
        )
        activity = order.activity_ids.filtered(lambda a: a.psb_kind == "answer")
        self.assertEqual(activity.user_id, self.verkoper)
        self.assertIn("de prijs kan niet negatief zijn", activity.note)
        self.assertEqual(
            activity.summary,
            "Peppol-antwoord CA mislukt",
            "the activity in his language too",
        )
        self.verkoper.lang = "en_US"
        response.action_retry()
        self.env["econnect.psb.response"]._cron_send_responses()
        self.assertRegex(
            response.error_message, r"the price cannot be negative \(-1\)\.$"
        )

    def test_sent_answer_in_the_salespersons_language(self):
        _document_id, document = self.receive(
            order_xml("NLAP2")
        )  # at the PSB: the answer can reach it
        document._process(commit=False)
        order = document.sale_order_id
        order.user_id = self.verkoper
        order._psb_queue_response("AP", auto=True)
        self.env["econnect.psb.response"]._cron_send_responses()
        self.assertEqual(order.psb_response_ids.state, "sent")
        self.assertIn(
            "Peppol-orderreactie Geaccepteerd (AP) via de eConnect PSB naar de koper "
            "verzonden.",
            order.message_ids[0].body,
            "the answer's label in his language too",
        )

    def test_psb_error_text_asks_env_for_the_english_msgid(self):
        """The Dutch text comes from env._ with the English msgid: without a Dutch entry
        it stays English."""
        error = ResponseError(
            "The answer needs the buyer's Peppol id (endpoint).",
            error_code="answer_no_endpoint",
            params={"role": "buyer"},
        )
        env = self.env(context={"lang": "nl_NL"})
        with dutch_terms(ANSWER_TERMS_NL):
            self.assertEqual(
                psb_error_text(env, error),
                "Het antwoord heeft de Peppol-id van de koper nodig.",
            )
        with dutch_terms({"The answer needs the buyer's Peppol id (endpoint).": "X"}):
            self.assertEqual(psb_error_text(env, error), "X")


@tagged("post_install", "-at_install")
class TestRecordTitlesInDutch(TransactionCase):
    """A document's title is written when it is shown, in the reader's language, not
    stored in English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.verkoper = dutch_user(cls.env, "psb_nl_titels")
        Document = cls.env["econnect.psb.document"]
        cls.change = Document.create(
            {
                "company_id": cls.env.company.id,
                "topic": "OrderChangeReceived",
                "document_type": "order_change",
                "psb_document_id": "title-1",
                "buyer_order_ref": "4500099999",
            }
        )
        cls.cancellation = Document.create(
            {
                "company_id": cls.env.company.id,
                "topic": "OrderCancellationReceived",
                "document_type": "order_cancellation",
                "psb_document_id": "title-2",
            }
        )

    def test_titles_in_the_readers_language(self):
        dutch = self.change.with_user(self.verkoper).with_context(lang="nl_NL")
        english = self.change.with_context(lang="en_US")
        # Read in both languages in one transaction: each reader gets his own (no
        # English from the cache).
        self.assertEqual(english.name, "Order Change 4500099999")
        self.assertEqual(dutch.name, "Orderwijziging 4500099999")
        self.assertEqual(dutch.display_name, "Orderwijziging 4500099999")
        self.assertEqual(english.display_name, "Order Change 4500099999")
        self.assertEqual(
            self.cancellation.with_context(lang="nl_NL").display_name,
            "Orderannulering (OrderCancellationReceived title-2)",
        )
        # A sale order's Many2one shows it in the reader's language too.
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "T"}).id,
                "psb_pending_document_id": self.change.id,
            }
        )
        self.assertEqual(
            order.with_context(lang="nl_NL").psb_pending_document_id.display_name,
            "Orderwijziging 4500099999",
        )

    def test_titles_are_searched_by_what_they_show(self):
        Document = (
            self.env["econnect.psb.document"]
            .with_user(self.verkoper)
            .with_context(lang="nl_NL")
        )
        self.assertEqual(
            Document.search([("name", "ilike", "Orderwijziging 4500099999")]),
            self.change,
        )
        self.assertEqual(
            Document.search([("name", "ilike", "4500099999")]), self.change
        )
        self.assertEqual(
            Document.search([("name", "ilike", "Orderannulering")]), self.cancellation
        )
        self.assertFalse(
            Document.search([("name", "ilike", "Orderannulering 4500099999")])
        )
        self.assertEqual(
            [r[0] for r in Document.name_search("4500099999")], [self.change.id]
        )
        self.assertEqual(
            Document.with_context(lang="en_US").search(
                [("name", "ilike", "Order Change 45000")]
            ),
            self.change,
        )
