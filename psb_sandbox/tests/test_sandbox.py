"""The PSB sandbox itself: its contract over raw HTTP, its signed webhooks, its control
API and its CLI."""

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from psb import signature
from psb.tests.hooks import Receiver
from psb.tests.samples import ubl_head
from psb_sandbox.server import (
    ENVIRONMENT,
    PsbSandbox,
    document_details,
    event_message,
    topic_matches,
)

PARTY = "0106:12345678"
OTHER = "0106:87654321"
ROOT = Path(__file__).resolve().parents[2]
ORDER = (
    ubl_head("Order", "order")
    + """  <cbc:ID>PO-1</cbc:ID>
  <cbc:Note>Deliver at the back door</cbc:Note>
  <cac:BuyerCustomerParty><cac:Party>
   <cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID></cac:Party>
  </cac:BuyerCustomerParty>
</Order>"""
).encode()
CHANGE = (
    ubl_head("OrderChange", "order_change", profile=None, declaration=False)
    + """  <cbc:ID>Change-2</cbc:ID><cbc:SequenceNumberID>2</cbc:SequenceNumberID>
  <cac:OrderReference><cbc:ID>PO-1</cbc:ID></cac:OrderReference>
</OrderChange>"""
).encode()


# ---------------------------------------------------------------------- fixtures
@pytest.fixture()
def box():
    with PsbSandbox(
        clients={"cid": "csecret"}, users={"user": "pw"}, parties=[PARTY, OTHER]
    ) as sandbox:
        yield sandbox


@pytest.fixture()
def receiver():
    hook_receiver = Receiver()
    yield hook_receiver
    hook_receiver.close()


def token(box, **form):
    data = {
        "grant_type": "client_credentials",
        "client_id": "cid",
        "client_secret": "csecret",
        "scope": "ap",
        **form,
    }
    return requests.post(f"{box.url}/connect/token", data=data, timeout=5)


@pytest.fixture()
def api(box):
    """A requests session with a valid bearer token, rooted at the sandbox's /api/v1."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token(box).json()["access_token"]

    def call(method, path, **kwargs):
        return session.request(method, f"{box.url}/api/v1{path}", timeout=5, **kwargs)

    yield call
    session.close()


def put_hook(api, party, hook_id, action, topics, **extra):
    path = f"/{party.replace(':', '%3A')}/hook" if party else "/hook"
    answer = api(
        "PUT",
        path,
        json={
            "id": hook_id,
            "name": hook_id,
            "action": action,
            "topics": topics,
            **extra,
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_psb_error(answer, status):
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert body["code"] == f"API{status}" and body["message"] and body["requestId"]
    assert signature.parse_timestamp(body["dateTime"]) and body["helpLink"].startswith(
        "https://"
    )
    return body


# ---------------------------------------------------------------------- identity server
def test_token_endpoint_grants(box):
    answer = token(box)
    assert answer.status_code == 200
    assert (
        answer.json()["token_type"] == "Bearer" and answer.json()["expires_in"] == 3600
    )
    assert (
        token(box, grant_type="password", username="user", password="pw").status_code
        == 200
    )
    basic = base64.b64encode(b"cid:csecret").decode()
    answer = requests.post(
        f"{box.url}/connect/token",
        data={"grant_type": "client_credentials", "scope": "openid ap"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["scope"] == "openid ap"


@pytest.mark.parametrize(
    "form, error",
    [
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"client_id": ""}, "invalid_client"),
        (
            {"grant_type": "password", "username": "user", "password": "wrong"},
            "invalid_grant",
        ),
        ({"grant_type": "password", "username": "", "password": ""}, "invalid_grant"),
        ({"scope": "openid"}, "invalid_scope"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
    ],
)
def test_token_endpoint_refusals(box, form, error):
    answer = token(box, **form)
    assert answer.status_code == 400 and answer.json()["error"] == error


def test_token_endpoint_wants_a_form(box):
    answer = requests.post(
        f"{box.url}/connect/token", json={"grant_type": "client_credentials"}, timeout=5
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_openid_configuration(box):
    config = requests.get(
        f"{box.url}/.well-known/openid-configuration", timeout=5
    ).json()
    assert config["token_endpoint"] == f"{box.url}/connect/token"
    assert {"client_credentials", "password"} <= set(config["grant_types_supported"])


# ---------------------------------------------------------------------- API contract
def test_api_requires_a_valid_unexpired_token(box, api):
    assert_psb_error(requests.get(f"{box.url}/api/v1/me", timeout=5), 401)
    answer = requests.get(
        f"{box.url}/api/v1/me", headers={"Authorization": "Bearer forged"}, timeout=5
    )
    assert_psb_error(answer, 401)
    assert "Bearer" in answer.headers["WWW-Authenticate"]
    assert api("GET", "/me").json() == {"name": "cid"}
    for grant in box.tokens.values():
        grant["expires"] = time.time() - 1
    assert_psb_error(api("GET", "/me"), 401)


def test_party_access_routes_and_methods(box, api):
    assert [p["id"] for p in api("GET", "/me/party").json()] == [PARTY, OTHER]
    assert_psb_error(api("GET", "/0106%3A99999999/hook"), 403)
    assert api("GET", "/0106%3a12345678/hook").status_code == 200, (
        "percent-encoding in any case"
    )
    assert api("GET", "/0106:12345678/hook").status_code == 200, (
        "an unencoded colon is understood too"
    )
    assert_psb_error(api("GET", "/0106%3A12345678/nothing"), 404)
    answer = api("POST", "/0106%3A12345678/hook", json={})
    assert_psb_error(answer, 405)
    assert answer.headers["Allow"] == "GET, PUT"
    assert_psb_error(requests.get(f"{box.url}/api/v2/me", timeout=5), 404)


def test_sales_order_endpoints(box, api):
    doc = box.add_document(PARTY, ORDER)
    path = f"/0106%3A12345678/salesOrder/{doc}"
    assert_psb_error(api("GET", f"/0106%3A87654321/salesOrder/{doc}/download"), 404)
    answer = api("GET", f"{path}/download")
    assert answer.status_code == 200 and answer.content == ORDER
    assert answer.headers["Content-Type"] == "application/xml"
    assert box.downloads(doc) == 1
    status = api("GET", f"{path}/status").json()
    assert [s["name"] for s in status] == ["Received", "Downloaded"]
    assert set(status[0]) == {"id", "name", "description", "createdOn"}
    assert api("DELETE", path).status_code == 200
    assert_psb_error(api("GET", f"{path}/download"), 404)
    assert_psb_error(api("DELETE", path), 404)
    assert box.downloads(doc) == 1


def test_order_response_validation(box, api):
    doc = box.add_document(PARTY, ORDER)
    path = f"/0106%3A12345678/salesOrder/{doc}/response"
    for status in (
        "AB",
        "AP",
        "CA",
        "RE",
        "Acknowledge",
        "Accept",
        "ConditionallyAccepted",
        "Reject",
    ):
        assert api("POST", path, json={"status": status}).status_code == 200, status
    assert [r["status"] for r in box.responses] == ["AB", "AP", "CA", "RE"] * 2
    for body in (
        {"status": "OK"},
        {"status": "ab"},
        {},
        [],
        {"status": "AB", "note": 3},
    ):
        assert_psb_error(api("POST", path, json=body), 400)
    assert_psb_error(
        api("POST", path, data=b"{", headers={"Content-Type": "application/json"}), 400
    )
    assert_psb_error(
        api("POST", path, data=b"AB", headers={"Content-Type": "text/plain"}), 415
    )
    assert_psb_error(
        api(
            "POST", path, data=b"<Order/>", headers={"Content-Type": "application/xml"}
        ),
        400,
    )
    assert_psb_error(
        api(
            "POST",
            path,
            data=b"<OrderResponse",
            headers={"Content-Type": "application/xml"},
        ),
        400,
    )
    assert_psb_error(
        api("POST", "/0106%3A12345678/salesOrder/nope/response", json={"status": "AB"}),
        404,
    )
    first = api(
        "POST", path, json={"status": "AB"}, headers={"X-EConnect-DocumentId": "resp-1"}
    )
    assert first.json() == {"id": "resp-1"}
    assert_psb_error(
        api(
            "POST",
            path,
            json={"status": "RE"},
            headers={"X-EConnect-DocumentId": "resp-1"},
        ),
        409,
    )
    assert len(box.responses) == 9


def order_response_xml(code="CA", order_id="PO-1"):
    return (
        "<OrderResponse "
        'xmlns="urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"'
        " "
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateCompon'
        'ents-2"'
        " "
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents'
        '-2">'
        f"<cbc:OrderResponseCode>{code}</cbc:OrderResponseCode><cbc:Note>Changed</cbc:"
        "Note>"
        f"<cac:OrderReference><cbc:ID>{order_id}</cbc:ID></cac:OrderReference></"
        "OrderResponse>"
    ).encode()


def test_order_response_as_ubl(box, api):
    """The full UBL on the same endpoint (eConnect's newer pages): recorded as received;
    an answer to another order, or without a known code, is refused (where the
    documented contract is silent, see README)."""
    doc = box.add_document(PARTY, ORDER)
    path = f"/0106%3A12345678/salesOrder/{doc}/response"
    xml = {"Content-Type": "application/xml"}
    answer = api(
        "POST",
        path,
        data=order_response_xml(),
        headers={**xml, "X-EConnect-DocumentId": "ubl-1"},
    )
    assert answer.json() == {"id": "ubl-1"}
    (received,) = box.responses
    assert received["status"] == "CA" and received["xml"] == order_response_xml()
    assert (
        received["note"] == "Changed" and received["content_type"] == "application/xml"
    )
    assert_psb_error(
        api("POST", path, data=order_response_xml(order_id="PO-2"), headers=xml), 400
    )
    assert_psb_error(
        api("POST", path, data=order_response_xml(code="OK"), headers=xml), 400
    )
    assert len(box.responses) == 1


def test_recipient_lookups(box, api):
    path = "/0106%3A12345678/salesOrder/queryRecipientParty"
    assert api("POST", path, json=["0088:1", "0088:2"]).json()["id"] == "0088:1"
    assert (
        api(
            "POST", path, json=["0088:1"], params={"preferredDocumentTypeId": "x##y"}
        ).status_code
        == 200
    )
    for body in ([], ["0088:1", 5], {"id": "0088:1"}):
        assert_psb_error(api("POST", path, json=body), 400)
    box.order_response_capable = {"0088:2"}
    assert api("POST", path, json=["0088:1", "0088:2"]).json()["id"] == "0088:2"
    assert_psb_error(api("POST", path, json=["0088:1"]), 404)
    options = api(
        "GET",
        "/peppol/deliveryOption",
        params=[
            ("partyIds", "0088:1"),
            ("partyIds", "0088:2"),
            ("documentFamily", "orderResponse"),
        ],
    ).json()
    assert [(o["partyId"], o["family"]) for o in options] == [
        ("0088:2", "OrderResponse")
    ]
    assert_psb_error(api("GET", "/peppol/deliveryOption"), 400)
    assert_psb_error(
        api(
            "GET",
            "/peppol/deliveryOption",
            params={"partyIds": "0088:1", "documentFamily": "x"},
        ),
        400,
    )


def test_hook_registration(box, api):
    first = put_hook(
        api,
        PARTY,
        "h1",
        "https://odoo.example/hook#s",
        ["OrderReceived"],
        init={"cert": "x"},
    )
    assert "init" not in first, "init is write-only"
    second = put_hook(api, PARTY, "h1", "https://odoo.example/hook#t", ["*Received"])
    assert (
        second["createdOn"] == first["createdOn"]
        and second["changedOn"] >= first["changedOn"]
    )
    assert list(box.hooks[PARTY]) == ["h1"] and box.hooks[PARTY]["h1"]["topics"] == [
        "*Received"
    ]
    generated = api(
        "PUT",
        "/hook",
        json={"action": "mailto:alarm@example.com", "topics": ["HookSentError"]},
    ).json()
    assert generated["id"] and generated["isActive"] is True
    assert list(box.hooks[ENVIRONMENT]) == [generated["id"]]
    for bad in (
        {"action": "ftp://x", "topics": ["A"]},
        {"action": "https://x", "topics": []},
        {"action": "https://x", "topics": "OrderReceived"},
        {"action": "https://x", "topics": [""]},
        {"action": "https://x", "topics": ["A"], "isActive": "yes"},
        {"topics": ["A"]},
        ["x"],
    ):
        assert_psb_error(api("PUT", "/hook", json=bad), 400)
    assert_psb_error(
        api("PUT", "/hook", data="{}", headers={"Content-Type": "text/plain"}), 415
    )
    assert api("DELETE", f"/hook/{generated['id']}").status_code == 200
    assert_psb_error(api("DELETE", f"/hook/{generated['id']}"), 404)


def test_request_size_limit():
    with PsbSandbox(parties=[PARTY], max_request_bytes=100) as sandbox:
        answer = requests.post(
            f"{sandbox.url}/connect/token", data={"x": "y" * 200}, timeout=5
        )
    assert_psb_error(answer, 413)


# ---------------------------------------------------------------------- webhooks
def test_signed_webhook_delivery(box, api, receiver):
    put_hook(
        api,
        PARTY,
        "odoo",
        f"{receiver.url}/econnect_psb/webhook#sig-secret",
        ["OrderReceived"],
    )
    doc = box.add_document(PARTY, ORDER)
    results = box.deliver(doc)
    assert results == [
        {
            "hook_id": "odoo",
            "url": f"{receiver.url}/econnect_psb/webhook",
            "status": 200,
            "body": "ok",
        }
    ]
    path, headers, body = receiver.next()
    assert path == "/econnect_psb/webhook", "the #secret is never sent"
    assert headers["Content-Type"] == "application/json"
    assert signature.verify("sig-secret", body, headers["X-EConnect-Signature"])
    assert not signature.verify("other", body, headers["X-EConnect-Signature"])
    event = json.loads(body)
    assert list(event) == [
        "topic",
        "partyId",
        "hookId",
        "documentId",
        "message",
        "details",
        "createdOn",
        "sentOn",
    ]
    assert (event["topic"], event["partyId"], event["hookId"], event["documentId"]) == (
        "OrderReceived",
        PARTY,
        "odoo",
        doc,
    )
    assert event["message"] == "'Order' received."
    assert event["details"] == {
        "id": "PO-1",
        "sender": "0088:7300010000001",
        "note": "Deliver at the back door",
        "protocol": "As4",
        "documentTypeId": "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order"
        "##urn:fdc:peppol.eu:poacc:trns:order:3::2.1",
    }
    assert signature.check_sent_on(event["sentOn"]) and signature.check_sent_on(
        event["createdOn"]
    )
    assert event["sentOn"].endswith("+00:00")
    assert box.deliveries[-1]["event"] == event


def test_change_events_reference_the_order(box, api, receiver):
    put_hook(api, PARTY, "odoo", f"{receiver.url}/hook#k", ["*Received"])
    order = box.add_document(PARTY, ORDER)
    change = box.add_document(
        PARTY,
        CHANGE,
        topic="OrderChangeReceived",
        ref_to_document_id=order,
        details={"accessPoint": "CN=PSB sandbox"},
    )
    box.deliver(change)
    event = json.loads(receiver.next()[2])
    assert (event["topic"], event["documentId"], event["refToDocumentId"]) == (
        "OrderChangeReceived",
        change,
        order,
    )
    assert (
        event["details"]["orderReferenceId"] == "PO-1"
        and event["details"]["sequenceNumberId"] == "2"
    )
    assert event["details"]["documentTypeId"].endswith(
        "##urn:fdc:peppol.eu:poacc:trns:order_change:3::2.3"
    )
    assert event["details"]["accessPoint"] == "CN=PSB sandbox"
    assert event["message"] == "'OrderChange' received."


def test_topic_matching_order_and_hook_states(box, api, receiver):
    put_hook(api, None, "env", f"{receiver.url}/env#e", ["*"])
    put_hook(api, PARTY, "party", f"{receiver.url}/party#p", ["Order*", "HookSent"])
    put_hook(api, PARTY, "off", f"{receiver.url}/off#o", ["*"], isActive=False)
    put_hook(api, PARTY, "mail", "mailto:ops@example.com", ["*"])
    put_hook(api, OTHER, "other", f"{receiver.url}/other#x", ["*"])
    doc = box.add_document(PARTY, ORDER)
    assert [r["hook_id"] for r in box.deliver(doc)] == ["party", "env"], (
        "party hooks first, then the environment"
    )
    assert [receiver.next()[0] for _ in range(2)] == ["/party", "/env"]
    assert [r["hook_id"] for r in box.deliver(doc, topic="InvoiceReceived")] == ["env"]
    assert receiver.next()[0] == "/env"
    assert (
        box.send_event(
            PARTY,
            "OrderResponseSent",
            "resp-1",
            ref_to_document_id=doc,
            message="Delivered.",
        )[0]["hook_id"]
        == "party"
    )
    event = json.loads(receiver.next()[2])
    assert (event["documentId"], event["refToDocumentId"], event["message"]) == (
        "resp-1",
        doc,
        "Delivered.",
    )
    receiver.next()
    assert receiver.pending() == 0


def test_failed_and_unreachable_hooks_are_reported(box, api, receiver):
    put_hook(api, PARTY, "down", "http://127.0.0.1:9/hook#s", ["*"])
    put_hook(api, PARTY, "broken", f"{receiver.url}/hook#s", ["*"])
    receiver.status = 500
    results = box.deliver(box.add_document(PARTY, ORDER))
    assert [(r["hook_id"], r["status"]) for r in results] == [
        ("down", None),
        ("broken", 500),
    ]
    with pytest.raises(KeyError):
        box.deliver("unknown")


def test_unsigned_hook_without_fragment(box, api, receiver):
    put_hook(api, PARTY, "plain", f"{receiver.url}/hook", ["*"])
    box.deliver(box.add_document(PARTY, ORDER))
    assert "X-EConnect-Signature" not in receiver.next()[1]


def test_ping_and_auto_response_events(receiver):
    with PsbSandbox(
        clients={"cid": "csecret"}, parties=[PARTY], auto_response_hooks=True
    ) as box:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + token(box).json()["access_token"]
        base = f"{box.url}/api/v1/0106%3A12345678"
        session.put(
            f"{base}/hook",
            json={
                "id": "h",
                "action": f"{receiver.url}/hook#s",
                "topics": ["OrderResponse*"],
            },
            timeout=5,
        )
        assert session.get(f"{base}/hook/ping", timeout=5).json() == {"id": PARTY}
        _path, headers, body = receiver.next()
        assert json.loads(body)["topic"] == "Ping" and signature.verify(
            "s", body, headers["X-EConnect-Signature"]
        )
        doc = box.add_document(PARTY, ORDER)
        answer = session.post(
            f"{base}/salesOrder/{doc}/response",
            json={"status": "AP"},
            headers={"X-EConnect-DocumentId": "resp-7"},
            timeout=5,
        )
        assert answer.json() == {"id": "resp-7"}
        event = json.loads(receiver.next()[2])
        assert (event["topic"], event["documentId"], event["refToDocumentId"]) == (
            "OrderResponseSent",
            "resp-7",
            doc,
        )
        assert (
            event["details"]["statusCode"] == "AP"
            and event["details"]["recipient"] == "0088:7300010000001"
        )
        session.close()


def test_document_details_and_helpers(box):
    assert document_details(b"not xml") == {}
    assert document_details(b"<Order/>") == {"id": "", "protocol": "As4"}
    assert topic_matches("*Received", "OrderChangeReceived") and topic_matches(
        "*", "Ping"
    )
    assert not topic_matches("*Received", "OrderReceivedError") and not topic_matches(
        "order*", "OrderReceived"
    )
    assert topic_matches("Order.Received", "Order.Received") and not topic_matches(
        "Order.Received", "OrderXReceived"
    )
    assert event_message("OrderCancellationReceived") == "'OrderCancellation' received."
    assert (
        event_message("OrderResponseSentError") == "'OrderResponse' could not be sent."
    )
    with pytest.raises(ValueError, match="not one of the sandbox's parties"):
        box.add_document("0106:1", ORDER)
    assert (
        box.documents[box.add_document(" 0106:12345678 ", "<Order/>")]["party"] == PARTY
    )


@pytest.mark.skipif(
    not (
        Path(__file__).resolve().parents[3] / "shared" / "peppol" / "examples"
    ).is_dir(),
    reason="the official Peppol examples are not on this machine",
)
def test_details_of_the_official_examples():
    examples = Path(__file__).resolve().parents[3] / "shared" / "peppol" / "examples"
    cancellation = document_details(
        (
            examples / "order_cancellation/official/OrderCancellation_Example.xml"
        ).read_bytes()
    )
    assert (
        cancellation["cancellationNote"]
        and cancellation["orderReferenceId"] == "Order-1"
    )
    assert cancellation["documentTypeId"].endswith("order_cancellation:3::2.3")
    order = document_details((examples / "order/official/UC1_Order.xml").read_bytes())
    assert order["sender"] == "0088:7300010000001" and order["id"] == "1"


# ---------------------------------------------------------------------- faults
def test_injected_faults(box, api):
    box.inject_fault("GET", r"/me$", status=503, count=2, headers={"Retry-After": "5"})
    first = api("GET", "/me")
    assert first.status_code == 503 and first.headers["Retry-After"] == "5"
    assert_psb_error(first, 503)
    assert api("GET", "/me").status_code == 503
    assert api("GET", "/me").status_code == 200
    box.inject_fault("*", "0106:12345678/hook", status=500, body="Server Error")
    answer = api("GET", "/0106%3A12345678/hook")
    assert answer.status_code == 500 and answer.text == "Server Error", (
        "decoded paths match too"
    )
    box.inject_fault("GET", r"/me$", status=None, delay=0.2)
    started = time.monotonic()
    assert api("GET", "/me").status_code == 200 and time.monotonic() - started >= 0.2
    box.inject_fault("POST", ".*", status=500)
    assert requests.post(f"{box.url}/_sandbox/reset", timeout=5).status_code == 200, (
        "control calls are exempt"
    )
    assert box.faults == [], "reset forgets the faults"


# ---------------------------------------------------------------------- control API
def test_control_api(box, receiver):
    control = f"{box.url}/_sandbox"
    assert requests.get(f"{box.url}/api/v1/me", timeout=5).status_code == 401, (
        "the API still wants a token"
    )
    client = requests.Session()
    client.headers["Authorization"] = "Bearer " + token(box).json()["access_token"]
    client.put(
        f"{box.url}/api/v1/0106%3A12345678/hook",
        json={"id": "h", "action": f"{receiver.url}/h#s", "topics": ["*"]},
        timeout=5,
    )
    answer = requests.post(
        f"{control}/documents",
        json={"partyId": PARTY, "xml": ORDER.decode(), "deliver": True},
        timeout=5,
    ).json()
    doc = answer["documentId"]
    assert [d["status"] for d in answer["deliveries"]] == [200]
    assert json.loads(receiver.next()[2])["documentId"] == doc
    again = requests.post(
        f"{control}/deliver/{doc}", json={"topic": "OrderChangeReceived"}, timeout=5
    ).json()
    assert [d["hook_id"] for d in again["deliveries"]] == ["h"]
    assert json.loads(receiver.next()[2])["topic"] == "OrderChangeReceived"
    assert requests.post(f"{control}/deliver/unknown", timeout=5).status_code == 404
    event = requests.post(
        f"{control}/events",
        json={
            "partyId": PARTY,
            "topic": "OrderResponseSentError",
            "documentId": "r1",
            "message": "No route",
        },
        timeout=5,
    )
    assert (
        event.status_code == 200
        and json.loads(receiver.next()[2])["message"] == "No route"
    )
    assert (
        requests.post(
            f"{control}/documents", json={"partyId": "0106:1", "xml": "<a/>"}, timeout=5
        ).status_code
        == 400
    )
    assert (
        requests.post(
            f"{control}/documents", json={"xml": "<a/>"}, timeout=5
        ).status_code
        == 400
    )
    assert requests.post(
        f"{control}/faults",
        json={"method": "GET", "path": "/download$", "status": 500},
        timeout=5,
    ).json() == {"ok": True}
    assert (
        requests.post(f"{control}/faults", json={"path": "("}, timeout=5).status_code
        == 400
    )
    assert (
        client.get(
            f"{box.url}/api/v1/0106%3A12345678/salesOrder/{doc}/download", timeout=5
        ).status_code
        == 500
    )
    client.post(
        f"{box.url}/api/v1/0106%3A12345678/salesOrder/{doc}/response",
        json={"status": "AB"},
        timeout=5,
    )
    responses = requests.get(f"{control}/responses", timeout=5).json()
    assert [(r["document_id"], r["json"]) for r in responses] == [
        (doc, {"status": "AB"})
    ]
    recorded = requests.get(f"{control}/requests", timeout=5).json()
    assert {"method", "path", "query", "headers", "body"} <= set(recorded[0])
    assert any(r["path"].endswith("/download") for r in recorded)
    assert list(requests.get(f"{control}/hooks", timeout=5).json()) == [PARTY]
    assert requests.post(f"{control}/reset", timeout=5).json() == {"ok": True}
    assert box.documents == {} and box.hooks == {} and box.responses == []
    assert requests.get(f"{control}/nothing", timeout=5).status_code == 404
    client.close()


# ---------------------------------------------------------------------- command line
def test_command_line_delivers_a_file(tmp_path, receiver):
    order = tmp_path / "order.xml"
    order.write_bytes(ORDER)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "psb_sandbox",
            "--port",
            "0",
            "--party",
            PARTY,
            "--client-id",
            "demo",
            "--client-secret",
            "demo-secret",
            "--deliver",
            str(order),
            "--to",
            f"{receiver.url}/hook#cli-secret",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        banner = process.stderr.readline()
        assert banner.startswith("PSB sandbox on http://127.0.0.1:"), banner
        url = banner.split()[3]
        _path, headers, body = receiver.next(timeout=10)
        assert signature.verify("cli-secret", body, headers["X-EConnect-Signature"])
        event = json.loads(body)
        assert event["details"]["id"] == "PO-1" and event["partyId"] == PARTY
        assert "order.xml: document" in process.stderr.readline()
        answer = requests.post(
            f"{url}/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo",
                "client_secret": "demo-secret",
                "scope": "ap",
            },
            timeout=5,
        )
        assert answer.status_code == 200
        assert process.stderr.readline().strip() == "POST /connect/token -> 200"
    finally:
        process.terminate()
        process.wait(timeout=5)
        process.stderr.close()
