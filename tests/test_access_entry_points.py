# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 28: every entry point follows the caller's rights and companies. Each role is
tried through the call the web client makes (JSON-RPC over HTTP as that user): Odoo's
Upload Request for Quotation, the document wizards (Link to sale order, Ignore), the
decisions on a revised order or a cancellation, a salesman's upload of an unknown buyer,
and the trusted flag."""

import base64
import hashlib
import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import (
    ALL_LEADS,
    PSB_MANAGER,
    SALESMAN,
    OutboundHttpMixin,
    PsbCase,
    configure_offline,
    deliver_document,
    upload_document,
)
from .common import order_xml as buyer_order_xml
from .test_access_scope import cancellation_xml, order_xml
from .test_lifecycle import LINE1_QTY

BUYER_CONTACT = (
    b"<cac:Contact><cbc:Name>Jan Inkoper</cbc:Name><cbc:Telephone>+31 30 "
    b"1234567</cbc:Telephone>"
    b"<cbc:ElectronicMail>jan@bouwmarkt.example</cbc:ElectronicMail></cac:Contact>"
    b"</cac:Party></cac:BuyerCustomerParty>"
)
DELIVERY_CONTACT = (
    b"<cac:DeliveryParty><cac:PartyName><cbc:Name>Magazijn "
    b"Noord</cbc:Name></cac:PartyName>"
    b"<cac:Contact><cbc:Name>Piet "
    b"Magazijn</cbc:Name></cac:Contact></cac:DeliveryParty></cac:Delivery>"
)


class RpcCase(OutboundHttpMixin, HttpCase):
    """Two companies, and the roles of issue 28 as users who log in over HTTP."""

    PARTY_ID = "0106:12345678"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        configure_offline(cls.company, cls.PARTY_ID, "secret-a")
        cls.company.write({"psb_auto_acknowledge": False, "psb_auto_cancel": False})
        cls.company_b = cls.env["res.company"].create({"name": "Second Company BV"})
        configure_offline(cls.company_b, "0106:55555555", "secret-b")
        cls.company_b.psb_auto_acknowledge = False
        cls.env.user.company_ids |= cls.company_b
        cls.Document = cls.env["econnect.psb.document"]
        cls.internal = cls.user(
            "psb28_internal",
            "Ines Internal",
            "base.group_user,base.group_partner_manager",
        )
        cls.salesman = cls.user("psb28_sales", "Sam Salesman", SALESMAN)
        cls.colleague = cls.user("psb28_colleague", "Cora Colleague", ALL_LEADS)
        cls.manager = cls.user(
            "psb28_manager", "Mia Manager", "sales_team.group_sale_manager"
        )
        cls.psb_admin_a = cls.user("psb28_admin_a", "Adam Admin", PSB_MANAGER)
        admin = f"{PSB_MANAGER},{ALL_LEADS}"
        cls.psb_admin_b = cls.user("psb28_admin_b", "Bea Admin", admin, cls.company_b)
        cls.psb_admin_ab = cls.user(
            "psb28_admin_ab", "Abe Admin", admin, cls.company | cls.company_b
        )

    @classmethod
    def user(cls, login, name, groups, companies=None):
        companies = companies or cls.company
        return new_test_user(
            cls.env,
            login,
            groups=groups,
            name=name,
            company_ids=companies.ids,
            company_id=companies[0].id,
        )

    def rpc(self, user, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` called as ``user`` as the web client calls
        it (JSON-RPC over HTTP).

        :returns: (result, error data or None)
        """
        self.authenticate(user.login, user.login)
        params = {
            "model": model,
            "method": method,
            "args": list(args),
            "kwargs": kwargs,
        }
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
            ),
            headers={"Content-Type": "application/json"},
            timeout=120,
        )
        response.raise_for_status()
        body = response.json()
        self.env.invalidate_all()
        return body.get("result"), (body["error"]["data"] if "error" in body else None)

    def allowed(self, user, model, method, *args, **kwargs):
        result, error = self.rpc(user, model, method, *args, **kwargs)
        self.assertIsNone(
            error, f"{user.login}: {model}.{method}: {error and error['message']}"
        )
        return result

    def refused(self, user, message, model, method, *args, **kwargs):
        _result, error = self.rpc(user, model, method, *args, **kwargs)
        self.assertTrue(error, f"{user.login} was allowed {model}.{method}")
        self.assertIn(message, error["message"], f"{user.login}: {model}.{method}")
        return error["message"]

    def upload_attachment(self, user, xml):
        """The browser's first step of Upload Request for Quotation: the file as an
        attachment of nobody."""
        vals = {
            "name": "po.xml",
            "datas": base64.b64encode(xml).decode(),
            "mimetype": "application/xml",
        }
        [attachment_id] = self.allowed(user, "ir.attachment", "create", [vals])
        return attachment_id

    def orders(self, ref):
        return self.env["sale.order"].search([("psb_order_ref", "=", ref)])

    def imported(self, xml, company=None, user=None):
        document = upload_document(
            self.env, xml, company or self.company, filename=f"{len(xml)}.xml"
        )
        self.assertEqual(document.state, "imported", document.error_message)
        if user:
            document.sale_order_id.user_id = user
        return document.sale_order_id


@tagged("post_install", "-at_install")
class TestRfqUpload(RpcCase):
    def test_rfq_upload_needs_sales_rights(self):
        """Item 1: an internal user without sales rights gets no quotation (nor a
        confirmed order) from a file."""
        self.company.psb_auto_confirm = True
        xml = order_xml("RFQ1")
        attachment_id = self.upload_attachment(self.internal, xml)
        self.refused(
            self.internal,
            "Only sales users can import Peppol documents.",
            "sale.order",
            "create_document_from_attachment",
            "",
            [attachment_id],
        )
        self.assertFalse(self.orders("PO-RFQ1"))
        self.assertFalse(
            self.Document.search(
                [("psb_document_id", "=", f"upload:{hashlib.sha256(xml).hexdigest()}")]
            )
        )
        # A salesman's upload is a quotation, not confirmed (an upload authenticates
        # nobody, item 9).
        attachment_id = self.upload_attachment(self.salesman, xml)
        action = self.allowed(
            self.salesman,
            "sale.order",
            "create_document_from_attachment",
            "",
            [attachment_id],
        )
        order = self.orders("PO-RFQ1")
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual((order.state, order.psb_auto_state), ("draft", "off"))
        self.assertIn("uploaded by hand", order.psb_auto_reasons)
        self.assertFalse(
            self.env["ir.attachment"].browse(attachment_id).exists(),
            "his own file is kept on the document",
        )

    def test_rfq_upload_leaves_what_the_caller_may_not_delete(self):
        """Item 2: an order XML attached to a customer, readable but not deletable by
        the salesman, stays."""
        customer = self.env["res.partner"].create({"name": "Customer with a file"})
        attachment = self.env["ir.attachment"].create(
            {
                "name": "po.xml",
                "raw": order_xml("RFQ2"),
                "mimetype": "application/xml",
                "res_model": "res.partner",
                "res_id": customer.id,
            }
        )
        as_salesman = attachment.with_user(self.salesman)
        self.assertTrue(
            as_salesman.has_access("read") and not as_salesman.has_access("unlink")
        )
        self.allowed(
            self.salesman,
            "sale.order",
            "create_document_from_attachment",
            "",
            [attachment.id],
        )
        self.assertTrue(self.orders("PO-RFQ2"))
        self.assertTrue(attachment.exists(), "the customer's file is not deleted")
        self.assertEqual(attachment.raw, order_xml("RFQ2"))


@tagged("post_install", "-at_install")
class TestDocumentWizards(RpcCase):
    def test_only_documents_of_the_users_companies(self):
        """Item 3: a PSB administrator of company A neither links nor ignores company
        B's document."""
        b_order = self.imported(order_xml("W1"), self.company_b)
        cancellation = upload_document(
            self.env, cancellation_xml("W1-unknown"), self.company_b
        )
        self.assertEqual(cancellation.state, "downloaded", "it waits for its order")
        self.assertIn("which is not in Odoo yet", cancellation.error_message)
        message = (
            "You can only link or ignore documents of your companies that you may see."
        )
        for mode in ("ignore", "link"):
            vals = {
                "document_id": cancellation.id,
                "mode": mode,
                "note": "not ours",
                "sale_order_id": b_order.id,
            }
            self.refused(
                self.psb_admin_a,
                message,
                "econnect.psb.document.wizard",
                "create",
                [vals],
            )
            self.refused(
                self.psb_admin_a,
                message,
                "econnect.psb.document",
                f"action_{mode}",
                [cancellation.id],
            )
            # A PSB administrator of both companies, with only company A active,
            # neither.
            self.refused(
                self.psb_admin_ab,
                message,
                "econnect.psb.document.wizard",
                "create",
                [vals],
                context={"allowed_company_ids": [self.company.id]},
            )
        self.assertEqual(
            (cancellation.state, cancellation.sale_order_id),
            ("downloaded", b_order.browse()),
        )
        self.assertFalse(b_order.psb_follow_up_pending)
        # Nor does he move his own company's document, point it at B's XML, or make one
        # up (Retry would read it).
        own = upload_document(self.env, cancellation_xml("W1-own"), self.company)
        message = "Incoming documents are changed by their buttons only."
        for vals in (
            {"company_id": self.company_b.id},
            {"attachment_id": cancellation.attachment_id.id},
        ):
            self.refused(
                self.psb_admin_a,
                message,
                "econnect.psb.document",
                "write",
                [own.id],
                vals,
            )
        self.assertEqual(
            (own.company_id, own.attachment_id.res_id), (self.company, own.id)
        )
        vals = {
            "company_id": self.company.id,
            "topic": "OrderCancellationReceived",
            "document_type": "order_cancellation",
            "psb_document_id": "made-up",
            "attachment_id": cancellation.attachment_id.id,
        }
        message = "Incoming documents come from the PSB or from Import a document."
        self.refused(
            self.psb_admin_a, message, "econnect.psb.document", "create", [vals]
        )
        # Company B's own PSB administrator ignores it.
        action = self.allowed(
            self.psb_admin_b,
            "econnect.psb.document",
            "action_ignore",
            [cancellation.id],
        )
        self.allowed(
            self.psb_admin_b,
            action["res_model"],
            "write",
            [action["res_id"]],
            {"note": "A test file"},
        )
        self.allowed(
            self.psb_admin_b, action["res_model"], "action_apply", [action["res_id"]]
        )
        self.assertEqual(
            (cancellation.state, cancellation.ignore_note), ("ignored", "A test file")
        )

    def test_link_offers_the_buyers_orders_the_user_may_change(self):
        """Item 4: the buyer's orders in the document's company that the user may
        change; why none; another buyer's order only after a confirmation naming both
        buyers, recorded in the chatter."""
        mine = self.imported(order_xml("L1"), user=self.psb_admin_a)
        not_mine = self.imported(order_xml("L2"), user=self.salesman)
        other_buyer = self.imported(
            buyer_order_xml("L3", buyer_kvk="99999999", buyer_name="Region West BV"),
            user=self.psb_admin_a,
        )
        self.imported(order_xml("L1"), self.company_b)  # the same buyer in company B
        cancellation = upload_document(self.env, cancellation_xml("L9"), self.company)
        self.assertEqual(cancellation.state, "downloaded", "it waits for its order")
        action = self.allowed(
            self.psb_admin_a, "econnect.psb.document", "action_link", [cancellation.id]
        )
        wizard_id = action["res_id"]
        [offer] = self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "read",
            [wizard_id],
            ["buyer_order_ids", "buyer_label"],
        )
        self.assertEqual(
            offer["buyer_order_ids"],
            mine.ids,
            "not the colleague's order, nor company B's",
        )
        self.assertIn("Bouwmarkt Utrecht BV (0106:87654321)", offer["buyer_label"])
        self.assertNotEqual(not_mine, mine)

        # Another buyer's order: refused without the confirmation, which names both
        # buyers.
        self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "write",
            [wizard_id],
            {"other_buyer": True},
        )
        self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "write",
            [wizard_id],
            {"sale_order_id": other_buyer.id},
        )
        [shown] = self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "read",
            [wizard_id],
            ["buyer_mismatch"],
        )
        self.assertIn("Bouwmarkt Utrecht BV (0106:87654321)", shown["buyer_mismatch"])
        self.assertIn(other_buyer.partner_id.display_name, shown["buyer_mismatch"])
        message = self.refused(
            self.psb_admin_a,
            "Confirm that you link it to this other buyer's order",
            "econnect.psb.document.wizard",
            "action_apply",
            [wizard_id],
        )
        self.assertIn(other_buyer.partner_id.display_name, message)
        self.assertFalse(cancellation.sale_order_id)
        # Nor straight onto the document, past the wizard.
        self.refused(
            self.psb_admin_a,
            "Link a document to a sale order with Link to sale order.",
            "econnect.psb.document",
            "write",
            [cancellation.id],
            {"sale_order_id": other_buyer.id},
        )
        # Nor to an order the user may not change.
        self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "write",
            [wizard_id],
            {"sale_order_id": not_mine.id},
        )
        self.refused(
            self.psb_admin_a,
            "You can only link a document to an order you may change.",
            "econnect.psb.document.wizard",
            "action_apply",
            [wizard_id],
        )
        self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "write",
            [wizard_id],
            {"sale_order_id": other_buyer.id, "confirm_other_buyer": True},
        )
        self.allowed(
            self.psb_admin_a,
            "econnect.psb.document.wizard",
            "action_apply",
            [wizard_id],
        )
        self.assertEqual(cancellation.sale_order_id, other_buyer)
        self.assertEqual(cancellation.state, "pending", cancellation.error_message)
        [note] = cancellation.message_ids.filtered(
            lambda m: "although the buyers differ" in (m.body or "")
        )
        self.assertIn("Adam Admin", note.body)
        self.assertIn(other_buyer.partner_id.display_name, note.body)
        self.assertEqual(note.author_id, self.psb_admin_a.partner_id)
        self.assertTrue(
            other_buyer.message_ids.filtered(
                lambda m: "although the buyers differ" in (m.body or "")
            )
        )

    def test_link_says_why_there_is_no_order(self):
        cancellation = upload_document(
            self.env,
            cancellation_xml(
                "N1",
                endpoint=b'<cbc:EndpointID schemeID="0106">77777777</cbc:EndpointID>',
            ),
            self.company,
        )
        action = self.allowed(
            self.psb_admin_a, "econnect.psb.document", "action_link", [cancellation.id]
        )
        [offer] = self.allowed(
            self.psb_admin_a,
            action["res_model"],
            "read",
            [action["res_id"]],
            ["buyer_order_ids", "no_order_reason"],
        )
        self.assertEqual(offer["buyer_order_ids"], [])
        self.assertIn(
            "No Peppol order of Bouwmarkt Utrecht BV (0106:77777777) in",
            offer["no_order_reason"],
        )


@tagged("post_install", "-at_install")
class TestDecisions(RpcCase):
    def revised(self, ref):
        first = upload_document(self.env, order_xml(ref), self.company)
        first.sale_order_id.user_id = self.salesman
        changed = order_xml(ref).replace(LINE1_QTY, LINE1_QTY.replace(b">10<", b">12<"))
        revised = upload_document(
            self.env, changed, self.company, filename="revised.xml"
        )
        self.assertEqual(
            (revised.state, revised.psb_revision_state),
            ("pending", "pending"),
            revised.error_message,
        )
        return revised

    def test_who_decides_on_a_revised_order(self):
        """Item 5: the order's salesperson, a sales manager and the company's PSB
        administrator decide; the others are told who can."""
        Document = "econnect.psb.document"
        revised = self.revised("D1")
        naming = "Only Sam Salesman (the salesperson of"
        for user in (self.colleague, self.psb_admin_b, self.internal):
            message = (
                naming
                if user == self.colleague
                else "a sales manager or a PSB administrator"
            )
            with self.subTest(user=user.login):
                self.refused(
                    user,
                    message,
                    Document,
                    "write",
                    [revised.id],
                    {"psb_revision_note": "no"},
                )
                for button in (
                    "action_psb_revision_ignore",
                    "action_psb_revision_apply",
                    "action_psb_revision_new_order",
                ):
                    self.refused(user, message, Document, button, [revised.id])
        self.assertEqual(revised.psb_revision_state, "pending")
        # The salesperson writes the note Ignore needs, and ignores it.
        self.allowed(
            self.salesman,
            Document,
            "web_save",
            [revised.id],
            {"psb_revision_note": "Sent twice"},
            specification={},
        )
        self.allowed(
            self.salesman, Document, "action_psb_revision_ignore", [revised.id]
        )
        self.assertEqual(
            (revised.state, revised.psb_revision_state), ("done", "ignored")
        )
        # A sales manager applies one, the company's PSB administrator (not the
        # salesperson) imports one as new.
        revised = self.revised("D2")
        self.allowed(self.manager, Document, "action_psb_revision_apply", [revised.id])
        self.assertEqual(revised.psb_revision_state, "applied")
        revised = self.revised("D3")
        self.allowed(
            self.psb_admin_a, Document, "action_psb_revision_new_order", [revised.id]
        )
        self.assertEqual(revised.psb_revision_state, "new")
        self.assertEqual(len(self.orders("PO-D3")), 2)

    def pending_cancellation(self, ref):
        order = deliver_document(self.env, order_xml(ref), self.company).sale_order_id
        order.user_id = self.salesman
        order.action_confirm()
        cancellation = deliver_document(
            self.env, cancellation_xml(ref), self.company, "OrderCancellationReceived"
        )
        self.assertEqual(cancellation.state, "pending", cancellation.error_message)
        return order

    def test_who_decides_on_a_cancellation(self):
        order = self.pending_cancellation("D4")
        self.refused(
            self.colleague,
            "Only Sam Salesman (the salesperson of",
            "sale.order",
            "action_psb_accept_pending",
            [order.id],
        )
        self.refused(
            self.psb_admin_b,
            "a PSB administrator of the order's company",
            "sale.order",
            "action_psb_accept_pending",
            [order.id],
        )
        self.assertEqual(order.state, "sale")
        self.allowed(
            self.psb_admin_a, "sale.order", "action_psb_accept_pending", [order.id]
        )
        self.assertEqual(order.state, "cancel")

    def test_psb_administrator_refuses_a_cancellation_of_an_order_he_may_not_read(self):
        order = self.pending_cancellation("D5")
        self.assertFalse(
            order.with_user(self.psb_admin_a).has_access("read"), "Sam's order, not his"
        )
        wizard = "econnect.psb.response.wizard"
        self.refused(
            self.colleague,
            "Only Sam Salesman",
            "sale.order",
            "action_psb_refuse_pending",
            [order.id],
        )
        action = self.allowed(
            self.psb_admin_a, "sale.order", "action_psb_refuse_pending", [order.id]
        )
        self.assertEqual(action["name"], "Refuse the cancellation (RE)")
        self.allowed(
            self.psb_admin_a,
            wizard,
            "write",
            [action["res_id"]],
            {"note": "Already shipped"},
        )
        self.allowed(
            self.psb_admin_a,
            wizard,
            "action_send",
            [action["res_id"]],
            context=action["context"],
        )
        self.assertEqual(order.state, "sale", "the order stands")
        self.assertFalse(order.psb_pending_document_id)
        self.assertEqual(order.psb_response_ids.sorted("id")[-1:].code, "RE")


@tagged("post_install", "-at_install")
class TestSalesmanUpload(RpcCase):
    def test_unknown_buyer_with_contact_persons(self):
        """Item 6: the new customer and its contact, the delivery address and its
        contact, as a salesman."""
        xml = (
            order_xml("C1", buyer_kvk=b"24681357")
            .replace(b"</cac:Party></cac:BuyerCustomerParty>", BUYER_CONTACT)
            .replace(b"</cac:Delivery>", DELIVERY_CONTACT)
        )
        vals = {
            "mode": "upload",
            "company_id": self.company.id,
            "file": base64.b64encode(xml).decode(),
            "filename": "c1.xml",
        }
        [wizard_id] = self.allowed(
            self.salesman, "econnect.psb.import.wizard", "create", [vals]
        )
        action = self.allowed(
            self.salesman, "econnect.psb.import.wizard", "action_import", [wizard_id]
        )
        [order] = self.orders("PO-C1")
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sale.order", order.id)
        )
        customer = order.partner_id
        self.assertEqual(customer.peppol_endpoint, "24681357")
        self.assertTrue(customer.psb_needs_review)
        self.assertEqual(
            customer.child_ids.filtered(lambda c: c.type == "contact").mapped("name"),
            ["Jan Inkoper"],
        )
        self.assertEqual(
            customer.child_ids.filtered(lambda c: c.name == "Jan Inkoper").email,
            "jan@bouwmarkt.example",
        )
        shipping = order.partner_shipping_id
        self.assertEqual(shipping.parent_id, customer)
        self.assertEqual(shipping.child_ids.mapped("name"), ["Piet Magazijn"])


@tagged("post_install", "-at_install")
class TestTrustedFlag(RpcCase):
    def test_only_sales_managers_trust_a_customer(self):
        """Item 8: a contact editor without sales rights, or a salesman, cannot trust a
        customer."""
        customer = self.env["res.partner"].create(
            {"name": "Trusted or not BV", "is_company": True}
        )
        message = "Only sales managers can trust a customer for automatic confirmation."
        for user in (self.internal, self.salesman):
            with self.subTest(user=user.login):
                self.refused(
                    user,
                    message,
                    "res.partner",
                    "write",
                    [customer.id],
                    {"psb_auto_trusted": True},
                )
        self.refused(
            self.internal,
            message,
            "res.partner",
            "create",
            [{"name": "New", "psb_auto_trusted": True}],
        )
        self.assertFalse(customer.psb_auto_trusted)
        self.allowed(
            self.manager,
            "res.partner",
            "write",
            [customer.id],
            {"psb_auto_trusted": True},
        )
        self.assertTrue(customer.psb_auto_trusted)
        # Nor does a contact editor without sales rights mark a customer made from an
        # order as reviewed.
        customer.psb_needs_review = True
        self.refused(
            self.internal,
            "Only sales users can review customers created from Peppol orders.",
            "res.partner",
            "write",
            [customer.id],
            {"psb_needs_review": False},
        )
        self.assertTrue(customer.psb_needs_review)
        self.allowed(
            self.manager,
            "res.partner",
            "write",
            [customer.id],
            {"psb_needs_review": False},
        )
        self.assertFalse(customer.psb_needs_review)


@tagged("post_install", "-at_install")
class TestExactCustomerMatch(PsbCase):
    """Item 7: the buyer's VAT number and name are compared exactly; a ``%`` or ``_`` is
    a character."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.psb_auto_acknowledge = False
        cls.acme = cls.env["res.partner"].create(
            {"name": "Acme Foods BV", "is_company": True, "vat": "NL 8123.456.78 B01"}
        )

    def order_of(self, ref, kvk, name, vat=""):
        document = self.deliver(
            buyer_order_xml(ref, buyer_kvk=kvk, buyer_name=name, buyer_vat=vat)
        )
        self.assertEqual(document.state, "imported", document.error_message)
        return document.sale_order_id

    def test_wildcards_find_nobody(self):
        for ref, name, vat in (
            ("X1", "Percent Buyer", "%"),
            ("X2", "Acme%", ""),
            ("X3", "Acme_Foods BV", "_"),
        ):
            with self.subTest(name=name, vat=vat):
                order = self.order_of(ref, f"1357900{ref[-1]}", name, vat)
                self.assertNotEqual(order.partner_id, self.acme)
                self.assertEqual(order.partner_id.name, name)
                self.assertTrue(
                    order.partner_id.psb_needs_review, "a new customer, flagged"
                )
                self.assertFalse(order.psb_customer_by_name)

    def test_vat_number_normalized_and_equal(self):
        order = self.order_of("V1", "24242424", "Another Name BV", "nl812345678b01")
        self.assertEqual(order.partner_id, self.acme)
        self.assertFalse(order.psb_customer_by_name)
        self.assertNotIn("name only", order.psb_import_issues or "")
        order = self.order_of("V2", "24242425", "Another Name BV", "NL812345678")
        self.assertNotEqual(
            order.partner_id, self.acme, "a part of a VAT number is not that VAT number"
        )

    def test_exact_name_alone_is_flagged(self):
        order = self.order_of("N1", "31313131", "acme foods bv")
        self.assertEqual(order.partner_id, self.acme)
        self.assertTrue(order.psb_customer_by_name)
        self.assertIn(
            "Customer Acme Foods BV was found by its name only", order.psb_import_issues
        )
        self.assertIn("was found by its name only", order.psb_attention_text)
