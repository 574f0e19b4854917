# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 12: nothing lost, nothing silently dropped (revised orders, odd quantities,
long PSB outages, download format, size limits, retention, delete at the PSB, inbound
Peppol rules)."""

import json
import re
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import econnect_psb_document_rules as lifecycle_model
from ..psb_sandbox.server import BIS2_ORDER_TYPE
from .common import (
    NO_PEPPOL_MSG,
    PsbCase,
    configure_psb,
    official_orders,
    peppol_dir,
    run_with_note,
    start_sandbox,
)
from .test_webhook import order_xml

T01 = (
    "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##urn:fdc:peppol.eu:"
    "poacc:trns:order:3::2.1"
)
LINE1_QTY = b'<cbc:Quantity unitCode="H87">10</cbc:Quantity>'


class SandboxCase(PsbCase):
    """A company configured against a PSB sandbox on loopback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = start_sandbox(cls, [cls.PARTY_ID])
        configure_psb(
            cls.company,
            cls.sandbox.url,
            "odoo-client",
            "odoo-secret",
            cls.PARTY_ID,
            cls.SECRET,
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset()

    def receive(self, xml, created_on=None):
        """The PSB received ``xml``: its event is stored as the webhook stores it."""
        document_id = self.sandbox.add_document(self.PARTY_ID, xml)
        event = {
            "topic": "OrderReceived",
            "partyId": self.PARTY_ID,
            "documentId": document_id,
            "details": {},
            "createdOn": (created_on or datetime.now()).isoformat() + "+00:00",
        }
        self.assertEqual(self.Document._psb_store_event(self.company, event), "stored")
        return document_id, self.Document.search(
            [("psb_document_id", "=", document_id)]
        )


@tagged("post_install", "-at_install")
class TestRevisedOrders(PsbCase):
    def test_identical_twice_is_a_duplicate(self):
        first = self.upload(order_xml("RV1"))
        # Other bytes (a forwarding system's comment), the same order.
        again = self.upload(
            order_xml("RV1").replace(
                b"<Order ", b"<!-- forwarded again -->\n<Order ", 1
            )
        )
        self.assertEqual(first.state, "imported")
        self.assertEqual(again.state, "duplicate", again.error_message)
        self.assertFalse(again.psb_revision_state)
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-RV1")]), 1
        )

    def _revised(self, ref, xml=None):
        first = self.upload(order_xml(ref))
        revised = self.upload(
            xml
            or order_xml(ref).replace(LINE1_QTY, LINE1_QTY.replace(b">10<", b">12<"))
        )
        return first, revised

    def test_changed_line_needs_a_person(self):
        first, revised = self._revised("RV2")
        order = first.sale_order_id
        self.assertEqual(revised.state, "pending", revised.error_message)
        self.assertEqual(revised.psb_revision_state, "pending")
        self.assertEqual(revised.sale_order_id, order)
        self.assertIn("Line 1: quantity 10 → 12", revised.psb_revision_summary)
        self.assertIn("differs", revised.error_message)
        self.assertEqual(order.psb_revision_document_id, revised)
        self.assertTrue(
            order.activity_ids.filtered(
                lambda a: a.summary == "Revised Peppol order PO-RV2"
            )
        )
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-RV2")]), 1
        )
        # The same revised order delivered once more is a duplicate of the held one.
        third = self.upload(
            order_xml("RV2")
            .replace(LINE1_QTY, LINE1_QTY.replace(b">10<", b">12<"))
            .replace(b"<Order ", b"<!-- once more -->\n<Order ", 1)
        )
        self.assertEqual((third.state, third.duplicate_of_id), ("duplicate", revised))

    def test_added_removed_lines_and_dates_are_described(self):
        xml = order_xml("RV3").replace(b"2026-12-01", b"2026-12-08")
        xml = re.sub(
            rb"<cac:OrderLine><cac:LineItem><cbc:ID>4</cbc:ID>.*?</cac:OrderLine>",
            b"",
            xml,
            flags=re.S,
        )
        xml = xml.replace(
            b"</Order>",
            b"""<cac:OrderLine><cac:LineItem><cbc:ID>5</cbc:ID>
            <cbc:Quantity unitCode="H87">3</cbc:Quantity><cac:Item>
             <cbc:Name>Hinges</cbc:Name></cac:Item>
            </cac:LineItem></cac:OrderLine></Order>""",
        )
        _first, revised = self._revised("RV3", xml)
        summary = revised.psb_revision_summary
        self.assertIn("Order requested delivery from: 2026-12-01 → 2026-12-08", summary)
        self.assertIn("Line 5 added: 3 H87 Hinges", summary)
        self.assertIn("Line 4 removed: 1 ZZZ Something we do not sell", summary)

    def test_revision_reference_is_said(self):
        xml = (
            order_xml("RV4")
            .replace(LINE1_QTY, LINE1_QTY.replace(b">10<", b">11<"))
            .replace(
                b"<cac:BuyerCustomerParty>",
                b"<cac:OrderDocumentReference><cbc:ID>PO-RV4</cbc:ID></cac:"
                b"OrderDocumentReference><cac:BuyerCustomerParty>",
            )
        )
        _first, revised = self._revised("RV4", xml)
        self.assertIn(
            "it refers to order PO-RV4 (OrderDocumentReference)",
            revised.psb_revision_summary,
        )

    def test_treat_as_a_new_order(self):
        first, revised = self._revised("RV5")
        revised.action_psb_revision_new_order()
        orders = self.env["sale.order"].search(
            [("psb_order_ref", "=", "PO-RV5")], order="id"
        )
        self.assertEqual(len(orders), 2)
        new = orders[1]
        self.assertEqual(revised.state, "imported")
        self.assertEqual(revised.psb_revision_state, "new")
        self.assertEqual(revised.sale_order_id, new)
        self.assertTrue(new.psb_order_ref_reused)
        self.assertEqual(
            new.client_order_ref, f"PO-RV5 (reused, also {first.sale_order_id.name})"
        )
        self.assertEqual(
            new.order_line.filtered(lambda ln: ln.psb_line_ref == "1").product_uom_qty,
            12,
        )
        self.assertFalse(first.sale_order_id.psb_revision_document_id)
        # Follow-ups of that id (found as the pipeline finds them) still go to the first
        # order.
        self.assertEqual(
            revised._find_buyer_order("PO-RV5", revised._read_xml().buyer),
            (first.sale_order_id, False),
        )

    def test_apply_to_the_quotation(self):
        first, revised = self._revised("RV6")
        order = first.sale_order_id
        revised.action_psb_revision_apply()
        self.assertEqual(
            order.order_line.filtered(
                lambda ln: ln.psb_line_ref == "1"
            ).product_uom_qty,
            12,
        )
        self.assertEqual(
            (revised.state, revised.psb_revision_state), ("imported", "applied")
        )
        self.assertEqual(order.psb_document_id, revised)
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: "revised order PO-RV6 was applied" in m.body
            )
        )
        self.assertFalse(order.psb_revision_document_id)

    def test_apply_only_while_a_quotation(self):
        first, revised = self._revised("RV7")
        first.sale_order_id.action_confirm()
        with self.assertRaisesRegex(UserError, "no longer a quotation"):
            revised.action_psb_revision_apply()
        self.assertEqual(revised.state, "pending")

    def test_ignore_with_a_note(self):
        first, revised = self._revised("RV8")
        run_with_note(
            self,
            revised,
            "action_psb_revision_ignore",
            "Sent by mistake, confirmed by phone",
            refusal="Decision Note",
            field="psb_revision_note",
        )
        self.assertEqual(
            (revised.state, revised.psb_revision_state), ("done", "ignored")
        )
        self.assertTrue(
            first.sale_order_id.message_ids.filtered(
                lambda m: "Sent by mistake" in m.body
            )
        )
        self.assertEqual(
            first.sale_order_id.order_line.filtered(
                lambda ln: ln.psb_line_ref == "1"
            ).product_uom_qty,
            10,
        )

    def test_the_decision_closes_its_own_activity_only(self):
        first, revised = self._revised("RV9")
        order = first.sale_order_id
        check = order._psb_activities("import")
        self.assertTrue(check, "the order's import needs checking (an unknown product)")
        [decide] = order._psb_activities("decide", revised)
        self.assertEqual(decide.summary, "Revised Peppol order PO-RV9")
        revised.psb_revision_note = "Sent by mistake"
        revised.action_psb_revision_ignore()
        self.assertFalse(
            decide.exists() and decide.active, "the revision's activity is done"
        )
        self.assertEqual(
            order._psb_activities("import"),
            check,
            "the import check (same order id) stays open",
        )


@tagged("post_install", "-at_install")
class TestOddQuantities(PsbCase):
    def _line(self, line_id, qty, price=None):
        price_xml = (
            "<cac:Price><cbc:PriceAmount "
            f'currencyID="EUR">{price}</cbc:PriceAmount></cac:Price>'
            if price is not None
            else ""
        )
        return (
            f"<cac:OrderLine><cac:LineItem><cbc:ID>{line_id}</cbc:ID><cbc:Quantity "
            f'unitCode="H87">{qty}'
            f"</cbc:Quantity>{price_xml}<cac:Item><cbc:Name>Item "
            f"{line_id}</cbc:Name></cac:Item></cac:LineItem>"
            "</cac:OrderLine>"
        ).encode()

    def test_odd_values_are_flagged_and_a_negative_quantity_is_held(self):
        xml = re.sub(
            rb"<cac:OrderLine>.*</cac:OrderLine>",
            b"".join(
                [
                    self._line("N", "-5", "2.00"),
                    self._line("Z", "0", "2.00"),
                    self._line("H", "8712345678906", "2.00"),
                    self._line("P", "3", "-2.00"),
                    self._line("OK", "3", "2.00"),
                ]
            ),
            order_xml("Q1"),
            flags=re.S,
        )
        document = self.upload(xml)
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        lines = {line.psb_line_ref: line for line in order.order_line}
        self.assertEqual(
            lines["N"].product_uom_qty,
            0,
            "a negative quantity never becomes a negative line",
        )
        self.assertEqual(lines["N"].psb_ordered_qty, -5)
        self.assertIn(
            "negative quantity -5: imported as 0", lines["N"].psb_import_issue
        )
        self.assertIn("quantity is 0", lines["Z"].psb_import_issue)
        self.assertIn(
            "quantity 8,712,345,678,906 is above the plausible",
            lines["H"].psb_import_issue,
        )
        self.assertIn("negative unit price -2", lines["P"].psb_import_issue)
        self.assertFalse(
            lines["OK"].psb_import_issue and "plausible" in lines["OK"].psb_import_issue
        )
        self.assertTrue(order.psb_needs_attention)
        for ref in ("N", "Z", "H", "P"):
            self.assertIn(f"Line {ref}:", order.psb_import_issues)
        self.assertTrue(all(line.product_uom_qty >= 0 for line in order.order_line))

    def test_limits_are_the_companys(self):
        self.company.psb_max_line_quantity = 5
        xml = re.sub(
            rb"<cac:OrderLine>.*</cac:OrderLine>",
            self._line("1", "6", "1.00"),
            order_xml("Q2"),
            flags=re.S,
        )
        line = self.upload(xml).sale_order_id.order_line
        self.assertIn("above the plausible 5", line.psb_import_issue)


@tagged("post_install", "-at_install")
class TestPsbOutage(SandboxCase):
    def test_three_day_outage(self):
        t0 = datetime(2026, 12, 1, 8, 0)
        with freeze_time(t0):
            document_id, document = self.receive(order_xml("OUT1"), created_on=t0)
            _other_id, other = self.receive(order_xml("OUT2"), created_on=t0)
            self.assertEqual(document.psb_keep_until, t0 + timedelta(days=90))
        self.sandbox.inject_fault("GET", r"/download$", status=503, count=10000)
        docs = document | other
        now, runs = t0, 0
        while now < t0 + timedelta(days=3):
            with freeze_time(now):
                self.Document._cron_process_documents()
            runs += 1
            self.assertEqual(
                set(docs.mapped("state")), {"received"}, docs.mapped("error_message")
            )
            now = min(docs.mapped("next_attempt_at"))
            self.assertLessEqual(now - t0 - timedelta(days=0), timedelta(days=4))
        self.assertGreater(document.attempt_count, 100)
        self.assertIn("retrying at", document.error_message)
        self.assertIn(str(t0 + timedelta(days=90)), document.error_message)
        self.assertLessEqual(document.next_attempt_at - now, timedelta(minutes=30))
        # The PSB is back.
        self.sandbox.reset_faults()
        with freeze_time(now):
            self.Document._cron_process_documents()
        self.assertEqual(
            docs.mapped("state"), ["imported", "imported"], docs.mapped("error_message")
        )
        self.assertEqual(self.sandbox.downloads(document_id), 1)
        # Once downloaded, the PSB keeps it 7 more days.
        self.assertEqual(document.psb_keep_until, now + timedelta(days=7))

    def test_alert_a_day_before_the_deadline(self):
        t0 = datetime(2026, 9, 1, 8, 0)
        with freeze_time(t0):
            _id, document = self.receive(order_xml("OUT3"), created_on=t0)
        self.sandbox.inject_fault("GET", r"/download$", status=503, count=10000)
        with freeze_time(t0 + timedelta(days=88)):
            self.Document._cron_process_documents()
            self.assertFalse(document.activity_ids)
        with freeze_time(t0 + timedelta(days=89, hours=1)):
            self.Document._cron_process_documents()
        activity = document.activity_ids
        self.assertTrue(activity, "the PSB administrators are alerted")
        self.assertIn(self.env.ref("base.user_admin"), activity.user_id)
        self.assertIn("still not downloaded", activity.note)
        self.assertEqual(document.state, "received")
        with freeze_time(t0 + timedelta(days=89, hours=2)):
            self.Document._cron_process_documents()
        self.assertEqual(document.activity_ids, activity, "alerted once")
        # Past the deadline nothing is tried any more: an error a person reads.
        with freeze_time(t0 + timedelta(days=90)):
            self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn("retention deadline", document.error_message)

    def test_retry_on_a_list_selection(self):
        self.sandbox.inject_fault("GET", r"/download$", status=404, count=2)
        _a, first = self.receive(order_xml("RT1"))
        _b, second = self.receive(order_xml("RT2"))
        self.Document._cron_process_documents()
        docs = first | second
        self.assertEqual(docs.mapped("state"), ["error", "error"])
        action = self.env.ref("sale_econnect_psb.action_econnect_psb_document_retry")
        action.with_context(active_model=docs._name, active_ids=docs.ids).run()
        self.assertEqual(docs.mapped("state"), ["received", "received"])
        self.Document._cron_process_documents()
        self.assertEqual(docs.mapped("state"), ["imported", "imported"])


@tagged("post_install", "-at_install")
class TestPsbLifecycle(SandboxCase):
    def test_download_as_sent_passes_no_parameter(self):
        _id, document = self.receive(order_xml("DL0"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported")
        download = [
            r for r in self.sandbox.requests if r["path"].endswith("/download")
        ][-1]
        self.assertEqual(download["query"], {})

    def test_download_as_a_target_document_type(self):
        self.company.psb_download_as = T01
        _id, document = self.receive(order_xml("DL1"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)
        download = [
            r for r in self.sandbox.requests if r["path"].endswith("/download")
        ][-1]
        self.assertEqual(download["query"], {"targetDocumentTypeId": [T01]})

    def test_converted_to_something_not_bis3_is_refused(self):
        self.company.psb_download_as = BIS2_ORDER_TYPE
        _id, document = self.receive(order_xml("DL2"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn('"Download orders as"', document.error_message)
        self.assertTrue(
            document.attachment_id, "what the PSB sent is kept all the same"
        )

    def test_unsupported_target_is_refused_by_the_psb(self):
        self.company.psb_download_as = (
            "urn:x:Invoice-2::Invoice##urn:cen.eu:en16931:2017::2.1"
        )
        _id, document = self.receive(order_xml("DL3"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn(
            "cannot deliver this document as urn:x:Invoice-2", document.error_message
        )
        self.assertIn('"Download orders as"', document.error_message)

    def test_retention_dates(self):
        t0 = datetime(2026, 12, 1, 8, 0)
        with freeze_time(t0):
            _id, document = self.receive(
                order_xml("RET1"), created_on=t0 - timedelta(days=1)
            )
        self.assertEqual(document.psb_created_on, t0 - timedelta(days=1))
        self.assertEqual(document.psb_keep_until, t0 + timedelta(days=89))
        expiring = [
            ("psb_keep_until", "<=", t0 + timedelta(days=2)),
            ("psb_deleted_on", "=", False),
        ]
        self.assertNotIn(document, self.Document.search(expiring))
        with freeze_time(t0):
            self.Document._cron_process_documents()
        self.assertEqual(document.psb_keep_until, t0 + timedelta(days=7))
        with freeze_time(t0 + timedelta(days=5, hours=12)):
            self.assertIn(
                document,
                self.Document.search(
                    [
                        ("psb_keep_until", "<=", datetime.now() + timedelta(days=2)),
                        ("psb_deleted_on", "=", False),
                    ]
                ),
            )

    def test_delete_at_the_psb(self):
        document_id, document = self.receive(order_xml("DEL1"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported")
        document.action_psb_delete_at_psb()
        self.assertTrue(self.sandbox.documents[document_id]["deleted"])
        self.assertTrue(document.psb_deleted_on)
        self.assertIn("Deleted at the PSB", document.message_ids[0].body)
        # A second time: the PSB answers 404, which means it is already gone.
        document.psb_deleted_on = False
        document.action_psb_delete_at_psb()
        self.assertIn("already deleted", document.message_ids[0].body)
        user = self.env["res.users"].create(
            {
                "name": "Sales only",
                "login": "sales-only-del",
                "group_ids": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "Only a PSB administrator"):
            document.with_user(user).action_psb_delete_at_psb()

    def test_oversized_document_is_kept_then_imported_after_raising_the_limit(self):
        big = order_xml("BIG1").replace(
            b"Please deliver at the back door", b"x" * (1536 * 1024)
        )
        self.company.write({"psb_keep_max_mb": 1, "psb_import_max_mb": 1})
        _id, document = self.receive(big)
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn('"Keep documents up to (MB)"', document.error_message)
        self.assertFalse(document.attachment_id)
        self.company.psb_keep_max_mb = 50
        document.action_retry()
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertTrue(document.attachment_id, "kept even though it is not imported")
        self.assertIn("more than the import limit of 1 MB", document.error_message)
        self.assertIn('"Import documents up to (MB)"', document.error_message)
        self.company.psb_import_max_mb = 30
        document.action_retry()
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)


@tagged("post_install", "-at_install")
class TestInboundRules(PsbCase):
    def setUp(self):
        super().setUp()
        if not peppol_dir():
            self.skipTest(NO_PEPPOL_MSG)
        self.env["ir.config_parameter"].sudo().set_param(
            "sale_econnect_psb.peppol_rules_dir", str(peppol_dir())
        )

    def test_official_examples_break_no_rule(self):
        for path in official_orders():
            with self.subTest(example=path.name):
                document = self.upload(path.read_bytes())
                self.assertEqual(
                    document.psb_rule_state, "ok", document.psb_rule_violations
                )
                self.assertFalse(document.sale_order_id.psb_rule_violations)
                document.sale_order_id.unlink()

    def test_violations_are_shown_and_the_order_imported(self):
        data = (peppol_dir() / "examples/order/official/UC1_Order.xml").read_bytes()
        data = re.sub(rb'currencyID="[A-Z]+"', b'currencyID="ZZZ"', data, count=1)
        document = self.upload(data)
        self.assertEqual(document.state, "imported")
        self.assertEqual(document.psb_rule_state, "violations")
        self.assertIn("PEPPOL-T01-R003", document.psb_rule_violations)
        self.assertGreaterEqual(document.psb_rule_violation_count, 1)
        self.assertIn(
            "The buyer's order breaks rule PEPPOL-T01-R003",
            document.sale_order_id.psb_rule_violations,
        )

    def test_absent_rules_are_not_an_error(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "sale_econnect_psb.peppol_rules_dir", "/nonexistent"
        )
        document = self.upload(order_xml("NR1"))
        self.assertEqual(
            (document.state, document.psb_rule_state), ("imported", "unavailable")
        )
        self.assertFalse(json.loads(json.dumps(document.psb_rule_violations)))

    def test_memory_limits_that_saxonche_cannot_live_with(self):
        """Odoo's memory limits count virtual memory: with the defaults (2 GB soft, 2.5
        GB hard) the rules are not checked (saxonche would end or restart the server),
        and the log says what to set."""
        mb = 2**20
        self.assertIsNone(
            lifecycle_model.memory_limits_block_rules(
                {"limit_memory_soft": 0, "limit_memory_hard": 0}
            )
        )
        self.assertIsNone(
            lifecycle_model.memory_limits_block_rules(
                {"limit_memory_soft": 64 * 1024 * mb}
            )
        )
        blocked = lifecycle_model.memory_limits_block_rules(
            {"limit_memory_soft": 2048 * mb, "limit_memory_hard": 2560 * mb}
        )
        self.assertIn(
            "limit_memory_soft = 2048 MB, limit_memory_hard = 2560 MB", blocked
        )
        self.assertIn("limit_memory_soft = 0 and limit_memory_hard = 0", blocked)
        defaults = {"limit_memory_soft": 2048 * mb, "limit_memory_hard": 0}
        with (
            patch.object(lifecycle_model, "_in_test", lambda: False),
            patch.object(lifecycle_model, "config", defaults),
            self.assertLogs(lifecycle_model.__name__, "WARNING") as logs,
        ):
            self.assertIsNone(
                self.Document._psb_rules_validator(), "documents are marked Not checked"
            )
        self.assertIn("limit_memory_soft = 2048 MB", logs.output[0])
        self.assertTrue(
            self.Document._psb_rules_validator(), "without the limits they are checked"
        )

    def test_scheduled_import_queues_the_check_for_its_own_action(self):
        data = (peppol_dir() / "examples/order/official/UC1_Order.xml").read_bytes()
        data = re.sub(rb'currencyID="[A-Z]+"', b'currencyID="ZZZ"', data, count=1)
        document = self.Document.create(
            {
                "company_id": self.company.id,
                "topic": "OrderReceived",
                "document_type": "order",
                "psb_document_id": "rules-queued",
            }
        )
        document._store_xml(data)
        document._process(commit=False)
        self.assertEqual(
            (document.state, document.psb_rule_state), ("imported", "queued")
        )
        self.Document._cron_check_rules()
        self.assertEqual(document.psb_rule_state, "violations")
        self.assertIn("PEPPOL-T01-R003", document.sale_order_id.psb_rule_violations)

    def test_rule_check_waits_for_an_import_backlog(self):
        """The import goes first: with more than a batch of documents due, the rule
        check stops; once the backlog is down to a batch, it checks."""
        document = self.upload(order_xml("BL1"))
        document.psb_rule_state = "queued"
        backlog = self.Document.create(
            [
                {
                    "company_id": self.company.id,
                    "topic": "OrderReceived",
                    "document_type": "order",
                    "psb_document_id": f"backlog-{n}",
                    "source": "webhook",
                }
                for n in range(21)
            ]
        )
        self.Document._cron_check_rules()
        self.assertEqual(
            document.psb_rule_state, "queued", "waits while 21 documents are due"
        )
        backlog[:1].write({"state": "ignored"})
        self.Document._cron_check_rules()
        self.assertNotEqual(document.psb_rule_state, "queued", "20 due: checked")


@tagged("post_install", "-at_install")
class TestBatchedWakeUps(SandboxCase):
    def test_a_backlog_wakes_the_second_import_action(self):
        """Odoo runs one instance of a scheduled action at a time: while more than a
        batch is due, the import wakes its second action (the same queue, the other cron
        thread); not for less."""
        Trigger = self.env["ir.cron.trigger"].sudo()
        second = self.env.ref("sale_econnect_psb.ir_cron_psb_process_documents_backlog")
        first = self.env.ref("sale_econnect_psb.ir_cron_psb_process_documents")
        self.assertEqual((second.code, second.active), (first.code, True))
        before = Trigger.search_count([("cron_id", "=", second.id)])
        self.Document._queue_backlog(20, 20)
        self.assertEqual(Trigger.search_count([("cron_id", "=", second.id)]), before)
        self.Document._queue_backlog(21, 20)
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", second.id)]), before + 1
        )

    def test_one_wake_up_per_action_and_batch(self):
        """A scheduled run importing several documents wakes the rule check and the
        answers' sending once each, not once per document."""
        self.company.psb_auto_acknowledge = True
        Trigger = self.env["ir.cron.trigger"].sudo()
        crons = {
            xmlid: self.env.ref(f"sale_econnect_psb.{xmlid}").id
            for xmlid in ("ir_cron_psb_check_rules", "ir_cron_psb_send_responses")
        }
        before = {
            xmlid: Trigger.search_count([("cron_id", "=", cron)])
            for xmlid, cron in crons.items()
        }
        ids = [self.receive(order_xml(f"WAKE{n}"))[0] for n in range(3)]
        self.Document._cron_process_documents()
        docs = self.Document.search([("psb_document_id", "in", ids)])
        self.assertEqual(
            docs.mapped("state"), ["imported"] * 3, docs.mapped("error_message")
        )
        self.assertEqual(set(docs.mapped("psb_rule_state")), {"queued"})
        self.assertEqual(
            len(docs.sale_order_id.psb_response_ids.filtered(lambda r: r.code == "AB")),
            3,
        )
        for xmlid, cron in crons.items():
            self.assertEqual(
                Trigger.search_count([("cron_id", "=", cron)]) - before[xmlid], 1, xmlid
            )


@tagged("post_install", "-at_install")
class TestNegativeQuantityInAChange(PsbCase):
    def test_applied_revision_never_makes_a_negative_line(self):
        first = self.upload(order_xml("NQ1"))
        revised = self.upload(
            order_xml("NQ1").replace(LINE1_QTY, LINE1_QTY.replace(b">10<", b">-5<"))
        )
        self.assertIn("Line 1: quantity 10 → -5", revised.psb_revision_summary)
        revised.action_psb_revision_apply()
        line = first.sale_order_id.order_line.filtered(
            lambda ln: ln.psb_line_ref == "1"
        )
        self.assertEqual(line.product_uom_qty, 0)
        self.assertTrue(
            first.sale_order_id.message_ids.filtered(
                lambda m: "negative quantity -5 set to 0" in m.body
            )
        )
