"""Download with targetDocumentTypeId (psb-api.md §4) against the sandbox: as sent,
converted, refused."""

from pathlib import Path

import pytest

from psb.exceptions import PsbRequestError
from psb.tests.test_client import api_requests, make_client
from psb_sandbox.server import BIS2_ORDER_TYPE

PARTY = "0106:12345678"
ORDER = (Path(__file__).parent / "data" / "order_minimal.xml").read_bytes()
T01 = (
    "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##urn:fdc:peppol.eu:"
    "poacc:trns:order:3::2.1"
)


def test_no_target_sends_no_parameter(sandbox):
    doc = sandbox.add_document(PARTY, ORDER)
    assert make_client(sandbox).download_sales_order(PARTY, doc) == ORDER
    assert api_requests(sandbox)[-1]["query"] == {}


def test_target_is_passed_and_the_document_converted(sandbox):
    doc = sandbox.add_document(PARTY, ORDER)
    client = make_client(sandbox)
    assert client.download_sales_order(PARTY, doc, target_document_type_id=T01) == ORDER
    assert api_requests(sandbox)[-1]["query"] == {"targetDocumentTypeId": [T01]}
    converted = client.download_sales_order(
        PARTY, doc, target_document_type_id=BIS2_ORDER_TYPE
    )
    assert (
        b"urn:www.cenbii.eu:transaction:biitrns001:ver2.0" in converted
        and converted != ORDER
    )


@pytest.mark.parametrize(
    "target", ["pdf", "urn:x:Invoice-2::Invoice##urn:cen.eu:en16931:2017::2.1"]
)
def test_unsupported_target_is_a_clear_4xx(sandbox, target):
    doc = sandbox.add_document(PARTY, ORDER)
    with pytest.raises(PsbRequestError) as err:
        make_client(sandbox).download_sales_order(
            PARTY, doc, target_document_type_id=target
        )
    assert err.value.status == 400
    assert (
        "targetDocumentTypeId" in err.value.message
        or "cannot be converted" in err.value.message
    )


def test_keep_limit_is_the_clients_download_limit(sandbox):
    doc = sandbox.add_document(PARTY, ORDER)
    client = make_client(sandbox, max_download_bytes=100)
    with pytest.raises(PsbRequestError) as err:
        client.download_sales_order(PARTY, doc)
    assert err.value.code == "too_large"
