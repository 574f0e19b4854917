# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

from odoo import http
from odoo.http import request

from ..psb import signature

_logger = logging.getLogger(__name__)

MAX_EVENT_BYTES = 256 * 1024
SIGNATURE_HEADER = "X-EConnect-Signature"


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
        body = request.httprequest.get_data(cache=False)
        if len(body) > MAX_EVENT_BYTES:
            return self._answer(413, "event too large")
        header = request.httprequest.headers.get(SIGNATURE_HEADER)
        if not header:
            return self._answer(401, "missing signature")
        try:
            event = json.loads(body)
        except ValueError:
            return self._answer(400, "the body is not JSON")
        if not isinstance(event, dict):
            return self._answer(400, "the body is not a JSON object")

        env = request.env(su=True)
        company = env["res.company"]._psb_company_for_party(str(event.get("partyId") or ""))
        if not company or not signature.verify(company.psb_webhook_secret or "", body, header):
            _logger.warning("PSB webhook refused: bad signature or unknown party %r", event.get("partyId"))
            return self._answer(401, "invalid signature")
        window = company.psb_signature_window
        if window and not signature.check_sent_on(event.get("sentOn"), window=timedelta(minutes=window)):
            _logger.warning("PSB webhook refused: sentOn %r outside the %s minutes window", event.get("sentOn"), window)
            return self._answer(401, "sentOn outside the accepted window")

        result = env["econnect.psb.document"]._psb_store_event(company, event)
        return self._answer(200, result)

    @staticmethod
    def _answer(status, message):
        return request.make_json_response({"status": message}, status=status)
