"""HTTP client of the eConnect PSB REST API: the calls a seller receiving Peppol orders
needs.

* Tokens come from the identity server (``POST {identity}/connect/token``, OAuth2
  password or client-credentials grant, scope ``ap``) and are reused until a minute
  before they expire, through a ``token_store`` the caller may share between processes
  (Odoo keeps it in the database).
* Errors are typed (:mod:`.exceptions`) and carry a message a person can act on.
* Nothing here sleeps or loops: a transient failure raises :class:`PsbTransientError`
  and the caller (a scheduled action) decides when to try again. Redirects are never
  followed.

See psb-api.md for the contract; the section numbers below refer to it.
"""

import email.utils
import math
import re
import threading
import time
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from .exceptions import (
    PsbAuthError,
    PsbConfigError,
    PsbConflictError,
    PsbError,
    PsbNotFoundError,
    PsbRequestError,
    PsbTransientError,
)

#: Base URLs of the PSB API and of its identity server, per environment (§1).
ENVIRONMENTS = {
    "production": ("https://psb.econnect.eu", "https://identity.econnect.eu"),
    "acceptance": ("https://accp-psb.econnect.eu", "https://accp-identity.econnect.eu"),
}

#: Hook topics a seller subscribes to: incoming orders and the delivery of its responses
#: (§6.2).
SELLER_TOPICS = [
    "OrderReceived",
    "OrderChangeReceived",
    "OrderCancellationReceived",
    "OrderResponseSent",
    "OrderResponseSentRetry",
    "OrderResponseSentError",
    "InvoiceSent",
    "InvoiceSentRetry",
    "InvoiceSentError",
    "InvoiceResponseReceived",
]

#: The PSB's hook-health topics: it cannot reach a hook and will retry, or it gave up
#: (§6.2). They are "SpecialHooks": only a ``mailto:`` action works for them, so they
#: raise an alarm by e-mail.
ALERT_TOPICS = ["HookSentRetry", "HookSentError"]

#: A stored token is renewed when less than this many seconds of validity remain.
TOKEN_MARGIN = 60
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024


def segment(value):
    """``value`` as exactly one URL path segment: party ids contain ``:`` (``0106:123``
    → ``0106%3A123``).

    Every character but the unreserved ones is percent-encoded, and the dot-segments
    ``.`` and ``..`` too (``%2E``): HTTP clients and servers collapse those
    (``…/salesOrder/../download``). An empty value would leave an empty segment
    (``…/salesOrder//download``): it is refused.
    """
    text = str(value)
    if not text:
        raise PsbRequestError(
            "An empty id cannot be sent to the PSB.", error_code="empty_id"
        )
    encoded = quote(text, safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def build_hook(hook_id, name, url, secret, topics):
    """The PSB ``Hook`` body for a webhook; the signing secret travels as the URL
    fragment (§6.1)."""
    return {
        "id": hook_id,
        "name": name,
        "action": f"{url}#{secret}",
        "topics": list(topics),
        "isActive": True,
    }


def build_mail_hook(hook_id, name, address, topics, active=True):
    """The PSB ``Hook`` body of an e-mail hook: the PSB mails ``address`` on ``topics``
    (§6.1, §6.3).

    ``active=False`` switches an existing hook off in place (PUT is an upsert on the
    id).
    """
    return {
        "id": hook_id,
        "name": name,
        "action": f"mailto:{address}",
        "topics": list(topics),
        "isActive": bool(active),
    }


# (connect, read) in seconds: an outage is noticed in 5 s, a slow download gets 30 s.
DEFAULT_TIMEOUT = (5, 30)


class MemoryTokenStore:
    """Token store of one process: ``get() -> (token, expires_at_epoch) | None`` and
    ``set(token, expires_at)``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = None

    def get(self):
        with self._lock:
            return self._value

    def set(self, token, expires_at):
        with self._lock:
            self._value = (token, expires_at)


class PsbClient:
    """Client of one PSB environment with one set of credentials.

    ``username`` and ``password`` select the password grant (the PSB user decides which
    party ids are accessible); without them the client-credentials grant is used.
    ``subscription_key`` is the legacy ``Subscription-Key`` header, sent only when
    configured. ``timeout`` is a requests timeout, seconds or ``(connect, read)``,
    applied to every call. ``max_download_bytes`` caps downloaded documents.
    """

    def __init__(
        self,
        api_url,
        identity_url,
        client_id,
        client_secret,
        username=None,
        password=None,
        subscription_key=None,
        scope="ap",
        timeout=DEFAULT_TIMEOUT,
        token_store=None,
        session=None,
        user_agent="sale_econnect_psb",
        max_download_bytes=MAX_DOWNLOAD_BYTES,
    ):
        _check_settings(
            api_url, identity_url, client_id, client_secret, username, password
        )
        self.api_url = api_url.rstrip("/")
        self.identity_url = identity_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.subscription_key = subscription_key
        self.scope = scope
        self.timeout = timeout
        self.token_store = (
            token_store if token_store is not None else MemoryTokenStore()
        )
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        self.user_agent = user_agent
        self.max_download_bytes = max_download_bytes

    def close(self):
        """Close the HTTP session when this client created it."""
        if self._own_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ------------------------------------------------------------------ token
    def get_token(self, force=False):
        """A valid access token: the stored one while more than a minute remains, else a
        new one."""
        return self._token(force)[0]

    def _token(self, force=False):
        """``(token, fresh)``: ``fresh`` is False when the token came from the store."""
        if not force:
            cached = self.token_store.get()
            if cached and cached[0] and cached[1] - TOKEN_MARGIN > time.time():
                return cached[0], False
        token, expires_at = self._request_token()
        self.token_store.set(token, expires_at)
        return token, True

    def _request_token(self):
        url = f"{self.identity_url}/connect/token"
        response = self._post_token_request(url)
        status = response.status_code
        payload = _json_or_none(response)
        payload = payload if isinstance(payload, dict) else {}
        self._check_token_answer(response, status, payload, url)
        try:
            token = payload["access_token"]
            expires_in = float(payload.get("expires_in") or 3600)
        except (KeyError, TypeError, ValueError):
            token = None
        if not token or not isinstance(token, str):
            raise PsbRequestError(
                f"{url} gave no usable access token; check the identity URL.",
                status=status,
                error_code="identity_no_token",
                params={"url": url},
            )
        return token, time.time() + expires_in

    def _post_token_request(self, url):
        """POST the token request of the configured grant to the identity server."""
        data = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scope,
        }
        if self.username:
            data.update(
                grant_type="password", username=self.username, password=self.password
            )
        else:
            data["grant_type"] = "client_credentials"
        try:
            return self.session.post(
                url,
                data=data,
                timeout=self.timeout,
                allow_redirects=False,
                headers={"Accept": "application/json", "User-Agent": self.user_agent},
            )
        except requests.RequestException as exc:
            raise PsbTransientError(
                f"The PSB identity server {self.identity_url} could not be reached "
                f"({_reason(exc)}). "
                "It will be tried again later; if this persists, check the identity "
                "URL and the network.",
                error_code="identity_unreachable",
                params={"url": self.identity_url, "reason": _reason(exc)},
            ) from exc

    def _check_token_answer(self, response, status, payload, url):
        """Raise the typed error of an identity server answer other than 200."""
        if status == 429 or status >= 500:
            raise PsbTransientError(
                f"The PSB identity server is unavailable ({status}); it will be tried "
                "again later.",
                status=status,
                retry_after=_retry_after(response),
                error_code="identity_unavailable",
                params={"status": status},
            )
        if status in (400, 401, 403):
            detail = ": ".join(
                str(v)
                for v in (payload.get("error"), payload.get("error_description"))
                if v
            )
            credentials = (
                "client id, client secret, user name and password"
                if self.username
                else "client id and client secret"
            )
            raise PsbAuthError(
                "The PSB identity server refused the credentials "
                f"({detail or status}). Check the {credentials} "
                "in the PSB settings, and that they belong to this environment "
                "(acceptance and production "
                "have separate credentials).",
                status=status,
                code=payload.get("error"),
                error_code="identity_refused",
                params={"detail": detail or status, "password": bool(self.username)},
            )
        if status != 200:
            raise PsbRequestError(
                f"The PSB identity server answered {status} to {url}; check the "
                "identity URL.",
                status=status,
                error_code="identity_bad_answer",
                params={"status": status, "url": url},
            )

    # ------------------------------------------------------------------ requests
    def _request(
        self,
        method,
        path,
        what,
        *,
        json=None,
        data=None,
        files=None,
        headers=None,
        params=None,
        accept="application/json",
        stream=False,
        not_found=None,
    ):
        """Send one API call and return the 2xx response; raise the typed error
        otherwise.

        ``what`` says what the call does, for the error messages ("downloading document
        X…"). A 401 with a stored token (revoked, or expired early) fetches a new token
        and repeats the call once. ``not_found`` replaces the message of a 404:
        ``(message, error_code, params)``.
        """
        token, fresh = self._token()
        body = {"json": json, "data": data, "files": files}
        response = self._send(
            method, path, what, token, body, headers, params, accept, stream
        )
        if response.status_code == 401 and not fresh:
            response.close()
            response = self._send(
                method,
                path,
                what,
                self.get_token(force=True),
                body,
                headers,
                params,
                accept,
                stream,
            )
        if response.status_code >= 300:
            try:
                raise self._error(response, what, not_found)
            finally:
                response.close()
        return response

    def _send(self, method, path, what, token, body, headers, params, accept, stream):
        """One HTTP exchange; ``body`` holds the ``json``, ``data`` and ``files`` of
        ``requests.Request``."""
        all_headers = {
            "Authorization": f"Bearer {token}",
            "Accept": accept,
            "User-Agent": self.user_agent,
        }
        if self.subscription_key:
            all_headers["Subscription-Key"] = self.subscription_key
        all_headers.update(headers or {})
        try:
            prepared = self.session.prepare_request(
                requests.Request(
                    method,
                    self.api_url + path,
                    params=params,
                    headers=all_headers,
                    **body,
                )
            )
            # requests decodes %2E back to "." (unreserved), which makes an id "." or
            # ".." a dot-segment again: send the path exactly as segment() encoded it.
            prepared.url = urlunsplit(
                urlsplit(prepared.url)._replace(path=urlsplit(self.api_url).path + path)
            )
            settings = self.session.merge_environment_settings(
                prepared.url, {}, stream, None, None
            )
            return self.session.send(
                prepared, timeout=self.timeout, allow_redirects=False, **settings
            )
        except requests.Timeout as exc:
            raise PsbTransientError(
                f"The PSB did not answer in time while {what} ({_reason(exc)}); it "
                "will be tried again later.",
                error_code="timeout",
                params={"reason": _reason(exc)},
            ) from exc
        except requests.RequestException as exc:
            raise PsbTransientError(
                f"The PSB could not be reached while {what} ({_reason(exc)}); it will "
                "be tried again later. "
                "If this persists, check the API URL and the network.",
                error_code="unreachable",
                params={"reason": _reason(exc)},
            ) from exc

    @staticmethod
    def _error(response, what, not_found=None):
        """The typed error for a non-2xx ``response`` (the PSB JSON error body is used
        when present)."""
        status, said, kwargs, params = _error_context(response)
        if status == 429 or status >= 500:
            trouble = (
                "is rate limiting requests" if status == 429 else "had a server error"
            )
            return PsbTransientError(
                f"The PSB {trouble} ({status}) while {what}; it will be tried again "
                f"later.{said}",
                retry_after=_retry_after(response),
                **kwargs,
                error_code="rate_limited" if status == 429 else "server_error",
                params=params,
            )
        if 300 <= status < 400:
            location = response.headers.get("Location") or "elsewhere"
            return PsbRequestError(
                f"The PSB redirected the request to {location} ({status}) while "
                f"{what}; "
                "redirects are not followed. Check the API URL in the PSB "
                f"settings.{said}",
                **kwargs,
                error_code="redirected",
                params={**params, "location": location},
            )
        if status in (401, 403):
            return _auth_error(status, what, said, kwargs, params)
        return _refusal_error(status, what, said, kwargs, params, not_found)

    def _call(self, method, path, what, **kwargs):
        """One API call returning its parsed JSON answer (None when the answer is
        empty)."""
        response = self._request(method, path, what, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise PsbRequestError(
                "The PSB answered with "
                f"{response.headers.get('Content-Type') or 'content'} instead of JSON "
                "while "
                f"{what}; check the API URL in the PSB settings.",
                status=response.status_code,
                error_code="not_json",
                params={"content_type": response.headers.get("Content-Type") or ""},
            ) from None

    # ------------------------------------------------------------------ sales orders
    # (§4, §5)
    @staticmethod
    def _sales_order_path(party_id, document_id, *rest, family="salesOrder"):
        return "/".join(
            [f"/api/v1/{segment(party_id)}/{family}/{segment(document_id)}", *rest]
        )

    def download_sales_order(
        self, party_id, document_id, target_document_type_id=None, family="salesOrder"
    ):
        """The received document's XML bytes (an Order, Order Change or Order
        Cancellation), converted by the PSB to ``target_document_type_id`` when given
        (default: the format it was sent in).

        ``family="generic"`` downloads another received document, e.g. a buyer's Invoice
        Response."""
        path = self._sales_order_path(party_id, document_id, "download", family=family)
        params = (
            {"targetDocumentTypeId": target_document_type_id}
            if target_document_type_id
            else None
        )
        gone = (
            f"The PSB does not know document {document_id} for party {party_id} (it "
            "may have been deleted: "
            "the PSB keeps documents 90 days, 7 days after the first download).",
            "document_gone",
            {"document_id": document_id, "party_id": party_id},
        )
        response = self._request(
            "GET",
            path,
            f"downloading document {document_id} for party {party_id}",
            accept="application/xml",
            stream=True,
            not_found=gone,
            params=params,
        )
        return self._read_download(response, document_id)

    def _read_download(self, response, document_id):
        """The body of a streamed download, refused past ``max_download_bytes``."""
        too_big = PsbRequestError(
            f"Document {document_id} is larger than {self.max_download_bytes:,} bytes "
            "and was not downloaded; "
            "raise the download limit if it is genuine.",
            status=response.status_code,
            code="too_large",
            error_code="download_too_large",
            params={"document_id": document_id, "limit": self.max_download_bytes},
        )
        with response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_download_bytes:
                raise too_big
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > self.max_download_bytes:
                        raise too_big
                    chunks.append(chunk)
            except requests.RequestException as exc:
                raise PsbTransientError(
                    f"The download of document {document_id} broke off "
                    f"({_reason(exc)}); it will be tried again later.",
                    error_code="download_broken",
                    params={"document_id": document_id, "reason": _reason(exc)},
                ) from exc
        return b"".join(chunks)

    def delete_sales_order(self, party_id, document_id):
        """Delete a received document at the PSB now instead of waiting for its
        automatic deletion."""
        return self._call(
            "DELETE",
            self._sales_order_path(party_id, document_id),
            f"deleting document {document_id} of party {party_id}",
        )

    def sales_order_status(self, party_id, document_id):
        """The document's status history, ``[{id, name, description, createdOn}]``
        (debugging aid)."""
        return self._call(
            "GET",
            self._sales_order_path(party_id, document_id, "status"),
            f"reading the status of document {document_id} of party {party_id}",
        )

    def send_order_response(
        self,
        party_id,
        document_id,
        status,
        note=None,
        response_document_id=None,
        xml=None,
    ):
        """Answer the received order ``document_id`` with an Order Response; returns
        ``{"id": ...}``.

        The body is the documented JSON model ``{"status", "note"}`` with ``status`` one
        of AB, AP, CA, RE (or the OpenAPI names Acknowledge, Accept,
        ConditionallyAccepted, Reject). Newer eConnect pages claim the same path also
        takes a full UBL OrderResponse as ``application/xml`` (needed for a CA with line
        changes); that is unconfirmed (psb-api.md §5, open question 2). This method is
        the one place that chooses: JSON by default, the given ``xml`` bytes when
        passed, so correcting the choice does not touch the callers.

        ``response_document_id`` is sent as ``X-EConnect-DocumentId`` and becomes the
        response's PSB id: a repeat of the same call is refused with 409, which is
        returned here as success, ``{"id": response_document_id, "duplicate": True}``.
        """
        path = self._sales_order_path(party_id, document_id, "response")
        headers = (
            {"X-EConnect-DocumentId": response_document_id}
            if response_document_id
            else {}
        )
        if xml is not None:
            kwargs = {
                "data": xml,
                "headers": {**headers, "Content-Type": "application/xml"},
            }
        else:
            body = {"status": status}
            if note:
                body["note"] = note
            kwargs = {"json": body, "headers": headers}
        return self._send_once(
            response_document_id,
            "POST",
            path,
            f"sending Order Response {status or 'XML'} for document {document_id}",
            **kwargs,
        )

    def _send_once(self, document_id, *call, **kwargs):
        """``self._call(*call, **kwargs)`` of a send under our ``X-EConnect-DocumentId``
        ``document_id``: its answer with the id (``document_id`` where the PSB named
        none); the PSB's 409, refusing a repeat of a send it already has, is success:
        ``{"id": document_id, "duplicate": True}``."""
        try:
            answer = self._call(*call, **kwargs)
        except PsbConflictError:
            return {"id": document_id, "duplicate": True}
        if isinstance(answer, dict) and answer.get("id"):
            return answer
        return {**(answer if isinstance(answer, dict) else {}), "id": document_id}

    def query_recipient_party(
        self, party_id, party_ids, preferred_document_type_id=None, family="salesOrder"
    ):
        """Which of the buyer's ``party_ids`` can receive our answer: ``{"id",
        "channel", "description"}``.

        ``family`` is ``salesOrder`` (Order Responses) or ``salesInvoice`` (invoices). A
        404 (:class:`PsbNotFoundError`) means none of them can be reached.
        """
        if isinstance(party_ids, str):
            party_ids = [party_ids]
        params = (
            {"preferredDocumentTypeId": preferred_document_type_id}
            if preferred_document_type_id
            else None
        )
        return self._call(
            "POST",
            f"/api/v1/{segment(party_id)}/{segment(family)}/queryRecipientParty",
            f"looking up whether {', '.join(party_ids)} can receive documents",
            json=list(party_ids),
            params=params,
        )

    def send_invoice(
        self,
        party_id,
        xml,
        invoice_document_id,
        receiver_id=None,
        filename="invoice.xml",
    ):
        """Send a Peppol BIS Billing 3 invoice or credit note (``xml`` bytes) from
        ``party_id``; returns ``{"id": ...}``, the document id of its ``InvoiceSent*``
        status events.

        ``invoice_document_id`` is sent as ``X-EConnect-DocumentId``: a repeat of the
        same call is refused with 409, which is returned here as success, ``{"id":
        invoice_document_id, "duplicate": True}``. ``receiver_id`` makes the PSB deliver
        to that party (else the invoice's AccountingCustomerParty).
        """
        params = {"receiverId": receiver_id} if receiver_id else None
        return self._send_once(
            invoice_document_id,
            "POST",
            f"/api/v1/{segment(party_id)}/salesInvoice/send",
            f"sending invoice {filename} for party {party_id}",
            files={"file": (filename, xml, "application/xml")},
            headers={"X-EConnect-DocumentId": invoice_document_id},
            params=params,
        )

    def sales_invoice_status(self, party_id, document_id):
        """A sent invoice's status history, ``[{id, name, description, createdOn}]``
        (debugging aid)."""
        return self._call(
            "GET",
            f"/api/v1/{segment(party_id)}/salesInvoice/{segment(document_id)}/status",
            f"reading the status of invoice {document_id} of party {party_id}",
        )

    def delivery_option(self, party_ids, document_family="orderResponse"):
        """The Peppol delivery options of a recipient (a list; empty when it cannot
        receive the family)."""
        if isinstance(party_ids, str):
            party_ids = [party_ids]
        params = [("partyIds", party) for party in party_ids]
        if document_family:
            params.append(("documentFamily", document_family))
        return self._call(
            "GET",
            "/api/v1/peppol/deliveryOption",
            f"looking up the Peppol delivery options of {', '.join(party_ids)}",
            params=params,
        )

    # ------------------------------------------------------------------ hooks (§6.1)
    @staticmethod
    def _hook_path(party_id):
        return f"/api/v1/{segment(party_id)}/hook" if party_id else "/api/v1/hook"

    @staticmethod
    def _hook_owner(party_id):
        return f"party {party_id}" if party_id else "the environment"

    def list_hooks(self, party_id=None):
        """The party's hooks, or the environment's hooks when ``party_id`` is None."""
        return self._call(
            "GET",
            self._hook_path(party_id),
            f"listing the webhooks of {self._hook_owner(party_id)}",
        )

    def put_hook(self, hook, party_id=None):
        """Add or update (upsert on ``hook["id"]``) a hook. Update hooks in place: a
        delete followed by a create can lose events in between (§6.1)."""
        return (
            self._call(
                "PUT",
                self._hook_path(party_id),
                f"registering webhook {hook.get('id')} for "
                f"{self._hook_owner(party_id)}",
                json=hook,
            )
            or hook
        )

    def delete_hook(self, hook_id, party_id=None):
        """Delete a party hook, or an environment hook when ``party_id`` is None."""
        return self._call(
            "DELETE",
            f"{self._hook_path(party_id)}/{segment(hook_id)}",
            f"deleting webhook {hook_id} of {self._hook_owner(party_id)}",
        )

    def ping_hooks(self, party_id):
        """Ask the PSB to send a test event to the party's hooks; returns ``{"id":
        party_id}``."""
        return self._call(
            "GET",
            f"/api/v1/{segment(party_id)}/hook/ping",
            f"pinging the webhooks of party {party_id}",
        )

    # ------------------------------------------------------------------ account
    def me(self):
        """The user (or application) the credentials belong to."""
        return self._call("GET", "/api/v1/me", "reading the PSB user")

    def my_parties(self):
        """The parties these credentials may use: ``[{"id", "name",
        "permissions"}]``."""
        return self._call(
            "GET", "/api/v1/me/party", "listing the parties of the PSB user"
        )

    def test_connection(self, party_id):
        """Check the credentials and the access to ``party_id``: a
        :class:`ConnectionCheck` on success (its ``code`` and ``params`` let the caller
        say it in the reader's language), a typed error otherwise."""
        self.get_token(force=True)
        try:
            parties = self.my_parties()
        except (PsbNotFoundError, PsbAuthError) as exc:
            if isinstance(exc, PsbAuthError) and exc.status != 403:
                raise
            # no party list for these credentials: check the party itself below
            parties = None
        ids = _party_ids(parties)
        allowed = sorted(ids)
        if ids and not party_id:
            return ConnectionCheck(
                f"The PSB accepted the credentials; they may use {', '.join(allowed)}.",
                "connection_ok_parties",
                {"allowed": allowed},
            )
        if party_id and any(known.lower() == party_id.strip().lower() for known in ids):
            return ConnectionCheck(
                f"The PSB accepted the credentials, which may use party {party_id}.",
                "connection_ok_party",
                {"party_id": party_id},
            )
        if ids:
            raise PsbAuthError(
                "The PSB accepted the credentials, but they may not use party "
                f"{party_id}; they may use "
                f"{', '.join(allowed)}. Correct the party id, or ask eConnect for "
                "access to it.",
                error_code="party_not_allowed",
                params={"party_id": party_id, "allowed": allowed},
            )
        if not party_id:
            return ConnectionCheck(
                "The PSB accepted the credentials.", "connection_ok", {}
            )
        self.list_hooks(party_id)
        return ConnectionCheck(
            f"The PSB accepted the credentials and gives access to party {party_id}.",
            "connection_ok_hooks",
            {"party_id": party_id},
        )


class ConnectionCheck:
    """The outcome of :meth:`PsbClient.test_connection`: the English ``message`` (also
    ``str()``), and ``code`` and ``params`` from which Odoo says it in the reader's
    language (``models/psb_messages.py``)."""

    def __init__(self, message, code, params):
        self.message = message
        self.code = code
        self.params = params

    def __str__(self):
        return self.message

    def __repr__(self):
        return f"ConnectionCheck({self.code!r}, {self.params!r})"


def _check_settings(
    api_url, identity_url, client_id, client_secret, username, password
):
    """Raise :class:`PsbConfigError` when the connection settings are incomplete or
    not web addresses."""
    missing = [
        label
        for label, value in (
            ("API URL", api_url),
            ("identity URL", identity_url),
            ("client id", client_id),
            ("client secret", client_secret),
        )
        if not value
    ]
    if missing:
        raise PsbConfigError(
            f"The PSB connection is not configured: {', '.join(missing)} missing.",
            error_code="not_configured",
            params={"missing": missing},
        )
    if bool(username) != bool(password):
        raise PsbConfigError(
            "Give both the PSB user name and password (password grant), or "
            "neither (client credentials grant).",
            error_code="half_login",
        )
    for label, url in (("API URL", api_url), ("identity URL", identity_url)):
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise PsbConfigError(
                f"The PSB {label} {url!r} is not a web address (https://...).",
                error_code="bad_url",
                params={"label": label, "url": url},
            )


def _error_context(response):
    """``(status, said, kwargs, params)`` of a PSB error answer: its status, the PSB's
    own words for the message, and the common error arguments."""
    status = response.status_code
    code, psb_message, request_id, help_link = _error_details(response)
    said = f" The PSB said: {psb_message}" if psb_message else ""
    if request_id:
        said += f" (PSB request id {request_id})"
    kwargs = {
        "status": status,
        "code": code,
        "request_id": request_id,
        "help_link": help_link,
    }
    params = {
        "status": status,
        "psb_message": psb_message,
        "request_id": request_id,
    }
    return status, said, kwargs, params


def _auth_error(status, what, said, kwargs, params):
    """The :class:`PsbAuthError` of a 401 or 403 answer."""
    if status == 401:
        return PsbAuthError(
            f"The PSB did not accept the access token (401) while {what}. Check "
            "the client id, "
            f"client secret, user name and password in the PSB settings.{said}",
            **kwargs,
            error_code="token_refused",
            params=params,
        )
    return PsbAuthError(
        f"The PSB refused access (403) while {what}. Check that these "
        "credentials may use "
        "this party id (eConnect grants parties to users and "
        f"applications).{said}",
        **kwargs,
        error_code="access_refused",
        params=params,
    )


def _refusal_error(status, what, said, kwargs, params, not_found):
    """The error of a 4xx answer other than 401 and 403."""
    if status == 404:
        message = (
            not_found[0] if not_found else f"The PSB found nothing (404) while {what}."
        )
        return PsbNotFoundError(
            f"{message}{said}",
            **kwargs,
            error_code=not_found[1] if not_found else "not_found",
            params={**params, **(not_found[2] if not_found else {})},
        )
    if status == 409:
        return PsbConflictError(
            f"The PSB had already processed this (409, duplicate) while {what}.{said}",
            **kwargs,
            error_code="duplicate",
            params=params,
        )
    if status == 413:
        return PsbRequestError(
            f"The PSB refused the content as too large (413) while {what}.{said}",
            **kwargs,
            error_code="content_too_large",
            params=params,
        )
    return PsbRequestError(
        f"The PSB refused the request ({status}) while {what}.{said}",
        **kwargs,
        error_code="refused",
        params=params,
    )


def _party_ids(parties):
    """Party ids from a ``me/party`` answer (a list of parties, or a paged ``{"items":
    [...]}``)."""
    if isinstance(parties, dict):
        parties = parties.get("items")
    ids = set()
    for party in parties if isinstance(parties, list) else []:
        party_id = party.get("id") if isinstance(party, dict) else party
        if isinstance(party_id, str) and party_id:
            ids.add(party_id)
    return ids


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _error_details(response):
    """``(code, message, request_id, help_link)`` of an error answer.

    The PSB's JSON error is ``{"code", "message", "helpLink", "requestId",
    "dateTime"}``; ASP.NET validation problems (``{"title", "errors"}``) and plain-text
    bodies occur too.
    """
    body = _json_or_none(response)
    if isinstance(body, dict):
        message = (
            body.get("message")
            or body.get("title")
            or body.get("error_description")
            or body.get("error")
        )
        errors = body.get("errors")
        if isinstance(errors, dict):
            problems = "; ".join(
                f"{key}: "
                f"{' '.join(map(str, value if isinstance(value, list) else [value]))}"
                for key, value in errors.items()
            )
            message = f"{message} ({problems})" if message else problems
        return (
            body.get("code"),
            (str(message) if message else None),
            body.get("requestId"),
            body.get("helpLink"),
        )
    text = re.sub(r"\s+", " ", response.text or "").strip()
    if text.startswith("<"):
        text = ""  # an HTML error page says nothing useful here
    return None, (text[:300] or None), None, None


def _retry_after(response):
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or
    None."""
    value = (response.headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return int(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, math.ceil((moment - datetime.now(timezone.utc)).total_seconds()))


def _reason(exc):
    """A short reason from a requests exception: its innermost cause, without urllib3's
    object repr."""
    reason = exc
    while True:
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    return re.sub(r"^<[^>]+>: ", "", str(reason)) or type(reason).__name__


__all__ = [
    "ALERT_TOPICS",
    "ENVIRONMENTS",
    "SELLER_TOPICS",
    "MemoryTokenStore",
    "PsbClient",
    "PsbError",
    "build_hook",
    "build_mail_hook",
    "segment",
]
