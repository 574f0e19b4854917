# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's *Send* of an invoice learns a sending method: "Peppol through the eConnect
PSB"."""

import logging

from odoo import api, models

from .res_partner import PSB_SENDING_METHOD

_logger = logging.getLogger(__name__)

BIS3 = "ubl_bis3"


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_default_invoice_edi_format(self, move, **kwargs):
        # The PSB takes Peppol BIS Billing 3: Odoo's own builder, extended with the
        # buyer's references.
        if PSB_SENDING_METHOD in (kwargs.get("sending_methods") or ()):
            return BIS3
        return super()._get_default_invoice_edi_format(move, **kwargs)

    @api.model
    def _is_applicable_to_company(self, method, company):
        if method == PSB_SENDING_METHOD:
            company = company.sudo()
            return bool(company.psb_party_id) and company.psb_environment != "disabled"
        return super()._is_applicable_to_company(method, company)

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        if method == PSB_SENDING_METHOD:
            return self._psb_applicable(move)
        return super()._is_applicable_to_move(method, move, **move_data)

    @api.model
    def _psb_applicable(self, move):
        """An invoice or credit note of a company connected to the PSB, not sent there
        yet, to a customer the PSB can deliver invoices to (asked once, remembered on
        the customer)."""
        return bool(
            move.is_sale_document()
            and move.state == "posted"
            and self._is_applicable_to_company(PSB_SENDING_METHOD, move.company_id)
            and move.sudo().psb_send_state in (False, "failed")
            and move.commercial_partner_id._psb_can_receive_invoices(move.company_id)
        )

    def _call_web_service_after_invoice_pdf_render(self, invoices_data):
        result = super()._call_web_service_after_invoice_pdf_render(invoices_data)
        for invoice, invoice_data in invoices_data.items():
            if PSB_SENDING_METHOD in invoice_data[
                "sending_methods"
            ] and not invoice_data.get("error"):
                self._psb_queue_invoice(invoice, invoice_data)
        return result

    def _psb_queue_invoice(self, invoice, invoice_data):
        """Check the invoice's Peppol BIS 3 UBL against the official rules, then queue
        it to be sent once."""
        if not self.env.su:
            # The wizard hands the invoices over with sudo: the person sending must be
            # allowed to.
            invoice.with_env(self.env).check_access("write")
            self.env["econnect.psb.invoice.send"].check_access("read")
        if not self._psb_applicable(invoice):
            invoice_data["error"] = {
                "error_title": self.env._(
                    "%s cannot be sent through the eConnect PSB: the customer cannot "
                    "receive Peppol invoices there, "
                    "or the invoice is already on its way.",
                    invoice.name,
                )
            }
            return
        xml, filename, errors = self._psb_invoice_xml(invoice, invoice_data)
        rule_check = "unavailable"
        if not errors:
            errors, rule_check = self._psb_rule_problems(invoice, xml)
        if errors:
            invoice_data["error"] = {
                "error_title": self.env._(
                    "The Peppol invoice %s breaks the official Peppol rules and was "
                    "not sent; correct the invoice "
                    "(or the customer) and send it again:",
                    invoice.name,
                ),
                "errors": errors,
            }
            return
        self.env["econnect.psb.invoice.send"]._psb_queue(
            invoice, xml, filename, rule_check
        )

    def _psb_invoice_xml(self, invoice, invoice_data):
        """The invoice's Peppol BIS 3 UBL: the one this sending made, else Odoo's
        builder's. (xml, name, errors)"""
        values = invoice_data.get("ubl_cii_xml_attachment_values")
        builder = self.env["account.edi.xml.ubl_bis3"]
        if values and invoice_data.get("invoice_edi_format") == BIS3:
            return values["raw"], values["name"], []
        xml, errors = builder._export_invoice(invoice)
        return xml, builder._export_invoice_filename(invoice), list(errors)

    def _psb_rule_problems(self, invoice, xml):
        """The fatal violations of the official rules (XSD, EN 16931, Peppol), and
        whether they were checked."""
        validator = self.env["econnect.psb.document"]._psb_rules_validator()
        if not validator:
            invoice._message_log(
                body=self.env._(
                    "The Peppol invoice was not checked against the official Peppol "
                    "rules (not available on this "
                    "server: not installed, switched off, or no room under Odoo's "
                    "memory limits); the PSB checks it."
                )
            )
            return [], "unavailable"
        result = validator.validate(xml)
        problems = [self.env._("XSD: %s", error) for error in result.xsd_errors]
        problems += [f"{rule}: {text}" for rule, text in result.fatal]
        return problems, "ok"
