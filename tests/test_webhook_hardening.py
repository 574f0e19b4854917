# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook over real HTTP with hostile bodies: always a 4xx and one log line, never
a 500."""

import json
import logging

from odoo.tests import tagged

from ..psb import event as psb_event
from .common import event_body, signed_headers
from .test_webhook import PsbHttpCase


@tagged("post_install", "-at_install")
class TestWebhookHardening(PsbHttpCase):
    def post_logged(self, body, headers=None, signed=True):
        """POST ``body``; returns (response, the log records of the request at WARNING
        and above)."""
        headers = headers or (
            signed_headers(self.SECRET, body)
            if signed
            else {
                "Content-Type": "application/json",
                "X-EConnect-Signature": "sha256=" + "0" * 64,
            }
        )
        with self.assertLogs(level=logging.WARNING) as logs:
            logging.getLogger("odoo.addons.sale_econnect_psb").warning("start")
            response = self.url_open(
                "/econnect_psb/webhook", data=body, headers=headers
            )
        records = [r for r in logs.records if r.getMessage() != "start"]
        return response, records

    def assert_refused(self, body, status, reason, **kwargs):
        response, records = self.post_logged(body, **kwargs)
        self.assertEqual(response.status_code, status, response.text)
        self.assertIn(reason, response.json()["status"])
        self.assertEqual(len(records), 1, [r.getMessage() for r in records])
        self.assertIn(reason, records[0].getMessage())
        self.assertNotIn("\n", records[0].getMessage())
        self.assertFalse(records[0].exc_info, "no traceback")
        return response

    def test_deeply_nested_json(self):
        for label, body in (
            ("array", b"[" * 100_000 + b"]" * 100_000),
            ("object", b'{"a":' * 40_000 + b"1" + b"}" * 40_000),
        ):
            for signed in (True, False):
                with self.subTest(body=label, signed=signed):
                    self.assert_refused(body, 400, "nested too deeply", signed=signed)

    def test_nul_byte_in_party_id(self):
        body = event_body("0106:1234\u00005678", "nul-doc")
        self.assertIn(b"\\u0000", body)
        for signed in (True, False):
            with self.subTest(signed=signed):
                self.assert_refused(body, 400, "NUL character", signed=signed)
        self.assertFalse(self.documents("nul-doc"))

    def test_long_ids_are_refused_not_cut(self):
        prefix = "d" * psb_event.MAX_ID_LENGTH
        for document_id in (prefix + "-one!!", prefix + "-two!!"):
            body = event_body(self.PARTY_ID, document_id)
            self.assert_refused(body, 400, "longer than 200 characters")
        self.assertFalse(
            self.Document.search([("psb_document_id", "like", prefix + "%")])
        )
        body = event_body(self.PARTY_ID, prefix)  # at the limit: stored whole
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).json()["status"],
            "stored",
        )
        self.assertEqual(self.documents(prefix).psb_document_id, prefix)
        long_ref = event_body(
            self.PARTY_ID, "ref-doc", details={"orderReferenceId": "r" * 201}
        )
        self.assert_refused(long_ref, 400, "longer than 200 characters")

    def test_dot_and_empty_ids_are_refused(self):
        for document_id in (".", "..", "", "  "):
            with self.subTest(document_id=document_id):
                self.assert_refused(
                    event_body(self.PARTY_ID, document_id),
                    400,
                    "does not name a document",
                )
        self.assertFalse(self.Document.search([("psb_document_id", "in", [".", ".."])]))

    def test_a_declared_large_body_is_refused_unread(self):
        body = event_body(self.PARTY_ID, "big-doc")
        padded = body[:-1] + b', "pad": "' + b"x" * (300 * 1024) + b'"}'
        self.assert_refused(padded, 413, "event too large")

    def test_a_large_chunked_body_is_refused(self):
        """No Content-Length: at most the limit plus one byte is read before the 413."""
        chunk = b"x" * 65536

        def chunks():
            yield b'{"pad": "'
            for _i in range(64):  # 4 MB
                yield chunk
            yield b'"}'

        headers = {
            "Content-Type": "application/json",
            "X-EConnect-Signature": "sha256=" + "0" * 64,
        }
        self.assert_refused(chunks(), 413, "event too large", headers=headers)
        # a small chunked event is read whole and accepted
        body = event_body(self.PARTY_ID, "chunked-doc")
        response = self.url_open(
            "/econnect_psb/webhook",
            data=iter([body[:10], body[10:]]),
            headers=signed_headers(self.SECRET, body),
        )
        self.assertEqual(
            (response.status_code, response.json()["status"]), (200, "stored")
        )

    def test_event_values_are_stored_whole(self):
        message = "m" * 2000
        body = event_body(self.PARTY_ID, "whole-doc", message=message)
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).status_code, 200
        )
        document = self.documents("whole-doc")
        self.assertEqual(document.message, message)
        self.assertEqual(json.loads(document.payload)["message"], message)

    def test_party_id_in_another_case(self):
        self.company.psb_party_id = "NL:KVK:12345678"
        body = event_body("nl:kvk:12345678", "case-doc")
        response = self.post_event(body, signed_headers(self.SECRET, body))
        self.assertEqual(response.json()["status"], "stored")
        self.assertEqual(self.documents("case-doc").company_id, self.company)

    def test_negative_window_in_the_database_still_checks(self):
        self.env.cr.execute(
            "UPDATE res_company SET psb_signature_window = -5 WHERE id = %s",
            [self.company.id],
        )
        self.env.invalidate_all()
        body = event_body(
            self.PARTY_ID, "stale-doc", sentOn="2020-01-01T00:00:00+00:00"
        )
        response = self.post_event(body, signed_headers(self.SECRET, body))
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.documents("stale-doc"))
