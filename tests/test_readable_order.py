# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The buyer's order as a document a person reads (QWeb report and preview), from the
parsed order."""

from types import SimpleNamespace
from unittest.mock import patch

from lxml import html

from odoo.tests import tagged

from ..report import report_psb_order
from .common import MODULE_ROOT, NO_PEPPOL_MSG, PsbCase, activate_dutch, peppol_dir

CHANGE = (
    MODULE_ROOT / "psb" / "tests" / "data" / "order_change_minimal.xml"
).read_bytes()


@tagged("post_install", "-at_install")
class TestReadableOrder(PsbCase):
    def render(self, document):
        content, kind = self.env["ir.actions.report"]._render_qweb_html(
            "sale_econnect_psb.action_report_psb_order", document.ids
        )
        self.assertEqual(kind, "html")
        return html.fromstring(content)

    @staticmethod
    def texts(tree, xpath):
        return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]

    def test_official_example_with_allowances_and_totals(self):
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        self.env["res.currency"].search([("name", "=", "NOK")]).active = True
        document = self.upload(
            (
                base / "examples" / "order" / "official" / "Order_Example.xml"
            ).read_bytes()
        )
        self.assertEqual(document.state, "imported", document.error_message)
        tree = self.render(document)
        page = " ".join(tree.text_content().split())
        self.assertIn("Purchase order 34", page)
        self.assertIn("Information text for the whole order", page)
        buyer = self.texts(tree, "//div[@name='buyer']")[0]
        self.assertIn("Peppol: 0192:987654325", buyer)
        self.assertIn("Ole Olsen · 23055000 · post@helseforetak.no", buyer)
        delivery = self.texts(tree, "//div[@name='delivery']")[0]
        self.assertIn("Solheimsveien 10", delivery)
        self.assertIn("1473 Lørenskog", delivery)
        self.assertIn("Norway", delivery, "the country by name")
        rows = self.texts(tree, "//table[@name='lines']/tbody/tr")
        self.assertEqual(len(rows), 2)
        self.assertIn("Needle 4mm", rows[0])
        self.assertIn("120", rows[0])
        self.assertIn(
            f"{self.env.ref('uom.product_uom_unit').name} (EA)",
            rows[0],
            "Odoo's unit name, code as hint",
        )
        self.assertIn("Charge: Miscellaneous services", rows[0])
        self.assertIn("Allowance: Discount (5 %)", rows[0])
        self.assertIn("6,300.00", rows[0])
        order_allowances = self.texts(tree, "//div[@name='allowances']")[0]
        self.assertIn("Discount (10 %)", order_allowances)
        totals = self.texts(tree, "//div[@name='totals']//tr")
        self.assertIn("Tax", totals[-3])
        self.assertTrue(
            totals[-1].startswith("To pay") and "6,363.00" in totals[-1], totals
        )

        # The same view on the form (preview) and from the quotation.
        self.assertIn("Needle 4mm", document.readable_html)
        action = document.sale_order_id.action_psb_view_original_order()
        self.assertEqual(
            (action["type"], action["report_type"]), ("ir.actions.report", "qweb-html")
        )
        self.assertEqual(action["context"]["active_ids"], document.ids)
        self.assertEqual(
            document.with_context(psb_pdf=True).action_psb_readable()["report_type"],
            "qweb-pdf",
        )
        self.assertTrue(document.xml_preview.startswith("<?xml"), "the raw XML stays")

    def test_company_header_of_the_external_layout(self):
        """The report starts with the company's header (Odoo's external layout), not
        with empty space."""
        from .test_sales_desk import order_xml

        self.company.write(
            {"street": "Industrieweg 12", "city": "Zwolle", "company_details": False}
        )
        tree = self.render(self.upload(order_xml(b"READ-HEAD")))
        header = tree.xpath(
            "//div[contains(@class, 'header') and contains(@class, "
            f"'o_company_{self.company.id}_layout')]"
        )
        self.assertTrue(header, "the company's layout is used")
        self.assertIn("Industrieweg 12", " ".join(header[0].text_content().split()))
        self.assertIn(
            "Purchase order PO-READ-HEAD", " ".join(tree.text_content().split())
        )

    def test_pdf_keeps_its_header_without_patched_qt(self):
        """A wkhtmltopdf without Odoo's patched Qt drops the layout's header: the PDF
        then carries the company's header in the page and keeps no empty top margin for
        one; with a patched one, Odoo's header serves."""
        from .test_sales_desk import order_xml

        document = self.upload(order_xml(b"READ-PDF"))
        for patched in (False, True):
            info = SimpleNamespace(is_patched_qt=patched)
            with (
                self.subTest(patched=patched),
                patch.object(report_psb_order, "_wkhtml", lambda info=info: info),
            ):
                content = self.env["ir.actions.report"]._render_qweb_html(
                    "sale_econnect_psb.action_report_psb_order",
                    document.ids,
                    data={"report_type": "pdf"},
                )[0]
                tree = html.fromstring(content)
                in_page = tree.xpath("//div[@class='page']/div[@name='company_header']")
                self.assertEqual(bool(in_page), not patched)
                self.assertEqual(
                    tree.get("data-report-margin-top"), None if patched else "12"
                )
        preview = self.render(document)
        self.assertFalse(
            preview.xpath("//div[@name='company_header']"),
            "the preview has the layout's header",
        )

    def test_missing_price_and_change_lines(self):
        from .test_sales_desk import order_xml

        document = self.upload(order_xml(b"READ-1"))
        rows = self.texts(self.render(document), "//table[@name='lines']/tbody/tr")
        self.assertIn("no price", rows[3])
        self.assertIn("Their ref. LIJM-9", rows[2])
        change = self.upload(CHANGE, filename="change.xml")
        self.assertEqual(
            change.state,
            "downloaded",
            "waiting for an unknown order: the change is still readable",
        )
        tree = self.render(change)
        self.assertIn("Order change CHG-1", " ".join(tree.text_content().split()))
        self.assertIn("For order PO-1", " ".join(tree.text_content().split()))
        self.assertIn(
            "Reopened", self.texts(tree, "//table[@name='lines']/tbody/tr")[0]
        )

    def test_unreadable_document_says_why(self):
        document = self.upload(b"<Order><broken")
        self.assertIn("could not be read", document.readable_html)

    def test_unreadable_document_says_why_in_the_readers_language(self):
        activate_dutch(self.env)
        document = self.upload(b'<?xml version="1.0"?>\n<Order><a></Order>')
        dutch = document.with_context(lang="nl_NL").readable_html
        self.assertIn(
            "Het document is geen goedgevormde XML (regel 2: een eindtag past niet "
            "bij zijn begintag).",
            dutch,
            "the psb error in the reader's language, not its English message",
        )
        self.assertNotIn("not well-formed", dutch)
