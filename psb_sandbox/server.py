"""A local stand-in for the eConnect PSB that follows its documented contract, on
loopback.

One HTTP server plays both the identity server (``POST /connect/token``, OpenID
discovery) and the PSB API a seller uses: sales order download / delete / status /
response, recipient lookups, hooks and ``me``. Like the PSB it requires a valid bearer
token and access to the party, validates what it receives, answers errors in the PSB's
JSON shape ``{"code", "message", "helpLink", "requestId", "dateTime"}``, and delivers
webhook events signed as the PSB signs them: ``X-EConnect-Signature: sha256=<hex
HMAC-SHA256 of the body>`` keyed with the ``#fragment`` of the hook's action URL.

Tests drive it through :class:`PsbSandbox` (add documents, deliver events, inject
faults, inspect what it received); other processes use the control API under
``/_sandbox/`` (no token needed).

Only the standard library is used, plus ``requests`` to deliver webhooks.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
import traceback
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

import requests
from requests.structures import CaseInsensitiveDict

#: Key of the environment hooks in :attr:`PsbSandbox.hooks` (party hooks are keyed by
#: party id).
ENVIRONMENT = ""
#: Order Response codes the PSB accepts: the UBL codes and the OpenAPI names (psb-api.md
#: §5).
RESPONSE_CODES = {
    "AB": "AB",
    "AP": "AP",
    "CA": "CA",
    "RE": "RE",
    "Acknowledge": "AB",
    "Accept": "AP",
    "ConditionallyAccepted": "CA",
    "Reject": "RE",
}
RESPONSE_NAMES = {
    "AB": "Acknowledge",
    "AP": "Accept",
    "CA": "ConditionallyAccepted",
    "RE": "Reject",
}
#: The OpenAPI ``DocumentFamily`` enum (psb-api.md §8).
DOCUMENT_FAMILIES = (
    "Invoice",
    "InvoiceResponse",
    "Review",
    "Order",
    "OrderResponse",
    "OrderChange",
    "OrderCancellation",
    "TimeCard",
    "MaintenanceInstruction",
    "MaintenanceStatus",
    "DespatchAdvice",
)
ORDER_RESPONSE_TYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2::OrderResponse"
    "##urn:fdc:peppol.eu:poacc:trns:order_response:3::2.1"
)
#: Peppol transactions on UBL 2.3: their document type ids end in ``::2.3`` (the others
#: in ``::2.1``).
UBL_23_TRANSACTIONS = (
    "order_change:3",
    "order_cancellation:3",
    "order_response_advanced:3",
)
HOOK_TIMEOUT = 10
POLL_INTERVAL = 0.05  # how soon stop() takes effect
HELP_LINK = "https://psb.econnect.eu/endpoints/overview.html"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#: The Peppol BIS Billing 3 documents ``salesInvoice/send`` takes (by root element).
INVOICE_ROOTS = ("Invoice", "CreditNote")
#: Invoice Response status codes (UNCL4343 subset of Peppol T111) and their names.
INVOICE_RESPONSE_CODES = {
    "AB": "Message acknowledgement",
    "IP": "In process",
    "UQ": "Under query",
    "CA": "Conditionally accepted",
    "RE": "Rejected",
    "AP": "Accepted",
    "PD": "Fully paid",
}
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def now_iso():
    """The current time as ISO-8601 UTC with offset, like the PSB writes it."""
    return datetime.now(timezone.utc).isoformat()


def sign(secret, body):
    """The ``X-EConnect-Signature`` value of ``body`` (bytes) under ``secret``."""
    return (
        "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    )


def topic_matches(pattern, topic):
    """Hook topic matching: exact, or with ``*`` wildcards (``*Received``, ``Order*``,
    ``*``)."""
    return (
        re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), topic)
        is not None
    )


def event_fields(
    party_id,
    topic,
    document_id,
    details=None,
    ref_to_document_id=None,
    message=None,
    created_on=None,
):
    """An event as the PSB posts it, but for its ``hookId`` and ``sentOn`` (added per
    hook when it is posted): ``details`` as strings, ``message`` the PSB's sentence for
    the topic by default, ``created_on`` now."""
    fields = {"topic": topic, "partyId": party_id, "documentId": document_id}
    if ref_to_document_id:
        fields["refToDocumentId"] = ref_to_document_id
    fields["message"] = message or event_message(topic)
    fields["details"] = {key: str(value) for key, value in (details or {}).items()}
    fields["createdOn"] = created_on or now_iso()
    return fields


def event_message(topic):
    """The human ``message`` of an event, in the PSB's wording (``'Order'
    received.``)."""
    for suffix, text in (
        ("ReceivedError", "could not be received"),
        ("Received", "received"),
        ("SentRetry", "could not be sent yet; a retry will be done"),
        ("SentError", "could not be sent"),
        ("Sent", "successfully sent"),
    ):
        if topic.endswith(suffix) and topic != suffix:
            return f"'{topic[: -len(suffix)]}' {text}."
    return f"{topic}."


def document_details(xml):
    """The ``details`` the PSB gives for a received UBL document (empty when it does not
    parse)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return {}
    namespace, _, name = (
        root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    ns = {"cbc": CBC, "cac": CAC}
    details = {"id": (root.findtext("cbc:ID", namespaces=ns) or "").strip()}
    endpoint = root.find("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", ns)
    if endpoint is not None and (endpoint.text or "").strip():
        details["sender"] = f"{endpoint.get('schemeID', '')}:{endpoint.text.strip()}"
    customization = (root.findtext("cbc:CustomizationID", namespaces=ns) or "").strip()
    if customization:
        version = (root.findtext("cbc:UBLVersionID", namespaces=ns) or "").strip() or (
            "2.3"
            if customization.rpartition(":trns:")[2] in UBL_23_TRANSACTIONS
            else "2.1"
        )
        details["documentTypeId"] = f"{namespace}::{name}##{customization}::{version}"
    for key, path in (
        ("orderReferenceId", "cac:OrderReference/cbc:ID"),
        ("sequenceNumberId", "cbc:SequenceNumberID"),
        ("cancellationNote", "cbc:CancellationNote"),
        ("note", "cbc:Note"),
    ):
        value = (root.findtext(path, namespaces=ns) or "").strip()
        if value:
            details[key] = value
    details["protocol"] = "As4"
    return details


#: Conversions the sandbox performs on download (``targetDocumentTypeId``): the Peppol
#: BIS 2 order (the document as the older BIS 2 would state it, to test a converted
#: document that is not BIS 3).
BIS2_ORDER_TYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##urn:www.cenbii.eu:"
    "transaction:"
    "biitrns001:ver2.0:extended:urn:www.peppol.eu:bis:peppol28a:ver1.0::2.1"
)
DOCUMENT_TYPE_ID_RE = re.compile(r"[A-Za-z0-9\-:.]+##[A-Za-z0-9\-:.#*]+")


def convert_document(xml, source_type, target):
    """The document converted to ``target`` (a document type id), as the PSB's download
    does with ``targetDocumentTypeId``; a 400 for a value that is no document type id or
    a conversion it does not know."""
    if not DOCUMENT_TYPE_ID_RE.fullmatch(target):
        raise _fail(
            400,
            f"targetDocumentTypeId {target!r} is not a document type id "
            "(namespace::root##customization::version).",
        )
    if target == source_type:
        return xml
    if target == BIS2_ORDER_TYPE and (source_type or "").startswith(
        "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##"
    ):
        customization = target.partition("##")[2].rpartition("::")[0].encode()
        xml = re.sub(
            rb"<cbc:CustomizationID>[^<]*</cbc:CustomizationID>",
            b"<cbc:CustomizationID>" + customization + b"</cbc:CustomizationID>",
            xml,
            count=1,
        )
        return re.sub(
            rb"<cbc:ProfileID>[^<]*</cbc:ProfileID>",
            b"<cbc:ProfileID>urn:www.cenbii.eu:profile:bii28:ver2.0</cbc:ProfileID>",
            xml,
            count=1,
        )
    raise _fail(
        400,
        f"The document ({source_type or 'unknown type'}) cannot be converted to "
        f"{target}.",
    )


def psb_error(status, message):
    """The PSB's JSON error body."""
    return {
        "code": f"API{status}",
        "message": message,
        "helpLink": f"{HELP_LINK}#API{status}",
        "requestId": str(uuid.uuid4()),
        "dateTime": now_iso(),
    }


def invoice_response_xml(invoice, code, note=None):
    """A minimal Peppol Invoice Response (T111 ApplicationResponse) to ``invoice`` with
    status ``code``."""
    root = ET.fromstring(invoice["xml"])
    invoice_number = (root.findtext(f"{{{CBC}}}ID") or "").strip()
    scheme, _sep, endpoint = (
        _xml_text(part) for part in invoice["receiver"].partition(":")
    )
    ours = root.find(
        f"{{{CAC}}}AccountingSupplierParty/{{{CAC}}}Party/{{{CBC}}}EndpointID"
    )
    our_scheme, our_endpoint = (
        (ours.get("schemeID"), (ours.text or "").strip())
        if ours is not None
        else ("", "")
    )
    our_scheme, our_endpoint = _xml_text(our_scheme), _xml_text(our_endpoint)
    note_xml = (
        f"<cac:Status><cbc:StatusReason>{_xml_text(note)}</cbc:StatusReason></cac:"
        "Status>"
        if note
        else ""
    )
    code_xml = f'<cbc:ResponseCode listID="UNCL4343OpSubset">{code}</cbc:ResponseCode>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ApplicationResponse
 xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
 xmlns:cac="{CAC}" xmlns:cbc="{CBC}">
 <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:invoice_response:3</cbc:CustomizationID>
 <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:invoice_response:3</cbc:ProfileID>
 <cbc:ID>IR-{uuid.uuid4().hex[:12]}</cbc:ID>
 <cbc:IssueDate>{datetime.now(timezone.utc).date().isoformat()}</cbc:IssueDate>
 <cac:SenderParty>
  <cbc:EndpointID schemeID="{scheme}">{endpoint}</cbc:EndpointID>
 </cac:SenderParty>
 <cac:ReceiverParty>
  <cbc:EndpointID schemeID="{our_scheme}">{our_endpoint}</cbc:EndpointID>
 </cac:ReceiverParty>
 <cac:DocumentResponse>
  <cac:Response>{code_xml}{note_xml}</cac:Response>
  <cac:DocumentReference><cbc:ID>{_xml_text(invoice_number)}</cbc:ID>
   <cbc:DocumentTypeCode listID="UNCL1001">380</cbc:DocumentTypeCode>
    </cac:DocumentReference>
 </cac:DocumentResponse>
</ApplicationResponse>""".encode()


def _xml_text(value):
    return escape(value or "", {'"': "&quot;"})


def _order_id(xml):
    """The buyer's order id a document is about: an Order's own ``cbc:ID``, a change's
    or cancellation's ``OrderReference/cbc:ID``; None when it cannot be read."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    if root.tag.rpartition("}")[2] == "Order":
        return (root.findtext(f"{{{CBC}}}ID") or "").strip() or None
    return (root.findtext(f"{{{CAC}}}OrderReference/{{{CBC}}}ID") or "").strip() or None


class PsbSandbox:
    """The sandbox server; ``start()``/``stop()`` or use it as a context manager.
    ``url`` is its base URL.

    ``clients`` maps client ids to secrets, ``users`` user names to passwords (password
    grant); ``parties`` are the party ids the credentials may use. Tokens live
    ``token_ttl`` seconds. With ``auto_response_hooks`` every Order Response received is
    followed by an ``OrderResponseSent`` event to the party's hooks; with
    ``auto_invoice_hooks`` every invoice sent by an ``InvoiceSent`` event
    (``InvoiceSentError`` when its receiver cannot receive invoices). ``log`` receives
    one line per request.

    Everything it received is public state: :attr:`requests`, :attr:`responses`,
    :attr:`hooks`, :attr:`documents`, :attr:`deliveries`. :attr:`order_response_capable`
    is the set of buyer party ids that can receive Order Responses (None: everyone),
    :attr:`invoice_capable` those that can receive invoices; :attr:`invoices` holds the
    invoices sent.
    """

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        clients=None,
        users=None,
        parties=None,
        token_ttl=3600,
        auto_response_hooks=False,
        auto_invoice_hooks=False,
        max_request_bytes=20 * 1024 * 1024,
        log=None,
    ):
        self.clients = dict(
            clients if clients is not None else {"sandbox-client": "sandbox-secret"}
        )
        self.users = dict(users or {})
        self.parties = list(parties or ["0106:12345678"])
        self.token_ttl = token_ttl
        self.auto_response_hooks = auto_response_hooks
        self.auto_invoice_hooks = auto_invoice_hooks
        self.max_request_bytes = max_request_bytes
        self.log = log
        self.lock = threading.RLock()
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.sandbox = self
        self._thread = None
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self):
        host, port = self._server.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{port}"

    def start(self):
        """Serve on a background thread; returns self."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(POLL_INTERVAL,),
            name="psb-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def join(self):
        """Block until the server stops (the command line uses it)."""
        while self._thread and self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self):
        """Stop serving and close the listening socket."""
        if self._thread:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def reset(self):
        """Forget everything received and registered (tokens, documents, hooks,
        responses, faults)."""
        with self.lock:
            self.tokens = {}  # token -> {"expires": epoch, "subject": name}
            # document id -> {party, xml, topic, ref, details, createdOn, ...}
            self.documents = {}
            self.download_counts = {}
            self.responses = []
            self.hooks = {}  # party id, or ENVIRONMENT -> {hook id: hook}
            self.requests = []
            self.deliveries = []
            self.faults = []
            self.order_response_capable = None
            self.invoice_capable = None
            # document id -> {party, receiver, xml, filename, channel, history}
            self.invoices = {}

    # ------------------------------------------------------------------ documents and
    # events
    def party(self, party_id):
        """The sandbox's spelling of ``party_id`` (party ids compare
        case-insensitively), or None."""
        wanted = (party_id or "").strip().lower()
        return next((party for party in self.parties if party.lower() == wanted), None)

    def add_document(
        self,
        party_id,
        xml,
        topic="OrderReceived",
        document_id=None,
        ref_to_document_id=None,
        details=None,
    ):
        """Store a document received for ``party_id`` so it can be downloaded; returns
        its document id.

        ``details`` (event details) are read from the XML and completed or overridden by
        ``details``.
        """
        party = self.party(party_id)
        if party is None:
            raise ValueError(
                f"{party_id!r} is not one of the sandbox's parties {self.parties}"
            )
        if isinstance(xml, str):
            xml = xml.encode("utf-8")
        document_id = document_id or str(uuid.uuid4())
        created_on = now_iso()
        with self.lock:
            self.documents[document_id] = {
                "party": party,
                "xml": xml,
                "topic": topic,
                "ref": ref_to_document_id,
                "details": {
                    **document_details(xml),
                    **{k: str(v) for k, v in (details or {}).items()},
                },
                "createdOn": created_on,
                "deleted": False,
                "history": [_status("Received", event_message(topic))],
            }
        return document_id

    def downloads(self, document_id):
        """How many times ``document_id`` was downloaded."""
        with self.lock:
            return self.download_counts.get(document_id, 0)

    def deliver(self, document_id, topic=None):
        """Send the document's event (its topic, or ``topic``) to the matching hooks;
        see :meth:`send_event`."""
        with self.lock:
            if document_id not in self.documents:
                raise KeyError(f"unknown document {document_id}")
            doc = self.documents[document_id]
        event = {"ref_to_document_id": doc["ref"], "created_on": doc["createdOn"]}
        return self.send_event(
            doc["party"], topic or doc["topic"], document_id, doc["details"], **event
        )

    def send_event(self, party_id, topic, document_id, details=None, **more):
        """POST a signed event to every active hook of the party, then of the
        environment, whose topics match.

        Returns one ``{"hook_id", "url", "status", "body"}`` per hook called (``status``
        None when the hook could not be reached). ``mailto:`` hooks are skipped: the
        sandbox sends no mail. ``more`` are the event's ``ref_to_document_id``,
        ``message`` and ``created_on`` (see :func:`event_fields`).
        """
        party_id = self.party(party_id) or party_id
        fields = event_fields(party_id, topic, document_id, details, **more)
        return self._post_event(self._hooks_for(party_id, topic), fields)

    def _hooks_for(self, party_id, topic):
        with self.lock:
            hooks = [
                *self.hooks.get(party_id, {}).values(),
                *self.hooks.get(ENVIRONMENT, {}).values(),
            ]
        return [
            hook
            for hook in hooks
            if any(topic_matches(pattern, topic) for pattern in hook["topics"])
        ]

    def _post_new_event(self, hooks, party_id, topic, message=None):
        """POST an event of ``topic`` about no stored document (a new id, created now)
        to ``hooks``."""
        return self._post_event(
            hooks, event_fields(party_id, topic, str(uuid.uuid4()), message=message)
        )

    def _post_event(self, hooks, fields):
        """POST the event of ``fields`` (see :func:`event_fields`) to ``hooks``, each
        with its hook id."""
        results = []
        for hook in hooks:
            if not hook.get("isActive", True) or hook["action"].startswith("mailto:"):
                continue
            url, _, secret = hook["action"].partition("#")
            # The PSB's order of keys: topic, partyId, hookId, documentId, ...
            event = {
                "topic": fields["topic"],
                "partyId": fields["partyId"],
                "hookId": hook["id"],
                **fields,
            }
            event["sentOn"] = now_iso()
            body = json.dumps(event, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json", "User-Agent": "PSB-Sandbox"}
            if secret:
                headers["X-EConnect-Signature"] = sign(secret, body)
            try:
                answer = requests.post(
                    url,
                    data=body,
                    headers=headers,
                    timeout=HOOK_TIMEOUT,
                    allow_redirects=False,
                )
                result = {
                    "hook_id": hook["id"],
                    "url": url,
                    "status": answer.status_code,
                    "body": answer.text,
                }
            except requests.RequestException as exc:
                result = {
                    "hook_id": hook["id"],
                    "url": url,
                    "status": None,
                    "body": str(exc),
                }
            with self.lock:
                self.deliveries.append({**result, "event": event})
            results.append(result)
        return results

    def _in_background(self, target, *args):
        threading.Thread(
            target=target, args=args, name="psb-sandbox-event", daemon=True
        ).start()

    # ------------------------------------------------------------------ invoices
    def invoice_event(self, invoice_id, topic, **details):
        """Send the status event ``topic`` (``InvoiceSent``, ``InvoiceSentRetry``,
        ``InvoiceSentError``) of a sent invoice to its party's hooks, as the PSB does
        while it delivers the invoice."""
        with self.lock:
            invoice = self.invoices[invoice_id]
            invoice["history"].append(_status(topic, event_message(topic)))
        details = {
            "recipient": invoice["receiver"],
            "protocol": "As4",
            "attempt": "1",
            **details,
        }
        return self.send_event(invoice["party"], topic, invoice_id, details)

    def invoice_response(self, invoice_id, code, note=None):
        """The buyer answers a sent invoice with a Peppol Invoice Response (T111,
        ``code`` one of :data:`INVOICE_RESPONSE_CODES`): stored as a received document
        (downloaded through the generic endpoint) and announced by
        ``InvoiceResponseReceived`` referring to the invoice; returns its id."""
        if code not in INVOICE_RESPONSE_CODES:
            raise ValueError(
                f"{code!r} is not an Invoice Response status "
                f"({', '.join(INVOICE_RESPONSE_CODES)})"
            )
        with self.lock:
            invoice = self.invoices[invoice_id]
        xml = invoice_response_xml(invoice, code, note)
        document_id = self.add_document(
            invoice["party"],
            xml,
            topic="InvoiceResponseReceived",
            ref_to_document_id=invoice_id,
            details={
                "statusCode": code,
                "status": INVOICE_RESPONSE_CODES[code],
                "sender": invoice["receiver"],
            },
        )
        self.deliver(document_id)
        return document_id

    # ------------------------------------------------------------------ faults
    def inject_fault(
        self,
        method,
        path_regex,
        status=500,
        count=1,
        delay=0.0,
        body=None,
        headers=None,
    ):
        """The next ``count`` API requests matching ``method`` (``*``: any) and
        ``path_regex`` fail.

        The fault waits ``delay`` seconds (to provoke client time-outs), then answers
        ``status`` with ``body`` (a dict is sent as JSON; None: the PSB error body) and
        ``headers`` (e.g. ``{"Retry-After": "30"}``). With ``status=None`` the request
        is answered normally after the delay. The regex is searched in the raw and in
        the decoded path.
        """
        with self.lock:
            self.faults.append(
                {
                    "method": (method or "*").upper(),
                    "path": re.compile(path_regex),
                    "status": status,
                    "count": count,
                    "delay": delay,
                    "body": body,
                    "headers": dict(headers or {}),
                }
            )

    def reset_faults(self):
        with self.lock:
            self.faults = []

    def _take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if (
                    fault["count"] > 0
                    and fault["method"] in ("*", method)
                    and (
                        fault["path"].search(path)
                        or fault["path"].search(unquote(path))
                    )
                ):
                    fault["count"] -= 1
                    return fault
        return None


def _status(name, description):
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": description,
        "createdOn": now_iso(),
    }


class _Reply(Exception):
    """Raised by request handlers to answer at once (errors, mostly)."""

    def __init__(
        self, status, body=None, content_type="application/json", headers=None
    ):
        super().__init__(status)
        self.status, self.body, self.content_type, self.headers = (
            status,
            body,
            content_type,
            headers,
        )


def _fail(status, message, headers=None):
    return _Reply(status, psb_error(status, message), headers=headers)


# (method, path pattern, handler): the first route whose pattern matches wins; a match
# with another method answers 405. Named groups are path segments, URL-decoded before
# the handler gets them.
_SEG = r"(?P<{}>[^/]+)"
_API_ROUTES = [
    ("GET", "/api/v1/me", "me"),
    ("GET", "/api/v1/me/party", "my_parties"),
    ("GET", "/api/v1/peppol/deliveryOption", "delivery_option"),
    ("GET", "/api/v1/hook", "list_hooks"),
    ("PUT", "/api/v1/hook", "put_hook"),
    ("DELETE", f"/api/v1/hook/{_SEG.format('hook')}", "delete_hook"),
    ("GET", f"/api/v1/{_SEG.format('party')}/hook", "list_hooks"),
    ("PUT", f"/api/v1/{_SEG.format('party')}/hook", "put_hook"),
    ("GET", f"/api/v1/{_SEG.format('party')}/hook/ping", "ping_hooks"),
    (
        "DELETE",
        f"/api/v1/{_SEG.format('party')}/hook/{_SEG.format('hook')}",
        "delete_hook",
    ),
    (
        "POST",
        f"/api/v1/{_SEG.format('party')}/salesOrder/queryRecipientParty",
        "query_recipient_party",
    ),
    (
        "GET",
        f"/api/v1/{_SEG.format('party')}/salesOrder/{_SEG.format('doc')}/download",
        "download",
    ),
    (
        "GET",
        f"/api/v1/{_SEG.format('party')}/salesOrder/{_SEG.format('doc')}/status",
        "status",
    ),
    (
        "DELETE",
        f"/api/v1/{_SEG.format('party')}/salesOrder/{_SEG.format('doc')}",
        "delete_document",
    ),
    (
        "POST",
        f"/api/v1/{_SEG.format('party')}/salesOrder/{_SEG.format('doc')}/response",
        "response",
    ),
    (
        "POST",
        f"/api/v1/{_SEG.format('party')}/salesInvoice/queryRecipientParty",
        "query_invoice_recipient",
    ),
    ("POST", f"/api/v1/{_SEG.format('party')}/salesInvoice/send", "send_invoice"),
    (
        "GET",
        f"/api/v1/{_SEG.format('party')}/salesInvoice/{_SEG.format('doc')}/status",
        "invoice_status",
    ),
    (
        "GET",
        f"/api/v1/{_SEG.format('party')}/generic/{_SEG.format('doc')}/download",
        "download",
    ),
]
_API_ROUTES = [
    (method, re.compile(pattern), name) for method, pattern, name in _API_ROUTES
]


class _Handler(BaseHTTPRequestHandler):
    server_version = "PSB-Sandbox/1.0"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = (
        True  # headers and body are written separately: no 40 ms delayed-ACK stall
    )

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PATCH(self):
        self._handle("PATCH")

    # ------------------------------------------------------------------ plumbing
    @property
    def sandbox(self):
        return self.server.sandbox

    def log_request(self, code="-", size="-"):
        if self.sandbox.log:
            self.sandbox.log(
                f"{self.command} {self.path} -> "
                f"{int(code) if str(code).isdigit() else code}"
            )

    def log_message(self, fmt, *args):
        if self.sandbox.log:
            self.sandbox.log(fmt % args)

    def _handle(self, method):
        split = urlsplit(self.path)
        self.route_path, self.query = (
            split.path,
            parse_qs(split.query, keep_blank_values=True),
        )
        try:
            try:
                self.body = self._read_body()
            finally:
                with self.sandbox.lock:
                    self.sandbox.requests.append(
                        {
                            "method": method,
                            "path": self.route_path,
                            "query": self.query,
                            "headers": CaseInsensitiveDict(self.headers.items()),
                            "body": getattr(self, "body", b""),
                        }
                    )
            reply = self._route(method)
        except _Reply as answer:
            reply = answer
        except Exception:  # noqa: BLE001 - a sandbox bug must still produce an answer
            traceback.print_exc(file=sys.stderr)
            reply = _fail(500, "Internal sandbox error.")
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = (
                True  # the client gave up (e.g. its time-out during an injected delay)
            )

    def _read_body(self):
        limit = self.sandbox.max_request_bytes
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, size = [], 0
            while True:
                length = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if not length:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                size += length
                if size > limit:
                    self.close_connection = True
                    raise _fail(413, "The request body is too large.")
                chunks.append(self.rfile.read(length))
                self.rfile.readline()
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            self.close_connection = True
            raise _fail(400, "Invalid Content-Length.")
        if int(length) > limit:
            self.close_connection = True
            raise _fail(413, f"The request body is larger than {limit} bytes.")
        return self.rfile.read(int(length)) if int(length) else b""

    def _send(self, reply):
        body, content_type = reply.body, reply.content_type
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
            content_type = (
                content_type
                if content_type != "application/json"
                else "text/plain; charset=utf-8"
            )
        body = body or b""
        self.send_response(reply.status)
        if body:
            self.send_header("Content-Type", content_type)
        for key, value in (reply.headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _json_body(self, what):
        """The request's JSON body; 415 for another content type, 400 when it does not
        parse."""
        content_type = (
            (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        )
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise _fail(415, f"{what} must be sent as application/json.")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _fail(400, f"{what} is not valid JSON.") from None

    def _route(self, method):
        path = self.route_path
        if path.startswith("/_sandbox/"):
            return self._control(method, path)
        fault = self.sandbox._take_fault(method, path)
        if fault:
            if fault["delay"]:
                time.sleep(fault["delay"])
            if fault["status"] is not None:
                body = (
                    fault["body"]
                    if fault["body"] is not None
                    else psb_error(fault["status"], "Injected fault.")
                )
                return _Reply(fault["status"], body, headers=fault["headers"])
        if path == "/connect/token":
            if method != "POST":
                raise _fail(405, "Use POST.")
            return self._token()
        if path == "/.well-known/openid-configuration" and method == "GET":
            base = self.sandbox.url
            return _Reply(
                200,
                {
                    "issuer": base,
                    "token_endpoint": f"{base}/connect/token",
                    "grant_types_supported": ["client_credentials", "password"],
                    "scopes_supported": ["openid", "ap"],
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_post",
                        "client_secret_basic",
                    ],
                },
            )
        if path.startswith("/api/"):
            return self._api(method, path)
        raise _fail(404, f"Nothing at {path}.")

    # ------------------------------------------------------------------ identity server
    def _token(self):
        """OAuth2 token endpoint: client credentials and password grants, scope must
        include ``ap``."""
        content_type = (
            (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        )
        if content_type != "application/x-www-form-urlencoded":
            raise _oauth_error(
                "invalid_request",
                "The token request must be application/x-www-form-urlencoded.",
            )
        form = {
            key: values[0]
            for key, values in parse_qs(self.body.decode("utf-8", "replace")).items()
        }
        client_id, client_secret = self._token_client(form)
        sandbox = self.sandbox
        if not client_id or sandbox.clients.get(client_id) != client_secret:
            raise _oauth_error(
                "invalid_client", "Unknown client or wrong client secret."
            )
        scopes = (form.get("scope") or "").split()
        if "ap" not in scopes:
            raise _oauth_error("invalid_scope", "The scope must include 'ap'.")
        subject = self._token_subject(form, client_id)
        token = secrets.token_urlsafe(32)
        with sandbox.lock:
            sandbox.tokens[token] = {
                "expires": time.time() + sandbox.token_ttl,
                "subject": subject,
            }
        return _Reply(
            200,
            {
                "access_token": token,
                "expires_in": sandbox.token_ttl,
                "token_type": "Bearer",
                "scope": " ".join(scopes),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _token_client(self, form):
        """The client id and secret: from the form, or from a Basic authorization."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        authorization = self.headers.get("Authorization") or ""
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise _oauth_error(
                    "invalid_client", "Malformed Basic authorization."
                ) from None
            client_id, _, client_secret = (
                unquote(part) for part in decoded.partition(":")
            )
        return client_id, client_secret

    def _token_subject(self, form, client_id):
        """Whom the token is for: the user of a password grant, else the client."""
        grant = form.get("grant_type")
        if grant == "password":
            username = form.get("username")
            if not username or self.sandbox.users.get(username) != form.get("password"):
                raise _oauth_error("invalid_grant", "Invalid user name or password.")
            return username
        if grant == "client_credentials":
            return client_id
        raise _oauth_error(
            "unsupported_grant_type", f"Grant type {grant!r} is not supported."
        )

    # ------------------------------------------------------------------ API
    def _api(self, method, path):
        allowed = []
        # name is used after the break
        for route_method, pattern, name in _API_ROUTES:  # noqa: B007
            match = pattern.fullmatch(path)
            if match and route_method == method:
                break
            if match:
                allowed.append(route_method)
        else:
            if allowed:
                raise _fail(
                    405,
                    f"{method} is not allowed here.",
                    headers={"Allow": ", ".join(allowed)},
                )
            raise _fail(404, f"No API endpoint at {path}.")
        self.subject = self._authenticate()
        args = {key: unquote(value) for key, value in match.groupdict().items()}
        if "party" in args:
            party = self.sandbox.party(args["party"])
            if party is None:
                raise _fail(403, f"You have no permission for party {args['party']}.")
            args["party"] = party
        return getattr(self, f"api_{name}")(**args)

    def _authenticate(self):
        authorization = self.headers.get("Authorization") or ""
        token = (
            authorization[7:].strip()
            if authorization[:7].lower() == "bearer "
            else None
        )
        with self.sandbox.lock:
            grant = self.sandbox.tokens.get(token)
        if not grant or grant["expires"] <= time.time():
            raise _fail(
                401,
                "Not authenticated: the bearer token is missing, invalid or expired.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return grant["subject"]

    def api_me(self):
        return _Reply(200, {"name": self.subject})

    def api_my_parties(self):
        permissions = {
            "canSendDocument": True,
            "canReceiveDocument": True,
            "canRemoveDocument": True,
            "canManageHook": True,
            "canChangeDocumentStatus": True,
        }
        return _Reply(
            200,
            [
                {
                    "id": party,
                    "name": f"Sandbox party {party}",
                    "permissions": permissions,
                }
                for party in self.sandbox.parties
            ],
        )

    def _capable(self, party_ids, capable=False):
        capable = self.sandbox.order_response_capable if capable is False else capable
        return [party for party in party_ids if capable is None or party in capable]

    def api_delivery_option(self):
        party_ids = [party for party in self.query.get("partyIds", []) if party]
        if not party_ids:
            raise _fail(400, "partyIds is required.")
        family = (self.query.get("documentFamily") or [""])[0]
        if family:
            family = next(
                (
                    known
                    for known in DOCUMENT_FAMILIES
                    if known.lower() == family.lower()
                ),
                None,
            )
            if family is None:
                raise _fail(
                    400,
                    f"documentFamily must be one of {', '.join(DOCUMENT_FAMILIES)}.",
                )
        return _Reply(
            200,
            [
                {
                    "partyId": party,
                    "documentTypeId": ORDER_RESPONSE_TYPE,
                    "family": family or "OrderResponse",
                    "protocol": "As4",
                    "url": "https://ap.sandbox.invalid/as4",
                    "accessPoint": "PSB sandbox",
                }
                for party in self._capable(party_ids)
            ],
        )

    # hooks -------------------------------------------------------------
    def api_list_hooks(self, party=ENVIRONMENT):
        with self.sandbox.lock:
            return _Reply(
                200,
                [
                    _public_hook(hook)
                    for hook in self.sandbox.hooks.get(party, {}).values()
                ],
            )

    def api_put_hook(self, party=ENVIRONMENT):
        hook = self._json_body("The hook")
        if not isinstance(hook, dict):
            raise _fail(400, "The hook must be a JSON object.")
        action, topics = hook.get("action"), hook.get("topics")
        if not isinstance(action, str) or not re.match(
            r"(https?://[^/#\s]+|mailto:[^@\s]+@\S+)", action
        ):
            raise _fail(400, "action must be an https:// URL or a mailto: address.")
        if (
            not isinstance(topics, list)
            or not topics
            or not all(isinstance(t, str) and t.strip() for t in topics)
        ):
            raise _fail(400, "topics must be a non-empty list of topic names.")
        for field in ("id", "name"):
            if hook.get(field) is not None and not isinstance(hook[field], str):
                raise _fail(400, f"{field} must be a string.")
        if not isinstance(hook.get("isActive", True), bool):
            raise _fail(400, "isActive must be true or false.")
        hook_id = hook.get("id") or str(uuid.uuid4())
        with self.sandbox.lock:
            hooks = self.sandbox.hooks.setdefault(party, {})
            created_on = hooks.get(hook_id, {}).get("createdOn") or now_iso()
            hooks[hook_id] = {
                **hook,
                "id": hook_id,
                "name": hook.get("name") or hook_id,
                "isActive": hook.get("isActive", True),
                "createdOn": created_on,
                "changedOn": now_iso(),
            }
            return _Reply(200, _public_hook(hooks[hook_id]))

    def api_delete_hook(self, hook, party=ENVIRONMENT):
        with self.sandbox.lock:
            if self.sandbox.hooks.get(party, {}).pop(hook, None) is None:
                raise _fail(404, f"Hook {hook} does not exist.")
        return _Reply(200)

    def api_ping_hooks(self, party):
        """Answer at once and send a ``Ping`` event to every active party hook in the
        background."""
        with self.sandbox.lock:
            hooks = list(self.sandbox.hooks.get(party, {}).values())
        self.sandbox._in_background(
            self.sandbox._post_new_event, hooks, party, "Ping", "Ping."
        )
        return _Reply(200, {"id": party})

    # sales orders ------------------------------------------------------
    def api_query_recipient_party(self, party, capable=False):
        party_ids = self._json_body("The list of party ids")
        if (
            not isinstance(party_ids, list)
            or not party_ids
            or not all(isinstance(p, str) and p for p in party_ids)
        ):
            raise _fail(400, "The body must be a non-empty JSON array of party ids.")
        capable = self._capable(party_ids, capable)
        if not capable:
            raise _fail(
                404, "None of these parties can receive the document through the PSB."
            )
        return _Reply(
            200,
            {
                "id": capable[0],
                "channel": "peppol",
                "description": "Peppol network (sandbox)",
            },
        )

    def _document(self, party, doc):
        with self.sandbox.lock:
            document = self.sandbox.documents.get(doc)
        if not document or document["party"] != party or document["deleted"]:
            raise _fail(404, f"Document {doc} does not exist for party {party}.")
        return document

    def api_download(self, party, doc):
        document = self._document(party, doc)
        xml = document["xml"]
        target = (self.query.get("targetDocumentTypeId") or [""])[0]
        if target:
            xml = convert_document(
                xml, document["details"].get("documentTypeId"), target
            )
        with self.sandbox.lock:
            count = self.sandbox.download_counts[doc] = (
                self.sandbox.download_counts.get(doc, 0) + 1
            )
            if count == 1:
                document["history"].append(
                    _status("Downloaded", "Downloaded for the first time.")
                )
        return _Reply(200, xml, content_type="application/xml")

    def api_status(self, party, doc):
        with self.sandbox.lock:
            return _Reply(200, list(self._document(party, doc)["history"]))

    def api_delete_document(self, party, doc):
        document = self._document(party, doc)
        with self.sandbox.lock:
            document["deleted"] = True
        return _Reply(200)

    def api_response(self, party, doc):
        """An Order Response: the JSON model ``{"status", "note"}`` or a UBL
        OrderResponse as XML."""
        document = self._document(party, doc)
        content_type = (
            (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        )
        if content_type in ("application/xml", "text/xml"):
            code, record = self._xml_response(document)
        else:
            code, record = self._json_response()
        response_id = self.headers.get("X-EConnect-DocumentId") or str(uuid.uuid4())
        with self.sandbox.lock:
            if any(r["response_id"] == response_id for r in self.sandbox.responses):
                raise _fail(
                    409, f"Document {response_id} was already processed (duplicate)."
                )
            self.sandbox.responses.append(
                {
                    "party": party,
                    "document_id": doc,
                    "response_id": response_id,
                    "content_type": content_type,
                    "status": code,
                    **record,
                }
            )
            document["history"].append(
                _status("ResponseSent", f"Order Response {code} {response_id} sent.")
            )
        if self.sandbox.auto_response_hooks:
            self._hook_response_sent(party, doc, document, response_id, code)
        return _Reply(200, {"id": response_id})

    def _xml_response(self, document):
        """The code and record of a UBL OrderResponse answering ``document``."""
        try:
            root = ET.fromstring(self.body)
        except ET.ParseError as exc:
            raise _fail(400, f"The XML is not well-formed: {exc}.") from None
        if root.tag.rpartition("}")[2] != "OrderResponse":
            raise _fail(400, "The XML must be a UBL OrderResponse.")
        code = (root.findtext(f"{{{CBC}}}OrderResponseCode") or "").strip()
        if code not in RESPONSE_NAMES:
            raise _fail(
                400,
                f"OrderResponseCode must be one of {', '.join(RESPONSE_NAMES)}.",
            )
        # Not documented: a UBL answer to another order than the one in the path is
        # taken as a mistake.
        answered = _order_id(document["xml"])
        referred = (root.findtext(f"{{{CAC}}}OrderReference/{{{CBC}}}ID") or "").strip()
        if answered and referred != answered:
            raise _fail(
                400,
                f"The OrderResponse refers to order {referred or '(none)'}, not "
                f"to {answered}.",
            )
        return code, {"xml": self.body, "note": root.findtext(f"{{{CBC}}}Note")}

    def _json_response(self):
        """The code and record of an Order Response in the JSON model."""
        payload = self._json_body("The order response")
        if not isinstance(payload, dict) or payload.get("status") not in RESPONSE_CODES:
            raise _fail(400, f"status must be one of {', '.join(RESPONSE_CODES)}.")
        if not isinstance(payload.get("note"), (str, type(None))):
            raise _fail(400, "note must be text.")
        return RESPONSE_CODES[payload["status"]], {"json": payload}

    def _hook_response_sent(self, party, doc, document, response_id, code):
        """The OrderResponseSent webhook, sent in the background."""
        details = {
            "id": response_id,
            "statusCode": code,
            "status": RESPONSE_NAMES.get(code, code),
            "recipient": document["details"].get("sender", ""),
            "protocol": "As4",
            "attempt": "1",
            "sourceDocumentTypeId": ORDER_RESPONSE_TYPE,
            "targetDocumentTypeId": ORDER_RESPONSE_TYPE,
        }
        self.sandbox._in_background(
            lambda: self.sandbox.send_event(
                party,
                "OrderResponseSent",
                response_id,
                details,
                ref_to_document_id=doc,
            )
        )

    # sales invoices ----------------------------------------------------
    def api_query_invoice_recipient(self, party):
        return self.api_query_recipient_party(
            party, capable=self.sandbox.invoice_capable
        )

    def _multipart_file(self):
        """The ``file`` part of a ``multipart/form-data`` body: (file name, bytes);
        400/415 otherwise."""
        content_type = self.headers.get("Content-Type") or ""
        if content_type.split(";")[0].strip().lower() != "multipart/form-data":
            raise _fail(
                415,
                "The invoice must be sent as multipart/form-data with the document as "
                "part 'file'.",
            )
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + self.body
        )
        for part in message.iter_parts() if message.is_multipart() else []:
            if part.get_param("name", header="content-disposition") == "file":
                return part.get_filename() or "document.xml", part.get_payload(
                    decode=True
                ) or b""
        raise _fail(400, "The form has no part 'file'.")

    def api_send_invoice(self, party):
        """A Peppol BIS Billing 3 invoice or credit note to send: ``{"id"}``, the id of
        its status events."""
        filename, xml = self._multipart_file()
        receiver = self._invoice_receiver(xml)
        invoice_id = self.headers.get("X-EConnect-DocumentId") or str(uuid.uuid4())
        with self.sandbox.lock:
            if invoice_id in self.sandbox.invoices:
                raise _fail(
                    409, f"Document {invoice_id} was already processed (duplicate)."
                )
            self.sandbox.invoices[invoice_id] = {
                "party": party,
                "receiver": receiver,
                "xml": xml,
                "filename": filename,
                "channel": (self.query.get("channel") or [""])[0],
                "history": [_status("Received", "Invoice received for sending.")],
            }
        if self.sandbox.auto_invoice_hooks:
            if self._capable([receiver], self.sandbox.invoice_capable):
                self.sandbox._in_background(
                    self.sandbox.invoice_event, invoice_id, "InvoiceSent"
                )
            else:
                reason = f"{receiver} cannot receive invoices through Peppol."
                self.sandbox._in_background(
                    lambda: self.sandbox.invoice_event(
                        invoice_id, "InvoiceSentError", reason=reason
                    )
                )
        return _Reply(200, {"id": invoice_id})

    def _invoice_receiver(self, xml):
        """The receiver of an invoice to send: the receiverId asked, else the
        invoice's AccountingCustomerParty EndpointID."""
        try:
            root = ET.fromstring(xml)
        except ET.ParseError as exc:
            raise _fail(400, f"The file is not well-formed XML: {exc}.") from None
        if root.tag.rpartition("}")[2] not in INVOICE_ROOTS:
            raise _fail(400, "The file must be a UBL Invoice or CreditNote.")
        endpoint = root.find(
            f"{{{CAC}}}AccountingCustomerParty/{{{CAC}}}Party/{{{CBC}}}EndpointID"
        )
        receiver = (self.query.get("receiverId") or [""])[0] or (
            f"{endpoint.get('schemeID')}:{(endpoint.text or '').strip()}"
            if endpoint is not None
            else ""
        )
        if not receiver:
            raise _fail(
                400,
                "The invoice names no receiver (AccountingCustomerParty EndpointID) "
                "and no receiverId.",
            )
        return receiver

    def api_invoice_status(self, party, doc):
        with self.sandbox.lock:
            invoice = self.sandbox.invoices.get(doc)
            if not invoice or invoice["party"] != party:
                raise _fail(404, f"Invoice {doc} does not exist for party {party}.")
            return _Reply(200, list(invoice["history"]))

    # ------------------------------------------------------------------ control API (no
    # token)
    def _control(self, method, path):
        sandbox = self.sandbox
        payload = {}
        if method == "POST" and self.body:
            payload = self._json_body("The control request")
            if not isinstance(payload, dict):
                raise _fail(400, "The control request must be a JSON object.")
        if (method, path) == ("POST", "/_sandbox/documents"):
            return self._control_add_document(payload)
        if method == "POST" and path.startswith("/_sandbox/deliver/"):
            try:
                deliveries = sandbox.deliver(
                    unquote(path[len("/_sandbox/deliver/") :]), payload.get("topic")
                )
            except KeyError as exc:
                raise _fail(404, str(exc.args[0])) from None
            return _Reply(200, {"deliveries": deliveries})
        if (method, path) == ("POST", "/_sandbox/events"):
            if not all(payload.get(key) for key in ("partyId", "topic", "documentId")):
                raise _fail(400, "partyId, topic and documentId are required.")
            return _Reply(
                200,
                {
                    "deliveries": sandbox.send_event(
                        payload["partyId"],
                        payload["topic"],
                        payload["documentId"],
                        details=payload.get("details"),
                        ref_to_document_id=payload.get("refToDocumentId"),
                        message=payload.get("message"),
                    )
                },
            )
        if (method, path) == ("POST", "/_sandbox/faults"):
            return self._control_fault(payload)
        if (method, path) == ("POST", "/_sandbox/reset"):
            sandbox.reset()
            return _Reply(200, {"ok": True})
        reply = self._control_read(method, path)
        if reply is None:
            raise _fail(404, f"No sandbox control call {method} {path}.")
        return reply

    def _control_add_document(self, payload):
        """POST /_sandbox/documents: a document put in a party's inbox."""
        sandbox = self.sandbox
        if not payload.get("partyId") or not isinstance(payload.get("xml"), str):
            raise _fail(400, "partyId and xml (text) are required.")
        try:
            document_id = sandbox.add_document(
                payload["partyId"],
                payload["xml"],
                topic=payload.get("topic") or "OrderReceived",
                document_id=payload.get("documentId"),
                ref_to_document_id=payload.get("refToDocumentId"),
                details=payload.get("details"),
            )
        except ValueError as exc:
            raise _fail(400, str(exc)) from None
        deliveries = sandbox.deliver(document_id) if payload.get("deliver") else []
        return _Reply(200, {"documentId": document_id, "deliveries": deliveries})

    def _control_fault(self, payload):
        """POST /_sandbox/faults: a fault injected in the next matching calls."""
        try:
            self.sandbox.inject_fault(
                payload.get("method", "*"),
                payload.get("path", ".*"),
                status=payload.get("status", 500),
                count=int(payload.get("count", 1)),
                delay=float(payload.get("delay", 0)),
                body=payload.get("body"),
                headers=payload.get("headers"),
            )
        except (re.error, TypeError, ValueError) as exc:
            raise _fail(400, f"Invalid fault: {exc}.") from None
        return _Reply(200, {"ok": True})

    def _control_read(self, method, path):
        """The control API's reads: the requests and responses so far, the hooks
        registered."""
        sandbox = self.sandbox
        if (method, path) == ("GET", "/_sandbox/requests"):
            with sandbox.lock:
                return _Reply(200, [_jsonable(request) for request in sandbox.requests])
        if (method, path) == ("GET", "/_sandbox/responses"):
            with sandbox.lock:
                return _Reply(
                    200, [_jsonable(response) for response in sandbox.responses]
                )
        if (method, path) == ("GET", "/_sandbox/hooks"):
            with sandbox.lock:
                return _Reply(
                    200,
                    {
                        party or "environment": list(hooks.values())
                        for party, hooks in sandbox.hooks.items()
                    },
                )
        return None


def _oauth_error(error, description):
    return _Reply(400, {"error": error, "error_description": description})


def _public_hook(hook):
    """A hook as the API shows it: ``init`` (mutual-TLS certificate) is write-only."""
    return {key: value for key, value in hook.items() if key != "init"}


def _jsonable(record):
    """A recorded request or response for the control API: bytes as text, headers as a
    dict."""
    return {
        key: (
            value.decode("utf-8", "replace")
            if isinstance(value, bytes)
            else dict(value)
            if isinstance(value, CaseInsensitiveDict)
            else value
        )
        for key, value in record.items()
    }


__all__ = ["ENVIRONMENT", "PsbSandbox", "document_details", "sign", "topic_matches"]
