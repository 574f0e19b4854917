# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sales team sees the Peppol activities it can act on (Sales > Peppol > Team
activities, the order desk, the quotations' filter), and no more than Odoo's rules let
each member read."""

from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ALL_LEADS, SALESMAN


@tagged("post_install", "-at_install")
class TestTeamActivities(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.leader = new_test_user(cls.env, "psb_team_leader", groups=ALL_LEADS)
        cls.anna = new_test_user(cls.env, "psb_team_anna", groups=SALESMAN)
        cls.bert = new_test_user(cls.env, "psb_team_bert", groups=SALESMAN)
        cls.carl = new_test_user(cls.env, "psb_team_carl", groups=SALESMAN)
        Team = cls.env["crm.team"]
        cls.team = Team.create(
            {
                "name": "Peppol North",
                "user_id": cls.leader.id,
                "company_id": company.id,
                "member_ids": [(6, 0, [cls.anna.id, cls.bert.id])],
            }
        )
        cls.other_team = Team.create(
            {
                "name": "Peppol South",
                "company_id": company.id,
                "member_ids": [(6, 0, [cls.carl.id])],
            }
        )
        customer = cls.env["res.partner"].create(
            {"name": "Team Customer", "is_company": True}
        )
        product = cls.env["product.product"].create(
            {"name": "Team product", "list_price": 3.0}
        )

        def order(user, team, kind="import", ours=True):
            document = cls.env["econnect.psb.document"].create(
                {
                    "company_id": company.id,
                    "topic": "OrderReceived",
                    "document_type": "order",
                    "state": "imported",
                    "psb_document_id": f"team-{user.login if user else 'none'}-"
                    f"{team.name}-{kind}",
                }
            )
            sale = cls.env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "user_id": user.id,
                    "team_id": team.id,
                    "psb_document_id": document.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_uom_qty": 1})
                    ],
                }
            )
            if ours:
                sale._psb_activity(
                    kind,
                    summary=f"Check {sale.name}",
                    note="<p>x</p>",
                    user=user or cls.leader,
                )
            return sale

        cls.order_anna = order(cls.anna, cls.team)
        cls.order_bert = order(cls.bert, cls.team, kind="answer")
        cls.order_nobody = order(cls.env["res.users"], cls.team, kind="decide")
        cls.order_carl = order(cls.carl, cls.other_team)
        # Not ours: an ordinary to-do on Anna's order is no Peppol activity.
        cls.order_anna.activity_schedule(
            "mail.mail_activity_data_todo", user_id=cls.anna.id, summary="Call back"
        )
        cls.Activity = cls.env["mail.activity"]

    def activities_as(self, user):
        """What the menu Team activities lists for ``user``: the action's domain and its
        default filter."""
        action = self.env.ref("sale_econnect_psb.action_psb_team_activities")
        self.assertEqual(
            safe_eval(action.context), {"search_default_filter_psb_my_team": 1}
        )
        Activity = self.Activity.with_user(user)
        arch = Activity.get_views([(action.search_view_id.id, "search")])["views"][
            "search"
        ]["arch"]
        node = etree.fromstring(arch).find(".//filter[@name='filter_psb_my_team']")
        domain = safe_eval(action.domain) + safe_eval(
            node.get("domain"), {"uid": user.id}
        )
        return Activity.search(domain)

    def orders_of(self, activities):
        return activities.mapped("psb_sale_order_id")

    def test_the_leader_sees_his_teams_activities(self):
        found = self.activities_as(self.leader)
        self.assertEqual(
            self.orders_of(found), self.order_anna | self.order_bert | self.order_nobody
        )
        self.assertTrue(all(found.mapped("psb_kind")), "only Peppol activities")
        self.assertEqual(found.mapped("psb_team_id"), self.team)
        self.assertEqual(set(found.mapped("psb_customer_id.name")), {"Team Customer"})

    def test_a_salesman_with_own_documents_sees_only_what_he_may_read(self):
        # Bert's order is in Anna's team, but her rights are "own documents only": not
        # hers to see.
        self.assertEqual(
            self.orders_of(self.activities_as(self.anna)),
            self.order_anna | self.order_nobody,
        )
        self.assertEqual(
            self.orders_of(self.activities_as(self.bert)),
            self.order_bert | self.order_nobody,
        )
        self.assertEqual(self.orders_of(self.activities_as(self.carl)), self.order_carl)
        # Without the team filter the rule still holds: Bert's activity is never listed
        # for Anna.
        everything = self.Activity.with_user(self.anna).search(
            [("psb_kind", "!=", False)]
        )
        self.assertNotIn(self.order_bert, self.orders_of(everything))

    def test_an_order_moved_to_another_team_takes_its_activity_along(self):
        self.order_bert.team_id = self.other_team
        self.assertNotIn(
            self.order_bert, self.orders_of(self.activities_as(self.leader))
        )
        self.assertIn(
            self.order_bert,
            self.orders_of(
                self.Activity.search(
                    [
                        ("psb_team_id", "=", self.other_team.id),
                        ("psb_kind", "!=", False),
                    ]
                )
            ),
        )

    def test_order_desk_card(self):
        for user, expected in ((self.leader, 3), (self.anna, 2), (self.carl, 1)):
            with self.subTest(user=user.login):
                Desk = self.env["econnect.psb.dashboard"].with_user(user)
                [card] = [
                    c
                    for c in Desk.get_figures()["figures"]
                    if c["key"] == "team_activities"
                ]
                self.assertEqual(card["value"], expected)
                self.assertEqual(
                    card["action"], "sale_econnect_psb.action_psb_team_activities"
                )
                self.assertEqual(
                    self.Activity.with_user(user).search_count(card["domain"]), expected
                )

    def test_quotations_filter_my_teams_orders_needing_a_person(self):
        def found(user):
            SaleOrder = self.env["sale.order"].with_user(user)
            arch = SaleOrder.get_views([(False, "search")])["views"]["search"]["arch"]
            node = etree.fromstring(arch).find(
                ".//filter[@name='filter_psb_my_team_activities']"
            )
            return SaleOrder.search(safe_eval(node.get("domain"), {"uid": user.id}))

        self.assertEqual(
            found(self.leader), self.order_anna | self.order_bert | self.order_nobody
        )
        self.assertEqual(found(self.anna), self.order_anna | self.order_nobody)
        self.assertEqual(found(self.carl), self.order_carl)
        self.order_anna._psb_close_activities("import")
        self.assertEqual(
            found(self.leader),
            self.order_bert | self.order_nobody,
            "done: no longer listed",
        )
