# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import http
from odoo.http import request

from ..psb import event as psb_event
from ..psb import signature

_logger = logging.getLogger(__name__)

MAX_EVENT_BYTES = 256 * 1024
SIGNATURE_HEADER = "X-EConnect-Signature"
DEFAULT_WINDOW_MINUTES = 5
READ_CHUNK = 64 * 1024


class PsbWebhookController(http.Controller):
    """Receives the PSB's webhook events.

    It verifies the HMAC signature over the raw body with the company's secret, records
    the event and answers at once: downloading and importing happen in the scheduled
    action, which is triggered here.
    """

    @http.route(
        "/econnect_psb/webhook",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        readonly=False,
        save_session=False,
    )
    def psb_webhook(self, **_kwargs):
        body = self._read_body()
        if body is None:
            return self._answer(413, "event too large")
        header = request.httprequest.headers.get(SIGNATURE_HEADER)
        if not header:
            return self._answer(401, "missing signature")
        env = request.env(su=True)
        try:
            event = psb_event.parse(body)
            # The topics of the documents (econnect.psb.kind) need a document id.
            psb_event.check(event, env["econnect.psb.kind"]._psb_topic_kinds())
        except psb_event.EventError as exc:
            return self._answer(exc.status, exc.message)

        party_id = psb_event.text(event.get("partyId"), "partyId")
        company = env["res.company"]._psb_company_for_party(party_id)
        if not company or not signature.verify(
            company.psb_webhook_secret or "", body, header
        ):
            _logger.warning(
                "PSB webhook refused: bad signature or unknown party %r", party_id
            )
            return self._answer(401, "invalid signature")
        window = company.psb_signature_window
        if window < 0:  # not allowed by the settings; never read as "no check"
            window = DEFAULT_WINDOW_MINUTES
        if window and not signature.check_sent_on(
            event.get("sentOn"), window=timedelta(minutes=window)
        ):
            _logger.warning(
                "PSB webhook refused: sentOn %r outside the %s minutes window",
                event.get("sentOn"),
                window,
            )
            return self._answer(401, "sentOn outside the accepted window")

        result = env["econnect.psb.document"]._psb_store_event(company, event)
        return self._answer(200, result)

    @staticmethod
    def _read_body():
        """The raw body, or None when it is larger than MAX_EVENT_BYTES. The declared
        Content-Length is checked before anything is read, and at most MAX_EVENT_BYTES +
        1 bytes are read (a chunked body has no Content-Length)."""
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_EVENT_BYTES:
            return None
        # Odoo's request wrapper does not expose werkzeug's input stream; without it,
        # read the body whole (werkzeug still stops at Odoo's max_content_length).
        wrapped = getattr(httprequest, "_HTTPRequest__wrapped", None)
        if wrapped is None:
            body = httprequest.get_data(cache=False)
        else:
            chunks, size = [], 0
            while size <= MAX_EVENT_BYTES:
                chunk = wrapped.stream.read(min(READ_CHUNK, MAX_EVENT_BYTES + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            body = b"".join(chunks)
        return None if len(body) > MAX_EVENT_BYTES else body

    @staticmethod
    def _answer(status, message):
        if status >= 400 and status != 401:  # refused signatures log their own line
            # One line, no traceback: what was refused and why (never the body itself).
            _logger.warning("PSB webhook refused (%s): %s", status, message)
        return request.make_json_response({"status": message}, status=status)
