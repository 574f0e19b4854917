# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may do what (issue 15 A-D), follow-ups that stay within their company and buyer
(1-3), the case-insensitive endpoints (F) and party ids (8), the replay window (9) and
neutralization (E)."""

import base64
import hashlib

import psycopg2

from odoo.exceptions import AccessError, ValidationError
from odoo.modules import neutralize
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..psb.tests.samples import ubl_head
from .common import (
    SALESMAN,
    OutboundHttpMixin,
    PsbCase,
    configure_offline,
    upload_document,
)
from .test_order_import import TestMatching

CANCELLATION = (
    ubl_head("OrderCancellation", "order_cancellation", "advanced_ordering")
    + """ <cbc:ID>%(cancel_id)s</cbc:ID>
 <cbc:IssueDate>2026-11-21</cbc:IssueDate>
 <cbc:CancellationNote>No longer needed</cbc:CancellationNote>
 <cac:OrderReference><cbc:ID>PO-%(id)s</cbc:ID></cac:OrderReference>
 <cac:BuyerCustomerParty><cac:Party>%(endpoint)s
  <cac:PartyLegalEntity><cbc:RegistrationName>%(buyer_name)s</cbc:RegistrationName>
   </cac:PartyLegalEntity>
 </cac:Party></cac:BuyerCustomerParty>
</OrderCancellation>
"""
).encode()


def order_xml(order_id, buyer_kvk=b"87654321", scheme=b"0106", vat=b""):
    xml = TestMatching.ORDER % {
        b"id": order_id.encode(),
        b"buyer_kvk": buyer_kvk,
        b"buyer_name": b"Bouwmarkt Utrecht BV",
        b"buyer_vat": vat,
    }
    return xml.replace(
        b'<cbc:EndpointID schemeID="0106">' + buyer_kvk,
        b'<cbc:EndpointID schemeID="' + scheme + b'">' + buyer_kvk,
    )


def cancellation_xml(
    order_id,
    endpoint=b'<cbc:EndpointID schemeID="0106">87654321</cbc:EndpointID>',
    cancel_id=b"CXL-1",
):
    return CANCELLATION % {
        b"id": order_id.encode(),
        b"endpoint": endpoint,
        b"cancel_id": cancel_id,
        b"buyer_name": b"Bouwmarkt Utrecht BV",
    }


class ScopeCase(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.psb_auto_acknowledge = False
        cls.company.psb_auto_cancel = False
        cls.company_b = cls.env["res.company"].create({"name": "Second Company BV"})
        cls.salesman_a, cls.salesman_b = (
            new_test_user(
                cls.env,
                login,
                groups=SALESMAN,
                company_ids=[cls.company.id],
                company_id=cls.company.id,
            )
            for login in ("psb_scope_a", "psb_scope_b")
        )
        cls.portal = new_test_user(
            cls.env, "psb_scope_portal", groups="base.group_portal"
        )
        cls.internal = new_test_user(
            cls.env, "psb_scope_internal", groups="base.group_user"
        )
        cls.psb_admin = new_test_user(
            cls.env,
            "psb_scope_admin",
            groups="sale_econnect_psb.group_psb_manager,sales_team.group_sale_"
            "salesman_all_leads",
            company_ids=[cls.company.id, cls.company_b.id],
            company_id=cls.company.id,
        )

    def import_order(self, order_id, user=None, **kwargs):
        document = self.deliver(order_xml(order_id, **kwargs))
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        if user:
            order.user_id = user
        return order

    def pending_cancellation(self, order_id, user):
        order = self.import_order(order_id, user)
        order.action_confirm()
        cancellation = self.deliver(
            cancellation_xml(order_id), topic="OrderCancellationReceived"
        )
        self.assertEqual(cancellation.state, "pending", cancellation.error_message)
        return order, cancellation


@tagged("post_install", "-at_install")
class TestAccessControl(ScopeCase):
    def test_only_who_may_change_the_order_decides_on_a_cancellation(self):
        order, _cancellation = self.pending_cancellation("ACL1", self.salesman_a)
        answers = order.psb_response_ids
        for user in (self.portal, self.internal, self.salesman_b):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                order.with_user(user).action_psb_accept_pending()
        self.assertEqual(order.state, "sale", "nobody without rights cancelled it")
        self.assertEqual(order.psb_response_ids, answers, "and no answer was queued")
        for method in (
            "action_psb_acknowledge",
            "action_psb_accept",
            "action_psb_reject",
            "action_psb_accept_with_changes",
            "action_psb_refuse_pending",
            "action_psb_check_buyer",
        ):
            for user in (self.portal, self.internal, self.salesman_b):
                with (
                    self.subTest(method=method, user=user.login),
                    self.assertRaises(AccessError),
                ):
                    getattr(order.with_user(user), method)()
        self.assertEqual(order.psb_response_ids, answers)
        order.with_user(self.salesman_a).action_psb_accept_pending()
        self.assertEqual(order.state, "cancel")
        self.assertEqual((order.psb_response_ids - answers).code, "AP")

    def test_refusal_wizard_checks_the_order(self):
        order, _cancellation = self.pending_cancellation("ACL2", self.salesman_a)
        answers = order.psb_response_ids
        action = order.with_user(self.salesman_a).action_psb_refuse_pending()
        wizard = (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_context(**action["context"])
        )
        wizard.note = "Already shipped"
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman_b).action_send()
        self.assertTrue(order.psb_follow_up_pending)
        wizard.with_user(self.salesman_a).action_send()
        self.assertFalse(order.psb_follow_up_pending)
        self.assertEqual((order.psb_response_ids - answers).code, "RE")

    def test_own_documents_only(self):
        order = self.import_order("ACL3", self.salesman_a)
        order.action_psb_accept()
        response = order.psb_response_ids
        response._fail("refused")
        document = order.psb_document_id
        Attachment = self.env["ir.attachment"]
        # salesman A sees his order's document, its XML and its answers
        self.assertTrue(document.with_user(self.salesman_a).xml_preview)
        Attachment.browse(document.attachment_id.id).with_user(self.salesman_a).read(
            ["raw"]
        )
        self.assertEqual(response.with_user(self.salesman_a).code, "AP")
        # salesman B sees none of it, and cannot retry it
        self.assertFalse(
            self.Document.with_user(self.salesman_b).search([("id", "=", document.id)])
        )
        with self.assertRaises(AccessError):
            document.with_user(self.salesman_b).read(["xml_preview"])
        with self.assertRaises(AccessError):
            Attachment.browse(document.attachment_id.id).with_user(
                self.salesman_b
            ).read(["raw"])
        with self.assertRaises(AccessError):
            response.with_user(self.salesman_b).read(["code"])
        with self.assertRaises(AccessError):
            response.with_user(self.salesman_b).action_retry()
        with self.assertRaises(AccessError):
            document.with_user(self.salesman_b).action_retry()
        self.assertEqual(response.state, "failed")
        response.with_user(self.salesman_a).action_retry()
        self.assertEqual(response.state, "queued")
        # an "all documents" salesman and the PSB administrator see everything
        all_docs = new_test_user(
            self.env, "psb_scope_all", groups="sales_team.group_sale_salesman_all_leads"
        )
        for user in (all_docs, self.psb_admin):
            self.assertTrue(document.with_user(user).xml_preview)
            self.assertEqual(response.with_user(user).code, "AP")

    def test_upload_only_into_own_companies(self):
        wizard = self.env["econnect.psb.import.wizard"].with_user(self.salesman_a)
        self.assertEqual(
            wizard._fields["company_id"].domain(wizard),
            [("id", "in", self.salesman_a.company_ids.ids)],
        )
        upload = wizard.create(
            {
                "mode": "upload",
                "company_id": self.company_b.id,
                "file": base64.b64encode(order_xml("ACL4")),
                "filename": "o.xml",
            }
        )
        with self.assertRaises(AccessError):
            upload.action_import()
        self.assertFalse(
            self.env["sale.order"].search([("psb_order_ref", "=", "PO-ACL4")])
        )

    def test_forged_cancellation_for_someone_elses_order_is_refused(self):
        order = self.import_order("ACL5", self.salesman_a)
        order.action_confirm()
        cancellation = self._upload_as(
            self.salesman_b, cancellation_xml("ACL5", cancel_id=b"CXL-B")
        )
        self.assertEqual(cancellation.state, "error")
        self.assertIn("which you may not change", cancellation.error_message)
        self.assertFalse(cancellation.sale_order_id)

    def _upload_as(self, user, xml):
        wizard = (
            self.env["econnect.psb.import.wizard"]
            .with_user(user)
            .create(
                {
                    "mode": "upload",
                    "company_id": self.company.id,
                    "topic": "OrderCancellationReceived",
                    "file": base64.b64encode(xml),
                    "filename": "upload.xml",
                }
            )
        )
        return self.Document.browse(wizard.action_import()["res_id"])

    def test_salesman_upload_creates_the_customer(self):
        xml = order_xml("ACL6", buyer_kvk=b"11223344")
        wizard = (
            self.env["econnect.psb.import.wizard"]
            .with_user(self.salesman_a)
            .create(
                {
                    "mode": "upload",
                    "company_id": self.company.id,
                    "file": base64.b64encode(xml),
                    "filename": "o.xml",
                }
            )
        )
        action = wizard.action_import()
        document = self.Document.search(
            [("psb_document_id", "=", f"upload:{hashlib.sha256(xml).hexdigest()}")]
        )
        self.assertEqual(document.state, "imported", document.error_message)
        self.assertEqual(
            action["res_id"],
            document.sale_order_id.id,
            "the upload opens the quotation",
        )
        self.assertEqual(document.sale_order_id.partner_id.peppol_endpoint, "11223344")
        self.assertTrue(document.sale_order_id.partner_id.psb_needs_review)


@tagged("post_install", "-at_install")
class TestFollowUpScope(ScopeCase):
    def test_cancellation_from_another_buyer_is_held(self):
        order = self.import_order("FU1", self.salesman_a)
        other = b'<cbc:EndpointID schemeID="0106">99999999</cbc:EndpointID>'
        cancellation = self.upload(
            cancellation_xml("FU1", endpoint=other), filename="other.xml"
        )
        self.assertEqual(cancellation.state, "error")
        self.assertIn(
            "its buyer 0106:99999999 is not the buyer of", cancellation.error_message
        )
        self.assertIn("Link to sale order", cancellation.error_message)
        self.assertFalse(cancellation.sale_order_id or order.psb_follow_up_pending)
        # only to an order one may change, through Link to sale order; a PSB
        # administrator who knows better links it there, confirming that the buyers
        # differ (tests/test_access_entry_points.py)
        psb_admin_own = new_test_user(
            self.env,
            "psb_scope_admin_own",
            groups="sale_econnect_psb.group_psb_manager",
        )
        for user in (psb_admin_own, self.psb_admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                cancellation.with_user(user).sale_order_id = order
        action = cancellation.with_user(self.psb_admin).action_link()
        wizard = (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_user(self.psb_admin)
        )
        wizard.write(
            {
                "other_buyer": True,
                "sale_order_id": order.id,
                "confirm_other_buyer": True,
            }
        )
        wizard.action_apply()
        self.assertEqual(cancellation.state, "pending", cancellation.error_message)
        self.assertEqual(order.psb_pending_document_id, cancellation)

    def test_cancellation_without_buyer_endpoint_is_held(self):
        order = self.import_order("FU2", self.salesman_a)
        cancellation = self.upload(
            cancellation_xml("FU2", endpoint=b""), filename="noendpoint.xml"
        )
        self.assertEqual(cancellation.state, "error")
        self.assertIn("is not the buyer of", cancellation.error_message)
        self.assertFalse(order.psb_follow_up_pending)

    def test_cancellation_from_another_sender_is_held(self):
        order = self.import_order("FU3", self.salesman_a)
        # as the webhook stores it: the PSB's sender is somebody else
        cancellation = self.Document.create(
            {
                "company_id": self.company.id,
                "topic": "OrderCancellationReceived",
                "document_type": "order_cancellation",
                "psb_document_id": "sender-doc",
                "sender": "0106:99999999",
            }
        )
        cancellation._store_xml(cancellation_xml("FU3", cancel_id=b"CXL-S"))
        cancellation.action_process_now()
        self.assertEqual(cancellation.state, "error")
        self.assertIn(
            "sent by 0106:99999999, not by the buyer", cancellation.error_message
        )
        self.assertNotEqual(order.psb_pending_document_id, cancellation)

    def test_sender_in_another_case_is_the_buyer(self):
        order = self.import_order("FU4", self.salesman_a)
        order.action_confirm()
        cancellation = self.Document.create(
            {
                "company_id": self.company.id,
                "topic": "OrderCancellationReceived",
                "document_type": "order_cancellation",
                "psb_document_id": "case-doc",
                "sender": "iso6523-actorid-upis::0106:87654321",
            }
        )
        cancellation._store_xml(cancellation_xml("FU4"))
        cancellation.action_process_now()
        self.assertEqual(
            (cancellation.state, cancellation.sale_order_id),
            ("pending", order),
            cancellation.error_message,
        )

    def test_follow_up_lookups_stay_in_the_company(self):
        order_a = self.import_order("FU5", self.salesman_a)
        self.company_b.psb_party_id = "0106:55555555"
        # company B receives a cancellation naming A's order id and A's PSB document
        cancellation = self.Document.create(
            {
                "company_id": self.company_b.id,
                "topic": "OrderCancellationReceived",
                "document_type": "order_cancellation",
                "psb_document_id": "b-doc",
                "ref_document_id": order_a.psb_document_id.psb_document_id,
            }
        )
        cancellation._store_xml(cancellation_xml("FU5"))
        cancellation.action_process_now()
        self.assertEqual(
            cancellation.state, "downloaded", "it waits for an order of its own company"
        )
        self.assertIn(
            "waits for order PO-FU5, which is not in Odoo yet",
            cancellation.error_message,
        )
        self.assertFalse(order_a.psb_follow_up_pending or order_a.psb_cancellation_note)
        with self.assertRaises(ValidationError):
            cancellation.sale_order_id = order_a

    def test_response_status_events_stay_in_the_company(self):
        order = self.import_order("FU6", self.salesman_a)
        order.action_psb_accept()
        response = order.psb_response_ids
        response.write({"state": "sent", "psb_response_id": "resp-key-1"})
        self.company_b.psb_party_id = "0106:55555555"
        event = {
            "topic": "OrderResponseSentError",
            "partyId": "0106:55555555",
            "documentId": "resp-key-1",
            "message": "forged",
        }
        self.assertEqual(
            self.Document._psb_store_event(self.company_b, event), "stored"
        )
        status = self.Document.search(
            [
                ("company_id", "=", self.company_b.id),
                ("psb_document_id", "=", "resp-key-1"),
            ]
        )
        status._process()
        self.assertEqual(status.state, "done")
        self.assertFalse(status.sale_order_id)
        self.assertEqual(
            response.state, "sent", "company B's event did not touch company A's answer"
        )
        event["partyId"] = self.PARTY_ID
        self.Document._psb_store_event(self.company, event)
        self.Document.search(
            [
                ("company_id", "=", self.company.id),
                ("psb_document_id", "=", "resp-key-1"),
            ]
        )._process()
        self.assertEqual(response.state, "failed")

    def test_same_order_under_an_endpoint_in_another_case_is_a_duplicate(self):
        first = self.import_order("FU7", buyer_kvk=b"NL812345678B01", scheme=b"9944")
        self.assertEqual(first.psb_buyer_endpoint, "9944:NL812345678B01")
        second = self.upload(
            order_xml("FU7", buyer_kvk=b"nl812345678b01", scheme=b"9944"),
            filename="lower.xml",
        )
        self.assertEqual(
            (second.state, second.sale_order_id),
            ("duplicate", first),
            second.error_message,
        )
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-FU7")]), 1
        )
        # and the database itself refuses a second order under the other case
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.cr.savepoint(),
        ):
            first.copy(
                {"psb_order_ref": "PO-FU7", "psb_buyer_endpoint": "9944:nl812345678b01"}
            ).flush_recordset()

    def test_same_order_id_from_another_buyer_is_not_a_duplicate(self):
        first = self.import_order("FU8")
        second = self.upload(
            order_xml("FU8", buyer_kvk=b"44332211"), filename="other-buyer.xml"
        )
        self.assertEqual(second.state, "imported", second.error_message)
        self.assertNotEqual(second.sale_order_id, first)


@tagged("post_install", "-at_install")
class TestCompanySettings(ScopeCase):
    def test_party_ids_differing_in_case_are_one(self):
        self.company.psb_party_id = "NL:KVK:12345678"
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.cr.savepoint(),
        ):
            self.company_b.psb_party_id = "nl:kvk:12345678"
            self.company_b.flush_recordset()
        self.assertEqual(
            self.env["res.company"]._psb_company_for_party("nl:kvk:12345678"),
            self.company,
        )

    def test_replay_window_is_bounded(self):
        for value in (-5, -1, 61, 100000):
            with (
                self.subTest(value=value),
                self.assertRaises(ValidationError),
                self.cr.savepoint(),
            ):
                self.company.psb_signature_window = value
        for value in (0, 1, 5, 60):
            self.company.psb_signature_window = value
            self.assertEqual(self.company.psb_signature_window, value)

    def test_neutralization_switches_the_psb_off(self):
        order = self.import_order("NEU1")
        order.action_psb_accept()
        response = order.psb_response_ids
        self.company.write(
            {
                "psb_access_token": "prod-token",
                "psb_token_expires_at": 9e9,
                "psb_hook_id": "prod-hook",
                "psb_hook_state": "registered",
                "psb_alert_hook_id": "prod-hook-alert",
            }
        )
        self.env.flush_all()
        queries = list(neutralize.get_neutralization_queries(["sale_econnect_psb"]))
        self.assertEqual(
            len(queries), 1, "data/neutralize.sql is found by Odoo's neutralization"
        )
        neutralize.neutralize_database(
            self.cr
        )  # every installed module's, as `odoo neutralize` runs them
        self.env.invalidate_all()
        company = self.company
        self.assertEqual(company.psb_environment, "disabled")
        self.assertFalse(
            company.psb_webhook_secret
            or company.psb_access_token
            or company.psb_hook_id
            or company.psb_alert_hook_id
        )
        self.assertEqual(company.psb_hook_state, "none")
        self.assertTrue(
            company.psb_client_id,
            "the credentials stay, for a test against the acceptance PSB",
        )
        with self.assertRaisesRegex(Exception, "switched off"):
            company._psb_client()
        # the webhook cannot accept an event signed with the production secret any more
        found = self.env["res.company"]._psb_company_for_party(self.PARTY_ID)
        self.assertEqual(found, company)
        self.assertFalse(found.psb_webhook_secret)
        # an answer queued before the copy fails there instead of reaching the buyer
        self.env["econnect.psb.response"]._cron_send_responses()
        self.assertEqual(response.state, "failed")
        self.assertIn("switched off", response.error_message)
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn("This database is a neutralized copy.", arch)


@tagged("post_install", "-at_install")
class TestAttachmentDownload(OutboundHttpMixin, HttpCase):
    """/web/content follows the document's rules: another salesman's order XML is not
    served."""

    def test_web_content_of_another_salesmans_document(self):
        company = self.env.company
        configure_offline(company, "0106:12345678", "s")
        company.psb_auto_acknowledge = False
        owner = new_test_user(
            self.env, "psb_dl_a", groups="sales_team.group_sale_salesman"
        )
        other = new_test_user(
            self.env, "psb_dl_b", groups="sales_team.group_sale_salesman"
        )
        document = upload_document(self.env, order_xml("DL1"), company)
        document.sale_order_id.user_id = owner
        url = f"/web/content/{document.attachment_id.id}?download=true"
        self.authenticate("psb_dl_b", "psb_dl_b")
        self.assertIn(self.url_open(url).status_code, (403, 404))
        self.assertEqual(other.login, "psb_dl_b")
        self.authenticate("psb_dl_a", "psb_dl_a")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, order_xml("DL1"))
