"""The PSB client against the PSB sandbox, over real HTTP on loopback (``sandbox``
fixture: conftest.py)."""

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from psb import client as psb_client
from psb.exceptions import (
    PsbAuthError,
    PsbConfigError,
    PsbError,
    PsbNotFoundError,
    PsbRequestError,
    PsbTransientError,
)
from psb_sandbox.server import PsbSandbox

PARTY = "0106:12345678"  # the sandbox fixture's party
XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<Order '
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2">'
    "<!-- Crème brûlée, 10 € -->\r\n</Order>\n"
).encode()


def make_client(box, **kwargs):
    kwargs.setdefault("timeout", 5)
    return psb_client.PsbClient(
        box.url,
        box.url,
        kwargs.pop("client_id", "cid"),
        kwargs.pop("client_secret", "csecret"),
        **kwargs,
    )


def token_requests(box):
    return [r for r in box.requests if r["path"] == "/connect/token"]


def api_requests(box):
    return [r for r in box.requests if r["path"].startswith("/api/")]


def form(request):
    return dict(pair.split("=", 1) for pair in request["body"].decode().split("&"))


# ---------------------------------------------------------------------- tokens
def test_token_is_fetched_once_and_reused(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    client.download_sales_order(PARTY, doc)
    client.download_sales_order(PARTY, doc)
    client.me()
    client.my_parties()
    client.list_hooks(PARTY)
    assert len(token_requests(sandbox)) == 1
    assert len({r["headers"]["Authorization"] for r in api_requests(sandbox)}) == 1
    assert sandbox.downloads(doc) == 2


def test_token_store_is_shared_between_clients(sandbox):
    store = psb_client.MemoryTokenStore()
    make_client(sandbox, token_store=store).me()
    make_client(sandbox, token_store=store).me()
    assert len(token_requests(sandbox)) == 1


def test_token_renewed_when_less_than_a_minute_remains(sandbox):
    store = psb_client.MemoryTokenStore()
    client = make_client(sandbox, token_store=store)
    client.me()
    token, expires_at = store.get()
    assert 3500 < expires_at - time.time() <= 3600
    store.set(token, time.time() + 61)
    client.me()
    assert len(token_requests(sandbox)) == 1, "61 s left: still reused"
    store.set(token, time.time() + 59)
    client.me()
    assert len(token_requests(sandbox)) == 2
    assert store.get()[0] != token


def test_short_lived_tokens_from_the_identity_server():
    with PsbSandbox(clients={"cid": "csecret"}, parties=[PARTY], token_ttl=1) as box:
        client = make_client(box)
        client.me()
        client.me()
    assert len(token_requests(box)) == 2, (
        "a token with less than the margin left is never reused"
    )


def test_revoked_token_is_replaced_once(sandbox):
    client = make_client(sandbox)
    client.me()
    sandbox.tokens.clear()  # the PSB forgot the token before its expiry
    assert client.me() == {"name": "cid"}
    assert [r["path"] for r in sandbox.requests] == [
        "/connect/token",
        "/api/v1/me",
        "/api/v1/me",
        "/connect/token",
        "/api/v1/me",
    ]


def test_a_second_401_is_not_retried(sandbox):
    client = make_client(sandbox)
    client.me()
    sandbox.inject_fault("GET", "/api/v1/me$", status=401, count=5)
    with pytest.raises(PsbAuthError, match="401") as err:
        client.me()
    assert (
        err.value.status == 401
        and err.value.code == "API401"
        and not err.value.retryable
    )
    assert len(token_requests(sandbox)) == 2
    assert len(api_requests(sandbox)) == 3


def test_401_with_a_fresh_token_is_not_retried(sandbox):
    sandbox.inject_fault("GET", "/api/v1/me$", status=401, count=5)
    with pytest.raises(PsbAuthError):
        make_client(sandbox).me()
    assert len(token_requests(sandbox)) == 1 and len(api_requests(sandbox)) == 1


def test_password_grant(sandbox):
    client = make_client(sandbox, username="user", password="pw")
    assert client.me() == {"name": "user"}
    sent = form(token_requests(sandbox)[0])
    assert sent == {
        "grant_type": "password",
        "username": "user",
        "password": "pw",
        "client_id": "cid",
        "client_secret": "csecret",
        "scope": "ap",
    }
    assert (
        token_requests(sandbox)[0]["headers"]["Content-Type"]
        == "application/x-www-form-urlencoded"
    )


def test_client_credentials_grant(sandbox):
    assert make_client(sandbox).me() == {"name": "cid"}
    assert form(token_requests(sandbox)[0]) == {
        "grant_type": "client_credentials",
        "client_id": "cid",
        "client_secret": "csecret",
        "scope": "ap",
    }


@pytest.mark.parametrize(
    "kwargs, hint",
    [
        ({"client_secret": "wrong"}, "client id and client secret"),
        ({"client_id": "nobody"}, "client id and client secret"),
        ({"username": "user", "password": "wrong"}, "user name and password"),
        ({"scope": "openid"}, "invalid_scope"),
    ],
)
def test_refused_credentials(sandbox, kwargs, hint):
    with pytest.raises(PsbAuthError, match=hint) as err:
        make_client(sandbox, **kwargs).me()
    assert not err.value.retryable and err.value.status == 400
    assert "PSB settings" in err.value.message
    assert not api_requests(sandbox), "no API call without a token"


def test_identity_server_trouble_is_transient(sandbox):
    sandbox.inject_fault(
        "POST", "^/connect/token$", status=503, headers={"Retry-After": "120"}
    )
    with pytest.raises(PsbTransientError, match="identity server") as err:
        make_client(sandbox).me()
    assert err.value.retryable and err.value.retry_after == 120


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (("", "https://id", "c", "s"), {}, "API URL missing"),
        (
            ("https://api", "https://id", "", None),
            {},
            "client id, client secret missing",
        ),
        (
            ("https://api", "https://id", "c", "s"),
            {"username": "u"},
            "user name and password",
        ),
        (
            ("https://api", "https://id", "c", "s"),
            {"password": "p"},
            "user name and password",
        ),
        (("psb.econnect.eu", "https://id", "c", "s"), {}, "not a web address"),
    ],
)
def test_configuration_errors(args, kwargs, message):
    with pytest.raises(PsbConfigError, match=message) as err:
        psb_client.PsbClient(*args, **kwargs)
    assert not err.value.retryable


# ---------------------------------------------------------------------- requests
def test_download_returns_the_exact_bytes_and_sends_the_documented_headers(sandbox):
    doc = sandbox.add_document(PARTY, XML)
    client = make_client(sandbox, subscription_key="sub-key")
    assert client.download_sales_order(PARTY, doc) == XML
    request = api_requests(sandbox)[-1]
    assert request["path"] == f"/api/v1/0106%3A12345678/salesOrder/{doc}/download"
    assert request["headers"]["Accept"] == "application/xml"
    assert request["headers"]["Subscription-Key"] == "sub-key"
    assert request["headers"]["Authorization"].startswith("Bearer ")
    assert request["headers"]["User-Agent"] == "sale_econnect_psb"
    make_client(sandbox).me()
    assert "Subscription-Key" not in api_requests(sandbox)[-1]["headers"]


def test_ids_are_encoded_as_one_path_segment(sandbox):
    doc = sandbox.add_document(PARTY, XML, document_id="a/b c?d#e")
    assert make_client(sandbox).download_sales_order(PARTY, doc) == XML
    assert (
        api_requests(sandbox)[-1]["path"]
        == "/api/v1/0106%3A12345678/salesOrder/a%2Fb%20c%3Fd%23e/download"
    )
    assert psb_client.segment("NL:KVK:12345678") == "NL%3AKVK%3A12345678"


@pytest.mark.parametrize(
    "document_id, encoded",
    [(".", "%2E"), ("..", "%2E%2E"), ("...", "..."), ("a.b", "a.b")],
)
def test_dot_ids_stay_one_path_segment(sandbox, document_id, encoded):
    doc = sandbox.add_document(PARTY, XML, document_id=document_id)
    assert make_client(sandbox).download_sales_order(PARTY, doc) == XML
    assert (
        api_requests(sandbox)[-1]["path"]
        == f"/api/v1/0106%3A12345678/salesOrder/{encoded}/download"
    )
    make_client(sandbox).delete_sales_order(PARTY, doc)
    assert (
        api_requests(sandbox)[-1]["path"]
        == f"/api/v1/0106%3A12345678/salesOrder/{encoded}"
    )


def test_empty_id_is_refused_before_any_request(sandbox):
    with pytest.raises(PsbRequestError, match="empty id"):
        make_client(sandbox).download_sales_order(PARTY, "")
    assert not api_requests(sandbox)


def test_unknown_document(sandbox):
    with pytest.raises(PsbNotFoundError) as err:
        make_client(sandbox).download_sales_order(PARTY, "d-404")
    message = err.value.message
    assert (
        "document d-404 for party 0106:12345678" in message
        and "90 days" in message
        and "7 days" in message
    )
    assert (
        err.value.status == 404 and err.value.code == "API404" and err.value.request_id
    )
    assert not err.value.retryable


def test_party_without_access(sandbox):
    doc = sandbox.add_document(PARTY, XML)
    with pytest.raises(PsbAuthError, match=r"403.*party id") as err:
        make_client(sandbox).download_sales_order("0106:99999999", doc)
    assert err.value.code == "API403" and not err.value.retryable


def test_server_errors_are_transient(sandbox):
    doc = sandbox.add_document(PARTY, XML)
    client = make_client(sandbox)
    sandbox.inject_fault("GET", "/download$", status=500, body="Server Error")
    with pytest.raises(PsbTransientError, match="Server Error") as err:
        client.download_sales_order(PARTY, doc)
    assert (
        err.value.retryable
        and err.value.status == 500
        and err.value.retry_after is None
    )
    assert f"downloading document {doc} for party {PARTY}" in err.value.message
    sandbox.inject_fault(
        "GET", "/download$", status=502, body="<html><body>Bad gateway</body></html>"
    )
    with pytest.raises(PsbTransientError):
        client.download_sales_order(PARTY, doc)
    assert client.download_sales_order(PARTY, doc) == XML, "the faults are used up"


def test_429_keeps_retry_after(sandbox):
    client = make_client(sandbox)
    sandbox.inject_fault("GET", "/me$", status=429, headers={"Retry-After": "7"})
    with pytest.raises(PsbTransientError, match="rate limiting") as err:
        client.me()
    assert err.value.retry_after == 7 and err.value.status == 429
    later = datetime.now(timezone.utc) + timedelta(seconds=90)
    sandbox.inject_fault(
        "GET",
        "/me$",
        status=429,
        headers={"Retry-After": format_datetime(later, usegmt=True)},
    )
    with pytest.raises(PsbTransientError) as err:
        client.me()
    assert 85 <= err.value.retry_after <= 91


def test_timeout_is_transient(sandbox):
    doc = sandbox.add_document(PARTY, XML)
    client = make_client(sandbox, timeout=(2, 0.3))
    client.get_token()
    sandbox.inject_fault("GET", "/download$", status=None, delay=0.8)
    started = time.monotonic()
    with pytest.raises(PsbTransientError, match="in time") as err:
        client.download_sales_order(PARTY, doc)
    assert time.monotonic() - started < 0.75, "no hidden retry"
    assert err.value.retryable
    assert client.download_sales_order(PARTY, doc) == XML


def test_timeouts():
    """(connect, read) by default, so an outage is noticed quickly; a single number is
    accepted too."""
    assert psb_client.DEFAULT_TIMEOUT == (5, 30)
    assert psb_client.PsbClient("https://api", "https://id", "c", "s").timeout == (
        5,
        30,
    )
    assert (
        psb_client.PsbClient("https://api", "https://id", "c", "s", timeout=12).timeout
        == 12
    )


def test_unreachable_is_transient():
    client = psb_client.PsbClient(
        "http://127.0.0.1:9", "http://127.0.0.1:9", "a", "b", timeout=2
    )
    with pytest.raises(PsbTransientError, match="could not be reached") as err:
        client.me()
    assert err.value.retryable


def _me_refused(sandbox, match, **fault):
    """The PsbRequestError (its message matching ``match``) of ``client.me()`` when the
    PSB answers ``fault``."""
    sandbox.inject_fault("GET", "/me$", **fault)
    with pytest.raises(PsbRequestError, match=match) as err:
        make_client(sandbox).me()
    return err.value


def test_bad_request_carries_the_psb_message(sandbox):
    body = {
        "code": "API400",
        "message": "Bad party format",
        "helpLink": "https://psb.econnect.eu/x#API400",
        "requestId": "req-9",
        "dateTime": "2026-01-01T00:00:00+00:00",
    }
    error = _me_refused(sandbox, "Bad party format", status=400, body=body)
    assert (error.status, error.code, error.request_id) == (400, "API400", "req-9")
    assert error.help_link.endswith("#API400") and "req-9" in error.message
    assert not error.retryable
    _me_refused(sandbox, "too large", status=413)
    body = {
        "title": "One or more validation errors occurred.",
        "errors": {"partyIds": ["The field is required."]},
    }
    _me_refused(sandbox, "partyIds: The field is required", status=400, body=body)


def test_redirects_are_not_followed(sandbox):
    _me_refused(
        sandbox,
        "redirect",
        status=302,
        body="",
        headers={"Location": f"{sandbox.url}/elsewhere"},
    )
    assert not [r for r in sandbox.requests if r["path"] == "/elsewhere"]


def test_an_answer_that_is_not_json(sandbox):
    _me_refused(sandbox, "instead of JSON", status=200, body="<html>login</html>")


def test_oversized_download_is_refused(sandbox):
    body = b"<a>" + b"x" * 1000 + b"</a>"
    doc = sandbox.add_document(PARTY, body)
    assert (
        make_client(sandbox, max_download_bytes=len(body)).download_sales_order(
            PARTY, doc
        )
        == body
    )
    with pytest.raises(PsbRequestError, match="larger than 1,006 bytes") as err:
        make_client(sandbox, max_download_bytes=len(body) - 1).download_sales_order(
            PARTY, doc
        )
    assert not err.value.retryable


def test_delete_and_status(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    assert [s["name"] for s in client.sales_order_status(PARTY, doc)] == ["Received"]
    client.download_sales_order(PARTY, doc)
    assert [s["name"] for s in client.sales_order_status(PARTY, doc)] == [
        "Received",
        "Downloaded",
    ]
    assert client.delete_sales_order(PARTY, doc) is None
    assert api_requests(sandbox)[-1]["method"] == "DELETE"
    with pytest.raises(PsbNotFoundError):
        client.download_sales_order(PARTY, doc)
    with pytest.raises(PsbNotFoundError):
        client.delete_sales_order(PARTY, doc)


# ---------------------------------------------------------------------- order responses
def test_order_response_is_sent_once(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    assert client.send_order_response(
        PARTY, doc, "AB", note="Received", response_document_id="r-1"
    ) == {"id": "r-1"}
    request = api_requests(sandbox)[-1]
    assert request["path"] == f"/api/v1/0106%3A12345678/salesOrder/{doc}/response"
    assert request["headers"]["X-EConnect-DocumentId"] == "r-1"
    assert request["headers"]["Content-Type"] == "application/json"
    again = client.send_order_response(
        PARTY, doc, "AB", note="Received", response_document_id="r-1"
    )
    assert again == {"id": "r-1", "duplicate": True}
    assert len(sandbox.responses) == 1
    assert sandbox.responses[0]["json"] == {"status": "AB", "note": "Received"}


def test_order_response_without_note_or_id(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    answer = client.send_order_response(PARTY, doc, "Accept", note="")
    assert answer["id"] == sandbox.responses[0]["response_id"]
    assert sandbox.responses[0]["json"] == {"status": "Accept"}
    assert "X-EConnect-DocumentId" not in api_requests(sandbox)[-1]["headers"]


def test_order_response_refusals(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    with pytest.raises(PsbRequestError, match="status must be one of") as err:
        client.send_order_response(PARTY, doc, "XX")
    assert err.value.status == 400
    with pytest.raises(PsbNotFoundError):
        client.send_order_response(PARTY, "unknown-order", "AB")
    assert not sandbox.responses


def test_order_response_as_ubl(sandbox):
    client = make_client(sandbox)
    doc = sandbox.add_document(PARTY, XML)
    ubl = (
        b"<OrderResponse "
        b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
        b'CommonBasicComponents-2">'
        b"<cbc:OrderResponseCode>CA</cbc:OrderResponseCode></OrderResponse>"
    )
    assert client.send_order_response(
        PARTY, doc, "CA", response_document_id="r-x", xml=ubl
    ) == {"id": "r-x"}
    record = sandbox.responses[0]
    assert (record["content_type"], record["xml"], record["status"]) == (
        "application/xml",
        ubl,
        "CA",
    )


# ---------------------------------------------------------------------- lookups
def test_recipient_lookups(sandbox):
    client = make_client(sandbox)
    buyer = "0088:7300010000001"
    assert client.query_recipient_party(PARTY, [buyer, "9944:NL1"]) == {
        "id": buyer,
        "channel": "peppol",
        "description": "Peppol network (sandbox)",
    }
    options = client.delivery_option([buyer, "9944:NL1"])
    assert [o["partyId"] for o in options] == [buyer, "9944:NL1"]
    assert api_requests(sandbox)[-1]["query"] == {
        "partyIds": [buyer, "9944:NL1"],
        "documentFamily": ["orderResponse"],
    }
    sandbox.order_response_capable = {"9944:NL1"}
    assert client.query_recipient_party(PARTY, [buyer, "9944:NL1"])["id"] == "9944:NL1"
    sandbox.order_response_capable = set()
    with pytest.raises(PsbNotFoundError):
        client.query_recipient_party(PARTY, buyer)
    assert client.delivery_option(buyer) == []


# ---------------------------------------------------------------------- hooks and
# account
def test_hook_upsert_keeps_one_hook(sandbox):
    client = make_client(sandbox)
    hook = psb_client.build_hook(
        "h1",
        "Odoo",
        "https://odoo.example/econnect_psb/webhook",
        "s3cret",
        psb_client.SELLER_TOPICS,
    )
    assert hook == {
        "id": "h1",
        "name": "Odoo",
        "action": "https://odoo.example/econnect_psb/webhook#s3cret",
        "topics": psb_client.SELLER_TOPICS,
        "isActive": True,
    }
    first = client.put_hook(hook, party_id=PARTY)
    second = client.put_hook({**hook, "name": "Odoo 2"}, party_id=PARTY)
    assert [r["method"] for r in api_requests(sandbox)] == ["PUT", "PUT"], (
        "updated in place, never deleted"
    )
    assert second["createdOn"] == first["createdOn"] and second["name"] == "Odoo 2"
    assert [h["name"] for h in client.list_hooks(PARTY)] == ["Odoo 2"]
    assert client.list_hooks() == []
    client.delete_hook("h1", party_id=PARTY)
    assert client.list_hooks(PARTY) == []
    with pytest.raises(PsbNotFoundError):
        client.delete_hook("h1", party_id=PARTY)


def test_environment_hooks(sandbox):
    client = make_client(sandbox)
    client.put_hook(
        psb_client.build_hook(
            "env", "All", "https://odoo.example/hook", "s", ["*Received"]
        )
    )
    assert api_requests(sandbox)[-1]["path"] == "/api/v1/hook"
    assert [h["id"] for h in client.list_hooks()] == ["env"]
    client.delete_hook("env")
    assert api_requests(sandbox)[-1]["path"] == "/api/v1/hook/env"


def test_invalid_hook_is_refused(sandbox):
    with pytest.raises(PsbRequestError, match="action must be"):
        make_client(sandbox).put_hook(
            {"id": "x", "action": "ftp://x", "topics": ["OrderReceived"]}, PARTY
        )


def test_mail_hook_is_updated_in_place(sandbox):
    client = make_client(sandbox)
    hook = psb_client.build_mail_hook(
        "h1-alert", "Odoo alarm", "ops@example.com", psb_client.ALERT_TOPICS
    )
    assert hook == {
        "id": "h1-alert",
        "name": "Odoo alarm",
        "action": "mailto:ops@example.com",
        "topics": ["HookSentRetry", "HookSentError"],
        "isActive": True,
    }
    first = client.put_hook(hook, party_id=PARTY)
    off = client.put_hook(
        psb_client.build_mail_hook(
            "h1-alert",
            "Odoo alarm",
            "ops@example.com",
            psb_client.ALERT_TOPICS,
            active=False,
        ),
        party_id=PARTY,
    )
    assert (off["isActive"], off["createdOn"]) == (False, first["createdOn"])
    assert [(h["id"], h["isActive"]) for h in client.list_hooks(PARTY)] == [
        ("h1-alert", False)
    ]


def test_ping_hooks(sandbox):
    assert make_client(sandbox).ping_hooks(PARTY) == {"id": PARTY}


def test_account_calls(sandbox):
    client = make_client(sandbox)
    assert client.me() == {"name": "cid"}
    assert [p["id"] for p in client.my_parties()] == [PARTY]


def test_test_connection(sandbox):
    check = make_client(sandbox).test_connection(PARTY)
    assert (
        str(check)
        == "The PSB accepted the credentials, which may use party 0106:12345678."
    )
    assert (check.code, check.params) == ("connection_ok_party", {"party_id": PARTY})
    assert len(token_requests(sandbox)) == 1
    check = make_client(sandbox).test_connection("")
    assert (check.code, check.params) == ("connection_ok_parties", {"allowed": [PARTY]})
    with pytest.raises(
        PsbAuthError,
        match="may not use party 0106:00000000; they may use 0106:12345678",
    ):
        make_client(sandbox).test_connection("0106:00000000")
    with pytest.raises(PsbAuthError, match="refused the credentials"):
        make_client(sandbox, client_secret="nope").test_connection(PARTY)


def test_test_connection_without_a_party_list(sandbox):
    sandbox.inject_fault("GET", "/me/party$", status=404)
    check = make_client(sandbox).test_connection(PARTY)
    assert "gives access to party" in str(check)
    assert (check.code, check.params) == ("connection_ok_hooks", {"party_id": PARTY})
    assert api_requests(sandbox)[-1]["path"] == "/api/v1/0106%3A12345678/hook"
    sandbox.inject_fault("GET", "/me/party$", status=403)
    with pytest.raises(PsbAuthError, match="403"):
        make_client(sandbox).test_connection("0106:00000000")


def test_public_constants():
    assert psb_client.ENVIRONMENTS["production"] == (
        "https://psb.econnect.eu",
        "https://identity.econnect.eu",
    )
    assert psb_client.ENVIRONMENTS["acceptance"] == (
        "https://accp-psb.econnect.eu",
        "https://accp-identity.econnect.eu",
    )
    assert (
        "OrderReceived" in psb_client.SELLER_TOPICS
        and len(psb_client.SELLER_TOPICS) == 10
    )
    assert issubclass(PsbTransientError, PsbError) and PsbTransientError.retryable
    assert psb_client.PsbError is PsbError
