"""HTTP client of the eConnect PSB REST API (the parts a seller needs).

Tokens come from the identity server's OAuth2 token endpoint and are reused until a minute
before they expire, through a ``token_store`` the caller may share between processes. Errors are
typed (``exceptions``); nothing here sleeps or loops: a transient error is raised, and the
caller (Odoo's scheduled action) decides when to try again.
"""
import time
from urllib.parse import quote

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

ENVIRONMENTS = {
    "production": ("https://psb.econnect.eu", "https://identity.econnect.eu"),
    "acceptance": ("https://accp-psb.econnect.eu", "https://accp-identity.econnect.eu"),
}
SELLER_TOPICS = [
    "OrderReceived",
    "OrderChangeReceived",
    "OrderCancellationReceived",
    "OrderResponseSent",
    "OrderResponseSentRetry",
    "OrderResponseSentError",
]
TOKEN_MARGIN = 60


def build_hook(hook_id, name, url, secret, topics):
    """The PSB hook body; the secret travels as the URL fragment, as the PSB documents it."""
    return {"id": hook_id, "name": name, "action": f"{url}#{secret}", "topics": list(topics), "isActive": True}


def segment(value):
    """A path segment: party ids contain ':' and must be encoded (0106%3A12345678)."""
    return quote(str(value), safe="")


class MemoryTokenStore:
    def __init__(self):
        self._value = None

    def get(self):
        return self._value

    def set(self, token, expires_at):
        self._value = (token, expires_at)


class PsbClient:
    def __init__(self, api_url, identity_url, client_id, client_secret, username=None, password=None,
                 subscription_key=None, scope="ap", timeout=30, token_store=None, session=None,
                 user_agent="sale_econnect_psb", max_download_bytes=20 * 1024 * 1024):
        if not (api_url and identity_url and client_id and client_secret):
            raise PsbConfigError("The PSB API URL, identity URL, client id and client secret are all required.")
        self.api_url = api_url.rstrip("/")
        self.identity_url = identity_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.subscription_key = subscription_key
        self.scope = scope
        self.timeout = timeout
        self.token_store = token_store or MemoryTokenStore()
        self.session = session or requests.Session()
        self.user_agent = user_agent
        self.max_download_bytes = max_download_bytes

    # ------------------------------------------------------------------ token
    def get_token(self, force=False):
        cached = None if force else self.token_store.get()
        if cached and cached[1] - TOKEN_MARGIN > time.time():
            return cached[0]
        data = {"client_id": self.client_id, "client_secret": self.client_secret, "scope": self.scope}
        if self.username and self.password:
            data.update(grant_type="password", username=self.username, password=self.password)
        else:
            data["grant_type"] = "client_credentials"
        try:
            response = self.session.post(f"{self.identity_url}/connect/token", data=data, timeout=self.timeout,
                                         headers={"Accept": "application/json", "User-Agent": self.user_agent},
                                         allow_redirects=False)
        except requests.RequestException as exc:
            raise PsbTransientError(f"The PSB identity server could not be reached: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise PsbTransientError(f"The PSB identity server answered {response.status_code}.",
                                    status=response.status_code)
        if response.status_code != 200:
            try:
                detail = response.json().get("error_description") or response.json().get("error")
            except ValueError:
                detail = response.text[:200]
            raise PsbAuthError(
                f"The PSB refused the credentials ({detail or response.status_code}): check the client id, "
                "client secret, user name and password in Settings.", status=response.status_code)
        try:
            payload = response.json()
            token = payload["access_token"]
            expires_in = int(payload.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise PsbAuthError("The PSB identity server gave no usable access token.") from None
        self.token_store.set(token, time.time() + expires_in)
        return token

    # ------------------------------------------------------------------ requests
    def _request(self, method, path, *, json_body=None, data=None, headers=None, params=None,
                 accept="application/json", stream=False, retry_auth=True):
        all_headers = {"Authorization": f"Bearer {self.get_token()}", "Accept": accept,
                       "User-Agent": self.user_agent}
        if self.subscription_key:
            all_headers["Subscription-Key"] = self.subscription_key
        all_headers.update(headers or {})
        url = f"{self.api_url}{path}"
        try:
            response = self.session.request(method, url, json=json_body, data=data, headers=all_headers,
                                            params=params, timeout=self.timeout, allow_redirects=False,
                                            stream=stream)
        except requests.RequestException as exc:
            raise PsbTransientError(f"The PSB could not be reached ({method} {path}): {exc}") from exc
        if response.status_code == 401 and retry_auth:
            self.get_token(force=True)
            return self._request(method, path, json_body=json_body, data=data, headers=headers, params=params,
                                 accept=accept, stream=stream, retry_auth=False)
        if response.status_code >= 300:
            raise self._error(response, method, path)
        return response

    @staticmethod
    def _error(response, method, path):
        status = response.status_code
        code = message = request_id = None
        try:
            body = response.json()
            if isinstance(body, dict):
                code, message, request_id = body.get("code"), body.get("message"), body.get("requestId")
        except ValueError:
            message = (response.text or "").strip()[:300] or None
        detail = f"{message} " if message else ""
        kwargs = {"status": status, "code": code, "request_id": request_id}
        if status in (429,) or status >= 500:
            retry_after = response.headers.get("Retry-After")
            try:
                retry_after = int(retry_after) if retry_after else None
            except ValueError:
                retry_after = None
            return PsbTransientError(f"The PSB answered {status} to {method} {path}. {detail}".strip(),
                                     retry_after=retry_after, **kwargs)
        if status in (401, 403):
            return PsbAuthError(
                f"The PSB refused access ({status}) to {path}. {detail}Check the credentials and that they "
                "may use this party id.", **kwargs)
        if status == 404:
            return PsbNotFoundError(f"The PSB does not know {path} (404). {detail}".strip(), **kwargs)
        if status == 409:
            return PsbConflictError(f"The PSB already processed this request (409). {detail}".strip(), **kwargs)
        if 300 <= status < 400:
            return PsbRequestError(f"The PSB redirected {method} {path} ({status}); check the API URL.", **kwargs)
        return PsbRequestError(f"The PSB refused {method} {path} ({status}). {detail}".strip(), **kwargs)

    # ------------------------------------------------------------------ sales orders
    def download_sales_order(self, party_id, document_id):
        path = f"/api/v1/{segment(party_id)}/salesOrder/{segment(document_id)}/download"
        try:
            response = self._request("GET", path, accept="application/xml", stream=True)
        except PsbNotFoundError as exc:
            exc.message = (
                f"The PSB does not know document {document_id} for party {party_id} (404). It may have been "
                "deleted: the PSB keeps documents 90 days, and 7 days after their first download.")
            raise
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > self.max_download_bytes:
                    raise PsbRequestError(
                        f"Document {document_id} is larger than {self.max_download_bytes // 1024 // 1024} MiB; "
                        "it was not downloaded.")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise PsbTransientError(f"The download of document {document_id} broke off: {exc}") from exc
        finally:
            response.close()
        return b"".join(chunks)

    def delete_sales_order(self, party_id, document_id):
        self._request("DELETE", f"/api/v1/{segment(party_id)}/salesOrder/{segment(document_id)}")

    def sales_order_status(self, party_id, document_id):
        return self._request("GET", f"/api/v1/{segment(party_id)}/salesOrder/{segment(document_id)}/status").json()

    def send_order_response(self, party_id, document_id, status, note=None, response_document_id=None, xml=None):
        """Send an Order Response for a received order.

        The PSB's documented JSON model carries only ``status`` (AB/AP/CA/RE) and ``note``; newer
        pages say the same path takes a full UBL OrderResponse as ``application/xml`` (psb-api.md
        §5, an open question). This method is the one place that chooses: JSON by default, the
        UBL when ``xml`` is given. ``response_document_id`` is sent as ``X-EConnect-DocumentId`` so
        a retry is idempotent; a 409 (already sent) counts as success.
        """
        path = f"/api/v1/{segment(party_id)}/salesOrder/{segment(document_id)}/response"
        headers = {}
        if response_document_id:
            headers["X-EConnect-DocumentId"] = response_document_id
        try:
            if xml is not None:
                headers["Content-Type"] = "application/xml"
                response = self._request("POST", path, data=xml, headers=headers)
            else:
                body = {"status": status}
                if note:
                    body["note"] = note
                response = self._request("POST", path, json_body=body, headers=headers)
        except PsbConflictError:
            return {"id": response_document_id, "duplicate": True}
        try:
            return response.json()
        except ValueError:
            return {"id": response_document_id}

    def query_recipient_party(self, party_id, party_ids, preferred_document_type_id=None):
        params = {"preferredDocumentTypeId": preferred_document_type_id} if preferred_document_type_id else None
        return self._request("POST", f"/api/v1/{segment(party_id)}/salesOrder/queryRecipientParty",
                             json_body=list(party_ids), params=params).json()

    def delivery_option(self, party_ids, document_family="orderResponse"):
        return self._request("GET", "/api/v1/peppol/deliveryOption",
                             params={"partyIds": ",".join(party_ids), "documentFamily": document_family}).json()

    # ------------------------------------------------------------------ hooks
    def _hook_path(self, party_id):
        return f"/api/v1/{segment(party_id)}/hook" if party_id else "/api/v1/hook"

    def list_hooks(self, party_id=None):
        return self._request("GET", self._hook_path(party_id)).json()

    def put_hook(self, hook, party_id=None):
        """Add or update (upsert on ``id``) a hook; never delete and recreate one."""
        response = self._request("PUT", self._hook_path(party_id), json_body=hook)
        try:
            return response.json()
        except ValueError:
            return hook

    def delete_hook(self, hook_id, party_id=None):
        self._request("DELETE", f"{self._hook_path(party_id)}/{segment(hook_id)}")

    def ping_hooks(self, party_id):
        return self._request("GET", f"/api/v1/{segment(party_id)}/hook/ping").json()

    # ------------------------------------------------------------------ account
    def me(self):
        return self._request("GET", "/api/v1/me").json()

    def my_parties(self):
        return self._request("GET", "/api/v1/me/party").json()

    def test_connection(self, party_id):
        """A sentence saying the credentials work and may use ``party_id``; typed errors otherwise."""
        self.get_token(force=True)
        try:
            parties = self.my_parties()
        except PsbNotFoundError:
            return "The PSB accepted the credentials."
        items = parties.get("items", parties) if isinstance(parties, dict) else parties
        ids = set()
        for item in items or []:
            ids.add((item.get("id") if isinstance(item, dict) else str(item)) or "")
        if party_id and ids and party_id.lower() not in {i.lower() for i in ids}:
            raise PsbAuthError(
                f"The PSB accepted the credentials, but they may not use party {party_id} "
                f"(they may use: {', '.join(sorted(ids))}).")
        return f"The PSB accepted the credentials for party {party_id}."


__all__ = ["ENVIRONMENTS", "SELLER_TOPICS", "PsbClient", "PsbError", "build_hook", "segment"]
