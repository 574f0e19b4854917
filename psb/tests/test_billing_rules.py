"""The Peppol BIS Billing 3 rules (XSD + both rule sets) through psb.peppol_rules."""

import pytest
from lxml import etree

from psb import peppol_rules
from psb.peppol_rules import BILLING_CUSTOMIZATION_ID, PeppolValidator

NS = {
    "cbc": peppol_rules.NS_CBC,
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


@pytest.fixture(scope="module")
def validator(peppol):
    validator = PeppolValidator(peppol)
    validator.preload(BILLING_CUSTOMIZATION_ID)
    return validator


def example(peppol, name):
    return (peppol / "examples" / "invoice" / "official" / name).read_bytes()


def test_billing_documents_take_their_xsd_and_both_rule_sets():
    assert peppol_rules.rules_for(BILLING_CUSTOMIZATION_ID, "Invoice") == (
        "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
        ("CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt"),
    )
    assert (
        peppol_rules.rules_for(BILLING_CUSTOMIZATION_ID, "CreditNote")[0]
        == "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"
    )
    assert peppol_rules.rules_for("urn:fdc:peppol.eu:poacc:trns:order:3", "Order") == (
        "ubl-2.1/maindoc/UBL-Order-2.1.xsd",
        ("PEPPOLBIS-T01.xslt",),
    )


@pytest.mark.parametrize(
    "name",
    ["base-example.xml", "base-creditnote-correction.xml", "sales-order-example.xml"],
)
def test_official_billing_examples_pass(validator, peppol, name):
    result = validator.validate(example(peppol, name))
    assert result.ok, str(result)


def test_each_rule_set_is_run(validator, peppol):
    """An EN 16931 core rule and a Peppol rule fail on one invoice: both stylesheets
    ran."""
    root = etree.fromstring(example(peppol, "base-example.xml"))
    for tag in ("cbc:BuyerReference", "cac:OrderReference"):  # PEPPOL-EN16931-R003
        for node in root.findall(tag, NS):
            root.remove(node)
    root.find("cbc:IssueDate", NS).text = "not a date"  # the XSD
    root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text = "1.00"  # BR-CO-16
    result = validator.validate(etree.tostring(root))
    assert result.xsd_errors
    assert "PEPPOL-EN16931-R003" in result.fatal_ids
    assert "BR-CO-16" in result.fatal_ids
