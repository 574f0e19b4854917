# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

# German public buyers: Odoo writes their Leitweg-ID as BuyerReference, as they require
LEITWEG_SCHEME = "0204"


class AccountEdiXmlUblBis3(models.AbstractModel):
    """Odoo's Peppol BIS Billing 3 builder, extended: an invoice of Peppol orders
    carries the buyer's references."""

    _inherit = "account.edi.xml.ubl_bis3"

    def _get_document_template(self, vals):
        """Odoo's UBL template, with the line's AccountingCost (BT-133) where UBL 2.1
        places it."""
        template = super()._get_document_template(vals)
        line_tag = self._get_tags_for_document_type(vals)["document_line"]
        line_template = template.get(line_tag)
        if (
            not line_template
            or "cbc:AccountingCost" in line_template
            or "cbc:LineExtensionAmount" not in line_template
        ):
            return template
        items = list(line_template.items())
        position = list(line_template).index("cbc:LineExtensionAmount") + 1
        return {
            **template,
            line_tag: dict(
                items[:position] + [("cbc:AccountingCost", {})] + items[position:]
            ),
        }

    def _add_invoice_header_nodes(self, document_node, vals):
        super()._add_invoice_header_nodes(document_node, vals)
        invoice = vals["invoice"]
        if not invoice.psb_order_ref:
            return
        document_node["cac:OrderReference"]["cbc:ID"] = {"_text": invoice.psb_order_ref}
        if (
            invoice.psb_buyer_reference
            and invoice.commercial_partner_id.peppol_eas != LEITWEG_SCHEME
        ):
            document_node["cbc:BuyerReference"] = {"_text": invoice.psb_buyer_reference}
        if invoice.psb_accounting_cost:
            document_node["cbc:AccountingCost"] = {"_text": invoice.psb_accounting_cost}
        if invoice.psb_contract_reference:
            document_node["cac:ContractDocumentReference"] = {
                "cbc:ID": {"_text": invoice.psb_contract_reference}
            }
        if invoice.psb_project_reference:
            if vals["document_type"] == "invoice":
                document_node["cac:ProjectReference"] = {
                    "cbc:ID": {"_text": invoice.psb_project_reference}
                }
            else:
                # A credit note has no ProjectReference: BIS 3 puts the project (BT-11)
                # in a document reference of type 50.
                references = document_node.get("cac:AdditionalDocumentReference") or []
                document_node["cac:AdditionalDocumentReference"] = [
                    *(references if isinstance(references, list) else [references]),
                    {
                        "cbc:ID": {"_text": invoice.psb_project_reference},
                        "cbc:DocumentTypeCode": {"_text": "50"},
                    },
                ]

    def _add_invoice_line_id_nodes(self, line_node, vals):
        super()._add_invoice_line_id_nodes(line_node, vals)
        line = vals["base_line"].get("record")
        if not line or line._name != "account.move.line":
            return
        if line.psb_line_ref and line.move_id._psb_single_order():
            line_node["cac:OrderLineReference"] = {
                "cbc:LineID": {"_text": line.psb_line_ref}
            }
        if line.psb_accounting_cost:
            line_node["cbc:AccountingCost"] = {"_text": line.psb_accounting_cost}
