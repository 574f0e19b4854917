# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Answering orders with Peppol Order Responses, sent through the PSB sandbox."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..psb.peppol_rules import PeppolValidator
from .common import (
    ALL_LEADS,
    NO_PEPPOL_MSG,
    PsbHttpCase,
    activate_dutch,
    event_body,
    order_xml,
    peppol_dir,
    run_with_note,
)

ADVANCED = b"urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"
ORDERING = b"urn:fdc:peppol.eu:poacc:bis:ordering:3"


@tagged("post_install", "-at_install")
class TestOrderResponse(PsbHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_answer_user", groups=ALL_LEADS)
        cls.portal = new_test_user(
            cls.env, "psb_answer_portal", groups="base.group_portal"
        )
        cls.sku1 = cls.env["product.product"].create(
            {"name": "Screws", "default_code": "SKU-1", "list_price": 2.0}
        )

    def sent(self, document_id):
        return [r for r in self.sandbox.responses if r["document_id"] == document_id]

    def test_acknowledge_automatically_then_accept_once(self):
        document_id, order = self.import_order("R1")
        self.assertEqual(
            order.psb_response_ids.mapped("code"), ["AB"], "AB is queued on import"
        )
        self.assertTrue(order.psb_awaiting_answer)
        self.send()
        [ab] = self.sent(document_id)
        self.assertEqual((ab["party"], ab["json"]["status"]), (self.PARTY_ID, "AB"))
        response = order.psb_response_ids
        self.assertEqual(
            ab["response_id"],
            response.idempotency_key,
            "sent with X-EConnect-DocumentId",
        )
        self.assertEqual((response.state, order.psb_response_state), ("sent", "sent"))
        self.assertEqual(order.psb_buyer_can_respond, "yes")
        self.assertTrue(
            response.attachment_id, "the UBL is kept as the record of the answer"
        )
        self.assertIn("Order Response", order.message_ids[0].body)
        self.assertEqual(order.message_ids[0].attachment_ids, response.attachment_id)

        order.with_user(self.salesman).action_psb_accept()
        with self.assertRaisesRegex(
            UserError, r"already told the order is accepted \(AP\)"
        ):
            order.with_user(
                self.salesman
            ).action_psb_accept()  # a double click says what was sent
        self.assertEqual(
            len(order.psb_response_ids.filtered(lambda r: r.code == "AP")), 1
        )
        self.send()
        self.send()
        self.assertEqual(
            [r["json"]["status"] for r in self.sent(document_id)], ["AB", "AP"]
        )
        self.assertFalse(order.psb_awaiting_answer)
        self.assertEqual(order.psb_response_code, "AP")

    def test_reject_needs_a_reason(self):
        document_id, order = self.import_order("R2")
        action = order.with_user(self.salesman).action_psb_reject()
        wizard = (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_user(self.salesman)
        )
        run_with_note(
            self,
            wizard,
            "action_send",
            "We no longer deliver to Utrecht",
            refusal="reason",
        )
        self.send()
        self.assertEqual(
            self.sent(document_id)[-1]["json"],
            {"status": "RE", "note": "We no longer deliver to Utrecht"},
        )

    def test_accept_with_changes_prefilled_from_the_quotation(self):
        document_id, order = self.import_order("R3")
        lines = {line.psb_line_ref: line for line in order.order_line}
        lines["1"].product_uom_qty = 8  # fewer than ordered
        lines["2"].product_uom_qty = 0  # not delivered
        lines["4"].unlink()  # an unknown item we drop
        self.env["sale.order.line"].create(
            {"order_id": order.id, "product_id": self.sku1.id, "product_uom_qty": 1}
        )
        action = order.action_psb_accept_with_changes()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        statuses = {(line.order_line_ref, line.status) for line in wizard.line_ids}
        self.assertEqual(
            statuses,
            {("1", "3"), ("2", "7"), ("3", False), ("4", "7"), ("4", "1")},
            "line 3 (an unidentified product) is not pre-filled as accepted",
        )
        self.assertIn("3 (product not identified", wizard.undecided_summary)
        with self.assertRaisesRegex(UserError, "Decide on these lines first"):
            wizard.action_send()
        wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
        with self.assertRaisesRegex(UserError, "why line"):
            wizard.action_send()
        for line in wizard.line_ids.filtered(lambda ln: ln.status == "7"):
            line.note = "Out of stock"
        wizard.action_send()
        self.send()
        body = self.sent(document_id)[-1]["json"]
        self.assertEqual(body["status"], "CA")
        self.assertIn("line 1: quantity 8", body["note"])
        self.assertIn("line 2: rejected (Out of stock)", body["note"])
        response = order.psb_response_ids.filtered(lambda r: r.code == "CA")
        self.assertEqual(
            len(response.line_ids), 5, "every order line, and the added one"
        )
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        result = PeppolValidator(base).validate(response.attachment_id.raw)
        self.assertTrue(result.ok, str(result))

    def test_line_answers_in_the_buyers_language(self):
        """The line answers spelled out in the PSB note are in the customer's language
        (Dutch here), whoever answers; what the person wrote stays as written."""
        activate_dutch(self.env)
        document_id, order = self.import_order("R3NL")
        order.partner_id.lang = "nl_NL"
        lines = {line.psb_line_ref: line for line in order.order_line}
        lines["1"].product_uom_qty = 8
        action = order.action_psb_accept_with_changes()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
        wizard.line_ids.filtered(
            lambda ln: ln.order_line_ref == "1"
        ).note = "Only 8 in stock"
        wizard.action_send()
        self.send()
        note = self.sent(document_id)[-1]["json"]["note"]
        self.assertIn("regel 1: hoeveelheid 8", note)
        self.assertIn("(Only 8 in stock)", note)
        self.assertNotIn("quantity", note)

    def test_numbers_in_the_note_the_buyers_way(self):
        """The numbers of the line answers sent to the buyer are written the buyer's
        way: a decimal comma for a Dutch buyer, a decimal point for an English one
        (issue 29)."""
        activate_dutch(self.env)
        for lang, expected, absent in (
            ("nl_NL", "regel 1: hoeveelheid 7,5", "7.5"),
            ("en_US", "line 1: quantity 7.5", "7,5"),
        ):
            with self.subTest(lang=lang):
                document_id, order = self.import_order(f"R5{lang}")
                order.partner_id.lang = lang
                lines = {line.psb_line_ref: line for line in order.order_line}
                lines["1"].product_uom_qty = 7.5
                lines["1"].price_unit = 6.5
                action = order.action_psb_accept_with_changes()
                wizard = self.env[action["res_model"]].browse(action["res_id"])
                wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
                wizard.action_send()
                self.send()
                note = self.sent(document_id)[-1]["json"]["note"]
                self.assertIn(expected, note)
                self.assertIn("6,5 EUR" if lang == "nl_NL" else "6.5 EUR", note)
                self.assertNotIn(absent, note)

    def test_advanced_ordering_answers_are_t116(self):
        document_id, order = self.import_order(
            "R4", order_xml("R4").replace(ORDERING, ADVANCED)
        )
        order.action_psb_accept()
        self.send()
        responses = order.psb_response_ids.sorted("id")
        self.assertEqual(responses.mapped("code"), ["AB", "AP"])
        self.assertIn(b"order_response_advanced:3", responses[-1].attachment_id.raw)
        base = peppol_dir()
        if base:
            validator = PeppolValidator(base)
            for response in responses:
                result = validator.validate(response.attachment_id.raw)
                self.assertTrue(result.ok, str(result))

    def test_psb_500_then_200_sends_once(self):
        document_id, order = self.import_order("R5")
        self.sandbox.inject_fault("POST", r"/response$", status=500, count=1)
        self.send()
        response = order.psb_response_ids
        self.assertEqual((response.state, response.attempt_count), ("queued", 1))
        self.assertIn("retrying", response.error_message)
        self.assertEqual(self.sent(document_id), [])
        response.next_attempt_at = fields.Datetime.now()
        self.send()
        self.assertEqual(response.state, "sent")
        self.assertEqual(len(self.sent(document_id)), 1)

    def test_psb_400_is_shown_and_retried_by_hand(self):
        document_id, order = self.import_order("R6")
        self.refuse_responses(1)
        self.send()
        response = order.psb_response_ids
        self.assertEqual(
            (response.state, order.psb_response_state), ("failed", "failed")
        )
        self.assertIn("not valid", response.error_message)
        self.assertTrue(
            order.activity_ids.filtered(lambda a: "failed" in (a.summary or ""))
        )
        self.assertIn(
            order,
            self.env["sale.order"].search([("psb_response_state", "=", "failed")]),
        )
        response.action_retry()
        self.send()
        self.assertEqual(response.state, "sent")
        self.assertEqual(len(self.sent(document_id)), 1)
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.psb_kind == "answer"),
            "the activity for the failed answer is done once it went out",
        )

    def test_delivery_hooks_move_the_status(self):
        self.company._psb_register_webhook()
        document_id, order = self.import_order("R7")
        self.send()
        response = order.psb_response_ids
        for topic, state in (
            ("OrderResponseSentRetry", "sent"),
            ("OrderResponseSent", "delivered"),
        ):
            body = event_body(
                self.PARTY_ID,
                response.psb_response_id,
                topic=topic,
                refToDocumentId=document_id,
            )
            self.assertEqual(self.post_hook_event(body).status_code, 200)
            self.Document._cron_process_documents()
            self.assertEqual(response.state, state)
        order.action_psb_accept()
        self.send()
        accept = order.psb_response_ids.filtered(lambda r: r.code == "AP")
        body = event_body(
            self.PARTY_ID,
            accept.psb_response_id,
            topic="OrderResponseSentError",
            message="The buyer's access point refused the document",
        )
        self.post_hook_event(body)
        self.Document._cron_process_documents()
        self.assertEqual(accept.state, "failed")
        self.assertIn("refused", accept.error_message)
        self.assertTrue(order.psb_awaiting_answer, "a failed answer is not an answer")

    def test_buyer_asked_once_a_day(self):
        """The PSB is asked whether a buyer receives answers once a day per buyer, not
        per order; a "no" is asked again."""

        def lookups():
            return [
                r
                for r in self.sandbox.requests
                if r["path"].endswith("/queryRecipientParty")
            ]

        _id1, first = self.import_order("D1")
        _id2, second = self.import_order("D2")
        self.assertEqual(first.psb_buyer_endpoint, second.psb_buyer_endpoint)
        self.send()
        self.assertEqual(
            (first.psb_buyer_can_respond, second.psb_buyer_can_respond), ("yes", "yes")
        )
        self.assertEqual(len(lookups()), 1)
        self.assertEqual(
            set((first | second).psb_response_ids.mapped("state")), {"sent"}
        )
        # A day later the PSB is asked again.
        (first | second).write(
            {
                "psb_buyer_checked_on": fields.Datetime.now()
                - timedelta(days=1, minutes=1)
            }
        )
        _id3, third = self.import_order("D3")
        self.send()
        self.assertEqual((third.psb_buyer_can_respond, len(lookups())), ("yes", 2))
        # A buyer that could not receive them is asked again for its next order.
        third.psb_buyer_can_respond = "no"
        (first | second).psb_buyer_can_respond = "no"
        _id4, fourth = self.import_order("D4")
        self.send()
        self.assertEqual((fourth.psb_buyer_can_respond, len(lookups())), ("yes", 3))

    def test_buyer_that_cannot_receive_responses(self):
        self.sandbox.order_response_capable = set()
        _document_id, order = self.import_order("R8")
        self.send()
        self.assertEqual(order.psb_buyer_can_respond, "no")
        self.assertEqual(order.psb_response_ids.state, "failed")
        self.assertIn("cannot receive", order.psb_response_ids.error_message)
        with self.assertRaisesRegex(UserError, "cannot receive"):
            order.action_psb_accept()

    def test_order_only_gets_no_answer(self):
        _document_id, order = self.import_order(
            "R9",
            order_xml("R9").replace(
                ORDERING, b"urn:fdc:peppol.eu:poacc:bis:order_only:3"
            ),
        )
        self.assertFalse(order.psb_answerable)
        self.assertFalse(order.psb_response_ids, "no automatic AB either")
        with self.assertRaisesRegex(UserError, "Order Only"):
            order.action_psb_accept()

    def test_answer_on_confirmation(self):
        _document_id, same = self.import_order("R10")
        same.action_confirm()
        self.assertEqual(
            same.psb_response_ids.sorted("id").mapped("code"), ["AB", "AP"]
        )
        _document_id, changed = self.import_order("R11")
        changed.order_line.filtered(
            lambda ln: ln.psb_line_ref == "1"
        ).product_uom_qty = 3
        changed.action_confirm()
        self.assertEqual(changed.psb_response_ids.sorted("id")[-1].code, "CA")
        gtin_screws = self.env["product.product"].create(
            {"name": "GTIN screws", "barcode": "8712345678906"}
        )
        _document_id, substituted = self.import_order("R12")
        first = substituted.order_line.filtered(lambda ln: ln.psb_line_ref == "1")
        self.assertEqual(
            first.product_id, gtin_screws, "the buyer's item, identified at import"
        )
        first.product_id = self.sku1
        substituted.action_confirm()
        answer = substituted.psb_response_ids.sorted("id")[-1]
        self.assertEqual(answer.code, "CA")
        self.assertEqual(
            answer.line_ids.filtered(
                lambda ln: ln.order_line_ref == "1"
            ).substitute_product_id,
            self.sku1,
        )
        # The unidentified placeholder given a product is an identification, not a
        # substitution: AP.
        _document_id, identified = self.import_order("R13")
        identified.order_line.filtered(
            lambda ln: ln.psb_line_ref == "4"
        ).product_id = self.sku1
        identified.action_confirm()
        self.assertEqual(
            identified.psb_response_ids.sorted("id").mapped("code"), ["AB", "AP"]
        )
        self.company.psb_answer_on_confirm = False
        _document_id, manual = self.import_order("R14")
        manual.action_confirm()
        self.assertEqual(manual.psb_response_ids.mapped("code"), ["AB"])

    def test_access(self):
        _document_id, order = self.import_order("R13")
        with self.assertRaises(AccessError):
            order.psb_response_ids.with_user(self.portal).read(["state"])
        with self.assertRaises(AccessError):
            order.psb_response_ids.with_user(self.salesman).write(
                {"state": "delivered"}
            )
        self.assertEqual(order.psb_response_ids.with_user(self.salesman).code, "AB")

    def test_cron_locks_and_rechecks_each_answer_right_before_sending_it(self):
        """Sending commits after each answer, which releases every lock: an answer
        another worker sent meanwhile is not sent again."""
        first_id, first = self.import_order("R20")
        second_id, second = self.import_order("R21")
        queued = (first | second).psb_response_ids
        self.assertEqual(queued.mapped("state"), ["queued", "queued"])
        original = type(self.Response)._send
        sent = []

        def send_and_let_another_worker_send_the_other(response, client=None):
            sent.append(response.id)
            if len(sent) == 1:  # meanwhile, another worker sends the second answer
                (queued - response).write({"state": "sent"})
            return original(response, client)

        with patch.object(
            type(self.Response), "_send", send_and_let_another_worker_send_the_other
        ):
            self.send()
        self.assertEqual(
            len(sent), 1, "the answer sent by the other worker was skipped"
        )
        self.assertEqual(len(self.sent(first_id)) + len(self.sent(second_id)), 1)
