# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Dutch sales desk: generated texts in the reader's language, who follows an order
up, missing prices."""

import json

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.mail.tools.discuss import Store

from .common import MODULE_ROOT, PsbCase, activate_dutch, dutch_user
from .test_order_import import TestMatching

CHANGE_FOR_UNKNOWN_ORDER = (
    MODULE_ROOT / "psb" / "tests" / "data" / "order_change_minimal.xml"
).read_bytes()


def order_xml(ref, kvk=b"87654321", name=b"Tuincentrum BV"):
    return TestMatching.ORDER % {
        b"id": ref,
        b"buyer_kvk": kvk,
        b"buyer_name": name,
        b"buyer_vat": b"",
    }


@tagged("post_install", "-at_install")
class TestLanguage(PsbCase):
    """Banner, activity and chatter in the responsible user's language, the AB note in
    the customer's, document errors in the PSB responsible's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dutch_user = dutch_user(cls.env, "psb_nl_verkoper")
        cls.company.write(
            {"psb_user_id": cls.dutch_user.id, "psb_auto_acknowledge": True}
        )
        cls.env.user.lang = "en_US"

    def test_texts_in_the_readers_language(self):
        # The customer speaks Dutch: the note of the AB, which the buyer reads, is
        # Dutch.
        self.env["res.partner"].create(
            {
                "name": "Tuincentrum BV",
                "is_company": True,
                "lang": "nl_NL",
                "peppol_eas": "0106",
                "peppol_endpoint": "87654321",
            }
        )
        order = self.deliver(order_xml(b"NL-1")).sale_order_id
        self.assertEqual(order.user_id, self.dutch_user)
        # Shown in the reader's language (the Dutch responsible's here).
        issues = (
            order.with_user(self.dutch_user)
            .with_context(lang="nl_NL")
            .psb_import_issues
        )
        self.assertIn("Regel 4: product niet gevonden (geen artikel-ID)", issues)
        self.assertNotIn("product not found", issues)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.dutch_user)
        self.assertEqual(activity.summary, "Peppol-order PO-NL-1 controleren")
        self.assertIn(
            "Deze order is via Peppol binnengekomen; controleer vóór het bevestigen:",
            activity.note,
        )
        self.assertIn(
            "Offerte aangemaakt vanuit Peppol-order PO-NL-1", order.message_ids[-1].body
        )
        ab = order.psb_response_ids.filtered(lambda r: r.code == "AB")
        self.assertEqual(ab.note, "Order ontvangen; wij bevestigen deze binnenkort.")

    def test_english_buyer_gets_english_note_dutch_desk_dutch_banner(self):
        self.env["res.partner"].create(
            {
                "name": "Garden Ltd",
                "is_company": True,
                "lang": "en_US",
                "peppol_eas": "0106",
                "peppol_endpoint": "11223344",
            }
        )
        order = self.deliver(
            order_xml(b"EN-1", kvk=b"11223344", name=b"Garden Ltd")
        ).sale_order_id
        self.assertIn(
            "product niet gevonden", order.with_context(lang="nl_NL").psb_import_issues
        )
        self.assertEqual(
            order.psb_response_ids.filtered(lambda r: r.code == "AB").note,
            "Order received; we will confirm it shortly.",
        )
        # The AB button on the quotation writes in the buyer's language too.
        order.psb_response_ids.unlink()
        order.psb_agreement_state = "received"  # as before its AB: one AB per order
        order.with_user(self.dutch_user).with_context(
            lang="nl_NL"
        ).action_psb_acknowledge()
        self.assertEqual(
            order.psb_response_ids.note, "Order received; we will confirm it shortly."
        )

    def test_document_error_in_the_responsibles_language(self):
        document = self.upload(CHANGE_FOR_UNKNOWN_ORDER, filename="change.xml")
        self.assertEqual(document.state, "downloaded", "it waits for its order")
        self.assertIn(
            "wacht op order PO-1, die nog niet in Odoo is", document.error_message
        )
        self.company.psb_user_id.lang = "en_US"
        document.action_process_now()
        self.assertIn(
            "waits for order PO-1, which is not in Odoo yet", document.error_message
        )


@tagged("post_install", "-at_install")
class TestResponsible(PsbCase):
    """Activities go to someone who can act: never the administrator by accident."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.psb_user_id = False
        cls.leader = new_test_user(
            cls.env, "psb_team_leader", groups="sales_team.group_sale_salesman"
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Peppol desk",
                "user_id": cls.leader.id,
                "sequence": -1,
                "company_id": cls.company.id,
            }
        )

    def test_team_leader_by_default(self):
        Importer = (
            self.env["econnect.psb.order.import"]
            .with_user(self.env.ref("base.user_root"))
            .sudo()
        )
        customer = self.env["res.partner"].create({"name": "No salesperson BV"})
        self.assertEqual(
            Importer._responsible_user(self.company, customer), self.leader
        )
        customer.user_id = salesperson = new_test_user(
            self.env, "psb_salesperson", groups="sales_team.group_sale_salesman"
        )
        self.assertEqual(
            Importer._responsible_user(self.company, customer),
            salesperson,
            "the customer's salesperson first",
        )

    def test_webhook_registrar_when_no_team_has_a_leader(self):
        self.env["crm.team"].search([]).write({"user_id": False})
        registrar = new_test_user(
            self.env, "psb_registrar", groups="sales_team.group_sale_manager"
        )
        self.company.sudo().psb_hook_user_id = registrar
        Importer = (
            self.env["econnect.psb.order.import"]
            .with_user(self.env.ref("base.user_root"))
            .sudo()
        )
        customer = self.env["res.partner"].create({"name": "No salesperson BV"})
        self.assertEqual(Importer._responsible_user(self.company, customer), registrar)

    def test_settings_say_what_happens_when_empty(self):
        help_text = self.env["res.company"]._fields["psb_user_id"].help
        self.assertIn("When empty", help_text)
        self.assertIn("sales team", help_text)


@tagged("post_install", "-at_install")
class TestMissingPrice(PsbCase):
    def test_unmatched_lines_keep_the_buyers_price_or_say_it_is_missing(self):
        order = self.upload(order_xml(b"PRICE-1")).sale_order_id
        by_ref = {line.psb_line_ref: line for line in order.order_line}
        placeholder = self.env.ref("sale_econnect_psb.product_psb_unknown")
        self.assertEqual(
            by_ref["3"].product_id,
            placeholder,
            "no product has the buyer's code LIJM-9 here",
        )
        self.assertEqual(
            by_ref["3"].price_unit,
            12.5,
            "the buyer's price is kept on an unmatched line",
        )
        self.assertNotIn("price missing", by_ref["3"].psb_import_issue or "")
        self.assertEqual(by_ref["4"].product_id, placeholder)
        self.assertIn(
            "price missing (0.00): the total is incomplete",
            by_ref["4"].psb_import_issue,
        )
        self.assertIn(
            "Line 4: product not found (no item id); unit code ZZZ is not known; the "
            "product's unit was "
            "used; price missing (0.00): the total is incomplete",
            order.psb_import_issues,
        )


@tagged("post_install", "-at_install")
class TestAnswerWizard(PsbCase):
    """Accept with changes (CA): Odoo's unit names, lines that need a decision, the same
    words throughout."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["product.product"].create(
            {"name": "Screws", "barcode": "8712345678906", "list_price": 4.0}
        )
        cls.env["product.product"].create(
            {
                "name": "Nails",
                "default_code": "NAIL-01",
                "list_price": 0.0,
                "uom_id": cls.env.ref("uom.product_uom_kgm").id,
            }
        )

    def test_lines_to_decide_and_unit_names(self):
        order = self.deliver(order_xml(b"CA-1")).sale_order_id
        action = order.action_psb_accept_with_changes()
        self.assertEqual(action["name"], "Accept with changes (CA)")
        arch = self.env["econnect.psb.response.wizard"].get_view(action.get("view_id"))[
            "arch"
        ]
        self.assertIn(
            'string="Accept with changes (CA)"',
            arch,
            "the button says what the title says",
        )
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        lines = {line.order_line_ref: line for line in wizard.line_ids}
        unit = self.env.ref("uom.product_uom_unit").name
        self.assertEqual(
            (lines["1"].status, lines["1"].needs_decision, lines["1"].unit_label),
            ("5", False, f"{unit} (H87)"),
        )
        self.assertEqual(
            (lines["2"].status, lines["2"].needs_decision, lines["2"].unit_label),
            (False, "no price", "kg (KGM)"),
        )
        self.assertEqual(
            (lines["3"].status, lines["3"].needs_decision),
            (False, "product not identified"),
            "the buyer's price 12.50 is kept, but nobody knows the product",
        )
        self.assertEqual(
            (lines["4"].status, lines["4"].needs_decision),
            (False, "product not identified, no price"),
        )
        self.assertEqual(
            wizard.undecided_summary,
            "2 (no price); 3 (product not identified); 4 (product not identified, no "
            "price)",
        )
        self.assertFalse(wizard.nothing_changed)
        with self.assertRaisesRegex(
            UserError, r"Decide on these lines first .*: 2 \(no price\)"
        ):
            wizard.action_send()
        (lines["2"] | lines["3"] | lines["4"]).status = "5"
        self.assertFalse(wizard.undecided_summary)
        self.assertTrue(wizard.nothing_changed, "the wizard warns that nothing changed")
        with self.assertRaisesRegex(UserError, "Nothing changed on any line"):
            wizard.action_send()
        lines["4"].write({"status": "7", "note": "Not in our range"})
        self.assertFalse(wizard.nothing_changed)
        wizard.action_send()
        ca = order.psb_response_ids.filtered(lambda r: r.code == "CA")
        self.assertEqual(ca.line_ids.mapped("status"), ["5", "5", "5", "7"])
        self.assertEqual(
            ca.line_ids.mapped("unit_code"),
            ["H87", "KGM", "XBX", "ZZZ"],
            "the codes go to the buyer",
        )


@tagged("post_install", "-at_install")
class TestReadersLanguage(PsbCase):
    """What the import writes for people is kept as codes and parameters and shown in
    the reader's language: a Dutch colleague reads Dutch, with Dutch numbers, amounts
    and dates, on an order imported while its responsible was English (issue 29)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_dutch(cls.env)
        cls.english = new_test_user(
            cls.env,
            "psb_en_seller",
            groups="sales_team.group_sale_salesman",
            lang="en_US",
        )
        cls.dutch = new_test_user(
            cls.env,
            "psb_nl_lezer",
            groups="sales_team.group_sale_salesman_all_leads",
            lang="nl_NL",
        )
        cls.company.write(
            {
                "psb_user_id": cls.english.id,
                "psb_auto_confirm": True,
                "psb_auto_acknowledge": True,
                "psb_max_line_quantity": 2,
            }
        )
        cls.env.user.lang = "en_US"
        cls.env["product.product"].create(
            {"name": "Screws", "barcode": "8712345678906", "list_price": 3.0}
        )
        cls.env["res.partner"].create(
            {
                "name": "Tuincentrum BV",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": "87654321",
            }
        )

    def _imported(self):
        document = self.deliver(order_xml(b"LEES-1"))
        self.env["econnect.psb.auto.confirm"]._run(document)
        order = document.sale_order_id
        self.assertEqual(order.user_id, self.english)
        return order

    def test_dutch_reader_of_an_english_responsibles_order(self):
        order = self._imported()
        as_dutch = order.with_user(self.dutch).with_context(lang="nl_NL")
        # The banner and the lines' issues: Dutch words, a Dutch decimal comma.
        banner = as_dutch.psb_attention_text
        self.assertIn("Regel 2: product niet gevonden (onze ref. NAIL-01)", banner)
        self.assertIn(
            "aantal 2,5 ligt boven het aannemelijke maximum 2: controleer dit", banner
        )
        self.assertIn("Regel 4: product niet gevonden (geen artikel-ID)", banner)
        self.assertNotIn("Line ", banner)
        line2 = as_dutch.order_line.filtered(lambda ln: ln.psb_line_ref == "2")
        self.assertIn("aantal 2,5", line2.psb_import_issue)
        # The price flag: Dutch amounts.
        self.assertIn(
            "regel 1: 2,50\xa0€ besteld, onze prijs 3,00\xa0€ (−16,7 %, tolerantie 0 "
            "%)",
            as_dutch.psb_price_warning,
        )
        # Why it was not confirmed automatically: a Dutch date.
        self.assertIn(
            "de gevraagde leverdatum 01-12-2026 ligt in het verleden",
            as_dutch.psb_auto_reasons,
        )

        # The activity, as the activity widget gets it.
        activity = as_dutch.activity_ids.filtered(lambda a: a.psb_kind == "import")
        self.assertEqual(activity.user_id, self.english)
        shown = json.dumps(
            activity.with_user(self.dutch).with_context(lang="nl_NL").activity_format(),
            ensure_ascii=False,
        )
        self.assertIn("Peppol-order PO-LEES-1 controleren", shown)
        self.assertIn(
            "Deze order is via Peppol binnengekomen; controleer vóór het bevestigen:",
            shown,
        )
        self.assertIn("aantal 2,5", shown)
        self.assertNotIn("Check the Peppol order", shown)

        # The chatter, as the chatter gets it.
        messages = as_dutch.message_ids.with_user(self.dutch).with_context(lang="nl_NL")
        shown = json.dumps(Store().add(messages).get_result(), ensure_ascii=False)
        self.assertIn("Offerte aangemaakt vanuit Peppol-order PO-LEES-1", shown)
        self.assertNotIn("Quotation created from Peppol order", shown)

        # The English responsible reads the same order in English, with English numbers
        # and dates.
        as_english = order.with_user(self.english).with_context(lang="en_US")
        self.assertIn(
            "quantity 2.5 is above the plausible 2: check it",
            as_english.psb_attention_text,
        )
        self.assertIn(
            "line 1: 2.50\xa0€ ordered, our price 3.00\xa0€ (−16.7 %, tolerance 0 %)",
            as_english.psb_price_warning,
        )
        self.assertIn(
            "the requested delivery date 12/01/2026 is in the past",
            as_english.psb_auto_reasons,
        )
        shown = json.dumps(
            activity.with_user(self.english)
            .with_context(lang="en_US")
            .activity_format()
        )
        self.assertIn("Check the Peppol order PO-LEES-1", shown)
        # What e-mails and exports see: the texts in the language of the person they are
        # for.
        self.assertIn("Check the Peppol order PO-LEES-1", activity.sudo().summary)
