"""Pieces of the hand-made Peppol documents the tests write, in one place: the plain
tests, the sandbox's tests and the Odoo tests (tests/common.py) build their XML from
them."""

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

# The seller of the hand-made documents: the company the tests configure
# (0106:12345678).
SELLER = """ <cac:SellerSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
  <cac:PostalAddress><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode>
   </cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Our Wholesale BV</cbc:RegistrationName>
   </cac:PartyLegalEntity>
 </cac:Party></cac:SellerSupplierParty>
"""


def ubl_head(root, transaction, profile="ordering", declaration=True):
    """The opening of a Peppol BIS 3 document up to its ProfileID: ``root`` is the UBL
    element (Order, OrderChange, OrderCancellation), ``transaction`` the POACC
    transaction (order, order_change, order_cancellation), ``profile`` the BIS profile
    (ordering, advanced_ordering; None: no ProfileID). It holds no ``%`` nor braces, so
    it prefixes %-templates and str.format templates alike."""
    head = (
        ('<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else "")
        + f'<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"\n'
        + f' xmlns:cac="{CAC}"\n xmlns:cbc="{CBC}">\n'
        + " "
        f"<cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:{transaction}:3</cbc:Cus"
        "tomizationID>\n"
    )
    if profile:
        head += (
            f" <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:{profile}:3</cbc:ProfileID>\n"
        )
    return head
