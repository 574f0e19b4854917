"""The PSB client against the PSB sandbox, over real HTTP on loopback."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from psb import client as psb_client
from psb import signature
from psb.exceptions import PsbAuthError, PsbNotFoundError, PsbRequestError, PsbTransientError

PARTY = "0106:12345678"  # the sandbox fixture's party (conftest.py)

XML = b'<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'


def make_client(box, **kw):
    return psb_client.PsbClient(box.url, box.url, kw.pop("client_id", "cid"), kw.pop("client_secret", "csecret"),
                                timeout=kw.pop("timeout", 5), **kw)


def token_requests(box):
    return [r for r in box.requests if r["path"] == "/connect/token"]


def test_token_is_cached_across_calls(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    for _ in range(3):
        assert client.download_sales_order(PARTY, doc) == XML
    assert len(token_requests(sandbox)) == 1
    assert sandbox.downloads(doc) == 3


def test_token_refreshed_before_expiry_and_after_401(sandbox):
    store = psb_client.MemoryTokenStore()
    client = make_client(sandbox, token_store=store)
    client.me()
    token, _expires = store.get()
    store.set(token, time.time() + 30)          # less than the one-minute margin left
    client.me()
    assert len(token_requests(sandbox)) == 2
    sandbox.tokens.clear()                      # the PSB forgot the token: one 401, one new token
    client.me()
    assert len(token_requests(sandbox)) == 3


def test_grants(sandbox):
    make_client(sandbox, username="user", password="pw").me()
    form = token_requests(sandbox)[-1]["body"].decode()
    assert "grant_type=password" in form and "scope=ap" in form
    make_client(sandbox).me()
    assert "grant_type=client_credentials" in token_requests(sandbox)[-1]["body"].decode()


def test_bad_credentials(sandbox):
    with pytest.raises(PsbAuthError, match="credentials"):
        make_client(sandbox, client_secret="wrong").me()
    with pytest.raises(PsbAuthError):
        make_client(sandbox, username="user", password="nope").me()


def test_party_is_path_encoded_and_checked(sandbox):
    doc = sandbox.add_document(PARTY, XML)
    make_client(sandbox).download_sales_order(PARTY, doc)
    assert any("/0106%3A12345678/" in r["path"] or "/0106:12345678/" not in r["path"] for r in sandbox.requests)
    raw_paths = [r["path"] for r in sandbox.requests if "salesOrder" in r["path"]]
    assert all("%3A" in p for p in raw_paths)
    with pytest.raises(PsbAuthError, match="403"):
        make_client(sandbox).download_sales_order("0106:99999999", doc)


def test_errors_are_typed(sandbox):
    client = make_client(sandbox)
    with pytest.raises(PsbNotFoundError, match="90 days"):
        client.download_sales_order(PARTY, "unknown")
    doc = sandbox.add_document(PARTY, XML)
    sandbox.inject_fault("GET", "/download$", status=500)
    with pytest.raises(PsbTransientError) as err:
        client.download_sales_order(PARTY, doc)
    assert err.value.retryable and err.value.status == 500
    sandbox.inject_fault("GET", "/download$", status=429)
    with pytest.raises(PsbTransientError) as err:
        client.download_sales_order(PARTY, doc)
    assert err.value.retry_after == 30
    sandbox.inject_fault("GET", "/download$", status=400, body={"code": "API400", "message": "Bad party format"})
    with pytest.raises(PsbRequestError, match="Bad party format") as err:
        client.download_sales_order(PARTY, doc)
    assert not err.value.retryable
    assert client.download_sales_order(PARTY, doc) == XML, "faults are used up"


def test_timeout_is_transient(sandbox):
    doc = sandbox.add_document(PARTY, XML)
    client = make_client(sandbox, timeout=0.5)
    client.get_token()
    sandbox.inject_fault("GET", "/download$", status=200, delay=1.5)
    with pytest.raises(PsbTransientError):
        client.download_sales_order(PARTY, doc)


def test_unreachable_is_transient():
    client = psb_client.PsbClient("http://127.0.0.1:9", "http://127.0.0.1:9", "a", "b", timeout=2)
    with pytest.raises(PsbTransientError, match="could not be reached"):
        client.me()


def test_oversized_download_refused(sandbox):
    doc = sandbox.add_document(PARTY, b"<a>" + b"x" * 200_000 + b"</a>")
    with pytest.raises(PsbRequestError, match="larger than"):
        make_client(sandbox, max_download_bytes=100_000).download_sales_order(PARTY, doc)


def test_delete(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    client.delete_sales_order(PARTY, doc)
    with pytest.raises(PsbNotFoundError):
        client.download_sales_order(PARTY, doc)


def test_order_response_sent_once(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    first = client.send_order_response(PARTY, doc, "AB", note="Received", response_document_id="r-1")
    assert first == {"id": "r-1"}
    again = client.send_order_response(PARTY, doc, "AB", note="Received", response_document_id="r-1")
    assert again == {"id": "r-1", "duplicate": True}
    assert len(sandbox.responses) == 1
    assert sandbox.responses[0]["json"] == {"status": "AB", "note": "Received"}
    with pytest.raises(PsbRequestError):
        client.send_order_response(PARTY, doc, "XX")


def test_hooks_upsert(sandbox):
    client = make_client(sandbox)
    hook = psb_client.build_hook("h1", "Odoo", "https://odoo.example/econnect_psb/webhook", "s3cret",
                                 psb_client.SELLER_TOPICS)
    assert hook["action"].endswith("#s3cret")
    client.put_hook(hook, party_id=PARTY)
    client.put_hook({**hook, "name": "Odoo 2"}, party_id=PARTY)
    hooks = client.list_hooks(PARTY)
    assert [h["name"] for h in hooks] == ["Odoo 2"]
    client.delete_hook("h1", party_id=PARTY)
    assert client.list_hooks(PARTY) == []


def test_test_connection(sandbox):
    assert PARTY in make_client(sandbox).test_connection(PARTY)
    with pytest.raises(PsbAuthError, match="may not use party"):
        make_client(sandbox).test_connection("0106:00000000")


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_sandbox_delivers_signed_webhooks(sandbox):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        client = make_client(sandbox)
        client.put_hook(psb_client.build_hook("h1", "t", url, "sig-secret", ["*Received"]), party_id=PARTY)
        order = (b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
                 b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
                 b'<cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>'
                 b"<cbc:ID>PO-1</cbc:ID></Order>")
        doc = sandbox.add_document(PARTY, order)
        results = sandbox.deliver(doc)
        assert [r["status"] for r in results] == [200]
        assert sandbox.deliver(doc, topic="OrderResponseSent") == [], "the hook does not match that topic"
        headers, body = _Receiver.received[-1]
        assert signature.verify("sig-secret", body, headers["X-EConnect-Signature"])
        event = json.loads(body)
        assert (event["topic"], event["partyId"], event["documentId"]) == ("OrderReceived", PARTY, doc)
        assert event["details"]["id"] == "PO-1"
        assert signature.check_sent_on(event["sentOn"])
    finally:
        receiver.shutdown()
