# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook health: the PSB's alarm e-mail hook (HookSentRetry / HookSentError) kept in
line with the company's alert e-mail, and Test webhook (the PSB's Ping, noted on the
company), against the PSB sandbox over loopback."""

import json
import time
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PsbHttpCase, event_body, order_xml, signed_headers

ALERT_TOPICS = ["HookSentRetry", "HookSentError"]


@tagged("post_install", "-at_install")
class TestWebhookHealth(PsbHttpCase):
    def setUp(self):
        super().setUp()
        self.company.write(
            {
                "psb_alert_email": False,
                "psb_alert_hook_id": False,
                "psb_alert_hook_email": False,
                "psb_alert_hook_state": "none",
                "psb_alert_hook_message": False,
                "psb_hook_last_ping_at": False,
                "psb_hook_last_ping_topic": False,
            }
        )

    # ------------------------------------------------------------------ helpers
    def party_hooks(self):
        return dict(self.sandbox.hooks.get(self.PARTY_ID, {}))

    def alert_hook(self):
        return self.party_hooks()[self.company.psb_hook_id + "-alert"]

    def hook_requests(self, method=None):
        return [
            r
            for r in self.sandbox.requests
            if "/hook" in r["path"] and r["method"] == (method or r["method"])
        ]

    def settings(self, **vals):
        return self.env["res.config.settings"].create(vals)

    # ------------------------------------------------------------------ alert e-mail
    # hook
    def test_no_address_no_alert_hook(self):
        self.company._psb_register_webhook()
        self.assertEqual(list(self.party_hooks()), [self.company.psb_hook_id])
        self.assertEqual(self.company.psb_alert_hook_state, "none")

    def test_alert_address_registers_a_mail_hook(self):
        self.company.psb_alert_email = "ops@example.com"
        self.company._psb_register_webhook()
        hooks = self.party_hooks()
        main_id = self.company.psb_hook_id
        self.assertEqual(sorted(hooks), sorted([main_id, main_id + "-alert"]))
        alert = self.alert_hook()
        self.assertEqual(alert["action"], "mailto:ops@example.com")
        self.assertEqual(alert["topics"], ALERT_TOPICS)
        self.assertIs(alert["isActive"], True)
        self.assertTrue(
            hooks[main_id]["action"].startswith(
                self.base_url() + "/econnect_psb/webhook#"
            )
        )
        self.assertNotIn("HookSentError", hooks[main_id]["topics"])
        self.assertEqual(
            (self.company.psb_alert_hook_state, self.company.psb_alert_hook_id),
            ("registered", main_id + "-alert"),
        )
        self.assertIn("ops@example.com", self.company.psb_alert_hook_message)
        self.assertEqual(len(self.hook_requests("PUT")), 2)

    def test_registering_again_updates_in_place(self):
        self.company.psb_alert_email = "ops@example.com"
        self.company._psb_register_webhook()
        before = self.party_hooks()
        self.company.psb_alert_email = "  it@example.com "
        self.company._psb_register_webhook()
        after = self.party_hooks()
        self.assertEqual(
            sorted(after), sorted(before), "the same two hooks, no duplicate"
        )
        for hook_id, hook in after.items():
            self.assertEqual(hook["createdOn"], before[hook_id]["createdOn"], hook_id)
        self.assertEqual(self.alert_hook()["action"], "mailto:it@example.com")
        self.assertEqual(
            self.hook_requests("DELETE"), [], "never deleted and created again"
        )
        self.assertEqual(len(self.hook_requests("PUT")), 4)

    def test_clearing_the_address_deactivates_the_alert_hook(self):
        self.company.psb_alert_email = "ops@example.com"
        self.company._psb_register_webhook()
        self.company.psb_alert_email = False
        self.assertTrue(self.company._psb_register_webhook())
        alert = self.alert_hook()
        self.assertIs(alert["isActive"], False)
        self.assertEqual(
            (alert["action"], alert["topics"]), ("mailto:ops@example.com", ALERT_TOPICS)
        )
        self.assertIs(self.party_hooks()[self.company.psb_hook_id]["isActive"], True)
        self.assertEqual(self.company.psb_alert_hook_state, "inactive")
        self.assertEqual(self.hook_requests("DELETE"), [])
        # Once deactivated, registering again leaves it alone; a new address switches it
        # back on in place.
        puts = len(self.hook_requests("PUT"))
        self.company._psb_register_webhook()
        self.assertEqual(
            len(self.hook_requests("PUT")), puts + 1, "only the webhook itself"
        )
        self.company.psb_alert_email = "it@example.com"
        self.company._psb_register_webhook()
        self.assertEqual(len(self.party_hooks()), 2)
        self.assertEqual(
            (self.alert_hook()["isActive"], self.alert_hook()["action"]),
            (True, "mailto:it@example.com"),
        )

    def test_invalid_address_is_refused(self):
        for address in (
            "ops",
            "ops@example",
            "ops @example.com",
            "ops@example.com, it@example.com",
            "ops@example.com?cc=x@example.org",
        ):
            with self.subTest(address=address), self.assertRaises(UserError) as caught:
                self.settings(psb_alert_email=address).action_psb_register_webhook()
            self.assertIn(
                f"{address.strip()}, is not a valid e-mail address",
                str(caught.exception),
            )
        self.assertEqual(self.sandbox.requests, [], "nothing was sent to the PSB")
        self.assertEqual(self.company.psb_hook_state, "none")

    def test_alert_hook_failure_keeps_the_webhook(self):
        self.company.psb_alert_email = "ops@example.com"
        self.sandbox.inject_fault(
            "PUT", "/hook$", status=None, count=1
        )  # the webhook's PUT passes
        self.sandbox.inject_fault(
            "PUT", "/hook$", status=400, count=1
        )  # the alert hook's is refused
        action = self.settings().action_psb_register_webhook()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn(
            "alert e-mail hook could not be registered", action["params"]["message"]
        )
        self.assertEqual(
            (self.company.psb_hook_state, self.company.psb_alert_hook_state),
            ("registered", "error"),
        )
        self.assertTrue(
            self.company.psb_webhook_secret, "the secret the PSB signs with is kept"
        )
        self.assertEqual(list(self.party_hooks()), [self.company.psb_hook_id])

    def test_settings_show_webhook_health(self):
        self.company.write(
            {
                "psb_alert_email": "ops@example.com",
                "psb_alert_hook_state": "registered",
                "psb_hook_state": "registered",
                "psb_hook_last_ping_at": fields.Datetime.now(),
                "psb_hook_last_ping_topic": "Ping",
            }
        )
        self.start_tour(
            "/odoo/settings#sale_management",
            "sale_econnect_psb_webhook_health",
            login="admin",
        )

    # ------------------------------------------------------------------ Test webhook
    # (Ping)
    def wait_for_delivery(self, topic, timeout=10):
        """The sandbox delivers a ping in the background; wait until Odoo has answered
        it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.sandbox.lock:
                done = [
                    d for d in self.sandbox.deliveries if d["event"]["topic"] == topic
                ]
            if done:
                return done
            time.sleep(0.05)
        self.fail(f"no {topic} event was delivered within {timeout} s")

    def test_test_webhook_records_the_ping(self):
        self.company._psb_register_webhook()
        before = fields.Datetime.now() - timedelta(seconds=1)
        # The sandbox sends the Ping from a background thread once it answered Odoo.
        # Odoo's test server shares this test's database cursor, so the delivery is held
        # until the button's code is done with it, then let in.
        held = []
        with patch.object(
            self.sandbox,
            "_in_background",
            lambda target, *args: held.append((target, args)),
        ):
            action = self.settings().action_psb_test_webhook()
        self.assertIn("reload", action["params"]["message"])
        self.assertTrue(
            any(r["path"].endswith("/hook/ping") for r in self.sandbox.requests)
        )
        self.assertEqual([args[2] for _target, args in held], ["Ping"])
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            for target, args in held:
                self.sandbox._in_background(target, *args)
            deliveries = self.wait_for_delivery("Ping")
        self.assertEqual(
            [(d["status"], d["hook_id"]) for d in deliveries],
            [(200, self.company.psb_hook_id)],
            deliveries,
        )
        self.env.invalidate_all()
        self.assertEqual(self.company.psb_hook_last_ping_topic, "Ping")
        self.assertGreaterEqual(self.company.psb_hook_last_ping_at, before)

    def test_test_webhook_needs_a_registered_webhook(self):
        with self.assertRaisesRegex(UserError, "press Register webhook first"):
            self.settings().action_psb_test_webhook()
        self.assertFalse(
            [r for r in self.sandbox.requests if r["path"].endswith("/hook/ping")]
        )

    def test_badly_signed_ping_is_not_recorded(self):
        body = event_body(self.PARTY_ID, "ping-1", topic="Ping")
        self.assertEqual(
            self.post_event(body, signed_headers("not-the-secret", body)).status_code,
            401,
        )
        self.env.invalidate_all()
        self.assertFalse(self.company.psb_hook_last_ping_at)

    def test_order_event_leaves_the_ping_fields_alone(self):
        self.company._psb_register_webhook()
        earlier = datetime(2020, 1, 2, 3, 4, 5)
        self.company.write(
            {"psb_hook_last_ping_at": earlier, "psb_hook_last_ping_topic": "Ping"}
        )
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("H1"))
        company_writes = []
        Company = type(self.env["res.company"])
        original_write = Company.write

        def spy_write(records, vals):
            company_writes.append(dict(vals))
            return original_write(records, vals)

        self.env.flush_all()
        with (
            patch.object(Company, "write", spy_write),
            self.allow_requests(all_requests=True),
        ):
            results = self.sandbox.deliver(document_id)
        self.assertEqual(
            [(r["status"], json.loads(r["body"])["status"]) for r in results],
            [(200, "stored")],
            results,
        )
        self.assertEqual(
            company_writes, [], "an order delivery writes nothing on the company"
        )
        self.env.invalidate_all()
        self.assertEqual(self.documents(document_id).state, "received")
        self.assertEqual(
            (self.company.psb_hook_last_ping_at, self.company.psb_hook_last_ping_topic),
            (earlier, "Ping"),
        )
        # the same delivery path does note an event that is not a document
        body = event_body(self.PARTY_ID, "inv-1", topic="InvoiceReceived")
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).json()["status"],
            "ignored",
        )
        self.env.invalidate_all()
        self.assertEqual(self.company.psb_hook_last_ping_topic, "InvoiceReceived")
        self.assertGreater(self.company.psb_hook_last_ping_at, earlier)
