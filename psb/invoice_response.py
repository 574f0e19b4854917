# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A buyer's Peppol Invoice Response (BIS 3 T111, a UBL ApplicationResponse): what it
says about which invoice.

Plain Python (no Odoo): :func:`read` takes the downloaded bytes and returns an
:class:`InvoiceResponse`.
"""

from dataclasses import dataclass

from . import xmlsafe

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ROOT = (
    "{urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-"
    "2}ApplicationResponse"
)
#: The status codes of an Invoice Response (UNCL4343 subset of Peppol T111).
STATUS_CODES = ("AB", "IP", "UQ", "CA", "RE", "AP", "PD")
#: The answers that need someone at the seller's side.
NEEDS_A_PERSON = ("UQ", "RE")


class InvoiceResponseError(ValueError):
    """The document is not a Peppol Invoice Response this addon can read."""


@dataclass(frozen=True)
class InvoiceResponse:
    response_id: str
    issue_date: str
    code: str
    invoice_number: str
    reasons: tuple[str, ...] = ()
    sender: str = ""


def _text(node, path):
    return " ".join((node.findtext(path, namespaces=NS) or "").split())


def read(data):
    """The Invoice Response in ``data`` (bytes). :raises InvoiceResponseError: it is
    none."""
    root = xmlsafe.parse_xml(data)
    if root.tag != ROOT:
        raise InvoiceResponseError(f"not an ApplicationResponse but {root.tag}")
    response = root.find("cac:DocumentResponse", NS)
    if response is None:
        raise InvoiceResponseError("no DocumentResponse")
    code = _text(response, "cac:Response/cbc:ResponseCode")
    if code not in STATUS_CODES:
        raise InvoiceResponseError(f"unknown status code {code!r}")
    reasons = [
        " ".join(
            filter(
                None,
                (
                    _text(status, "cbc:StatusReasonCode"),
                    _text(status, "cbc:StatusReason"),
                ),
            )
        )
        for status in response.iterfind("cac:Response/cac:Status", NS)
    ]
    endpoint = root.find("cac:SenderParty/cbc:EndpointID", NS)
    sender = ""
    if endpoint is not None and (endpoint.text or "").strip():
        scheme = endpoint.get("schemeID") or ""
        sender = (
            f"{scheme}:{endpoint.text.strip()}" if scheme else endpoint.text.strip()
        )
    return InvoiceResponse(
        response_id=_text(root, "cbc:ID"),
        issue_date=_text(root, "cbc:IssueDate"),
        code=code,
        invoice_number=_text(response, "cac:DocumentReference/cbc:ID"),
        reasons=tuple(reason for reason in reasons if reason),
        sender=sender,
    )
