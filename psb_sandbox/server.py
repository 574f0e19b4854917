"""A local stand-in for the eConnect PSB: the documented contract, on loopback.

It serves the identity server's token endpoint and the API a seller uses (sales order download,
delete, status, order response, recipient lookup, hooks, ``me``), requires valid bearer tokens,
answers errors in the PSB's JSON shape, keeps everything it receives, and delivers webhook
events signed as the PSB signs them (HMAC-SHA256 of the body with the ``#fragment`` secret of
the hook's action URL). Faults (status codes, delays) can be injected for tests.

It only depends on the standard library (and ``requests`` to deliver webhooks).
"""
import fnmatch
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import requests

try:
    from lxml import etree
except ImportError:  # pragma: no cover - details are then left out of events
    etree = None

RESPONSE_CODES = {"AB": "AB", "AP": "AP", "CA": "CA", "RE": "RE", "Acknowledge": "AB", "Accept": "AP",
                  "ConditionallyAccepted": "CA", "Reject": "RE"}
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def _now():
    return datetime.now(timezone.utc).isoformat()


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _details(xml):
    """What the PSB puts in an event's details, read from the document."""
    if etree is None:
        return {}
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return {}
    ns = {"cbc": CBC, "cac": CAC}
    details = {"id": root.findtext("cbc:ID", namespaces=ns) or ""}
    endpoint = root.find("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", ns)
    if endpoint is not None and endpoint.text:
        details["sender"] = f"{endpoint.get('schemeID', '')}:{endpoint.text.strip()}"
    for key, path in (("orderReferenceId", "cac:OrderReference/cbc:ID"), ("sequenceNumberId", "cbc:SequenceNumberID"),
                      ("cancellationNote", "cbc:CancellationNote"), ("note", "cbc:Note")):
        value = root.findtext(path, namespaces=ns)
        if value:
            details[key] = value.strip()
    custom = root.findtext("cbc:CustomizationID", namespaces=ns)
    if custom:
        details["documentTypeId"] = (
            f"{etree.QName(root).namespace}::{etree.QName(root).localname}##{custom.strip()}")
    details["protocol"] = "As4"
    return {k: str(v) for k, v in details.items()}


class PsbSandbox:
    """Run with ``start()``/``stop()`` or as a context manager; ``url`` is its base URL."""

    def __init__(self, host="127.0.0.1", port=0, clients=None, users=None, parties=None, token_ttl=3600,
                 auto_response_hooks=False, log=None):
        self.clients = dict(clients or {"sandbox-client": "sandbox-secret"})
        self.users = dict(users or {})
        self.parties = list(parties or ["0106:12345678"])
        self.token_ttl = token_ttl
        self.auto_response_hooks = auto_response_hooks
        self.log = log
        self.lock = threading.RLock()
        # order_response_capable (set by reset()): None means every buyer can receive order responses
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.sandbox = self
        self._thread = None
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="psb-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self):
        self._server.serve_forever()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        with self.lock:
            self.tokens = {}
            self.documents = {}      # document_id -> {party, xml, topic, ref, details, deleted}
            self.download_counts = {}
            self.responses = []
            self.response_ids = set()
            self.hooks = {}          # party id or "" (environment) -> {hook_id: hook}
            self.requests = []
            self.faults = []
            self.deliveries = []
            self.order_response_capable = None

    # ------------------------------------------------------------------ test API
    def add_document(self, party_id, xml, topic="OrderReceived", document_id=None, ref_to_document_id=None,
                     details=None):
        document_id = document_id or str(uuid.uuid4())
        if isinstance(xml, str):
            xml = xml.encode("utf-8")
        with self.lock:
            self.documents[document_id] = {
                "party": party_id, "xml": xml, "topic": topic, "ref": ref_to_document_id,
                "details": {**_details(xml), **(details or {})}, "deleted": False,
            }
        return document_id

    def downloads(self, document_id):
        with self.lock:
            return self.download_counts.get(document_id, 0)

    def inject_fault(self, method, path_regex, status=500, count=1, delay=0.0, body=None):
        with self.lock:
            self.faults.append({"method": method.upper(), "path": re.compile(path_regex), "status": status,
                                "count": count, "delay": delay, "body": body})

    def reset_faults(self):
        with self.lock:
            self.faults = []

    def deliver(self, document_id, topic=None):
        with self.lock:
            doc = self.documents[document_id]
        return self.send_event(doc["party"], topic or doc["topic"], document_id, details=doc["details"],
                               ref_to_document_id=doc["ref"])

    def send_event(self, party_id, topic, document_id, details=None, ref_to_document_id=None, message=None):
        """POST a signed event to every active hook of the party (then the environment) for this topic."""
        results = []
        with self.lock:
            hooks = list(self.hooks.get(party_id, {}).values()) + list(self.hooks.get("", {}).values())
        for hook in hooks:
            if not hook.get("isActive", True) or not any(fnmatch.fnmatchcase(topic, t) for t in hook["topics"]):
                continue
            action = hook["action"]
            if action.startswith("mailto:"):
                continue
            url, _, secret = action.partition("#")
            event = {"topic": topic, "partyId": party_id, "hookId": hook["id"], "documentId": document_id,
                     "message": message or f"'{topic.replace('Received', '')}' received.",
                     "details": {k: str(v) for k, v in (details or {}).items()},
                     "createdOn": _now(), "sentOn": _now()}
            if ref_to_document_id:
                event["refToDocumentId"] = ref_to_document_id
            body = json.dumps(event).encode()
            try:
                response = requests.post(url, data=body, timeout=10, headers={
                    "Content-Type": "application/json", "X-EConnect-Signature": sign(secret, body)})
                result = {"hook_id": hook["id"], "url": url, "status": response.status_code, "body": response.text}
            except requests.RequestException as exc:
                result = {"hook_id": hook["id"], "url": url, "status": None, "body": str(exc)}
            with self.lock:
                self.deliveries.append({**result, "event": event})
            results.append(result)
        return results


def _error(code, message):
    return {"code": f"API{code}", "message": message, "helpLink": "https://psb.econnect.eu/",
            "requestId": str(uuid.uuid4()), "dateTime": _now()}


class _Handler(BaseHTTPRequestHandler):
    server_version = "PSB-Sandbox/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.sandbox.log:
            self.server.sandbox.log(fmt % args)

    # ------------------------------------------------------------------ plumbing
    def _send(self, status, body=None, content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        body = body or b""
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, body):
        try:
            return json.loads(body or b"null")
        except ValueError:
            return None

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        sandbox = self.server.sandbox
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        body = self._body()
        with sandbox.lock:
            sandbox.requests.append({"method": method, "path": path, "query": query,
                                     "headers": dict(self.headers.items()), "body": body})
            fault = next((f for f in sandbox.faults if f["count"] > 0 and f["method"] == method
                          and f["path"].search(path)), None)
            if fault:
                fault["count"] -= 1
        if fault and not path.startswith("/_sandbox/"):
            if fault["delay"]:
                time.sleep(fault["delay"])
            if fault["status"]:
                return self._send(fault["status"], fault["body"] if fault["body"] is not None
                                  else _error(fault["status"], "Injected fault"),
                                  headers={"Retry-After": "30"} if fault["status"] == 429 else None)
        try:
            if path.startswith("/_sandbox/"):
                return self._control(method, path, body)
            if path == "/connect/token" and method == "POST":
                return self._token(body)
            if path == "/.well-known/openid-configuration":
                return self._send(200, {"issuer": sandbox.url, "token_endpoint": f"{sandbox.url}/connect/token"})
            if path.startswith("/api/"):
                return self._api(method, path, query, body)
            return self._send(404, _error(404, "Not found"))
        except BrokenPipeError:  # pragma: no cover - client went away
            return None

    # ------------------------------------------------------------------ identity
    def _token(self, body):
        sandbox = self.server.sandbox
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if sandbox.clients.get(form.get("client_id")) != form.get("client_secret") or not form.get("client_id"):
            return self._send(400, {"error": "invalid_client"})
        if "ap" not in (form.get("scope") or "").split():
            return self._send(400, {"error": "invalid_scope"})
        grant = form.get("grant_type")
        if grant == "password":
            if sandbox.users.get(form.get("username")) != form.get("password") or not form.get("username"):
                return self._send(400, {"error": "invalid_grant"})
        elif grant != "client_credentials":
            return self._send(400, {"error": "unsupported_grant_type"})
        token = secrets.token_urlsafe(24)
        with sandbox.lock:
            sandbox.tokens[token] = time.time() + sandbox.token_ttl
        return self._send(200, {"access_token": token, "expires_in": sandbox.token_ttl, "token_type": "Bearer",
                                "scope": form.get("scope")})

    # ------------------------------------------------------------------ API
    def _api(self, method, path, query, body):
        sandbox = self.server.sandbox
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        with sandbox.lock:
            expires = sandbox.tokens.get(token)
        if not expires or expires < time.time():
            return self._send(401, _error(401, "Not authenticated: missing, invalid or expired bearer token."))
        parts = [unquote(p) for p in path.split("/")[1:]]   # api, v1, ...
        rest = parts[2:]
        if rest == ["me"]:
            return self._send(200, {"id": "sandbox-user", "name": "Sandbox user"})
        if rest == ["me", "party"]:
            return self._send(200, {"items": [{"id": p} for p in sandbox.parties]})
        if rest[:3] == ["peppol", "deliveryOption"] or rest[:2] == ["peppol", "deliveryOption"]:
            ids = (query.get("partyIds") or [""])[0].split(",")
            capable = [p for p in ids if sandbox.order_response_capable is None or p in sandbox.order_response_capable]
            return self._send(200, [{"partyId": p, "channel": "peppol"} for p in capable])
        if rest and rest[0] == "hook":
            return self._hooks(method, "", rest[1:], body)
        party = rest[0] if rest else ""
        if party not in sandbox.parties:
            return self._send(403, _error(403, f"No permission for party {party}."))
        rest = rest[1:]
        if rest and rest[0] == "hook":
            if rest[1:] == ["ping"]:
                sandbox.send_event(party, "Ping", str(uuid.uuid4()))
                return self._send(200, {"id": party})
            return self._hooks(method, party, rest[1:], body)
        if rest[:1] == ["salesOrder"]:
            return self._sales_order(method, party, rest[1:], body)
        return self._send(404, _error(404, "Not found"))

    def _hooks(self, method, party, rest, body):
        sandbox = self.server.sandbox
        with sandbox.lock:
            hooks = sandbox.hooks.setdefault(party, {})
            if method == "GET" and not rest:
                return self._send(200, list(hooks.values()))
            if method in ("PUT", "POST") and not rest:
                hook = self._json(body)
                if not isinstance(hook, dict):
                    return self._send(400, _error(400, "The body must be a Hook JSON object."))
                action = str(hook.get("action") or "")
                if not re.match(r"^(https?://|mailto:)", action):
                    return self._send(400, _error(400, "action must be an https:// URL or a mailto: address."))
                if not isinstance(hook.get("topics"), list) or not hook["topics"]:
                    return self._send(400, _error(400, "topics must be a non-empty list."))
                hook_id = str(hook.get("id") or uuid.uuid4())
                old = hooks.get(hook_id, {})
                hooks[hook_id] = {**hook, "id": hook_id, "isActive": hook.get("isActive", True),
                                  "createdOn": old.get("createdOn", _now()), "changedOn": _now()}
                return self._send(200, hooks[hook_id])
            if method == "DELETE" and len(rest) == 1:
                if hooks.pop(rest[0], None) is None:
                    return self._send(404, _error(404, f"Hook {rest[0]} not found."))
                return self._send(200)
        return self._send(405, _error(405, "Method not allowed"))

    def _sales_order(self, method, party, rest, body):
        sandbox = self.server.sandbox
        if rest == ["queryRecipientParty"] and method == "POST":
            ids = self._json(body)
            if not isinstance(ids, list) or not ids:
                return self._send(400, _error(400, "The body must be a list of party ids."))
            capable = [p for p in ids if sandbox.order_response_capable is None or p in sandbox.order_response_capable]
            if not capable:
                return self._send(404, _error(404, "None of these parties can receive order responses."))
            return self._send(200, {"id": capable[0], "channel": "peppol", "description": "Peppol network"})
        if not rest:
            return self._send(404, _error(404, "Not found"))
        document_id = rest[0]
        with sandbox.lock:
            doc = sandbox.documents.get(document_id)
        if not doc or doc["party"] != party or doc["deleted"]:
            return self._send(404, _error(404, f"Document {document_id} not found for party {party}."))
        action = rest[1:]
        if method == "GET" and action == ["download"]:
            with sandbox.lock:
                sandbox.download_counts[document_id] = sandbox.download_counts.get(document_id, 0) + 1
            return self._send(200, doc["xml"], content_type="application/xml")
        if method == "DELETE" and not action:
            with sandbox.lock:
                doc["deleted"] = True
            return self._send(200)
        if method == "GET" and action == ["status"]:
            return self._send(200, [{"id": "1", "name": "Received", "description": "Document received",
                                     "createdOn": _now()}])
        if method == "POST" and action == ["response"]:
            return self._response(party, document_id, body)
        return self._send(405, _error(405, "Method not allowed"))

    def _response(self, party, document_id, body):
        sandbox = self.server.sandbox
        response_id = self.headers.get("X-EConnect-DocumentId") or str(uuid.uuid4())
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == "application/xml":
            record = {"xml": body}
        else:
            payload = self._json(body)
            if not isinstance(payload, dict) or payload.get("status") not in RESPONSE_CODES:
                return self._send(400, _error(400, "status must be one of AB, AP, CA, RE."))
            if "note" in payload and not isinstance(payload["note"], (str, type(None))):
                return self._send(400, _error(400, "note must be text."))
            record = {"json": payload}
        with sandbox.lock:
            if response_id in sandbox.response_ids:
                return self._send(409, _error(409, "Already processed, duplicate."))
            sandbox.response_ids.add(response_id)
            sandbox.responses.append({"party": party, "document_id": document_id, "response_id": response_id,
                                      "content_type": content_type, **record})
        if sandbox.auto_response_hooks:
            threading.Thread(target=sandbox.send_event, args=(party, "OrderResponseSent", response_id),
                             kwargs={"ref_to_document_id": document_id}, daemon=True).start()
        return self._send(200, {"id": response_id})

    # ------------------------------------------------------------------ control API
    def _control(self, method, path, body):
        sandbox = self.server.sandbox
        payload = self._json(body) or {}
        if path == "/_sandbox/documents" and method == "POST":
            document_id = sandbox.add_document(
                payload["partyId"], payload["xml"], topic=payload.get("topic", "OrderReceived"),
                document_id=payload.get("documentId"), ref_to_document_id=payload.get("refToDocumentId"),
                details=payload.get("details"))
            deliveries = sandbox.deliver(document_id) if payload.get("deliver") else []
            return self._send(200, {"documentId": document_id, "deliveries": deliveries})
        if path.startswith("/_sandbox/deliver/") and method == "POST":
            return self._send(200, {"deliveries": sandbox.deliver(path.rsplit("/", 1)[-1], payload.get("topic"))})
        if path == "/_sandbox/faults" and method == "POST":
            sandbox.inject_fault(payload.get("method", "GET"), payload.get("path", ".*"), payload.get("status", 500),
                                 payload.get("count", 1), payload.get("delay", 0.0), payload.get("body"))
            return self._send(200, {"ok": True})
        if path == "/_sandbox/requests" and method == "GET":
            with sandbox.lock:
                items = [{k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in r.items()}
                         for r in sandbox.requests]
            return self._send(200, items)
        if path == "/_sandbox/responses" and method == "GET":
            with sandbox.lock:
                items = [{k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in r.items()}
                         for r in sandbox.responses]
            return self._send(200, items)
        if path == "/_sandbox/reset" and method == "POST":
            sandbox.reset()
            return self._send(200, {"ok": True})
        return self._send(404, _error(404, "Unknown sandbox control call"))
