# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The answering flow says and does the right thing: Confirm warns before it answers the
buyer, a refused cancellation is called so, the banner follows the order, uploads get no
PSB answer, the PSB's "no Order Responses" is remembered, one activity per problem,
quiet duplicates, Ignore."""

import base64
from pathlib import Path

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import (
    ALL_LEADS,
    NO_PEPPOL_MSG,
    event_body,
    order_products,
    peppol_dir,
    run_with_note,
    upload_document,
)
from .test_webhook import PsbHttpCase, order_xml

UNKNOWN = "sale_econnect_psb.product_psb_unknown"


def search_filter(env, model, name):
    """The records a filter of the model's search view finds, as a click on it would."""
    arch = env[model].get_views([(False, "search")])["views"]["search"]["arch"]
    node = etree.fromstring(arch).find(f".//filter[@name='{name}']")
    return env[model].search(safe_eval(node.get("domain")))


def bodies(record):
    return "".join(record.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestAnswering(PsbHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_flow_user", groups=ALL_LEADS)
        cls.screws, cls.nails = order_products(cls.env)
        Product = cls.env["product.product"]
        cls.glue = Product.create({"name": "Glue (by their code)", "list_price": 3.0})
        cls.anchor = Product.create({"name": "Wall anchor", "list_price": 4.0})

    # -- helpers (import_order, send, post_hook_event, example: PsbHttpCase)
    # ----------------------
    def line(self, order, ref):
        return order.order_line.filtered(lambda ln: ln.psb_line_ref == ref)

    def search_filter(self, model, name):
        return search_filter(self.env, model, name)

    # -- Confirm
    # --------------------------------------------------------------------------------
    def test_confirm_warns_with_an_unidentified_line(self):
        _document_id, order = self.import_order("C1")
        self.assertEqual(self.line(order, "4").product_id, self.env.ref(UNKNOWN))
        action = (
            order.with_user(self.salesman)
            .with_context(psb_confirm_warn=True)
            .action_confirm()
        )
        self.assertEqual(
            action["res_model"],
            "econnect.psb.confirm.wizard",
            "the Confirm button warns first",
        )
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            order.psb_response_ids.mapped("code"), ["AB"], "nothing answered yet"
        )
        warning = self.open_wizard(action, self.salesman)
        self.assertIn("Line 4: product not found", warning.issues)
        self.assertRegex(warning.issues, r"Line 4: [^\n]*price missing \(0\.00\)")
        self.assertIn(
            "AP (accepted as ordered)",
            warning.answer,
            "the line was not changed: AP, said before it goes",
        )
        warning.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn(order.psb_response_ids.sorted("id")[-1].code, ("AP", "CA"))

    def test_confirm_refused_by_the_company_setting_and_without_the_button(self):
        _document_id, order = self.import_order("C2")
        self.company.psb_confirm_check = "refuse"
        with self.assertRaisesRegex(
            UserError, "cannot be confirmed while its Peppol import needs attention"
        ):
            order.with_context(psb_confirm_warn=True).action_confirm()
        with self.assertRaisesRegex(UserError, "Line 4"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        # Fixed: the line has a product and a price, and the notes were looked at.
        self.line(order, "4").product_id = self.anchor
        order.action_psb_mark_checked()
        # Nothing open: the dialog only says which answer confirming sends.
        dialog = self.open_wizard(
            order.with_context(psb_confirm_warn=True).action_confirm()
        )
        self.assertFalse(dialog.issues)
        dialog.action_confirm()
        self.assertEqual(order.state, "sale")
        # Warn (the default) stops only the Confirm button; other flows (e.g. an online
        # payment) confirm.
        self.company.psb_confirm_check = "warn"
        _document_id, other = self.import_order("C3")
        other.action_confirm()
        self.assertEqual(other.state, "sale")

    def test_confirm_when_the_buyer_cannot_receive_answers(self):
        """Issue 11 #3: the order confirms, no answer is queued, the form says why."""
        self.company.psb_auto_acknowledge = False
        _document_id, order = self.import_order("C4")
        order.psb_buyer_can_respond = "no"
        self.assertFalse(order.psb_awaiting_answer)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.psb_response_ids)
        self.assertIn("cannot receive", order._psb_answer_blocker())

    # -- refusing a cancellation
    # ---------------------------------------------------------------
    def test_refuse_the_cancellation(self):
        order_file = self.example("order", 1, "Order_sc1.xml")
        cancellation_file = self.example(
            "order_cancellation", 4, "OrderCancellation_sc4.xml"
        )
        _document_id, order = self.import_order("X", order_file)
        order.action_confirm()
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.psb_kind == "import"),
            "confirming closed it",
        )
        order._psb_activity(
            "import", summary="Check the Peppol order Order-1", note="<p>still open</p>"
        )
        # A cancellation id that is part of the import activity's summary ("...
        # Order-1") must not close it.
        cancellation_file = cancellation_file.replace(
            b"<cbc:ID>Cancellation-1</cbc:ID>", b"<cbc:ID>1</cbc:ID>"
        )
        document = self.receive(cancellation_file, "OrderCancellationReceived")
        self.assertEqual(document.state, "pending", document.error_message)
        self.assertTrue(order.psb_cancellation_note, "the buyer's reason is shown")
        import_activity = order.activity_ids.filtered(lambda a: a.psb_kind == "import")
        decide = order.activity_ids.filtered(lambda a: a.psb_kind == "decide")
        self.assertEqual((len(import_activity), len(decide)), (1, 1))
        self.assertEqual(
            decide.psb_document_id,
            document,
            "the activity is linked to the cancellation",
        )

        order.user_id = (
            self.salesman
        )  # the order's salesperson decides (README, "Who sees and does what")
        action = order.with_user(self.salesman).action_psb_refuse_pending()
        self.assertEqual(action["name"], "Refuse the cancellation (RE)")
        wizard = self.open_wizard(action, self.salesman)
        self.assertEqual(wizard.purpose, "refuse_cancellation")
        run_with_note(
            self, wizard, "action_send", "Already on its way", refusal="not cancelled"
        )
        self.assertEqual(order.state, "sale", "the order stands")
        self.assertFalse(order.psb_cancellation_note, "the cancellation band is gone")
        self.assertFalse(order.psb_pending_document_id)
        self.assertIn("Cancellation refused", bodies(order))
        answer = order.psb_response_ids.sorted("id")[-1]
        self.assertEqual(
            (answer.code, answer.order_change_ref, answer.note),
            ("RE", "1", "Already on its way"),
        )
        self.assertFalse(
            decide.exists() and decide.active, "the decision's activity is done"
        )
        self.assertTrue(
            import_activity.exists() and import_activity.active,
            "the import's activity stays",
        )

    # -- the banner
    # ------------------------------------------------------------------------------
    def test_banner_follows_the_order(self):
        _document_id, order = self.import_order("B1")
        text = order.psb_attention_text
        self.assertIn("Line 3: matched on the item name only", text)
        self.assertIn("Line 4: product not found", text)
        self.assertIn("New customer", text)
        self.assertEqual(text.count("Line 4"), 1, "a line's note is listed once")
        self.assertTrue(order.psb_needs_attention)
        self.assertIn(order, self.search_filter("sale.order", "filter_psb_attention"))
        [activity] = order.activity_ids
        self.assertEqual(activity.psb_kind, "import")

        self.line(order, "4").product_id = self.anchor
        self.assertNotIn(
            "Line 4", order.psb_attention_text or "", "fixed lines leave the banner"
        )
        self.assertEqual(self.line(order, "4").price_unit, 4.0)
        order.with_user(self.salesman).action_psb_mark_checked()
        self.assertFalse(order.psb_attention_text)
        self.assertFalse(order.psb_needs_attention)
        self.assertFalse(
            activity.exists() and activity.active, "Mark as checked closes the activity"
        )
        self.assertNotIn(
            order, self.search_filter("sale.order", "filter_psb_attention")
        )
        # A line without a price is a fact, not a note: it shows again whatever was
        # checked.
        self.line(order, "2").price_unit = 0
        self.assertRegex(order.psb_attention_text, r"Line 2: [^\n]*price missing")
        order._action_cancel()
        self.assertFalse(order.psb_attention_text, "nothing on a cancelled order")
        self.assertFalse(order.psb_needs_attention)

    def test_removing_the_line_clears_it(self):
        _document_id, order = self.import_order("B2")
        self.line(order, "4").unlink()
        self.assertNotIn("Line 4", order.psb_attention_text)
        self.assertIn("New customer", order.psb_attention_text)

    # -- uploads
    # ----------------------------------------------------------------------------------
    def test_uploaded_order_gets_no_psb_answer(self):
        wizard = self.env["econnect.psb.import.wizard"].create(
            {
                "mode": "upload",
                "file": base64.b64encode(order_xml("U1")),
                "filename": "po-u1.xml",
            }
        )
        action = wizard.action_import()
        self.assertEqual(
            action["res_model"], "sale.order", "the upload opens the quotation"
        )
        order = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(
            (order.psb_order_ref, order.psb_document_id.source), ("PO-U1", "upload")
        )
        self.assertTrue(order.psb_uploaded)
        self.assertFalse(order.psb_answerable)
        self.assertFalse(order.psb_response_ids, "no AB through the PSB")
        with self.assertRaisesRegex(UserError, "uploaded by hand"):
            order.action_psb_accept()
        order.with_context(psb_confirm_anyway=True).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.psb_response_ids)
        self.assertFalse(order.activity_ids.filtered(lambda a: a.psb_kind == "answer"))
        self.assertEqual(self.sandbox.responses, [])

    def test_upload_detects_the_document_type(self):
        change = self.example("order_change", 1, "OrderChange_sc1.xml")
        document = upload_document(self.env, change)
        self.assertEqual(
            (document.document_type, document.topic),
            ("order_change", "OrderChangeReceived"),
        )

    def test_odoo_upload_request_for_quotation_uses_this_pipeline(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "po-u2.xml", "raw": order_xml("U2"), "mimetype": "application/xml"}
        )
        action = self.env["sale.order"].create_document_from_attachment(attachment.ids)
        order = self.env["sale.order"].search([("psb_order_ref", "=", "PO-U2")])
        self.assertEqual(len(order), 1)
        self.assertEqual(
            (action["res_model"], action.get("res_id")), ("sale.order", order.id)
        )
        self.assertEqual(order.psb_document_id.source, "upload")
        self.assertTrue(
            order.psb_attention_text, "with the addon's banner, not Odoo's own import"
        )

    # -- the PSB's delivery errors
    # -------------------------------------------------------------------
    def test_capability_no_from_the_error_event(self):
        self.company._psb_register_webhook()
        document_id, order = self.import_order("E1")
        self.send()
        self.assertEqual(order.psb_buyer_can_respond, "yes")
        ab = order.psb_response_ids
        body = event_body(
            self.PARTY_ID,
            ab.psb_response_id,
            topic="OrderResponseSentError",
            message="Recipient does not support OrderResponse",
            refToDocumentId=document_id,
        )
        self.assertEqual(self.post_hook_event(body).status_code, 200)
        self.Document._cron_process_documents()
        self.assertEqual(order.psb_buyer_can_respond, "no")
        self.assertEqual(ab.state, "failed")
        self.assertFalse(ab.can_retry)
        self.assertIn("cannot receive Peppol Order Responses", order.psb_answer_advice)
        [activity] = order.activity_ids.filtered(lambda a: a.psb_kind == "answer")
        self.assertIn("Retrying will not help", activity.note)
        self.assertNotIn("Press Retry", activity.note)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.psb_response_ids, ab, "no further answer queued")

    def test_one_activity_per_problem(self):
        document_id, order = self.import_order("E2")
        self.sandbox.inject_fault("POST", r"/response$", status=503, count=100)
        response = order.psb_response_ids
        for _attempt in range(3):
            self.send()
            response.next_attempt_at = fields.Datetime.now()
        self.sandbox.reset_faults()
        self.refuse_responses(2)
        self.send()
        self.assertEqual(response.state, "failed")
        self.assertFalse(
            response.can_retry, "a refusal is not helped by the same request again"
        )
        self.assertIn("retrying the same will not help", response.error_message)
        response.action_retry()
        self.send()
        answer_activities = order.activity_ids.filtered(
            lambda a: a.psb_kind == "answer"
        )
        self.assertEqual(
            len(answer_activities), 1, "the second failure updates the same activity"
        )
        self.assertIn("sending again", bodies(order), "the retry is in the chatter")
        response.action_retry()
        self.send()
        self.assertEqual(response.state, "sent")
        self.assertFalse(
            answer_activities.exists() and answer_activities.active,
            "the activity goes once the answer went",
        )
        self.assertEqual(len(self.sandbox.responses), 1)

    # -- the PSB buttons
    # ---------------------------------------------------------------------------------
    def test_check_button_turns_psb_errors_into_user_errors(self):
        """Issue 11 #4: an outage or refused credentials give a message a person can act
        on."""
        self.company.psb_auto_acknowledge = False
        _document_id, order = self.import_order("K1")
        self.sandbox.inject_fault("POST", r"queryRecipientParty$", status=503, count=10)
        with self.assertRaisesRegex(UserError, "try again in a few minutes"):
            order.action_psb_check_buyer()
        self.sandbox.reset_faults()
        self.company.psb_client_secret = "wrong"
        self.company.sudo().write(
            {"psb_access_token": False, "psb_token_expires_at": 0}
        )
        with self.assertRaisesRegex(UserError, "Test connection"):
            order.action_psb_check_buyer()
        self.assertEqual(order.psb_buyer_can_respond, "unknown")

    # -- the answer menu
    # -------------------------------------------------------------------------
    def test_one_next_answer_and_never_a_second_ab(self):
        self.company.psb_auto_acknowledge = False
        _document_id, order = self.import_order("M1")
        self.assertEqual(order.psb_next_answer, "AB")
        order.action_psb_acknowledge()
        self.assertFalse(
            order.psb_next_answer, "Confirm is the next step (it answers AP or CA)"
        )
        choice = self.open_wizard(order.action_psb_answer_menu())
        self.assertFalse(choice.can_acknowledge, "no AB once one is queued")
        self.company.psb_answer_on_confirm = False
        order.invalidate_recordset(["psb_next_answer"])
        self.assertEqual(order.psb_next_answer, "AP")
        choice.action_accept()
        self.assertFalse(order.psb_next_answer)
        self.assertEqual(
            order.psb_response_ids.sorted("id").mapped("code"), ["AB", "AP"]
        )

    # -- a buyer's zero price (issue 11 #7)
    # --------------------------------------------------------
    def test_zero_price_of_the_buyer_stays_zero(self):
        xml = order_xml("Z1").replace(
            b'<cbc:PriceAmount currencyID="EUR">12.50</cbc:PriceAmount>',
            b'<cbc:PriceAmount currencyID="EUR">0.00</cbc:PriceAmount>',
        )
        _document_id, order = self.import_order("Z1", xml)
        free, unpriced = self.line(order, "3"), self.line(order, "2")
        self.assertEqual(free.price_unit, 0.0)
        free.product_uom_qty = 8
        self.assertEqual(
            free.price_unit, 0.0, "the buyer's 0.00 is not replaced by the pricelist"
        )
        self.assertRegex(
            order.psb_attention_text,
            r"Line 3: [^\n]*price missing",
            "and it is flagged",
        )
        unpriced.product_uom_qty = 3
        self.assertEqual(
            unpriced.price_unit,
            7.0,
            "a line without a buyer's price follows the pricelist",
        )


@tagged("post_install", "-at_install")
class TestIncomingDocuments(PsbHttpCase):
    """The incoming documents: quiet duplicates, Ignore and Link with a note in the
    chatter, and what tells failed documents apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_docs_user", groups=ALL_LEADS)

    def search_filter(self, name):
        return search_filter(self.env, "econnect.psb.document", name)

    def test_duplicates_out_of_needs_attention(self):
        first = upload_document(self.env, order_xml("D1"))
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("D1"))
        wizard = self.env["econnect.psb.import.wizard"].create(
            {"mode": "document_id", "psb_document_id": document_id}
        )
        duplicate = self.Document.browse(wizard.action_import()["res_id"])
        self.assertEqual(duplicate.state, "duplicate")
        broken = upload_document(self.env, b"<Order><broken")
        attention = self.search_filter("filter_attention")
        self.assertIn(broken, attention)
        self.assertNotIn(duplicate, attention)
        self.assertIn(duplicate, self.search_filter("filter_quiet"))
        self.assertEqual(first.state, "imported")

    def test_ignore_with_a_note(self):
        document = upload_document(
            self.env, b"not an order at all", filename="scan.xml"
        )
        self.assertEqual(document.state, "error")
        self.assertIn(
            "scan.xml", document.name, "a title a person recognises, not a checksum"
        )
        self.assertEqual(document.file_name, "scan.xml")
        action = document.action_ignore()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        with self.assertRaisesRegex(UserError, "Only PSB administrators"):
            wizard.with_user(self.salesman).action_apply()
        run_with_note(
            self, wizard, "action_apply", "A scanner test file", refusal="Say why"
        )
        self.assertEqual(
            (document.state, document.ignore_note), ("ignored", "A scanner test file")
        )
        self.assertNotIn(document, self.search_filter("filter_attention"))
        [message] = document.message_ids
        self.assertIn("Ignored: A scanner test file", message.body)
        self.assertEqual(message.author_id, self.env.user.partner_id, "who ignored it")

    def test_failed_document_shows_what_could_be_read(self):
        good = order_xml("F1")
        document = upload_document(self.env, good[:-200])  # cut off: not well-formed
        self.assertEqual(document.state, "error")
        self.assertEqual(document.buyer_order_ref, "PO-F1")
        self.assertEqual(document.buyer_name, "Bouwmarkt Utrecht BV")
        self.assertEqual(document.name, "Order PO-F1")
        self.assertLessEqual(len(document.error_summary), 80)

    def test_link_to_sale_order_and_retry_in_the_chatter(self):
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        examples = Path(base) / "examples"
        cancellation = (
            examples
            / "order_cancellation"
            / "official"
            / "advanced_ordering_sc4"
            / "OrderCancellation_sc4.xml"
        ).read_bytes()
        document = upload_document(self.env, cancellation)
        self.assertEqual(document.state, "downloaded", "it waits for its order")
        self.assertIn(
            "Link to sale order", document.error_message, "the message names the button"
        )
        order = upload_document(self.env, order_xml("L1")).sale_order_id
        action = document.action_link()
        self.assertEqual(action["name"], "Link to sale order")
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertFalse(wizard.buyer_order_ids, "City Hospital has no order here")
        self.assertIn("No Peppol order of", wizard.no_order_reason)
        wizard.write({"other_buyer": True, "sale_order_id": order.id})
        # Another buyer's order (issue 28, 4): refused until the user confirms, with
        # both buyers named.
        self.assertIn("Bouwmarkt Utrecht BV", wizard.buyer_mismatch)
        with self.assertRaisesRegex(
            UserError, "Confirm that you link it to this other buyer's order"
        ):
            wizard.action_apply()
        self.assertFalse(document.sale_order_id)
        wizard.confirm_other_buyer = True
        wizard.action_apply()
        self.assertEqual(document.sale_order_id, order)
        self.assertEqual(document.state, "pending", document.error_message)
        self.assertIn("although the buyers differ", bodies(document))
        broken = upload_document(self.env, b"<Order><broken")
        broken.action_process_now()
        self.assertIn("Retried", bodies(broken))

    def test_administrators_see_the_queue_grouped_by_state(self):
        action = self.Document._action_open_documents()
        self.assertEqual(action["context"].get("search_default_group_state"), 1)
        action = self.Document.with_user(self.salesman)._action_open_documents()
        self.assertNotIn("search_default_group_state", str(action.get("context")))
