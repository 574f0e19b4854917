# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 30: an invoice is sent through the PSB once, with real commits: two people (or
a double click) queueing it at the same moment, and a crash of the scheduled action
after the PSB took it but before its commit."""

from unittest.mock import patch

from odoo import Command

from .test_queue_commits import RealCommitCase, tagged

SEND_INVOICES = "sale_econnect_psb.ir_cron_psb_send_invoices"
UBL = b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>"


class Crash(BaseException):
    """The worker dies (killed, out of memory): nothing after this point is
    committed."""


@tagged("post_install", "-at_install")
class TestInvoiceSentOnce(RealCommitCase):
    def setUp(self):
        super().setUp()
        with self.committed() as env:
            partner = env["res.partner"].create(
                {
                    "name": f"Invoice buyer {self.tag}",
                    "is_company": True,
                    "peppol_eas": "0106",
                    "peppol_endpoint": "87654321",
                }
            )
            product = env["product.product"].create(
                {"name": f"Lamp {self.tag}", "list_price": 10.0}
            )
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 1,
                                "price_unit": 10.0,
                            }
                        )
                    ],
                }
            )
            move.action_post()
            self.move_id, self.product_id = move.id, product.id
        self.addCleanup(self.remove_invoice)

    def remove_invoice(self):
        with self.committed() as env:
            move = env["account.move"].browse(self.move_id)
            env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
            ).unlink()
            move.button_draft()
            move.unlink()
            env["product.product"].browse(self.product_id).product_tmpl_id.unlink()

    def queue(self, cr_env):
        move = cr_env["account.move"].browse(self.move_id)
        return cr_env["econnect.psb.invoice.send"]._psb_queue(
            move, UBL, "invoice.xml", "ok"
        )

    def sendings(self):
        return self.state_of(
            "econnect.psb.invoice.send",
            [("move_id", "=", self.move_id)],
            ["state", "psb_document_id", "idempotency_key"],
        )

    def test_queued_once_by_two_requests_at_the_same_moment(self):
        """Both requests began before either committed: the unique index lets one queue
        it, the other none."""
        with self.committed() as first, self.committed() as second:
            second.cr.execute(
                "SELECT count(*) FROM econnect_psb_invoice_send"
            )  # its snapshot: nothing queued yet
            self.assertTrue(self.queue(first))
            first.cr.commit()
            self.queue(second)  # waits for the first's commit, then finds it queued
        self.assertEqual([s["state"] for s in self.sendings()], ["queued"])
        self.run_cron(SEND_INVOICES)
        self.assertEqual(len(self.sandbox.invoices), 1)
        with self.committed() as env:
            self.queue(
                env
            )  # a later click: the invoice is on its way, nothing more is queued
        self.run_cron(SEND_INVOICES)
        self.assertEqual([s["state"] for s in self.sendings()], ["sent"])
        self.assertEqual(len(self.sandbox.invoices), 1)
        self.assert_actions_healthy()

    def test_a_crash_after_the_psb_took_it_does_not_send_it_twice(self):
        with self.committed() as env:
            self.queue(env)
        Send = type(self.env["econnect.psb.invoice.send"])
        send = Send._send

        def send_then_crash(record, clients=None):
            send(record, clients)
            raise Crash()

        with patch.object(Send, "_send", send_then_crash), self.assertRaises(Crash):
            self.run_cron(SEND_INVOICES)
        [before] = self.sendings()
        self.assertEqual(before["state"], "queued", "the crash lost what the run did")
        self.assertEqual(len(self.sandbox.invoices), 1, "but the PSB has the invoice")
        self.run_cron(SEND_INVOICES)
        [after] = self.sendings()
        self.assertEqual(after["state"], "sent")
        self.assertEqual(
            after["psb_document_id"],
            before["idempotency_key"],
            "the PSB's answer 409: already sent",
        )
        self.assertEqual(
            list(self.sandbox.invoices), [before["idempotency_key"]], "sent once"
        )
        self.assert_actions_healthy()
