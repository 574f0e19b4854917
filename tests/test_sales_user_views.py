# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 29, items 5 and 6: the order desk says what its cards hold and what needs
action; a sales user on a failed document is told who can act and what Retry did; an
answer reads as what was answered, line by line; an order's first chatter line says
where it came from."""

from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..models.econnect_psb_queue_mixin import Failed
from ..psb import exceptions as psb_errors
from .common import PsbHttpCase, dutch_user, upload_document
from .test_access_entry_points import RpcCase
from .test_access_scope import cancellation_xml
from .test_access_scope import order_xml as scope_order_xml
from .test_ui import future_order_xml


def figures_as(env, user):
    Desk = env["econnect.psb.dashboard"].with_user(user)
    return {card["key"]: card for card in Desk.get_figures()["figures"]}


@tagged("post_install", "-at_install")
class TestDeskCards(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, "psb29_desk", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Desk 29 BV", "is_company": True}
        )
        cls.env["crm.team"].search([]).write({"member_ids": [(3, cls.user.id)]})

    def order(self, ref, user=None):
        document = self.env["econnect.psb.document"].create(
            {
                "company_id": self.env.company.id,
                "topic": "OrderReceived",
                "document_type": "order",
                "state": "imported",
                "psb_document_id": f"desk29-{ref}",
            }
        )
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": (user or self.user).id,
                "team_id": False,
                "psb_document_id": document.id,
                "psb_profile": "ordering",
            }
        )

    def test_own_activities_count_without_a_team(self):
        """A salesman in no sales team sees his own Peppol activities on the desk, and
        in the list it opens."""
        self.assertFalse(
            self.env["crm.team"].search([("member_ids", "in", self.user.ids)])
        )
        for n in range(3):
            self.order(f"own-{n}")._psb_activity(
                "import", summary=f"Check {n}", note="<p>x</p>", user=self.user
            )
        card = figures_as(self.env, self.user)["team_activities"]
        self.assertEqual(card["value"], 3)
        self.assertEqual(
            self.env["mail.activity"].with_user(self.user).search_count(card["domain"]),
            3,
        )
        self.assertEqual(card["attention"], "warning", "activities ask for a person")
        # The list the card opens (its action and default filter) lists them too.
        action = self.env.ref("sale_econnect_psb.action_psb_team_activities")
        search = (
            self.env["mail.activity"]
            .with_user(self.user)
            .get_views([(action.search_view_id.id, "search")])
        )
        node = etree.fromstring(search["views"]["search"]["arch"]).find(
            ".//filter[@name='filter_psb_my_team']"
        )
        domain = safe_eval(action.domain) + safe_eval(
            node.get("domain"), {"uid": self.user.id}
        )
        self.assertEqual(
            self.env["mail.activity"].with_user(self.user).search_count(domain), 3
        )

    def test_waiting_for_a_person_leaves_out_orders_waiting_for_the_buyer(self):
        person, buyer = self.order("person"), self.order("buyer")
        buyer.psb_agreement_state = "proposed"  # our CA: the buyer answers next
        cards = figures_as(self.env, self.user)
        self.assertEqual(
            (cards["waiting"]["value"], cards["waiting_buyer"]["value"]), (1, 1)
        )
        self.assertEqual(
            self.env["sale.order"].search(cards["waiting"]["domain"]), person
        )
        self.assertEqual(cards["waiting"]["attention"], "warning")
        self.assertFalse(
            cards["waiting_buyer"]["attention"],
            "waiting for the buyer is nobody's action here",
        )

    def test_empty_cards_explain_and_open_the_desk_list(self):
        cards = figures_as(self.env, self.user)
        desk_list = self.env.ref("sale_econnect_psb.view_sale_order_psb_desk_list")
        for key, card in cards.items():
            with self.subTest(card=key):
                if card["action"]:  # its own action, with its own help
                    self.assertIn(
                        "Nothing for you or your team",
                        card["action"] and self.env.ref(card["action"]).help,
                    )
                    continue
                self.assertIn("o_view_nocontent", card["help"])
                self.assertFalse(card["attention"], "0 needs nothing")
                self.assertEqual(
                    card["view_id"],
                    desk_list.id if card["model"] == "sale.order" else False,
                )
        self.assertIn("No Peppol order received today", cards["today"]["help"])
        # ... in the reader's language.
        verkoper = dutch_user(self.env, "psb29_desk_nl")
        dutch = figures_as(self.env(context={"lang": "nl_NL"}), verkoper)
        self.assertIn("Vandaag geen Peppol-order ontvangen", dutch["today"]["help"])
        self.assertIn("Geen order wacht op de koper", dutch["waiting_buyer"]["help"])
        # The desk's list: received date, the quotation columns, no sample records, no
        # New.
        arch = etree.fromstring(
            self.env["sale.order"].get_views([(desk_list.id, "list")])["views"]["list"][
                "arch"
            ]
        )
        self.assertEqual((arch.get("create"), arch.get("sample")), ("0", "0"))
        self.assertEqual(
            arch.find(".//field[@name='create_date']").get("string"), "Received"
        )
        self.assertIsNone(
            arch.find(".//field[@name='date_order']"), "not the buyer's issue date"
        )
        invoicing = arch.find(".//field[@name='invoice_status']")
        self.assertTrue(
            invoicing is None or invoicing.get("optional") == "hide",
            "no invoicing column shown",
        )


@tagged("post_install", "-at_install")
class TestFailedDocumentForSalesUser(RpcCase):
    """Over HTTP, as the web client calls it: what a sales user reads on a document in
    error, and Retry."""

    def read_as(self, user, document, field="error_hint"):
        [values] = self.allowed(
            user, "econnect.psb.document", "read", [document.id], [field]
        )
        return values[field]

    def test_unreadable_document(self):
        document = upload_document(
            self.env, b"<Order><broken", self.company, "broken.xml"
        )
        self.assertEqual((document.state, document.error_fix), ("error", "none"))
        hint = self.read_as(self.salesman, document)
        self.assertIn("Retrying cannot help", hint)
        self.assertIn("your PSB administrator can set this one aside", hint)
        admin_hint = self.read_as(self.psb_admin_a, document)
        self.assertIn("set this one aside with Ignore", admin_hint)
        self.assertNotIn("your PSB administrator", admin_hint)
        # Retry, pressed anyway: the salesman is told what came of it, and the chatter
        # keeps it.
        action = self.allowed(
            self.salesman, "econnect.psb.document", "action_retry_now", [document.id]
        )
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("failed again", action["params"]["message"])
        self.assertIn("Retrying cannot help", action["params"]["message"])
        self.assertIn("failed again", document.message_ids.sorted("id")[-1].body)

    def test_cancellation_of_another_buyer_needs_a_psb_administrator(self):
        order = self.imported(scope_order_xml("FIX1"))
        other = b'<cbc:EndpointID schemeID="0106">99999999</cbc:EndpointID>'
        cancellation = upload_document(
            self.env, cancellation_xml("FIX1", endpoint=other), self.company, "c.xml"
        )
        self.assertEqual(
            (cancellation.state, cancellation.error_fix),
            ("error", "link"),
            cancellation.error_message,
        )
        self.assertFalse(order.psb_pending_document_id)
        hint = self.read_as(self.salesman, cancellation)
        self.assertIn(
            "ask your PSB administrator to choose the order with Link to sale order",
            hint,
        )
        self.assertIn(
            "Choose its sale order with Link to sale order",
            self.read_as(self.psb_admin_a, cancellation),
        )

    def test_retry_that_works_says_so(self):
        """A document in error that Retry can help (e.g. the PSB was unreachable): Retry
        says what it did."""
        document = self.imported(
            scope_order_xml("FIX2"), user=self.salesman
        ).psb_document_id
        self.assertTrue(document)
        document.write(
            {
                "state": "error",
                "error_message": "The PSB could not be reached.",
                "error_fix": "retry",
            }
        )
        self.env.flush_all()
        self.assertEqual(
            self.read_as(self.salesman, document),
            "Press Retry to process it again now.",
        )
        action = self.allowed(
            self.salesman, "econnect.psb.document", "action_retry_now", [document.id]
        )
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(
            f"was applied to {document.sale_order_id.name}", action["params"]["message"]
        )
        self.assertEqual(document.state, "imported")
        self.assertFalse(
            self.read_as(self.salesman, document), "nothing to do any more"
        )

    def test_who_can_act_on_a_failure(self):
        Document = self.Document
        auth = Document._queue_classify(psb_errors.PsbAuthError("401", status=401))
        self.assertEqual(Document._failed_fix(auth), "settings")
        refused = Document._queue_classify(
            psb_errors.PsbNotFoundError("404", status=404)
        )
        self.assertEqual(Document._failed_fix(refused), "none")
        self.assertEqual(
            Document._failed_fix(
                Failed("x", error=psb_errors.PsbTransientError("503"))
            ),
            "retry",
        )
        self.assertEqual(Document._failed_fix(Failed("x", retry_helps=False)), "none")

    def test_first_chatter_line_says_who_uploaded(self):
        order = self.imported(scope_order_xml("FIX3"))
        first = order.message_ids.sorted("id")[:1]
        self.assertIn("uploaded by hand by", first.body)
        self.assertIn(self.env.user.name, first.body)
        self.assertIn("not received through the eConnect PSB", first.body)

    def test_smart_button_opens_the_document(self):
        order = self.imported(scope_order_xml("FIX4"), user=self.salesman)
        action = self.allowed(
            self.salesman, "sale.order", "action_psb_view_documents", [order.id]
        )
        self.assertEqual(
            (action["res_id"], action["view_mode"]), (order.psb_document_id.id, "form")
        )
        # With a change or cancellation as well, the list of them.
        upload_document(self.env, cancellation_xml("FIX4"), self.company, "cxl.xml")
        action = self.allowed(
            self.salesman, "sale.order", "action_psb_view_documents", [order.id]
        )
        self.assertFalse(action.get("res_id"))
        self.assertEqual(self.Document.search_count(action["domain"]), 2)


@tagged("post_install", "-at_install")
class TestAnswerRecordForSalesUser(PsbHttpCase):
    """The answer record as the sales desk reads it, and a CA's changes in the order's
    chatter; an order the PSB delivered says so in its first chatter line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            "psb29_answer_user",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        cls.psb_admin = new_test_user(
            cls.env, "psb29_answer_admin", groups="sale_econnect_psb.group_psb_manager"
        )

    def import_by_id(self, order_id):
        document_id = self.sandbox.add_document(
            self.PARTY_ID, future_order_xml(order_id)
        )
        wizard = self.env["econnect.psb.import.wizard"].create(
            {"mode": "document_id", "psb_document_id": document_id}
        )
        document = self.Document.browse(wizard.action_import()["res_id"])
        self.assertEqual(document.state, "imported", document.error_message)
        return document.sale_order_id

    def test_ca_lines_in_the_chatter_and_the_sales_view(self):
        order = self.import_by_id("ANS29")
        first = order.message_ids.sorted("id")[:1]
        self.assertIn("fetched from the eConnect PSB by", first.body)
        Response = self.env["econnect.psb.response"]
        Response._cron_send_responses()
        action = order.action_psb_accept_with_changes()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        wizard.line_ids.filtered(lambda ln: ln.order_line_ref == "1").write(
            {"status": "3", "quantity": 8}
        )
        wizard.line_ids.filtered(lambda ln: ln.order_line_ref == "2").write(
            {"status": "7", "note": "Sold out"}
        )
        wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
        wizard.action_send()
        Response._cron_send_responses()
        ca = order.psb_response_ids.filtered(lambda r: r.code == "CA")
        self.assertEqual(ca.state, "sent")
        body = order.message_ids.filtered(
            lambda m: "<li>" in (m.body or "") and "Order Response" in m.body
        ).body
        self.assertTrue(body, "the CA's changes are listed in the chatter")
        self.assertRegex(body, r"<li>Line 1, [^<]*: changed: quantity 8")
        self.assertIn("rejected (Sold out)", body)
        # The sales view: the lines; the technical fields only for PSB administrators
        # (and in debug mode).
        for user, technical in ((self.salesman, False), (self.psb_admin, True)):
            with self.subTest(user=user.login):
                views = Response.with_user(user).get_views([(False, "form")])
                arch = etree.fromstring(views["views"]["form"]["arch"])
                self.assertIsNotNone(
                    arch.find(".//field[@name='line_ids']/list/field[@name='status']")
                )
                self.assertEqual(
                    arch.find(".//field[@name='idempotency_key']") is not None,
                    technical,
                )
                self.assertEqual(
                    arch.find(".//field[@name='request_body']") is not None, technical
                )
                self.assertEqual(
                    views["views"]["form"]["id"],
                    self.env.ref(
                        "sale_econnect_psb.view_econnect_psb_response_form"
                    ).id,
                )
